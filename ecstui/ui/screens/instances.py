"""Container instances (EC2 capacity) of one cluster."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ecstui.aws.models import ContainerInstance
from ecstui.ui.format import BAD, GOOD, dash, status_text
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.resource_table import Cell, Column


def _share(remaining: int | None, registered: int | None) -> str:
    if registered is None:
        return "-"
    used = registered - (remaining or 0)
    return f"{used}/{registered}"


class InstancesScreen(ListScreen[ContainerInstance]):
    kind = "Container instances"
    columns = (
        Column("id", "Instance"),
        Column("ec2", "EC2 instance"),
        Column("type", "Type"),
        Column("status", "Status"),
        Column("agent", "Agent"),
        Column("cpu", "CPU used/registered"),
        Column("memory", "Memory used/registered"),
        Column("running", "Running"),
        Column("pending", "Pending"),
        Column("az", "AZ"),
    )
    sort_column = "ec2"

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
