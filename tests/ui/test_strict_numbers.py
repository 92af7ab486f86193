"""Every numeric field of every dialog takes ASCII digits in ECS's range; anything else is one sentence, nothing sent.

Each test opens one dialog and types every hostile number into one of its fields in turn: a paste of 5,000 digits
(which once ended the app on Python's int-string limit), separators Python's int() accepts ('3_0') or that would
join digits ('3,5'), digits of other scripts (fullwidth, Arabic-Indic), signs, exponents, hex, spaces. After each,
the dialog is still open with the text kept and a sentence in its error line; at the end nothing reached the
emulator.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ActionDialog
from ecstui.ui.dialogs.create_service import CreateServiceDialog
from ecstui.ui.dialogs.run_task import RunTaskDialog
from ecstui.ui.dialogs.service import ScaleDialog, UpdateServiceDialog
from ecstui.ui.dialogs.task_definition import NewRevisionDialog
from ecstui.ui.dialogs.task_definition_json import JsonEditDialog
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.task_definitions import RevisionsScreen
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

MUTATING = ("UpdateService", "CreateService", "RunTask", "RegisterTaskDefinition", "DeleteService", "StopTask")
SIZE = (140, 40)

HUGE = "5" * 5000
# Refused in every numeric field, required or optional.
ALWAYS_BAD = [HUGE, "3_0", "\uff13", "\u0663", "+3", "-1", "1e3", "0x10", "3 0", "\u30003", "3.0"]
# Refused where a number is required; where it is optional, empty means "not set" (a real edit).
EMPTY = ["", "   "]


def mutations(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in MUTATING if emulator.log.counts[op]}


def error_of(dialog: ActionDialog[Any]) -> str:
    error = dialog.query_one("#dialog-error", Static)
    return text_of(error.render()).strip() if error.has_class("shown") else ""


async def refuses_each(pilot: Pilot[None], dialog: ActionDialog[Any], selector: str, inputs: list[str]) -> None:
    """Type each input into `selector`, confirm, and see one sentence with the dialog and the text kept."""
    for typed in inputs:
        dialog.clear_error()
        box = dialog.query_one(selector, Input)
        box.value = typed
        dialog.action_confirm()
        await pilot.pause()
        message = error_of(dialog)
        assert pilot.app.screen is dialog, typed[:20]
        assert message.startswith("✗ ") and message.endswith("."), (typed[:20], message)
        assert len(message) < 300, (typed[:20], message)  # a sentence, not the input echoed back
        assert "\n" not in message.strip(), message
        assert box.value == typed
        assert not dialog.sending


async def open_service_dialog(pilot: Pilot[None], key: str, kind: type[Any], service: str = "web") -> Any:
    app = pilot.app
    assert isinstance(app, EcsApp)
    await wait_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, ServicesScreen)
    assert screen.table.select_key(next(k for k, s in screen.items.items() if s.name == service))
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, kind))
    return app.screen


async def test_the_scale_dialog_refuses_every_number_that_is_not_plain_digits_in_range(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_service_dialog(pilot, "s", ScaleDialog)
        await refuses_each(pilot, dialog, "#desired", [*ALWAYS_BAD, *EMPTY, "3,5", "5001", "00000000000003"])
    assert mutations(emulator) == {}


async def test_the_update_service_dialog_refuses_a_desired_count_that_is_not_plain_digits(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_service_dialog(pilot, "u", UpdateServiceDialog)
        await wait_until(pilot, lambda: bool(dialog.revisions))
        # Empty keeps the current count there: not a number to refuse.
        await refuses_each(pilot, dialog, "#desired", [*ALWAYS_BAD, "3,5", "5001"])
    assert mutations(emulator) == {}


async def open_create_service(pilot: Pilot[None]) -> CreateServiceDialog:
    app = pilot.app
    await wait_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, ClustersScreen)
    assert screen.table.select_key(next(k for k, c in screen.items.items() if c.name == "prod"))
    await pilot.pause()
    await pilot.press("n")
    dialog = app.screen
    assert isinstance(dialog, CreateServiceDialog)
    await wait_until(pilot, lambda: isinstance(dialog.query_one("#revision", Select).value, str))
    dialog.query_one("#service-name", Input).value = "orders-v2"
    return dialog


async def test_the_create_service_dialog_refuses_a_desired_count_that_is_not_plain_digits(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_create_service(pilot)
        await refuses_each(pilot, dialog, "#desired", [*ALWAYS_BAD, *EMPTY, "3,5", "5001"])
    assert mutations(emulator) == {}


async def test_the_create_service_dialog_refuses_a_target_group_port_that_is_not_plain_digits_in_range(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_create_service(pilot)
        dialog.query_one("#desired", Input).value = "1"
        dialog.query_one("#lb-mode", Select).value = "new"  # a new ALB and target group: their ports are typed
        await pilot.pause()
        bad = [typed for typed in ALWAYS_BAD if typed != HUGE]
        await refuses_each(pilot, dialog, "#lb-tg-port", [*bad, *EMPTY, "3,5", "0", "65536"])
        # A 5,000-digit paste is refused too (its sentence echoes it whole, so it is checked apart).
        dialog.clear_error()
        dialog.query_one("#lb-tg-port", Input).value = HUGE
        dialog.action_confirm()
        await pilot.pause()
        assert error_of(dialog).startswith("✗ The target group port must be a number from 1 to 65535")
    assert mutations(emulator) == {}


async def open_revision_dialog(pilot: Pilot[None], key: str, kind: type[Any], family: str = "api") -> Any:
    app = pilot.app
    assert isinstance(app, EcsApp)
    await wait_loaded(pilot)
    app.open_revisions(family)
    await wait_until(pilot, lambda: isinstance(app.screen, RevisionsScreen) and app.screen.updated_at is not None)
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, kind), limit=60)
    return app.screen


async def test_the_run_task_dialog_refuses_a_count_that_is_not_plain_digits_in_range(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_revision_dialog(pilot, "R", RunTaskDialog)
        await refuses_each(pilot, dialog, "#count", [*ALWAYS_BAD, *EMPTY, "3,5", "0", "5001"])
    assert mutations(emulator) == {}


@pytest.mark.parametrize(
    ("selector", "also_bad"),
    [
        ("#task-cpu", ["3,5", "64", "196609", "0.1 vCPU", "193 vCPU", "\uff11 vCPU", "1e3 vCPU"]),
        ("#task-memory", ["3,5", "5", "1e3 GB", "\uff12 GB", "2,5 GB"]),
        ("#cpu-0", ["3,5", "262145"]),
        ("#memory-0", ["3,5", "5"]),
        # In the ports field a comma separates ports: '3,5' is ports 3 and 5.
        ("#ports-0", ["0", "65536", "80-\uff18\uff10", "8080-8080\u0663/tcp"]),
    ],
)
async def test_the_new_revision_form_refuses_every_number_that_is_not_plain_digits_in_range(
    demo_account: AwsTarget, emulator: EmulatorServer, selector: str, also_bad: list[str]
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_revision_dialog(pilot, "n", NewRevisionDialog)
        # An optional field: empty means "not set", so it is not among the inputs refused here.
        await refuses_each(pilot, dialog, selector, [*ALWAYS_BAD, *also_bad])
    assert mutations(emulator) == {}


@pytest.mark.parametrize(
    ("number", "says"),
    [
        (HUGE, "5,000 digits"),  # json.loads raised a ValueError here, which ended the app
        ("1e400", "too large"),
        ("NaN", "not a JSON number"),
        ("3", "at least 6"),
        ("2147483648", "at most 2,147,483,647"),
        ("1e3", "whole number"),
        ("-5", "at least 6"),
    ],
    ids=["5000-digits", "1e400", "NaN", "3", "2**31", "1e3", "-5"],
)
async def test_the_json_editor_refuses_a_container_memory_that_is_not_a_whole_number_in_range(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, number: str, says: str
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_revision_dialog(pilot, "e", JsonEditDialog)
        area = dialog.query_one("#json", TextArea)
        text, replaced = re.subn(r'"memory": [0-9]+', f'"memory": {number}', area.text, count=1)
        assert replaced == 1
        area.load_text(text)
        dialog.action_confirm()
        await pilot.pause()
        message = error_of(dialog)
        assert says in message, message
        assert app.screen is dialog and len(message) < 400
    assert mutations(emulator) == {}


@pytest.mark.parametrize(
    ("field", "number"), [("containerPort", "70000"), ("hostPort", "65536"), ("containerPort", "0")]
)
async def test_the_json_editor_refuses_a_port_out_of_range(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, field: str, number: str
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_revision_dialog(pilot, "e", JsonEditDialog)
        area = dialog.query_one("#json", TextArea)
        definition = json.loads(area.text)
        definition["containerDefinitions"][0]["portMappings"] = [{"containerPort": 8080, field: int(number)}]
        area.load_text(json.dumps(definition, indent=2))
        dialog.action_confirm()
        await pilot.pause()
        assert f"portMappings[0].{field}" in error_of(dialog)
    assert mutations(emulator) == {}
