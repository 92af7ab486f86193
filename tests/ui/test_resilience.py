"""Against a struggling AWS: throttled calls, an endpoint that goes down, and mutations that must land once."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Static
from textual.worker import WorkerState

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import SERVICE_UNAVAILABLE, THROTTLING
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.service import ScaleDialog
from ecstui.ui.screens.services import ServicesScreen
from tests.conftest import boto_client
from tests.ui.conftest import make_app, wait_loaded, wait_until

FAST = 0.2  # seconds between refreshes, so several cycles fit in a short test


def services_pane(app: EcsApp) -> ServicesScreen:
    screen = app.screen
    assert isinstance(screen, ServicesScreen)
    return screen


def failed_workers(app: EcsApp) -> list[Any]:
    return [worker for worker in app.workers if worker.state == WorkerState.ERROR]


def banner(screen: ServicesScreen) -> Static:
    return screen.query_one("#pane-error", Static)


async def test_with_a_fifth_of_ecs_calls_throttled_the_pane_keeps_refreshing_without_a_traceback(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod", refresh=FAST)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = services_pane(app)
        assert screen.poller is not None
        emulator.faults.inject("*", THROTTLING, rate=0.2)
        start = screen.poller.fetch_count
        await wait_until(
            pilot,
            lambda: (
                screen.poller is not None
                and screen.poller.fetch_count >= start + 4
                and sum(emulator.faults.log.injected.values()) >= 3
            ),
            90,
        )
        assert app.session.stats.throttled  # the client saw the throttles (and retried them)
        assert failed_workers(app) == []
        assert app._exception is None and app.is_running
        assert len(screen.items) == 9  # prod's services, all still listed
        emulator.faults.clear_injections()


async def test_when_the_endpoint_is_down_the_pane_says_so_and_recovers_by_itself(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod", refresh=FAST)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = services_pane(app)
        assert screen.poller is not None
        # Down for longer than botocore's retries can bridge, so the pane has to say so; brought back up as
        # soon as it has, so the test does not depend on how fast this machine is.
        emulator.faults.take_down(60.0)
        await wait_until(pilot, lambda: "shown" in banner(screen).classes, 30)
        emulator.faults.bring_up()
        message = str(banner(screen).render())
        assert "Showing the last data received" in message
        assert len(screen.items) == 9  # the last data stays on screen
        fetched = screen.poller.fetch_count
        # No key pressed: the poller's own retries bring the pane back once the endpoint answers again.
        await wait_until(pilot, lambda: screen.poller is not None and screen.poller.fetch_count > fetched, 60)
        await wait_until(pilot, lambda: "shown" not in banner(screen).classes, 10)
        assert screen.last_error is None
        assert failed_workers(app) == []
        assert app._exception is None and app.is_running


async def scale_web_to(pilot: Any, app: EcsApp, count: str) -> None:
    await wait_loaded(pilot)
    screen = services_pane(app)
    assert screen.table.select_key(next(k for k, s in screen.items.items() if s.name == "web"))
    await pilot.press("s")
    dialog = app.screen
    assert isinstance(dialog, ScaleDialog)
    dialog.query_one("#desired", Input).value = count
    await pilot.press("enter")


async def test_a_scale_answered_with_a_5xx_then_retried_reaches_ecs_exactly_once(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod", refresh=FAST)
    async with app.run_test(size=(140, 36)) as pilot:
        emulator.faults.inject("UpdateService", SERVICE_UNAVAILABLE, count=1)
        await scale_web_to(pilot, app, "12")
        dialog = app.screen
        # Either botocore retried the refused request, or the dialog shows the error and keeps the input;
        # a second press is what an operator does then, and may send it once more.
        await wait_until(
            pilot,
            lambda: not isinstance(app.screen, ScaleDialog) or "shown" in dialog.query_one("#dialog-error").classes,
            30,
        )
        if isinstance(app.screen, ScaleDialog):
            await pilot.press("enter")
            await wait_until(pilot, lambda: not isinstance(app.screen, ScaleDialog), 30)
        assert failed_workers(app) == []
    assert emulator.faults.log.injected["UpdateService"] == 1
    assert emulator.log.counts["UpdateService"] == 1
    ecs = boto_client(emulator, "ecs")
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["desiredCount"] == 12


async def test_a_throttled_scale_is_retried_and_takes_effect_once(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod", refresh=FAST)
    async with app.run_test(size=(140, 36)) as pilot:
        emulator.faults.inject("UpdateService", THROTTLING, count=2)
        await scale_web_to(pilot, app, "7")
        await wait_until(pilot, lambda: not isinstance(app.screen, ScaleDialog), 30)
        assert failed_workers(app) == []
    assert emulator.log.counts["UpdateService"] == 1  # reached ECS once
    assert emulator.faults.log.injected["UpdateService"] == 2  # after two throttled attempts
    ecs = boto_client(emulator, "ecs")
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["desiredCount"] == 7
