"""A live, scrollable, read-only view of one resource, rendered with Rich."""

from __future__ import annotations

from typing import Any, cast

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ecstui.aws.errors import AwsError
from ecstui.ui.format import age
from ecstui.ui.inert import inert
from ecstui.ui.polling import Poller
from ecstui.ui.screens.base import LiveScreen
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.one_line import OneLine


class DetailScreen(LiveScreen):
    kind = "Detail"
    live = True  # immutable things (a task definition revision) fetch until they load, then not again

    DEFAULT_CSS = """
    DetailScreen #pane-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    DetailScreen #pane-error { height: auto; padding: 0 1; background: $error 30%; display: none; }
    DetailScreen #pane-error.shown { display: block; }
    DetailScreen #detail-body { padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.data: Any = None
        self.body: RenderableType = ""
        self.updated_at: Any = None
        self.poller = cast(Poller[object], Poller(self, self.fetch, self._apply, self._show_error, 5.0, name="detail"))

    async def fetch(self) -> Any:
        raise NotImplementedError

    def render_body(self, data: Any) -> RenderableType:
        raise NotImplementedError

    def subject(self) -> str:
        return ""

    def compose(self) -> ComposeResult:
        yield from self.compose_context()
        yield OneLine(self._title(), id="pane-title")
        yield Static("", id="pane-error")
        with VerticalScroll(id="detail-scroll"):
            yield Static(Text("loading…", style="dim"), id="detail-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        assert self.poller is not None
        # An immutable view (live = False) is fetched until it loads: a failure retries with the normal backoff.
        self.poller.interval = self.ecs_app.options.refresh
        self.poller.once = not self.live
        self.query_one("#detail-scroll").focus()

    def _title(self) -> Text:
        text = Text(self.kind)
        if self.subject():
            text.append(f"  {self.subject()}", style="cyan")
        if self.updated_at is not None and self.live:
            text.append(f"  updated {age(self.updated_at, self.ecs_app.clock())} ago", style="dim")
        return text

    def _apply(self, data: object) -> None:
        self.data = data
        self.updated_at = self.ecs_app.clock()
        self.query_one("#pane-error").remove_class("shown")
        if data is None:
            body: RenderableType = Text("Not found: it may have been deleted or have expired.", style="yellow")
        else:
            body = self.render_body(data)
        self.body = body
        self.query_one("#detail-body", Static).update(body)
        self.query_one("#pane-title", OneLine).show(self._title())

    def _show_error(self, error: AwsError, retry_in: float) -> None:
        banner = self.query_one("#pane-error", Static)
        banner.update(inert(f"⚠ {error.message} Retrying in {retry_in:.0f}s.", "bold", multiline=True))
        banner.add_class("shown")
