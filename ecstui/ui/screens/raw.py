"""`J`: one resource's full API object as JSON, syntax-highlighted, searchable (`/`, n/N) and copyable (`y`).

The object is re-read with its own describe call (see ecstui.aws.raw_objects), so it holds every field AWS
returns, not only those the panes show. Everything in it came from someone else: the JSON text goes through
the text door (`visible`) before rich's JSON highlighter colours it, and is never read as markup. Environment
values whose names say they are secret are masked until ctrl+t, as in the task definition pane.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from rich.console import RenderableType
from rich.highlighter import JSONHighlighter
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.widgets import Input, Static

from ecstui.aws.raw_objects import RawObject, RawReader
from ecstui.aws.resource_ref import ResourceRef
from ecstui.ui.clipboard import copy_value
from ecstui.ui.inert import notify_inert, visible
from ecstui.ui.screens.detail import DetailScreen
from ecstui.ui.secrets import MASK, REVEAL_BINDING, RevealsSecrets
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.one_line import OneLine

_HIGHLIGHTER = JSONHighlighter()
_MATCH = "black on yellow"
_CURRENT_MATCH = "black on bright_magenta"


def masked_environments(value: Any, is_secret: Any) -> Any:
    """A copy of an API object with the value of every secret-named variable of every `environment` list masked
    (task definitions' containers, tasks' and schedules' container overrides alike)."""
    masked = copy.deepcopy(value)
    stack = [masked]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            environment = node.get("environment")
            if isinstance(environment, list):
                for item in environment:
                    if isinstance(item, dict) and "value" in item and is_secret(item.get("name")):
                        item["value"] = MASK
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return masked


def json_lines(raw: RawObject) -> list[str]:
    """The object as indented JSON, one string a line, each drawing exactly its characters."""
    # ensure_ascii=False keeps names in their scripts; json writes C0 controls as \u escapes, and what else
    # cannot be shown (bidi overrides, zero-width characters) the door makes visible.
    return [visible(line) for line in json.dumps(raw, indent=2, ensure_ascii=False, sort_keys=False).split("\n")]


class RawScreen(RevealsSecrets, DetailScreen):
    kind = "Raw"
    live = False  # read once (ctrl+r reads it again)

    BINDINGS = [
        Binding("slash", "search", "Search", id="raw.search"),
        Binding("n", "next_match", "Next", id="raw.next"),
        Binding("N", "previous_match", "Previous", id="raw.previous"),
        Binding("y", "copy_all", "Copy all", id="raw.copy"),
        REVEAL_BINDING,
    ]

    DEFAULT_CSS = """
    RawScreen #detail-scroll { height: 1fr; }
    RawScreen #detail-body { width: auto; padding: 0 1; }
    RawScreen #raw-search { display: none; height: 3; }
    RawScreen #raw-search.shown { display: block; }
    """

    def __init__(self, ref: ResourceRef) -> None:
        super().__init__()
        self.ref = ref
        self.lines: list[str] = []
        self.search_term = ""
        self.matches: list[int] = []  # line numbers holding the term
        self.current = -1  # index into matches

    def subject(self) -> str:
        return visible(self.ref.label)

    async def fetch(self) -> Any:
        return await RawReader(self.ecs_app.session).read(self.ref)

    def compose(self) -> ComposeResult:
        # As DetailScreen's (its on_mount focuses #detail-scroll), in a container that also scrolls sideways: a
        # JSON line is never folded, so line n of the object is row n of the view (search scrolls to it).
        yield from self.compose_context()
        yield OneLine(self._title(), id="pane-title")
        yield Static("", id="pane-error")
        yield Input(placeholder="search: type a term, enter to go to it, escape to close", id="raw-search")
        with ScrollableContainer(id="detail-scroll"):
            yield Static(Text("loading…", style="dim"), id="detail-body")
        yield KeyFooter()

    def shown_object(self) -> RawObject:
        if self.secrets_revealed or not isinstance(self.data, dict):
            return self.data if isinstance(self.data, dict) else {}
        masked: RawObject = masked_environments(self.data, self.ecs_app.secret_names)
        return masked

    def render_body(self, data: Any) -> RenderableType:
        self.lines = json_lines(self.shown_object())
        self._find_matches()
        return self._body_text()

    def _body_text(self) -> Text:
        text = _HIGHLIGHTER(Text("\n".join(self.lines), no_wrap=True, overflow="ignore", end=""))
        term = self.search_term.lower()
        if term:
            starts, at = [], 0
            for line in self.lines:
                starts.append(at)
                at += len(line) + 1
            current_line = self.matches[self.current] if 0 <= self.current < len(self.matches) else -1
            for number in self.matches:
                line, base = self.lines[number].lower(), starts[number]
                style = _CURRENT_MATCH if number == current_line else _MATCH
                found = line.find(term)
                while found >= 0:
                    text.stylize(style, base + found, base + found + len(term))
                    found = line.find(term, found + len(term))
        return text

    def _redraw(self) -> None:
        if self.data is not None:
            self.body = self._body_text()
            self.query_one("#detail-body", Static).update(self.body)

    def show_secrets_changed(self) -> None:
        if self.data is not None:
            self.body = self.render_body(self.data)
            self.query_one("#detail-body", Static).update(self.body)

    def _title(self) -> Text:
        text = super()._title()
        if self.search_term:
            where = f"{self.current + 1}/{len(self.matches)}" if self.matches else "no match"
            text.append(f"  search: {visible(self.search_term)} ({where})", style="magenta")
        return text

    # -- search ---------------------------------------------------------------------------------
    def _find_matches(self) -> None:
        term = self.search_term.lower()
        self.matches = [n for n, line in enumerate(self.lines) if term and term in line.lower()]
        self.current = 0 if self.matches else -1

    def action_search(self) -> None:
        box = self.query_one("#raw-search", Input)
        box.add_class("shown")
        box.value = self.search_term
        box.focus()

    @on(Input.Submitted, "#raw-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search_term = event.value
        self._find_matches()
        self._close_search()
        self._show_match()

    def _close_search(self) -> None:
        self.query_one("#raw-search", Input).remove_class("shown")
        self.query_one("#detail-scroll").focus()

    def _show_match(self) -> None:
        self._redraw()
        self.query_one("#pane-title", OneLine).show(self._title())
        if self.search_term and not self.matches:
            notify_inert(self, f"No line holds {self.search_term!r}.", severity="warning", timeout=3)
        if 0 <= self.current < len(self.matches):
            scroll = self.query_one("#detail-scroll", ScrollableContainer)
            line = self.matches[self.current]
            # The match a third of the way down, with the lines before it in view.
            scroll.scroll_to(y=max(0, line - scroll.size.height // 3), animate=False)

    def action_next_match(self) -> None:
        if self.matches:
            self.current = (self.current + 1) % len(self.matches)
            self._show_match()

    def action_previous_match(self) -> None:
        if self.matches:
            self.current = (self.current - 1) % len(self.matches)
            self._show_match()

    def action_back(self) -> None:
        if self.query_one("#raw-search", Input).has_focus:
            self._close_search()
            return
        super().action_back()

    # -- copy -----------------------------------------------------------------------------------
    def action_copy_all(self) -> None:
        if not self.lines or self.data is None:
            notify_inert(self, "Nothing to copy yet.", severity="warning")
            return
        masked = "" if self.secrets_revealed else ", secret-named values masked"
        copy_value(self.app, "\n".join(self.lines), f"the JSON of {self.ref.label}{masked}", say_value=False)
