"""Big listings: every key shown at once, what is on screen described first, minimal table edits."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.widgets.resource_table import Column, ResourceTable, Row
from tests.ui.conftest import make_app, wait_loaded


async def test_a_cluster_above_the_threshold_loads_progressively_to_the_same_rows_and_minimal_calls(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ServicesScreen, "progressive_threshold", 2)
    monkeypatch.setattr(ServicesScreen, "progressive_round", 10)
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
        order = screen._describe_order(pending)
        assert order[0] == by_name["payments"]
        assert sorted(order) == sorted(pending)


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
        original = table.update_cell
        monkeypatch.setattr(table, "update_cell", lambda *a, **k: (updates.append(a), original(*a, **k)))
        assert table.sync(_rows(2000, changed={5, 1500}))
        assert len(updates) == 2 and sorts == []
        assert table.get_cell("k01500", "status") == "STOPPING"
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
        assert table.get_cell("k00050", "status") == "DRAINING"
        assert table.discard(["k00001", "k00002", "k00003"])
        assert table.total_count == 98
        assert table.selected_key == "k00050"
        assert table.keys_in_order()[:2] == ["k00000", "k00004"]
        table.move_cursor(row=97)
        await pilot.pause()
        assert table.visible_keys()[-1] == "k00100"
