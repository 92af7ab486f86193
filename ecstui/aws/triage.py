"""What is broken right now across every cluster of the region, worst first, each with since when and why."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal, TypeVar

from ecstui.aws.errors import to_aws_error
from ecstui.aws.fetch import EcsReader
from ecstui.aws.load_balancing import LoadBalancingReader, TargetGroupView, TargetHealth, join_tasks
from ecstui.aws.models import Cluster, ContainerInstance, Deployment, Service, Task, short_name
from ecstui.aws.stopped_tasks import StopCauseGroup, format_duration, stopped_time, summarize_stopped

T = TypeVar("T")

ProblemKind = Literal[
    "below desired",
    "deployment failed",
    "deployment stuck",
    "unhealthy targets",
    "tasks stopping abnormally",
    "instance disconnected",
]

# Ties of severity: the kind that explains the others comes first.
KIND_ORDER: Final[dict[str, int]] = {
    "below desired": 0,
    "deployment failed": 1,
    "unhealthy targets": 2,
    "tasks stopping abnormally": 3,
    "deployment stuck": 4,
    "instance disconnected": 5,
}
SEVERITY_LABELS: Final[dict[int, str]] = {0: "critical", 1: "error", 2: "warning"}
STUCK_AFTER: Final = timedelta(minutes=10)
# Container instances in these states are on their way out; a lost agent there is expected.
_GONE_INSTANCE_STATES: Final = frozenset({"INACTIVE", "DEREGISTERING"})


@dataclass(frozen=True)
class Problem:
    """One thing that is wrong, said in two lines: what (summary) and why (cause)."""

    severity: int  # 0 = worst
    kind: ProblemKind
    cluster: str
    service: str | None
    resource_arn: str  # what `enter` lands on: a service, task, target group or container instance ARN
    summary: str  # "payments: 3/4 running; 2 targets unhealthy (Target.FailedHealthChecks)"
    cause: str  # "OutOfMemoryError: Container killed due to memory usage (exit 137) x6 in 30 min"
    since: datetime | None
    service_arn: str | None = None  # the service the problem belongs to, whatever resource_arn points at
    target_group_arn: str | None = None  # for "unhealthy targets": the group of the first unhealthy target
    related_arns: tuple[str, ...] = ()  # every task (or target group) the problem covers, newest first
    # The stopped task whose last log line may say why better than ECS did ("Essential container in task exited"):
    # read by `with_log_causes` (ecstui.aws.triage_logs), which puts that line in `cause`.
    log_task: Task | None = field(default=None, compare=False)

    @property
    def severity_label(self) -> str:
        """'critical' (0: nothing serves), 'error' (1: degraded), 'warning' (2 and above: will hurt if left)."""
        return SEVERITY_LABELS.get(self.severity, "warning")


@dataclass(frozen=True)
class TriageReport:
    """The problems, worst first, and the parts that could not be checked (a triage never fails for one part)."""

    problems: tuple[Problem, ...]
    errors: tuple[str, ...] = ()  # "Load balancers: Access denied for DescribeTargetGroups: ..."
    checked_at: datetime | None = None
    clusters: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.errors

    def __len__(self) -> int:
        return len(self.problems)


@dataclass
class _ClusterState:
    cluster: Cluster
    services: list[Service] = field(default_factory=list)
    stopped: list[Task] = field(default_factory=list)
    instances: list[ContainerInstance] = field(default_factory=list)


def _strip_service(message: str) -> str:
    """'(service web) was unable to place a task ... For more information, see ...' -> 'was unable to place ...'."""
    text = message
    if text.startswith("(service ") and ") " in text:
        text = text.split(") ", 1)[1]
    for tail in (" For more information", " see the Troubleshooting"):
        if tail in text:
            text = text.split(tail, 1)[0].rstrip(" ,")
    return text


def _trouble_since(service: Service) -> datetime | None:
    """When the service last stopped being steady: the first event after its newest "steady state" event.

    Without such an event, the oldest event that reports trouble, or else the primary deployment's last update.
    """
    events = service.events  # newest first
    for index, event in enumerate(events):
        if "has reached a steady state" in event.message:
            if index > 0:
                return events[index - 1].created_at
            break
    else:
        troubled = [
            e.created_at
            for e in events
            if e.created_at and any(w in e.message for w in ("unable to", "has stopped", "is unhealthy", "failed"))
        ]
        if troubled:
            return min(troubled)
    primary = service.primary_deployment
    return (primary.updated_at or primary.created_at) if primary else None


def _explaining_event(service: Service) -> str | None:
    for event in service.events:
        if "unable to" in event.message:
            return _strip_service(event.message)
    return None


def _abnormal(groups: Sequence[StopCauseGroup]) -> list[StopCauseGroup]:
    return [group for group in groups if group.abnormal]


class _Triage:
    def __init__(self, now: datetime, window: timedelta, stuck_after: timedelta) -> None:
        self.now = now
        self.window = window
        self.stuck_after = stuck_after
        self.problems: list[Problem] = []
        self.errors: list[str] = []
        self.stopped_by_arn: dict[str, Task] = {}

    def log_task(self, group: StopCauseGroup) -> Task | None:
        """The newest task of a group whose stop ECS explains no better than an exit code: its logs may."""
        if group.cause != "essential container exited" or not any(code != 0 for code in group.exit_codes):
            return None
        return self.stopped_by_arn.get(group.task_arns[0]) if group.task_arns else None

    async def attempt(self, what: str, read: Awaitable[T], fallback: T) -> T:
        try:
            return await read
        except Exception as exc:
            self.errors.append(f"{what}: {to_aws_error(exc).message}")
            return fallback

    # --- per service ------------------------------------------------------------------------------------------

    def below_desired(
        self, cluster: str, service: Service, groups: Sequence[StopCauseGroup], unhealthy: Sequence[TargetHealth]
    ) -> None:
        if service.status != "ACTIVE" or service.desired <= 0 or service.running >= service.desired:
            return
        summary = f"{service.name}: {service.running}/{service.desired} running"
        if service.pending:
            summary += f", {service.pending} pending"
        if unhealthy:
            reason = unhealthy[0].reason or unhealthy[0].state
            summary += f"; {len(unhealthy)} target{'s' if len(unhealthy) != 1 else ''} unhealthy ({reason})"
        abnormal = _abnormal(groups)
        primary = service.primary_deployment
        log_task = None
        if abnormal:
            cause = abnormal[0].line(self.window)
            log_task = self.log_task(abnormal[0])
        elif event := _explaining_event(service):
            cause = event
        elif primary and primary.rollout_state_reason and primary.rollout_state != "COMPLETED":
            cause = primary.rollout_state_reason
        elif service.pending:
            cause = f"waiting for {service.pending} task{'s' if service.pending != 1 else ''} to start"
        else:
            cause = "ECS has not said why"
        self.problems.append(
            Problem(
                severity=0 if service.running == 0 else 1,
                kind="below desired",
                cluster=cluster,
                service=service.name,
                resource_arn=service.arn,
                summary=summary,
                cause=cause,
                since=_trouble_since(service),
                service_arn=service.arn,
                log_task=log_task,
            )
        )

    def deployments(self, cluster: str, service: Service, stopped: Sequence[Task]) -> None:
        failed = [d for d in service.deployments if d.rollout_state == "FAILED"]
        if failed:
            deployment = next((d for d in failed if d.status == "PRIMARY"), failed[0])
            rolled_back = deployment.status != "PRIMARY"
            summary = f"{service.name}: deployment of {deployment.task_definition} failed"
            if deployment.failed_tasks:
                summary += f", {deployment.failed_tasks} tasks failed"
            if rolled_back and service.primary_deployment:
                summary += f"; rolling back to {service.primary_deployment.task_definition}"
            self.problems.append(
                Problem(
                    severity=1,
                    kind="deployment failed",
                    cluster=cluster,
                    service=service.name,
                    resource_arn=service.arn,
                    summary=summary,
                    cause=self._deployment_cause(deployment, stopped),
                    log_task=self._deployment_log_task(deployment, stopped),
                    since=deployment.updated_at or deployment.created_at,
                    service_arn=service.arn,
                )
            )
        primary = service.primary_deployment
        if primary is None or primary.rollout_state != "IN_PROGRESS":
            return
        age = self.now - primary.created_at if primary.created_at else None
        if not primary.failed_tasks and (age is None or age <= self.stuck_after):
            return
        summary = f"{service.name}: deployment of {primary.task_definition} in progress"
        if age is not None:
            summary += f" for {format_duration(age)}"
        summary += f", {primary.running}/{primary.desired} running"
        if primary.failed_tasks:
            summary += f", {primary.failed_tasks} tasks failed"
        self.problems.append(
            Problem(
                severity=2,
                kind="deployment stuck",
                cluster=cluster,
                service=service.name,
                resource_arn=service.arn,
                summary=summary,
                cause=self._deployment_cause(primary, stopped),
                log_task=self._deployment_log_task(primary, stopped),
                since=primary.created_at,
                service_arn=service.arn,
            )
        )

    def _deployment_groups(self, deployment: Deployment, stopped: Sequence[Task]) -> list[StopCauseGroup]:
        # The deployment's own tasks say why it cannot finish (a task's startedBy is its deployment's id).
        own = [t for t in stopped if t.started_by == deployment.id] or list(stopped)
        return _abnormal(summarize_stopped(own))

    def _deployment_log_task(self, deployment: Deployment, stopped: Sequence[Task]) -> Task | None:
        abnormal = self._deployment_groups(deployment, stopped)
        return self.log_task(abnormal[0]) if abnormal else None

    def _deployment_cause(self, deployment: Deployment, stopped: Sequence[Task]) -> str:
        abnormal = self._deployment_groups(deployment, stopped)
        if abnormal:
            return abnormal[0].line(self.window)
        if deployment.rollout_state_reason and deployment.rollout_state == "FAILED":
            return deployment.rollout_state_reason
        if deployment.pending:
            return f"waiting for {deployment.pending} of {deployment.desired} tasks to start"
        return deployment.rollout_state_reason or f"{deployment.running}/{deployment.desired} tasks running"

    def unhealthy_targets(self, cluster: str, service: Service, groups: Sequence[TargetGroupView]) -> None:
        pairs = [(group, target) for group in groups for target in group.unhealthy_targets]
        if not pairs:
            return
        group, first = pairs[0]
        total = sum(len(g.targets) for g in groups)
        no_healthy = all(g.healthy_count == 0 for g in groups if g.unhealthy_count)
        reasons = list(dict.fromkeys(t.reason or t.state for _, t in pairs))
        summary = (
            f"{service.name}: {len(pairs)}/{total} targets unhealthy in "
            f"{', '.join(dict.fromkeys(g.name for g, _ in pairs))} ({', '.join(reasons)})"
        )
        cause = first.description or first.reason or first.state
        if first.task_arn:
            cause = f"{cause} (task {short_name(first.task_arn)}, {first.address})"
        else:
            cause = f"{cause} ({first.address})"
        task_arns = tuple(dict.fromkeys(t.task_arn for _, t in pairs if t.task_arn))
        self.problems.append(
            Problem(
                severity=0 if no_healthy else 2,
                kind="unhealthy targets",
                cluster=cluster,
                service=service.name,
                resource_arn=first.task_arn or group.arn,
                summary=summary,
                cause=cause,
                since=self._unhealthy_since(service),
                service_arn=service.arn,
                target_group_arn=group.arn,
                related_arns=task_arns or tuple(dict.fromkeys(g.arn for g, _ in pairs)),
            )
        )

    def _unhealthy_since(self, service: Service) -> datetime | None:
        # ELB gives no time; ECS reports "(port 8080) is unhealthy in (target-group ...)" as a service event.
        times = [e.created_at for e in service.events if e.created_at and "is unhealthy in" in e.message]
        recent = [t for t in times if self.now - t <= self.window]
        if recent:
            return min(recent)
        return max(times) if times else None

    def stopping(self, cluster: str, service: Service | None, groups: Sequence[StopCauseGroup]) -> None:
        abnormal = _abnormal(groups)
        if not abnormal:
            return
        worst = abnormal[0]
        name = service.name if service else None
        count = sum(g.count for g in abnormal)
        summary = (
            f"{name or 'standalone tasks in ' + cluster}: {count} task{'s' if count != 1 else ''} stopped in "
            f"{format_duration(self.window)} ({', '.join(g.cause for g in abnormal)})"
        )
        self.problems.append(
            Problem(
                severity=2,
                kind="tasks stopping abnormally",
                cluster=cluster,
                service=name,
                resource_arn=worst.task_arns[0],
                summary=summary,
                cause=worst.line(self.window),
                since=min((g.first_at for g in abnormal if g.first_at), default=None),
                log_task=self.log_task(worst),
                service_arn=service.arn if service else None,
                related_arns=tuple(arn for g in abnormal for arn in g.task_arns),
            )
        )

    def disconnected(self, cluster: str, instance: ContainerInstance) -> None:
        if instance.agent_connected or instance.status in _GONE_INSTANCE_STATES:
            return
        what = instance.ec2_instance_id or instance.id
        if instance.instance_type:
            what += f" ({instance.instance_type})"
        tasks = instance.running_tasks + instance.pending_tasks
        self.problems.append(
            Problem(
                severity=2,
                kind="instance disconnected",
                cluster=cluster,
                service=None,
                resource_arn=instance.arn,
                summary=f"{cluster}: container instance {what} agent disconnected, {tasks} tasks on it",
                cause=(
                    "The ECS agent is not connected: ECS cannot start or stop tasks there "
                    f"(instance {instance.status.lower()})"
                ),
                since=None,
            )
        )


def _by_service(tasks: Sequence[Task]) -> dict[str | None, list[Task]]:
    grouped: dict[str | None, list[Task]] = {}
    for task in tasks:
        grouped.setdefault(task.service_name, []).append(task)
    return grouped


def _sort_key(problem: Problem) -> tuple[int, int, str, str, str]:
    return (problem.severity, KIND_ORDER[problem.kind], problem.cluster, problem.service or "", problem.resource_arn)


async def find_problems(
    reader: EcsReader,
    load_balancing: LoadBalancingReader,
    *,
    now: datetime,
    stopped_window: timedelta = timedelta(minutes=30),
    stuck_after: timedelta = STUCK_AFTER,
    progress: Callable[[int, int], None] | None = None,
) -> TriageReport:
    """Every problem in every cluster of the region, worst first, one per service and kind.

    Requests: the clusters (listed and described), then per cluster its services, its STOPPED tasks (one listing
    for the whole cluster, not one per service) and, when it has any, its container instances; the target groups
    the services use (their health, never cached); and the RUNNING tasks of only those services that have
    unhealthy targets, to name the task behind each one.

    Raises AwsError only when the clusters cannot be listed; a part that fails (no access to ELB, one cluster
    gone) is left out and said in `errors`. `progress(done, total)` is told as each cluster has been read.
    """
    try:
        clusters = [c for c in await reader.clusters() if c.status not in ("INACTIVE", "DEPROVISIONING")]
    except Exception as exc:
        raise reader.session.error_from(exc) from exc
    triage = _Triage(now, stopped_window, stuck_after)

    async def read_cluster(cluster: Cluster) -> _ClusterState:
        state = _ClusterState(cluster)
        no_services: list[Service] = []
        no_tasks: list[Task] = []
        no_instances: list[ContainerInstance] = []
        state.services, state.stopped = await asyncio.gather(
            triage.attempt(f"{cluster.name}: services", reader.services(cluster.arn), no_services),
            triage.attempt(f"{cluster.name}: stopped tasks", reader.tasks(cluster.arn, None, "STOPPED"), no_tasks),
        )
        if cluster.container_instances:
            state.instances = await triage.attempt(
                f"{cluster.name}: container instances", reader.container_instances(cluster.arn), no_instances
            )
        done.append(cluster.arn)
        if progress is not None:
            progress(len(done), len(clusters))
        return state

    done: list[str] = []
    if progress is not None:
        progress(0, len(clusters))
    states = await asyncio.gather(*(read_cluster(cluster) for cluster in clusters))
    triage.stopped_by_arn = {task.arn: task for state in states for task in state.stopped}
    instance_ids = {ci.arn: ci.ec2_instance_id for s in states for ci in s.instances if ci.ec2_instance_id}

    # Target groups: one read for every group any service uses, health joined to tasks later, only where needed.
    target_group_arns = list(
        dict.fromkeys(
            lb.target_group_arn
            for s in states
            for svc in s.services
            for lb in svc.load_balancers
            if lb.target_group_arn
        )
    )
    views: list[TargetGroupView] = []
    if target_group_arns:
        no_views: list[TargetGroupView] = []
        views = await triage.attempt(
            "Load balancers",
            load_balancing.for_target_groups(target_group_arns, instance_ids=instance_ids, with_rules=False),
            no_views,
        )
    views_by_arn = {view.arn: view for view in views}

    # The tasks behind unhealthy targets: only the affected services' running tasks are read.
    affected = [
        (s, svc)
        for s in states
        for svc in s.services
        if any(
            views_by_arn[lb.target_group_arn].unhealthy_count
            for lb in svc.load_balancers
            if lb.target_group_arn in views_by_arn
        )
    ]
    no_running: list[Task] = []
    running = await asyncio.gather(
        *(
            triage.attempt(f"{s.cluster.name}/{svc.name}: tasks", reader.tasks(s.cluster.arn, svc.arn), no_running)
            for s, svc in affected
        )
    )
    running_by_service = {svc.arn: tasks for (_, svc), tasks in zip(affected, running, strict=True)}

    window_start = now - stopped_window
    for state in states:
        name = state.cluster.name
        recent = [t for t in state.stopped if (at := stopped_time(t)) is not None and at >= window_start]
        recent_by_service = _by_service(recent)
        for service in state.services:
            if service.status == "INACTIVE":
                continue
            mine = recent_by_service.pop(service.name, [])
            groups = summarize_stopped(mine)
            service_views = [
                views_by_arn[lb.target_group_arn]
                for lb in service.load_balancers
                if lb.target_group_arn in views_by_arn
            ]
            if service.arn in running_by_service:
                own_stopped = [t for t in state.stopped if t.service_name == service.name]
                service_views = join_tasks(
                    service_views, [*running_by_service[service.arn], *own_stopped], instance_ids
                )
            unhealthy = [t for view in service_views for t in view.unhealthy_targets]
            triage.below_desired(name, service, groups, unhealthy)
            all_stopped = [t for t in state.stopped if t.service_name == service.name]
            triage.deployments(name, service, all_stopped)
            triage.unhealthy_targets(name, service, service_views)
            triage.stopping(name, service, groups)
        # Tasks of services not read (or gone) and standalone tasks (RunTask) are still worth a line per group.
        for service_name, tasks in recent_by_service.items():
            orphan = None if service_name is None else _service_stub(state, service_name)
            triage.stopping(name, orphan, summarize_stopped(tasks))
        for instance in state.instances:
            triage.disconnected(name, instance)

    return TriageReport(
        problems=tuple(sorted(triage.problems, key=_sort_key)),
        errors=tuple(triage.errors),
        checked_at=now,
        clusters=len(clusters),
    )


def _service_stub(state: _ClusterState, name: str) -> Service:
    # The tasks name a service the listing did not return (it was deleted, or listing it failed).
    arn = state.cluster.arn.replace(":cluster/", ":service/", 1) + f"/{name}"
    return Service(
        arn=arn,
        name=name,
        cluster_arn=state.cluster.arn,
        status="UNKNOWN",
        desired=0,
        running=0,
        pending=0,
        task_definition_arn="",
    )


__all__ = ["KIND_ORDER", "SEVERITY_LABELS", "Problem", "ProblemKind", "TriageReport", "find_problems"]
