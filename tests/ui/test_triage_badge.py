"""The top bar's triage badge: counted in the background, at the background share of the buckets."""

from __future__ import annotations

from typing import Any, cast

from ecstui.aws.session import AwsTarget
from ecstui.ui.app import EcsApp
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.triage_badge import TriageBadge
from ecstui.ui.widgets.context_bar import ContextBar
from tests.ui.broken import broken_account
from tests.ui.conftest import make_app, wait_until

__all__ = ["broken_account"]


def bar_text(app: EcsApp) -> str:
    return app.screen.query_one(ContextBar)._line.plain


def shown_texts(badge: TriageBadge) -> list[str]:
    texts: list[str] = []

    def record() -> None:
        text = badge.text()
        if text is not None and (not texts or texts[-1] != text.plain):
            texts.append(text.plain)

    badge.listeners.append(record)
    return texts


async def test_the_badge_counts_the_problems_and_says_how_far_it_got(broken_account: AwsTarget) -> None:
    app = make_app(broken_account, triage_badge_interval=3600.0)
    texts = shown_texts(app.triage_badge)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(pilot, lambda: app.triage_badge.decided)
        await pilot.pause()
        report = app.triage_badge.report
        assert report is not None and len(report.problems) >= 2
        assert f"⚠ {len(report.problems)} problems  ! to open" in bar_text(app)
        assert isinstance(app.screen, ClustersScreen)
        # Progress first: the clusters counted as they were read, up to all of them.
        assert texts[0] == "checking clusters…"
        assert any(t.startswith("checking 1/") for t in texts)
        assert texts[-1].endswith("! to open")
        # Its calls went through the background share of the buckets.
        states: Any = app.session.limiter._states.values()
        assert sum(state.background_granted for state in states) > 0


async def test_a_quiet_account_reads_no_problems(target: AwsTarget, ecs: Any) -> None:
    ecs.create_cluster(clusterName="quiet")
    app = make_app(target, triage_badge_interval=3600.0)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(pilot, lambda: app.triage_badge.decided)
        await pilot.pause()
        assert "✓ no problems" in bar_text(app)


async def test_the_badge_checks_again_after_its_interval(target: AwsTarget, ecs: Any) -> None:
    ecs.create_cluster(clusterName="quiet")
    app = make_app(target, triage_badge_interval=0.1)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(pilot, lambda: app.triage_badge.checks >= 2)
        assert isinstance(app.screen, ClustersScreen)


async def test_no_badge_when_turned_off(target: AwsTarget, ecs: Any) -> None:
    ecs.create_cluster(clusterName="quiet")
    app = make_app(target)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause(0.2)
        assert app.triage_badge.checks == 0 and not app.triage_badge.running
        assert "problems" not in bar_text(app)


def test_a_costly_check_is_spread_out_to_keep_the_badge_within_its_budget() -> None:
    badge = TriageBadge(cast(Any, None), interval=60.0, calls_per_minute=20.0)
    assert badge.pause_after(5) == 60.0  # a small account: once a minute
    # A region of 2,000 services costs some 250 calls a check: one every 12.5 minutes, 20 calls a minute.
    assert badge.pause_after(250) == 750.0


async def test_the_badge_measures_what_its_check_cost(broken_account: AwsTarget) -> None:
    app = make_app(broken_account, triage_badge_interval=3600.0)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(pilot, lambda: app.triage_badge.last_cost > 0)
        assert app.triage_badge.last_cost == app.session.limiter.background_granted()
