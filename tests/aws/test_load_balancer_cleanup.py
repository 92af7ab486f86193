"""LoadBalancerCleanup: after a service is deleted, exactly what ecstui created for it in ELB, and nothing that another
service, listener or rule still uses, is removed, rule or listener first, then the load balancer, then the group."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.load_balancer_actions import LoadBalancerActions, LoadBalancingPlan, NewLoadBalancer, NewTargetGroup
from ecstui.aws.load_balancer_cleanup import Leftover, LoadBalancerCleanup
from ecstui.aws.models import Service
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import AwsErrorSpec
from ecstui.emulator.server import EmulatorServer
from tests.aws.test_load_balancer_actions import Net, _alb_with_listener, _target_group, net
from tests.conftest import boto_client

__all__ = ["net"]

DELETES = ("DeleteRule", "DeleteListener", "DeleteLoadBalancer", "DeleteTargetGroup")


@pytest.fixture
def elbv2(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "elbv2")


@pytest.fixture
async def session(target: AwsTarget) -> AsyncIterator[AwsSession]:
    async with AwsSession(target) as session:
        yield session


def _service(emulator: EmulatorServer, name: str, load_balancers: list[dict[str, Any]]) -> None:
    ecs = boto_client(emulator, "ecs")
    ecs.create_cluster(clusterName="demo")
    ecs.register_task_definition(
        family="app",
        containerDefinitions=[{"name": "app", "image": "node", "memory": 128, "portMappings": [{"containerPort": 80}]}],
    )
    ecs.create_service(
        cluster="demo", serviceName=name, taskDefinition="app", desiredCount=0, loadBalancers=load_balancers
    )


async def _read(session: AwsSession, name: str) -> Service:
    service = await EcsReader(session).service("demo", name)
    assert service is not None
    return service


async def test_a_service_behind_a_new_alb_leaves_nothing_after_its_cleanup(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any
) -> None:
    elsewhere = _target_group(elbv2, net, "elsewhere")  # not the service's: never touched
    actions = LoadBalancerActions(session)
    prepared = await actions.prepare(
        "demo",
        "web",
        net.vpc,
        LoadBalancingPlan(
            "app",
            80,
            new_target_group=NewTargetGroup("web-tg", "HTTP", 80, "ip", "/"),
            new_load_balancer=NewLoadBalancer("web-alb", tuple(net.subnets), (net.sg,)),
        ),
    )
    _service(emulator, "web", prepared.load_balancers)
    cleanup = LoadBalancerCleanup(actions)
    found = await cleanup.leftovers("demo", await _read(session, "web"))
    assert [(item.kind, item.name, item.kept) for item in found] == [
        ("listener", "HTTP:80 of web-alb", None),
        ("load balancer", "web-alb", None),
        ("target group", "web-tg", None),
    ]
    assert sorted(item.arn for item in found) == sorted(prepared.created)

    emulator.log.clear()
    steps = await cleanup.remove_all("demo", "web", found)
    assert [step.said for step in steps] == [
        "Removed listener HTTP:80 of web-alb.",
        "Removed load balancer web-alb.",
        "Removed target group web-tg.",
    ]
    assert [op for op, _ in emulator.log.bodies if op in DELETES] == [
        "DeleteListener",
        "DeleteLoadBalancer",
        "DeleteTargetGroup",
    ]
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert [g["TargetGroupArn"] for g in elbv2.describe_target_groups()["TargetGroups"]] == [elsewhere]


async def test_a_target_group_another_service_uses_is_kept_and_only_the_rule_is_removed(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any
) -> None:
    site = _target_group(elbv2, net, "site")
    _, listener = _alb_with_listener(elbv2, net, site)
    actions = LoadBalancerActions(session)
    prepared = await actions.prepare(
        "demo",
        "api",
        net.vpc,
        LoadBalancingPlan(
            "app", 80, new_target_group=NewTargetGroup("api-tg", "HTTP", 80, "ip", "/"), listener_arn=listener
        ),
    )
    _service(emulator, "api", prepared.load_balancers)
    _service(emulator, "api-canary", prepared.load_balancers)  # shares the group ecstui made for api
    cleanup = LoadBalancerCleanup(actions)
    found = await cleanup.leftovers("demo", await _read(session, "api"))
    assert [(item.kind, item.kept) for item in found] == [
        ("listener rule", None),
        ("target group", "service api-canary uses it"),
    ]
    assert found[0].name.startswith("path /api/* (priority 1) on shared HTTP:80")

    emulator.log.clear()
    steps = await cleanup.remove_all("demo", "api", [item for item in found if item.kept is None])
    assert [step.error for step in steps] == [None]
    assert [op for op, _ in emulator.log.bodies if op in DELETES] == ["DeleteRule"]
    assert len(elbv2.describe_target_groups(Names=["api-tg"])["TargetGroups"]) == 1
    assert [r["IsDefault"] for r in elbv2.describe_rules(ListenerArn=listener)["Rules"]] == [True]
    assert elbv2.describe_listeners(ListenerArns=[listener])["Listeners"]  # the shared listener stays


async def test_what_ecstui_did_not_create_is_never_offered(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any
) -> None:
    tg = _target_group(elbv2, net, "handmade")
    _alb_with_listener(elbv2, net, tg)
    _service(emulator, "handmade", [{"targetGroupArn": tg, "containerName": "app", "containerPort": 80}])
    cleanup = LoadBalancerCleanup(LoadBalancerActions(session))
    assert await cleanup.leftovers("demo", await _read(session, "handmade")) == []


async def test_removing_in_read_only_sends_nothing(emulator: EmulatorServer, target: AwsTarget) -> None:
    read_only = AwsTarget(region=target.region, endpoint_url=target.endpoint_url, read_only=True)
    leftover = Leftover("target group", "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1", "x")
    emulator.log.clear()
    async with AwsSession(read_only) as session:
        cleanup = LoadBalancerCleanup(LoadBalancerActions(session))
        with pytest.raises(AwsError) as caught:
            await cleanup.remove_all("demo", "web", [leftover])
    assert caught.value.kind == "read_only"
    assert emulator.log.bodies == []


async def test_a_failed_step_is_said_and_the_rest_still_tried(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any
) -> None:
    actions = LoadBalancerActions(session)
    prepared = await actions.prepare(
        "demo",
        "web",
        net.vpc,
        LoadBalancingPlan(
            "app",
            80,
            new_target_group=NewTargetGroup("web-tg", "HTTP", 80, "ip", "/"),
            new_load_balancer=NewLoadBalancer("web-alb", tuple(net.subnets), (net.sg,)),
        ),
    )
    _service(emulator, "web", prepared.load_balancers)
    cleanup = LoadBalancerCleanup(actions)
    found = await cleanup.leftovers("demo", await _read(session, "web"))
    emulator.faults.inject(
        "DeleteListener",
        AwsErrorSpec(403, "AccessDenied", "User is not authorized to perform: elasticloadbalancing:DeleteListener"),
        count=1,
        service="elasticloadbalancing",
    )
    steps = await cleanup.remove_all("demo", "web", found)
    assert [step.leftover.kind for step in steps] == ["listener", "load balancer", "target group"]
    assert steps[0].error is not None and "not authorized" in steps[0].said
    assert [step.error for step in steps[1:]] == [None, None]  # the load balancer took its listener with it
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
