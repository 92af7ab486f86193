"""The schedules pane and dialog from the keyboard, against the demo account: checked by what reached moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.dialogs.cluster import DeleteClusterDialog
from ecstui.ui.dialogs.schedule import ScheduleDialog
from ecstui.ui.screens.schedules import SchedulesScreen
from ecstui.ui.widgets.picker import Picker
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

CHANGES = (
    "CreateSchedule",
    "UpdateSchedule",
    "DeleteSchedule",
    "EnableRule",
    "DisableRule",
    "PutRule",
    "PutTargets",
    "RemoveTargets",
    "DeleteRule",
    "RunTask",
    "CreateRole",
    "AttachRolePolicy",
)


def changes(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in CHANGES if emulator.log.counts[op]}


async def open_pane(pilot: Any) -> SchedulesScreen:
    await wait_loaded(pilot)
    await pilot.press("colon", *"sched", "enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SchedulesScreen))
    await wait_loaded(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SchedulesScreen)
    return screen


async def open_dialog(pilot: Any) -> ScheduleDialog:
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ScheduleDialog))
    dialog = pilot.app.screen
    assert isinstance(dialog, ScheduleDialog)
    await wait_until(pilot, lambda: bool(dialog.query_one("#schedule-role", Picker).choices) or dialog.offer_role)
    return dialog


async def pick(pilot: Any, dialog: ScheduleDialog, picker_id: str, typed: str) -> None:
    dialog.query_one(f"#{picker_id}", Picker).focus()
    await pilot.press(*typed, "enter")


def error_of(dialog: ScheduleDialog) -> str:
    error = dialog.query_one("#dialog-error", Static)
    return text_of(error.render()) if error.has_class("shown") else ""


async def test_the_pane_lists_the_demos_schedule_and_rule_with_their_next_runs(demo_account: AwsTarget) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_pane(pilot)
        rows = {item.schedule.name: screen.table.get_row(key) for key, item in screen.items.items()}
        assert set(rows) == {"nightly-reports", "worker-drain-15m"}
        nightly = [text_of(cell).strip() for cell in rows["nightly-reports"]]
        assert nightly[:5] == [
            "nightly-reports",
            "scheduler",
            "every day at 02:00 UTC",
            "enabled",
            "Fri 2026-11-27 02:00 UTC",
        ]
        rule = [text_of(cell).strip() for cell in rows["worker-drain-15m"]]
        assert rule[1:5] == ["rule", "every 15 minutes", "enabled", "within 15 minutes"]


async def test_a_schedule_is_created_from_the_keyboard_with_the_clusters_network_and_a_new_events_role(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 45)) as pilot:
        await open_pane(pilot)
        dialog = await open_dialog(pilot)
        assert dialog.offer_role  # the demo has no role trusting EventBridge: ecsEventsRole is offered, ticked
        # Keys only: the name, tab past the expression (nightly at 02:00 by default) and the time zone (UTC) to the
        # cluster, pick prod, tab to the task definition, pick api; the network comes from prod's services.
        await pilot.press(*"nightly-api", "tab", "tab", "tab", *"prod", "enter", "tab", *"api", "enter")
        assert dialog.query_one("#schedule-cluster", Picker).selected == (
            "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        )
        assert dialog.query_one("#schedule-taskdef", Picker).selected[0].endswith(":task-definition/api:3")
        await wait_until(pilot, lambda: bool(dialog.query_one("#schedule-subnets", Picker).selected))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen), limit=30)

    assert changes(emulator) == {"CreateRole": 1, "AttachRolePolicy": 1, "CreateSchedule": 1}
    schedule = boto_client(emulator, "scheduler").get_schedule(Name="nightly-api")
    assert schedule["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert schedule["Target"]["RoleArn"].endswith(":role/ecsEventsRole")
    network = schedule["Target"]["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"]
    prod_api = boto_client(emulator, "ecs").describe_services(cluster="prod", services=["api"])["services"][0]
    assert network["Subnets"] == prod_api["networkConfiguration"]["awsvpcConfiguration"]["subnets"]


async def test_a_bad_cron_is_said_as_typed_sends_nothing_and_keeps_the_text(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_pane(pilot)
        dialog = await open_dialog(pilot)
        await pilot.press(*"bad-hours")
        await pick(pilot, dialog, "schedule-cluster", "batch")
        await pick(pilot, dialog, "schedule-taskdef", "reports")
        box = dialog.query_one("#schedule-expression", Input)
        box.focus()
        box.value = ""
        await pilot.press(*"cron(0 25 * * ? *)")
        readback = text_of(dialog.query_one("#schedule-readback", Static).render())
        assert "Hours field '25': 25 is outside 0-23." in readback
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Hours field '25'" in error_of(dialog)
        assert isinstance(app.screen, ScheduleDialog)
        assert box.value == "cron(0 25 * * ? *)"
        assert dialog.query_one("#schedule-name", Input).value == "bad-hours"
    assert changes(emulator) == {}


async def test_the_rule_is_disabled_and_run_now_from_the_pane(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_pane(pilot)
        key = next(k for k, item in screen.items.items() if item.schedule.name == "worker-drain-15m")
        assert screen.table.select_key(key)
        await pilot.press("t")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
        await pilot.press("R")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
    assert changes(emulator) == {"DisableRule": 1, "RunTask": 1}
    assert boto_client(emulator, "events").describe_rule(Name="worker-drain-15m")["State"] == "DISABLED"
    assert emulator.log.calls("RunTask")[0]["startedBy"] == "events-rule/worker-drain-15m"


async def test_read_only_sends_nothing_for_any_schedule_action(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    read_only = AwsTarget(region=demo_account.region, endpoint_url=demo_account.endpoint_url, read_only=True)
    app = make_app(read_only)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_pane(pilot)
        for key in ("n", "e", "t", "R", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, SchedulesScreen), key
        assert sum("Read-only session" in n.message for n in app._notifications) == 5
    assert changes(emulator) == {}


async def test_the_cluster_teardown_names_the_schedules_that_target_it(demo_account: AwsTarget) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        screen: Any = app.screen
        assert screen.table.select_key(next(k for k, c in screen.items.items() if c.name == "batch"))
        await pilot.press("ctrl+d")
        dialog = app.screen
        assert isinstance(dialog, DeleteClusterDialog)
        plan = dialog.query_one("#teardown-plan", Static)
        await wait_until(pilot, lambda: "Looking at" not in text_of(plan.render()))
        said = text_of(plan.render())
        assert "2 schedules start tasks in it" in said
        assert "nightly-reports (scheduler, every day at 02:00 UTC)" in said
        assert "worker-drain-15m (rule, every 15 minutes)" in said


async def test_editing_a_schedule_sends_it_whole_with_the_new_expression_and_time_zone(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_pane(pilot)
        key = next(k for k, item in screen.items.items() if item.schedule.name == "nightly-reports")
        assert screen.table.select_key(key)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ScheduleDialog))
        dialog = app.screen
        assert isinstance(dialog, ScheduleDialog)
        await wait_until(pilot, lambda: bool(dialog.query_one("#schedule-taskdef", Picker).selected))
        assert dialog.query_one("#schedule-name", Input).disabled  # a schedule's name is its identity
        for selector, text in (
            ("#schedule-expression", "cron(30 3 ? * MON-FRI *)"),
            ("#schedule-zone", "Europe/Paris"),
        ):
            box = dialog.query_one(selector, Input)
            box.focus()
            box.value = ""
            await pilot.press(*text)
        said = text_of(dialog.query_one("#schedule-readback", Static).render())
        assert "every weekday (Monday to Friday) at 03:30 Europe/Paris; next Fri 2026-11-27 03:30" in said
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen), limit=30)
    assert changes(emulator) == {"UpdateSchedule": 1}
    schedule = boto_client(emulator, "scheduler").get_schedule(Name="nightly-reports")
    assert (schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"]) == (
        "cron(30 3 ? * MON-FRI *)",
        "Europe/Paris",
    )
    assert schedule["Target"]["EcsParameters"]["LaunchType"] == "EC2"
    assert schedule["Description"] == "The reports of the day before, every night"


async def test_a_teardown_goes_on_when_the_schedules_cannot_be_read(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    from ecstui.emulator.faults import ACCESS_DENIED

    emulator.faults.inject("ListSchedules", ACCESS_DENIED, rate=1.0, service="scheduler")
    try:
        app = make_app(demo_account)
        async with app.run_test(size=(160, 45)) as pilot:
            await wait_loaded(pilot)
            screen: Any = app.screen
            assert screen.table.select_key(next(k for k, c in screen.items.items() if c.name == "batch"))
            await pilot.press("ctrl+d")
            dialog = app.screen
            assert isinstance(dialog, DeleteClusterDialog)
            plan = dialog.query_one("#teardown-plan", Static)
            await wait_until(pilot, lambda: "Looking at" not in text_of(plan.render()))
            said = text_of(plan.render())
            assert "delete services" in said  # the plan itself is there
            assert "The schedules that start tasks in it could not be read" in said
            assert not dialog.query_one("#dialog-error", Static).has_class("shown")
    finally:
        emulator.faults.clear_injections()
