"""The shell's readiness check (`s` on a task), one with missing pieces and one ready, at 160x45 and 80x24.

Update after an intended change with `pytest tests/snapshots/test_snapshots_exec.py --snapshot-update`, and look.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.ui.app import EcsApp
from tests.snapshots.test_snapshots import SnapCompare, press, snap_at
from tests.ui.conftest import make_app, wait_until


async def _checked(pilot: Pilot[None]) -> None:
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "readiness", None) is not None, limit=30)


def _app(target: AwsTarget, service: str, plugin: str | None) -> EcsApp:
    app = make_app(target, cluster="prod", service=service)
    # What this machine has on PATH is its business: the snapshot shows a Debian-like one, with or without it.
    found = {"apt": "/usr/bin/apt", "session-manager-plugin": plugin}
    app.exec_readiness.which = found.get
    app.exec_readiness.platform = "linux"
    return app


def test_readiness_check_with_missing_pieces(
    snap_compare: SnapCompare, shared_demo_account: AwsTarget, size: Any
) -> None:
    # web: exec off on the service (and so no agent), and no session-manager-plugin on PATH.
    snap_at(snap_compare, size, _app(shared_demo_account, "web", None), press("s"), _checked)


def test_readiness_check_ready(snap_compare: SnapCompare, shared_demo_account: AwsTarget, size: Any) -> None:
    app = _app(shared_demo_account, "api", "/usr/local/bin/session-manager-plugin")
    snap_at(snap_compare, size, app, press("s"), _checked)
