"""A rollout younger than the grace period with nothing failed reads "deploying" and is no triage problem."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.app import EcsApp
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.widgets.resource_table import plain
from tests.demo_account import FIXED_NOW
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until
from tests.ui.test_triage import open_triage


def start_rollout(emulator: EmulatorServer, simulator: Simulator, age: timedelta) -> None:
    """prod/api rolling out for `age`, half its tasks started, nothing failed (as ECS shows a healthy rollout)."""
    with emulator.lock:
        service = simulator.ecs.services["prod:api"]
        primary = service.deployments[0]
        primary.update(rolloutState="IN_PROGRESS", createdAt=FIXED_NOW - age, failedTasks=0)
        primary["runningCount"] = max(0, int(primary.get("desiredCount", 2)) - 1)
        service.events = []


async def rollout_cell(pilot: Pilot[None], app: EcsApp) -> str:
    """What prod's services pane shows in api's rollout column."""
    await wait_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, ServicesScreen)
    index = [c.key for c in screen.columns].index("rollout")
    row = next(r for r in range(screen.table.row_count) if plain(screen.table.get_row_at(r)[0]) == "api")
    return plain(screen.table.get_row_at(row)[index])


async def test_a_healthy_rollout_46s_old_is_deploying_and_triage_lists_it_last_as_info(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    start_rollout(emulator, simulator, timedelta(seconds=46))
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        assert await rollout_cell(pilot, app) == "deploying 46s"
        screen = await open_triage(pilot, app)
        severities = [plain(screen.table.get_row_at(r)[0]) for r in range(screen.table.row_count)]
        where = [plain(screen.table.get_row_at(r)[1]) for r in range(screen.table.row_count)]
        assert where[-1] == "prod / api" and severities[-1] == "info"
        assert severities.count("info") == 1 and severities[0] == "critical"  # the demo's broken services first
        # The detail panel of the row under the cursor lists the resource's other symptoms as facts.
        assert screen.selected is not None and screen.selected.facts
        assert "also   " in text_of(screen.query_one("#triage-detail").render())


async def test_past_the_configured_grace_the_same_rollout_is_a_problem(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    start_rollout(emulator, simulator, timedelta(seconds=46))
    app = make_app(demo_account, cluster="prod", rollout_grace=30.0)
    async with app.run_test(size=(160, 45)) as pilot:
        assert await rollout_cell(pilot, app) == "IN_PROGRESS"
        screen = await open_triage(pilot, app)
        [api] = [p for p in screen.items.values() if p.service == "api"]
        assert api.kind == "deployment stuck" and api.severity_label == "warning"


async def test_the_top_bar_does_not_count_a_young_healthy_rollout_as_a_problem(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    start_rollout(emulator, simulator, timedelta(seconds=46))
    app = make_app(demo_account, triage_badge_interval=3600.0)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(pilot, lambda: app.triage_badge.decided)
        report = app.triage_badge.report
        assert report is not None
        info = [p for p in report.problems if p.is_info]
        assert len(info) == 1  # listed, as information
        badge = app.triage_badge.text()
        assert badge is not None
        assert badge.plain == f"⚠ {len(report.problems) - 1} problems  ! to open"
