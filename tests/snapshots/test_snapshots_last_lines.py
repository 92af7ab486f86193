"""The task pane of the demo's newest stopped crash-looping task, with its last log lines, at both sizes.

Update after an intended change with `pytest tests/snapshots/test_snapshots_last_lines.py --snapshot-update`, and
look (`python3 /work/wt/svgtext.py <svg>`).
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.snapshots.test_snapshots import SnapCompare, snap_at
from tests.ui.conftest import loaded, make_app, wait_until
from tests.ui.crashed_task import newest_stopped_task


def test_stopped_crash_loop_task_with_its_last_log_lines(
    snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    arn = newest_stopped_task(shared_demo_account, emulator_server)

    async def open_task(pilot: Pilot[None]) -> None:
        app: Any = pilot.app
        app.open_task("batch", arn)
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TaskDetailScreen" and loaded(app))

    snap_at(snap_compare, size, make_app(shared_demo_account), open_task)
