"""A big tasks pane's refresh costs what is on screen: one DescribeTasks for the rows in view, the rest swept."""

from __future__ import annotations

from typing import Any

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import Hang
from ecstui.emulator.seed import LARGE_CLUSTER, seed_large
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.tasks import TasksScreen
from tests.conftest import boto_client
from tests.ui.conftest import REGION, make_app, wait_loaded, wait_until
from tests.ui.test_refresh_footprint import refreshed

TASKS = 250  # above the sweep's threshold of 200, small enough to seed in a second (ten a RunTask)


def described_arns(emulator: EmulatorServer) -> list[str]:
    return [arn for call in emulator.log.calls("DescribeTasks") for arn in call["tasks"]]


def watching(emulator: EmulatorServer, **options: Any) -> EcsApp:
    seed_large(emulator.endpoint_url, REGION, services=1, tasks=TASKS)
    target = AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url)
    # A sweep budget of one call a minute and an hour's sweep: within a test, the sweep describes nothing and the
    # listing is not re-read, so every call seen is the refresh's own.
    settings: dict[str, Any] = {"cluster": LARGE_CLUSTER, "sweep_seconds": 3600.0, "sweep_calls_per_minute": 1}
    return make_app(target, **(settings | options))


async def tasks_pane(pilot: Any, count: int = TASKS) -> TasksScreen:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen))
    app.open_tasks(LARGE_CLUSTER, None)
    await wait_until(pilot, lambda: isinstance(app.screen, TasksScreen))
    await wait_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, TasksScreen)
    assert len(screen.items) == count
    return screen


def held_sweep_clock(screen: TasksScreen) -> list[float]:
    """The sweep's clock, from when the listing was read, moved by the test (clock[0])."""
    assert screen.sweep.listed_at is not None
    clock = [screen.sweep.listed_at]
    screen.sweep_clock = lambda: clock[0]  # type: ignore[method-assign]
    return clock


async def test_each_refresh_sends_one_describe_tasks_for_the_rows_on_screen(emulator: EmulatorServer) -> None:
    app = watching(emulator)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await tasks_pane(pilot)
        assert screen.listed_keys is not None  # a big listing: swept
        in_view = screen.table.visible_keys()
        far = list(screen.items)[-1]  # the last row, far off screen
        ecs = boto_client(emulator, "ecs")
        ecs.stop_task(cluster=LARGE_CLUSTER, task=in_view[2], reason="test")
        ecs.stop_task(cluster=LARGE_CLUSTER, task=far, reason="test")
        emulator.log.clear()
        for _ in range(3):
            await refreshed(pilot, screen)
        # Each refresh: the rows in view and their neighbours, in one call of at most 100; no re-list.
        calls = emulator.log.calls("DescribeTasks")
        assert emulator.log.counts["DescribeTasks"] == 3
        assert all(len(call["tasks"]) == 100 for call in calls)  # filled up to a whole call with the rows near
        assert set(in_view) - {in_view[2]} <= set(calls[-1]["tasks"])
        assert far not in described_arns(emulator)
        assert emulator.log.counts["ListTasks"] == 0
        # The stopped task on screen went at the first refresh; the one off screen waits for the listing's re-read.
        assert in_view[2] not in screen.items and in_view[2] not in screen.table.held_cells
        assert far in screen.items
        assert len(screen.items) == TASKS - 1
    assert emulator.log.violations == []


async def test_new_and_stopped_tasks_off_screen_change_once_the_sweep_re_reads_the_listing(
    emulator: EmulatorServer,
) -> None:
    app = watching(emulator, sweep_seconds=60.0, sweep_calls_per_minute=30)  # the defaults
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await tasks_pane(pilot)
        clock = held_sweep_clock(screen)
        loaded_at = clock[0]
        ecs = boto_client(emulator, "ecs")
        far = list(screen.items)[-1]
        service = ecs.describe_services(cluster=LARGE_CLUSTER, services=["svc-0000"])["services"][0]
        ecs.stop_task(cluster=LARGE_CLUSTER, task=far, reason="test")
        started = ecs.run_task(
            cluster=LARGE_CLUSTER,
            taskDefinition=service["taskDefinition"],
            count=3,
            launchType="FARGATE",
            group="service:svc-0000",
            networkConfiguration=service["networkConfiguration"],
        )["tasks"]
        new = {task["taskArn"] for task in started}
        clock[0] = loaded_at + 30
        await refreshed(pilot, screen)
        assert not new & set(screen.items) and far in screen.items  # within the sweep: not re-listed
        emulator.log.clear()
        clock[0] = loaded_at + 61  # a sweep later
        await refreshed(pilot, screen)
        assert new <= set(screen.items) and far not in screen.items
        assert screen.table.total_count == TASKS + 2
        assert emulator.log.counts["ListTasks"] == 3  # 252 tasks, 100 a page
        assert new <= set(described_arns(emulator))
    assert emulator.log.violations == []


async def test_toggling_stopped_lists_the_other_view_anew_and_back(emulator: EmulatorServer) -> None:
    app = watching(emulator)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await tasks_pane(pilot)
        ecs = boto_client(emulator, "ecs")
        stopped = list(screen.items)[-3:]
        for arn in stopped:
            ecs.stop_task(cluster=LARGE_CLUSTER, task=arn, reason="test")
        await pilot.press("S")
        await wait_until(pilot, lambda: screen.desired_status == "STOPPED" and set(screen.items) == set(stopped))
        assert screen.listed_keys is None  # three stopped tasks: a small listing, described whole
        assert set(screen.table.held_cells) == set(stopped)
        emulator.log.clear()
        await pilot.press("S")
        await wait_until(pilot, lambda: screen.desired_status == "RUNNING" and len(screen.items) == TASKS - 3)
        # The running view listed anew (not the listing of before), with a sweep of its own.
        assert emulator.log.counts["ListTasks"] == 3
        assert screen.listed_keys is not None and not set(stopped) & set(screen.listed_keys)
        assert set(screen.sweep.described_at) == set(screen.listed_keys)
    assert emulator.log.violations == []


async def test_toggling_while_a_refresh_is_out_shows_the_other_view_not_the_refresh(emulator: EmulatorServer) -> None:
    app = watching(emulator)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await tasks_pane(pilot)
        stopped = list(screen.items)[-2:]
        ecs = boto_client(emulator, "ecs")
        for arn in stopped:
            ecs.stop_task(cluster=LARGE_CLUSTER, task=arn, reason="test")
        shown: list[tuple[str, set[str]]] = []  # what each refresh put in the table, in which view
        apply = screen._apply

        def recorded(result: object) -> None:
            apply(result)
            shown.append((screen.desired_status, set(screen.items)))

        assert screen.poller is not None
        screen.poller.apply = recorded
        emulator.faults.inject("DescribeTasks", Hang(60.0), count=1)  # the running view's refresh waits
        assert screen.poller is not None
        screen.poller.refresh_now()
        await wait_until(pilot, lambda: emulator.faults.log.injected["DescribeTasks"] == 1)
        await pilot.press("S")
        emulator.faults.release_hangs()
        await wait_until(pilot, lambda: set(screen.items) == set(stopped))
        await refreshed(pilot, screen)  # and it stays so: the stopped view's own listing, not the running one's
        assert screen.desired_status == "STOPPED" and set(screen.items) == set(stopped)
        assert screen.listed_keys is None and set(screen.table.held_cells) == set(stopped)
        # The running view's refresh, answered after the toggle, was never shown in the stopped view.
        assert shown and all(items == set(stopped) for status, items in shown if status == "STOPPED")
    assert emulator.log.violations == []
