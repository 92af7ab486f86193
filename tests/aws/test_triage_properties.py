"""Triage's rules over generated accounts: rollouts of every age and state, crash loops, unhealthy targets, lost agents.

The rules are a pure function of fetched models (ecstui.aws.triage_rules), so these feed it models directly; what
the endpoint returns is tests/aws/test_triage.py's business. Each property's ground truth is computed here from the
generated description, not by asking the rules.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ecstui.aws.load_balancing import TargetGroupView, TargetHealth
from ecstui.aws.models import Cluster, Container, ContainerInstance, Deployment, Service, ServiceEvent, Task
from ecstui.aws.triage_memory import TriageMemory
from ecstui.aws.triage_problem import CRITICAL, INFO, Problem, TriageReport
from ecstui.aws.triage_rules import ClusterObservation, decide_problems

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
GRACE = timedelta(minutes=10)
WINDOW = timedelta(minutes=30)
ACCOUNT = "arn:aws:ecs:us-east-1:123456789012"
FAST = settings(max_examples=100, deadline=None)


@dataclass(frozen=True)
class Stop:
    age: int  # seconds before NOW
    kind: str  # crash | oom | scaled (a planned stop: no problem)

    @property
    def abnormal(self) -> bool:
        return self.kind != "scaled"


@dataclass(frozen=True)
class ServiceSpec:
    desired: int
    running: int
    rollout: str  # COMPLETED | IN_PROGRESS | FAILED
    rollout_age: int  # seconds
    failed_tasks: int
    stops: tuple[Stop, ...]
    targets: tuple[int, int] | None  # (healthy, unhealthy)
    cannot_place: bool  # ECS's "unable to place a task" event, after the last steady state

    @property
    def recent_abnormal_stops(self) -> int:
        return sum(1 for stop in self.stops if stop.abnormal and stop.age <= WINDOW.total_seconds())

    @property
    def healthy_young_rollout(self) -> bool:
        return (
            self.rollout == "IN_PROGRESS"
            and self.rollout_age <= GRACE.total_seconds()
            and self.failed_tasks == 0
            and self.recent_abnormal_stops == 0
            and not (self.targets and self.targets[1])
            and not self.cannot_place
        )


@dataclass(frozen=True)
class ClusterSpec:
    services: tuple[ServiceSpec, ...]
    standalone: tuple[tuple[str, Stop], ...]  # (family, stop)
    agents: tuple[bool, ...]  # one container instance each: its agent connected?


stops = st.builds(Stop, st.integers(0, 3 * 3600), st.sampled_from(["crash", "oom", "scaled"]))


@st.composite
def service_specs(draw: st.DrawFn) -> ServiceSpec:
    desired = draw(st.integers(0, 4))
    return ServiceSpec(
        desired=desired,
        running=draw(st.integers(0, desired)),
        rollout=draw(st.sampled_from(["COMPLETED", "IN_PROGRESS", "FAILED"])),
        # Ages around the grace period as often as long ones; healthy cases as often as broken ones.
        rollout_age=draw(st.integers(0, 2 * 600) | st.integers(0, 4 * 3600)),
        failed_tasks=draw(st.just(0) | st.integers(0, 4)),
        stops=tuple(draw(st.just([]) | st.lists(stops, max_size=5))),
        targets=draw(st.none() | st.tuples(st.integers(0, 3), st.just(0) | st.integers(0, 3))),
        cannot_place=draw(st.sampled_from([False, False, True])),
    )


cluster_specs = st.builds(
    ClusterSpec,
    st.lists(service_specs(), max_size=5).map(tuple),
    st.lists(st.tuples(st.sampled_from(["report", "migrate"]), stops), max_size=4).map(tuple),
    st.lists(st.booleans(), max_size=3).map(tuple),
)
accounts = st.lists(cluster_specs, min_size=1, max_size=3).map(tuple)


def _task(cluster: str, index: str, group: str, family: str, stop: Stop) -> Task:
    at = NOW - timedelta(seconds=stop.age)
    if stop.kind == "crash":
        how: dict[str, object] = {"stop_code": "EssentialContainerExited"}
        container = Container("app", exit_code=1)
        reason = "Essential container in task exited"
    elif stop.kind == "oom":
        how = {"stop_code": "EssentialContainerExited"}
        container = Container("app", exit_code=137, reason="OutOfMemoryError: Container killed due to memory usage")
        reason = "Essential container in task exited"
    else:
        how = {"stop_code": "ServiceSchedulerInitiated", "started_by": "ecs-svc/1"}
        container = Container("app", exit_code=0)
        reason = "Scaling activity initiated by (deployment ecs-svc/1)"
    return Task(
        arn=f"{ACCOUNT}:task/{cluster}/{index}",
        id=index,
        cluster_arn=f"{ACCOUNT}:cluster/{cluster}",
        task_definition_arn=f"{ACCOUNT}:task-definition/{family}:1",
        last_status="STOPPED",
        desired_status="STOPPED",
        group=group,
        stopped_at=at,
        stopped_reason=reason,
        containers=(container,),
        **how,  # type: ignore[arg-type]
    )


def observe(account: tuple[ClusterSpec, ...], shift: int = 0) -> list[ClusterObservation]:
    """The models ECS would return for the account; `shift` seconds later, with ECS's own times moved by it (a
    deployment updated, the events' window slid), as happens between refreshes."""
    observed = []
    for c, spec in enumerate(account):
        cluster = f"c{c}"
        cluster_arn = f"{ACCOUNT}:cluster/{cluster}"
        services, stopped, views = [], [], {}
        for s, svc in enumerate(spec.services):
            name = f"svc{s}"
            arn = f"{ACCOUNT}:service/{cluster}/{name}"
            created = NOW - timedelta(seconds=svc.rollout_age)
            primary = Deployment(
                id="ecs-svc/2",
                status="PRIMARY",
                task_definition_arn=f"{ACCOUNT}:task-definition/{name}:2",
                desired=svc.desired,
                running=svc.running,
                pending=svc.desired - svc.running,
                failed_tasks=svc.failed_tasks,
                rollout_state=svc.rollout,
                created_at=created,
                updated_at=NOW - timedelta(seconds=min(svc.rollout_age, 5)) + timedelta(seconds=shift),
            )
            events = (
                (
                    ServiceEvent(
                        "e2", NOW - timedelta(seconds=30 - shift % 30), f"(service {name}) was unable to place a task"
                    ),
                )
                if svc.cannot_place
                else ()
            )
            services.append(
                Service(
                    arn=arn,
                    name=name,
                    cluster_arn=cluster_arn,
                    status="ACTIVE",
                    desired=svc.desired,
                    running=svc.running,
                    pending=svc.desired - svc.running,
                    task_definition_arn=primary.task_definition_arn,
                    deployments=(primary,),
                    events=events,
                )
            )
            stopped += [
                _task(cluster, f"{name}-{i}", f"service:{name}", name, stop) for i, stop in enumerate(svc.stops)
            ]
            if svc.targets is not None:
                healthy, unhealthy = svc.targets
                targets = tuple(
                    TargetHealth(
                        f"10.0.{s}.{i}",
                        80,
                        "unhealthy" if i < unhealthy else "healthy",
                        "Target.FailedHealthChecks" if i < unhealthy else None,
                        None,
                        None,
                        None,
                    )
                    for i in range(healthy + unhealthy)
                )
                views[arn] = [
                    TargetGroupView(
                        f"{ACCOUNT}:targetgroup/{name}/1",
                        name,
                        "HTTP",
                        80,
                        "ip",
                        "HTTP /",
                        (),
                        (),
                        (),
                        "application",
                        (),
                        targets,
                    )
                ]
        stopped += [
            _task(cluster, f"run-{i}", f"family:{family}", family, stop)
            for i, (family, stop) in enumerate(spec.standalone)
        ]
        instances = [
            ContainerInstance(f"{ACCOUNT}:container-instance/{cluster}/ci{i}", f"i-{c}{i}", "ACTIVE", connected)
            for i, connected in enumerate(spec.agents)
        ]
        observed.append(
            ClusterObservation(Cluster(cluster_arn, cluster, "ACTIVE"), services, stopped, instances, views)
        )
    return observed


def decide(observed: list[ClusterObservation], now: datetime = NOW) -> list[Problem]:
    return decide_problems(observed, now=now, rollout_grace=GRACE, stopped_window=WINDOW)


@FAST
@given(accounts)
def test_one_row_per_resource_and_every_broken_resource_has_its_row(account: tuple[ClusterSpec, ...]) -> None:
    rows = decide(observe(account))
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys))
    for c, spec in enumerate(account):
        for s, svc in enumerate(spec.services):
            broken = svc.running < svc.desired or svc.recent_abnormal_stops or (svc.targets and svc.targets[1])
            if broken or svc.rollout == "FAILED":
                assert f"service:c{c}/svc{s}" in keys
        families = {family for family, stop in spec.standalone if stop.abnormal and stop.age <= WINDOW.total_seconds()}
        assert {k for k in keys if k.startswith(f"tasks:c{c}/")} == {f"tasks:c{c}/family:{f}" for f in families}
        lost = {f"instance:c{c}/{ACCOUNT}:container-instance/c{c}/ci{i}" for i, ok in enumerate(spec.agents) if not ok}
        assert {k for k in keys if k.startswith(f"instance:c{c}/")} == lost


@FAST
@given(accounts)
def test_a_healthy_rollout_inside_the_grace_period_is_never_a_problem(account: tuple[ClusterSpec, ...]) -> None:
    rows = {row.key: row for row in decide(observe(account))}
    for c, spec in enumerate(account):
        for s, svc in enumerate(spec.services):
            row = rows.get(f"service:c{c}/svc{s}")
            if svc.healthy_young_rollout:
                assert row is not None and row.severity == INFO and row.kind == "rollout in progress"
                assert row.summary.startswith(f"svc{s}: deploying svc{s}:2 for ")
            elif row is not None and svc.running == 0 < svc.desired:
                assert row.severity == CRITICAL  # nothing serves, and it is not a young healthy rollout
    assert TriageReport(tuple(r for r in rows.values() if r.is_info)).ok


@FAST
@given(accounts)
def test_worst_first_info_last_ties_by_failures(account: tuple[ClusterSpec, ...]) -> None:
    rows = decide(observe(account))
    severities = [row.severity for row in rows]
    assert severities == sorted(severities)
    for before, after in itertools.pairwise(rows):
        if before.severity == after.severity:
            assert before.failures >= after.failures
            if before.failures == after.failures and before.since and after.since:
                assert before.since <= after.since


@FAST
@given(accounts, st.randoms(use_true_random=False))
def test_the_order_does_not_depend_on_the_order_ecs_listed_things_in(
    account: tuple[ClusterSpec, ...], shuffler: random.Random
) -> None:
    observed = observe(account)
    shuffled = [
        replace(
            c,
            services=shuffler.sample(list(c.services), len(c.services)),
            stopped=shuffler.sample(list(c.stopped), len(c.stopped)),
        )
        for c in shuffler.sample(observed, len(observed))
    ]
    assert [r.key for r in decide(observed)] == [r.key for r in decide(shuffled)]


@FAST
@given(accounts, st.lists(st.integers(1, 60), min_size=2, max_size=6))
def test_since_never_moves_backwards_and_the_order_holds_while_the_state_does(
    account: tuple[ClusterSpec, ...], steps: list[int]
) -> None:
    memory = TriageMemory()
    previous: dict[tuple[str, bool], datetime] = {}
    previous_state: set[tuple[str, int, str, int]] = set()
    previous_order: list[str] = []
    shift = 0
    for step in steps:
        shift += step
        # The same account read again a little later: ECS's moving times (updatedAt, the events' window) move.
        now = NOW + timedelta(seconds=shift)
        report = memory.remember(TriageReport(tuple(decide(observe(account, shift), now)), checked_at=now))
        for problem in report.problems:
            assert problem.since is not None and problem.since <= now
            identity = (problem.key, problem.is_info)
            if identity in previous:
                assert problem.since <= previous[identity]  # "since" never grows younger
        previous = {(p.key, p.is_info): p.since for p in report.problems if p.since is not None}
        # Unless the state changed (a rollout outgrew its grace, a stop left the window), the order holds.
        state = {(p.key, p.severity, p.kind, p.failures) for p in report.problems}
        order = [p.key for p in report.problems]
        if state == previous_state:
            assert order == previous_order
        previous_state, previous_order = state, order
