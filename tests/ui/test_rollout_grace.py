"""A rollout younger than the grace period with nothing failed reads "deploying" and is no triage problem."""

from __future__ import annotations

from datetime import timedelta

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.triage import TriageScreen
from ecstui.ui.widgets.resource_table import plain
from tests.demo_account import FIXED_NOW
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until


def start_rollout(emulator: EmulatorServer, simulator: Simulator, age: timedelta) -> None:
    """prod/api rolling out for `age`, half its tasks started, nothing failed (as ECS shows a healthy rollout)."""
    with emulator.lock:
        service = simulator.ecs.services["prod:api"]
        primary = service.deployments[0]
        primary.update(rolloutState="IN_PROGRESS", createdAt=FIXED_NOW - age, failedTasks=0)
        primary["runningCount"] = max(0, int(primary.get("desiredCount", 2)) - 1)
        service.events = []


def cell(screen: ServicesScreen, service: str, column: str) -> str:
    index = [c.key for c in screen.columns].index(column)
    row = next(r for r in range(screen.table.row_count) if plain(screen.table.get_row_at(r)[0]) == service)
    return plain(screen.table.get_row_at(row)[index])


async def test_a_healthy_rollout_46s_old_is_deploying_and_triage_lists_it_last_as_info(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    start_rollout(emulator, simulator, timedelta(seconds=46))
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        assert isinstance(app.screen, ServicesScreen)
        assert cell(app.screen, "api", "rollout") == "deploying 46s"
        await pilot.press("colon", *"triage", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.updated_at is not None)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
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
        await wait_loaded(pilot)
        assert isinstance(app.screen, ServicesScreen)
        assert cell(app.screen, "api", "rollout") == "IN_PROGRESS"
        await pilot.press("colon", *"triage", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.updated_at is not None)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        [api] = [p for p in screen.items.values() if p.service == "api"]
        assert api.kind == "deployment stuck" and api.severity_label == "warning"
