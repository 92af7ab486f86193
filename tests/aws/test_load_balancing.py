"""LoadBalancingReader: a service's target groups, their load balancer and rules, and each target joined to its task."""

from __future__ import annotations

from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.load_balancing import (
    DESCRIBE_LOAD_BALANCERS_BATCH,
    DESCRIBE_TARGET_GROUPS_BATCH,
    ELB_PAGE_SIZE,
    LoadBalancingReader,
    health_check_summary,
)
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import AwsErrorSpec
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.aws.demo_state import spy_elbv2, step_until, target_states
from tests.conftest import boto_client

ELB_CALLS = ("describe_target_groups", "describe_load_balancers", "describe_listeners", "describe_rules")


def _within_elb_limits(calls: dict[str, list[dict[str, Any]]]) -> None:
    for call in calls["describe_target_groups"]:
        assert len(call.get("TargetGroupArns", [])) <= DESCRIBE_TARGET_GROUPS_BATCH
        assert call.get("PageSize", 1) <= ELB_PAGE_SIZE
    for call in calls["describe_load_balancers"]:
        assert len(call.get("LoadBalancerArns", [])) <= DESCRIBE_LOAD_BALANCERS_BATCH
    for call in calls["describe_listeners"] + calls["describe_rules"]:
        assert call.get("PageSize", 1) <= ELB_PAGE_SIZE


async def test_a_service_shows_its_alb_dns_name_its_path_rule_and_an_unhealthy_target_on_its_task(
    demo: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    step_until(simulator, lambda: "unhealthy" in target_states(simulator, "prod-payments"))
    emulator.log.clear()
    async with AwsSession(demo) as session:
        calls = await spy_elbv2(session, *ELB_CALLS)
        ecs = EcsReader(session)
        service = await ecs.service("prod", "payments")
        assert service is not None
        tasks = await ecs.tasks("prod", "payments")
        reader = LoadBalancingReader(session)
        groups = await reader.for_service(service, tasks)

    [group] = groups
    assert group.name == "prod-payments"
    assert group.target_type == "ip" and group.protocol == "HTTP" and group.port == 8080
    assert group.load_balancer_names == ("prod-public",)
    assert group.load_balancer_type == "application"
    [dns] = group.load_balancer_dns
    assert dns.startswith("prod-public-") and dns.endswith(".elb.amazonaws.com")
    [rule] = group.rules
    assert (rule.listener_port, rule.protocol, rule.priority, rule.conditions) == (
        80,
        "HTTP",
        "12",
        ("path /payments/*",),
    )
    assert group.health_check.startswith("HTTP /healthz every 15s")

    [sick] = group.unhealthy_targets
    assert group.unhealthy_count == 1
    assert (sick.state, sick.reason) == ("unhealthy", "Target.FailedHealthChecks")
    assert sick.description == "Health checks failed with these codes: [502]"
    owner = next(task for task in tasks if task.arn == sick.task_arn)
    assert owner.private_ip == sick.target_id and sick.port == 8080
    assert group.targets[0] is sick  # unhealthy first
    # Every target of a running task is joined to it, and the tasks pane finds each task's targets.
    running_ips = {t.private_ip for t in tasks if t.last_status == "RUNNING"}
    assert all(t.task_arn for t in group.targets if t.target_id in running_ips)
    by_task = reader.target_health_by_task(groups)
    assert by_task[owner.arn] == [(group, sick)]

    _within_elb_limits(calls)
    assert emulator.log.counts["DescribeTargetGroups"] == 1
    assert emulator.log.counts["DescribeLoadBalancers"] == 1
    assert emulator.log.counts["DescribeListeners"] == 1
    assert emulator.log.counts["DescribeRules"] == 1
    assert emulator.log.counts["DescribeTargetHealth"] == 1
    assert emulator.log.violations == []


async def test_bridge_targets_are_joined_by_instance_id_and_host_port_behind_an_nlb(
    demo: AwsTarget, emulator: EmulatorServer
) -> None:
    async with AwsSession(demo) as session:
        calls = await spy_elbv2(session, *ELB_CALLS)
        ecs = EcsReader(session)
        service = await ecs.service("batch", "ingest")
        assert service is not None
        tasks = await ecs.tasks("batch", "ingest")
        instances = {ci.arn: ci.ec2_instance_id for ci in await ecs.container_instances("batch")}
        emulator.log.clear()
        reader = LoadBalancingReader(session)
        [group] = await reader.for_service(service, tasks)

    assert (group.name, group.target_type, group.protocol, group.load_balancer_type) == (
        "batch-ingest",
        "instance",
        "TCP",
        "network",
    )
    [rule] = group.rules
    assert (rule.priority, rule.conditions, rule.listener_port) == ("default", (), 9000)
    assert calls["describe_rules"] == []  # network listeners have no rules to ask for
    assert len(group.targets) == len(tasks) == 4
    for target in group.targets:
        task = next(t for t in tasks if t.arn == target.task_arn)
        assert instances[task.container_instance_arn or ""] == target.target_id
        assert target.port in {b.host_port for c in task.containers for b in c.port_bindings}
    assert emulator.log.counts["DescribeContainerInstances"] == 1  # the instance ids, once for every task
    assert emulator.log.violations == []


async def test_load_balancers_listeners_and_rules_are_cached_but_health_is_asked_every_time(
    demo: AwsTarget, emulator: EmulatorServer
) -> None:
    clock = [1000.0]
    async with AwsSession(demo) as session:
        ecs = EcsReader(session)
        service = await ecs.service("prod", "api")
        assert service is not None
        tasks = await ecs.tasks("prod", "api")
        reader = LoadBalancingReader(session, clock=lambda: clock[0])
        await reader.for_service(service, tasks)
        emulator.log.clear()
        clock[0] += 30
        [group] = await reader.for_service(service, tasks)
        within_ttl = dict(emulator.log.counts)
        emulator.log.clear()
        clock[0] += 61
        await reader.for_service(service, tasks)
        after_ttl = dict(emulator.log.counts)

    assert group.rules and group.load_balancer_dns
    assert within_ttl == {"DescribeTargetHealth": 1}
    assert after_ttl == {
        "DescribeTargetGroups": 1,
        "DescribeLoadBalancers": 1,
        "DescribeListeners": 1,
        "DescribeRules": 1,
        "DescribeTargetHealth": 1,
    }


async def test_every_target_group_of_the_region_is_listed_unhealthy_first_joined_to_tasks(
    demo: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    step_until(simulator, lambda: "unhealthy" in target_states(simulator, "prod-payments"))
    emulator.log.clear()
    async with AwsSession(demo) as session:
        calls = await spy_elbv2(session, *ELB_CALLS)
        ecs = EcsReader(session)
        tasks = {cluster: await ecs.tasks(cluster) for cluster in ("prod", "batch", "staging")}
        groups = await LoadBalancingReader(session).all_target_groups(tasks)

    assert len(groups) == 10
    assert groups[0].name == "prod-payments" and groups[0].unhealthy_count == 1
    assert [g.name for g in groups[1:]] == sorted(g.name for g in groups[1:])
    assert groups[0].unhealthy_targets[0].task_arn in {t.arn for t in tasks["prod"]}
    web = next(g for g in groups if g.name == "prod-web")
    assert [r.priority for r in web.rules] == ["default"]  # the listener's default action forwards to web
    _within_elb_limits(calls)
    assert calls["describe_target_groups"] == [{"PageSize": ELB_PAGE_SIZE}]
    assert emulator.log.counts["DescribeTargetHealth"] == 10
    assert emulator.log.counts["DescribeLoadBalancers"] == 1  # three load balancers, one call
    assert emulator.log.violations == []


def _vpc(emulator: EmulatorServer) -> str:
    ec2 = boto_client(emulator, "ec2")
    return str(ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"])


async def test_25_target_groups_are_described_twenty_to_a_call_and_a_deleted_one_is_left_out(
    emulator: EmulatorServer, target: AwsTarget
) -> None:
    elbv2 = boto_client(emulator, "elbv2")
    vpc = _vpc(emulator)
    arns = [
        elbv2.create_target_group(Name=f"tg-{i:02d}", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        for i in range(25)
    ]
    elbv2.delete_target_group(TargetGroupArn=arns[3])
    async with AwsSession(target) as session:
        calls = await spy_elbv2(session, *ELB_CALLS)
        groups = await LoadBalancingReader(session).for_target_groups(arns)

    assert [g.name for g in groups] == [f"tg-{i:02d}" for i in range(25) if i != 3]
    assert all(g.load_balancer_arns == () and g.rules == () and g.targets == () for g in groups)
    assert all(
        len(c.get("TargetGroupArns", [])) <= DESCRIBE_TARGET_GROUPS_BATCH for c in calls["describe_target_groups"]
    )
    # The batch holding the deleted group is refused as a whole; its other groups are described one by one.
    assert len(calls["describe_target_groups"]) == 2 + 20


async def test_no_access_to_elb_is_a_readable_denied_error(emulator: EmulatorServer, target: AwsTarget) -> None:
    emulator.faults.inject(
        "*",
        AwsErrorSpec(403, "AccessDenied", "User is not authorized to perform: elasticloadbalancing:Describe*"),
        rate=1.0,
        service="elasticloadbalancing",
    )
    async with AwsSession(target) as session:
        with pytest.raises(AwsError) as caught:
            await LoadBalancingReader(session).all_target_groups()
    assert caught.value.kind == "denied"
    assert type(caught.value) is AwsError


@pytest.mark.parametrize(
    ("description", "summary"),
    [
        (
            {
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckPath": "/health",
                "HealthCheckIntervalSeconds": 30,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
            },
            "HTTP /health every 30s, 3/3",
        ),
        (
            {"HealthCheckProtocol": "HTTPS", "HealthCheckPort": "8443", "HealthCheckPath": "/ready"},
            "HTTPS :8443/ready",
        ),
        ({"HealthCheckProtocol": "TCP", "HealthCheckIntervalSeconds": 10}, "TCP every 10s"),
        ({}, ""),
    ],
)
def test_a_health_check_reads_in_one_line(description: dict[str, Any], summary: str) -> None:
    assert health_check_summary(description) == summary
