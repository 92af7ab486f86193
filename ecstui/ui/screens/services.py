"""Services of one cluster."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding

from ecstui.aws.models import Service
from ecstui.ui.format import DIM, age, count_text, status_text
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.resource_table import Cell, Column


class ServicesScreen(ListScreen[Service]):
    kind = "Services"
    columns = (
        Column("name", "Name"),
        Column("status", "Status"),
        Column("tasks", "Running/Desired"),
        Column("pending", "Pending"),
        Column("taskdef", "Task definition"),
        Column("capacity", "Launch type / capacity"),
        Column("rollout", "Rollout"),
        Column("deployments", "Deployments"),
        Column("age", "Age"),
    )
    sort_column = "name"

    BINDINGS = [
        Binding("d", "task_definition", "Task definition", id="services.taskdef"),
    ]

    def __init__(self, cluster: str) -> None:
        self.cluster = cluster
        super().__init__()

    def subject(self) -> str:
        return self.cluster

    async def fetch(self) -> Sequence[Service]:
        return await self.ecs_app.reader.services(self.cluster)

    def row_key(self, item: Service) -> str:
        return item.arn

    def row_cells(self, item: Service) -> tuple[Cell, ...]:
        pending = Text(str(item.pending), style="yellow" if item.pending else DIM)
        deployments = len(item.deployments)
        return (
            Text(item.name, style="bold"),
            status_text(item.status),
            count_text(item.running, item.desired, item.pending),
            pending,
            item.task_definition,
            item.capacity or "-",
            status_text(item.rollout_state),
            Text(str(deployments), style="yellow" if deployments > 1 else ""),
            age(item.created_at, self.ecs_app.clock()),
        )

    def open_item(self, item: Service) -> None:
        self.ecs_app.open_tasks(self.cluster, item.name)

    def action_task_definition(self) -> None:
        if (item := self.selected) is not None:
            self.ecs_app.open_task_definition(item.task_definition_arn)
