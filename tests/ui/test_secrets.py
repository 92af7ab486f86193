"""Environment values whose names say they are secret are masked wherever they show, until revealed with a key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static, TextArea

from ecstui.aws.session import AwsTarget
from ecstui.config import ConfigError, settings_from_dict
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.service import UpdateServiceDialog
from ecstui.ui.dialogs.task_definition import NewRevisionDialog, RegisterRevisionDialog
from ecstui.ui.dialogs.task_definition_json import JsonEditDialog
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.task_definition_detail import TaskDefinitionScreen
from ecstui.ui.secrets import MASK, SecretNames
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until
from tests.ui.test_task_definition_actions import editor_script, wait_dialog

SIZE = (140, 40)
SECRETS = {"DB_PASSWORD": "hunter2-db", "API_TOKEN": "tok-123456", "aws_secret_key": "AKIAsecretvalue"}
PLAIN = {"LOG_LEVEL": "debug-plain"}


def register_vault(emulator: EmulatorServer) -> str:
    environment = [{"name": k, "value": v} for k, v in {**SECRETS, **PLAIN}.items()]
    arn: str = boto_client(emulator, "ecs").register_task_definition(
        family="vault",
        containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128, "environment": environment}],
    )["taskDefinition"]["taskDefinitionArn"]
    emulator.log.clear()  # from here on, the log holds what ecstui sent
    return arn


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("API_TOKEN", True),
        ("aws_secret_key", True),
        ("MYSQL_ROOT_PASSWORD", True),
        ("GITHUB_PRIVATE_KEY", True),
        ("db_credentials", True),
        ("LOG_LEVEL", False),
        ("SERVICE_NAME", False),
        (None, False),
    ],
)
def test_the_default_pattern_matches_secret_words_anywhere_in_the_name_in_any_case(
    name: str | None, secret: bool
) -> None:
    assert SecretNames.from_pattern()(name) is secret


def test_the_pattern_comes_from_the_config_file_and_a_bad_one_is_refused() -> None:
    assert settings_from_dict({}).secret_env_pattern == "PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE"
    assert settings_from_dict({"secret_env_pattern": "^PIN$|SALT"}).secret_env_pattern == "^PIN$|SALT"
    with pytest.raises(ConfigError, match="not a regular expression"):
        settings_from_dict({"secret_env_pattern": "PASS("})
    with pytest.raises(ConfigError, match="must be a regular expression"):
        settings_from_dict({"secret_env_pattern": 3})


async def open_definition(pilot: Any, app: EcsApp, arn: str) -> TaskDefinitionScreen:
    await wait_loaded(pilot)
    app.open_task_definition(arn)
    await wait_until(pilot, lambda: isinstance(app.screen, TaskDefinitionScreen) and app.screen.data is not None)
    screen = app.screen
    assert isinstance(screen, TaskDefinitionScreen)
    return screen


async def test_the_task_definition_view_masks_secret_values_until_the_key_reveals_them(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    arn = register_vault(emulator)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_definition(pilot, app, arn)
        body = text_of(screen.body)
        for name, value in SECRETS.items():
            assert f"{name}={MASK}" in body
            assert value not in body
        assert "LOG_LEVEL=debug-plain" in body
        footer = "\n".join(text_of(w.render()) for w in screen.query("FooterKey"))
        assert "Show secrets" in footer  # the key is offered where the user looks
        await pilot.press("ctrl+t")
        body = text_of(screen.body)
        for name, value in SECRETS.items():
            assert f"{name}={value}" in body
        await pilot.press("ctrl+t")
        assert all(value not in text_of(screen.body) for value in SECRETS.values())


async def test_revealing_is_per_view_and_leaving_the_view_hides_them_again(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    arn = register_vault(emulator)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_definition(pilot, app, arn)
        await pilot.press("ctrl+t")
        assert SECRETS["DB_PASSWORD"] in text_of(screen.body)
        await pilot.press("question_mark")  # another view on top ...
        await pilot.pause()
        await pilot.press("escape")  # ... and back
        await wait_until(pilot, lambda: app.screen is screen)
        assert SECRETS["DB_PASSWORD"] not in text_of(screen.body)
        await pilot.press("escape")
        await pilot.pause()
        second = await open_definition(pilot, app, arn)  # a new view of the same revision starts masked
        assert second is not screen
        assert SECRETS["DB_PASSWORD"] not in text_of(second.body)


def registered_environment(emulator: EmulatorServer) -> dict[str, str]:
    [call] = emulator.log.calls("RegisterTaskDefinition")
    return {e["name"]: e["value"] for e in call["containerDefinitions"][0]["environment"]}


async def test_the_new_revision_form_masks_secret_values_and_registers_them_unchanged(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    arn = register_vault(emulator)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_definition(pilot, app, arn)
        await pilot.press("n")
        form = await wait_dialog(pilot, NewRevisionDialog)
        area = form.query_one("#env-0", TextArea)
        assert all(value not in area.text for value in SECRETS.values())
        assert f"DB_PASSWORD={MASK}" in area.text
        assert any("ctrl+t shows them" in text_of(w.render()) for w in form.query(Static))  # the key is said
        await pilot.press("ctrl+t")
        assert f"DB_PASSWORD={SECRETS['DB_PASSWORD']}" in area.text
        await pilot.press("ctrl+t")
        assert SECRETS["DB_PASSWORD"] not in area.text
        area.load_text(area.text.replace("LOG_LEVEL=debug-plain", "LOG_LEVEL=warn"))
        await pilot.press("ctrl+s")
        review = await wait_dialog(pilot, RegisterRevisionDialog)
        diff = text_of(review.query_one("#diff", Static).render())
        assert "warn" in diff and all(value not in diff for value in SECRETS.values())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: emulator.log.counts["RegisterTaskDefinition"] == 1)
    assert registered_environment(emulator) == {**SECRETS, "LOG_LEVEL": "warn"}


async def test_the_json_editor_masks_secret_values_until_revealed_and_registers_them_unchanged(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    arn = register_vault(emulator)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_definition(pilot, app, arn)
        await pilot.press("e")
        dialog = await wait_dialog(pilot, JsonEditDialog)
        area = dialog.query_one("#json", TextArea)
        assert all(value not in area.text for value in SECRETS.values())
        assert MASK in area.text
        await pilot.press("ctrl+t")
        assert all(value in area.text for value in SECRETS.values())
        await pilot.press("ctrl+t")
        assert all(value not in area.text for value in SECRETS.values())
        area.load_text(area.text.replace("debug-plain", "warn"))
        await pilot.press("ctrl+s")
        review = await wait_dialog(pilot, RegisterRevisionDialog)
        assert all(value not in text_of(review.query_one("#diff", Static).render()) for value in SECRETS.values())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: emulator.log.counts["RegisterTaskDefinition"] == 1)
    assert registered_environment(emulator) == {**SECRETS, "LOG_LEVEL": "warn"}


async def test_the_external_editor_file_holds_no_secret_value_and_they_are_registered_unchanged(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen.json"
    edit = (
        f"open({str(seen)!r}, 'w').write(open(path).read())\n"
        "d = json.load(open(path))\n"
        "d['containerDefinitions'][0]['image'] = 'nginx:edited'\n"
        "json.dump(d, open(path, 'w'))\n"
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, edit))
    arn = register_vault(emulator)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_definition(pilot, app, arn)
        await pilot.press("e")
        await wait_dialog(pilot, RegisterRevisionDialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: emulator.log.counts["RegisterTaskDefinition"] == 1)
    given = seen.read_text()
    assert MASK in given and all(value not in given for value in SECRETS.values())
    assert registered_environment(emulator) == {**SECRETS, **PLAIN}


async def test_the_update_service_diff_masks_secret_values_and_says_which_changed(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    first = register_vault(emulator)
    ecs = boto_client(emulator, "ecs")
    ecs.create_service(cluster="prod", serviceName="vault", taskDefinition=first, desiredCount=1)
    changed = [
        {"name": k, "value": v + "-rotated" if k == "DB_PASSWORD" else v} for k, v in {**SECRETS, **PLAIN}.items()
    ]
    ecs.register_task_definition(
        family="vault", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128, "environment": changed}]
    )
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        await wait_until(pilot, lambda: any(s.name == "vault" for s in screen.items.values()))
        assert screen.table.select_key(next(k for k, s in screen.items.items() if s.name == "vault"))
        await pilot.press("u")
        dialog = await wait_dialog(pilot, UpdateServiceDialog)
        await wait_until(pilot, lambda: MASK in text_of(dialog.query_one("#diff", Static).render()))
        diff = text_of(dialog.query_one("#diff", Static).render())
        assert f"{MASK} (changed)" in diff
        assert "hunter2" not in diff and "rotated" not in diff
