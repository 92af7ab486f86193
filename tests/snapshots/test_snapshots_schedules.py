"""The schedules pane, the schedule dialog and its bad-cron sentence, at 160x45 and 80x24."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from ecstui.aws.session import AwsTarget
from ecstui.ui.dialogs.schedule import ScheduleDialog
from ecstui.ui.widgets.picker import Picker
from tests.snapshots.test_snapshots import SnapCompare, press, snap_at
from tests.ui.conftest import make_app, wait_until


def dialog_loaded() -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ScheduleDialog))
        dialog: Any = pilot.app.screen
        await wait_until(pilot, lambda: bool(dialog.query_one("#schedule-cluster", Picker).choices))
        await wait_until(pilot, lambda: dialog.offer_role or bool(dialog.query_one("#schedule-role", Picker).choices))

    return run


def bad_cron() -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        dialog: Any = pilot.app.screen
        box = dialog.query_one("#schedule-expression", Input)
        box.focus()
        box.value = ""
        await pilot.press(*"cron(0 25 * * * *)", "ctrl+s")
        await pilot.pause()

    return run


def test_schedules_pane(snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(shared_demo_account), press("colon", *"schedules", "enter"))


def test_schedule_dialog(snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget) -> None:
    snap_at(
        snap_compare,
        size,
        make_app(shared_demo_account),
        press("colon", *"schedules", "enter"),
        press("n"),
        dialog_loaded(),
        press(*"nightly-api"),
    )


def test_schedule_dialog_bad_cron(
    snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget
) -> None:
    snap_at(
        snap_compare,
        size,
        make_app(shared_demo_account),
        press("colon", *"schedules", "enter"),
        press("n"),
        dialog_loaded(),
        press(*"bad"),
        bad_cron(),
    )
