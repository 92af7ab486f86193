"""The log pane at 160x45 and 80x24: a service's running tasks merged by time, and a stopped task's last lines.

Update after an intended change with `pytest tests/snapshots/test_snapshots_logs.py --snapshot-update`, and look.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from tests.snapshots.test_snapshots import SnapCompare, press, select, snap_at
from tests.ui.conftest import make_app, wait_until

PATIENCE = 60.0


async def logs_read(pilot: Pilot[None]) -> None:
    """The pane has read its range and, where it follows, the follow has started."""
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "LogsScreen", PATIENCE)
    screen: Any = pilot.app.screen
    await wait_until(
        pilot, lambda: screen.loaded and (screen.follow_handle is not None or not screen.follows), PATIENCE
    )
    await pilot.pause()


async def stopped_listed(pilot: Pilot[None]) -> None:
    screen: Any = pilot.app.screen
    await pilot.press("S")
    await wait_until(pilot, lambda: screen.desired_status == "STOPPED" and screen.updated_at is not None, PATIENCE)


def test_logs_of_a_service(snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    snap_at(snap_compare, size, app, select("auth"), press("l"), logs_read)


def test_logs_of_a_stopped_task(
    snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget
) -> None:
    app = make_app(shared_demo_account, cluster="batch", service="email-sender")
    snap_at(snap_compare, size, app, stopped_listed, press("l"), logs_read)
