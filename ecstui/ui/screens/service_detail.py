"""One service: summary, deployments, why its tasks stop, its load balancing, and its events; roll back from here."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Static

from ecstui.aws.errors import AwsError
from ecstui.aws.load_balancing import TargetGroupView
from ecstui.aws.models import Deployment, Service, Task, short_name, task_definition_label
from ecstui.aws.stopped_tasks import StopCauseGroup, summarize_stopped
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.format import BAD, DIM, age, count_text, dash, status_text, timestamp
from ecstui.ui.inert import inert, notify_inert
from ecstui.ui.screens.detail import DetailScreen
from ecstui.ui.tables import InertTable, inert_group, kv_table
from ecstui.ui.traffic import render_addresses_that_stay, render_stop_causes, render_target_groups
from ecstui.ui.widgets.one_line import OneLine

SECTION = "bold underline"


@dataclass(frozen=True)
class ServiceView:
    """Everything the pane shows, fetched together so the sections agree with each other."""

    service: Service
    running: tuple[Task, ...]
    stopped: tuple[Task, ...]
    stop_causes: tuple[StopCauseGroup, ...]
    target_groups: tuple[TargetGroupView, ...]
    load_balancing_error: str | None = None


def rollback_target(service: Service) -> Deployment | None:
    """The deployment a rollback returns to: the ACTIVE one the primary is replacing, if any."""
    primary = service.primary_deployment
    return next(
        (
            d
            for d in service.deployments
            if d.status == "ACTIVE" and (primary is None or d.task_definition_arn != primary.task_definition_arn)
        ),
        None,
    )


class ServiceDetailScreen(DetailScreen):
    kind = "Service"

    BINDINGS = [
        Binding("b", "roll_back", "Roll back", id="service.rollback"),
        Binding("slash", "filter_events", "Filter events", id="service.filter_events"),
        Binding("t", "tasks", "Tasks", id="service.tasks"),
        Binding("d", "task_definition", "Task definition", id="service.taskdef"),
        Binding("a", "autoscaling", "Auto scaling", id="service.autoscaling"),
        Binding("l", "logs", "Logs", id="service.logs"),
    ]

    DEFAULT_CSS = """
    ServiceDetailScreen #events-filter { display: none; height: 3; }
    ServiceDetailScreen #events-filter.shown { display: block; }
    """

    def __init__(self, cluster: str, service: str) -> None:
        self.cluster = cluster
        self.service_name = service
        self.events_filter = ""
        super().__init__()

    def subject(self) -> str:
        return f"{self.service_name}  ({self.cluster})"

    def compose(self) -> ComposeResult:
        yield from self.compose_context()
        yield OneLine(self._title(), id="pane-title")
        yield Static("", id="pane-error")
        yield Input(placeholder="filter events: type to narrow, enter to keep, escape to clear", id="events-filter")
        with VerticalScroll(id="detail-scroll"):
            yield Static(Text("loading…", style="dim"), id="detail-body")
        yield Footer()

    async def fetch(self) -> Any:
        app = self.ecs_app
        reader = app.reader
        service = await reader.service(self.cluster, self.service_name)
        if service is None:
            return None
        running, stopped = await asyncio.gather(
            reader.tasks(self.cluster, self.service_name),
            reader.tasks(self.cluster, self.service_name, desired_status="STOPPED"),
        )
        groups: list[TargetGroupView] = []
        problem: str | None = None
        if service.load_balancers:
            # Load-balancer reads may be denied where ECS reads are not: say so in the section, keep the rest.
            try:
                groups = await app.load_balancing.for_service(service, running)
            except AwsError as error:
                problem = error.message
        return ServiceView(
            service, tuple(running), tuple(stopped), tuple(summarize_stopped(stopped)), tuple(groups), problem
        )

    @property
    def view(self) -> ServiceView | None:
        return self.data if isinstance(self.data, ServiceView) else None

    def render_body(self, data: Any) -> RenderableType:
        assert isinstance(data, ServiceView)
        return render_service(data, self.ecs_app.clock(), self.events_filter)

    # -- events filter -------------------------------------------------------------------------
    def action_filter_events(self) -> None:
        box = self.query_one("#events-filter", Input)
        box.add_class("shown")
        box.value = self.events_filter
        box.focus()

    @on(Input.Changed, "#events-filter")
    def _events_filter_changed(self, event: Input.Changed) -> None:
        self.events_filter = event.value.strip()
        self._rerender()

    @on(Input.Submitted, "#events-filter")
    def _events_filter_kept(self, event: Input.Submitted) -> None:
        self.query_one("#events-filter", Input).remove_class("shown")
        self.query_one("#detail-scroll").focus()

    def _rerender(self) -> None:
        if self.view is not None:
            self.body = self.render_body(self.view)
            self.query_one("#detail-body", Static).update(self.body)

    def action_back(self) -> None:
        box = self.query_one("#events-filter", Input)
        if box.has_focus or self.events_filter:
            box.value = ""
            box.remove_class("shown")
            self.events_filter = ""
            self._rerender()
            self.query_one("#detail-scroll").focus()
            return
        super().action_back()

    # -- navigation ------------------------------------------------------------------------------
    def action_tasks(self) -> None:
        self.ecs_app.open_tasks(self.cluster, self.service_name)

    def action_autoscaling(self) -> None:
        self.ecs_app.open_autoscaling(self.cluster, self.service_name)

    def action_logs(self) -> None:
        """The running tasks' logs, merged by time."""
        self.ecs_app.open_logs(self.cluster, service=self.service_name)

    def action_task_definition(self) -> None:
        if self.view is not None:
            self.ecs_app.open_task_definition(self.view.service.task_definition_arn)

    # -- roll back --------------------------------------------------------------------------------
    def action_roll_back(self) -> None:
        if self.view is None or not self.ecs_app.can_mutate("roll back"):
            return
        self._prepare_rollback(self.view.service)

    @work(exclusive=True, group="rollback-target", exit_on_error=False)
    async def _prepare_rollback(self, service: Service) -> None:
        target = rollback_target(service)
        arn: str | None
        if target is not None:
            arn, why = target.task_definition_arn, "the task definition of the deployment it is replacing"
        else:
            arn = await self._previous_revision(service.task_definition_arn)
            why = "the previous revision of its task definition"
        if arn is None:
            notify_inert(
                self,
                f"{service.name}: nothing to roll back to (no earlier deployment or revision).",
                severity="warning",
            )
            return
        actions, cluster, name = self.ecs_app.actions, self.cluster, service.name
        current = service.task_definition
        self.app.push_screen(
            ConfirmDialog(
                f"Roll back {name}",
                f"Deploy {task_definition_label(arn)} to {name} instead of {current} ({why}). ECS starts a new "
                f"deployment and replaces the tasks of {current}.",
                lambda: actions.update_service(cluster, name, arn),
                confirm_label="Roll back",
                type_to_confirm=name if self.ecs_app.needs_typed_confirmation else None,
                success=f"{name}: rolling back to {task_definition_label(arn)}.",
            )
        )

    async def _previous_revision(self, current_arn: str) -> str | None:
        family, _, revision = short_name(current_arn).rpartition(":")
        if not family or not revision.isdigit():
            return None
        arns = await self.ecs_app.reader.task_definition_revision_arns(family)
        older = [arn for arn in arns if _revision(arn) < int(revision)]
        return max(older, key=_revision) if older else None

    def palette_commands(self) -> list[PaletteCommand]:
        return [
            PaletteCommand(
                f"Roll back {self.service_name}", "Deploy the previous deployment's revision", self.action_roll_back
            ),
            PaletteCommand(f"Tasks of {self.service_name}", "Open its tasks", self.action_tasks),
            PaletteCommand(f"Logs of {self.service_name}", "Its running tasks' logs, merged", self.action_logs),
            PaletteCommand("Filter events", "Narrow the service's events", self.action_filter_events),
            PaletteCommand(f"Task definition of {self.service_name}", "Open it", self.action_task_definition),
        ]


def _revision(arn: str) -> int:
    tail = arn.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def _section(title: str) -> Text:
    return Text(title, style=SECTION)


def render_service(view: ServiceView, now: datetime, events_filter: str = "") -> RenderableType:
    service = view.service
    parts: list[RenderableType] = [
        render_summary(service, now, view.target_groups),
        Text(""),
        _section("Deployments"),
        render_deployments(service, now),
        Text(""),
        _section(f"Stopped tasks by cause ({len(view.stopped)})"),
        render_stop_causes(view.stop_causes, now),
        Text(""),
        _section("Load balancing"),
    ]
    if view.load_balancing_error:
        parts.append(inert(f"⚠ {view.load_balancing_error}", BAD))
    elif service.load_balancers:
        parts.append(render_target_groups(view.target_groups, now))
    else:
        parts.append(Text("Not behind a load balancer.", style=DIM))
    parts += [Text(""), render_events(service, now, events_filter)]
    return inert_group(*parts)


def render_summary(service: Service, now: datetime, target_groups: Sequence[TargetGroupView] = ()) -> RenderableType:
    summary = kv_table("Summary")
    summary.field("Status", status_text(service.status))
    tasks = Text.assemble(count_text(service.running, service.desired, service.pending), " running / desired")
    if service.pending:
        tasks.append(f", {service.pending} pending", style="yellow")
    summary.field("Tasks", tasks)
    summary.field("Task definition", inert(service.task_definition))
    summary.field("Capacity", inert(dash(service.capacity)))
    summary.field("Scheduling", inert(dash(service.scheduling_strategy)))
    network = service.network
    if network is not None:
        summary.field("Subnets", inert(", ".join(network.subnets) or "-"))
        summary.field("Security groups", inert(", ".join(network.security_groups) or "-"))
        summary.field(
            "Public IP",
            Text("assigned (each task its own, new when the task is replaced)")
            if network.assign_public_ip
            else Text("not assigned"),
        )
    if addresses := render_addresses_that_stay(target_groups):
        # Clients should use these: the tasks' IPs change whenever ECS replaces one.
        summary.field("Address that stays", addresses)
    breaker = service.circuit_breaker
    if breaker is not None:
        text = "enabled" if breaker.enable else "disabled"
        if breaker.enable:
            text += ", rolls back" if breaker.rollback else ", does not roll back"
        summary.field("Circuit breaker", Text(text))
    summary.field("Created", inert(f"{timestamp(service.created_at)}  ({age(service.created_at, now)} ago)"))
    return summary


def render_deployments(service: Service, now: datetime) -> RenderableType:
    if not service.deployments:
        return Text("No deployments.", style=DIM)
    table = InertTable(box=None, pad_edge=False, padding=(0, 2, 0, 0), header_style="bold")
    for name in ("Status", "Rollout", "Task definition", "Desired", "Running", "Pending", "Failed", "Updated"):
        table.add_column(name)
    reasons: list[Text] = []
    for deployment in service.deployments:
        failed = deployment.failed_tasks
        table.add_row(
            status_text(deployment.status),
            status_text(deployment.rollout_state),
            inert(deployment.task_definition),
            inert(deployment.desired),
            Text(str(deployment.running), style="" if deployment.running >= deployment.desired else BAD),
            Text(str(deployment.pending), style="yellow" if deployment.pending else DIM),
            Text(str(failed), style=BAD if failed else DIM),
            inert(f"{age(deployment.updated_at or deployment.created_at, now)} ago"),
        )
        if deployment.rollout_state_reason:
            reason = Text(f"{deployment.status.lower()} ({deployment.task_definition}): ", style=DIM)
            style = BAD if deployment.rollout_state == "FAILED" else ""
            reason.append(deployment.rollout_state_reason, style=style)
            reasons.append(reason)
    return inert_group(table, *reasons) if reasons else table


def render_events(service: Service, now: datetime, events_filter: str) -> RenderableType:
    needle = events_filter.lower()
    # ECS returns events newest first; sorting again keeps that true whatever the source.
    events = sorted(service.events, key=lambda e: e.created_at or now, reverse=True)
    shown = [e for e in events if needle in e.message.lower()] if needle else events
    title = Text(f"Events ({len(shown)} of {len(events)})" if needle else f"Events ({len(events)})", style=SECTION)
    if needle:
        title.append(f"  filter: {events_filter}", style="magenta")
    table = InertTable(box=None, pad_edge=False, padding=(0, 2, 0, 0), show_header=False)
    table.add_column("when", style="dim", no_wrap=True)
    table.add_column("message")
    for event in shown:
        message = inert(event.message)
        if any(word in event.message for word in ("unhealthy", "failed", "unable", "Failed")):
            message.stylize("red")
        table.add_row(inert(f"{age(event.created_at, now)} ago"), message)
    if not shown:
        return inert_group(title, Text("No events match." if needle else "No events.", style=DIM))
    return inert_group(title, table)
