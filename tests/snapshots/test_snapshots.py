"""Every pane, rendered at a fixed size from the seeded demo account with a frozen clock.

Update after an intended change with `pytest tests/snapshots --snapshot-update`, and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from ecstui.aws.session import AwsTarget
from ecstui.ui.app import EcsApp
from tests.ui.conftest import SNAPSHOT_SIZE, make_app, wait_loaded, wait_until

SnapCompare = Callable[..., bool]


def steps(*actions: Callable[[Pilot[None]], Awaitable[None]]) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await wait_loaded(pilot)
        for action in actions:
            await action(pilot)
            await wait_loaded(pilot)
        # DataTable measures new rows' column widths when it next idles; on a loaded machine the screenshot
        # could come first, with every column cut to its header's width.
        await wait_until(
            pilot, lambda: not any(t._require_update_dimensions for t in pilot.app.screen.query(DataTable))
        )
        await pilot.pause(0.1)

    return run


def press(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press(*keys)

    return run


def select(name: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Put the cursor on the row whose first cell reads `name`."""

    async def run(pilot: Pilot[None]) -> None:
        screen: Any = pilot.app.screen
        for key in screen.items:
            first = screen.table.get_row(key)[0]
            if getattr(first, "plain", first) == name:
                screen.table.select_key(key)
                await pilot.pause()
                return
        raise AssertionError(f"no row {name!r}")

    return run


def snap(snap_compare: SnapCompare, app: EcsApp, *actions: Callable[[Pilot[None]], Awaitable[None]]) -> None:
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=steps(*actions))


def snap_at(
    snap_compare: SnapCompare, size: tuple[int, int], app: EcsApp, *actions: Callable[[Pilot[None]], Awaitable[None]]
) -> None:
    """`snap` at a size from the `size` fixture (160x45 and 80x24)."""
    assert snap_compare(app, terminal_size=size, run_before=steps(*actions))


def test_clusters(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account))


def test_services(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account), select("prod"), press("enter"))


def test_services_filtered(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account, cluster="prod"), press("slash", "c", "a", "r", "t"))


def test_tasks_of_a_service(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account, cluster="prod"), select("web"), press("enter"))


def test_tasks_of_a_cluster(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account), select("batch"), press("t"))


def test_stopped_tasks(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    async def stopped(pilot: Pilot[None]) -> None:
        screen: Any = pilot.app.screen
        await pilot.press("S")
        await wait_until(pilot, lambda: screen.desired_status == "STOPPED" and screen.updated_at is not None)

    snap(snap_compare, make_app(shared_demo_account, cluster="prod", service="payments"), stopped)


def test_task_detail(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account, cluster="prod", service="api"), press("enter"))


def test_container_instances(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account), select("batch"), press("i"))


def test_task_definition_families(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account), press("colon", *"taskdefs", "enter"))


def test_task_definition_revisions(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(
        snap_compare, make_app(shared_demo_account), press("colon", *"taskdefs", "enter"), select("api"), press("enter")
    )


def test_task_definition(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(
        snap_compare,
        make_app(shared_demo_account),
        press("colon", *"taskdefs", "enter"),
        select("api"),
        press("enter"),
        press("enter"),
    )


def test_help(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account, cluster="prod"), press("question_mark"))


def test_jump(snap_compare: SnapCompare, shared_demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(shared_demo_account), press("colon", "t", "a"))


def test_error_in_a_pane(snap_compare: SnapCompare) -> None:
    # Port 1 on loopback refuses connections: the pane says so and the app goes on.
    app = make_app(AwsTarget(region="us-east-1", endpoint_url="http://127.0.0.1:1"))

    async def failed(pilot: Pilot[None]) -> None:
        screen: Any = pilot.app.screen
        await wait_until(pilot, lambda: screen.last_error is not None, limit=30)

    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=failed)
