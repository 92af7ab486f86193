"""A refresh repaints what changed on screen and nothing else, and what it skipped is right when it comes into view.

Each frame costs the lines it draws; a refresh of a big table in which only rows out of view changed draws no
line, and a status or title that did not change causes neither a repaint nor a layout of the screen.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Static

from ecstui.ui.widgets.one_line import OneLine
from ecstui.ui.widgets.resource_table import Column, ResourceTable, Row

COLUMNS = (Column("name", "Name"), Column("status", "Status"))
SIZE = (60, 12)  # the table shows 10 rows under its header


def rows(count: int, status: str = "RUNNING", changed: dict[int, str] | None = None) -> list[Row]:
    changed = changed or {}
    return [Row(f"arn:{index}", (f"task-{index:04d}", changed.get(index, status))) for index in range(count)]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable(COLUMNS, id="table")


class Spy:
    """Counts a widget's refresh calls: whole-widget repaints, region repaints and layouts."""

    def __init__(self, widget: Any) -> None:
        self.whole = self.regions = self.layouts = 0
        original = widget.refresh

        def refresh(*regions: Region, **options: Any) -> Any:
            if options.get("layout"):
                self.layouts += 1
            if regions:
                self.regions += 1
            elif options.get("repaint", True):
                self.whole += 1
            return original(*regions, **options)

        widget.refresh = refresh


async def loaded(app: TableApp, pilot: Any, count: int = 500) -> ResourceTable:
    table = app.query_one(ResourceTable)
    table.sync(rows(count))
    await pilot.pause()
    return table


def drawn(table: ResourceTable) -> list[str]:
    return [strip.text for strip in table.render_lines(Region(0, 0, table.size.width, table.size.height))]


async def test_a_change_out_of_view_draws_nothing_and_shows_when_scrolled_to() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(app, pilot)
        # Row 400 is drawn once (and its line cached), then scrolled out of view.
        table.move_cursor(row=400)
        await pilot.pause()
        assert any("task-0400" in line for line in drawn(table))
        table.move_cursor(row=0)
        await pilot.pause()
        assert any("task-0000" in line for line in drawn(table))
        spy = Spy(table)
        table.upsert(rows(500, changed={400: "STOPPED"})[400:401])
        await pilot.pause()
        assert (spy.whole, spy.regions) == (0, 0)
        assert str(table.held_cells["arn:400"][1]) == "STOPPED"
        # Cached lines must not bring the old value back when the row comes into view.
        table.move_cursor(row=400)
        await pilot.pause()
        line = next(line for line in drawn(table) if "task-0400" in line)
        assert "STOPPED" in line


async def test_a_change_in_view_repaints_that_row_only() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(app, pilot)
        spy = Spy(table)
        changed = rows(500, changed={3: "STOPPED", 300: "STOPPED"})
        table.upsert([changed[3], changed[300]])  # one row in view, one out of it
        await pilot.pause()
        assert (spy.whole, spy.regions) == (0, 1)
        line = next(line for line in drawn(table) if "task-0003" in line)
        assert "STOPPED" in line
        assert all("STOPPED" not in line for line in drawn(table) if "task-0003" not in line)


async def test_a_change_that_widens_a_column_redraws_the_table() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(app, pilot)
        spy = Spy(table)
        table.upsert(rows(500, changed={400: "DEPROVISIONING-AND-MORE"})[400:401])  # out of view, but wider
        await pilot.pause()
        assert spy.whole >= 1
        assert table.columns[table.ordered_columns[1].key].content_width == len("DEPROVISIONING-AND-MORE")


async def test_ordered_rows_reads_only_what_is_asked_and_pages_move_a_screenful() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(app, pilot)
        ordered = table.ordered_rows
        assert len(ordered) == 500
        assert [row.key.value for row in ordered[:3]] == ["arn:0", "arn:1", "arn:2"]
        assert [row.key.value for row in ordered[498:]] == ["arn:498", "arn:499"]
        assert ordered[-1].key.value == "arn:499"
        assert [row.key.value for row in ordered] == table.keys_in_order()
        await pilot.press("pagedown")
        assert 8 <= table.cursor_row <= 11
        await pilot.press("pagedown", "pageup")
        assert 8 <= table.cursor_row <= 11


class LinesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OneLine(Text("status"), id="line")
        yield Static("below", id="below")


async def test_one_line_same_text_costs_nothing_and_new_text_skips_layout() -> None:
    app = LinesApp()
    async with app.run_test(size=SIZE) as pilot:
        line = app.query_one(OneLine)
        below = app.query_one("#below", Static)
        await pilot.pause()
        spy = Spy(line)
        line.show(Text("status"))
        assert (spy.whole, spy.layouts) == (0, 0)
        line.show(Text("throttled: backing off"))
        await pilot.pause()
        assert (spy.whole, spy.layouts) == (1, 0)
        assert "throttled" in str(line.render())
        assert below.region.y == 1  # still one line high
