"""The triage, targets and service panes, rendered from the demo account while a payments target fails its checks.

Update after an intended change with `pytest tests/snapshots/test_snapshots_triage.py --snapshot-update`, and look.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.snapshots.test_snapshots import SnapCompare, press, select, snap, snap_at
from tests.ui.broken import broken_account
from tests.ui.conftest import make_app, wait_until
from tests.ui.test_rollout_grace import start_rollout

__all__ = ["broken_account"]


async def triage_on_screen(pilot: Pilot[None]) -> None:
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "TriageScreen")
    screen: Any = pilot.app.screen
    await wait_until(pilot, lambda: screen.updated_at is not None)


def test_triage_at_start(snap_compare: SnapCompare, broken_account: AwsTarget) -> None:
    snap(snap_compare, make_app(broken_account, triage_at_start=True), triage_on_screen)


def test_targets(snap_compare: SnapCompare, broken_account: AwsTarget) -> None:
    snap(snap_compare, make_app(broken_account), press("colon", *"targets", "enter"))


def test_service_detail(snap_compare: SnapCompare, broken_account: AwsTarget) -> None:
    snap(snap_compare, make_app(broken_account, cluster="prod"), select("payments"), press("v"))


def test_service_detail_of_a_stuck_deployment(snap_compare: SnapCompare, broken_account: AwsTarget) -> None:
    snap(snap_compare, make_app(broken_account, cluster="prod"), select("cart"), press("v"))


def test_tasks_with_target_health(snap_compare: SnapCompare, broken_account: AwsTarget) -> None:
    snap(snap_compare, make_app(broken_account, cluster="prod", service="payments"))


def test_triage_with_a_young_rollout(
    snap_compare: SnapCompare,
    size: tuple[int, int],
    demo_account: AwsTarget,
    emulator: EmulatorServer,
    simulator: Simulator,
) -> None:
    # The demo's broken services first, each one row with its other symptoms as facts; a healthy rollout 46 s old
    # last, as information.
    start_rollout(emulator, simulator, timedelta(seconds=46))
    snap_at(snap_compare, size, make_app(demo_account, triage_at_start=True), triage_on_screen)
