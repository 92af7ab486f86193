"""A DataTable keyed by ARN that updates in place: only changed cells change, cursor and sort survive."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, CellKey, ColumnKey, RowKey

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


def cell_width(cell: object) -> int:
    """Terminal cells a one-line cell takes (the widest line if it has several)."""
    return max((cell_len(line) for line in plain(cell).splitlines()), default=0)


class _OneLineRowOffsets:
    """DataTable's y -> (row key, line in row) map for a table whose rows are all one line high.

    DataTable rebuilds that map as a list of every line after each edit (its cache is keyed by an edit
    counter), which makes the first frame after any change O(rows). With one-line rows the answer is
    the row at index y, so it is computed on demand instead: an edit costs the same with 50 rows or 5,000.
    """

    def __init__(self, table: ResourceTable) -> None:
        self._table = table

    def __len__(self) -> int:
        return self._table.row_count

    def __getitem__(self, y: int) -> tuple[RowKey, int]:
        if not 0 <= y < self._table.row_count:
            raise IndexError(y)
        key = self._table._row_locations.get_key(y)
        if key is None:
            raise IndexError(y)
        return key, 0

    def clear(self) -> None:
        """Nothing is cached (DataTable.clear calls this)."""


class ResourceTable(DataTable[Cell]):
    """Rows are keyed by a stable id (an ARN); `sync` applies a whole new listing as a minimal edit.

    Every row is one line high, which lets the table answer "which row is at line y" and "where is row i"
    in O(1) (DataTable sums the heights of all rows above); rendering draws only the visible lines, so
    a frame, a key press and an edit of a few rows cost the same whatever the number of rows.
    """

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
        # The column widths that lines cached under the current _update_count were drawn at (_update_dimensions).
        self._drawn_widths: tuple[tuple[ColumnKey, int], ...] = ()

    def on_mount(self) -> None:
        self._ensure_columns()

    def _ensure_columns(self) -> None:
        # Rows that arrive before the columns exist (a fetch can finish before on_mount on a busy machine)
        # would be measured against no columns, leaving every column as narrow as its header.
        if not self.columns:
            for column in self.column_specs:
                self.add_column(column.label, key=column.key, width=column.width)

    def set_columns(self, columns: Sequence[Column], sort_column: str | None = None) -> None:
        """Show other columns (and no rows until the next sync)."""
        self.clear(columns=True)
        self.column_specs = tuple(columns)
        self.sort_column = sort_column or (columns[0].key if columns else None)
        self._all, self._shown = {}, {}
        self._ensure_columns()

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

    def upsert(self, rows: Iterable[Row]) -> bool:
        """Add or update just these rows, leaving every other row as it is. True when anything changed.

        For a listing that arrives in pieces (a large cluster described ten services at a time): the cost
        is that of the rows given, not of the whole table.
        """
        changed_rows = [row for row in rows if self._all.get(row.key) != row.cells]
        if not changed_rows:
            return False
        for row in changed_rows:
            self._all[row.key] = row.cells
        return self._edit(
            {row.key: row.cells for row in changed_rows if self._matches(row.cells)},
            gone=[row.key for row in changed_rows if row.key in self._shown and not self._matches(row.cells)],
        )

    def discard(self, keys: Iterable[str]) -> bool:
        """Remove these rows (those that exist). True when any did."""
        gone = [key for key in keys if self._all.pop(key, None) is not None]
        shown = [key for key in gone if key in self._shown]
        return self._edit({}, gone=shown) if shown else bool(gone)

    def visible_keys(self, margin: int = 0) -> list[str]:
        """Keys of the rows in view (and `margin` rows either side), top to bottom.

        Before the table has been laid out, the first rows, as many as a tall terminal shows.
        """
        height = self.scrollable_content_region.height - (self.header_height if self.show_header else 0)
        if height <= 0:
            height = 60
        top = max(0, int(self.scroll_y) - margin)
        bottom = min(self.row_count, int(self.scroll_y) + height + margin)
        locations = self._row_locations
        keys = (locations.get_key(index) for index in range(top, bottom))
        return [key.value for key in keys if key is not None and key.value is not None]

    def keys_in_order(self) -> list[str]:
        """Keys of every shown row, in the order they are displayed."""
        locations = self._row_locations
        keys = (locations.get_key(index) for index in range(self.row_count))
        return [key.value for key in keys if key is not None and key.value is not None]

    # -- how -------------------------------------------------------------------------------
    def _matches(self, cells: tuple[Cell, ...]) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        return any(needle in plain(cell).lower() for cell in cells)

    def _apply(self) -> bool:
        wanted = self._all if not self.filter_text else {k: c for k, c in self._all.items() if self._matches(c)}
        return self._edit(wanted, gone=[key for key in self._shown if key not in wanted])

    def _edit(self, wanted: dict[str, tuple[Cell, ...]], gone: Sequence[str]) -> bool:
        """Remove `gone`, add or update `wanted`; re-sort only when rows were added or a sort cell changed."""
        self._ensure_columns()
        selected = self.selected_key
        cursor_row = self.cursor_row
        changed = False
        resort = False
        sort_index = self._sort_index()
        shown = self._shown
        with self.app.batch_update():
            if gone:
                self._remove_rows(gone)
                changed = True
            for key, cells in wanted.items():
                old = shown.get(key)
                if old is cells:
                    continue  # the same tuple: nothing to compare (the common case of an unchanged row)
                if old is None:
                    self.add_row(*cells, key=key)
                    changed = resort = True
                elif old != cells:
                    for index, (before, after) in enumerate(zip(old, cells, strict=False)):
                        if before != after:
                            self._update_cell(key, index, after)
                            resort = resort or index == sort_index
                    changed = True
                shown[key] = cells
            if resort:
                self._sort()
            if not changed:
                return False
            if selected is not None and selected in shown:
                self.move_cursor(row=self.get_row_index(selected), animate=False, scroll=False)
            elif self.row_count:
                self.move_cursor(row=min(max(cursor_row, 0), self.row_count - 1), animate=False, scroll=False)
        return changed

    def _update_cell(self, key: str, index: int, value: Cell) -> None:
        column_key = self.column_specs[index].key
        column = self.columns.get(ColumnKey(column_key))
        # Widen the column when the new value needs it (a row that arrived as "…" and is now described).
        # Only growth is measured: DataTable re-measures the whole column when a value shrinks, O(rows).
        wider = column is not None and cell_width(value) > column.content_width
        self.update_cell(key, column_key, value, update_width=wider)

    def _remove_rows(self, keys: Sequence[str]) -> None:
        if len(keys) == 1:
            self.remove_row(keys[0])
            del self._shown[keys[0]]
            return
        # DataTable.remove_row renumbers every row, O(rows) for each one removed; renumber once for all.
        gone = set(keys)
        order = [key for key in self.keys_in_order() if key not in gone]
        for key in gone:
            row_key = RowKey(key)
            for column_key in self._data.get(row_key, {}):
                self._updated_cells.discard(CellKey(row_key, column_key))
            self.rows.pop(row_key, None)
            self._data.pop(row_key, None)
            self._new_rows.discard(row_key)
            del self._shown[key]
        self._row_locations = TwoWayDict({RowKey(key): index for index, key in enumerate(order)})
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate
        self.hover_coordinate = self.hover_coordinate
        self.refresh(layout=True)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable measures added and widened cells when it idles; make frames drawn before that not stick.

        DataTable caches every drawn cell, row and line under `_update_count`, which each edit bumps; but the
        measuring on idle (here, and `_update_column_widths` just before it) changes column widths without
        bumping it. A frame drawn between an edit and the table's next idle (the screen's refresh can come
        first on a busy machine) therefore cached lines at the old widths, often the headers' widths, and
        every later frame reused them until some other edit: a table drawn with every column cut to its
        header. When the widths change, the cached lines are dropped by a new `_update_count`.
        """
        super()._update_dimensions(new_rows)
        widths = (
            (self._label_column.key, self._label_column.content_width),
            *((key, column.content_width) for key, column in self.columns.items()),
        )
        if widths != self._drawn_widths:
            self._drawn_widths = widths
            self._update_count += 1
            self.refresh()

    # One-line rows: O(1) geometry instead of DataTable's sums over every row above.
    @property
    def _y_offsets(self) -> _OneLineRowOffsets:  # type: ignore[override]
        return _OneLineRowOffsets(self)

    def _get_row_region(self, row_index: int) -> Region:
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        row_width = sum(column.get_render_width(self) for column in self.columns.values())
        row_width += self._row_label_column_width
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(0, y, max(self.size.width, row_width), 1)

    def _get_cell_region(self, coordinate: Coordinate) -> Region:
        if not self.is_valid_coordinate(coordinate):
            return Region(0, 0, 0, 0)
        row_index, column_index = coordinate
        ordered_columns = self.ordered_columns
        x = sum(column.get_render_width(self) for column in ordered_columns[:column_index])
        x += self._row_label_column_width
        width = ordered_columns[column_index].get_render_width(self)
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(x, y, width, 1)

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
