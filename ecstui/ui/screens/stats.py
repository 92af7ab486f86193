"""`:stats`: every AWS request sent by operation, the throttles, the client's rate limits, the last refreshes."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.text import Text

from ecstui.ui.inert import inert
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.screens.detail import DetailScreen
from ecstui.ui.tables import InertTable, inert_group


class StatsScreen(DetailScreen):
    kind = "Requests and limits"

    async def fetch(self) -> Any:
        return None  # everything shown is this process's own counters: nothing to ask AWS

    def _apply(self, data: object) -> None:
        super()._apply(True)

    def render_body(self, data: Any) -> RenderableType:
        app = self.ecs_app
        stats = app.session.stats
        requests = InertTable(title=f"AWS requests sent: {stats.total}", title_justify="left", title_style="bold")
        requests.add_column("Operation")
        requests.add_column("Sent", justify="right")
        requests.add_column("Throttled", justify="right")
        for operation, count in stats.sent.most_common():
            throttled = stats.throttled.get(operation, 0)
            requests.add_row(inert(operation), inert(count), inert(throttled, "bold red" if throttled else "dim"))

        limits = InertTable(
            title=f"Client rate limits (share of each AWS bucket: {app.session.limiter.share:.0%})",
            title_justify="left",
            title_style="bold",
        )
        limits.add_column("Category")
        limits.add_column("Share now", justify="right")
        limits.add_column("Granted", justify="right")
        limits.add_column("Throttles", justify="right")
        for category in app.session.limiter.status():
            if category.granted or category.throttles:
                limits.add_row(
                    inert(category.name),
                    inert(f"{category.share:.0%}"),
                    inert(category.granted),
                    inert(category.throttles),
                )

        panes = InertTable(title="Last refresh of each open pane", title_justify="left", title_style="bold")
        panes.add_column("Pane")
        panes.add_column("Fetches", justify="right")
        panes.add_column("Last took", justify="right")
        for screen in app.screen_stack:
            if isinstance(screen, ListScreen) and screen.poller is not None:
                took = screen.poller.last_duration
                panes.add_row(
                    inert(f"{screen.kind} {screen.subject()}".strip()),
                    inert(screen.poller.fetch_count),
                    inert(f"{took * 1000:.0f} ms" if took is not None else "-"),
                )
        status = app.session.limiter.status_line()
        parts: list[RenderableType] = [Text(f"⚠ {status}", style="bold yellow")] if status else []
        return inert_group(*parts, requests, Text(""), limits, Text(""), panes)
