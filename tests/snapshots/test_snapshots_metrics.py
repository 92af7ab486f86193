"""The services pane's CPU and Mem columns and the service view's charts, at 160x45 and 80x24.

Update after an intended change with `pytest tests/snapshots/test_snapshots_metrics.py --snapshot-update`, and look.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.ui.screens.service_detail import ServiceDetailScreen
from tests.snapshots.test_snapshots import SnapCompare, press, select, snap_at
from tests.ui.conftest import make_app, wait_until


def charts_over(hours: int) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Wait until the service view shows its charts over `hours`, scrolled to them."""

    async def run(pilot: Pilot[None]) -> None:
        def shown() -> bool:
            screen: Any = pilot.app.screen
            view = screen.view if isinstance(screen, ServiceDetailScreen) else None
            return view is not None and view.chart_hours == hours and view.charts is not None

        await wait_until(pilot, shown, limit=30)
        await wait_until(pilot, lambda: pilot.app.screen.query_one("#detail-scroll").scroll_y > 0, limit=30)

    return run


def test_services_with_cpu_and_memory(
    snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget
) -> None:
    async def read(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: bool(getattr(pilot.app.screen, "utilisation", None)), limit=30)

    snap_at(snap_compare, size, make_app(shared_demo_account, cluster="prod"), read)


def test_service_charts_behind_an_alb(
    snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget
) -> None:
    # payments fails its target health checks: slower answers and many 5xx (at 80x24 a page down shows them).
    app = make_app(shared_demo_account, cluster="prod")
    more = [press("pagedown")] if size == (80, 24) else []
    snap_at(snap_compare, size, app, select("payments"), press("v"), press("m"), charts_over(6), *more)


def test_service_charts_with_the_scaling_target(
    snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget
) -> None:
    # api scales on CPU with a target of 75%: drawn on the CPU chart.
    app = make_app(shared_demo_account, cluster="prod")
    snap_at(snap_compare, size, app, select("api"), press("v"), press("m"), charts_over(6))
