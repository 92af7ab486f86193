"""Tasks of one service, or of a whole cluster."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding

from ecstui.aws.models import Task
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.task import StopTaskDialog
from ecstui.ui.format import DIM, age, dash, status_text
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.resource_table import Cell, Column


class TasksScreen(ListScreen[Task]):
    kind = "Tasks"
    sort_column = "id"

    BINDINGS = [
        Binding("x", "stop_task", "Stop", id="tasks.stop"),
        Binding("S", "toggle_stopped", "Running/stopped", id="tasks.toggle_stopped"),
    ]

    def __init__(self, cluster: str, service: str | None) -> None:
        self.cluster = cluster
        self.service = service
        self.desired_status = "RUNNING"
        self.columns = self._columns()
        super().__init__()

    def _columns(self) -> tuple[Column, ...]:
        service = () if self.service else (Column("service", "Service"),)
        if self.desired_status == "STOPPED":
            # What an operator reads stopped tasks for: when, and why.
            return (
                Column("id", "Task"),
                *service,
                Column("last", "Last status"),
                Column("taskdef", "Task definition"),
                Column("stopped", "Stopped"),
                Column("code", "Stop code"),
                Column("reason", "Stopped reason"),
            )
        return (
            Column("id", "Task"),
            *service,
            Column("last", "Last status"),
            Column("desired", "Desired"),
            Column("health", "Health"),
            Column("taskdef", "Task definition"),
            Column("capacity", "Capacity"),
            Column("az", "AZ"),
            Column("ip", "Private IP"),
            Column("started", "Started"),
        )

    def subject(self) -> str:
        where = f"{self.cluster} / {self.service}" if self.service else f"{self.cluster} (all services)"
        return where + ("  stopped" if self.desired_status == "STOPPED" else "")

    async def fetch(self) -> Sequence[Task]:
        return await self.ecs_app.reader.tasks(self.cluster, self.service, desired_status=self.desired_status)

    def row_key(self, item: Task) -> str:
        return item.arn

    def row_cells(self, item: Task) -> tuple[Cell, ...]:
        now = self.ecs_app.clock()
        service: tuple[Cell, ...] = () if self.service else (item.service_name or Text("-", style=DIM),)
        if self.desired_status == "STOPPED":
            return (
                item.id,
                *service,
                status_text(item.last_status),
                item.task_definition,
                age(item.stopped_at or item.stopping_at, now),
                Text(dash(item.stop_code), style="red"),
                Text(dash(item.stopped_reason), style="red"),
            )
        return (
            item.id,
            *service,
            status_text(item.last_status),
            status_text(item.desired_status),
            status_text(item.health_status),
            item.task_definition,
            item.capacity_provider or item.launch_type or "-",
            dash(item.availability_zone),
            dash(item.private_ip),
            age(item.started_at, now),
        )

    def open_item(self, item: Task) -> None:
        self.ecs_app.open_task(self.cluster, item.arn)

    def action_toggle_stopped(self) -> None:
        self.desired_status = "STOPPED" if self.desired_status == "RUNNING" else "RUNNING"
        self.items = {}
        self.columns = self._columns()
        self.table.set_columns(self.columns, sort_column="stopped" if self.desired_status == "STOPPED" else "id")
        self.updated_at = None
        self._update_title()
        self.action_refresh_now()

    def action_stop_task(self) -> None:
        item = self.selected
        if item is None or not self.ecs_app.can_mutate("stop task"):
            return
        if item.desired_status == "STOPPED":
            self.notify(f"Task {item.id} is already stopping or stopped.", severity="warning")
            return
        self.app.push_screen(StopTaskDialog(self.cluster, item, type_to_confirm=self.ecs_app.needs_typed_confirmation))

    def palette_commands(self) -> list[PaletteCommand]:
        item = self.selected
        commands = [
            PaletteCommand("Running / stopped tasks", "Switch which tasks are listed", self.action_toggle_stopped)
        ]
        if item is not None:
            commands.insert(0, PaletteCommand(f"Stop task {item.id}", "Stop it, with a reason", self.action_stop_task))
            commands.insert(1, PaletteCommand(f"Open task {item.id}", "Containers, network, times", self.action_open))
        return commands
