"""The :autoscaling pane from the keyboard: what each key's dialog sends to AWS, bad input, read-only, the
services pane's min-max."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Static

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ActionDialog
from ecstui.ui.screens.autoscaling import AutoScalingScreen
from ecstui.ui.screens.services import ServicesScreen
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

API = "service/prod/api"
AAS_CHANGES = (
    "RegisterScalableTarget",
    "PutScalingPolicy",
    "DeleteScalingPolicy",
    "PutScheduledAction",
    "DeleteScheduledAction",
    "DeregisterScalableTarget",
)


def sent(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in AAS_CHANGES if emulator.log.counts[op]}


def target(emulator: EmulatorServer, resource: str = API) -> dict[str, Any]:
    aas = boto_client(emulator, "application-autoscaling")
    found: dict[str, Any] = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource])[
        "ScalableTargets"
    ][0]
    return found


def policies(emulator: EmulatorServer, resource: str = API) -> list[dict[str, Any]]:
    aas = boto_client(emulator, "application-autoscaling")
    return list(aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)["ScalingPolicies"])


def dialog_error(app: EcsApp) -> str:
    return str(app.screen.query_one("#dialog-error", Static).render())


async def open_pane(pilot: Any, app: EcsApp) -> AutoScalingScreen:
    await wait_loaded(pilot)
    await pilot.press("colon", *"as", "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, AutoScalingScreen) and app.screen.updated_at is not None)
    screen = app.screen
    assert isinstance(screen, AutoScalingScreen)
    return screen


async def confirm_and_wait(pilot: Any, app: EcsApp) -> None:
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: not isinstance(app.screen, ActionDialog))


async def test_the_pane_lists_scaled_services_with_the_selected_ones_policies_and_schedules(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_pane(pilot, app)
        assert set(screen.items) == {API, "service/prod/checkout"}
        row = screen.items[API]
        assert (row.target.minimum, row.target.maximum, row.desired) == (8, 20, 8)
        detail = text_of(screen.query_one("#scaling-detail-text", Static).render())
        assert "api-cpu-target-tracking" in detail and "business-hours" in detail and "Europe/Paris" in detail
        # The region's targets and policies, then the selected target's schedules and activities: nothing per row.
        counts = emulator.log.counts
        assert counts["DescribeScalableTargets"] == 1 and counts["DescribeScalingPolicies"] == 1
        assert counts["DescribeScalingActivities"] == 1
        first = screen.updated_at
        screen.updated_at = None
        await pilot.press("ctrl+r")  # asks AWS again, past the reader's cache
        await wait_until(pilot, lambda: screen.updated_at is not None)
        assert first is not None and counts["DescribeScalableTargets"] == 2
    assert not emulator.log.violations


async def test_m_sets_min_and_max_and_min_above_max_sends_nothing_and_keeps_the_text(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_pane(pilot, app)
        emulator.log.clear()
        await pilot.press("m")
        minimum = app.screen.query_one("#scaling-min", Input)
        maximum = app.screen.query_one("#scaling-max", Input)
        minimum.value, maximum.value = "30", "25"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "above the maximum" in dialog_error(app)
        assert (minimum.value, maximum.value) == ("30", "25") and sent(emulator) == {}
        minimum.value = "9"
        await confirm_and_wait(pilot, app)
    found = target(emulator)
    assert (found["MinCapacity"], found["MaxCapacity"]) == (9, 25) and sent(emulator) == {"RegisterScalableTarget": 1}


async def test_t_changes_the_target_value_and_keeps_the_rest_of_the_policy(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_pane(pilot, app)
        emulator.log.clear()
        await pilot.press("t")
        box = app.screen.query_one("#scaling-target", Input)
        box.value = "150"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "from 1 to 100" in dialog_error(app) and box.value == "150" and sent(emulator) == {}
        box.value = "40"
        await confirm_and_wait(pilot, app)
    [policy] = policies(emulator)
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 40.0 and config["ScaleOutCooldown"] == 60 and config["ScaleInCooldown"] == 300


async def test_c_adds_a_scheduled_action_after_refusing_a_bad_cron(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_pane(pilot, app)
        emulator.log.clear()
        await pilot.press("c")
        screen = app.screen
        screen.query_one("#scheduled-name", Input).value = "weekend"
        schedule = screen.query_one("#scheduled-schedule", Input)
        schedule.value = "cron(0 2 * * *)"
        screen.query_one("#scheduled-zone", Input).value = "Europe/Berlin"
        screen.query_one("#scheduled-max", Input).value = "10"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "6 fields" in dialog_error(app) and schedule.value == "cron(0 2 * * *)" and sent(emulator) == {}
        schedule.value = "cron(0 2 ? * SAT *)"
        await confirm_and_wait(pilot, app)
    aas = boto_client(emulator, "application-autoscaling")
    actions = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=API)["ScheduledActions"]
    weekend = next(a for a in actions if a["ScheduledActionName"] == "weekend")
    assert weekend["Schedule"] == "cron(0 2 ? * SAT *)" and weekend["Timezone"] == "Europe/Berlin"
    assert weekend["ScalableTargetAction"] == {"MinCapacity": 8, "MaxCapacity": 10}


async def test_p_adds_a_policy_and_shift_p_deletes_one(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_pane(pilot, app)
        await pilot.press("p")
        app.screen.query_one("#policy-metric").value = "memory"  # type: ignore[attr-defined]
        app.screen.query_one("#policy-target", Input).value = "65"
        await confirm_and_wait(pilot, app)
        names = {p["PolicyName"] for p in policies(emulator)}
        assert names == {"api-cpu-target-tracking", "api-memory-target-tracking"}
        await wait_until(pilot, lambda: len(app.screen.items[API].policies) == 2)  # type: ignore[attr-defined]
        await pilot.press("P")
        await confirm_and_wait(pilot, app)
    assert [p["PolicyName"] for p in policies(emulator)] == ["api-memory-target-tracking"]


async def test_z_suspends_and_resumes_all_scaling(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_pane(pilot, app)
        await pilot.press("z")
        await confirm_and_wait(pilot, app)
        assert all(target(emulator)["SuspendedState"].values())
        await wait_until(pilot, lambda: screen.items[API].target.suspended.any)
        await pilot.press("z")
        await confirm_and_wait(pilot, app)
    assert not any(target(emulator)["SuspendedState"].values())


@pytest.mark.parametrize("key", ["m", "t", "p", "P", "c", "C", "z"])
async def test_read_only_sends_no_scaling_change(key: str, demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    read_only = AwsTarget(region=demo_account.region, endpoint_url=demo_account.endpoint_url, read_only=True)
    app = make_app(read_only)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_pane(pilot, app)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, AutoScalingScreen)  # no dialog: refused with a notice
    assert sent(emulator) == {}


async def test_the_services_pane_shows_min_max_from_one_batched_read_and_a_opens_the_service_scaling(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        await wait_until(pilot, lambda: screen.scaling_ranges == {"api": (8, 20), "checkout": (4, 12)})
        api = next(k for k, s in screen.items.items() if s.name == "api")
        assert "(8–20)" in screen.table.get_row(api)[2].plain  # noqa: RUF001 (the en dash of a range)
        calls = emulator.log.calls("DescribeScalableTargets")
        assert len(calls) == 1 and len(calls[0]["ResourceIds"]) == 9  # the cluster's nine services, one call
        screen.table.select_key(api)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AutoScalingScreen) and app.screen.updated_at is not None)
        pane = app.screen
        assert isinstance(pane, AutoScalingScreen) and pane.table.filter_text == "prod/api"
        assert pane.table.shown_count == 1
