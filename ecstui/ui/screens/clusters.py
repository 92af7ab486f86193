"""Clusters of the region: the root pane."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding

from ecstui.aws.models import Cluster
from ecstui.aws.resource_ref import ResourceRef, cluster_ref
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.cluster import CreateClusterDialog, DeleteClusterDialog
from ecstui.ui.dialogs.create_service import CreateServiceDialog
from ecstui.ui.format import DIM, status_text
from ecstui.ui.inert import notify_inert
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.resource_table import Cell, Column


class ClustersScreen(ListScreen[Cluster], ResourceKeys):
    kind = "Clusters"
    columns = (
        Column("name", "Name", priority=Priority.IDENTITY),
        Column("status", "Status", priority=Priority.ESSENTIAL),
        Column("capacity", "Capacity providers", priority=Priority.DETAIL),
        Column("services", "Services", priority=Priority.ESSENTIAL),
        Column("running", "Running", priority=Priority.ESSENTIAL),
        Column("pending", "Pending"),
        Column("instances", "Instances"),
        Column("insights", "Insights", priority=Priority.DETAIL),
    )
    sort_column = "name"

    BINDINGS = [
        Binding("t", "tasks", "Tasks", id="clusters.tasks"),
        Binding("i", "instances", "Instances", id="clusters.instances"),
        Binding("c", "create_cluster", "Create cluster", id="clusters.create"),
        Binding("n", "create_service", "New service", id="clusters.create_service"),
        Binding("ctrl+d", "delete_cluster", "Delete", id="clusters.delete"),
    ]

    def __init__(self, select: str | None = None) -> None:
        super().__init__()
        # Built on the way back from a cluster the app was launched on: the cursor starts on that cluster.
        self._select = select

    async def fetch(self) -> Sequence[Cluster]:
        return await self.ecs_app.reader.clusters()

    def _apply(self, result: object) -> None:
        super()._apply(result)
        if self._select is not None:
            wanted, self._select = self._select, None
            for key, cluster in self.items.items():
                if wanted in (cluster.name, cluster.arn):
                    self.table.select_key(key)
                    break

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

    # -- changes -------------------------------------------------------------------------------
    def action_create_cluster(self) -> None:
        if self.ecs_app.can_mutate("creating a cluster"):
            self.app.push_screen(CreateClusterDialog({c.name for c in self.items.values() if c.status == "ACTIVE"}))

    def action_create_service(self) -> None:
        item = self.selected
        if item is None or not self.ecs_app.can_mutate("creating a service"):
            return
        if item.status != "ACTIVE":
            notify_inert(
                self, f"Cluster {item.name} is {item.status}: services go in an ACTIVE cluster.", severity="warning"
            )
            return
        self.app.push_screen(CreateServiceDialog(item))

    def action_delete_cluster(self) -> None:
        item = self.selected
        if item is None or not self.ecs_app.can_mutate("deleting a cluster"):
            return
        if item.status != "ACTIVE":
            notify_inert(self, f"Cluster {item.name} is already {item.status}.", severity="warning")
            return
        self.app.push_screen(DeleteClusterDialog(item))

    def palette_commands(self) -> list[PaletteCommand]:
        """The actions that fit the selected row, for the command palette."""
        commands: list[PaletteCommand] = [
            PaletteCommand(
                "Create cluster",
                "A new cluster: name, Fargate capacity providers, Container Insights (c)",
                self.action_create_cluster,
            ),
        ]
        item = self.selected
        if item is not None:
            commands += [
                PaletteCommand(
                    f"Services of {item.name}", "Open the cluster's services (enter)", lambda: self.open_item(item)
                ),
                PaletteCommand(f"Tasks of {item.name}", "Every task of the cluster (t)", self.action_tasks),
                PaletteCommand(
                    f"Container instances of {item.name}", "The cluster's EC2 capacity (i)", self.action_instances
                ),
            ]
            if item.status == "ACTIVE":
                commands += [
                    PaletteCommand(
                        f"Create service in {item.name}",
                        "Task definition, count, network, target group (n)",
                        self.action_create_service,
                    ),
                    PaletteCommand(
                        f"Delete cluster {item.name}",
                        "Scale services to 0, delete them, delete the cluster (ctrl+d)",
                        self.action_delete_cluster,
                    ),
                ]
        return commands

    def selected_ref(self) -> ResourceRef | None:
        item = self.selected
        return cluster_ref(item, self.session_region) if item is not None else None
