"""The keys every pane with a selected resource shares, as in k9s: y copies its ARN, Y its name or ID, U its AWS
console URL (and opens it where a browser exists), J shows its full API object.

A pane mixes in `ResourceKeys` and says which resource is selected in `selected_ref`.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType

from ecstui.aws.console_urls import console_url
from ecstui.aws.resource_ref import ResourceRef
from ecstui.ui.browser import browser_available, open_url
from ecstui.ui.clipboard import copy_value
from ecstui.ui.inert import notify_inert
from ecstui.ui.screens.base import LiveScreen
from ecstui.ui.screens.raw import RawScreen

# What is called an ID rather than a name (Y copies it either way).
_ID_KINDS = frozenset({"task", "container-instance"})


class ResourceKeys(LiveScreen):
    """y / Y / U / J. List it after the screen's own base (`class X(ListScreen[T], ResourceKeys)`): Textual takes
    a screen's CSS from its first base only, and first it would hide ListScreen's rules (the filter box and the
    error banner would show on every pane)."""

    # Off the footer, which is full on most panes: listed under ? and in the README.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "copy_arn", "Copy ARN", show=False, id="resource.copy_arn"),
        Binding("Y", "copy_name", "Copy name/ID", show=False, id="resource.copy_name"),
        Binding("U", "console_url", "Console URL", show=False, id="resource.console_url"),
        Binding("J", "raw_view", "Raw JSON", show=False, id="resource.raw"),
    ]

    def selected_ref(self) -> ResourceRef | None:
        """The resource the keys act on (the row under the cursor, the pane's own resource); None if none."""
        return None

    def _chosen_ref(self) -> ResourceRef | None:
        ref = self.selected_ref()
        if ref is None:
            notify_inert(self, "No resource selected (or it has not loaded yet).", severity="warning")
        return ref

    def action_copy_arn(self) -> None:
        if (ref := self._chosen_ref()) is None:
            return
        if not ref.arn:
            notify_inert(self, f"A {ref.kind.replace('-', ' ')} has no ARN of its own: Y copies its name.")
            return
        copy_value(self.app, ref.arn, f"the ARN of {ref.label}")

    def action_copy_name(self) -> None:
        if (ref := self._chosen_ref()) is None:
            return
        copy_value(self.app, ref.name, f"the {'ID' if ref.kind in _ID_KINDS else 'name'} of {ref.label}")

    def action_console_url(self) -> None:
        if (ref := self._chosen_ref()) is None:
            return
        url = console_url(ref)
        if url is None:
            notify_inert(self, f"ecstui knows no console page of a {ref.kind.replace('-', ' ')}.", severity="warning")
            return
        if browser_available(demo=self.ecs_app.options.demo):
            self.app.copy_to_clipboard(url)
            self._open_in_browser(url)
        else:
            copy_value(self.app, url, f"the console URL of {ref.label}")

    @work(group="open-browser", exit_on_error=False, description="open the console in a browser")
    async def _open_in_browser(self, url: str) -> None:
        opened = await asyncio.to_thread(open_url, url)
        if opened:
            notify_inert(self.app, f"Opened in the browser (and copied): {url}", timeout=6)
        else:
            notify_inert(self.app, f"No browser opened; copied the console URL: {url}", timeout=6)

    def action_raw_view(self) -> None:
        if (ref := self._chosen_ref()) is None:
            return
        self.app.push_screen(RawScreen(ref))

    @property
    def session_region(self) -> str | None:
        return self.ecs_app.session.region
