"""find_problems: one row per broken demo resource, its worst problem first, the other symptoms as facts, worst first,
with its cause and where enter lands."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.load_balancing import LoadBalancingReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.aws.triage import Problem, TriageReport, find_problems
from ecstui.aws.triage_problem import worst_first
from ecstui.emulator.faults import AwsErrorSpec
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import BEHAVIOUR_TAG, Simulator
from tests.aws.demo_state import (
    FIXED_NOW,
    deployments,
    step_until,
    target_states,
)
from tests.conftest import boto_client

DENIED = AwsErrorSpec(
    403, "AccessDenied", "User is not authorized to perform: elasticloadbalancing:DescribeTargetGroups"
)


async def _triage(target: AwsTarget, now: Any) -> TriageReport:
    async with AwsSession(target) as session:
        return await find_problems(EcsReader(session), LoadBalancingReader(session), now=now)


def _one(report: TriageReport, service: str, kind: str) -> Problem:
    found = [p for p in report.problems if p.service == service]
    assert len(found) == 1 and found[0].kind == kind, f"{service} {kind}: {report.problems}"
    return found[0]


def _is_worst_first(problems: tuple[Problem, ...]) -> bool:
    return list(problems) == sorted(problems, key=worst_first)


def _fact(problem: Problem, kind: str) -> str:
    [fact] = [f for f in problem.facts if f.startswith(f"{kind}: ")]
    return fact


async def test_each_broken_demo_service_is_one_line_with_its_cause_its_other_symptoms_and_resource(
    demo: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    now = step_until(simulator, lambda: "unhealthy" in target_states(simulator, "prod-payments"))
    emulator.log.clear()

    report = await _triage(demo, now)
    calls = dict(emulator.log.counts)

    assert report.errors == () and report.clusters == 3
    assert _is_worst_first(report.problems)
    assert all(n == 1 for n in Counter(p.key for p in report.problems).values())
    # The demo's broken services, worst first: nothing runs of email-sender; payments serves from fewer targets;
    # then what will hurt if left, by failures counted.
    assert [p.service for p in report.problems] == ["email-sender", "payments", "cart", "image-resizer"]
    assert report.problems[0].severity_label == "critical"

    down = _one(report, "email-sender", "below desired")
    assert down.summary == "email-sender: 0/2 running, 2 pending"
    assert down.cause.startswith("Essential container in task exited (exit 1) \u00d7")
    assert down.cause.endswith("in 30 min")
    assert "(essential container exited)" in _fact(down, "tasks stopping abnormally")
    assert _fact(down, "deployment stuck").startswith("deployment stuck: deployment of email-sender:3 in progress")
    assert len(down.related_arns) > 1  # a crash loop of many tasks, still one line
    crash_arn = down.related_arns[0]

    oom = _one(report, "image-resizer", "tasks stopping abnormally")
    assert oom.cause.startswith("OutOfMemoryError: Container killed due to memory usage (exit 137)")
    assert oom.failures >= 5 and oom.facts == ()

    stuck = _one(report, "cart", "deployment stuck")
    assert stuck.cause.startswith("CannotPullContainerError: pull image manifest")
    assert "tasks failed" in stuck.summary
    # The same cause is not said twice: the fact names the stops only.
    assert _fact(stuck, "tasks stopping abnormally").endswith("(image pull failure)")

    sick = _one(report, "payments", "unhealthy targets")
    assert "failed ELB health checks" in _fact(sick, "tasks stopping abnormally")
    assert sick.cause.startswith("Health checks failed with these codes: [502] (task ")
    assert "(Target.FailedHealthChecks)" in sick.summary
    assert sick.target_group_arn is not None and "targetgroup/prod-payments/" in sick.target_group_arn
    assert sick.severity_label == "error"  # degraded: the other targets still serve

    async with AwsSession(demo) as session:
        ecs = EcsReader(session)
        sick_task = await ecs.task("prod", sick.resource_arn)
        crashed_task = await ecs.task("batch", crash_arn)
        oom_task = await ecs.task("batch", oom.resource_arn)
        cart = await ecs.service("prod", "cart")
    # enter lands on the task behind the unhealthy target, the newest stopped task of a crash loop, the service.
    assert sick_task is not None and sick_task.service_name == "payments"
    assert sick_task.private_ip is not None and sick_task.private_ip in sick.cause
    assert crashed_task is not None and crashed_task.service_name == "email-sender"
    assert crashed_task.stop_code == "EssentialContainerExited"
    assert oom_task is not None and oom_task.containers[0].exit_code == 137
    assert cart is not None and stuck.resource_arn == cart.arn
    assert down.resource_arn == crash_arn  # its newest crashed task, whose pane shows the crash's last lines

    for problem in report.problems:
        assert problem.since is not None
        assert problem.since is None or problem.since <= now
    # One STOPPED listing per cluster, RUNNING tasks only for the one service with an unhealthy target.
    assert calls["ListTasks"] == 3 + 1
    assert calls["DescribeTargetHealth"] == 10
    assert "DescribeListeners" not in calls  # triage needs no rules
    assert emulator.log.violations == []


async def test_a_deployment_the_circuit_breaker_failed_is_an_error_with_the_failing_tasks_reason(
    demo: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    ecs = boto_client(emulator, "ecs")
    arn = ecs.describe_services(cluster="prod", services=["api"])["services"][0]["serviceArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": BEHAVIOUR_TAG, "value": "bad-deploy"}])
    ecs.update_service(cluster="prod", service="api", taskDefinition="api:1")
    now = step_until(
        simulator, lambda: any(d.get("rolloutState") == "FAILED" for d in deployments(simulator, "prod", "api"))
    )

    report = await _triage(demo, now)

    failed = _one(report, "api", "deployment failed")
    assert failed.severity == 1 and failed.resource_arn == arn
    assert failed.summary.startswith("api: deployment of api:1 failed, ")
    assert "rolling back to api:" in failed.summary
    assert failed.cause.startswith("CannotPullContainerError")
    assert failed.since == now
    assert _is_worst_first(report.problems)


async def test_without_access_to_elb_the_ecs_problems_remain_and_the_gap_is_said(
    demo: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    emulator.faults.inject("*", DENIED, rate=1.0, service="elasticloadbalancing")
    with emulator.lock:
        instance = next(iter(simulator.ecs.container_instances["batch"].values()))
        instance.agent_connected = False
        instance_arn = instance.container_instance_arn

    report = await _triage(demo, FIXED_NOW)

    [error] = report.errors
    assert error.startswith("Load balancers: Access denied for DescribeTargetGroups")
    assert not any(p.kind == "unhealthy targets" for p in report.problems)
    assert _one(report, "email-sender", "below desired")
    [lost] = [p for p in report.problems if p.kind == "instance disconnected"]
    assert lost.resource_arn == instance_arn and lost.cluster == "batch" and lost.service is None
    assert lost.summary.startswith(
        f"batch: container instance {instance.ec2_instance_id} (c5.xlarge) agent disconnected"
    )
    assert not report.ok


async def test_a_service_with_nothing_running_is_the_worst_problem_and_ecs_says_why(
    demo: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    ecs = boto_client(emulator, "ecs")
    # More memory than any batch instance has: ECS can place none of its tasks.
    ecs.register_task_definition(
        family="huge",
        networkMode="bridge",
        containerDefinitions=[{"name": "huge", "image": "nginx:1.27", "memory": 500_000, "essential": True}],
    )
    ecs.create_service(cluster="batch", serviceName="huge", taskDefinition="huge", desiredCount=2, launchType="EC2")
    now = step_until(simulator, lambda: bool(simulator.ecs.services["batch:huge"].events), start=FIXED_NOW)

    report = await _triage(demo, now)

    down = _one(report, "huge", "below desired")
    assert down.severity == 0 and report.problems[0].severity == 0
    assert down.summary == "huge: 0/2 running"
    assert down.cause.startswith("was unable to place a task because no container instance met all of its requirements")
    assert "For more information" not in down.cause
    assert down.since is not None and down.since <= now
    assert _is_worst_first(report.problems)


async def test_a_healthy_region_has_no_problems(emulator: EmulatorServer, target: AwsTarget) -> None:
    ecs = boto_client(emulator, "ecs")
    ecs.create_cluster(clusterName="quiet")
    progress: list[tuple[int, int]] = []
    async with AwsSession(target) as session:
        report = await find_problems(
            EcsReader(session), LoadBalancingReader(session), now=FIXED_NOW, on_progress=lambda *p: progress.append(p)
        )
    assert report.ok and report.problems == () and report.clusters == 1
    assert progress == [(1, 2), (2, 2)]  # the cluster, then the load balancers
    assert len(report) == 0


async def test_when_the_clusters_cannot_be_listed_triage_raises_an_aws_error(
    emulator: EmulatorServer, target: AwsTarget
) -> None:
    emulator.faults.inject(
        "ListClusters", AwsErrorSpec(400, "AccessDeniedException", "not authorized: ecs:ListClusters"), rate=1.0
    )
    with pytest.raises(AwsError) as caught:
        await _triage(target, FIXED_NOW)
    assert caught.value.kind == "denied"
