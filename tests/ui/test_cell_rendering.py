"""ResourceTable draws short one-line cells itself; every such cell must come out as DataTable draws it."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import DataTable

from ecstui.ui.widgets.resource_table import Cell, Column, ResourceTable, Row

COLUMNS = (Column("a", "A"), Column("b", "B", width=12), Column("c", "C"), Column("d", "D", width=6))

CELLS: list[Cell] = [
    "plain",
    "",
    "x",
    Text("bold", style="bold"),
    Text("green text", style="green"),
    Text.assemble(("svc", "bold"), " ", ("1/3", "red"), " ok"),
    Text("a [bracket] text"),
    "[bold]markup[/bold]",  # a str is data: drawn as these characters, never read as markup
    "much too long for the narrow column",
    Text("much too long for the narrow column", style="cyan"),
    "ünïcode",
    "日本語",
    Text("right", justify="right"),
    Text("ellipsis-overflowing-text", overflow="ellipsis"),
    "tab\there",
]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable(COLUMNS, id="table")


def as_drawn(lines: Any) -> list[tuple[str, object]]:
    """One line's segments merged as the screen merges them, as (text, style) pairs."""
    (line,) = lines
    return [(segment.text, segment.style) for segment in Strip(line).simplify()]


async def test_every_cell_is_drawn_as_datatable_draws_it() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        rows = [Row(f"row-{index}", (cell, cell, cell, cell)) for index, cell in enumerate(CELLS)]
        table.sync(rows)
        await pilot.pause()
        table.move_cursor(row=3)
        await pilot.pause()
        drawn_quickly = 0
        for row_index in range(len(rows)):
            for column_index, column in enumerate(table.ordered_columns):
                width = column.get_render_width(table)
                for cursor, hover in ((False, False), (True, False), (False, True), (True, True)):
                    value = table.get_cell_at((row_index, column_index))
                    style = table.rich_style
                    quick = table._one_line_cell(value, row_index, column_index, style, width, cursor, hover)
                    table._update_count += 1  # past DataTable's own cache
                    expected = DataTable._render_cell(table, row_index, column_index, style, width, cursor, hover)
                    if quick is not None:
                        drawn_quickly += 1
                        assert as_drawn(quick) == as_drawn(expected), (value, width, cursor, hover)
        # The quick way is taken for the common cells (and only they are compared above).
        assert drawn_quickly >= 4 * 4 * 6


async def test_a_cell_drawn_quickly_carries_its_place_for_mouse_clicks() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ResourceTable)
        table.sync([Row(f"row-{index}", ("a", "b", "c", "d")) for index in range(5)])
        await pilot.pause()
        quick = table._one_line_cell("c", 4, 2, table.rich_style, 5, False, False)
        assert quick is not None
        (line,) = quick
        rows = {segment.style.meta.get("row") for segment in line if isinstance(segment, Segment) and segment.style}
        assert rows == {4}
