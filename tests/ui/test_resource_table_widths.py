"""ResourceTable columns fit their widest cell, also when a frame was drawn before the table measured its rows.

DataTable measures new and widened cells when it next idles, and caches what it draws under an edit counter.
On a busy machine the screen can draw the table between an edit and that idle; those lines, drawn at the old
widths (usually the headers'), must not be what later frames show. Each test below draws such an early frame
on purpose (`early_frame`), as the screen's refresh does now and then, and then checks what is drawn.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from ecstui.ui.widgets.resource_table import Column, ResourceTable, Row, cell_width, plain

COLUMNS = (Column("name", "Name"), Column("status", "St"), Column("taskdef", "Def"))
WIDE_COLUMNS = (Column("id", "Id"), Column("reason", "Why"))
SIZE = (120, 14)


def described(count: int, *, suffix: str = "") -> list[Row]:
    return [
        Row(
            f"arn:{index}",
            (f"service-number-{index}{suffix}", Text("RUNNING", style="green"), f"family-{index}:{index + 10}"),
        )
        for index in range(count)
    ]


def placeholders(count: int) -> list[Row]:
    return [Row(f"arn:{index}", (f"arn:{index}", "…", "…")) for index in range(count)]


class TableApp(App[None]):
    def __init__(self, columns: Sequence[Column] = COLUMNS, *, mounted: bool = True) -> None:
        super().__init__()
        self.columns = columns
        self.mounted = mounted

    def compose(self) -> ComposeResult:
        if self.mounted:
            yield ResourceTable(self.columns, id="table")


def drawn(table: ResourceTable) -> list[str]:
    """The table's lines as the screen gets them (the compositor asks each widget for its lines like this)."""
    return [strip.text for strip in table.render_lines(Region(0, 0, table.size.width, table.size.height))]


def early_frame(table: ResourceTable) -> None:
    """A frame drawn after an edit but before the table's next idle, as the screen's refresh can be under load."""
    assert table._require_update_dimensions, "the edit should still be waiting to be measured"
    drawn(table)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()


def assert_fits(table: ResourceTable) -> None:
    """Every column is as wide as its widest cell, and every row is drawn with each cell whole, under its header."""
    assert not table._require_update_dimensions
    shown = [table._shown[key] for key in table.keys_in_order()]
    padding = table.cell_padding
    starts = []
    x = 0
    for index, spec in enumerate(table.column_specs):
        column = table.columns[ColumnKey(spec.key)]
        widest = max([cell_width(spec.label), *(cell_width(cells[index]) for cells in shown)])
        assert column.content_width >= widest, f"column {spec.key!r}: {column.content_width} < {widest}"
        starts.append(x + padding)
        x += column.get_render_width(table)
    lines = drawn(table)
    visible = min(len(shown), table.size.height - table.header_height)
    for line_no, cells in [(0, tuple(spec.label for spec in table.column_specs))] + [
        (table.header_height + row, shown[row]) for row in range(visible)
    ]:
        line = lines[line_no]
        for start, cell in zip(starts, cells, strict=True):
            text = plain(cell)
            assert line[start : start + len(text)] == text, f"{text!r} not whole at x={start} in {line!r}"


Step = Callable[[ResourceTable], object]


def sync(rows: Sequence[Row]) -> Step:
    return lambda table: table.sync(rows)


def upsert(rows: Sequence[Row]) -> Step:
    return lambda table: table.upsert(rows)


def discard(*keys: str) -> Step:
    return lambda table: table.discard(keys)


def set_columns(columns: Sequence[Column]) -> Step:
    return lambda table: table.set_columns(columns)


def set_filter(text: str) -> Step:
    return lambda table: table.set_filter(text)


def idle(table: ResourceTable) -> None:
    """Where the table gets to idle (measure) before the next step; `run` checks what it then draws."""


FRAME: Step = early_frame
STOPPED_TASKS = [Row(f"arn:{index}", (f"task-{index:032d}", "Essential container exited")) for index in range(4)]

# The edits the screens make, with a frame drawn where the screen's refresh can come first (after an edit,
# before the table idles). The table idles only at `idle` and at the end.
SCENARIOS: dict[str, list[Step]] = {
    "new rows": [sync(described(5)), FRAME],
    # ListScreen's progressive loading: every key first as "…", then rows described in batches (update_cell).
    "placeholders, then described rows in batches": [
        *(upsert(placeholders(6)), FRAME, idle),
        *(upsert(described(3)), FRAME, idle),
        upsert(described(6)),  # no wider than what is measured already: nothing to measure
    ],
    "placeholders and described rows before any idle": [upsert(placeholders(6)), upsert(described(6)), FRAME],
    "a cell that grows in a measured row": [
        *(sync(described(4)), idle),
        *(sync(described(4, suffix="-with-a-much-longer-name")), FRAME),
    ],
    # TasksScreen: set_columns (running / stopped, target health) and the next sync in the same handler.
    "other columns, then rows before the table idles": [
        *(sync(described(4)), idle),
        *(set_columns(WIDE_COLUMNS), sync(STOPPED_TASKS), FRAME, idle),
        *(set_columns(COLUMNS), FRAME, sync(described(3)), FRAME),
    ],
    "rows discarded before they were measured": [
        upsert(described(6)),
        discard("arn:4", "arn:5"),  # several at once: ResourceTable's own removal
        discard("arn:3"),  # one: DataTable.remove_row
        FRAME,
    ],
    "a filter, then a sort": [
        *(sync(described(8)), set_filter("number-1"), FRAME, idle),
        *(set_filter(""), lambda table: table.action_cycle_sort()),
    ],
}


async def run(app: TableApp, steps: Sequence[Step], table: ResourceTable | None = None) -> ResourceTable:
    """Do the steps on the app's table (or on `table`), checking what it draws after each idle; return it."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table if table is not None else app.query_one(ResourceTable)
        for step in [*steps, idle]:
            result = step(table)
            if inspect.isawaitable(result):
                await result
            if step is idle:
                await settle(pilot)
                assert_fits(table)
    return table


@pytest.mark.parametrize("steps", SCENARIOS.values(), ids=SCENARIOS.keys())
async def test_columns_fit_their_widest_cell_on_screen(steps: list[Step]) -> None:
    await run(TableApp(), steps)


async def test_rows_synced_before_the_table_is_mounted() -> None:
    # A screen's first fetch can finish before the table's on_mount.
    app = TableApp(mounted=False)
    table = ResourceTable(COLUMNS, id="table")
    await run(app, [sync(described(5)), lambda table: app.mount(table)], table)


async def test_an_idle_that_measures_nothing_keeps_the_drawn_lines_cached() -> None:
    # Only a change of width drops the cached lines: a table that is merely redrawn does not redraw every cell.
    counts: list[int] = []

    def remeasure(table: ResourceTable) -> None:
        counts.append(table._update_count)
        table._require_update_dimensions = True  # as after an edit that changes no width

    table = await run(TableApp(), [sync(described(5)), idle, remeasure, idle])
    assert counts == [table._update_count]


async def test_many_rows_added_at_once_are_measured_as_datatable_measures_them() -> None:
    # ResourceTable adds many rows in one pass and measures them itself; DataTable.add_row measures on idle.
    awkward = ["[bold]svc[/bold]-markup", "日本語-サービス", "emoji-🚀-svc", "plain", "tabs\tare-odd"]
    rows = [
        Row(f"arn:{index}", (awkward[index % len(awkward)] + f"-{index}", Text("RUNNING" * (index % 3 + 1)), "…"))
        for index in range(60)
    ]
    ours, theirs = TableApp(), TableApp()
    async with ours.run_test(size=SIZE) as pilot, theirs.run_test(size=SIZE) as their_pilot:
        bulk = ours.query_one(ResourceTable)
        bulk.sync(rows)
        one_by_one = theirs.query_one(ResourceTable)
        for row in rows:
            one_by_one.add_row(*row.cells, key=row.key)
        one_by_one._sort()  # as sync sorts
        await pilot.pause()
        await their_pilot.pause()
        assert [c.content_width for c in bulk.ordered_columns] == [c.content_width for c in one_by_one.ordered_columns]
        assert drawn(bulk)[1:] == drawn(one_by_one)[1:]


async def test_an_edit_renders_again_only_the_cells_that_changed_and_the_frame_shows_them() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResourceTable)
        table.sync(described(30))
        await settle(pilot)
        drawn(table)
        rendered: list[tuple[int, int]] = []
        original = DataTable._render_cell
        original_quick = ResourceTable._one_line_cell

        # Cells are rendered by DataTable, or drawn by ResourceTable itself when they are short one-liners.
        def counting(self: DataTable[Any], row: int, column: int, *args: Any, **kwargs: Any) -> Any:
            rendered.append((row, column))
            return original(self, row, column, *args, **kwargs)

        def counting_quick(self: ResourceTable, value: Any, row: int, column: int, *args: Any) -> Any:
            lines = original_quick(self, value, row, column, *args)
            if lines is not None:
                rendered.append((row, column))
            return lines

        DataTable._render_cell = counting  # type: ignore[method-assign]
        ResourceTable._one_line_cell = counting_quick  # type: ignore[method-assign]
        try:
            shown_third = table.keys_in_order()[2]
            changed = next(row for row in described(30) if row.key == shown_third)
            table.upsert([Row(changed.key, (changed.cells[0], Text("STOPPED", style="red"), changed.cells[2]))])
            await settle(pilot)
            lines = drawn(table)
        finally:
            DataTable._render_cell = original  # type: ignore[method-assign]
            ResourceTable._one_line_cell = original_quick  # type: ignore[method-assign]
        row = table.get_row_index(changed.key)
        assert "STOPPED" in lines[table.header_height + row]
        # The changed cell, and the header (DataTable renders it anew after any edit): no other row's cells.
        assert {r for r, _ in rendered} <= {row, -1}
        assert (row, 1) in rendered
        assert_fits(table)


async def test_cells_are_rendered_again_when_rows_move_so_clicks_map_to_the_right_row() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResourceTable)
        table.sync(described(10))
        await settle(pilot)
        drawn(table)
        # A new first row (sorted by name) moves every row down one line.
        table.upsert([Row("arn:first", ("a-first-service", Text("RUNNING"), "family:1"))])
        await settle(pilot)
        lines = drawn(table)
        for key in table.keys_in_order():
            assert plain(table._shown[key][0]) in lines[table.header_height + table.get_row_index(key)]
        strips = table.render_lines(Region(0, table.header_height + 3, table.size.width, 1))
        metas = {segment.style.meta.get("row") for segment in strips[0] if segment.style and segment.style.meta}
        assert metas == {3}
