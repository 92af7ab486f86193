"""Triage: every demo fault is listed with its cause, enter lands on the broken thing, and it opens first at start."""

from __future__ import annotations

from typing import Any

from ecstui.aws.session import AwsTarget
from ecstui.aws.triage import Problem
from ecstui.ui.app import EcsApp
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.service_detail import ServiceDetailScreen
from ecstui.ui.screens.task_detail import TaskDetailScreen
from ecstui.ui.screens.triage import TriageScreen
from ecstui.ui.traffic import TIMES
from ecstui.ui.widgets.resource_table import plain
from tests.ui.broken import broken_account
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

__all__ = ["broken_account"]


async def open_triage(pilot: Any, app: EcsApp) -> TriageScreen:
    await wait_loaded(pilot)
    await pilot.press("colon", *"triage", "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.updated_at is not None)
    assert isinstance(app.screen, TriageScreen)
    return app.screen


def problem(screen: TriageScreen, service: str, kind: str) -> tuple[str, Problem]:
    """The service's one row, whose worst problem is `kind`."""
    [(key, found)] = [(k, p) for k, p in screen.items.items() if p.service == service]
    assert found.kind == kind, found
    return key, found


async def enter_on(pilot: Any, app: EcsApp, screen: TriageScreen, service: str, kind: str) -> Problem:
    """Enter on the service's row: the task it points at opens."""
    key, found = problem(screen, service, kind)
    screen.table.select_key(key)
    await pilot.press("enter")
    await wait_loaded(pilot)
    assert isinstance(app.screen, TaskDetailScreen)
    assert app.screen.task_arn == found.resource_arn
    return found


def rows(screen: TriageScreen) -> list[list[str]]:
    table = screen.table
    return [[plain(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_triage_lists_each_demo_fault_with_its_cause(broken_account: AwsTarget) -> None:
    app = make_app(broken_account)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_triage(pilot, app)
        crash = problem(screen, "email-sender", "below desired")[1]
        assert any(fact.startswith("tasks stopping abnormally: ") for fact in crash.facts)
        # ECS says no more than "Essential container in task exited": the crash's own last words say why.
        assert (
            crash.cause.startswith("last log line: Error: Cannot find module 'express'") and "(exit 1)" in crash.cause
        )
        oom = problem(screen, "image-resizer", "tasks stopping abnormally")[1]
        assert oom.cause.startswith("OutOfMemoryError") and "137" in oom.cause
        target = problem(screen, "payments", "unhealthy targets")[1]
        assert "Health checks failed" in target.cause
        stuck = problem(screen, "cart", "deployment stuck")[1]
        assert "CannotPullContainerError" in stuck.cause
        # Worst first: the severities never go back up the list.
        order = {"critical": 0, "error": 1, "warning": 2}
        severities = [order[row[0]] for row in rows(screen)]
        assert severities == sorted(severities)
        assert severities[0] == 0  # email-sender runs nothing: critical


async def test_enter_on_an_unhealthy_target_opens_the_task_behind_it(broken_account: AwsTarget) -> None:
    app = make_app(broken_account)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_triage(pilot, app)
        await enter_on(pilot, app, screen, "payments", "unhealthy targets")
        body = text_of(app.screen.body)
        assert "unhealthy" in body and "Target.FailedHealthChecks" in body
        # Its service's tasks were replaced (ELB stopped the failing ones): the IPs changed, the LB's name did not.
        assert "IPs changed" in body and "replaced tasks" in body
        assert "prod-public-1.us-east-1.elb.amazonaws.com" in body


async def test_enter_on_a_stuck_deployment_opens_the_service(broken_account: AwsTarget) -> None:
    app = make_app(broken_account)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_triage(pilot, app)
        screen.table.select_key(problem(screen, "cart", "deployment stuck")[0])
        await pilot.press("enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, ServiceDetailScreen)
        assert (app.screen.cluster, app.screen.service_name) == ("prod", "cart")
        assert "IN_PROGRESS" in text_of(app.screen.body)


async def test_enter_on_a_crash_loop_opens_one_of_its_stopped_tasks(broken_account: AwsTarget) -> None:
    app = make_app(broken_account)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_triage(pilot, app)
        await enter_on(pilot, app, screen, "image-resizer", "tasks stopping abnormally")
        assert "OutOfMemoryError" in text_of(app.screen.body)


async def test_done_when_from_start_the_cause_reads_in_one_line_and_the_bad_target_is_three_keys_away(
    broken_account: AwsTarget,
) -> None:
    app = make_app(broken_account, triage_at_start=True)
    async with app.run_test(size=(160, 40)) as pilot:
        # From start, with no key pressed: the triage list is on screen, the broken services in it.
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.updated_at is not None)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        shown = rows(screen)
        where = [row[1] for row in shown]
        assert "batch / email-sender" in where and "prod / payments" in where
        # The cause of the crash loop's failing tasks is one line of one row: the crash's last log line, its exit
        # code, how often.
        crash = next(row for row in shown if row[1] == "batch / email-sender" and row[2] == "below desired")
        assert "\n" not in crash[4]
        assert f"last log line: Error: Cannot find module 'express' (exit 1) {TIMES}" in crash[4]
        # The unhealthy target: down to its row, enter, and its task shows the target's state and reason.
        index = next(i for i, row in enumerate(shown) if row[2] == "unhealthy targets")
        keys = ["down"] * index + ["enter"]
        assert len(keys) <= 3
        await pilot.press(*keys)
        await wait_loaded(pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        body = text_of(app.screen.body)
        assert "Load balancer targets" in body
        assert "unhealthy" in body and "Health checks failed" in body


async def test_nothing_broken_means_the_app_starts_on_the_clusters(target: AwsTarget, ecs: Any) -> None:
    ecs.create_cluster(clusterName="quiet")
    app = make_app(target, triage_at_start=True)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: not any(w.group == "triage-at-start" for w in app.workers))
        assert isinstance(app.screen, ClustersScreen)


async def test_an_explicit_cluster_skips_triage_at_start(broken_account: AwsTarget) -> None:
    app = make_app(broken_account, cluster="prod", triage_at_start=True)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await pilot.pause(0.5)
        assert not isinstance(app.screen, TriageScreen)


async def test_enter_on_a_service_below_desired_because_it_crashes_opens_its_newest_crashed_task(
    broken_account: AwsTarget,
) -> None:
    app = make_app(broken_account)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_triage(pilot, app)
        found = await enter_on(pilot, app, screen, "email-sender", "below desired")
        assert found.resource_arn == found.related_arns[0]
        assert "essential container exited" in text_of(app.screen.body)
