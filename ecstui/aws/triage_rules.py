"""Triage's judgement, a pure function of already fetched models: what is wrong with each resource, one row each.

Kept apart from the reading (ecstui.aws.triage) so that generated accounts can be fed to it (tests/aws/
test_triage_properties.py) without an endpoint, and so that the rules read in one place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from ecstui.aws.load_balancing import TargetGroupView
from ecstui.aws.models import Cluster, ContainerInstance, Deployment, Service, Task, short_name
from ecstui.aws.stopped_tasks import StopCauseGroup, format_duration, stopped_time, summarize_stopped
from ecstui.aws.triage_problem import CRITICAL, ERROR, INFO, KIND_ORDER, WARNING, Problem, ProblemKind, worst_first

ROLLOUT_GRACE: Final = timedelta(minutes=10)
STOPPED_WINDOW: Final = timedelta(minutes=30)
# Container instances in these states are on their way out; a lost agent there is expected.
_GONE_INSTANCE_STATES: Final = frozenset({"INACTIVE", "DEREGISTERING"})


@dataclass(frozen=True)
class ClusterObservation:
    """What was read of one cluster: its services, its STOPPED tasks, its container instances, and per service ARN
    the target groups it uses (health joined to tasks where it mattered)."""

    cluster: Cluster
    services: Sequence[Service] = ()
    stopped: Sequence[Task] = ()
    instances: Sequence[ContainerInstance] = ()
    target_views: Mapping[str, Sequence[TargetGroupView]] = field(default_factory=dict)


def young_rollout(
    service: Service, now: datetime, grace: timedelta, *, abnormal_stops: int = 0, unhealthy_targets: int = 0
) -> bool:
    """A rollout in progress that is no problem yet: younger than `grace`, nothing failed, nothing unhealthy.

    ECS takes minutes to start, register and health-check new tasks; below desired meanwhile is the rollout working.
    """
    primary = service.primary_deployment
    if primary is None or primary.rollout_state != "IN_PROGRESS" or primary.created_at is None:
        return False
    if primary.failed_tasks or abnormal_stops or unhealthy_targets or _cannot_place(service):
        return False
    if any(d.rollout_state == "FAILED" for d in service.deployments):
        return False
    return now - primary.created_at <= grace


def merge(symptoms: Sequence[Problem]) -> Problem:
    """One resource's symptoms as one row: the worst is the headline, the others its facts.

    It began with the earliest symptom; failures are the largest count any symptom saw (a failed task is also a
    stopped one: adding them would count it twice).
    """
    ordered = sorted(symptoms, key=lambda p: (p.severity, KIND_ORDER[p.kind]))
    head, others = ordered[0], ordered[1:]
    sinces = [p.since for p in ordered if p.since is not None]
    return dataclasses.replace(
        head,
        facts=head.facts + tuple(_fact(p, head.cause) for p in others),
        failures=max(p.failures for p in ordered),
        since=min(sinces) if sinces else None,
        log_task=head.log_task or next((p.log_task for p in others if p.log_task is not None), None),
        target_group_arn=head.target_group_arn
        or next((p.target_group_arn for p in others if p.target_group_arn), None),
        related_arns=head.related_arns or next((p.related_arns for p in others if p.related_arns), ()),
    )


def _fact(problem: Problem, said: str) -> str:
    # "deployment stuck: deployment of cart:2 in progress for 12 min, 0/2 running; CannotPullContainerError: ..."
    # (its cause left out when the headline already says it).
    _, named, rest = problem.summary.partition(": ")
    what = rest if named else problem.summary
    return (
        f"{problem.kind}: {what}; {problem.cause}"
        if problem.cause and problem.cause != said
        else f"{problem.kind}: {what}"
    )


def decide_problems(
    observations: Iterable[ClusterObservation],
    *,
    now: datetime,
    rollout_grace: timedelta = ROLLOUT_GRACE,
    stopped_window: timedelta = STOPPED_WINDOW,
) -> list[Problem]:
    """Every resource with something wrong (or a young healthy rollout, as info), one row each, worst first."""
    clusters = list(observations)
    rules = _Rules(now, stopped_window, rollout_grace, {t.arn: t for c in clusters for t in c.stopped})
    rows = [merge(symptoms) for c in clusters for symptoms in rules.cluster(c) if symptoms]
    return sorted(rows, key=worst_first)


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

    Without such an event, the oldest event that reports trouble, or else the primary deployment's creation.
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
    # Its creation, not its last update: an update every few seconds would make "since" read "0s" for ever.
    return (primary.created_at or primary.updated_at) if primary else None


def _explaining_event(service: Service) -> str | None:
    for event in service.events:
        if "unable to" in event.message:
            return _strip_service(event.message)
    return None


def _cannot_place(service: Service) -> bool:
    """ECS said it could not place a task ("unable to place", "unable to consistently start") since last steady."""
    for event in service.events:  # newest first
        if "has reached a steady state" in event.message:
            return False
        if "unable to" in event.message:
            return True
    return False


def _abnormal(groups: Sequence[StopCauseGroup]) -> list[StopCauseGroup]:
    return [group for group in groups if group.abnormal]


def _group_name(task: Task) -> str:
    """The standalone task group a task belongs to: its `group` (RunTask sets "family:<name>"), else its family."""
    if task.service_name is not None:
        return f"service:{task.service_name}"
    return task.group or f"family:{task.task_definition.split(':', 1)[0]}"


class _Rules:
    def __init__(self, now: datetime, window: timedelta, grace: timedelta, stopped_by_arn: Mapping[str, Task]) -> None:
        self.now = now
        self.window = window
        self.grace = grace
        self.stopped_by_arn = stopped_by_arn

    def cluster(self, observed: ClusterObservation) -> list[list[Problem]]:
        """Per resource of the cluster, its symptoms (empty when it is well)."""
        name = observed.cluster.name
        window_start = self.now - self.window
        recent = [t for t in observed.stopped if (at := stopped_time(t)) is not None and at >= window_start]
        by_group: dict[str, list[Task]] = {}
        for task in recent:
            by_group.setdefault(_group_name(task), []).append(task)
        found: list[list[Problem]] = []
        for service in observed.services:
            if service.status == "INACTIVE":
                continue
            mine = by_group.pop(f"service:{service.name}", [])
            all_stopped = [t for t in observed.stopped if t.service_name == service.name]
            views = observed.target_views.get(service.arn, ())
            found.append(self.service(name, service, summarize_stopped(mine), all_stopped, views))
        # Tasks of services not read (or gone) and standalone tasks (RunTask): one row per group.
        for group, tasks in sorted(by_group.items()):
            if group.startswith("service:"):
                orphan = _service_stub(observed.cluster, group.split(":", 1)[1])
                found.append(self.stopping(name, orphan, summarize_stopped(tasks)))
            else:
                found.append(self.stopping(name, None, summarize_stopped(tasks), group=group))
        found.extend(self.disconnected(name, instance) for instance in observed.instances)
        return found

    def log_task(self, group: StopCauseGroup) -> Task | None:
        """The newest task of a group whose stop ECS explains no better than an exit code: its logs may."""
        if group.cause != "essential container exited" or not any(code != 0 for code in group.exit_codes):
            return None
        return self.stopped_by_arn.get(group.task_arns[0]) if group.task_arns else None

    # --- per service ------------------------------------------------------------------------------------------

    def service(
        self,
        cluster: str,
        service: Service,
        groups: Sequence[StopCauseGroup],
        stopped: Sequence[Task],
        views: Sequence[TargetGroupView],
    ) -> list[Problem]:
        unhealthy = [t for view in views for t in view.unhealthy_targets]
        abnormal = sum(g.count for g in _abnormal(groups))
        if service.status == "ACTIVE" and young_rollout(
            service, self.now, self.grace, abnormal_stops=abnormal, unhealthy_targets=len(unhealthy)
        ):
            return [self.rollout(cluster, service)]
        symptoms = [
            *self.below_desired(cluster, service, groups),
            *self.deployments(cluster, service, stopped),
            *self.unhealthy_targets(cluster, service, views),
            *self.stopping(cluster, service, groups),
        ]
        return [dataclasses.replace(p, resource=f"service:{cluster}/{service.name}") for p in symptoms]

    def rollout(self, cluster: str, service: Service) -> Problem:
        primary = service.primary_deployment
        assert primary is not None and primary.created_at is not None  # young_rollout said so
        return Problem(
            severity=INFO,
            kind="rollout in progress",
            cluster=cluster,
            service=service.name,
            resource_arn=service.arn,
            summary=(
                f"{service.name}: deploying {primary.task_definition} for "
                f"{format_duration(self.now - primary.created_at)}, {primary.running}/{primary.desired} running"
            ),
            cause=f"nothing failed; a problem if not done within {format_duration(self.grace)}",
            since=primary.created_at,
            service_arn=service.arn,
            resource=f"service:{cluster}/{service.name}",
        )

    def below_desired(self, cluster: str, service: Service, groups: Sequence[StopCauseGroup]) -> list[Problem]:
        if service.status != "ACTIVE" or service.desired <= 0 or service.running >= service.desired:
            return []
        summary = f"{service.name}: {service.running}/{service.desired} running"
        if service.pending:
            summary += f", {service.pending} pending"
        abnormal = _abnormal(groups)
        primary = service.primary_deployment
        log_task = None
        # Where `enter` lands: the newest crashed task when crashes are the cause (its pane shows their last
        # lines), else the service.
        resource_arn = service.arn
        if abnormal:
            cause = abnormal[0].line(self.window)
            log_task = self.log_task(abnormal[0])
            resource_arn = abnormal[0].task_arns[0] if abnormal[0].task_arns else service.arn
        elif event := _explaining_event(service):
            cause = event
        elif primary and primary.rollout_state_reason and primary.rollout_state != "COMPLETED":
            cause = primary.rollout_state_reason
        elif service.pending:
            cause = f"waiting for {service.pending} task{'s' if service.pending != 1 else ''} to start"
        else:
            cause = "ECS has not said why"
        return [
            Problem(
                severity=CRITICAL if service.running == 0 else ERROR,
                kind="below desired",
                cluster=cluster,
                service=service.name,
                resource_arn=resource_arn,
                summary=summary,
                cause=cause,
                since=_trouble_since(service),
                service_arn=service.arn,
                log_task=log_task,
                failures=sum(g.count for g in abnormal),
                related_arns=tuple(arn for g in abnormal for arn in g.task_arns),
            )
        ]

    def deployments(self, cluster: str, service: Service, stopped: Sequence[Task]) -> list[Problem]:
        found: list[Problem] = []
        failed = [d for d in service.deployments if d.rollout_state == "FAILED"]
        if failed:
            deployment = next((d for d in failed if d.status == "PRIMARY"), failed[0])
            rolled_back = deployment.status != "PRIMARY"
            summary = f"{service.name}: deployment of {deployment.task_definition} failed"
            if deployment.failed_tasks:
                summary += f", {deployment.failed_tasks} tasks failed"
            if rolled_back and service.primary_deployment:
                summary += f"; rolling back to {service.primary_deployment.task_definition}"
            since = deployment.updated_at or deployment.created_at
            failure = self._deployment_problem(ERROR, "deployment failed", cluster, service, deployment, stopped)
            found.append(dataclasses.replace(failure, summary=summary, since=since))
        primary = service.primary_deployment
        if primary is None or primary.rollout_state != "IN_PROGRESS":
            return found
        age = self.now - primary.created_at if primary.created_at else None
        if not primary.failed_tasks and (age is None or age <= self.grace):
            return found
        summary = f"{service.name}: deployment of {primary.task_definition} in progress"
        if age is not None:
            summary += f" for {format_duration(age)}"
        summary += f", {primary.running}/{primary.desired} running"
        if primary.failed_tasks:
            summary += f", {primary.failed_tasks} tasks failed"
        stuck = self._deployment_problem(WARNING, "deployment stuck", cluster, service, primary, stopped)
        found.append(dataclasses.replace(stuck, summary=summary, since=primary.created_at))
        return found

    def _deployment_problem(
        self,
        severity: int,
        kind: ProblemKind,
        cluster: str,
        service: Service,
        deployment: Deployment,
        stopped: Sequence[Task],
    ) -> Problem:
        """A deployment's problem, its cause from its own tasks; the caller says what and since when."""
        return Problem(
            severity=severity,
            kind=kind,
            cluster=cluster,
            service=service.name,
            resource_arn=service.arn,
            summary="",
            cause=self._deployment_cause(deployment, stopped),
            log_task=self._deployment_log_task(deployment, stopped),
            since=None,
            service_arn=service.arn,
            failures=deployment.failed_tasks,
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

    def unhealthy_targets(self, cluster: str, service: Service, groups: Sequence[TargetGroupView]) -> list[Problem]:
        pairs = [(group, target) for group in groups for target in group.unhealthy_targets]
        if not pairs:
            return []
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
        return [
            Problem(
                # No healthy target: nothing serves. Some: the load balancer sends users to fewer tasks (degraded).
                severity=CRITICAL if no_healthy else ERROR,
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
                failures=len(pairs),
            )
        ]

    def _unhealthy_since(self, service: Service) -> datetime | None:
        # ELB gives no time; ECS reports "(port 8080) is unhealthy in (target-group ...)" as a service event.
        times = [e.created_at for e in service.events if e.created_at and "is unhealthy in" in e.message]
        recent = [t for t in times if self.now - t <= self.window]
        if recent:
            return min(recent)
        return max(times) if times else None

    def stopping(
        self, cluster: str, service: Service | None, groups: Sequence[StopCauseGroup], *, group: str | None = None
    ) -> list[Problem]:
        abnormal = _abnormal(groups)
        if not abnormal:
            return []
        worst = abnormal[0]
        name = service.name if service else None
        count = sum(g.count for g in abnormal)
        who = name or f"{group} tasks in {cluster}"
        summary = (
            f"{who}: {count} task{'s' if count != 1 else ''} stopped in "
            f"{format_duration(self.window)} ({', '.join(g.cause for g in abnormal)})"
        )
        return [
            Problem(
                severity=WARNING,
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
                failures=count,
                resource=f"service:{cluster}/{name}" if name else f"tasks:{cluster}/{group}",
                label=None if name else group,
            )
        ]

    def disconnected(self, cluster: str, instance: ContainerInstance) -> list[Problem]:
        if instance.agent_connected or instance.status in _GONE_INSTANCE_STATES:
            return []
        what = instance.ec2_instance_id or instance.id
        if instance.instance_type:
            what += f" ({instance.instance_type})"
        tasks = instance.running_tasks + instance.pending_tasks
        return [
            Problem(
                severity=WARNING,
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
                resource=f"instance:{cluster}/{instance.arn}",
                label=instance.ec2_instance_id or instance.id,
            )
        ]


def _service_stub(cluster: Cluster, name: str) -> Service:
    # The tasks name a service the listing did not return (it was deleted, or listing it failed).
    arn = cluster.arn.replace(":cluster/", ":service/", 1) + f"/{name}"
    return Service(
        arn=arn,
        name=name,
        cluster_arn=cluster.arn,
        status="UNKNOWN",
        desired=0,
        running=0,
        pending=0,
        task_definition_arn="",
    )


__all__ = ["ROLLOUT_GRACE", "STOPPED_WINDOW", "ClusterObservation", "decide_problems", "merge", "young_rollout"]
