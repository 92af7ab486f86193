"""A DataTable keyed by ARN that updates in place: only changed cells change, cursor and sort survive."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey

Cell = str | Text


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    cells: tuple[Cell, ...]


def plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


_COUNT = re.compile(r"^(\d+)(?:/(\d+))?$")
_AGE = re.compile(r"^(\d+)([smhd])$")
_AGE_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def sort_key(cell: object) -> tuple[int, float, str]:
    """Numbers ('12', '3/12') and ages ('42s', '5m') sort by value, before text; text sorts case-blind."""
    text = plain(cell).strip()
    if match := _COUNT.match(text):
        return (0, float(match.group(1)), text)
    if match := _AGE.match(text):
        return (0, float(match.group(1)) * _AGE_SECONDS[match.group(2)], text)
    return (1, 0.0, text.lower())


class ResourceTable(DataTable[Cell]):
    """Rows are keyed by a stable id (an ARN); `sync` applies a whole new listing as a minimal edit."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", id="table.open"),
        Binding("o", "cycle_sort", "Sort by next column", show=False, id="table.sort"),
        Binding("O", "reverse_sort", "Reverse sort", show=False, id="table.reverse_sort"),
    ]

    def __init__(self, columns: Sequence[Column], *, sort_column: str | None = None, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.column_specs = tuple(columns)
        self.sort_column: str | None = sort_column or (columns[0].key if columns else None)
        self.sort_reverse = False
        self.filter_text = ""
        self._all: dict[str, tuple[Cell, ...]] = {}
        self._shown: dict[str, tuple[Cell, ...]] = {}

    def on_mount(self) -> None:
        for column in self.column_specs:
            self.add_column(column.label, key=column.key, width=column.width)

    def set_columns(self, columns: Sequence[Column], sort_column: str | None = None) -> None:
        """Show other columns (and no rows until the next sync)."""
        self.clear(columns=True)
        self.column_specs = tuple(columns)
        self.sort_column = sort_column or (columns[0].key if columns else None)
        self._all, self._shown = {}, {}
        self.on_mount()

    # -- what the screen asks -------------------------------------------------------------
    @property
    def total_count(self) -> int:
        return len(self._all)

    @property
    def shown_count(self) -> int:
        return len(self._shown)

    @property
    def selected_key(self) -> str | None:
        if not self._shown or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return row_key.value

    def select_key(self, key: str) -> bool:
        """Put the cursor on a row by its key; False when that row is not shown."""
        if key not in self._shown:
            return False
        self.move_cursor(row=self.get_row_index(key), animate=False)
        return True

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip()
        self._apply()

    def sync(self, rows: Sequence[Row]) -> bool:
        """Make the table show exactly these rows (through the filter). True when anything changed."""
        self._all = {row.key: row.cells for row in rows}
        return self._apply()

    # -- how -------------------------------------------------------------------------------
    def _matches(self, cells: tuple[Cell, ...]) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        return any(needle in plain(cell).lower() for cell in cells)

    def _apply(self) -> bool:
        wanted = {key: cells for key, cells in self._all.items() if self._matches(cells)}
        selected = self.selected_key
        cursor_row = self.cursor_row
        changed = False
        resort = False
        sort_index = self._sort_index()
        with self.app.batch_update():
            for key in [k for k in self._shown if k not in wanted]:
                self.remove_row(key)
                del self._shown[key]
                changed = True
            for key, cells in wanted.items():
                old = self._shown.get(key)
                if old is None:
                    self.add_row(*cells, key=key)
                    changed = resort = True
                elif old != cells:
                    for index, (before, after) in enumerate(zip(old, cells, strict=False)):
                        if before != after:
                            self.update_cell(key, self.column_specs[index].key, after)
                            resort = resort or index == sort_index
                    changed = True
                self._shown[key] = cells
            if resort:
                self._sort()
            if selected is not None and selected in self._shown:
                self.move_cursor(row=self.get_row_index(selected), animate=False, scroll=False)
            elif self.row_count:
                self.move_cursor(row=min(max(cursor_row, 0), self.row_count - 1), animate=False, scroll=False)
        return changed

    def _sort_index(self) -> int | None:
        for index, column in enumerate(self.column_specs):
            if column.key == self.sort_column:
                return index
        return None

    def _sort(self) -> None:
        if self.sort_column is None or not self.row_count:
            return
        self.sort(self.sort_column, key=sort_key, reverse=self.sort_reverse)

    def _resort_keeping_cursor(self) -> None:
        selected = self.selected_key
        self._sort()
        if selected is not None:
            self.select_key(selected)

    def action_cycle_sort(self) -> None:
        keys = [c.key for c in self.column_specs]
        index = keys.index(self.sort_column) if self.sort_column in keys else -1
        self.sort_column = keys[(index + 1) % len(keys)]
        self.sort_reverse = False
        self._resort_keeping_cursor()
        self.notify(f"Sorted by {self.column_specs[(index + 1) % len(keys)].label}", timeout=2)

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._resort_keeping_cursor()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = key, False
        self._resort_keeping_cursor()
        event.stop()

    def row_key_at_cursor(self) -> RowKey | None:
        key = self.selected_key
        return RowKey(key) if key is not None else None
