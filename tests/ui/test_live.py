"""Live panes: polls never overlap, rows are keyed and edited in place, the cursor survives, errors stay in
their pane."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App
from textual.widgets import Static

from ecstui.aws.errors import AwsError
from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.polling import Poller
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.services import ServicesScreen
from tests.conftest import boto_client
from tests.ui.conftest import FIXED_NOW, make_app, wait_loaded, wait_until


async def test_a_refresh_asked_for_during_a_fetch_runs_after_it_never_alongside() -> None:
    running = 0
    most_at_once = 0
    calls = 0
    gate = asyncio.Event()

    async def fetch() -> int:
        nonlocal running, most_at_once, calls
        calls += 1
        running += 1
        most_at_once = max(most_at_once, running)
        await gate.wait()
        running -= 1
        return calls

    applied: list[int] = []
    app: App[None] = App()
    async with app.run_test() as pilot:
        poller: Poller[int] = Poller(app, fetch, applied.append, lambda e, d: None, interval=3600)
        poller.start()
        await pilot.pause(0.05)
        for _ in range(5):
            poller.refresh_now()  # all while the first fetch is still in flight
        await pilot.pause(0.05)
        assert calls == 1
        gate.set()
        await wait_until(pilot, lambda: len(applied) == 2)
        await pilot.pause(0.1)
        assert calls == 2  # five requests during one fetch collapse into one more fetch
        assert most_at_once == 1
        poller.pause()


async def test_after_a_failure_the_next_poll_backs_off_and_success_restores_the_interval() -> None:
    outcomes: list[Exception | None] = [AwsError("slow down", kind="throttled"), AwsError("x", kind="throttled"), None]
    delays: list[float] = []
    successes: list[int] = []

    async def fetch() -> int:
        outcome = outcomes.pop(0) if outcomes else None
        if outcome is not None:
            raise outcome
        return 1

    app: App[None] = App()
    async with app.run_test() as pilot:
        poller: Poller[int] = Poller(app, fetch, successes.append, lambda e, d: delays.append(d), interval=0.01)
        poller.start()
        await wait_until(pilot, lambda: bool(successes))
        assert delays == [0.02, 0.04]
        assert poller.failures == 0
        assert poller.next_delay() == 0.01
        poller.pause()


async def test_a_changed_service_rewrites_only_its_own_row_and_the_cursor_stays(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        web = next(k for k, s in screen.items.items() if s.name == "web")
        api = next(k for k, s in screen.items.items() if s.name == "api")
        screen.table.select_key(web)
        edits: list[tuple[Any, ...]] = []
        table = screen.table
        original_write, original_add, original_remove = table._write_cells, table._add_rows, table._remove_rows
        table._write_cells = lambda *a, **k: (edits.append(("update", a[0])), original_write(*a, **k))[1]  # type: ignore[method-assign]
        table._add_rows = lambda *a, **k: (edits.append(("add", *a)), original_add(*a, **k))[1]  # type: ignore[method-assign]
        table._remove_rows = lambda *a, **k: (edits.append(("remove", *a)), original_remove(*a, **k))[1]  # type: ignore[method-assign]

        desired = screen.items[api].desired
        boto_client(emulator, "ecs").update_service(cluster="prod", service="api", desiredCount=desired + 2)
        before = screen.poller.fetch_count if screen.poller else 0
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.poller is not None and screen.poller.fetch_count > before)

        assert screen.items[api].desired == desired + 2
        assert edits == [("update", api)]
        assert f"/{desired + 2}" in str(table.get_cell(api, "tasks"))
        assert screen.table.selected_key == web

        # The scheduler starts the two tasks; the next poll shows them, still without moving the cursor.
        for _ in range(4):
            simulator.step(FIXED_NOW)
        before = screen.poller.fetch_count if screen.poller else 0
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.poller is not None and screen.poller.fetch_count > before)
        assert screen.items[api].running == desired + 2
        assert screen.table.selected_key == web


async def test_a_service_that_disappears_leaves_the_table_and_the_cursor_lands_nearby(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="staging")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        count = screen.table.total_count
        victim = next(iter(screen.items.values()))
        ecs = boto_client(emulator, "ecs")
        ecs.delete_service(cluster="staging", service=victim.name, force=True)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.table.total_count == count - 1)
        assert victim.arn not in screen.items
        assert screen.table.selected_key in screen.items


async def test_an_unreachable_endpoint_is_a_readable_message_in_the_pane_not_a_crash() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    app = make_app(AwsTarget(region="us-east-1", endpoint_url=f"http://127.0.0.1:{dead_port}"))
    async with app.run_test(size=(140, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, ClustersScreen)
        await wait_until(pilot, lambda: screen.last_error is not None, limit=30)
        banner = str(screen.query_one("#pane-error", Static).render())
        assert "Cannot reach" in banner and str(dead_port) in banner
        assert "Traceback" not in banner
        await pilot.press("question_mark")  # the app still answers keys
        await pilot.press("escape")
        assert app.is_running
