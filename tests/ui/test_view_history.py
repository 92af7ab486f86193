"""Esc after every kind of jump goes back to where the jump was made; `[` and `]` walk back and forward."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.ui import view_history
from ecstui.ui.app import _JUMP_SCREENS, EcsApp
from ecstui.ui.screens.tasks import TasksScreen
from ecstui.ui.screens.triage import TriageScreen
from tests.ui.broken import broken_account
from tests.ui.conftest import make_app, wait_loaded, wait_until

__all__ = ["broken_account"]

# From a service's tasks (two views above the root), every other kind: `:tasks` there is where it already is.
KINDS = sorted(set(_JUMP_SCREENS) - {"tasks"})


async def jump(pilot: Pilot[None], app: EcsApp, kind: str) -> None:
    await pilot.press("colon", *kind, "enter")
    await wait_until(pilot, lambda: type(app.screen) is _JUMP_SCREENS[kind])


async def lands_on(pilot: Pilot[None], app: EcsApp, key: str, screen: object) -> None:
    await pilot.press(key)
    await wait_until(pilot, lambda: app.screen is screen)


async def test_esc_after_every_jump_goes_back_where_it_was_made(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod", service="web")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        origin = app.screen
        assert isinstance(origin, TasksScreen)
        for kind in KINDS:
            await jump(pilot, app, kind)
            await lands_on(pilot, app, "escape", origin)
        # The palette's jumps and `!` are jumps too.
        app.jump("targets")
        await pilot.pause()
        await lands_on(pilot, app, "escape", origin)
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, TriageScreen)
        await lands_on(pilot, app, "escape", origin)


async def test_esc_from_a_problem_opened_in_the_triage_goes_back_to_it(broken_account: AwsTarget) -> None:
    app = make_app(broken_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        origin = app.screen
        await jump(pilot, app, "triage")
        triage = app.screen
        assert isinstance(triage, TriageScreen)
        await wait_until(pilot, lambda: triage.table.row_count > 0)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is not triage)
        await lands_on(pilot, app, "escape", triage)
        await lands_on(pilot, app, "escape", origin)


async def test_brackets_walk_back_and_forward_through_the_same_views(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        services = app.screen
        await jump(pilot, app, "targets")
        targets = app.screen
        await jump(pilot, app, "stats")
        stats = app.screen
        await lands_on(pilot, app, "left_square_bracket", targets)
        await lands_on(pilot, app, "left_square_bracket", services)
        await lands_on(pilot, app, "left_square_bracket", services)  # at the root: stays
        await lands_on(pilot, app, "right_square_bracket", targets)
        await lands_on(pilot, app, "right_square_bracket", stats)
        await lands_on(pilot, app, "right_square_bracket", stats)  # nothing ahead
        # A jump after going back forgets what lay ahead.
        await lands_on(pilot, app, "left_square_bracket", targets)
        await jump(pilot, app, "audit")
        audit = app.screen
        await lands_on(pilot, app, "right_square_bracket", audit)
        assert app.history.forward_count == 0


async def test_history_keeps_at_most_its_limits(
    shared_demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limits as configured, then smaller ones (the same code path, a third of the jumps).
    assert (view_history.MAX_BACK, view_history.MAX_FORWARD) == (20, 10)
    monkeypatch.setattr(view_history, "MAX_BACK", 6)
    monkeypatch.setattr(view_history, "MAX_FORWARD", 3)
    MAX_BACK, MAX_FORWARD = view_history.MAX_BACK, view_history.MAX_FORWARD
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        for index in range(MAX_BACK + 3):
            await jump(pilot, app, "stats" if index % 2 else "audit")
        assert app.history.back_count == MAX_BACK + 1  # the views under the current one, and it
        for _ in range(MAX_BACK + 3):
            await pilot.press("left_square_bracket")
        assert app.history.forward_count == MAX_FORWARD
