"""The `:stats` pane at 160x45 and 80x24: the requests sent, the share of each bucket, the panes' refreshes.

What it shows is this process's own counters, which move with the machine: a request retried on a loaded machine
counts twice (retries are requests AWS counts too). The snapshot is of how the pane lays them out, so the test
puts fixed figures in the session's counters, the limiter's view and the pane's refresh time once the clusters
pane has loaded, as the other snapshots fix the clock; the pane itself, its tables and the status sentence the
limiter writes from those figures, are drawn by the app's own code. Counting is tested in tests/aws.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from ecstui.aws.ratelimit import CategoryStatus
from ecstui.aws.session import AwsTarget, RequestStats
from ecstui.ui.app import EcsApp
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.screens.stats import StatsScreen
from tests.snapshots.test_snapshots import SnapCompare, snap_at
from tests.ui.conftest import make_app, wait_until

SENT = {"DescribeServices": 212, "ListServices": 41, "DescribeTasks": 37, "ListClusters": 2, "GetMetricData": 9}
THROTTLED = {"DescribeServices": 3}
CATEGORIES = [
    CategoryStatus("service read", 0.25, 253, 3, None),  # halved after the throttles: the status line says so
    CategoryStatus("cloudwatch metrics", 0.5, 9, 0, None),
    CategoryStatus("cluster read", 0.5, 39, 0, None),
]


def fixed_figures(monkeypatch: pytest.MonkeyPatch) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, EcsApp)
        for screen in app.screen_stack:
            if isinstance(screen, ListScreen) and screen.poller is not None:
                screen.poller.last_duration = 0.042
        app.session.stats = RequestStats(sent=Counter(SENT), throttled=Counter(THROTTLED))
        monkeypatch.setattr(app.session.limiter, "status", lambda: list(CATEGORIES))
        app.jump("stats")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.updated_at is not None)

    return run


def test_stats(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap_at(snap_compare, size, make_app(demo_account), fixed_figures(monkeypatch))
