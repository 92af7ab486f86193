"""`:sessions`: the port forwards this ecstui opened through ECS Exec, how long they have been up, and their end."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding

from ecstui.aws.errors import to_aws_error
from ecstui.aws.port_forwards import PortForward
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.format import BAD, DIM, GOOD, age
from ecstui.ui.inert import inert, notify_inert
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.resource_table import Cell, Column

_STATE_STYLES = {"open": GOOD, "starting": "yellow", "ending": "yellow", "ended": DIM, "failed": BAD}


class SessionsScreen(ListScreen[PortForward]):
    kind = "Sessions"
    columns = (
        Column("local", "Local port", priority=Priority.IDENTITY),
        Column("target", "Target", priority=Priority.ESSENTIAL),
        Column("uptime", "Uptime"),
        Column("state", "State", priority=Priority.ESSENTIAL),
        Column("session", "SSM session", priority=Priority.DETAIL),
        Column("problem", "Plugin said"),
    )
    sort_column = "local"

    BINDINGS = [Binding("ctrl+d", "end_session", "End forward", id="sessions.end")]

    def subject(self) -> str:
        forwards = self.ecs_app.port_forwards
        return f"port forwards ({forwards.open_count} open; quitting ecstui ends them)"

    async def fetch(self) -> Sequence[PortForward]:
        return list(self.ecs_app.port_forwards.forwards)  # this process's own: nothing to ask AWS

    def row_key(self, item: PortForward) -> str:
        return str(item.id)

    def row_signature(self, item: PortForward, now: object) -> object | None:
        return None  # the forward changes in place (its state, its uptime)

    def row_cells(self, item: PortForward) -> tuple[Cell, ...]:
        uptime = age(item.started_at, self.ecs_app.clock()) if item.live else "-"
        return (
            f"localhost:{item.local_port}",
            item.target,
            uptime,
            Text(
                item.state if item.exit_code is None else f"{item.state} ({item.exit_code})",
                style=_STATE_STYLES.get(item.state, ""),
            ),
            item.session.session_id,
            inert(item.problem or "-", BAD if item.problem else DIM),
        )

    def open_item(self, item: PortForward) -> None:
        said = "\n".join(item.stderr) or "(nothing on stderr)"
        notify_inert(self, f"{item.target}\n{said}", title=f"localhost:{item.local_port}", timeout=15)

    def action_end_session(self) -> None:
        forward = self.selected
        if forward is None:
            return
        if not forward.live:
            notify_inert(self, f"The forward on localhost:{forward.local_port} has already ended.", severity="warning")
            return
        self.run_worker(self._end(forward), group="sessions-end", exit_on_error=False)

    async def _end(self, forward: PortForward) -> None:
        try:
            await self.ecs_app.port_forwards.end(forward)
        except Exception as exc:
            notify_inert(self, f"Ending the forward: {to_aws_error(exc).message}", severity="error")
        else:
            notify_inert(self, f"Forward on localhost:{forward.local_port} ended (plugin stopped, session terminated).")
        self.action_refresh_now()

    def palette_commands(self) -> list[PaletteCommand]:
        forward = self.selected
        if forward is None or not forward.live:
            return []
        return [
            PaletteCommand(f"End forward on localhost:{forward.local_port}", forward.target, self.action_end_session)
        ]
