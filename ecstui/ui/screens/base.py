"""What every live list pane shares: a titled, filterable, keyed table that polls while on screen."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import ScreenResume, ScreenSuspend
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from ecstui.aws.errors import AwsError
from ecstui.aws.ratelimit import background_requests
from ecstui.ui.format import age
from ecstui.ui.inert import inert
from ecstui.ui.listing_sweep import ListingSweep
from ecstui.ui.polling import FetchAbandoned, Poller
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.one_line import OneLine
from ecstui.ui.widgets.resource_table import Cell, Column, ResourceTable, Row, inert_cells

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Refresh(Generic[T]):
    """A fetched listing, compared with what the table holds: applying it edits only the rows that changed."""

    items: dict[str, T]  # every item by row key, in listing order
    rows: list[Row]  # rows to add or update (their cells differ from the table's)
    gone: list[str]  # keys the table holds that are no longer listed
    columns: Sequence[Column]  # the columns the cells were made for
    now: datetime


class LiveScreen(Screen[None]):
    """A screen whose data is polled while it is the one on top, and paused underneath others."""

    BINDINGS = [
        Binding("ctrl+r", "refresh_now", "Refresh", id="pane.refresh"),
        Binding("escape", "back", "Back", id="pane.back"),
    ]

    poller: Poller[object] | None = None
    # The pane's keys that still work while the user types into one of its inputs (a filter): escape leaves it,
    # ctrl+r refreshes. No other key of the pane acts on the row underneath until the input is left, whatever
    # key a keymap gives it (letters are the input's anyway).
    keys_while_typing: ClassVar[frozenset[str]] = frozenset({"back", "refresh_now"})
    # The actions every pane has: the footer shows the pane's own keys before these (see KeyFooter).
    generic_keys: ClassVar[frozenset[str]] = frozenset({"back", "refresh_now"})

    @property
    def ecs_app(self) -> EcsApp:
        return cast("EcsApp", self.app)

    def compose_context(self) -> ComposeResult:
        yield self.ecs_app.make_context_bar()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action in self.keys_while_typing or not isinstance(self.focused, Input)

    @on(ScreenSuspend)
    def _pause_polling(self) -> None:
        if self.poller is not None:
            self.poller.pause()

    @on(ScreenResume)
    def _resume_polling(self) -> None:
        if self.poller is not None and not self.poller.active:
            self.poller.start()

    def action_refresh_now(self) -> None:
        if self.poller is not None:
            self.poller.refresh_now()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.ecs_app.show_root()


class ListScreen(LiveScreen, Generic[T]):
    """A live table of one kind of resource. Subclasses say what to fetch and how a row reads.

    Progressive loading (optional): a subclass that can list every row's key cheaply (`fetch_keys`) and
    describe keys in batches (`stream_items`) gets, for listings above `progressive_threshold` rows, a
    table that shows every key at once (a placeholder row reading "…"), describes what is on screen first
    (and, with a filter, what it matches), then the rest in the background, rendering batches as they
    arrive; all within one poll cycle, so the next cycle still starts only when this one has ended.
    """

    kind: ClassVar[str] = "Items"
    columns: Sequence[Column] = ()
    sort_column: ClassVar[str | None] = None
    # Up to this many rows a listing is described in one go and shown at once, exactly as `fetch` would.
    progressive_threshold: ClassVar[int] = 100
    # Progressive loading: keys per describe call (the API's batch limit) and calls in flight at once.
    progressive_batch: ClassVar[int] = 10
    progressive_parallel: ClassVar[int] = 8
    # Keys listed but not described this long after the describes went out (a slow or hung describe) show as
    # placeholder rows at once, instead of an empty table; answers faster than this never flash placeholders.
    placeholders_after: ClassVar[float] = 1.0
    generic_keys: ClassVar[frozenset[str]] = LiveScreen.generic_keys | {"start_filter"}
    # Above this many rows, once loaded, a refresh describes only the rows on screen (filled up to whole describe
    # calls with their neighbours) and up to `filter_describe_limit` of the filter's matches; a ListingSweep
    # describes the others and re-reads the listing at its slow pace. Refresh cost follows the screen, not the
    # listing: 2,000 services cost four describes a refresh instead of 220 calls.
    sweep_threshold: ClassVar[int] = 200
    filter_describe_limit: ClassVar[int] = 50

    BINDINGS = [
        Binding("slash", "start_filter", "Filter", id="pane.filter"),
        Binding("enter", "open", "Open", id="pane.open", show=True),
    ]

    DEFAULT_CSS = """
    ListScreen #pane-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ListScreen #pane-error { height: auto; padding: 0 1; background: $error 30%; color: $text; display: none; }
    ListScreen #pane-error.shown { display: block; }
    ListScreen #pane-filter { display: none; height: 3; }
    ListScreen #pane-filter.shown { display: block; }
    ListScreen ResourceTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, T] = {}
        self.updated_at: datetime | None = None
        self.last_error: AwsError | None = None
        # Progressive loading: keys still showing "…", and (described, total) while a large listing loads.
        self.placeholder_keys: set[str] = set()
        self.progress: tuple[int, int] | None = None
        # Each row's cells with the signature they were made from (see row_signature).
        self._cells_cache: dict[str, tuple[object, tuple[Text, ...]]] = {}
        self._cells_columns: Sequence[Column] = self.columns
        # A big listing's keys (None: small, or not loaded yet), its sweep, and when the last refresh began.
        self.listed_keys: list[str] | None = None
        self.sweep = ListingSweep()
        self._cycle_began = 0.0
        self._shown_timer: Timer | None = None
        # A first load's rows described before its listing ended (the first page's), and the count the title shows
        # until the listing ends (the cluster's activeServicesCount, say).
        self.described_early: set[str] = set()
        self.expected_total: int | None = None
        # The interval is the app's --refresh, known once mounted.
        self.poller = cast(
            Poller[object],
            Poller(self, self._fetch_cycle, self._apply, self._show_error, 5.0, name=f"poll-{self.kind}"),
        )

    # -- for subclasses ------------------------------------------------------------------
    async def fetch(self) -> Sequence[T]:
        raise NotImplementedError

    def row_key(self, item: T) -> str:
        raise NotImplementedError

    def row_cells(self, item: T) -> tuple[Cell, ...]:
        raise NotImplementedError

    def subject(self) -> str:
        """What the listing is of, e.g. the cluster's name; shown in the title."""
        return ""

    def open_item(self, item: T) -> None:
        """What enter does on a row."""

    def row_signature(self, item: T, now: datetime) -> object | None:
        """Everything a row's cells depend on, compared with == to reuse the cells of an unchanged row.

        None (the default) renders the row anew on every refresh. A subclass whose cells depend only on the
        item and the clock returns e.g. `(item, age(item.created_at, now))` (`now` is the app's clock, read
        once per refresh): a refresh of 5,000 rows then formats only the few that changed.
        """
        return None

    async def fetch_keys(self) -> Sequence[str] | None:
        """Progressive loading, step one: every row's key, in listing order; None (default) to use fetch()."""
        return None

    def stream_items(self, keys: Sequence[str]) -> AsyncIterator[Sequence[T]]:
        """Progressive loading, step two: describe these keys, yielding batches as they arrive."""
        raise NotImplementedError

    def placeholder_cells(self, key: str) -> tuple[Cell, ...]:
        """The cells of a row whose key is known but which is not described yet."""
        raise NotImplementedError

    def keep_item(self, item: T) -> bool:
        """Whether a described item is listed (e.g. not a deleted service that an endpoint still returns)."""
        return True

    # -- composition -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.compose_context()
        with Vertical():
            yield OneLine(self._title_text(), id="pane-title")
            yield Static("", id="pane-error")
            yield Input(placeholder="filter: type to narrow rows, enter to keep, escape to clear", id="pane-filter")
            yield ResourceTable(self.columns, sort_column=self.sort_column, id="pane-table")
        yield KeyFooter()

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#pane-table", ResourceTable)

    def on_mount(self) -> None:
        assert self.poller is not None
        self.poller.interval = self.ecs_app.options.refresh
        self.restart_listing()
        self.watch(self.table, "scroll_y", self._rows_shown_changed, init=False)
        self.set_interval(1.0, self._update_title, name="title age")
        self.table.focus()

    def restart_listing(self) -> None:
        """Forget a big listing's keys and sweep (its keys changed, e.g. another view of the same pane): the next
        refresh lists and loads it as a first load does."""
        options = self.ecs_app.options
        self.listed_keys = None
        self.sweep = ListingSweep(options.sweep_seconds, options.sweep_calls_per_minute, self.progressive_batch)
        self.placeholder_keys.clear()
        self.described_early, self.expected_total = set(), None

    # -- data ------------------------------------------------------------------------------
    async def _fetch_cycle(self) -> Refresh[T]:
        self._cycle_began = self.sweep_clock()
        if self.listed_keys is not None and self.items:
            return self._prepare(await self._refresh_on_screen(self.listed_keys))
        keys = await self.fetch_keys()
        if keys is None:
            return self._prepare(await self.fetch())
        if len(keys) <= self.progressive_threshold:
            described = await self._describe_showing_keys(keys)
            return self._prepare(self._in_key_order(keys, described))
        began = self.sweep_clock()
        items = await self._load_progressively(keys)
        if len(keys) > self.sweep_threshold:
            self.listed_keys = list(keys)
            self.sweep.listed(keys, began, pages=0)
            self.sweep.described(keys, began)
        return self._prepare(items)

    def sweep_clock(self) -> float:
        """The sweep's clock, in seconds (monotonic; tests move it)."""
        return time.monotonic()

    def listing_pages(self, count: int) -> int:
        """How many list calls a listing of `count` keys took (for the sweep's budget); 100 keys a page."""
        return max(1, math.ceil(count / 100))

    async def _refresh_on_screen(self, keys: list[str]) -> list[T]:
        """A refresh of a big listing: the rows on screen, the filter's matches and the sweep's share described;
        the listing re-read when the sweep says it is due (new rows are then described at once)."""
        sweep, now = self.sweep, self.sweep_clock()
        new: list[str] = []
        if sweep.listing_due(now, keys):
            # The sweep's own calls go at the background share of the buckets, never ahead of what is on screen
            # (nor of the deploy pipelines sharing the account's rate).
            with background_requests():
                listed = list(await self.fetch_keys() or [])
            sweep.listed(listed, now, pages=self.listing_pages(len(listed)))
            known = set(keys)
            new = [key for key in listed if key not in known]
            keys = listed
            if len(keys) <= self.sweep_threshold:
                self.listed_keys = None  # small again: the next refresh describes it all
            else:
                self.listed_keys = keys
        wanted = list(dict.fromkeys([*new, *self._keys_in_sight()]))
        listed_now = set(keys)
        wanted = [key for key in wanted if key in listed_now]
        swept = [key for key in sweep.due(keys, now, skip=wanted) if key in listed_now]
        on_screen, behind = await asyncio.gather(self._describe_keys(wanted), self._sweep_describe(swept))
        asked = [*wanted, *(swept if behind is not None else [])]
        fresh = {self.row_key(item): item for item in [*on_screen, *(behind or [])]}
        sweep.described(asked, now)
        # Asked but not returned (or no longer kept, like an INACTIVE service): deleted; the listing drops it.
        missing = {key for key in asked if key not in fresh or not self.keep_item(fresh[key])}
        if missing and self.listed_keys is not None:
            self.listed_keys = [key for key in self.listed_keys if key not in missing]
        items = self.items
        return [item for key in keys if key not in missing and (item := fresh.get(key, items.get(key))) is not None]

    async def _sweep_describe(self, keys: list[str]) -> list[T] | None:
        """The sweep's describes, at the background share of the buckets; None if they could not be sent within
        a refresh interval (a busy account): the rows on screen are not held back for them, the keys stay due."""
        if not keys:
            return []
        with background_requests():
            try:
                return await asyncio.wait_for(self._describe_keys(keys), timeout=self.ecs_app.options.refresh)
            except TimeoutError:
                return None

    def _keys_in_sight(self) -> list[str]:
        """The rows in view, filled up to whole describe calls with the rows next to them, then up to
        `filter_describe_limit` of the filter's other matches."""
        table, batch = self.table, self.progressive_batch
        shown = table.visible_keys()
        room = math.ceil(len(shown) / batch) * batch - len(shown)
        taken = set(shown)
        near = [key for key in table.visible_keys(margin=batch) if key not in taken][:room]
        chosen = [*shown, *near]
        if table.filter_text:
            taken.update(near)
            chosen += [key for key in table.keys_in_order() if key not in taken][: self.filter_describe_limit]
        return chosen

    def _rows_shown_changed(self, *_args: object) -> None:
        # Rows scrolled (or filtered) into view of a big listing are described at once, not at the next refresh;
        # a burst of scrolling asks once, when it settles.
        if self.listed_keys is None:
            return
        if self._shown_timer is not None:
            self._shown_timer.stop()
        self._shown_timer = self.set_timer(0.2, self._describe_newly_shown, name="describe rows shown")

    def _describe_newly_shown(self) -> None:
        began = self._cycle_began
        fresh = [key for key in self._keys_in_sight() if self.sweep.described_at.get(key, -math.inf) < began]
        if fresh and self._shown_on_screen():
            self.run_worker(self._describe_shown(fresh), group="describe-shown", exclusive=True, exit_on_error=False)

    async def _describe_shown(self, keys: list[str]) -> None:
        now = self.sweep_clock()
        try:
            described = await self._describe_keys(keys)
        except AwsError:
            return  # the next refresh describes them, and says what went wrong
        self.sweep.described(keys, now)
        self._show_batch(described, {})

    async def _describe_showing_keys(self, keys: Sequence[str]) -> list[T]:
        """Describe the keys in one go; if that takes longer than `placeholders_after`, show the keys not yet in
        the table as placeholder rows meanwhile (the title says how many are still being described)."""
        describe = asyncio.ensure_future(self._describe_keys(keys))
        try:
            done, _ = await asyncio.wait({describe}, timeout=self.placeholders_after)
            if not done:
                new_keys = [key for key in keys if key not in self.table.held_cells]
                self.placeholder_keys.update(new_keys)
                self._add_placeholders(new_keys)
                self.progress = (0, len(keys))
                self._update_title()
            return await describe
        finally:
            if not describe.done():
                describe.cancel()
                await asyncio.gather(describe, return_exceptions=True)
            if self.progress is not None:
                self.progress = None
                self._update_title()

    def _in_key_order(self, keys: Sequence[str], described: Sequence[T]) -> list[T]:
        by_key = {self.row_key(item): item for item in described if self.keep_item(item)}
        return [by_key[key] for key in keys if key in by_key]

    async def _load_progressively(self, keys: Sequence[str]) -> list[T]:
        """Show every key (on a first load, once the first screenful is described), describe what is on screen
        first and the rest after it; return them all.

        One describe call per batch of `progressive_batch` keys, up to `progressive_parallel` in flight, and
        each batch is chosen when a slot frees up: the calls stay back to back (the client's rate limiter
        paces them), and a row scrolled into view (or matched by a new filter) goes in the next call.
        """
        listed = set(keys)
        gone = [key for key in self.items if key not in listed]
        for key in gone:
            del self.items[key]
        new_keys = [key for key in keys if key not in self.items]
        self.placeholder_keys = (self.placeholder_keys & listed) | set(new_keys)
        described = {key: self.items[key] for key in self.described_early if key in self.items and key in listed}
        self.described_early, self.expected_total = set(), None
        pending = dict.fromkeys(key for key in keys if key not in described)
        running: dict[asyncio.Future[list[T]], list[str]] = {}
        self.table.discard(gone)
        first_wave: set[asyncio.Future[list[T]]] = set()
        limit: int | None = None
        if self.table.row_count:
            self.table.upsert(Row(key, self.placeholder_cells(key)) for key in new_keys)
        else:
            # The first load: listings come sorted as the table sorts, so the first keys are the first screenful.
            # Their describes go out now, and the placeholder rows of all the others (thousands, a tenth of a
            # second to add) wait until this first wave has come back and filled the screen.
            limit = self._screenful_batches()
            self._describe_next(pending, running, limit)
            first_wave = set(running)
        self.progress = (len(described), len(keys))
        self._update_title()
        try:
            while pending or running:
                self._describe_next(pending, running, limit)
                if not running:
                    break
                # While the first wave is out, wait at most placeholders_after: a hung describe must not keep
                # every listed key off the screen.
                timeout = self.placeholders_after if first_wave else None
                done, _ = await asyncio.wait(running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                if not done:
                    first_wave = set()
                    self._add_placeholders(new_keys)
                    continue
                limit = None
                for future in done:
                    batch = running.pop(future)
                    self._show_batch(future.result(), described)
                    # Not returned (deleted since it was listed): no longer waiting; the cycle's end drops it.
                    self.placeholder_keys.difference_update(batch)
                if first_wave and first_wave.isdisjoint(running):
                    first_wave = set()
                    # After the frame that shows the first screenful, not before it.
                    self.call_after_refresh(self._add_placeholders, new_keys)
                self.progress = (len(described), len(keys))
                self._update_title()
        finally:
            for future in running:
                future.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            self.progress = None
        if pending:
            self._update_title()
            raise FetchAbandoned
        return self._in_key_order(keys, list(described.values()))

    def _add_placeholders(self, keys: Sequence[str]) -> None:
        self.table.upsert(Row(key, self.placeholder_cells(key)) for key in keys if key in self.placeholder_keys)

    def _screenful_batches(self) -> int:
        # Only what fills the screen goes before the first frame: each answer is parsed before that frame can be
        # drawn. The other slots are filled as soon as one of these comes back.
        lines = self.table.lines_in_view
        if lines <= 0:
            return self.progressive_parallel  # not laid out yet: no screen to fill, every slot
        return max(1, min(self.progressive_parallel, -(-lines // self.progressive_batch)))

    def _describe_next(
        self, pending: dict[str, None], running: dict[asyncio.Future[list[T]], list[str]], limit: int | None = None
    ) -> None:
        # A pane the user has left stops spending the account's request budget; on return it starts over.
        limit = self.progressive_parallel if limit is None else limit
        while pending and len(running) < limit and self._shown_on_screen():
            batch = self._next_batch(pending)
            for key in batch:
                del pending[key]
            running[asyncio.ensure_future(self._describe_keys(batch))] = batch

    async def _describe_keys(self, keys: Sequence[str]) -> list[T]:
        return [item async for batch in self.stream_items(keys) for item in batch]

    def _shown_on_screen(self) -> bool:
        return self.poller is not None and self.poller.active

    def _next_batch(self, pending: dict[str, None]) -> list[str]:
        """The next keys to describe: the rows in view first, then the rows the filter shows, then listing order."""
        table, count = self.table, self.progressive_batch
        chosen = [key for key in table.visible_keys(margin=10) if key in pending]
        if len(chosen) < count and table.filter_text:
            chosen += [key for key in table.keys_in_order() if key in pending]
        chosen = list(dict.fromkeys(chosen))[:count]
        if len(chosen) < count:
            taken = set(chosen)
            for key in pending:
                if key not in taken:
                    chosen.append(key)
                    if len(chosen) == count:
                        break
        return chosen

    def _show_batch(self, batch: Sequence[T], described: dict[str, T]) -> None:
        now = self.ecs_app.clock()
        rows = []
        for item in batch:
            key = self.row_key(item)
            if not self.keep_item(item):
                continue
            described[key] = item
            self.items[key] = item
            self.placeholder_keys.discard(key)
            rows.append(Row(key, self._cells_of(key, item, now)))
        self.table.upsert(rows)

    def _cells_of(self, key: str, item: T, now: datetime) -> tuple[Text, ...]:
        # Made inert here, once per change of the row (Row would do it on every refresh, and a new tuple
        # each time would read as a changed row).
        signature = self.row_signature(item, now)
        if signature is None:
            return inert_cells(self.row_cells(item))
        cached = self._cells_cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        cells = inert_cells(self.row_cells(item))
        self._cells_cache[key] = (signature, cells)
        return cells

    def _prepare(self, items: Sequence[T]) -> Refresh[T]:
        """Work out, at the end of a fetch, which rows differ from what the table holds.

        This is the refresh's O(rows) part (one signature comparison a row), done with the fetch, which is
        O(rows) anyway (every item was just parsed); applying the result then costs what changed, so a
        refresh of 5,000 rows in which 50 changed edits 50 rows.
        """
        if self.columns is not self._cells_columns:
            self._cells_cache, self._cells_columns = {}, self.columns
        now = self.ecs_app.clock()
        held = self.table.held_cells
        previous = self.items
        listed: dict[str, T] = {}
        rows: list[Row] = []
        for item in items:
            key = self.row_key(item)
            before = previous.get(key)
            if before is not None and before == item:
                # Keep the object already held: the fresh copy is freed here, with the fetch, and the
                # signature below compares by identity.
                item = before
            listed[key] = item
            cells = self._cells_of(key, item, now)
            if held.get(key) is not cells:
                rows.append(Row(key, cells))
        gone = list(held.keys() - listed.keys())
        for key in gone:
            self._cells_cache.pop(key, None)
        return Refresh(listed, rows, gone, self.columns, now)

    def _apply(self, result: object) -> None:
        refresh = result if isinstance(result, Refresh) else self._prepare(cast(Sequence[T], result))
        if refresh.columns is not self.columns:
            # The columns changed after the fetch (the tasks pane gained a column): every row is made anew.
            refresh = self._prepare(list(refresh.items.values()))
        self.items = refresh.items
        self.placeholder_keys.clear()
        self.table.discard(refresh.gone)
        self.table.upsert(refresh.rows)
        self.updated_at = refresh.now
        self.last_error = None
        error = self.query_one("#pane-error", Static)
        error.remove_class("shown")
        self._update_title()

    def _show_error(self, error: AwsError, retry_in: float) -> None:
        self.last_error = error
        banner = self.query_one("#pane-error", Static)
        stale = " Showing the last data received." if self.items else ""
        banner.update(inert(f"⚠ {error.message}{stale} Retrying in {retry_in:.0f}s.", "bold", multiline=True))
        banner.add_class("shown")
        self._update_title()

    def _title_text(self) -> Text:
        text = Text()
        text.append(self.kind)
        if self.is_mounted and (self.updated_at is not None or self.progress is not None):
            table = self.table
            if table.filter_text:
                text.append(f" [{table.shown_count}/{table.total_count}]", style="bold")
            elif self.expected_total is not None:
                text.append(f" [{self.expected_total}]", style="bold")  # until the listing ends
            else:
                text.append(f" [{table.total_count}]", style="bold")
        subject = self.subject()
        if subject:
            text.append(f"  {subject}", style="cyan")
        if self.is_mounted and self.table.filter_text:
            text.append(f"  filter: {self.table.filter_text}", style="magenta")
        if self.progress is not None:
            done, total = self.progress
            text.append(f"  described {done}/{total}…", style="dim")
        elif self.updated_at is not None:
            text.append(f"  updated {age(self.updated_at, self.ecs_app.clock())} ago", style="dim")
            if self.listed_keys is not None:
                text.append(self._sweep_text(self.listed_keys), style="dim")
        elif self.last_error is None:
            text.append("  loading…", style="dim")
        return text

    def _sweep_text(self, keys: Sequence[str]) -> str:
        """How fresh the rows off screen are: when the sweep last described the oldest, or how far it has got."""
        done = self.sweep.progress(keys)
        if done < 1.0:
            return f", sweep {int(done * 100)}%"
        oldest = self.sweep.oldest(keys)
        if oldest is None:
            return ""
        clock = self.ecs_app.clock()
        return f", others swept {age(clock - timedelta(seconds=self.sweep_clock() - oldest), clock)} ago"

    def _update_title(self) -> None:
        self.query_one("#pane-title", OneLine).show(self._title_text())

    @property
    def selected(self) -> T | None:
        key = self.table.selected_key
        return self.items.get(key) if key is not None else None

    # -- keys -----------------------------------------------------------------------------
    def action_open(self) -> None:
        item = self.selected
        if item is not None:
            self.open_item(item)

    @on(DataTable.RowSelected, "#pane-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_start_filter(self) -> None:
        box = self.query_one("#pane-filter", Input)
        box.add_class("shown")
        box.value = self.table.filter_text
        box.focus()

    @on(Input.Changed, "#pane-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value)
        self._update_title()
        self._rows_shown_changed()

    @on(Input.Submitted, "#pane-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        box = self.query_one("#pane-filter", Input)
        box.remove_class("shown")
        self.table.focus()

    def action_back(self) -> None:
        box = self.query_one("#pane-filter", Input)
        if box.has_focus or self.table.filter_text:
            box.value = ""
            box.remove_class("shown")
            self.table.set_filter("")
            self.table.focus()
            self._update_title()
            return
        super().action_back()
