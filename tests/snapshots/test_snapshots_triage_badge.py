"""The top bar's triage badge (checking, then the count) and the one line `triage_at_start` shows while it decides,
at 160x45 and 80x24. Update after an intended change with `--snapshot-update`, and look."""

from __future__ import annotations

from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from tests.snapshots.test_snapshots import SnapCompare, snap_at
from tests.ui.broken import broken_account
from tests.ui.conftest import make_app, wait_loaded, wait_until
from tests.ui.test_launch_keys import held_triage

__all__ = ["broken_account", "held_triage"]


async def badge_counted(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, EcsApp)
    await wait_loaded(pilot)
    await wait_until(pilot, lambda: app.triage_badge.decided)


async def badge_checking(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, EcsApp)
    await wait_loaded(pilot)
    await wait_until(pilot, lambda: app.triage_badge.running)


def test_badge_counts_the_problems(snap_compare: SnapCompare, size: tuple[int, int], broken_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(broken_account, triage_badge_interval=3600.0), badge_counted)


def test_badge_while_checking(
    snap_compare: SnapCompare, size: tuple[int, int], broken_account: AwsTarget, held_triage: EmulatorServer
) -> None:
    snap_at(snap_compare, size, make_app(broken_account, triage_badge_interval=3600.0), badge_checking)


def test_start_check_line(
    snap_compare: SnapCompare, size: tuple[int, int], broken_account: AwsTarget, held_triage: EmulatorServer
) -> None:
    snap_at(snap_compare, size, make_app(broken_account, triage_at_start=True), badge_checking)
