"""A DataTable keyed by ARN that updates in place: only changed cells change, cursor and sort survive."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast, overload

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual._types import SegmentLines
from textual.binding import Binding
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, CellKey, ColumnKey, RowKey
from textual.widgets.data_table import Column as DataColumn
from textual.widgets.data_table import Row as TableRow

from ecstui.ui.inert import inert, make_inert, notify_inert, visible
from ecstui.ui.widgets.column_fit import Priority, fit_columns

# What a screen may give as a cell: a str is outside data, shown as its characters (never read as markup); a
# Text keeps its styles and has its unprintable characters made visible. The table itself only holds Text.
Cell = str | Text


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int | None = None
    # What goes first when the table is narrower than its columns (see column_fit); an identity column is cut
    # short, down to min_width, before anything essential goes.
    priority: Priority = Priority.USEFUL
    min_width: int = 12


@dataclass
class _FittedColumn(DataColumn):
    """DataTable's column, drawn at the width fit_columns gave it (None: its natural width; 0: not shown)."""

    fitted: int | None = None

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        if self.fitted is None:
            return super().get_render_width(data_table)
        return 0 if self.fitted == 0 else self.fitted + 2 * data_table.cell_padding


def inert_cell(cell: Cell) -> Text:
    """A cell as the table holds it: Text drawn as its characters on one line (str made inert, Text kept when
    already safe, so that a cell made once is the same object on every refresh)."""
    if isinstance(cell, Text):
        return make_inert(cell, multiline=False)
    return inert(cell)


def inert_cells(cells: tuple[Cell, ...]) -> tuple[Text, ...]:
    """Every cell of a row through the door; the same tuple when every cell is already safe Text (the common
    case of a row made once and handed over again), so that identity still says "unchanged"."""
    for cell in cells:
        if not (isinstance(cell, Text) and cell.plain.isprintable()):
            return tuple(inert_cell(cell) for cell in cells)
    return cast("tuple[Text, ...]", cells)


@dataclass(frozen=True, slots=True, init=False)
class Row:
    """One row as it enters the table: its cells are made inert here, once, whatever the screen gave."""

    key: str
    cells: tuple[Text, ...]

    def __init__(self, key: str, cells: tuple[Cell, ...]) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "cells", inert_cells(cells))


def plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


_COUNT = re.compile(r"^(\d+)(?:/(\d+))?$")
_AGE = re.compile(r"^(\d+)([smhd])$")
_AGE_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# A percentage, perhaps followed by a sparkline ('42% ▂▃▅'): the services pane's CPU and Mem.
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%(?:\s|$)")


def sort_key(cell: object) -> tuple[int, float, str]:
    """Numbers ('12', '3/12'), percentages ('42%') and ages ('42s', '5m') sort by value, before text; text sorts
    case-blind."""
    text = plain(cell).strip()
    if match := _COUNT.match(text):
        return (0, float(match.group(1)), text)
    if match := _PERCENT.match(text):
        return (0, float(match.group(1)), text)
    if match := _AGE.match(text):
        return (0, float(match.group(1)) * _AGE_SECONDS[match.group(2)], text)
    return (1, 0.0, text.lower())


def cell_width(cell: object) -> int:
    """Terminal cells a one-line cell takes (the widest line if it has several)."""
    return max((cell_len(line) for line in plain(cell).splitlines()), default=0)


def display_width(cell: object) -> int:
    """The width DataTable gives a cell of a one-line row (a str is measured as the characters it shows: the
    table never reads one as markup)."""
    if isinstance(cell, Text):
        text = cell.plain
    elif isinstance(cell, str):
        text = visible(cell)
    else:
        return cell_width(cell)
    return cell_len(text) if "\n" not in text else cell_width(text)


def _cut_short(value: Cell, room: int) -> Cell:
    """A cell wider than the room its column was given (a name cut short by fit_columns), ending in an ellipsis."""
    if not isinstance(value, Text) or room <= 0 or cell_len(value.plain) <= room or "\n" in value.plain:
        return value
    shown = value.copy()
    shown.truncate(room, overflow="ellipsis")
    return shown


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


class _OrderedRows(Sequence[TableRow]):
    """DataTable's rows in display order, looked up when asked for.

    DataTable lists every row to answer this (once per edit, and again whenever it drops its caches), so a key
    press that only needs the first rows (fixed offset) or a page of them (page down) cost O(rows); a view
    costs what is read from it, and a slice of it is a view too.
    """

    def __init__(self, table: ResourceTable, indices: range) -> None:
        self._table = table
        self._indices = indices

    def __len__(self) -> int:
        return len(self._indices)

    @overload
    def __getitem__(self, index: int) -> TableRow: ...
    @overload
    def __getitem__(self, index: slice) -> _OrderedRows: ...
    def __getitem__(self, index: int | slice) -> TableRow | _OrderedRows:
        if isinstance(index, slice):
            return _OrderedRows(self._table, self._indices[index])
        key = self._table._row_locations.get_key(self._indices[index])
        if key is None:
            raise IndexError(index)
        return self._table.rows[key]


class ResourceTable(DataTable[Text]):
    """Rows are keyed by a stable id (an ARN); `sync` applies a whole new listing as a minimal edit.

    Every row is one line high, which lets the table answer "which row is at line y" and "where is row i"
    in O(1) (DataTable sums the heights of all rows above); rendering draws only the visible lines, so
    a frame, a key press and an edit of a few rows cost the same whatever the number of rows.
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", id="table.open"),
        Binding("o", "cycle_sort", "Sort by next column", show=False, id="table.sort"),
        Binding("O", "reverse_sort", "Reverse sort", show=False, id="table.reverse_sort"),
        # k9s's and vi's: what k9s users' fingers do first.
        Binding("j", "cursor_down", "Next row", show=False, id="table.next_row"),
        Binding("k", "cursor_up", "Previous row", show=False, id="table.previous_row"),
        Binding("g", "scroll_top", "First row", show=False, id="table.first_row"),
        Binding("G", "scroll_bottom", "Last row", show=False, id="table.last_row"),
    ]

    def __init__(self, columns: Sequence[Column], *, sort_column: str | None = None, id: str | None = None) -> None:
        # Rendered cells by place and style, with the value they were rendered from (see _render_cell); set
        # before DataTable's __init__, which may clear caches.
        self._kept_cells: LRUCache[tuple[object, ...], tuple[Cell, SegmentLines]] = LRUCache(4096)
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.column_specs = tuple(columns)
        self.sort_column: str | None = sort_column or (columns[0].key if columns else None)
        self.sort_reverse = False
        self.filter_text = ""
        self._all: dict[str, tuple[Text, ...]] = {}
        self._shown: dict[str, tuple[Text, ...]] = {}
        # The column widths that lines cached under the current _update_count were drawn at (_update_dimensions).
        self._drawn_widths: tuple[tuple[ColumnKey, int], ...] = ()

    def on_mount(self) -> None:
        self._ensure_columns()

    def _ensure_columns(self) -> None:
        # Rows that arrive before the columns exist (a fetch can finish before on_mount on a busy machine)
        # would be measured against no columns, leaving every column as narrow as its header.
        if not self.columns:
            for column in self.column_specs:
                key = self.add_column(column.label, key=column.key, width=column.width)
                added = self.columns[key]
                self.columns[key] = _FittedColumn(
                    added.key, added.label, added.width, added.content_width, added.auto_width
                )

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> bool:
        """Draw each column at the width fit_columns gives it in the table's width; True if any width changed."""
        available = self.scrollable_content_region.width
        columns = self.ordered_columns
        if available <= 0 or len(columns) != len(self.column_specs):
            return False
        natural = [column.content_width if column.auto_width else column.width for column in columns]
        shown = fit_columns(self.column_specs, natural, available, padding=2 * self.cell_padding)
        changed = False
        for column, width, full in zip(columns, shown, natural, strict=True):
            fitted = None if width == full else width
            if isinstance(column, _FittedColumn) and column.fitted != fitted:
                column.fitted = fitted
                changed = True
        if changed:
            self._require_update_dimensions = True
            self._update_count += 1
            self.refresh()
        return changed

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
    def held_cells(self) -> Mapping[str, tuple[Text, ...]]:
        """Every row's cells as last given (filtered out or not), by key: a caller that kept the same tuple for an
        unchanged row can tell by identity which rows it has to hand over."""
        return self._all

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

    @property
    def lines_in_view(self) -> int:
        """How many rows the table has room for under its header (0 or less before it has been laid out)."""
        return self.scrollable_content_region.height - (self.header_height if self.show_header else 0)

    def visible_keys(self, margin: int = 0) -> list[str]:
        """Keys of the rows in view (and `margin` rows either side), top to bottom.

        Before the table has been laid out, the first rows, as many as a tall terminal shows.
        """
        height = self.lines_in_view
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
    def _matches(self, cells: tuple[Text, ...]) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        return any(needle in plain(cell).lower() for cell in cells)

    def _apply(self) -> bool:
        wanted = self._all if not self.filter_text else {k: c for k, c in self._all.items() if self._matches(c)}
        return self._edit(wanted, gone=[key for key in self._shown if key not in wanted])

    def _edit(self, wanted: dict[str, tuple[Text, ...]], gone: Sequence[str]) -> bool:
        """Remove `gone`, add or update `wanted`; re-sort only when rows were added or a sort cell changed.

        The cost is that of the rows given, whatever the size of the table: changed rows are written in place
        and measured only for growth, many new rows are added in one pass, and DataTable's caches are dropped
        once for the whole edit (not once a cell).
        """
        self._ensure_columns()
        selected = self.selected_key
        cursor_row = self.cursor_row
        line = self._cursor_line()
        sort_index = self._sort_index()
        shown = self._shown
        added: dict[str, tuple[Text, ...]] = {}
        updated: list[str] = []
        resort = widened = False
        columns = self.ordered_columns
        with self.app.batch_update():
            removed = bool(gone)
            if removed:
                self._remove_rows(gone)
            for key, cells in wanted.items():
                old = shown.get(key)
                if old is cells:
                    continue  # the same tuple: nothing to compare (the common case of an unchanged row)
                if old is None:
                    added[key] = cells
                elif old != cells:
                    widened = self._write_cells(key, cells, columns) or widened
                    updated.append(key)
                    if sort_index is not None and sort_key(old[sort_index]) != sort_key(cells[sort_index]):
                        resort = True
                shown[key] = cells
            if added:
                self._add_rows(added)
                resort = True
            if updated:
                self._update_count += 1  # DataTable's cached cells and lines are keyed by this count
                if widened:
                    self._require_update_dimensions = True
                    self.refresh()
                elif not (removed or added or resort):
                    self._repaint_rows(updated)
            if resort:
                self._sort()
            if not (removed or added or updated):
                return False
            if not (removed or resort):
                return True  # rows kept their places: the cursor is where it was
            if selected is not None and selected in shown:
                self.move_cursor(row=self.get_row_index(selected), animate=False, scroll=False)
                self._keep_on_its_line(line)
            elif self.row_count:
                self.move_cursor(row=min(max(cursor_row, 0), self.row_count - 1), animate=False, scroll=False)
        return True

    def _write_cells(self, key: str, cells: tuple[Text, ...], columns: Sequence[DataColumn]) -> bool:
        """Put a row's new cells in place, widening a column that a new value needs more room in (True if any).

        Only growth is measured: DataTable re-measures the whole column when a value shrinks, O(rows).
        """
        data = self._data[RowKey(key)]
        widened = False
        for column, value in zip(columns, cells, strict=False):
            data[column.key] = value
            text = value.plain if isinstance(value, Text) else value
            if 2 * len(text) <= column.content_width:
                continue  # fits even if every character is double-width: nothing to measure
            width = display_width(value)
            if width > column.content_width:
                column.content_width = width
                widened = True
        return widened

    def _repaint_rows(self, keys: Sequence[str]) -> None:
        """Repaint the lines of these rows that are in view, and nothing else.

        A whole-widget refresh would draw every visible line again (a few milliseconds a screenful) for a
        refresh whose changes are mostly out of view; lines already drawn stay valid when their rows did not
        change, since the rows kept their places and the columns their widths.
        """
        top = int(self.scroll_y)
        bottom = top + max(0, self.lines_in_view)
        locations = self._row_locations
        for key in keys:
            index = locations.get(RowKey(key))
            if index is not None and top <= index < bottom:
                self.refresh_row(index)

    def _add_rows(self, rows: dict[str, tuple[Text, ...]]) -> None:
        """Append rows (the caller sorts). A few go through DataTable.add_row; many are added in one pass.

        DataTable measures each added row with Rich on its next idle, some 0.1 ms a row: 2,000 placeholder rows
        of a big cluster would hold the screen for a fifth of a second. One-line cells are measured here instead,
        as DataTable would measure them, and nothing is left for the idle but the table's size.
        """
        if len(rows) < 20:
            for key, cells in rows.items():
                self.add_row(*cells, key=key)
            return
        had_rows = self.row_count > 0
        columns = self.ordered_columns
        column_keys = [column.key for column in columns]
        widths = [column.content_width for column in columns]
        measured: dict[int, int] = {}  # by id: every cell stays alive in `rows` for the whole loop
        index = self.row_count
        for key, cells in rows.items():
            row_key = RowKey(key)
            self._row_locations[row_key] = index
            index += 1
            self._data[row_key] = dict(zip(column_keys, cells, strict=False))
            self.rows[row_key] = TableRow(row_key, 1)
            for position, value in enumerate(cells):
                # Placeholder rows share their cell objects: each is measured once.
                width = measured.get(id(value))
                if width is None:
                    width = measured[id(value)] = display_width(value)
                if width > widths[position]:
                    widths[position] = width
        for column, width in zip(columns, widths, strict=True):
            column.content_width = width
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate
        if not had_rows and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self.refresh()
        self.check_idle()

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
        if self._fit():
            return  # drawn again at the fitted widths, and measured again, on the next idle
        widths = (
            (self._label_column.key, self._label_column.content_width),
            *((key, column.get_render_width(self)) for key, column in self.columns.items()),
        )
        if widths != self._drawn_widths:
            self._drawn_widths = widths
            self._update_count += 1
            self.refresh()

    # Cell renders outlive edits of other rows. DataTable keys every cached cell by its edit counter, so one
    # changed row makes the next frame render every visible cell again with Rich (some 50 ms for a screenful
    # of services); here a cell is rendered again only when its value (the same object), place, width or
    # style changed.
    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        if width <= 0:
            return [[] for _ in range(max(1, self.header_height))]  # a column not shown at this width
        if row_index < 0 or column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        row = self._data.get(row_key) if row_key is not None else None
        if row is None or column_key is None or column_key not in row:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        value = row[column_key]
        # Everything DataTable's own key holds but its edit counter; the row index is in it because the
        # rendered cell carries it (for mouse clicks).
        key = (
            row_index,
            column_index,
            base_style,
            width,
            cursor,
            hover,
            self._show_hover_cursor,
            self._pseudo_class_state,
        )
        cached = self._kept_cells.get(key)
        if cached is not None and cached[0] is value:
            return cached[1]
        shown = _cut_short(value, width - 2 * self.cell_padding)
        lines = self._one_line_cell(shown, row_index, column_index, base_style, width, cursor, hover)
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._kept_cells[key] = (value, lines)  # the value is held, so `is` above cannot match a new object
        return lines

    def _one_line_cell(
        self, value: Cell, row_index: int, column_index: int, base_style: Style, width: int, cursor: bool, hover: bool
    ) -> SegmentLines | None:
        """The segments DataTable draws for a cell whose text fits its column on one line, made directly; None
        for any other cell (DataTable renders those).

        DataTable sends every cell through Rich's general layout (markup, padding, wrapping, cropping, styling):
        some 0.4 ms a cell, so the first frame of a pane of 32 rows and 8 columns, and every page down, took a
        tenth of a second or more. Its result for a short one-line text is the text's segments between the
        cell padding, padded to the width, with the cell's styles applied; a test compares the two cell by cell.
        """
        if isinstance(value, Text):
            if value.justify not in (None, "default") or value.overflow not in (None, "fold", "ellipsis"):
                return None
            plain = value.plain
        elif isinstance(value, str):
            plain = visible(value)  # not held (Row makes every cell Text), but never markup if it were
        else:
            return None
        padding = self.cell_padding
        room = width - 2 * padding
        if not plain or len(plain) > room or not plain.replace("…", ".").isascii() or not plain.isprintable():
            return None  # empty, cropped, wide or control characters: DataTable's own way
        if isinstance(value, Text) and (value.style or value.spans):
            # As Rich renders a Text: its own style becomes a span under the spans it has.
            segments = list(Text("\n").join([value]).render(self.app.console))
        else:
            segments = [Segment(plain)]  # an unstyled cell (most str data, made inert): just its characters
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        blank = Style.null()
        line = [Segment(" " * padding, blank), *segments] if padding else segments
        if room > len(plain):
            line.append(Segment(" " * (room - len(plain)), blank))
        if padding:
            line.append(Segment(" " * padding, blank))
        return [list(Segment.apply_style(line, pre_style, post_style))]

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._kept_cells.clear()

    @property
    def ordered_rows(self) -> _OrderedRows:  # type: ignore[override]
        return _OrderedRows(self, range(self.row_count))

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
        line = self._cursor_line()
        self._sort()
        if selected is not None and self.select_key(selected):
            self._keep_on_its_line(line)

    def _cursor_line(self) -> int | None:
        """The screen line (from the table's top row) the cursor's row is drawn on; None when it is out of view."""
        if self.selected_key is None:
            return None
        line = self.cursor_row - int(self.scroll_y)
        return line if 0 <= line < max(1, self.lines_in_view) else None

    def _keep_on_its_line(self, line: int | None) -> None:
        # Rows inserted above the cursor's (a progressive load's batch, a sort) move its row down: the view scrolls
        # by as much, so the row the user is reading stays under their eyes, on the line it was on.
        if line is None or self.cursor_row - int(self.scroll_y) == line:
            return
        # Every row here is one line high; the table would learn its new height only on its next idle, and a
        # scroll past the old height would be cut short.
        height = (self.header_height if self.show_header else 0) + self.row_count
        if self.virtual_size.height < height:
            self.virtual_size = Size(self.virtual_size.width, height)
        self.scroll_to(y=max(0, self.cursor_row - line), animate=False, immediate=True)

    def action_cycle_sort(self) -> None:
        keys = [c.key for c in self.column_specs]
        index = keys.index(self.sort_column) if self.sort_column in keys else -1
        self.sort_column = keys[(index + 1) % len(keys)]
        self.sort_reverse = False
        self._resort_keeping_cursor()
        notify_inert(self, f"Sorted by {self.column_specs[(index + 1) % len(keys)].label}", timeout=2)

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
