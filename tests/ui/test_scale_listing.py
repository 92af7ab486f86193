"""A cluster of 39 services and a service of 230 tasks: every one shown, no call over AWS's limits."""

from __future__ import annotations

from ecstui.aws.session import AwsTarget
from ecstui.emulator.seed import seed_scale
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.tasks import TasksScreen
from tests.ui.conftest import FIXED_NOW, REGION, make_app, wait_loaded
from tests.ui.test_views import title


async def test_39_services_and_230_tasks_are_all_listed_within_the_api_limits(
    emulator: EmulatorServer, simulator: Simulator
) -> None:
    seed_scale(emulator.endpoint_url, REGION, services=39, tasks_in_one_service=230)
    simulator.warm_start(now=FIXED_NOW)
    emulator.log.clear()
    app = make_app(AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url), cluster="scale-39")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        assert screen.last_error is None
        assert len(screen.items) == 39
        assert "Services [39]" in title(app)
        assert {s.name for s in screen.items.values()} == {f"svc-{i:02d}" for i in range(39)}
        big = next(k for k, s in screen.items.items() if s.name == "svc-00")
        screen.table.select_key(big)
        await pilot.press("enter")
        await wait_loaded(pilot)
        tasks = app.screen
        assert isinstance(tasks, TasksScreen)
        assert tasks.last_error is None
        assert len(tasks.items) == 230
        assert "Tasks [230]" in title(app)
    assert emulator.log.violations == []
    # Lists were paged and describes batched: 39 services need 4 DescribeServices, 230 tasks 3 DescribeTasks.
    # 39 services need 4 DescribeServices; the tasks pane describes its own service once more (its load
    # balancers give the target-health column).
    assert sorted(len(call["services"]) for call in emulator.log.calls("DescribeServices")) == [1, 9, 10, 10, 10]
    assert emulator.log.counts["DescribeTasks"] == 3
    assert emulator.log.counts["ListTasks"] == 3
