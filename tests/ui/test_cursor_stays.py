"""While a big table loads (rows arriving above the cursor's) or is sorted again, the row under the cursor stays
under the cursor, on the same screen line."""

from __future__ import annotations

from textual.app import App, ComposeResult

from ecstui.ui.widgets.resource_table import Column, ResourceTable, Row

COLUMNS = (Column("name", "Name"), Column("status", "Status"))


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable(COLUMNS, sort_column="name", id="table")


def rows(numbers: range) -> list[Row]:
    return [Row(f"svc-{n:03}", (f"svc-{n:03}", "ACTIVE")) for n in numbers]


def screen_line(table: ResourceTable) -> int:
    return table.cursor_row - int(table.scroll_y)


async def test_rows_arriving_above_the_cursor_move_the_view_with_its_row() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.sync(rows(range(100, 200)))  # the second half of the listing came first
        await pilot.pause()
        table.select_key("svc-150")
        table.scroll_to(y=table.cursor_row - 5, animate=False, immediate=True)  # the row mid-screen, not at an edge
        await pilot.pause()
        line = screen_line(table)
        assert line == 5
        # The first half arrives: 100 rows sort in above the cursor's.
        table.upsert(rows(range(0, 100)))
        await pilot.pause()
        assert table.selected_key == "svc-150"
        assert screen_line(table) == line
        # And once more with a few rows: still on the same line.
        table.upsert([*rows(range(200, 210)), Row("svc-099a", ("svc-099a", "ACTIVE"))])
        await pilot.pause()
        assert table.selected_key == "svc-150" and screen_line(table) == line


async def test_a_new_sort_keeps_the_row_on_its_line() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.sync(rows(range(0, 100)))
        await pilot.pause()
        table.select_key("svc-030")
        table.scroll_to(y=table.cursor_row - 5, animate=False, immediate=True)
        await pilot.pause()
        line = screen_line(table)
        assert line == 5
        table.action_reverse_sort()  # svc-030 goes 70 rows down
        await pilot.pause()
        assert table.selected_key == "svc-030"
        assert screen_line(table) == line
