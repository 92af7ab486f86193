"""Clusters of the region: the root pane."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding

from ecstui.aws.models import Cluster
from ecstui.ui.format import DIM, status_text
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.resource_table import Cell, Column


class ClustersScreen(ListScreen[Cluster]):
    kind = "Clusters"
    columns = (
        Column("name", "Name"),
        Column("status", "Status"),
        Column("capacity", "Capacity providers"),
        Column("services", "Services"),
        Column("running", "Running"),
        Column("pending", "Pending"),
        Column("instances", "Instances"),
        Column("insights", "Insights"),
    )
    sort_column = "name"

    BINDINGS = [
        Binding("t", "tasks", "Tasks", id="clusters.tasks"),
        Binding("i", "instances", "Instances", id="clusters.instances"),
    ]

    async def fetch(self) -> Sequence[Cluster]:
        return await self.ecs_app.reader.clusters()

    def row_key(self, item: Cluster) -> str:
        return item.arn

    def row_cells(self, item: Cluster) -> tuple[Cell, ...]:
        providers = ", ".join(item.capacity_providers) or "-"
        pending = Text(str(item.pending_tasks), style="yellow" if item.pending_tasks else DIM)
        return (
            Text(item.name, style="bold"),
            status_text(item.status),
            providers,
            str(item.active_services),
            str(item.running_tasks),
            pending,
            str(item.container_instances) if item.container_instances else Text("-", style=DIM),
            item.container_insights or "-",
        )

    def open_item(self, item: Cluster) -> None:
        self.ecs_app.open_services(item.name)

    def action_tasks(self) -> None:
        if (item := self.selected) is not None:
            self.ecs_app.open_tasks(item.name, None)

    def action_instances(self) -> None:
        if (item := self.selected) is not None:
            self.ecs_app.open_instances(item.name)
