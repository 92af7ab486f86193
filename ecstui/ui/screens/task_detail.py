"""One task: status and times, why it stopped, network, containers, and the secrets it is given."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding

from ecstui.aws.models import Task, TaskDefinition, short_name
from ecstui.ui.format import BAD, DIM, age, dash, status_text, timestamp
from ecstui.ui.screens.detail import DetailScreen


def _kv_table(title: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_header=False, box=None, pad_edge=False)
    table.add_column("field", style="dim", no_wrap=True)
    table.add_column("value")
    return table


class TaskDetailScreen(DetailScreen):
    kind = "Task"

    BINDINGS = [Binding("d", "task_definition", "Task definition", id="task.taskdef")]

    def __init__(self, cluster: str, task_arn: str) -> None:
        self.cluster = cluster
        self.task_arn = task_arn
        super().__init__()

    def subject(self) -> str:
        return f"{short_name(self.task_arn)}  ({self.cluster})"

    async def fetch(self) -> Any:
        reader = self.ecs_app.reader
        task = await reader.task(self.cluster, self.task_arn)
        if task is None:
            return None
        definition = await reader.task_definition(task.task_definition_arn)
        return task, definition

    def render_body(self, data: Any) -> RenderableType:
        task, definition = data
        return render_task(task, definition, self.ecs_app.clock())

    def action_task_definition(self) -> None:
        if self.data is not None:
            self.ecs_app.open_task_definition(self.data[0].task_definition_arn)


def render_task(task: Task, definition: TaskDefinition | None, now: Any) -> RenderableType:
    overview = _kv_table("Overview")
    overview.add_row("Task", task.id)
    overview.add_row(
        "Last / desired", Text.assemble(status_text(task.last_status), " / ", status_text(task.desired_status))
    )
    overview.add_row("Health", status_text(task.health_status))
    overview.add_row("Task definition", task.task_definition)
    overview.add_row("Service", dash(task.service_name))
    overview.add_row("Started by", dash(task.started_by))
    overview.add_row("Launch type", dash(task.launch_type))
    overview.add_row("Capacity provider", dash(task.capacity_provider))
    overview.add_row("CPU / memory", f"{dash(task.cpu)} / {dash(task.memory)}")
    overview.add_row("Created", f"{timestamp(task.created_at)}  ({age(task.created_at, now)} ago)")
    overview.add_row("Started", f"{timestamp(task.started_at)}  ({age(task.started_at, now)} ago)")
    if task.stopped_at or task.stop_code or task.stopped_reason:
        overview.add_row("Stopped", timestamp(task.stopped_at))
        overview.add_row("Stop code", Text(dash(task.stop_code), style=BAD))
        overview.add_row("Stopped reason", Text(dash(task.stopped_reason), style=BAD))
    if task.container_instance_arn:
        overview.add_row("Container instance", short_name(task.container_instance_arn))

    network = _kv_table("Network")
    network.add_row("Availability zone", dash(task.availability_zone))
    network.add_row("Private IP", dash(task.private_ip))
    network.add_row("Public IP", dash(task.public_ip))
    network.add_row("ENI", dash(task.eni_id))
    network.add_row("Subnet", dash(task.subnet_id))
    if definition is not None:
        network.add_row("Network mode", dash(definition.network_mode))
        network.add_row("Task role", dash(definition.task_role_arn))
        network.add_row("Execution role", dash(definition.execution_role_arn))

    containers = Table(title="Containers", title_justify="left", title_style="bold", expand=False)
    for name in ("Name", "Image", "Status", "Exit", "Health", "Ports", "Reason"):
        containers.add_column(name)
    for container in task.containers:
        ports = ", ".join(
            f"{b.host_port or '-'}->{b.container_port}/{b.protocol or 'tcp'}" for b in container.port_bindings
        )
        exit_code = container.exit_code
        containers.add_row(
            container.name,
            dash(container.image),
            status_text(container.last_status),
            Text(dash(exit_code), style=BAD if exit_code not in (None, 0) else ""),
            status_text(container.health_status),
            ports or "-",
            Text(dash(container.reason), style=BAD if container.reason else DIM),
        )

    parts: list[RenderableType] = [overview, Text(""), network, Text(""), containers]
    if definition is not None:
        secrets = Table(title="Secrets (by source; values are never read)", title_justify="left", title_style="bold")
        secrets.add_column("Container")
        secrets.add_column("Name")
        secrets.add_column("From")
        for container_def in definition.containers:
            for secret in container_def.secrets:
                secrets.add_row(container_def.name, secret.name, secret.value_from)
        if secrets.row_count:
            parts += [Text(""), secrets]
    return Group(*parts)
