"""Target health where it is needed: `:targets` unhealthy first, the tasks pane's column, the stop-cause line."""

from __future__ import annotations

from ecstui.aws.session import AwsTarget
from ecstui.ui.screens.targets import TargetsScreen
from ecstui.ui.screens.task_detail import TaskDetailScreen
from ecstui.ui.screens.tasks import TasksScreen
from ecstui.ui.traffic import TIMES
from ecstui.ui.widgets.resource_table import plain
from tests.ui.broken import broken_account
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

__all__ = ["broken_account"]


async def test_targets_lists_unhealthy_first_and_enter_opens_the_task(broken_account: AwsTarget) -> None:
    app = make_app(broken_account)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("colon", *"targets", "enter")
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, TargetsScreen)
        table = screen.table
        first = [plain(cell) for cell in table.get_row_at(0)]
        assert first[0] == "prod-payments" and first[4] == "unhealthy"
        assert len(first[5]) == 36  # the task id behind the target's IP
        groups = {plain(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert {"prod-api", "prod-web", "batch-ingest", "staging-web"} <= groups
        assert table.selected_key is not None and table.cursor_row == 0
        await pilot.press("enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        assert app.screen.task_arn.endswith(first[5])
        assert "Target.FailedHealthChecks" in text_of(app.screen.body)


async def test_the_tasks_of_a_service_behind_a_load_balancer_show_target_health(broken_account: AwsTarget) -> None:
    app = make_app(broken_account, cluster="prod", service="payments")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        await wait_until(pilot, lambda: any(c.key == "targets" for c in screen.columns) and screen.table.row_count > 0)
        index = [c.key for c in screen.columns].index("targets")
        states = [plain(screen.table.get_row_at(i)[index]) for i in range(screen.table.row_count)]
        assert "unhealthy" in states and "healthy" in states


async def test_tasks_without_a_load_balancer_have_no_target_health_column(broken_account: AwsTarget) -> None:
    app = make_app(broken_account, cluster="prod", service="notifications")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        assert all(c.key != "targets" for c in screen.columns)


async def test_stopped_tasks_say_why_they_stopped_grouped_by_cause(broken_account: AwsTarget) -> None:
    app = make_app(broken_account, cluster="batch", service="email-sender")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        await pilot.press("S")
        await wait_until(pilot, lambda: screen.desired_status == "STOPPED" and screen.updated_at is not None)
        line = str(screen.query_one("#stopped-summary").render())
        assert line.startswith(f"Why they stopped: essential container exited {TIMES}")
        assert "exit 1" in line
