"""Keys pressed at every moment of a launch on a broken account land on the screen that was shown: the triage
never replaces it (its badge only counts), and `triage_at_start` decides before the first pane is drawn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import Hang
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.help import HelpScreen
from ecstui.ui.screens.jump import JumpScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.start_check import StartCheckScreen
from ecstui.ui.screens.triage import TriageScreen
from tests.ui.broken import broken_account
from tests.ui.conftest import make_app, wait_loaded, wait_until

__all__ = ["broken_account"]


@pytest.fixture
def held_triage(emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    """The triage's listing of stopped tasks hangs until the test lets it go (the clusters pane never lists tasks),
    so "while the triage runs" is a moment the test holds, not one it hopes to catch."""
    emulator.faults.inject("ListTasks", Hang(60.0), rate=1.0)
    yield emulator
    emulator.faults.clear_injections()


def let_triage_finish(emulator: EmulatorServer) -> None:
    emulator.faults.clear_injections()  # and releases the held requests


def bar_text(app: EcsApp) -> str:
    from ecstui.ui.widgets.context_bar import ContextBar

    return app.screen.query_one(ContextBar)._line.plain


async def enter_on_the_first_cluster(pilot: Pilot[None], app: EcsApp) -> None:
    clusters = app.screen
    assert isinstance(clusters, ClustersScreen)
    await wait_loaded(pilot)
    first = clusters.table.selected_key
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen))
    assert isinstance(app.screen, ServicesScreen) and first is not None and first.endswith(f"/{app.screen.cluster}")


async def test_keys_at_every_moment_of_a_launch_act_on_the_pane_shown(
    broken_account: AwsTarget, held_triage: EmulatorServer
) -> None:
    app = make_app(broken_account, triage_badge_interval=3600.0)
    async with app.run_test(size=(160, 45)) as pilot:
        # 1. At once, before anything is read: the first frame's pane takes the key (its help opens).
        assert isinstance(app.screen, ClustersScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ClustersScreen)

        # 2. While the triage runs: the badge says so, and enter opens the cluster under the cursor.
        await wait_until(pilot, lambda: app.triage_badge.running and "checking" in bar_text(app))
        await enter_on_the_first_cluster(pilot, app)
        await pilot.press("escape")
        clusters = app.screen
        assert isinstance(clusters, ClustersScreen)

        # 3. The triage ends with problems while the clusters are shown: they stay, the top bar counts them, and
        # the next key is the clusters' (enter opens a cluster, not one of the problems).
        let_triage_finish(held_triage)
        await wait_until(pilot, lambda: app.triage_badge.decided)
        await pilot.pause()
        assert app.screen is clusters
        assert "problems  ! to open" in bar_text(app)
        await enter_on_the_first_cluster(pilot, app)

        # 4. After it: `!` opens the problems, esc comes back to where it was pressed.
        services = app.screen
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, TriageScreen)
        assert app.screen.table.total_count == len(app.triage_badge.report or ())
        await pilot.press("escape")
        assert app.screen is services


async def test_triage_at_start_decides_before_the_first_pane_and_drops_the_keys_sent_meanwhile(
    broken_account: AwsTarget, held_triage: EmulatorServer
) -> None:
    app = make_app(broken_account, triage_at_start=True)
    async with app.run_test(size=(160, 45)) as pilot:
        assert isinstance(app.screen, StartCheckScreen)
        # Keys sent while it checks act on nothing: no jump opens, no row is entered on a pane not drawn yet.
        await pilot.press("colon", "down", "enter", "exclamation_mark", "question_mark")
        assert isinstance(app.screen, StartCheckScreen)
        assert len(app.screen_stack) == 2
        let_triage_finish(held_triage)
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen))
        triage = app.screen
        assert isinstance(triage, TriageScreen) and not isinstance(app.screen, JumpScreen)
        assert len(app.screen_stack) == 2
        await wait_until(pilot, lambda: triage.table.row_count > 0)
        assert triage.table.cursor_row == 0  # the "down" pressed while checking did not move it
        # From now on the triage list is what is shown, and stays: later checks only update the badge.
        await pilot.pause(0.2)
        assert app.screen is triage
