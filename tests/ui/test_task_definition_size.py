"""A task definition above ECS's 64 KiB is refused before it is sent, with one sentence, on every register path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from ecstui.aws.actions import EcsActions
from ecstui.aws.errors import AwsError
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.aws.validation import MAX_TASK_DEFINITION_BYTES, task_definition_problems, task_definition_size
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.task_definition import NewRevisionDialog
from ecstui.ui.dialogs.task_definition_json import JsonEditDialog
from tests.ui.conftest import make_app
from tests.ui.test_task_definition_actions import (
    SIZE,
    editor_script,
    mutations,
    open_revisions,
    wait_dialog,
    wait_error,
)

# Under the limit by itself, over it with the rest of any revision: a realistic mistake (a certificate or a
# JSON blob pasted into an environment variable).
BIG_VALUE = "x" * MAX_TASK_DEFINITION_BYTES


def with_value_of(length: int) -> dict[str, Any]:
    container = {"name": "app", "image": "nginx", "memory": 128, "environment": [{"name": "A", "value": "v" * length}]}
    return {"family": "web", "containerDefinitions": [container]}


def test_the_size_is_the_compact_utf8_json_and_at_most_64_kib_passes() -> None:
    definition = with_value_of(0)
    assert task_definition_size(definition) == len(json.dumps(definition, separators=(",", ":")))
    assert task_definition_size({"family": "\u00e9"}) == len('{"family":"\u00e9"}'.encode())
    assert MAX_TASK_DEFINITION_BYTES == 64 * 1024
    at_limit = with_value_of(MAX_TASK_DEFINITION_BYTES - task_definition_size(definition))
    assert task_definition_size(at_limit) == MAX_TASK_DEFINITION_BYTES
    assert task_definition_problems(at_limit) == []
    over = with_value_of(MAX_TASK_DEFINITION_BYTES - task_definition_size(definition) + 1)
    [problem] = task_definition_problems(over)
    assert problem.startswith(f"This task definition is {MAX_TASK_DEFINITION_BYTES + 1:,} bytes of JSON")
    assert "64 KiB" in problem


async def test_the_actions_refuse_an_oversized_definition_without_sending_it(
    target: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    definition = {
        "family": "big",
        "containerDefinitions": [
            {"name": "app", "image": "nginx", "memory": 128, "environment": [{"name": "BLOB", "value": BIG_VALUE}]}
        ],
    }
    async with AwsSession(target) as session:
        with pytest.raises(AwsError, match="64 KiB"):
            await EcsActions(session).register_task_definition(definition)
    assert emulator.log.counts["RegisterTaskDefinition"] == 0


async def big_env_refused(pilot: Pilot[None], dialog: NewRevisionDialog | JsonEditDialog) -> str:
    message = await wait_error(pilot, dialog)
    assert pilot.app.screen is dialog
    return message


async def test_the_form_refuses_an_edit_that_makes_the_definition_larger_than_64_kib(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("n")
        form = await wait_dialog(pilot, NewRevisionDialog)
        env = form.query_one("#env-0", TextArea)
        env.load_text(env.text + f"\nBLOB={BIG_VALUE}")
        await pilot.press("ctrl+s")
        message = await big_env_refused(pilot, form)
        assert "64 KiB" in message and "bytes of JSON" in message
    assert mutations(emulator) == {}


async def test_the_json_editor_in_the_app_refuses_a_definition_larger_than_64_kib(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("e")
        dialog = await wait_dialog(pilot, JsonEditDialog)
        area = dialog.query_one("#json", TextArea)
        definition = json.loads(area.text)
        definition["containerDefinitions"][0].setdefault("environment", []).append({"name": "BLOB", "value": BIG_VALUE})
        area.load_text(json.dumps(definition, indent=2))
        await pilot.press("ctrl+s")
        assert "64 KiB" in await big_env_refused(pilot, dialog)
    assert mutations(emulator) == {}


async def test_a_definition_from_editor_larger_than_64_kib_is_refused(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = (
        "d = json.load(open(path))\n"
        "env = d['containerDefinitions'][0].setdefault('environment', [])\n"
        f"env.append({{'name': 'BLOB', 'value': 'x' * {len(BIG_VALUE)}}})\n"
        "json.dump(d, open(path, 'w'))\n"
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, edit))
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("e")
        dialog = await wait_dialog(pilot, JsonEditDialog)
        assert "64 KiB" in await big_env_refused(pilot, dialog)
    assert mutations(emulator) == {}
