"""With `triage_at_start`: the one line shown while the app decides where it opens (on the triage list when
something is broken, else on the clusters), so that the first pane the user sees is the one that stays."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen

from ecstui.ui.widgets.one_line import OneLine

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp


class StartCheckScreen(Screen[None]):
    """Holds no keys but quit: a key pressed here acts on nothing, rather than on a pane not drawn yet."""

    DEFAULT_CSS = """
    StartCheckScreen #start-check { padding: 1 2; }
    """

    @property
    def ecs_app(self) -> EcsApp:
        return cast("EcsApp", self.app)

    def compose(self) -> ComposeResult:
        yield self.ecs_app.make_context_bar()
        yield OneLine(self._line(), id="start-check")

    def on_mount(self) -> None:
        self.ecs_app.triage_badge.listeners.append(self._show)

    def on_unmount(self) -> None:
        listeners = self.ecs_app.triage_badge.listeners
        if self._show in listeners:
            listeners.remove(self._show)

    def _line(self) -> Text:
        progress = self.ecs_app.triage_badge.progress
        where = f" ({progress.done}/{progress.total} clusters)" if progress is not None and progress.total else ""
        return Text(f"Checking what is broken in {self.ecs_app.session.region or 'this region'}{where}…")

    def _show(self) -> None:
        self.query_one("#start-check", OneLine).show(self._line())
