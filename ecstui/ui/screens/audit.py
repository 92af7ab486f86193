"""`:audit`: every change ecstui asked AWS to make, newest first, where a scale can be undone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from rich.text import Text
from textual.binding import Binding

from ecstui.aws.audit import AuditEntry
from ecstui.aws.errors import AwsError
from ecstui.aws.models import short_name
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.format import BAD, DIM, GOOD
from ecstui.ui.inert import notify_inert
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.resource_table import Cell, Column

UNDOABLE = ("scale_service", "undo_scale")
_PARAMETERS_SHOWN = 60
_RESULT_SHOWN = 48


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class AuditRow:
    """An entry and its position in the log counted from the oldest: stable as the log only grows."""

    seq: int
    entry: AuditEntry


def _compact(values: dict[str, Any] | None, skip: tuple[str, ...] = ()) -> str:
    if not values:
        return "-"
    parts = [f"{key}={_short(value)}" for key, value in values.items() if key not in skip]
    return _clip(" ".join(parts) or "-", _PARAMETERS_SHOWN)


def _short(value: Any) -> str:
    # ARNs are long and say little in a column: 'arn:...:task-definition/web:3' reads as 'web:3'.
    if isinstance(value, str):
        return short_name(value) if value.startswith("arn:") else value
    return json.dumps(value, default=str)


def undoable(entry: AuditEntry) -> bool:
    return entry.action in UNDOABLE and entry.ok and isinstance((entry.before or {}).get("desiredCount"), int)


class AuditScreen(ListScreen[AuditRow]):
    kind = "Audit log"
    columns = (
        Column("time", "Time (UTC)", priority=Priority.ESSENTIAL),
        Column("profile", "Profile", priority=Priority.DETAIL),
        Column("region", "Region", priority=Priority.DETAIL),
        Column("action", "Action", priority=Priority.ESSENTIAL),
        Column("target", "Target", priority=Priority.IDENTITY),
        # The result before the long columns, so a failure is seen without scrolling sideways.
        Column("result", "Result", priority=Priority.ESSENTIAL),
        Column("before", "Before", priority=Priority.DETAIL),
        Column("parameters", "Parameters", priority=Priority.DETAIL),
    )
    sort_column = "time"

    BINDINGS = [
        Binding("u", "undo", "Undo scale", id="audit.undo"),
    ]

    def subject(self) -> str:
        return str(self.ecs_app.audit.path)

    def on_mount(self) -> None:
        self.table.sort_reverse = True  # newest first

    async def fetch(self) -> Sequence[AuditRow]:
        # A local file, read off the event loop: a long log must not freeze the screen.
        entries = await asyncio.to_thread(self.ecs_app.audit.entries)
        count = len(entries)
        return [AuditRow(count - index, entry) for index, entry in enumerate(entries)]

    def row_key(self, item: AuditRow) -> str:
        return str(item.seq)

    def row_cells(self, item: AuditRow) -> tuple[Cell, ...]:
        entry = item.entry
        failed = not entry.ok
        when = entry.time.astimezone(UTC)
        return (
            # Milliseconds keep two changes in the same second in the order they were made.
            when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}",
            entry.profile or "-",
            entry.region or "-",
            Text(entry.action, style=BAD if failed else "bold"),
            entry.target,
            Text(_clip(entry.result, _RESULT_SHOWN), style=BAD if failed else GOOD)
            if entry.result
            else Text("-", style=DIM),
            _compact(entry.before),
            # The target already names cluster and service; the parameters show only what else was asked.
            _compact(entry.parameters, skip=("cluster", "service")),
        )

    def open_item(self, item: AuditRow) -> None:
        notify_inert(self, json.dumps(json.loads(item.entry.to_json()), indent=1), title="Audit entry", timeout=20)

    def action_undo(self) -> None:
        row = self.selected
        if row is None or not self.ecs_app.can_mutate("undoing a scale"):
            return
        entry = row.entry
        if not undoable(entry):
            why = "failed" if not entry.ok else f"is a {entry.action}"
            notify_inert(self, f"Only a successful scale can be undone; this entry {why}.", severity="warning")
            return
        # What the service wants now decides what an undo means: read it before offering anything.
        self.run_worker(self._offer_undo(entry), group="audit-undo", exclusive=True, exit_on_error=False)

    async def _offer_undo(self, entry: AuditEntry) -> None:
        previous = (entry.before or {})["desiredCount"]
        scaled_to = entry.parameters.get("desiredCount")
        cluster = str(entry.parameters.get("cluster", ""))
        service = str(entry.parameters.get("service", entry.target))
        try:
            found = await self.ecs_app.reader.service(cluster, service)
        except AwsError as error:
            notify_inert(self, f"Cannot read {entry.target}, so nothing is undone: {error.message}", severity="error")
            return
        if found is None or found.status == "INACTIVE":
            notify_inert(self, f"{entry.target} no longer exists: there is nothing to undo.", severity="warning")
            return
        current = found.desired
        if current == previous:
            notify_inert(self, f"{entry.target} already wants {previous} tasks: there is nothing to undo.")
            return
        when = f"{entry.time.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        plural = "s" if previous != 1 else ""
        if current == scaled_to:
            question = (
                f"Set {entry.target} back to {previous} desired task{plural}? "
                f"It was scaled from {previous} to {scaled_to} at {when}."
            )
        else:
            question = (
                f"{entry.target} was scaled from {previous} to {scaled_to} at {when}, and has been scaled to "
                f"{current} since, by someone else. Set it to {previous} anyway (from the {current} it wants now)?"
            )
        actions = self.ecs_app.actions
        # Scaling down stops tasks: on a production profile that needs the name.
        down = previous < current
        self.app.push_screen(
            ConfirmDialog(
                f"Undo scale of {entry.target}",
                question,
                # Sent only if the service still wants `current`: a change made after this question is not undone.
                lambda: actions.undo_scale(entry, expected=current),
                confirm_label=f"Scale {current} → {previous}",
                destructive=down,
                type_to_confirm=service if down and self.ecs_app.needs_typed_confirmation else None,
                success=f"{entry.target}: desired count set back to {previous}.",
            )
        )

    def palette_commands(self) -> list[PaletteCommand]:
        """The actions that fit the selected row, for the command palette."""
        row = self.selected
        if row is None or not undoable(row.entry):
            return []
        previous = (row.entry.before or {}).get("desiredCount")
        return [
            PaletteCommand(
                f"Undo scale of {row.entry.target}", f"Set the desired count back to {previous} (u)", self.action_undo
            )
        ]


__all__ = ["AuditRow", "AuditScreen", "undoable"]
