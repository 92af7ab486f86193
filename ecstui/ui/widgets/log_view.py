"""A log pane's lines on Textual's line API: the last N held in a ring, only the rows on screen ever rendered.

No widget per line (toolong's way): `render_line` finds the row's line (directly while every line is one row,
else by bisecting the rows' start offsets) and draws it from an LRU cache of rendered strips, so a frame costs
what the screen shows whatever the number of lines held. Every message is drawn through the text door
(`visible`): an escape sequence or a control character in a log line shows as ``␛``/``␇``, never reaches the
terminal, and no markup in a line is parsed (lines become `Text` from plain strings only).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from datetime import datetime

from rich.cells import cell_len, get_character_cell_size
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ecstui.aws.logs import LogLine
from ecstui.ui.inert import visible

DEFAULT_MAX_LINES = 100_000
TIMESTAMP_FORMAT = "%m-%d %H:%M:%S"
TIMESTAMP_WIDTH = len("12-02 04:03:25.123 ")
SHORT_TASK_ID = 8  # what ECS's console shows of a 32-character task id
# One colour per task in merged service logs; none of them red, which reads as an error.
TASK_COLOURS = (
    "cyan",
    "magenta",
    "green",
    "yellow",
    "bright_blue",
    "bright_magenta",
    "bright_cyan",
    "bright_green",
    "dark_orange",
    "medium_purple",
)
# A copy of every held line can reach 100,000 lines; a terminal's OSC 52 clipboard takes far less.
COPY_LIMIT_CHARS = 1_000_000


def display_parts(message: str) -> tuple[str, ...]:
    """A message as the rows it is drawn on before wrapping: one per line of a multi-line event (a stack trace
    sent as one event), tabs expanded, every other unprintable character made visible by the text door."""
    text = message.rstrip("\r\n")
    if text.isprintable():
        return (text,)
    parts = text.replace("\r\n", "\n").split("\n")
    return tuple(visible(part.expandtabs(4)) for part in parts)


def pretty_json(message: str) -> tuple[str, ...] | None:
    """A JSON message (or a prefix followed by JSON, as many loggers write) indented, one row per line;
    None when the message holds no JSON object or array."""
    text = message.strip()
    starts = [at for at in (text.find("{"), text.find("[")) if at >= 0]
    if not starts:
        return None
    start = min(starts)
    try:
        value = json.loads(text[start:])
    except ValueError:
        return None
    if not isinstance(value, dict | list):
        return None
    head = text[:start].rstrip()
    # json.dumps writes control characters as \u escapes; what else cannot be shown goes through the door.
    rows = json.dumps(value, indent=2, ensure_ascii=False).split("\n")
    return tuple(visible(row) for row in ([head] if head else []) + rows)


def fold_offsets(text: str, width: int) -> list[int]:
    """Where each row of `text` starts when folded at `width` cells (character wrap, as `less` folds)."""
    width = max(1, width)
    if text.isascii():
        return list(range(0, len(text), width)) or [0]
    cuts, used = [0], 0
    for index, char in enumerate(text):
        size = get_character_cell_size(char)
        if used + size > width and used:
            cuts.append(index)
            used = 0
        used += size
    return cuts


def _row_count(text: str, width: int) -> int:
    if text.isascii():
        return max(1, -(-len(text) // max(1, width)))
    return len(fold_offsets(text, width))


def stamp_text(line: LogLine) -> str:
    """A line's time as the pane shows it (UTC, to the millisecond, as CloudWatch keeps it)."""
    stamp = line.timestamp
    return f"{stamp.strftime(TIMESTAMP_FORMAT)}.{stamp.microsecond // 1000:03d}"


def short_task_id(task_id: str | None) -> str:
    return (task_id or "")[:SHORT_TASK_ID]


class _Entry:
    """One held line: what is drawn of it, and how many rows it takes now."""

    __slots__ = ("height", "line", "parts", "pretty", "seq", "widest")

    def __init__(self, seq: int, line: LogLine) -> None:
        self.seq = seq
        self.line = line
        self.parts = display_parts(line.message)
        self.pretty: tuple[str, ...] | None = None
        self.height = 1
        self.widest = max(cell_len(part) for part in self.parts)

    @property
    def rows(self) -> tuple[str, ...]:
        return self.pretty if self.pretty is not None else self.parts


class LogView(ScrollView, can_focus=True):
    """The last `max_lines` log lines, with a cursor line, search, wrap, timestamps, JSON and following."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="logs.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="logs.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="logs.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="logs.page_down"),
        Binding("home,g", "top", "Oldest", show=False, id="logs.top"),
        Binding("end,G,f", "follow", "Follow", id="logs.follow"),
        Binding("t", "toggle_timestamps", "Times", id="logs.timestamps"),
        Binding("w", "toggle_wrap", "Wrap", id="logs.wrap"),
        Binding("J", "pretty_line", "JSON", id="logs.json_line"),
        Binding("P", "pretty_all", "JSON all", show=False, id="logs.json_all"),
        Binding("n", "next_match", "Next match", show=False, id="logs.next"),
        Binding("N", "previous_match", "Previous match", show=False, id="logs.previous"),
    ]

    COMPONENT_CLASSES = {
        "log-view--cursor",
        "log-view--match",
        "log-view--current-match",
        "log-view--timestamp",
        "log-view--indent",
    }

    DEFAULT_CSS = """
    LogView { height: 1fr; }
    LogView > .log-view--cursor { background: $boost; }
    LogView:focus > .log-view--cursor { background: $accent 30%; }
    LogView > .log-view--match { background: $warning 35%; }
    LogView > .log-view--current-match { background: $warning; color: $background; text-style: bold; }
    LogView > .log-view--timestamp { color: $text-muted; }
    LogView > .log-view--indent { color: $text-muted; }
    """

    class StateChanged(Message):
        """Following, paused, lines held, new lines or the search position changed: the pane's header reads it."""

        def __init__(self, view: LogView) -> None:
            super().__init__()
            self.view = view

    class NotJson(Message):
        """`J` on a line that holds no JSON."""

    def __init__(
        self,
        max_lines: int = DEFAULT_MAX_LINES,
        *,
        show_tags: bool = False,
        tag_containers: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.max_lines = max(1, max_lines)
        self.show_tags = show_tags  # a short task id before each line (merged service logs)
        self.tag_containers = tag_containers  # and the container's name (several containers merged)
        self.show_timestamps = True
        self.wrap = False
        self.pretty_all = False
        self.following = True
        self.new_while_paused = 0
        self._entries: list[_Entry] = []
        # Row offset of each entry's first row, absolute (a trimmed front only moves `_base`); parallel to _entries.
        self._starts: list[int] = []
        self._end = 0  # absolute row after the last entry
        self._tall = 0  # entries taking more than one row: while there are none, row n is entry n
        self._next_seq = 0
        self._ids: set[str] = set()  # event ids held: a line delivered twice is drawn once
        self._widest = 0
        self._tag_width = 0
        self._colours: dict[str, str] = {}
        self._cursor: int | None = None  # seq of the cursor line
        self._term = ""
        self._pattern: re.Pattern[str] | None = None
        self._matches: list[int] = []  # seqs of the lines that match, in order
        self._match: int | None = None  # seq of the current match
        self._generation = 0  # bumped when every rendered strip is stale (width, toggles, search, theme)
        self._strips: LRUCache[tuple[int, int, bool, bool], list[Strip]] = LRUCache(4096)
        self._layout_width = 0
        self._styles: dict[str, Style] = {}

    # -- what it holds ---------------------------------------------------------------------------------------
    @property
    def line_count(self) -> int:
        return len(self._entries)

    @property
    def lines(self) -> list[LogLine]:
        return [entry.line for entry in self._entries]

    def lines_since(self, moment: datetime) -> list[LogLine]:
        """The lines held stamped at or after `moment` (the newest are at the end: read from there)."""
        found = []
        for entry in reversed(self._entries):
            if entry.line.timestamp < moment:
                break
            found.append(entry.line)
        found.reverse()
        return found

    def search_matches(self) -> list[LogLine]:
        first = self._entries[0].seq if self._entries else 0
        return [self._entries[seq - first].line for seq in self._matches]

    @property
    def cursor_line(self) -> LogLine | None:
        entry = self._cursor_entry()
        return entry.line if entry is not None else None

    @property
    def last_timestamp(self) -> datetime | None:
        return self._entries[-1].line.timestamp if self._entries else None

    @property
    def search_term(self) -> str:
        return self._term

    @property
    def match_position(self) -> tuple[int, int] | None:
        """(current match, 1-based; number of matching lines), or None with no search."""
        if not self._term:
            return None
        if self._match is None or not self._matches:
            return (0, len(self._matches))
        at = bisect.bisect_left(self._matches, self._match)
        return (at + 1, len(self._matches))

    def assign_colours(self, task_ids: Iterable[str]) -> None:
        """Give tasks their colours in this order (the pane passes its sources' tasks, so colours are stable)."""
        for task_id in task_ids:
            self._colour_of(task_id)

    def _colour_of(self, task_id: str) -> str:
        colour = self._colours.get(task_id)
        if colour is None:
            colour = TASK_COLOURS[len(self._colours) % len(TASK_COLOURS)]
            self._colours[task_id] = colour
        return colour

    # -- adding and removing lines ----------------------------------------------------------------------------
    def append(self, lines: Iterable[LogLine]) -> int:
        """Add lines at the end (lines already held, by event id, are skipped); returns how many were added."""
        added = 0
        for line in lines:
            if line.event_id in self._ids:
                continue
            self._ids.add(line.event_id)
            entry = _Entry(self._next_seq, line)
            self._next_seq += 1
            if self.pretty_all:
                entry.pretty = pretty_json(line.message)
            if self.show_tags:
                self._note_tag(line)
            entry.height = self._height_of(entry)
            if entry.height != 1:
                self._tall += 1
            self._widest = max(self._widest, entry.widest if entry.pretty is None else self._widest_of(entry))
            self._starts.append(self._end)
            self._end += entry.height
            self._entries.append(entry)
            if self._pattern is not None and self._entry_matches(entry):
                self._matches.append(entry.seq)
            added += 1
        if not added:
            return 0
        removed_rows = self._trim()
        if self.following:
            self._cursor = self._entries[-1].seq
        else:
            self.new_while_paused += added
        self._update_virtual_size()
        if self.following:
            self._pin_to_end()
        elif removed_rows:
            # Paused, the lines on screen stay on screen while the oldest are dropped from the top.
            self.scroll_to(y=max(0, self.scroll_y - removed_rows), animate=False, immediate=True, force=True)
        self.refresh()
        self._changed()
        return added

    def replace(self, lines: Iterable[LogLine]) -> None:
        """Hold these lines instead (a new time range or filter pattern), following again."""
        self.clear()
        self.append(lines)

    def clear(self) -> None:
        self._entries.clear()
        self._starts.clear()
        self._ids.clear()
        self._matches.clear()
        self._end = self._tall = self._widest = self._tag_width = 0
        self._cursor = self._match = None
        self.following = True
        self.new_while_paused = 0
        self._invalidate()
        self._update_virtual_size()
        self._changed()

    def _trim(self) -> int:
        """Drop the oldest lines beyond `max_lines`; returns the rows they took."""
        excess = len(self._entries) - self.max_lines
        if excess <= 0:
            return 0
        dropped = self._entries[:excess]
        for entry in dropped:
            self._ids.discard(entry.line.event_id)
            if entry.height != 1:
                self._tall -= 1
        before = self._starts[0]
        del self._entries[:excess]
        del self._starts[:excess]
        first = self._entries[0].seq
        if self._matches and self._matches[0] < first:
            del self._matches[: bisect.bisect_left(self._matches, first)]
        if self._match is not None and self._match < first:
            self._match = self._matches[0] if self._matches else None
        if self._cursor is not None and self._cursor < first:
            self._cursor = first
        return self._starts[0] - before

    # -- rows -------------------------------------------------------------------------------------------------
    @property
    def _base(self) -> int:
        return self._starts[0] if self._starts else self._end

    @property
    def total_rows(self) -> int:
        return self._end - self._base

    def _prefix_width(self) -> int:
        width = TIMESTAMP_WIDTH if self.show_timestamps else 0
        if self.show_tags:
            width += self._tag_width + 1
        return width

    def _text_width(self) -> int:
        return max(8, (self._layout_width or self.size.width or 80) - self._prefix_width())

    def _height_of(self, entry: _Entry) -> int:
        rows = entry.rows
        if not self.wrap:
            return len(rows)
        width = self._text_width()
        return sum(_row_count(row, width) for row in rows)

    @staticmethod
    def _widest_of(entry: _Entry) -> int:
        return max(entry.widest, *(cell_len(row) for row in entry.rows))

    def _tag_of(self, line: LogLine) -> str:
        tag = short_task_id(line.task_id)
        if self.tag_containers and line.container:
            tag = f"{tag}/{line.container}" if tag else line.container
        return visible(tag)

    def _note_tag(self, line: LogLine) -> None:
        width = cell_len(self._tag_of(line))
        if width > self._tag_width:
            self._tag_width = width
            if self.wrap and self._entries:
                self._relayout()
            self._invalidate()

    def _relayout(self) -> None:
        """Every entry's height anew (after wrap, width or prefix changed): O(lines), once per such change."""
        self._layout_width = self.size.width
        base = self._base
        self._starts.clear()
        self._tall = 0
        at = base
        for entry in self._entries:
            entry.height = self._height_of(entry)
            if entry.height != 1:
                self._tall += 1
            self._starts.append(at)
            at += entry.height
        self._end = at
        self._invalidate()
        self._update_virtual_size()

    def _set_height(self, position: int, entry: _Entry) -> None:
        height = self._height_of(entry)
        delta = height - entry.height
        if delta:
            self._tall += (height != 1) - (entry.height != 1)
            entry.height = height
            self._starts[position + 1 :] = [start + delta for start in self._starts[position + 1 :]]
            self._end += delta
        self._update_virtual_size()

    def _locate(self, row: int) -> tuple[int, int] | None:
        """(position of the entry, row within it) of a row of the view."""
        if row < 0 or row >= self.total_rows:
            return None
        if not self._tall:
            return row, 0
        absolute = row + self._base
        position = bisect.bisect_right(self._starts, absolute) - 1
        return position, absolute - self._starts[position]

    def _row_of(self, position: int) -> int:
        return self._starts[position] - self._base

    def _position_of(self, seq: int | None) -> int | None:
        if seq is None or not self._entries:
            return None
        position = seq - self._entries[0].seq  # seqs of held entries are contiguous
        return position if 0 <= position < len(self._entries) else None

    def _cursor_entry(self) -> _Entry | None:
        position = self._position_of(self._cursor)
        return self._entries[position] if position is not None else None

    def _update_virtual_size(self) -> None:
        width = self.size.width if self.wrap else self._prefix_width() + self._widest
        self.virtual_size = Size(width, self.total_rows)

    def on_resize(self, event: events.Resize) -> None:
        if self.wrap and event.size.width != self._layout_width:
            self._relayout()
        self._layout_width = event.size.width
        self._update_virtual_size()
        if self.following:
            self._pin_to_end()

    # -- drawing ----------------------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}
        self._invalidate()

    def on_focus(self) -> None:
        self.notify_style_update()  # the cursor's colour differs while focused

    def on_blur(self) -> None:
        self.notify_style_update()

    def _invalidate(self) -> None:
        self._generation += 1
        self._strips.clear()
        self.refresh()

    def _style(self, name: str) -> Style:
        """A component's style ("" for the widget's own), read once until the styles change: reading it costs more
        than drawing a cached row."""
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True) if name else self.rich_style
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base_style = self._style("")
        located = self._locate(scroll_y + y)
        if located is None:
            return Strip.blank(width, base_style)
        position, row = located
        entry = self._entries[position]
        strips = self._entry_strips(entry)
        strip = strips[row] if row < len(strips) else Strip.blank(0)
        line_style = base_style + self._style("log-view--cursor") if entry.seq == self._cursor else base_style
        # The line's own styles (timestamp, tag, matches) win over the row's background; styled before the crop,
        # so that the strip's own cache of styled copies serves the next frame.
        return strip.apply_style(line_style).crop_extend(scroll_x, scroll_x + width, line_style)

    def _entry_strips(self, entry: _Entry) -> list[Strip]:
        is_match = entry.seq == self._match
        key = (entry.seq, self._generation, entry.pretty is not None, is_match)
        cached = self._strips.get(key)
        if cached is not None:
            return cached
        console = self.app.console
        prefix = self._prefix(entry.line)
        indent = Text(" " * prefix.cell_len)
        strips: list[Strip] = []
        width = self._text_width()
        for index, row in enumerate(entry.rows):
            body = Text(row, no_wrap=True, end="")
            if index and entry.pretty is None:
                body.stylize(self._style("log-view--indent"))
            self._highlight(body, current=is_match)
            pieces = body.divide(fold_offsets(row, width)[1:]) if self.wrap else [body]
            for piece in pieces:
                head = prefix if not strips else indent
                text = Text.assemble(head, piece, no_wrap=True, end="")
                strips.append(Strip(list(text.render(console)), text.cell_len))
        self._strips[key] = strips
        return strips

    def _prefix(self, line: LogLine) -> Text:
        prefix = Text(end="")
        if self.show_timestamps:
            prefix.append(f"{stamp_text(line)} ", self._style("log-view--timestamp"))
        if self.show_tags:
            tag = self._tag_of(line)
            colour = self._colour_of(line.task_id) if line.task_id else ""
            prefix.append(tag.ljust(self._tag_width) + " ", Style.parse(colour) if colour else None)
        return prefix

    def _highlight(self, body: Text, *, current: bool) -> None:
        if self._pattern is None:
            return
        style = self._style("log-view--current-match" if current else "log-view--match")
        for found in self._pattern.finditer(body.plain):
            if found.end() > found.start():
                body.stylize(style, found.start(), found.end())

    # -- following --------------------------------------------------------------------------------------------
    def follow(self) -> None:
        """Keep the newest line in view (and under the cursor) as lines arrive."""
        self.following = True
        self.new_while_paused = 0
        if self._entries:
            self._cursor = self._entries[-1].seq
        self._pin_to_end()
        self.refresh()
        self._changed()

    def pause(self) -> None:
        if self.following:
            self.following = False
            self.new_while_paused = 0
            self._changed()

    def _pin_to_end(self) -> None:
        self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        # And again once laid out: a header growing above, or a horizontal scrollbar appearing, shortens the view
        # after this frame, and the newest line must stay in it.
        self.call_after_refresh(self._pin_if_following)

    def _pin_if_following(self) -> None:
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # Dragging the scrollbar up is scrolling up: it pauses, as the wheel and the keys do.
        if new_value < old_value and self.is_vertical_scrollbar_grabbed:
            self.pause()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.pause()

    def on_click(self, event: events.Click) -> None:
        located = self._locate(int(self.scroll_y) + event.y)
        if located is not None:
            self.pause()
            self._cursor = self._entries[located[0]].seq
            self.refresh()
            self._changed()

    # -- the cursor -------------------------------------------------------------------------------------------
    def _move_cursor(self, position: int) -> None:
        if not self._entries:
            return
        position = max(0, min(len(self._entries) - 1, position))
        self._cursor = self._entries[position].seq
        self._scroll_to_position(position)
        self.refresh()
        self._changed()

    def _scroll_to_position(self, position: int) -> None:
        top = self._row_of(position)
        bottom = top + self._entries[position].height
        height = self.scrollable_content_region.height or self.size.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True, force=True)
        elif bottom > self.scroll_y + height:
            self.scroll_to(y=max(top, bottom - height) if height else top, animate=False, immediate=True, force=True)

    def _cursor_position(self) -> int:
        position = self._position_of(self._cursor)
        return len(self._entries) - 1 if position is None else position

    def action_cursor_up(self) -> None:
        self.pause()
        self._move_cursor(self._cursor_position() - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor_position() + 1)

    def action_page_up(self) -> None:
        self.pause()
        self._move_by_rows(-max(1, self.size.height - 1))

    def action_page_down(self) -> None:
        self._move_by_rows(max(1, self.size.height - 1))

    def _move_by_rows(self, rows: int) -> None:
        if not self._entries:
            return
        self.scroll_to(y=max(0, self.scroll_y + rows), animate=False, immediate=True, force=True)
        target = self._row_of(self._cursor_position()) + rows
        located = self._locate(max(0, min(self.total_rows - 1, target)))
        if located is not None:
            self._move_cursor(located[0])

    def point_at(self, line: LogLine) -> None:
        """Put the cursor on `line` (held), paused, with the lines after it in view below it."""
        for position in range(len(self._entries) - 1, -1, -1):
            if self._entries[position].line is line:
                self.pause()
                self._move_cursor(position)
                return

    def action_top(self) -> None:
        self.pause()
        self._move_cursor(0)

    def action_follow(self) -> None:
        self.follow()

    # -- display toggles --------------------------------------------------------------------------------------
    def action_toggle_timestamps(self) -> None:
        self.show_timestamps = not self.show_timestamps
        self._after_toggle()

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        if self.wrap:
            self.scroll_to(x=0, animate=False, immediate=True, force=True)
        self._after_toggle()

    def _after_toggle(self) -> None:
        anchor = self._cursor_position() if self._entries else None
        if self.wrap or self._tall or not self.show_timestamps:
            self._relayout()
        else:
            self._invalidate()
            self._update_virtual_size()
        if self.following:
            self._pin_to_end()
        elif anchor is not None:
            self._scroll_to_position(anchor)
        self._changed()

    def action_pretty_line(self) -> None:
        position = self._position_of(self._cursor)
        if position is None:
            return
        entry = self._entries[position]
        if entry.pretty is not None:
            entry.pretty = None
        else:
            entry.pretty = pretty_json(entry.line.message)
            if entry.pretty is None:
                self.post_message(self.NotJson())
                return
            self._widest = max(self._widest, self._widest_of(entry))
        self._set_height(position, entry)
        self._scroll_to_position(position)
        self.refresh()

    def action_pretty_all(self) -> None:
        self.pretty_all = not self.pretty_all
        for entry in self._entries:
            entry.pretty = pretty_json(entry.line.message) if self.pretty_all else None
            if entry.pretty is not None:
                self._widest = max(self._widest, self._widest_of(entry))
        self._after_toggle()

    # -- search -----------------------------------------------------------------------------------------------
    def search(self, term: str) -> None:
        """Highlight `term` (case-insensitive unless it has capitals) and go to the nearest match at or above the
        cursor: logs are read upwards from the newest line."""
        self._term = term
        if not term:
            self._pattern, self._matches, self._match = None, [], None
            self._invalidate()
            self._changed()
            return
        flags = 0 if any(char.isupper() for char in term) else re.IGNORECASE
        self._pattern = re.compile(re.escape(visible(term)), flags)
        self._matches = [entry.seq for entry in self._entries if self._entry_matches(entry)]
        self._invalidate()
        if self._matches:
            cursor = self._cursor if self._cursor is not None else self._matches[-1]
            at = bisect.bisect_right(self._matches, cursor) - 1
            self._go_to_match(self._matches[at])  # at -1 wraps to the newest
        else:
            self._match = None
            self._changed()

    def _entry_matches(self, entry: _Entry) -> bool:
        assert self._pattern is not None
        return any(self._pattern.search(row) for row in entry.rows)

    def _go_to_match(self, seq: int) -> None:
        self.pause()
        self._match = seq
        position = self._position_of(seq)
        if position is not None:
            self._move_cursor(position)

    def action_next_match(self) -> None:
        """The next match below (newer), wrapping to the oldest."""
        if self._matches:
            at = bisect.bisect_right(self._matches, self._cursor if self._cursor is not None else -1)
            self._go_to_match(self._matches[at % len(self._matches)])

    def action_previous_match(self) -> None:
        """The next match above (older), wrapping to the newest."""
        if self._matches:
            cursor = self._cursor if self._cursor is not None else self._next_seq
            at = bisect.bisect_left(self._matches, cursor) - 1
            self._go_to_match(self._matches[at % len(self._matches)])

    # -- text for the clipboard and files ---------------------------------------------------------------------
    def shown_text(self, line: LogLine) -> str:
        """A line as shown (timestamp and tag as displayed, the message through the text door): what is copied,
        so that no control character of the data reaches a clipboard or the terminal it is pasted into."""
        parts: list[str] = []
        if self.show_timestamps:
            parts.append(stamp_text(line))
        if self.show_tags:
            parts.append(self._tag_of(line))
        parts.append("\n".join(display_parts(line.message)))
        return " ".join(parts)

    def copy_text(self, *, only_matches: bool = False) -> tuple[str, int]:
        """The lines held (or those matching the search) as shown, newest kept if over COPY_LIMIT_CHARS; the
        text and how many lines it holds."""
        matches = set(self._matches) if only_matches else None
        chosen: list[str] = []
        size = 0
        for entry in reversed(self._entries):
            if matches is not None and entry.seq not in matches:
                continue
            text = self.shown_text(entry.line)
            if size + len(text) + 1 > COPY_LIMIT_CHARS and chosen:
                break
            chosen.append(text)
            size += len(text) + 1
        chosen.reverse()
        return "\n".join(chosen), len(chosen)

    def _changed(self) -> None:
        self.post_message(self.StateChanged(self))


def iso_line(line: LogLine, *, tag: bool) -> str:
    """A line for a saved file: ISO timestamp, the task when merged, and the message as AWS holds it."""
    fields = [line.timestamp.isoformat(timespec="milliseconds")]
    if tag and line.task_id:
        fields.append(line.task_id if not line.container else f"{line.task_id}/{line.container}")
    fields.append(line.message.rstrip("\r\n"))
    return " ".join(fields)


__all__ = [
    "DEFAULT_MAX_LINES",
    "LogView",
    "display_parts",
    "fold_offsets",
    "iso_line",
    "pretty_json",
    "short_task_id",
]
