"""The :autoscaling pane and its dialogs, rendered from the seeded demo account at 160x45 and 80x24.

Update after an intended change with `pytest tests/snapshots --snapshot-update`, and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.widgets import Input

from ecstui.aws.session import AwsTarget
from ecstui.ui.screens.autoscaling import AutoScalingScreen
from tests.snapshots.test_snapshots import SnapCompare, press, snap_at
from tests.ui.conftest import make_app, wait_until


async def _pane(pilot: Pilot[None]) -> None:
    await pilot.press("colon", *"as", "enter")
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, AutoScalingScreen) and app.screen.updated_at is not None)


def type_into(selector: str, value: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        pilot.app.screen.query_one(selector, Input).value = value
        await pilot.pause()

    return run


def test_autoscaling_pane(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), _pane)


def test_autoscaling_min_max_above(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(
        snap_compare,
        size,
        make_app(demo_account),
        _pane,
        press("m"),
        type_into("#scaling-min", "30"),
        press("ctrl+s"),
    )


def test_autoscaling_target_value(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), _pane, press("t"))


def test_autoscaling_add_policy(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), _pane, press("p"))


def test_autoscaling_delete_policy(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), _pane, press("P"))


def test_autoscaling_scheduled_action_bad_cron(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget
) -> None:
    snap_at(
        snap_compare,
        size,
        make_app(demo_account),
        _pane,
        press("c"),
        type_into("#scheduled-name", "nightly"),
        type_into("#scheduled-schedule", "cron(0 2 * * *)"),
        press("ctrl+s"),
    )


def test_autoscaling_delete_scheduled_action(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget
) -> None:
    snap_at(snap_compare, size, make_app(demo_account), _pane, press("C"))


def test_autoscaling_suspend(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), _pane, press("z"))
