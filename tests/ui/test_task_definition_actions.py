"""Task definition actions from the revisions and revision panes, checked by what reached the moto server."""

from __future__ import annotations

import dataclasses
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Select, Static, TextArea

from ecstui.aws.session import AwsTarget
from ecstui.aws.validation import registrable_definition
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ActionDialog, ConfirmDialog
from ecstui.ui.dialogs.run_task import RunTaskDialog
from ecstui.ui.dialogs.task_definition import (
    NewRevisionDialog,
    RegisterRevisionDialog,
    RollServicesDialog,
    parse_environment,
    parse_ports,
    ports_text,
)
from ecstui.ui.dialogs.task_definition_json import JsonEditDialog
from ecstui.ui.screens.task_definition_detail import TaskDefinitionScreen
from ecstui.ui.screens.task_definitions import RevisionsScreen
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded
from tests.ui.conftest import wait_until as wait_briefly

# Generous: these tests share two cores with others, and a dialog that takes long to appear is not a failure.
PATIENCE = 60.0


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], limit: float = PATIENCE) -> None:
    await wait_briefly(pilot, condition, limit)


MUTATIONS = (
    "RegisterTaskDefinition",
    "DeregisterTaskDefinition",
    "DeleteTaskDefinitions",
    "UpdateService",
    "RunTask",
)
SIZE = (140, 40)


def mutations(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in MUTATIONS if emulator.log.counts[op]}


def describe(emulator: EmulatorServer, name: str) -> dict[str, Any]:
    return dict(boto_client(emulator, "ecs").describe_task_definition(taskDefinition=name)["taskDefinition"])


def latest_revision(emulator: EmulatorServer, family: str) -> int:
    arns = boto_client(emulator, "ecs").list_task_definitions(familyPrefix=family, status="ACTIVE")
    return max(
        int(a.rsplit(":", 1)[1]) for a in arns["taskDefinitionArns"] if a.split("/")[-1].startswith(family + ":")
    )


async def open_revisions(pilot: Pilot[None], family: str = "api") -> RevisionsScreen:
    app = pilot.app
    assert isinstance(app, EcsApp)
    await wait_loaded(pilot)
    app.open_revisions(family)
    await wait_until(pilot, lambda: isinstance(app.screen, RevisionsScreen) and app.screen.updated_at is not None)
    screen = app.screen
    assert isinstance(screen, RevisionsScreen)
    return screen


async def wait_dialog(pilot: Pilot[None], kind: type[Any]) -> Any:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind))
    return pilot.app.screen


def error_of(dialog: ActionDialog[Any]) -> str:
    error = dialog.query_one("#dialog-error", Static)
    return str(error.render()) if error.has_class("shown") else ""


async def wait_error(pilot: Pilot[None], dialog: ActionDialog[Any]) -> str:
    await wait_until(pilot, lambda: bool(error_of(dialog)))
    return error_of(dialog)


# -- new revision from the form ---------------------------------------------------------------------


async def test_new_revision_changes_only_the_image_and_rolls_the_service_onto_it(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    latest = latest_revision(emulator, "api")
    before = describe(emulator, f"api:{latest}")
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_revisions(pilot)
        assert screen.current_definition() is not None
        assert screen.current_definition().revision == latest  # type: ignore[union-attr]
        await pilot.press("n")
        form = await wait_dialog(pilot, NewRevisionDialog)
        image = form.query_one("#image-0", Input)
        image.value = "registry.example/api:v9.9.9"
        await pilot.press("ctrl+s")
        review = await wait_dialog(pilot, RegisterRevisionDialog)
        diff = text_of(review.query_one("#diff", Static).render())
        assert '+      "image": "registry.example/api:v9.9.9"' in diff
        assert mutations(emulator) == {}  # nothing sent before the review is confirmed
        await pilot.press("ctrl+s")
        roll = await wait_dialog(pilot, RollServicesDialog)
        assert [s.name for s in roll.services] == ["api"]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, RevisionsScreen))
        await wait_until(pilot, lambda: emulator.log.counts["UpdateService"] == 1)

    assert mutations(emulator) == {"RegisterTaskDefinition": 1, "UpdateService": 1}
    after = describe(emulator, f"api:{latest + 1}")
    assert after["containerDefinitions"][0]["image"] == "registry.example/api:v9.9.9"
    expected = registrable_definition(before)
    expected["containerDefinitions"][0]["image"] = "registry.example/api:v9.9.9"
    assert registrable_definition(after) == expected  # every other field exactly as it was
    service = boto_client(emulator, "ecs").describe_services(cluster="prod", services=["api"])["services"][0]
    assert service["taskDefinition"].endswith(f"task-definition/api:{latest + 1}")


async def test_form_edits_environment_ports_and_sizes_and_keeps_the_rest(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    latest = latest_revision(emulator, "web")
    before = describe(emulator, f"web:{latest}")
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "web")
        await pilot.press("n")
        form = await wait_dialog(pilot, NewRevisionDialog)
        form.query_one("#task-memory", Input).value = "2048"
        form.query_one("#memory-0", Input).value = "1024"
        form.query_one("#ports-0", Input).value = "8080/tcp, 9090/udp"
        env = form.query_one("#env-0", TextArea)
        env.load_text(env.text.replace("LOG_LEVEL=info", "LOG_LEVEL=debug") + "\nNEW_FLAG=a=b")
        await pilot.press("ctrl+s")
        await wait_dialog(pilot, RegisterRevisionDialog)
        await pilot.press("ctrl+s")
        roll = await wait_dialog(pilot, RollServicesDialog)
        await pilot.press("escape")  # registered, but no service rolled
        await wait_until(pilot, lambda: not isinstance(app.screen, RollServicesDialog))
        assert roll.attempts == 0

    assert mutations(emulator) == {"RegisterTaskDefinition": 1}
    after = registrable_definition(describe(emulator, f"web:{latest + 1}"))
    expected = registrable_definition(before)
    expected["memory"] = "2048"
    container = expected["containerDefinitions"][0]
    container["memory"] = 1024
    # The port that was there keeps its mapping (its name too); the new one is plain.
    container["portMappings"] = [container["portMappings"][0], {"containerPort": 9090, "protocol": "udp"}]
    container["environment"] = [
        {"name": e["name"], "value": "debug" if e["name"] == "LOG_LEVEL" else e["value"]}
        for e in container["environment"]
    ] + [{"name": "NEW_FLAG", "value": "a=b"}]
    assert after == expected


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("#image-0", "", "a container needs an image"),
        ("#cpu-0", "lots", "is not a whole number"),
        ("#ports-0", "80/sctp", "is not a port like 8080/tcp"),
        ("#memory-0", "999999", "more than the task's"),
    ],
)
async def test_bad_form_input_is_said_inline_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, field: str, value: str, message: str
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        sent_before = mutations(emulator)
        await pilot.press("n")
        form = await wait_dialog(pilot, NewRevisionDialog)
        form.query_one(field, Input).value = value
        await pilot.press("ctrl+s")
        assert message in await wait_error(pilot, form)
        assert app.screen is form  # still open ...
        assert form.query_one(field, Input).value == value  # ... with what was typed
        assert mutations(emulator) == sent_before == {}


async def test_unchanged_form_registers_nothing(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("n")
        form = await wait_dialog(pilot, NewRevisionDialog)
        await pilot.press("ctrl+s")
        assert "Nothing changed" in await wait_error(pilot, form)
    assert mutations(emulator) == {}


async def test_leaving_the_review_returns_to_the_form_with_the_edits(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("n")
        form = await wait_dialog(pilot, NewRevisionDialog)
        form.query_one("#image-0", Input).value = "registry.example/api:next"
        await pilot.press("ctrl+s")
        await wait_dialog(pilot, RegisterRevisionDialog)
        await pilot.press("escape")
        assert "Not registered" in await wait_error(pilot, form)
        assert app.screen is form
        assert form.query_one("#image-0", Input).value == "registry.example/api:next"
    assert mutations(emulator) == {}


# -- the full JSON -----------------------------------------------------------------------------------


def editor_script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text("import json, sys\npath = sys.argv[1]\n" + body)
    wrapper = tmp_path / "editor.sh"
    wrapper.write_text(f'#!/bin/sh\nexec "{Path(__import__("sys").executable)}" "{script}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return str(wrapper)


async def test_edit_in_editor_registers_what_the_editor_wrote(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = editor_script(
        tmp_path,
        "d = json.load(open(path))\n"
        "d['containerDefinitions'][0]['image'] = 'registry.example/checkout:edited'\n"
        "json.dump(d, open(path, 'w'), indent=2)\n",
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    latest = latest_revision(emulator, "checkout")
    before = describe(emulator, f"checkout:{latest}")
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "checkout")
        await pilot.press("e")
        review = await wait_dialog(pilot, RegisterRevisionDialog)  # valid: straight to the diff
        assert "registry.example/checkout:edited" in text_of(review.query_one("#diff", Static).render())
        await pilot.press("ctrl+s")
        await wait_dialog(pilot, RollServicesDialog)
    assert mutations(emulator) == {"RegisterTaskDefinition": 1}
    expected = registrable_definition(before)
    expected["containerDefinitions"][0]["image"] = "registry.example/checkout:edited"
    assert registrable_definition(describe(emulator, f"checkout:{latest + 1}")) == expected


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("open(path, 'a').write('}')\n", "line "),  # JSON that does not parse: line and column
        (
            "d = json.load(open(path))\nd['containerDefinitions'][0]['image'] = ''\njson.dump(d, open(path, 'w'))\n",
            "a container needs an image",
        ),
        (
            "d = json.load(open(path))\nd['containerDefinitons'] = []\njson.dump(d, open(path, 'w'))\n",
            "unknown field 'containerDefinitons'",
        ),
    ],
)
async def test_bad_json_from_the_editor_is_said_inline_keeps_the_text_and_sends_nothing(
    demo_account: AwsTarget,
    emulator: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: str,
    message: str,
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, edit))
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("e")
        dialog = await wait_dialog(pilot, JsonEditDialog)
        assert message in await wait_error(pilot, dialog)
        written = dialog.query_one("#json", TextArea).text
        assert app.screen is dialog
    assert mutations(emulator) == {}
    assert written != json.dumps(registrable_definition(describe(emulator, "api")), indent=2) + "\n"


async def test_a_failing_editor_falls_back_to_the_editor_inside_the_app(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor_script(tmp_path, "sys.exit(3)\n"))
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("e")
        dialog = await wait_dialog(pilot, JsonEditDialog)
        assert "exited with status 3" in str(dialog.query_one("#json-note", Static).render())
        assert json.loads(dialog.query_one("#json", TextArea).text)["family"] == "api"  # the revision, unedited
    assert mutations(emulator) == {}


async def test_without_an_editor_the_json_is_edited_in_the_app(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    latest = latest_revision(emulator, "api")
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("e")
        dialog = await wait_dialog(pilot, JsonEditDialog)
        area = dialog.query_one("#json", TextArea)
        original = area.text
        assert json.loads(original)["family"] == "api"
        area.load_text(original.replace('"family": "api"', '"family": "api",,'))
        await pilot.press("ctrl+s")
        error = await wait_error(pilot, dialog)
        assert "Not valid JSON" in error
        line = original.splitlines().index('  "family": "api",') + 1
        assert f"line {line}, column" in error  # where it is, and the cursor is put there
        assert area.cursor_location[0] == line - 1
        assert mutations(emulator) == {}
        area.load_text(original.replace('"LOG_LEVEL",\n', '"LOG_LEVEL",\n', 1).replace('"info"', '"warn"', 1))
        await pilot.press("ctrl+s")
        await wait_dialog(pilot, RegisterRevisionDialog)
        await pilot.press("ctrl+s")
        await wait_dialog(pilot, RollServicesDialog)
    assert mutations(emulator) == {"RegisterTaskDefinition": 1}
    env = describe(emulator, f"api:{latest + 1}")["containerDefinitions"][0]["environment"]
    assert {"name": "LOG_LEVEL", "value": "warn"} in env


# -- deregister and delete ---------------------------------------------------------------------------


async def test_deregister_then_delete_from_the_inactive_list(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    latest = latest_revision(emulator, "api")
    app = make_app(demo_account, production=True)  # destructive actions need the label typed
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_revisions(pilot)
        await pilot.press("ctrl+d")
        dialog = await wait_dialog(pilot, ConfirmDialog)
        await pilot.press(*"api:0", "enter")
        assert "exactly" in await wait_error(pilot, dialog)
        assert mutations(emulator) == {}
        dialog.query_one("#confirm-name", Input).value = f"api:{latest}"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: all(d.revision != latest for d in screen.items.values()))
        assert describe(emulator, f"api:{latest}")["status"] == "INACTIVE"

        await pilot.press("S")  # the inactive revisions
        await wait_until(pilot, lambda: screen.status == "INACTIVE" and screen.updated_at is not None)
        assert [d.revision for d in screen.items.values()] == [latest]
        await pilot.press("ctrl+d")
        dialog = await wait_dialog(pilot, ConfirmDialog)
        assert "Delete" in dialog.title_text
        dialog.query_one("#confirm-name", Input).value = f"api:{latest}"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: not screen.items)
    assert mutations(emulator) == {"DeregisterTaskDefinition": 1, "DeleteTaskDefinitions": 1}
    # moto forgets a deleted revision at once (AWS shows DELETE_IN_PROGRESS for a while): it is in no listing.
    ecs = boto_client(emulator, "ecs")
    listed = ecs.list_task_definitions(familyPrefix="api", status="INACTIVE")["taskDefinitionArns"]
    listed += ecs.list_task_definitions(familyPrefix="api", status="ACTIVE")["taskDefinitionArns"]
    assert not any(arn.endswith(f"/api:{latest}") for arn in listed)


async def test_deregister_from_the_revision_pane(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "search")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TaskDefinitionScreen) and app.screen.data is not None)
        pane = app.screen
        await pilot.press("ctrl+d")
        await wait_dialog(pilot, ConfirmDialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is pane and "INACTIVE" in text_of(pane.body))  # type: ignore[attr-defined]
    assert mutations(emulator) == {"DeregisterTaskDefinition": 1}


# -- run task ----------------------------------------------------------------------------------------


async def test_run_task_defaults_to_a_service_network_and_starts_the_tasks(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    ecs = boto_client(emulator, "ecs")
    service = ecs.describe_services(cluster="prod", services=["checkout"])["services"][0]
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "checkout")
        await pilot.press("R")
        dialog = await wait_dialog(pilot, RunTaskDialog)
        assert dialog.query_one("#cluster", Select).value == "prod"
        assert dialog.query_one("#subnets", Input).value == ", ".join(network["subnets"])
        assert dialog.query_one("#security-groups", Input).value == ", ".join(network["securityGroups"])
        assert dialog.query_one("#public-ip", Checkbox).value is False
        dialog.query_one("#count", Input).value = "3"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, RevisionsScreen))
    assert mutations(emulator) == {"RunTask": 1}
    (call,) = emulator.log.calls("RunTask")
    assert call["count"] == 3
    assert call["startedBy"] == "ecstui"
    assert call["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == network["subnets"]
    assert call["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == network["securityGroups"]
    tasks = ecs.list_tasks(cluster="prod", startedBy="ecstui")["taskArns"]
    assert len(tasks) == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("#count", "0", "at least 1"),
        ("#count", "two", "not a whole number"),
        ("#count", "1.5", "not a whole number"),
        ("#subnets", "", "awsvpc"),
        ("#security-groups", "default", "not a security group id"),
    ],
)
async def test_bad_run_task_input_is_said_inline_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, field: str, value: str, message: str
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot)
        await pilot.press("R")
        dialog = await wait_dialog(pilot, RunTaskDialog)
        dialog.query_one(field, Input).value = value
        await pilot.press("ctrl+s")
        assert message in await wait_error(pilot, dialog)
        assert dialog.query_one(field, Input).value == value
    assert mutations(emulator) == {}


# -- read-only --------------------------------------------------------------------------------------


async def test_read_only_session_opens_nothing_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "false")
    app = make_app(dataclasses.replace(demo_account, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_revisions(pilot)
        for key in ("n", "e", "R", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause(0.2)
            assert app.screen is screen, key
        notes = [n.message for n in app._notifications]
        assert sum("Read-only session" in n for n in notes) == 4
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TaskDefinitionScreen) and app.screen.data is not None)
        pane = app.screen
        for key in ("n", "e", "R", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause(0.2)
            assert app.screen is pane, key
    assert mutations(emulator) == {}


# -- palette and pure helpers -----------------------------------------------------------------------


async def test_palette_offers_the_actions_of_the_selected_revision(demo_account: AwsTarget) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_revisions(pilot)
        label = screen.current_definition().label  # type: ignore[union-attr]
        titles = [title for title, _help, _callback in screen.palette_commands()]
        assert titles == [
            f"New revision from {label}",
            f"Edit the JSON of {label}",
            f"Run tasks of {label}",
            f"Copy {label} into a new family",
            f"Deregister {label}",
        ]
        # Through the app's own palette, which reads each command's .title and .help.
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"New revision")
        options = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count > 0)
        assert f"New revision from {label}" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_dialog(pilot, NewRevisionDialog)


def test_environment_and_ports_parse_what_the_form_shows() -> None:
    assert parse_environment("A=1\n\nB=x=y\n", "c") == [("A", "1"), ("B", "x=y")]
    assert "not KEY=VALUE" in str(parse_environment("A", "c"))
    assert "set twice" in str(parse_environment("A=1\nA=2", "c"))
    mappings = [{"containerPort": 8080, "protocol": "tcp"}, {"containerPortRange": "9000-9010", "protocol": "udp"}]
    assert ports_text(mappings) == "8080/tcp, 9000-9010/udp"
    assert parse_ports(ports_text(mappings), "c") == [(8080, None, "tcp"), (9000, 9010, "udp")]
    assert parse_ports("9090", "c") == [(9090, None, "tcp")]
    assert "at most 65,535" in str(parse_ports("70000", "c"))
