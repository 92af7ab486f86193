"""Tasks of one service, or of a whole cluster."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from ecstui.aws.errors import AwsError, iam_action
from ecstui.aws.load_balancing import TargetGroupView, TargetHealth
from ecstui.aws.models import Service, Task, short_name
from ecstui.aws.resource_ref import ResourceRef, task_ref
from ecstui.aws.stopped_tasks import summarize_stopped
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.task import StopTaskDialog
from ecstui.ui.format import DIM, age, dash, status_text
from ecstui.ui.inert import make_inert, notify_inert
from ecstui.ui.polling import FetchAbandoned
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.base import ListScreen, Refresh
from ecstui.ui.traffic import health_summary, stop_causes_line
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.resource_table import Cell, Column

_NOT_YET = Text("…", style=DIM)


class TasksScreen(ListScreen[Task], ResourceKeys):
    kind = "Tasks"
    sort_column = "id"
    progressive_batch: ClassVar[int] = 100  # ARNs a DescribeTasks call takes

    BINDINGS = [
        Binding("x", "stop_task", "Stop", id="tasks.stop"),
        Binding("S", "toggle_stopped", "Running/stopped", id="tasks.toggle_stopped"),
        Binding("s", "shell", "Shell", id="tasks.shell"),
        Binding("F", "port_forward", "Port forward", id="tasks.port_forward"),
        Binding("l", "logs", "Logs", id="tasks.logs"),
    ]

    DEFAULT_CSS = """
    TasksScreen #stopped-summary { height: auto; padding: 0 1; display: none; }
    TasksScreen #stopped-summary.shown { display: block; }
    TasksScreen #target-health-note { height: auto; padding: 0 1; color: $warning; display: none; }
    TasksScreen #target-health-note.shown { display: block; }
    """

    def __init__(self, cluster: str, service: str | None) -> None:
        self.cluster = cluster
        self.service = service
        self.desired_status = "RUNNING"
        # The service's load balancers, read once: a target-health column only where there are targets.
        self.service_model: Service | None = None
        self.target_health: dict[str, list[tuple[TargetGroupView, TargetHealth]]] = {}
        self.target_health_error: str | None = None  # the note saying why target health reads "?"
        # A public-IP column only when a listed task has one (assignPublicIp ENABLED in a public subnet).
        self.shows_public_ip = False
        self.columns = self._columns()
        super().__init__()

    def on_mount(self) -> None:
        # Above the table: in the stopped view, why they stopped, grouped by cause (a crash loop is one line).
        self.query_one(Vertical).mount(Static("", id="stopped-summary"), before=self.table)
        # Why the target-health column reads "?" when ELB could not be read; the tasks themselves still show.
        self.query_one(Vertical).mount(Static("", id="target-health-note"), before=self.table)

    @property
    def shows_target_health(self) -> bool:
        return (
            self.desired_status == "RUNNING"
            and self.service_model is not None
            and bool(self.service_model.load_balancers)
        )

    def _columns(self) -> tuple[Column, ...]:
        service = () if self.service else (Column("service", "Service", priority=Priority.ESSENTIAL),)
        if self.desired_status == "STOPPED":
            # What an operator reads stopped tasks for: when, and why.
            return (
                Column("id", "Task", priority=Priority.IDENTITY),
                *service,
                Column("last", "Last status", priority=Priority.ESSENTIAL),
                Column("taskdef", "Task definition", priority=Priority.DETAIL),
                Column("stopped", "Stopped", priority=Priority.ESSENTIAL),
                Column("code", "Stop code", priority=Priority.ESSENTIAL),
                Column("reason", "Stopped reason"),
            )
        return (
            Column("id", "Task", priority=Priority.IDENTITY),
            *service,
            Column("last", "Last status", priority=Priority.ESSENTIAL),
            Column("desired", "Desired"),
            Column("health", "Health", priority=Priority.ESSENTIAL),
            Column("taskdef", "Task definition", priority=Priority.DETAIL),
            Column("capacity", "Capacity", priority=Priority.DETAIL),
            Column("az", "AZ", priority=Priority.DETAIL),
            Column("ip", "Private IP"),
            *((Column("public", "Public IP", priority=Priority.DETAIL),) if self.shows_public_ip else ()),
            *((Column("targets", "Target health"),) if self.shows_target_health else ()),
            Column("started", "Started"),
        )

    def subject(self) -> str:
        where = f"{self.cluster} / {self.service}" if self.service else f"{self.cluster} (all services)"
        return where + ("  stopped" if self.desired_status == "STOPPED" else "")

    # A big listing loads progressively and, once loaded, each refresh describes only the rows on screen (see
    # ListScreen): DescribeTasks takes 100 ARNs, so a screenful is one call whatever the cluster's size.
    async def fetch_keys(self) -> Sequence[str]:
        reader = self.ecs_app.reader
        if self.service is not None and self.service_model is None:
            self.service_model = await reader.service(self.cluster, self.service)
        arns = await reader.task_arns(self.cluster, self.service, desired_status=self.desired_status)
        # In the table's order (by task id), so that a first load's first keys are its first screenful.
        return sorted(arns, key=short_name)

    async def stream_items(self, keys: Sequence[str]) -> AsyncIterator[Sequence[Task]]:
        yield await self.ecs_app.reader.describe_tasks(self.cluster, keys)

    def placeholder_cells(self, key: str) -> tuple[Cell, ...]:
        # One shared "…" for every cell not described yet: 5,000 tasks would otherwise make 60,000 of them.
        return (short_name(key), *((_NOT_YET,) * (len(self.columns) - 1)))

    def keep_item(self, item: Task) -> bool:
        # ListTasks filters by service on AWS, but an endpoint that ignores serviceName must not leak other services'
        # tasks into this one: a service's tasks are exactly those of its group. A task described as stopping in the
        # running view is one the next listing leaves out: it goes now (a row on screen need not wait for the sweep).
        if self.service is not None and item.group != f"service:{short_name(self.service)}":
            return False
        return item.desired_status == self.desired_status

    async def _fetch_cycle(self) -> Refresh[Task]:
        status = self.desired_status
        refresh = await super()._fetch_cycle()
        if self.desired_status != status:
            # Toggled while this cycle ran: its listing is of the other view. The next cycle starts over.
            self.restart_listing()
            raise FetchAbandoned
        if not (self.shows_target_health and self.service_model is not None):
            return refresh
        tasks = list(refresh.items.values())
        # Target health is a second opinion on the tasks: if ELB cannot be read, the tasks still show. One read
        # of the service's target groups a refresh (each DescribeTargetHealth answers for all a group's targets).
        try:
            lb = self.ecs_app.load_balancing
            groups = await lb.for_service(self.service_model, tasks)
            self.target_health, self.target_health_error = lb.target_health_by_task(groups), None
        except AwsError as error:
            self.target_health, self.target_health_error = {}, _target_health_unknown(error)
        return self._prepare(tasks)  # the rows again, with the target health just read

    def _apply(self, result: object) -> None:
        listed = result.items.values() if isinstance(result, Refresh) else result
        if isinstance(listed, Iterable):
            self.shows_public_ip = self.desired_status == "RUNNING" and any(
                isinstance(task, Task) and task.public_ip for task in listed
            )
        if self.shows_target_health != any(c.key == "targets" for c in self.columns) or self.shows_public_ip != any(
            c.key == "public" for c in self.columns
        ):
            self.columns = self._columns()
            self.table.set_columns(self.columns, sort_column=self.table.sort_column)
        super()._apply(result)
        summary = self.query_one("#stopped-summary", Static)
        if self.desired_status == "STOPPED":
            summary.update(
                make_inert(stop_causes_line(summarize_stopped(list(self.items.values())), self.ecs_app.clock()))
            )
            summary.add_class("shown")
        else:
            summary.remove_class("shown")
        note = self.query_one("#target-health-note", Static)
        if self.shows_target_health and self.target_health_error is not None:
            note.update(Text(f"⚠ {self.target_health_error}"))
            note.add_class("shown")
        else:
            note.remove_class("shown")

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
            *((dash(item.public_ip),) if self.shows_public_ip else ()),
            *((self._target_health_cell(item),) if self.shows_target_health else ()),
            age(item.started_at, now),
        )

    def row_signature(self, item: Task, now: datetime) -> object | None:
        # Target health is not part of the task, so those rows are rendered anew each refresh.
        if self.shows_target_health:
            return None
        return (item, self.shows_public_ip, age(item.started_at, now), age(item.stopped_at or item.stopping_at, now))

    def _target_health_cell(self, item: Task) -> Text:
        if self.target_health_error is not None:
            return Text("?", style=DIM)
        return health_summary(self.target_health.get(item.arn, []))

    def open_item(self, item: Task) -> None:
        self.ecs_app.open_task(self.cluster, item.arn)

    def action_logs(self) -> None:
        """The task's own log stream (a stopped task's last lines)."""
        if (item := self.selected) is not None:
            self.ecs_app.open_logs(self.cluster, task_arn=item.arn, seen_task=item)

    def action_toggle_stopped(self) -> None:
        self.desired_status = "STOPPED" if self.desired_status == "RUNNING" else "RUNNING"
        self.items = {}
        self.restart_listing()  # other keys: a big listing is listed and swept anew
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
            notify_inert(self, f"Task {item.id} is already stopping or stopped.", severity="warning")
            return
        self.app.push_screen(StopTaskDialog(self.cluster, item, type_to_confirm=self.ecs_app.needs_typed_confirmation))

    def action_shell(self) -> None:
        if (item := self.selected) is not None:
            self.ecs_app.open_shell(self.cluster, item)

    def action_port_forward(self) -> None:
        if (item := self.selected) is not None:
            self.ecs_app.open_port_forward(self.cluster, item)

    def palette_commands(self) -> list[PaletteCommand]:
        item = self.selected
        commands = [
            PaletteCommand("Running / stopped tasks", "Switch which tasks are listed", self.action_toggle_stopped)
        ]
        if item is not None:
            commands.insert(0, PaletteCommand(f"Stop task {item.id}", "Stop it, with a reason", self.action_stop_task))
            commands.insert(1, PaletteCommand(f"Open task {item.id}", "Containers, network, times", self.action_open))
            commands.insert(
                2, PaletteCommand(f"Shell in task {item.id}", "ECS Exec, after a readiness check", self.action_shell)
            )
            commands.insert(
                3, PaletteCommand(f"Port forward through {item.id}", "ECS Exec to a port", self.action_port_forward)
            )
            commands.insert(4, PaletteCommand(f"Logs of task {item.id}", "Its own log stream", self.action_logs))
        return commands

    def selected_ref(self) -> ResourceRef | None:
        item = self.selected
        return task_ref(item, self.session_region) if item is not None else None


def _target_health_unknown(error: AwsError) -> str:
    """One sentence for the note above the table: why every target-health cell reads "?"."""
    if error.kind == "denied":
        return (
            f"Target health shows ? because this profile may not call {iam_action(error.operation)}: "
            "grant it that IAM permission to see it; the tasks are listed as usual."
        )
    return f"Target health shows ? because the load balancers could not be read: {error.message}"
