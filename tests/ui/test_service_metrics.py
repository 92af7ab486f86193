"""CPU and memory in the panes: the services pane asks CloudWatch for the rows on screen only, batched, at most once
a minute by the app's clock; an AccessDenied degrades only those columns; the service view's charts and their range
key; the task pane's Container Insights figures, or how to turn Container Insights on."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import ACCESS_DENIED
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.screens.service_detail import ServiceDetailScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.task_detail import TaskDetailScreen
from tests.aws.test_actions import make_cluster
from tests.aws.test_metrics import put_cpu
from tests.conftest import boto_client
from tests.demo_account import FIXED_NOW
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until


def asked_services(emulator: EmulatorServer) -> list[list[str]]:
    """The services each GetMetricData asked about (by its ServiceName dimensions)."""
    return [
        sorted({q["MetricStat"]["Metric"]["Dimensions"][1]["Value"] for q in call["MetricDataQueries"]})
        for call in emulator.log.calls("GetMetricData")
    ]


def cell(screen: ServicesScreen, name: str, column: int) -> str:
    key = next(key for key, item in screen.items.items() if item.name == name)
    value: Any = screen.table.get_row(key)[column]
    return str(getattr(value, "plain", value))


CPU, MEM = 4, 5  # the services pane's CPU and Mem columns


async def test_only_the_rows_on_screen_are_asked_in_one_call_a_minute(emulator: EmulatorServer) -> None:
    names = [f"svc-{i:03d}" for i in range(600)]
    make_cluster(boto_client(emulator, "ecs"), "big", dict.fromkeys(names, 0))
    put_cpu(emulator, "big", "svc-002", [30.0, 35.0, 41.0])
    clock = [FIXED_NOW]
    target = AwsTarget(region="us-east-1", endpoint_url=emulator.endpoint_url)
    app = make_app(target, cluster="big", clock=lambda: clock[0])
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        await wait_until(pilot, lambda: bool(screen.utilisation) and not screen.placeholder_keys, limit=60)
        visible = [screen.items[key].name for key in screen.table.visible_keys() if key in screen.items]
        calls = asked_services(emulator)
        assert len(calls) == math.ceil(len(visible) * 2 / 500) == 1
        assert calls[0] == sorted(visible), "asked for rows that are not on screen"
        assert len(visible) < 50
        assert cell(screen, "svc-002", CPU).split()[0] == "41%"
        assert cell(screen, "svc-003", CPU) == "—", "a service without datapoints shows no data, not 0"

        # The next refresh within the minute asks nothing.
        screen.action_refresh_now()
        await wait_until(pilot, lambda: screen.poller is not None and screen.poller.fetch_count >= 2, limit=30)
        assert len(emulator.log.calls("GetMetricData")) == 1
        # A page down asks for the rows it brings into view, and only those, without waiting for a refresh.
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: len(emulator.log.calls("GetMetricData")) == 2, limit=30)
        in_view = [screen.items[key].name for key in screen.table.visible_keys() if key in screen.items]
        assert asked_services(emulator)[1] == sorted(set(in_view) - set(visible))
        # A minute later (the app's clock), the rows on screen again, in one call.
        clock[0] = FIXED_NOW + timedelta(seconds=61)
        screen.action_refresh_now()
        await wait_until(pilot, lambda: len(emulator.log.calls("GetMetricData")) == 3, limit=30)
        assert asked_services(emulator)[2] == sorted(in_view)
        # Rows keep their places: the listing's order, sorted by name.
        names_in_order = [screen.items[key].name for key in screen.table.keys_in_order()]
        assert names_in_order == sorted(names_in_order)


async def test_a_filters_matches_are_asked_when_the_typing_pauses(emulator: EmulatorServer) -> None:
    make_cluster(boto_client(emulator, "ecs"), "mid", {f"svc-{i:03d}": 0 for i in range(100)})
    app = make_app(AwsTarget(region="us-east-1", endpoint_url=emulator.endpoint_url), cluster="mid")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        await wait_until(pilot, lambda: len(emulator.log.calls("GetMetricData")) == 1)
        assert "svc-095" not in asked_services(emulator)[0]
        await pilot.press("slash", *"svc-09")
        await wait_until(pilot, lambda: len(emulator.log.calls("GetMetricData")) == 2)
        assert asked_services(emulator)[1] == [f"svc-09{i}" for i in range(10)]
        assert screen.table.scroll_y == 0  # asked for the filter, not for a scroll


async def test_access_denied_to_cloudwatch_degrades_only_the_cpu_and_memory_columns(
    emulator_server: EmulatorServer, shared_demo_account: AwsTarget
) -> None:
    emulator_server.faults.inject("GetMetricData", ACCESS_DENIED, rate=1.0, service="monitoring")
    try:
        app = make_app(shared_demo_account, cluster="prod")
        async with app.run_test(size=(160, 45)) as pilot:
            await wait_loaded(pilot)
            screen = app.screen
            assert isinstance(screen, ServicesScreen)
            await wait_until(pilot, lambda: screen.metrics_error is not None)
            note = screen.query_one("#metrics-note")
            assert note.display and "cloudwatch:GetMetricData" in note._line.plain  # type: ignore[attr-defined]
            assert screen.last_error is None and "shown" not in screen.query_one("#pane-error").classes
            assert len(screen.items) == 9
            assert cell(screen, "web", 0) == "web" and cell(screen, "web", 2) == "10/10"
            assert cell(screen, "web", CPU) == "?" and cell(screen, "web", MEM) == "?"
            # Tried again in a minute, not at every refresh.
            denied = emulator_server.faults.log.injected["GetMetricData"]
            screen.action_refresh_now()
            await wait_until(pilot, lambda: screen.poller is not None and screen.poller.fetch_count >= 2)
            assert emulator_server.faults.log.injected["GetMetricData"] == denied
    finally:
        emulator_server.faults.clear_injections()


async def test_the_service_view_charts_switch_range_and_draw_the_scaling_target(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        app.open_service("prod", "api")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceDetailScreen) and app.screen.view is not None)
        screen = app.screen
        assert isinstance(screen, ServiceDetailScreen)
        body = text_of(screen.body)
        assert "Metrics, last 1 h" in body and "CPU utilisation" in body and "target 75%" in body
        assert "Running tasks" in body  # prod has Container Insights on
        await pilot.press("m")
        await wait_until(pilot, lambda: screen.view is not None and screen.view.chart_hours == 6)
        assert screen.view is not None and screen.view.charts is not None
        assert screen.view.charts.period == 300
        assert "Metrics, last 6 h" in text_of(screen.body)
        assert screen.query_one("#detail-scroll").scroll_y > 0, "the charts were not scrolled into view"


async def test_the_task_pane_says_container_insights_is_off_or_shows_the_tasks_use(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    ecs = boto_client(emulator_server, "ecs")
    off = ecs.list_tasks(cluster="batch", serviceName="worker", desiredStatus="RUNNING")["taskArns"][0]
    enhanced = ecs.list_tasks(cluster="staging", serviceName="api", desiredStatus="RUNNING")["taskArns"][0]
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        app.open_task("batch", off)
        await wait_until(pilot, lambda: isinstance(app.screen, TaskDetailScreen) and app.screen.data is not None)
        body = " ".join(text_of(app.screen.body).split())  # type: ignore[attr-defined]
        assert "Container Insights is off for this cluster" in body
        assert "update-cluster-settings --cluster batch" in body
        app.pop_screen()
        app.open_task("staging", enhanced)
        await wait_until(pilot, lambda: isinstance(app.screen, TaskDetailScreen) and app.screen.data is not None)
        body = text_of(app.screen.body)  # type: ignore[attr-defined]
        assert "CPU " in body and " of 256 units" in body and " of 512 MiB" in body
        assert "average task of its family" not in body  # staging has enhanced observability: the task's own
