"""Container instances (EC2 capacity) of one cluster."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding

from ecstui.aws.models import ContainerInstance
from ecstui.aws.resource_ref import ResourceRef, container_instance_ref
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.format import BAD, GOOD, dash, status_text
from ecstui.ui.inert import notify_inert
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.resource_table import Cell, Column


def _share(remaining: int | None, registered: int | None) -> str:
    if registered is None:
        return "-"
    used = registered - (remaining or 0)
    return f"{used}/{registered}"


class InstancesScreen(ListScreen[ContainerInstance], ResourceKeys):
    kind = "Container instances"
    columns = (
        Column("id", "Instance", priority=Priority.IDENTITY),
        Column("ec2", "EC2 instance", priority=Priority.DETAIL),
        Column("type", "Type", priority=Priority.DETAIL),
        Column("status", "Status", priority=Priority.ESSENTIAL),
        Column("agent", "Agent"),
        Column("cpu", "CPU used/registered"),
        Column("memory", "Memory used/registered"),
        Column("running", "Running", priority=Priority.ESSENTIAL),
        Column("pending", "Pending"),
        Column("az", "AZ", priority=Priority.DETAIL),
    )
    sort_column = "ec2"

    BINDINGS = [
        Binding("D", "drain", "Drain", id="instances.drain"),
        Binding("a", "reactivate", "Reactivate", id="instances.reactivate"),
    ]

    def __init__(self, cluster: str) -> None:
        self.cluster = cluster
        super().__init__()

    def subject(self) -> str:
        return self.cluster

    async def fetch(self) -> Sequence[ContainerInstance]:
        return await self.ecs_app.reader.container_instances(self.cluster)

    def row_key(self, item: ContainerInstance) -> str:
        return item.arn

    def row_cells(self, item: ContainerInstance) -> tuple[Cell, ...]:
        agent = Text("connected", style=GOOD) if item.agent_connected else Text("DISCONNECTED", style=BAD)
        return (
            item.id,
            dash(item.ec2_instance_id),
            dash(item.instance_type),
            status_text(item.status),
            agent,
            _share(item.remaining_cpu, item.registered_cpu),
            _share(item.remaining_memory, item.registered_memory),
            str(item.running_tasks),
            str(item.pending_tasks),
            dash(item.availability_zone),
        )

    def open_item(self, item: ContainerInstance) -> None:
        self.ecs_app.open_tasks(self.cluster, None)

    # -- changes -------------------------------------------------------------------------------
    def _instance_name(self, item: ContainerInstance) -> str:
        return item.ec2_instance_id or item.id

    def action_drain(self) -> None:
        item = self.selected
        if item is None or not self.ecs_app.can_mutate("draining an instance"):
            return
        if item.status == "DRAINING":
            notify_inert(self, f"{self._instance_name(item)} is already draining.", severity="warning")
            return
        count = item.running_tasks
        question = (
            f"Drain container instance {self._instance_name(item)} of {self.cluster}?\n"
            f"ECS places no new tasks on it and moves those of its {count} running task{'s' if count != 1 else ''} "
            "that belong to services to other instances; standalone tasks keep running. Reactivate (a) to undo."
        )
        actions = self.ecs_app.actions
        self.app.push_screen(
            ConfirmDialog(
                f"Drain {self._instance_name(item)}",
                question,
                lambda: actions.drain_container_instances(self.cluster, [item.arn]),
                confirm_label="Drain",
                destructive=True,
                # Draining moves running work; on a production profile the instance is named to confirm.
                type_to_confirm=self._instance_name(item) if self.ecs_app.needs_typed_confirmation else None,
                success=f"Draining {self._instance_name(item)}: its service tasks move elsewhere.",
            )
        )

    def action_reactivate(self) -> None:
        item = self.selected
        if item is None or not self.ecs_app.can_mutate("reactivating an instance"):
            return
        if item.status == "ACTIVE":
            notify_inert(self, f"{self._instance_name(item)} is already ACTIVE.", severity="warning")
            return
        actions = self.ecs_app.actions
        self.app.push_screen(
            ConfirmDialog(
                f"Reactivate {self._instance_name(item)}",
                f"Set container instance {self._instance_name(item)} of {self.cluster} back to ACTIVE, "
                f"so ECS places tasks on it again? (It is {item.status}.)",
                lambda: actions.reactivate_container_instances(self.cluster, [item.arn]),
                confirm_label="Reactivate",
                success=f"{self._instance_name(item)} is ACTIVE again.",
            )
        )

    def palette_commands(self) -> list[PaletteCommand]:
        """The actions that fit the selected row, for the command palette."""
        item = self.selected
        if item is None:
            return []
        commands: list[PaletteCommand] = [
            PaletteCommand(
                f"Tasks of {self.cluster}", "Every task of the cluster (enter)", lambda: self.open_item(item)
            ),
        ]
        if item.status != "DRAINING":
            commands.append(
                PaletteCommand(
                    f"Drain {self._instance_name(item)}", "Move its service tasks elsewhere (D)", self.action_drain
                )
            )
        if item.status != "ACTIVE":
            commands.append(
                PaletteCommand(
                    f"Reactivate {self._instance_name(item)}", "Set it ACTIVE again (a)", self.action_reactivate
                )
            )
        return commands

    def selected_ref(self) -> ResourceRef | None:
        item = self.selected
        return container_instance_ref(item, self.cluster, self.session_region) if item is not None else None
