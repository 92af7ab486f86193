"""The temporary file $EDITOR is given holds the definition (environment values too): it is private and removed."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.task_definition_json import JsonEditDialog
from tests.ui.conftest import make_app
from tests.ui.test_task_definition_actions import SIZE, editor_script, mutations, open_revisions, wait_dialog


def exists(path: str) -> bool:
    return os.path.exists(path)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The commonest umask (022), under which a file made the ordinary way is readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


async def test_the_editor_gets_a_0600_file_in_a_0700_directory_removed_afterwards(
    demo_account: AwsTarget,
    emulator: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    permissive_umask: None,
) -> None:
    seen = tmp_path / "seen.json"
    # The editor notes what it was given, and changes nothing.
    edit = (
        "import os, stat\n"
        "info = {'path': path, 'file': stat.S_IMODE(os.stat(path).st_mode),\n"
        "        'directory': stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode),\n"
        "        'owner': os.stat(path).st_uid}\n"
        f"json.dump(info, open({str(seen)!r}, 'w'))\n"
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, edit))
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("e")
        await pilot.pause(0.5)
        assert not isinstance(app.screen, JsonEditDialog)  # unchanged: nothing to review
    info = json.loads(seen.read_text())
    assert oct(info["file"]) == oct(0o600)
    assert oct(info["directory"]) == oct(0o700)
    assert info["owner"] == os.getuid()
    assert not exists(info["path"])
    assert not exists(os.path.dirname(info["path"]))
    assert mutations(emulator) == {}


async def test_the_editor_file_is_removed_when_the_editor_fails_too(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen.txt"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, f"open({str(seen)!r}, 'w').write(path)\nsys.exit(3)\n"))
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("e")
        await wait_dialog(pilot, JsonEditDialog)  # the in-app editor takes over
    assert not exists(os.path.dirname(seen.read_text()))
