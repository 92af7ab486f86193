"""One task: status and times, why it stopped, networking and security, its targets, containers, secrets."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding

from ecstui.aws.errors import AwsError
from ecstui.aws.load_balancing import TargetGroupView, TargetHealth
from ecstui.aws.metrics import TaskUtilisation
from ecstui.aws.models import Service, Task, TaskDefinition, short_name
from ecstui.aws.resource_ref import ResourceRef, task_ref
from ecstui.aws.stopped_tasks import stop_cause
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.format import BAD, DIM, WARN, age, dash, status_text, timestamp
from ecstui.ui.inert import inert
from ecstui.ui.last_lines import LastLines, read_last_lines, render_last_lines, wants_last_lines
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.detail import DetailScreen
from ecstui.ui.tables import InertTable, inert_group
from ecstui.ui.tables import kv_table as _kv_table
from ecstui.ui.traffic import (
    STABLE_ADDRESS_NOTE,
    addresses_that_stay,
    render_addresses_that_stay,
    stable_address,
    target_state_text,
)


@dataclass(frozen=True)
class TaskContext:
    """What the task's service says about it: its network configuration, its targets, the tasks it replaced."""

    service: Service | None = None
    target_groups: tuple[TargetGroupView, ...] = ()
    targets: tuple[tuple[TargetGroupView, TargetHealth], ...] = ()
    replaced: tuple[Task, ...] = ()  # stopped tasks of the same service that had other IPs
    load_balancing_error: str | None = None
    last_lines: LastLines | None = None  # a stopped task's last log lines (see ecstui.ui.last_lines)
    # CPU and memory used of reserved (Container Insights), or a sentence saying why there is none.
    utilisation: TaskUtilisation | str | None = None


class TaskDetailScreen(DetailScreen, ResourceKeys):
    kind = "Task"

    BINDINGS = [
        Binding("d", "task_definition", "Task definition", id="task.taskdef"),
        Binding("v", "service", "Service", id="task.service"),
        Binding("s", "shell", "Shell", id="task.shell"),
        Binding("F", "port_forward", "Port forward", id="task.port_forward"),
        Binding("l", "logs", "Logs", id="task.logs"),
    ]

    def __init__(self, cluster: str, task_arn: str) -> None:
        self.cluster = cluster
        self.task_arn = task_arn
        # Read once the task has stopped: its last lines cannot change. A denial is said and not asked again;
        # throttling or an outage is read again at the next refresh.
        self._last_lines: LastLines | None = None
        self._utilisation: tuple[datetime, TaskUtilisation | str] | None = None
        super().__init__()

    def subject(self) -> str:
        return f"{short_name(self.task_arn)}  ({self.cluster})"

    async def fetch(self) -> Any:
        reader = self.ecs_app.reader
        task = await reader.task(self.cluster, self.task_arn)
        if task is None:
            return None
        definition, context, utilisation = await asyncio.gather(
            reader.task_definition(task.task_definition_arn), self._service_context(task), self._read_utilisation(task)
        )
        if wants_last_lines(task):
            last = self._last_lines or await read_last_lines(self.ecs_app.logs, task, definition)
            if task.last_status == "STOPPED" and not last.retry:
                self._last_lines = last
            context = dataclasses.replace(context, last_lines=last)
        if utilisation is not None:
            context = dataclasses.replace(context, utilisation=utilisation)
        return task, definition, context

    async def _read_utilisation(self, task: Task) -> TaskUtilisation | str | None:
        """The task's CPU and memory from Container Insights, read at most once a minute (its datapoints are a
        minute apart); a sentence instead when Container Insights is off or CloudWatch cannot be read."""
        if task.last_status != "RUNNING":
            return None
        now = self.ecs_app.clock()
        if self._utilisation is not None and timedelta(0) <= now - self._utilisation[0] < timedelta(minutes=1):
            return self._utilisation[1]
        metrics = self.ecs_app.metrics
        result: TaskUtilisation | str
        try:
            level = await metrics.container_insights(self.cluster, now=now)
            if level is None:
                result = (
                    "Container Insights is off for this cluster, so ECS publishes no task CPU or memory. Turn it on "
                    f"with: aws ecs update-cluster-settings --cluster {self.cluster} "
                    "--settings name=containerInsights,value=enhanced"
                )
            else:
                family = short_name(task.task_definition_arn).rsplit(":", 1)[0]
                result = await metrics.task_utilisation(self.cluster, family, task.id, level=level, now=now)
        except AwsError as error:
            result = f"CPU and memory unavailable: {error.message}"
        self._utilisation = (now, result)
        return result

    async def _service_context(self, task: Task) -> TaskContext:
        name = task.service_name
        if name is None:
            return TaskContext()
        reader = self.ecs_app.reader
        service, stopped = await asyncio.gather(
            reader.service(self.cluster, name), reader.tasks(self.cluster, name, desired_status="STOPPED")
        )
        addresses = {task.private_ip, task.public_ip} - {None}
        replaced = tuple(
            t
            for t in stopped
            if t.arn != task.arn
            and {t.private_ip, t.public_ip} - {None}
            and not addresses & {t.private_ip, t.public_ip}
        )
        if service is None or not service.load_balancers:
            return TaskContext(service=service, replaced=replaced)
        # ELB may be unreadable where ECS is not: the rest of the task still shows.
        try:
            lb = self.ecs_app.load_balancing
            groups = await lb.for_service(service, [task])
            targets = tuple(lb.target_health_by_task(groups).get(task.arn, []))
        except AwsError as error:
            return TaskContext(service=service, replaced=replaced, load_balancing_error=error.message)
        return TaskContext(service=service, target_groups=tuple(groups), targets=targets, replaced=replaced)

    def render_body(self, data: Any) -> RenderableType:
        task, definition, context = data
        return render_task(task, definition, self.ecs_app.clock(), context)

    def action_task_definition(self) -> None:
        if self.data is not None:
            self.ecs_app.open_task_definition(self.data[0].task_definition_arn)

    def action_service(self) -> None:
        if self.data is not None and (name := self.data[0].service_name):
            self.ecs_app.open_service(self.cluster, name)

    def action_shell(self) -> None:
        if self.data is not None:
            self.ecs_app.open_shell(self.cluster, self.data[0])

    def action_port_forward(self) -> None:
        if self.data is not None:
            self.ecs_app.open_port_forward(self.cluster, self.data[0])

    def action_logs(self) -> None:
        """This task's log stream (c in the pane switches container)."""
        seen = self.data[0] if self.data is not None else None
        self.ecs_app.open_logs(self.cluster, task_arn=self.task_arn, seen_task=seen)

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [
            PaletteCommand("Task definition", "Open this task's task definition", self.action_task_definition),
            PaletteCommand("Shell", "ECS Exec in a container, after a readiness check", self.action_shell),
            PaletteCommand(
                "Port forward", "ECS Exec to a container port or a host the task reaches", self.action_port_forward
            ),
            PaletteCommand(f"Logs of task {short_name(self.task_arn)}", "Its container's log stream", self.action_logs),
        ]
        if self.data is not None and (name := self.data[0].service_name):
            commands.append(
                PaletteCommand(f"Service {name}", "Deployments, events, load balancing", self.action_service)
            )
        return commands

    def selected_ref(self) -> ResourceRef | None:
        # Known before the task loads: its ARN and cluster are what opened the pane.
        data = self.data
        if isinstance(data, tuple) and isinstance(data[0], Task):
            return task_ref(data[0], self.session_region)
        region = self.session_region or ""
        return ResourceRef("task", self.task_arn, short_name(self.task_arn), region, cluster=self.cluster)


def render_task(
    task: Task, definition: TaskDefinition | None, now: Any, context: TaskContext | None = None
) -> RenderableType:
    context = context or TaskContext()
    overview = _kv_table("Overview")
    overview.field("Task", inert(task.id))
    overview.field(
        "Last / desired", Text.assemble(status_text(task.last_status), " / ", status_text(task.desired_status))
    )
    overview.field("Health", status_text(task.health_status))
    overview.field("Task definition", inert(task.task_definition))
    overview.field("Service", inert(dash(task.service_name)))
    overview.field("Started by", inert(dash(task.started_by)))
    overview.field("Launch type", inert(dash(task.launch_type)))
    overview.field("Capacity provider", inert(dash(task.capacity_provider)))
    overview.field("CPU / memory", inert(f"{dash(task.cpu)} / {dash(task.memory)}"))
    if context.utilisation is not None:
        overview.field("Used (CloudWatch)", render_utilisation(context.utilisation))
    overview.field("Created", inert(f"{timestamp(task.created_at)}  ({age(task.created_at, now)} ago)"))
    overview.field("Started", inert(f"{timestamp(task.started_at)}  ({age(task.started_at, now)} ago)"))
    if task.stopped_at or task.stop_code or task.stopped_reason:
        overview.field("Stopped", inert(timestamp(task.stopped_at)))
        overview.field("Stop code", inert(dash(task.stop_code), BAD))
        overview.field("Cause", inert(stop_cause(task), BAD))
        overview.field("Stopped reason", inert(dash(task.stopped_reason), BAD))
        if context.last_lines is not None and context.last_lines.cause:
            overview.field("Last log line", inert(context.last_lines.cause, BAD))
    if task.container_instance_arn:
        overview.field("Container instance", inert(short_name(task.container_instance_arn)))

    network = render_network(task, definition, context)

    containers = InertTable(title="Containers", title_justify="left", title_style="bold", expand=False)
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
            inert(dash(exit_code), BAD if exit_code not in (None, 0) else ""),
            status_text(container.health_status),
            ports or "-",
            inert(dash(container.reason), BAD if container.reason else DIM),
        )

    parts: list[RenderableType] = [overview, Text("")]
    if context.last_lines is not None:
        several = len({line.container for line in context.last_lines.lines}) > 1
        parts += [render_last_lines(context.last_lines, several), Text("")]
    parts += [network, Text("")]
    if context.service is not None and context.service.load_balancers:
        parts += [render_targets(context), Text("")]
    parts.append(containers)
    if definition is not None:
        secrets = InertTable(
            title="Secrets (by source; values are never read)", title_justify="left", title_style="bold"
        )
        secrets.add_column("Container")
        secrets.add_column("Name")
        secrets.add_column("From")
        for container_def in definition.containers:
            for secret in container_def.secrets:
                secrets.add_row(container_def.name, secret.name, secret.value_from)
        if secrets.row_count:
            parts += [Text(""), secrets]
    return inert_group(*parts)


def render_network(task: Task, definition: TaskDefinition | None, context: TaskContext) -> RenderableType:
    network = _kv_table("Networking and security")
    network.field("Availability zone", inert(dash(task.availability_zone)))
    network.field("Private IP", inert(dash(task.private_ip)))
    if task.public_ip and context.target_groups:
        network.field("Public IP", Text.assemble(inert(task.public_ip), ("  (changes when the task is replaced)", DIM)))
    else:
        network.field("Public IP", inert(dash(task.public_ip)))
    if addresses := render_addresses_that_stay(context.target_groups):
        network.field("Address that stays", addresses)
    network.field("ENI", inert(dash(task.eni_id)))
    network.field("Subnet", inert(dash(task.subnet_id)))
    config = context.service.network if context.service is not None else None
    # ECS reports a task's security groups only through its service's network configuration.
    groups = ", ".join(config.security_groups) if config is not None else ""
    network.field(
        "Security groups", inert(groups) if groups else Text("- (not from a service with awsvpc networking)", style=DIM)
    )
    if definition is not None:
        network.field("Network mode", inert(dash(definition.network_mode)))
        network.field("Task role", inert(dash(definition.task_role_arn)))
        network.field("Execution role", inert(dash(definition.execution_role_arn)))
    if context.replaced:
        urls = addresses_that_stay(context.target_groups)
        address = urls[0][0] if urls else stable_address(context.target_groups)
        old = sorted({ip for t in context.replaced for ip in (t.public_ip, t.private_ip) if ip})
        shown = ", ".join(old[:4]) + (f" and {len(old) - 4} more" if len(old) > 4 else "")
        note = Text(
            f"{len(context.replaced)} replaced tasks of this service had other IPs ({shown}): task IPs change "
            "whenever ECS replaces a task.",
            style=WARN,
        )
        if address:
            note.append(" Use the load balancer ", style="")
            note.append(address, style="bold cyan")
            note.append(f", {STABLE_ADDRESS_NOTE}.", style="")
        elif context.service is not None and not context.service.load_balancers:
            note.append(" This service has no load balancer, so nothing gives it a stable address.", style="")
        network.field("IPs changed", note)
    return network


def render_targets(context: TaskContext) -> RenderableType:
    if context.load_balancing_error:
        return inert_group(Text("Load balancer targets", style="bold"), inert(f"⚠ {context.load_balancing_error}", BAD))
    table = InertTable(title="Load balancer targets", title_justify="left", title_style="bold", expand=False)
    for name in ("Target group", "Load balancer", "Target", "Port", "State", "Reason", "Description"):
        table.add_column(name)
    for group, health in context.targets:
        table.add_row(
            group.name,
            ", ".join(group.load_balancer_names) or "-",
            health.target_id,
            dash(health.port),
            target_state_text(health.state),
            inert(dash(health.reason), BAD if health.state.startswith("unhealthy") else ""),
            dash(health.description),
        )
    if not context.targets:
        return inert_group(
            Text("Load balancer targets", style="bold"),
            Text("This task is not registered with its service's target groups.", style=DIM),
        )
    return table


def _used(used: float | None, reserved: float | None, unit: str) -> str:
    if used is None:
        return "no data"
    if not reserved:
        return f"{used:.0f} {unit}"
    return f"{used:.0f} of {reserved:.0f} {unit} ({used / reserved:.0%})"


def render_utilisation(utilisation: TaskUtilisation | str) -> Text:
    """'CPU 85 of 256 units (33%), memory 280 of 512 MiB (55%)', with where the figures come from."""
    if isinstance(utilisation, str):
        return inert(utilisation, DIM)
    if not utilisation.has_data:
        return Text("No Container Insights data for this task in the last 5 minutes.", style=DIM)
    text = Text(f"CPU {_used(utilisation.cpu_used, utilisation.cpu_reserved, 'units')}, ")
    text.append(f"memory {_used(utilisation.memory_used, utilisation.memory_reserved, 'MiB')}")
    if utilisation.level == "family":
        text.append(
            "  (the average task of its family: per-task figures need Container Insights with enhanced observability)",
            style=DIM,
        )
    else:
        text.append("  (Container Insights, last minute)", style=DIM)
    return text
