"""Service and task actions from their rows: what reaches AWS, what bad input sends (nothing), read-only."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static

from ecstui.aws.audit import AuditLog
from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ActionDialog
from ecstui.ui.dialogs.service import DeleteServiceDialog, ScaleDialog, UpdateServiceDialog
from ecstui.ui.dialogs.task import StopTaskDialog
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.tasks import TasksScreen
from tests.conftest import boto_client
from tests.ui.conftest import make_app, wait_loaded, wait_until

MUTATING = ("UpdateService", "DeleteService", "StopTask", "RunTask", "RegisterTaskDefinition", "CreateService")


def sent(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in MUTATING if emulator.log.counts[op]}


def describe(emulator: EmulatorServer, name: str, cluster: str = "prod") -> dict[str, Any]:
    service: dict[str, Any] = boto_client(emulator, "ecs").describe_services(cluster=cluster, services=[name])[
        "services"
    ][0]
    return service


def dialog_error(app: EcsApp) -> str:
    return str(app.screen.query_one("#dialog-error", Static).render())


async def open_services(pilot: Any, app: EcsApp, name: str) -> ServicesScreen:
    await wait_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, ServicesScreen)
    assert screen.table.select_key(next(k for k, s in screen.items.items() if s.name == name))
    return screen


@pytest.fixture
def audit_path(tmp_path: Any) -> str:
    return str(tmp_path / "audit.jsonl")


async def test_s_scales_the_service_once_and_audits_it(
    demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str
) -> None:
    app = make_app(demo_account, cluster="prod", audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_services(pilot, app, "web")
        await pilot.press("s")
        assert isinstance(app.screen, ScaleDialog)
        box = app.screen.query_one("#desired", Input)
        assert box.value == "10"
        box.value = "12"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ScaleDialog))
    assert describe(emulator, "web")["desiredCount"] == 12
    assert sent(emulator) == {"UpdateService": 1}
    entry = AuditLog(audit_path).entries()[0]
    assert (entry.action, entry.result, entry.before) == ("scale_service", "ok", {"desiredCount": 10})


@pytest.mark.parametrize(
    ("typed", "message"),
    [("twelve", "whole number"), ("-1", "negative"), ("5001", "5,000"), ("2.5", "whole number"), ("", "")],
)
async def test_a_bad_desired_count_is_said_inline_sends_nothing_and_keeps_the_input(
    demo_account: AwsTarget, emulator: EmulatorServer, typed: str, message: str, audit_path: str
) -> None:
    app = make_app(demo_account, cluster="prod", audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_services(pilot, app, "web")
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, ScaleDialog)
        dialog.query_one("#desired", Input).value = typed
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert message.lower() in dialog_error(app).lower()
        assert dialog.query_one("#desired", Input).value == typed
    assert sent(emulator) == {}
    assert describe(emulator, "web")["desiredCount"] == 10


async def test_a_failed_scale_shows_aws_message_and_keeps_the_dialog_and_input(
    demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str
) -> None:
    app = make_app(demo_account, cluster="prod", audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_services(pilot, app, "search")
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, ScaleDialog)
        dialog.query_one("#desired", Input).value = "7"
        # Someone else deletes the service while the dialog is open.
        ecs = boto_client(emulator, "ecs")
        ecs.delete_service(cluster="prod", service="search", force=True)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "shown" in dialog.query_one("#dialog-error").classes)
        assert app.screen is dialog
        assert dialog.query_one("#desired", Input).value == "7"
        assert not dialog.sending
        assert "search" in dialog_error(app).lower() or "not" in dialog_error(app).lower()


async def test_confirming_twice_while_in_flight_sends_one_request(
    demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str
) -> None:
    app = make_app(demo_account, cluster="prod", audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_services(pilot, app, "web")
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        dialog.query_one("#desired", Input).value = "11"
        dialog.action_confirm()
        dialog.action_confirm()
        dialog.action_confirm()
        await wait_until(pilot, lambda: not isinstance(app.screen, ScaleDialog))
    assert sent(emulator) == {"UpdateService": 1}


async def test_r_forces_a_new_deployment(demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str) -> None:
    before = describe(emulator, "checkout")["deployments"]
    app = make_app(demo_account, cluster="prod", audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_services(pilot, app, "checkout")
        await pilot.press("r")
        await pilot.press("enter")  # the confirm button has the focus
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen))
    calls = emulator.log.calls("UpdateService")
    assert len(calls) == 1 and calls[0]["forceNewDeployment"] is True
    after = describe(emulator, "checkout")["deployments"]
    assert {d["id"] for d in after} != {d["id"] for d in before}


async def test_u_rolls_the_service_onto_the_chosen_revision(
    demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str
) -> None:
    running = describe(emulator, "api")["taskDefinition"]
    app = make_app(demo_account, cluster="prod", audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_services(pilot, app, "api")
        await pilot.press("u")
        dialog = app.screen
        assert isinstance(dialog, UpdateServiceDialog)
        options = dialog.query_one("#revisions", OptionList)
        await wait_until(pilot, lambda: options.option_count >= 2)
        await pilot.press("down")  # the revision before the newest
        diff = str(dialog.query_one("#diff", Static).render())
        assert diff
        target = options.get_option_at_index(options.highlighted or 0).id
        assert target != running
        dialog.action_confirm()
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen))
    assert describe(emulator, "api")["taskDefinition"] == target
    assert sent(emulator) == {"UpdateService": 1}


async def test_ctrl_d_scales_to_zero_then_deletes_when_the_name_is_typed(
    demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str
) -> None:
    app = make_app(demo_account, cluster="prod", audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_services(pilot, app, "recommendations")
        await pilot.press("ctrl+d")
        dialog = app.screen
        assert isinstance(dialog, DeleteServiceDialog)
        dialog.query_one("#confirm-name", Input).value = "recommendation"  # one letter short
        dialog.action_confirm()
        await pilot.pause()
        assert "exactly" in dialog_error(app)
        assert sent(emulator) == {}
        dialog.query_one("#confirm-name", Input).value = "recommendations"
        dialog.action_confirm()
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen))
    order = [op for op, _ in emulator.log.bodies if op in ("UpdateService", "DeleteService")]
    assert order == ["UpdateService", "DeleteService"]
    assert emulator.log.calls("UpdateService")[0]["desiredCount"] == 0
    assert describe(emulator, "recommendations")["status"] in ("DRAINING", "INACTIVE")


async def test_x_stops_the_task_with_the_reason_typed(
    demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str
) -> None:
    app = make_app(demo_account, cluster="prod", service="web", audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        victim = screen.table.selected_key
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, StopTaskDialog)
        dialog.query_one("#reason", Input).value = "memory leak, see INC-42"
        dialog.action_confirm()
        await wait_until(pilot, lambda: isinstance(app.screen, TasksScreen))
    calls = emulator.log.calls("StopTask")
    assert len(calls) == 1 and calls[0]["task"] == victim and calls[0]["reason"] == "memory leak, see INC-42"
    task = boto_client(emulator, "ecs").describe_tasks(cluster="prod", tasks=[victim])["tasks"][0]
    assert task["desiredStatus"] == "STOPPED"


async def test_production_profile_needs_the_name_typed_to_restart(
    demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str
) -> None:
    app = make_app(demo_account, cluster="prod", production=True, audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_services(pilot, app, "web")
        await pilot.press("r")
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        dialog.action_confirm()
        await pilot.pause()
        assert "exactly" in dialog_error(app)
        assert sent(emulator) == {}


@pytest.mark.parametrize("key", ["s", "r", "u", "ctrl+d"])
async def test_read_only_service_keys_open_nothing_and_send_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, key: str, audit_path: str
) -> None:
    app = make_app(dataclasses.replace(demo_account, read_only=True), cluster="prod", audit_path=audit_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_services(pilot, app, "web")
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, ServicesScreen)
        assert any("Read-only" in n.message for n in app._notifications)
    assert sent(emulator) == {}


async def test_read_only_x_on_a_task_sends_nothing(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    app = make_app(dataclasses.replace(demo_account, read_only=True), cluster="prod", service="web")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen)
    assert sent(emulator) == {}


async def test_the_palette_offers_the_actions_of_the_selected_service(demo_account: AwsTarget) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await open_services(pilot, app, "web")
        titles = [c.title for c in screen.palette_commands()]
        assert titles[:4] == ["Scale web", "Restart web", "Update web", "Delete web"]
        await pilot.press("ctrl+p")
        await pilot.press(*"Scale web")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ScaleDialog))
