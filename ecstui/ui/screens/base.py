"""What every live list pane shares: a titled, filterable, keyed table that polls while on screen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import ScreenResume, ScreenSuspend
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from ecstui.aws.errors import AwsError
from ecstui.ui.format import age
from ecstui.ui.polling import Poller
from ecstui.ui.widgets.resource_table import Cell, Column, ResourceTable, Row

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

T = TypeVar("T")


class LiveScreen(Screen[None]):
    """A screen whose data is polled while it is the one on top, and paused underneath others."""

    BINDINGS = [
        Binding("ctrl+r", "refresh_now", "Refresh", id="pane.refresh"),
        Binding("escape", "back", "Back", id="pane.back"),
    ]

    poller: Poller[object] | None = None

    @property
    def ecs_app(self) -> EcsApp:
        return cast("EcsApp", self.app)

    def compose_context(self) -> ComposeResult:
        yield self.ecs_app.make_context_bar()

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


class ListScreen(LiveScreen, Generic[T]):
    """A live table of one kind of resource. Subclasses say what to fetch and how a row reads."""

    kind: ClassVar[str] = "Items"
    columns: Sequence[Column] = ()
    sort_column: ClassVar[str | None] = None

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
        # The interval is the app's --refresh, known once mounted.
        self.poller = cast(
            Poller[object], Poller(self, self.fetch, self._apply, self._show_error, 5.0, name=f"poll-{self.kind}")
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

    # -- composition -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.compose_context()
        with Vertical():
            yield Static(self._title_text(), id="pane-title")
            yield Static("", id="pane-error")
            yield Input(placeholder="filter: type to narrow rows, enter to keep, escape to clear", id="pane-filter")
            yield ResourceTable(self.columns, sort_column=self.sort_column, id="pane-table")
        yield Footer()

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#pane-table", ResourceTable)

    def on_mount(self) -> None:
        assert self.poller is not None
        self.poller.interval = self.ecs_app.options.refresh
        self.set_interval(1.0, self._update_title, name="title age")
        self.table.focus()

    # -- data ------------------------------------------------------------------------------
    def _apply(self, result: object) -> None:
        items = cast(Sequence[T], result)
        self.items = {self.row_key(item): item for item in items}
        self.table.sync([Row(key, self.row_cells(item)) for key, item in self.items.items()])
        self.updated_at = self.ecs_app.clock()
        self.last_error = None
        error = self.query_one("#pane-error", Static)
        error.remove_class("shown")
        self._update_title()

    def _show_error(self, error: AwsError, retry_in: float) -> None:
        self.last_error = error
        banner = self.query_one("#pane-error", Static)
        stale = " Showing the last data received." if self.items else ""
        banner.update(Text(f"⚠ {error.message}{stale} Retrying in {retry_in:.0f}s.", style="bold"))
        banner.add_class("shown")
        self._update_title()

    def _title_text(self) -> Text:
        text = Text()
        text.append(self.kind)
        if self.is_mounted and self.updated_at is not None:
            table = self.table
            if table.filter_text:
                text.append(f" [{table.shown_count}/{table.total_count}]", style="bold")
            else:
                text.append(f" [{table.total_count}]", style="bold")
        subject = self.subject()
        if subject:
            text.append(f"  {subject}", style="cyan")
        if self.is_mounted and self.table.filter_text:
            text.append(f"  filter: {self.table.filter_text}", style="magenta")
        if self.updated_at is not None:
            text.append(f"  updated {age(self.updated_at, self.ecs_app.clock())} ago", style="dim")
        elif self.last_error is None:
            text.append("  loading…", style="dim")
        return text

    def _update_title(self) -> None:
        self.query_one("#pane-title", Static).update(self._title_text())

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
