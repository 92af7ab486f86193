"""What is broken right now across every cluster of the region, worst first, one row per resource.

This module reads; the judgement is ecstui.aws.triage_rules (pure), the row ecstui.aws.triage_problem, and what
persists between refreshes ecstui.aws.triage_memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from ecstui.aws.errors import to_aws_error
from ecstui.aws.fetch import EcsReader
from ecstui.aws.load_balancing import LoadBalancingReader, TargetGroupView, join_tasks
from ecstui.aws.models import Cluster, ContainerInstance, Service, Task
from ecstui.aws.triage_problem import KIND_ORDER, SEVERITY_LABELS, Problem, ProblemKind, TriageReport
from ecstui.aws.triage_rules import ROLLOUT_GRACE, STOPPED_WINDOW, ClusterObservation, decide_problems

T = TypeVar("T")
Progress = Callable[[int, int], None]  # (parts read, parts in all): the top bar's triage badge shows it


class _Attempts:
    """Reads that may fail one by one: each failure is a sentence in `errors`, the triage goes on without it."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    async def attempt(self, what: str, read: Awaitable[T], fallback: T) -> T:
        try:
            return await read
        except Exception as exc:
            self.errors.append(f"{what}: {to_aws_error(exc).message}")
            return fallback


async def find_problems(
    reader: EcsReader,
    load_balancing: LoadBalancingReader,
    *,
    now: datetime,
    stopped_window: timedelta = STOPPED_WINDOW,
    rollout_grace: timedelta = ROLLOUT_GRACE,
    on_progress: Progress | None = None,
) -> TriageReport:
    """Every resource with a problem in every cluster of the region, one row each, worst first.

    Requests: the clusters (listed and described), then per cluster its services, its STOPPED tasks (one listing
    for the whole cluster, not one per service) and, when it has any, its container instances; the target groups
    the services use (their health, never cached); and the RUNNING tasks of only those services that have
    unhealthy targets, to name the task behind each one. `on_progress(done, total)` after each cluster and after
    the load balancers.

    Raises AwsError only when the clusters cannot be listed; a part that fails (no access to ELB, one cluster
    gone) is left out and said in `errors`.
    """
    try:
        clusters = [c for c in await reader.clusters() if c.status not in ("INACTIVE", "DEPROVISIONING")]
    except Exception as exc:
        raise reader.session.error_from(exc) from exc
    reads = _Attempts()
    total = len(clusters) + 1  # each cluster, then the load balancers
    done = 0

    def progressed() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, total)

    async def read_cluster(cluster: Cluster) -> ClusterObservation:
        no_services: list[Service] = []
        no_tasks: list[Task] = []
        no_instances: list[ContainerInstance] = []
        services, stopped = await asyncio.gather(
            reads.attempt(f"{cluster.name}: services", reader.services(cluster.arn), no_services),
            reads.attempt(f"{cluster.name}: stopped tasks", reader.tasks(cluster.arn, None, "STOPPED"), no_tasks),
        )
        instances = no_instances
        if cluster.container_instances:
            instances = await reads.attempt(
                f"{cluster.name}: container instances", reader.container_instances(cluster.arn), no_instances
            )
        progressed()
        return ClusterObservation(cluster, services, stopped, instances)

    states = await asyncio.gather(*(read_cluster(cluster) for cluster in clusters))
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
        views = await reads.attempt(
            "Load balancers",
            load_balancing.for_target_groups(target_group_arns, instance_ids=instance_ids, with_rules=False),
            no_views,
        )
    views_by_arn = {view.arn: view for view in views}

    def service_views(service: Service) -> list[TargetGroupView]:
        return [
            views_by_arn[lb.target_group_arn] for lb in service.load_balancers if lb.target_group_arn in views_by_arn
        ]

    # The tasks behind unhealthy targets: only the affected services' running tasks are read.
    affected = [(s, svc) for s in states for svc in s.services if any(v.unhealthy_count for v in service_views(svc))]
    no_running: list[Task] = []
    running = await asyncio.gather(
        *(
            reads.attempt(f"{s.cluster.name}/{svc.name}: tasks", reader.tasks(s.cluster.arn, svc.arn), no_running)
            for s, svc in affected
        )
    )
    running_by_service = {svc.arn: tasks for (_, svc), tasks in zip(affected, running, strict=True)}
    progressed()

    observations = []
    for state in states:
        joined: dict[str, list[TargetGroupView]] = {}
        for service in state.services:
            mine = service_views(service)
            if service.arn in running_by_service:
                own_stopped = [t for t in state.stopped if t.service_name == service.name]
                mine = join_tasks(mine, [*running_by_service[service.arn], *own_stopped], instance_ids)
            joined[service.arn] = mine
        observations.append(ClusterObservation(state.cluster, state.services, state.stopped, state.instances, joined))

    problems = decide_problems(observations, now=now, rollout_grace=rollout_grace, stopped_window=stopped_window)
    return TriageReport(problems=tuple(problems), errors=tuple(reads.errors), checked_at=now, clusters=len(clusters))


__all__ = ["KIND_ORDER", "SEVERITY_LABELS", "Problem", "ProblemKind", "TriageReport", "find_problems"]
