"""Big listings: every key shown at once, what is on screen described first, minimal table edits."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import pytest
from textual.app import App, ComposeResult

from ecstui.aws.models import Service
from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.screens.help import HelpScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.widgets.resource_table import Column, ResourceTable, Row
from tests.ui.conftest import make_app, wait_loaded, wait_until


async def test_a_cluster_above_the_threshold_loads_progressively_to_the_same_rows_and_minimal_calls(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ServicesScreen, "progressive_threshold", 2)
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        assert screen.last_error is None
        assert len(screen.items) == 9
        assert screen.placeholder_keys == set()
        assert screen.table.total_count == 9
        assert "…" not in "".join(str(c) for key in screen.items for c in screen.table.get_row(key))
    assert emulator.log.counts["ListServices"] == 1
    assert emulator.log.counts["DescribeServices"] == 1


async def test_rows_in_view_and_rows_the_filter_shows_are_described_first(
    demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        by_name = {s.name: key for key, s in screen.items.items()}
        screen.table.set_filter("pay")
        pending = dict.fromkeys(reversed(list(screen.items)))
        batch = screen._next_batch(pending)
        assert batch[0] == by_name["payments"]
        assert len(batch) == len(set(batch)) == min(screen.progressive_batch, len(pending))
        assert set(batch) <= set(pending)


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable([Column("name", "Name"), Column("status", "Status")], id="t")


def _rows(n: int, changed: set[int] = frozenset()) -> list[Row]:  # type: ignore[assignment]
    return [Row(f"k{i:05d}", (f"svc-{i:05d}", "STOPPING" if i in changed else "RUNNING")) for i in range(n)]


async def test_a_refresh_changing_a_few_cells_updates_only_them_and_does_not_resort(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(ResourceTable)
        table.sync(_rows(2000))
        await pilot.pause()
        sorts: list[Any] = []
        updates: list[Any] = []
        monkeypatch.setattr(table, "_sort", lambda: sorts.append(1))
        original = table._write_cells
        monkeypatch.setattr(table, "_write_cells", lambda *a, **k: (updates.append(a), original(*a, **k)))
        assert table.sync(_rows(2000, changed={5, 1500}))
        assert len(updates) == 2 and sorts == []
        assert str(table.get_cell("k01500", "status")) == "STOPPING"
        assert not table.sync(_rows(2000, changed={5, 1500}))  # same listing again: nothing to do


async def test_upsert_and_discard_touch_only_the_rows_given_and_keep_the_cursor_row() -> None:
    app = _TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(ResourceTable)
        table.sync(_rows(100))
        await pilot.pause()
        table.select_key("k00050")
        assert table.upsert([Row("k00050", ("svc-00050", "DRAINING")), Row("k00100", ("svc-00100", "RUNNING"))])
        assert table.total_count == 101
        assert table.selected_key == "k00050"
        assert str(table.get_cell("k00050", "status")) == "DRAINING"
        assert table.discard(["k00001", "k00002", "k00003"])
        assert table.total_count == 98
        assert table.selected_key == "k00050"
        assert table.keys_in_order()[:2] == ["k00000", "k00004"]
        table.move_cursor(row=97)
        await pilot.pause()
        assert table.visible_keys()[-1] == "k00100"


def _held_describes(
    monkeypatch: pytest.MonkeyPatch, holds: Callable[[int], bool]
) -> tuple[list[list[str]], asyncio.Event]:
    """Record the keys of every describe call; the calls `holds` picks (by number, from 1) wait for the event."""
    gate = asyncio.Event()
    calls: list[list[str]] = []
    original = ServicesScreen.stream_items

    async def held(self: ServicesScreen, keys: Sequence[str]) -> AsyncIterator[Sequence[Service]]:
        calls.append(list(keys))
        if holds(len(calls)):
            await gate.wait()
        async for batch in original(self, keys):
            yield batch

    monkeypatch.setattr(ServicesScreen, "stream_items", held)
    return calls, gate


async def test_leaving_a_pane_while_it_loads_stops_its_describes_and_coming_back_finishes_them(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One service a call, one call at a time; the second call is held until the pane has been left.
    monkeypatch.setattr(ServicesScreen, "progressive_threshold", 2)
    monkeypatch.setattr(ServicesScreen, "progressive_batch", 1)
    monkeypatch.setattr(ServicesScreen, "progressive_parallel", 1)
    calls, gate = _held_describes(monkeypatch, lambda call: call == 2)
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_until(pilot, lambda: len(calls) == 2)
        screen = app.screen
        assert isinstance(screen, ServicesScreen) and screen.progress == (1, 9)
        await app.push_screen(HelpScreen("Services", []))
        await wait_until(pilot, lambda: screen.poller is not None and not screen.poller.active)
        gate.set()
        await wait_until(pilot, lambda: screen.poller is not None and not screen.poller.in_flight)
        await pilot.pause(0.3)
        # The call in flight when the pane was left finished; no other was sent, and nothing reads as an error.
        assert len(calls) == 2 and emulator.log.counts["DescribeServices"] == 2
        assert screen.last_error is None and screen.updated_at is None
        app.pop_screen()
        await wait_until(pilot, lambda: screen.updated_at is not None)
        assert len(screen.items) == 9 and screen.placeholder_keys == set()
        assert screen.last_error is None


async def test_a_refresh_hands_the_table_only_the_rows_that_changed(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        services = list(screen.items.values())
        # Parsed anew (equal, not the same objects): nothing to edit.
        same = screen._prepare([dataclasses.replace(s) for s in services])
        assert same.rows == [] and same.gone == []
        changed = [dataclasses.replace(s) for s in services]
        changed[3] = dataclasses.replace(changed[3], desired=changed[3].desired + 5)
        refresh = screen._prepare(changed[:-1])
        assert [row.key for row in refresh.rows] == [services[3].arn]
        assert refresh.gone == [services[-1].arn]
        edits: list[str] = []
        original = screen.table._write_cells
        screen.table._write_cells = lambda *a, **k: (edits.append(str(a[0])), original(*a, **k))[1]  # type: ignore[method-assign]
        screen._apply(refresh)
        await pilot.pause()
        assert set(edits) == {services[3].arn}
        assert screen.table.total_count == len(services) - 1
        assert f"/{services[3].desired + 5}" in str(screen.table.get_cell(services[3].arn, "tasks"))


async def test_a_first_load_describes_only_a_screenful_before_the_first_answer_and_adds_placeholders_after(
    demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One service a call; every call is held until the test lets them through. The terminal shows a few rows.
    monkeypatch.setattr(ServicesScreen, "progressive_threshold", 2)
    monkeypatch.setattr(ServicesScreen, "progressive_batch", 1)
    # No placeholder rows however slow a loaded machine is to get to the checks (the wait before them is a
    # timer: this test is about which describes go out first, not about the timer).
    monkeypatch.setattr(ServicesScreen, "placeholders_after", 30.0)
    calls, gate = _held_describes(monkeypatch, lambda call: True)
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 9)) as pilot:
        await wait_until(pilot, lambda: len(calls) > 0)
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        table = screen.table
        lines = table.scrollable_content_region.height - table.header_height
        # The rows that fit on screen are asked for, in listing order; the other 9 - lines wait for an answer.
        assert 0 < lines < ServicesScreen.progressive_parallel  # fewer than the calls it may have in flight
        assert len(calls) == lines
        assert table.row_count == 0  # no placeholder rows before the first screenful is there
        gate.set()
        await wait_until(pilot, lambda: screen.updated_at is not None)
        assert len(calls) == 9 and len(screen.items) == 9 and screen.placeholder_keys == set()
