"""One service: summary, deployments, why its tasks stop, its load balancing, and its events; roll back from here."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from ecstui.aws.errors import AwsError
from ecstui.aws.load_balancing import TargetGroupView
from ecstui.aws.metrics import CHART_PERIODS, AlbTargetGroup, ServiceCharts, tracking_targets
from ecstui.aws.models import Deployment, Service, Task, short_name, task_definition_label
from ecstui.aws.resource_ref import ResourceRef, service_ref
from ecstui.aws.stopped_tasks import StopCauseGroup, summarize_stopped
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.format import BAD, DIM, age, count_text, dash, status_text, timestamp
from ecstui.ui.inert import inert, notify_inert
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.detail import DetailScreen
from ecstui.ui.tables import InertTable, inert_group, kv_table
from ecstui.ui.traffic import render_addresses_that_stay, render_stop_causes, render_target_groups
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.metric_chart import ChartGrid
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
    charts: ServiceCharts | None = None
    charts_error: str | None = None  # CloudWatch unreadable: said in the metrics section, the rest shows
    chart_hours: int = 1


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


class ServiceDetailScreen(DetailScreen, ResourceKeys):
    kind = "Service"

    BINDINGS = [
        Binding("b", "roll_back", "Roll back", id="service.rollback"),
        Binding("slash", "filter_events", "Filter events", id="service.filter_events"),
        Binding("t", "tasks", "Tasks", id="service.tasks"),
        Binding("d", "task_definition", "Task definition", id="service.taskdef"),
        Binding("a", "autoscaling", "Auto scaling", id="service.autoscaling"),
        Binding("l", "logs", "Logs", id="service.logs"),
        Binding("m", "metrics_range", "Metrics 1h/6h/24h", id="service.metrics_range"),
    ]
    # Charts are read when the view opens, when the range changes, and at most once a minute after
    # (CloudWatch's datapoints are a minute apart); the view's own refresh is faster than that.
    CHARTS_EVERY = timedelta(seconds=60)

    DEFAULT_CSS = """
    ServiceDetailScreen #events-filter { display: none; height: 3; }
    ServiceDetailScreen #events-filter.shown { display: block; }
    """

    def __init__(self, cluster: str, service: str) -> None:
        self.cluster = cluster
        self.service_name = service
        self.events_filter = ""
        self.chart_hours = 1
        # (hours, read at, charts or None, error or None): the last read of the charts.
        self._charts: tuple[int, datetime, ServiceCharts | None, str | None] | None = None
        self._scroll_to_metrics = False
        super().__init__()

    def subject(self) -> str:
        return f"{self.service_name}  ({self.cluster})"

    async def _read_charts(
        self, service: Service, groups: Sequence[TargetGroupView]
    ) -> tuple[ServiceCharts | None, str | None]:
        """The charts over the chosen range, read again only after a minute or a change of range; an error
        (no cloudwatch:GetMetricData, throttling) is said in their section and retried a minute later."""
        app = self.ecs_app
        now = app.clock()
        last = self._charts
        if last is not None and last[0] == self.chart_hours and timedelta(0) <= now - last[1] < self.CHARTS_EVERY:
            return last[2], last[3]
        try:
            insights = await app.metrics.container_insights(self.cluster, now=now)
            try:
                targets = tracking_targets(await app.scaling.policies(), self.cluster, service.name)
            except AwsError:
                targets = {}  # no Application Auto Scaling reads: the charts without their target lines
            albs = [
                AlbTargetGroup(group.arn, group.load_balancer_arns[0] if group.load_balancer_arns else None)
                for group in groups
                if group.load_balancer_type == "application"
            ]
            charts: ServiceCharts | None = await app.metrics.service_charts(
                self.cluster,
                service.name,
                now=now,
                hours=self.chart_hours,
                insights=insights is not None,
                load_balancers=albs,
                targets=targets,
            )
            error = None
        except AwsError as failure:
            charts = last[2] if last is not None and last[0] == self.chart_hours else None
            error = failure.message
        self._charts = (self.chart_hours, now, charts, error)
        return charts, error

    def action_metrics_range(self) -> None:
        """Charts over the next range: 1 h, 6 h, 24 h, then 1 h again."""
        ranges = sorted(CHART_PERIODS)
        self.chart_hours = ranges[(ranges.index(self.chart_hours) + 1) % len(ranges)]
        self._scroll_to_metrics = True  # the section's title says the new range once it is read
        self.action_refresh_now()

    def _apply(self, data: object) -> None:
        super()._apply(data)
        if self._scroll_to_metrics and isinstance(data, ServiceView) and data.chart_hours == self.chart_hours:
            self._scroll_to_metrics = False
            self.call_after_refresh(self._show_metrics, data)

    def _show_metrics(self, view: ServiceView) -> None:
        """Scroll the charts' section to the top of the view (they stand below the deployments)."""
        body = self.query_one("#detail-body", Static)
        width = max(20, body.content_region.width)
        console = self.app.console
        lines = console.render_lines(
            inert_group(*render_head(view, self.ecs_app.clock())), console.options.update_width(width)
        )
        self.query_one("#detail-scroll", VerticalScroll).scroll_to(y=len(lines), animate=False)

    def compose(self) -> ComposeResult:
        yield from self.compose_context()
        yield OneLine(self._title(), id="pane-title")
        yield Static("", id="pane-error")
        yield Input(placeholder="filter events: type to narrow, enter to keep, escape to clear", id="events-filter")
        with VerticalScroll(id="detail-scroll"):
            yield Static(Text("loading…", style="dim"), id="detail-body")
        yield KeyFooter()

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
        charts, charts_error = await self._read_charts(service, groups)
        return ServiceView(
            service,
            tuple(running),
            tuple(stopped),
            tuple(summarize_stopped(stopped)),
            tuple(groups),
            problem,
            charts,
            charts_error,
            self.chart_hours,
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
            PaletteCommand("Metrics range", "Charts over the last 1 h, 6 h or 24 h (m)", self.action_metrics_range),
            PaletteCommand(f"Task definition of {self.service_name}", "Open it", self.action_task_definition),
        ]

    def selected_ref(self) -> ResourceRef | None:
        data = self.data
        return service_ref(data.service, self.session_region) if isinstance(data, ServiceView) else None


def _revision(arn: str) -> int:
    tail = arn.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def _section(title: str) -> Text:
    return Text(title, style=SECTION)


def render_head(view: ServiceView, now: datetime) -> list[RenderableType]:
    """What stands above the metrics: the summary, the deployments, why tasks stop."""
    return [
        render_summary(view.service, now, view.target_groups),
        Text(""),
        _section("Deployments"),
        render_deployments(view.service, now),
        Text(""),
        _section(f"Stopped tasks by cause ({len(view.stopped)})"),
        render_stop_causes(view.stop_causes, now),
        Text(""),
    ]


def render_service(view: ServiceView, now: datetime, events_filter: str = "") -> RenderableType:
    service = view.service
    parts = [*render_head(view, now), render_metrics(view), Text(""), _section("Load balancing")]
    if view.load_balancing_error:
        parts.append(inert(f"⚠ {view.load_balancing_error}", BAD))
    elif service.load_balancers:
        parts.append(render_target_groups(view.target_groups, now))
    else:
        parts.append(Text("Not behind a load balancer.", style=DIM))
    parts += [Text(""), render_events(service, now, events_filter)]
    return inert_group(*parts)


def render_metrics(view: ServiceView) -> RenderableType:
    """The charts section: its range and the key that changes it, the charts, or why there are none."""
    ranges = sorted(CHART_PERIODS)
    following = ranges[(ranges.index(view.chart_hours) + 1) % len(ranges)] if view.chart_hours in ranges else 1
    title = _section(f"Metrics, last {view.chart_hours} h")
    title.append(f"  (m: last {following} h)", style="dim")
    parts: list[RenderableType] = [title]
    if view.charts_error:
        parts.append(inert(f"⚠ {view.charts_error}", BAD))
    if view.charts is not None:
        parts.append(ChartGrid(view.charts))
    elif not view.charts_error:
        parts.append(Text("loading…", style=DIM))
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
