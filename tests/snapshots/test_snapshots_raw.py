"""The raw view (J) of a service, searched, at a full terminal and at the 80x24 of an SSH session."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.ui.screens.raw import RawScreen
from tests.snapshots.test_snapshots import SnapCompare, press, select, snap_at
from tests.ui.conftest import make_app, wait_until


async def raw_loaded(pilot: Pilot[None]) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, RawScreen) and pilot.app.screen.data is not None)


def searched(term: str) -> Any:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press("slash", *term, "enter")
        await pilot.pause()

    return run


def test_raw_view_of_a_service_searched(
    snap_compare: SnapCompare, size: tuple[int, int], shared_demo_account: AwsTarget
) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    snap_at(snap_compare, size, app, select("api"), press("J"), raw_loaded, searched("FARGATE_SPOT"))
