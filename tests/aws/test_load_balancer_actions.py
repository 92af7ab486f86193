"""LoadBalancerActions.prepare: what each plan creates in ELB, in order, tagged for the service; what it refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ecstui.aws.audit import OK, AuditLog
from ecstui.aws.errors import AwsError
from ecstui.aws.load_balancer_actions import (
    SERVICE_TAG,
    LoadBalancerActions,
    LoadBalancingPlan,
    NewLoadBalancer,
    NewTargetGroup,
    default_name,
    elb_name_problem,
    free_priority,
)
from ecstui.aws.load_balancer_choices import LoadBalancerChoices
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.conftest import boto_client

ELB_MUTATIONS = ("CreateTargetGroup", "CreateLoadBalancer", "CreateListener", "CreateRule", "ModifyListener", "AddTags")


@dataclass
class Net:
    vpc: str
    subnets: list[str]
    sg: str


@pytest.fixture
def net(emulator: EmulatorServer) -> Net:
    ec2 = boto_client(emulator, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    return Net(vpc, subnets, sg)


@pytest.fixture
def elbv2(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "elbv2")


@pytest.fixture
async def session(target: AwsTarget) -> AsyncIterator[AwsSession]:
    async with AwsSession(target) as session:
        yield session


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


def _tags(elbv2: Any, arn: str) -> dict[str, str]:
    described = elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]
    return {tag["Key"]: tag["Value"] for tag in described["Tags"]}


def _mutations(emulator: EmulatorServer) -> list[str]:
    return [op for op, _ in emulator.log.bodies if op in ELB_MUTATIONS]


async def test_a_new_alb_plan_creates_the_target_group_then_the_alb_then_its_listener_each_tagged_for_the_service(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any, audit: AuditLog
) -> None:
    choices = LoadBalancerChoices(session)
    assert await choices.target_groups(net.vpc) == []  # cached empty, to be forgotten by prepare
    actions = LoadBalancerActions(session, audit, choices)
    plan = LoadBalancingPlan(
        "node-app",
        3000,
        new_target_group=NewTargetGroup("web-tg", "HTTP", 3000, "ip", "/health"),
        new_load_balancer=NewLoadBalancer("web-alb", tuple(net.subnets), (net.sg,)),
    )
    emulator.log.clear()
    prepared = await actions.prepare("demo", "web", net.vpc, plan)

    assert _mutations(emulator) == ["CreateTargetGroup", "CreateLoadBalancer", "CreateListener"]
    tg = elbv2.describe_target_groups(Names=["web-tg"])["TargetGroups"][0]
    assert (tg["Protocol"], tg["Port"], tg["TargetType"], tg["VpcId"], tg["HealthCheckPath"]) == (
        "HTTP",
        3000,
        "ip",
        net.vpc,
        "/health",
    )
    lb = elbv2.describe_load_balancers(Names=["web-alb"])["LoadBalancers"][0]
    assert (lb["Scheme"], lb["Type"], sorted(z["SubnetId"] for z in lb["AvailabilityZones"])) == (
        "internet-facing",
        "application",
        sorted(net.subnets),
    )
    assert lb["SecurityGroups"] == [net.sg]
    listener = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    assert (listener["Protocol"], listener["Port"]) == ("HTTP", 80)
    assert listener["DefaultActions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]
    for arn in (tg["TargetGroupArn"], lb["LoadBalancerArn"], listener["ListenerArn"]):
        assert _tags(elbv2, arn) == {SERVICE_TAG: "demo/web"}

    assert prepared.created == (tg["TargetGroupArn"], lb["LoadBalancerArn"], listener["ListenerArn"])
    assert prepared.load_balancers == [
        {"targetGroupArn": tg["TargetGroupArn"], "containerName": "node-app", "containerPort": 3000}
    ]
    assert prepared.dns_name == lb["DNSName"] and prepared.dns_name
    lb_part = lb["LoadBalancerArn"].split(":loadbalancer/")[1]
    tg_part = "targetgroup/" + tg["TargetGroupArn"].split(":targetgroup/")[1]
    assert prepared.resource_label == f"{lb_part}/{tg_part}" and prepared.resource_label.startswith("app/web-alb/")
    # Each step audited; the pickers' cache forgotten so the new group is listed.
    assert [(e.action, e.result) for e in reversed(audit.entries())] == [
        ("create_target_group", OK),
        ("create_load_balancer", OK),
        ("create_listener", OK),
    ]
    assert [g.name for g in await choices.target_groups(net.vpc)] == ["web-tg"]

    # The parameter is what CreateService takes.
    ecs = boto_client(emulator, "ecs")
    ecs.create_cluster(clusterName="demo")
    ecs.register_task_definition(
        family="web",
        containerDefinitions=[
            {"name": "node-app", "image": "node", "memory": 128, "portMappings": [{"containerPort": 3000}]}
        ],
    )
    ecs.create_service(
        cluster="demo", serviceName="web", taskDefinition="web", desiredCount=0, loadBalancers=prepared.load_balancers
    )


def _alb_with_listener(elbv2: Any, net: Net, default_tg: str) -> tuple[str, str]:
    lb = elbv2.create_load_balancer(Name="shared", Subnets=net.subnets, SecurityGroups=[net.sg])["LoadBalancers"][0]
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": default_tg}],
    )["Listeners"][0]["ListenerArn"]
    return lb["LoadBalancerArn"], listener


def _target_group(elbv2: Any, net: Net, name: str, **options: Any) -> str:
    request = {"Name": name, "Protocol": "HTTP", "Port": 80, "VpcId": net.vpc, "TargetType": "ip"} | options
    return str(elbv2.create_target_group(**request)["TargetGroups"][0]["TargetGroupArn"])


async def test_a_new_target_group_behind_an_existing_alb_listener_gets_a_path_rule_at_a_free_priority(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any
) -> None:
    other = _target_group(elbv2, net, "site")
    lb_arn, listener = _alb_with_listener(elbv2, net, other)
    elbv2.create_rule(
        ListenerArn=listener,
        Priority=7,
        Conditions=[{"Field": "path-pattern", "Values": ["/old/*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": other}],
    )
    plan = LoadBalancingPlan(
        "node-app", 3000, new_target_group=NewTargetGroup("api-tg", "HTTP", 3000, "ip", "/"), listener_arn=listener
    )
    emulator.log.clear()
    prepared = await LoadBalancerActions(session).prepare("demo", "api", net.vpc, plan)

    assert _mutations(emulator) == ["CreateTargetGroup", "CreateRule"]
    rules = [r for r in elbv2.describe_rules(ListenerArn=listener)["Rules"] if not r["IsDefault"]]
    new = next(r for r in rules if r["Priority"] == "8")
    assert new["Conditions"][0]["Field"] == "path-pattern"
    assert new["Conditions"][0].get("Values", new["Conditions"][0].get("PathPatternConfig", {}).get("Values")) == [
        "/api/*"
    ]
    tg_arn = elbv2.describe_target_groups(Names=["api-tg"])["TargetGroups"][0]["TargetGroupArn"]
    assert new["Actions"][0]["TargetGroupArn"] == tg_arn
    assert _tags(elbv2, new["RuleArn"]) == {SERVICE_TAG: "demo/api"}
    assert _tags(elbv2, tg_arn) == {SERVICE_TAG: "demo/api"}
    assert prepared.created == (tg_arn, new["RuleArn"])
    assert prepared.resource_label is not None and prepared.resource_label.startswith("app/shared/")
    assert prepared.dns_name == elbv2.describe_load_balancers(LoadBalancerArns=[lb_arn])["LoadBalancers"][0]["DNSName"]


async def test_an_existing_target_group_its_listener_forwards_to_already_creates_nothing(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any
) -> None:
    tg = _target_group(elbv2, net, "site")
    _, listener = _alb_with_listener(elbv2, net, tg)
    emulator.log.clear()
    prepared = await LoadBalancerActions(session).prepare(
        "demo", "site", net.vpc, LoadBalancingPlan("web", 80, target_group_arn=tg, listener_arn=listener)
    )
    assert _mutations(emulator) == []
    assert prepared.created == ()
    assert prepared.load_balancers == [{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}]


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("a" * 33, "at most 32"),
        ("web_tg", "only letters, digits and hyphens"),
        ("-web", "may not start or end with a hyphen"),
        ("web-", "may not start or end with a hyphen"),
        ("internal-web", "internal-"),
        ("", "Name the target group"),
    ],
)
async def test_a_target_group_name_elb_would_refuse_sends_nothing(
    session: AwsSession, emulator: EmulatorServer, net: Net, name: str, said: str
) -> None:
    plan = LoadBalancingPlan(
        "node-app",
        3000,
        new_target_group=NewTargetGroup(name, "HTTP", 3000, "ip", "/"),
        new_load_balancer=NewLoadBalancer("ok-alb", tuple(net.subnets), (net.sg,)),
    )
    emulator.log.clear()
    with pytest.raises(AwsError) as caught:
        await LoadBalancerActions(session).prepare("demo", "web", net.vpc, plan)
    assert said in caught.value.message and caught.value.kind == "invalid"
    assert not [op for op, _ in emulator.log.bodies if op.startswith(("Create", "Describe"))]


async def test_a_load_balancer_name_elb_would_refuse_sends_nothing(
    session: AwsSession, emulator: EmulatorServer, net: Net
) -> None:
    plan = LoadBalancingPlan(
        "node-app",
        3000,
        new_target_group=NewTargetGroup("ok-tg", "HTTP", 3000, "ip", "/"),
        new_load_balancer=NewLoadBalancer("bad.alb", tuple(net.subnets), (net.sg,)),
    )
    emulator.log.clear()
    with pytest.raises(AwsError, match="only letters, digits and hyphens"):
        await LoadBalancerActions(session).prepare("demo", "web", net.vpc, plan)
    assert emulator.log.bodies == []


async def test_preparing_in_read_only_sends_nothing(emulator: EmulatorServer, target: AwsTarget, net: Net) -> None:
    read_only = AwsTarget(region=target.region, endpoint_url=target.endpoint_url, read_only=True)
    plan = LoadBalancingPlan(
        "node-app",
        3000,
        new_target_group=NewTargetGroup("web-tg", "HTTP", 3000, "ip", "/"),
        new_load_balancer=NewLoadBalancer("web-alb", tuple(net.subnets), (net.sg,)),
    )
    emulator.log.clear()
    async with AwsSession(read_only) as session:
        with pytest.raises(AwsError) as caught:
            await LoadBalancerActions(session).prepare("demo", "web", net.vpc, plan)
    assert caught.value.kind == "read_only"
    assert emulator.log.bodies == []


async def test_a_target_group_name_already_taken_is_refused_before_creating_anything(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any
) -> None:
    _target_group(elbv2, net, "web-tg", Port=3000)
    plan = LoadBalancingPlan(
        "node-app",
        3000,
        new_target_group=NewTargetGroup("web-tg", "HTTP", 3000, "ip", "/"),
        new_load_balancer=NewLoadBalancer("web-alb", tuple(net.subnets), (net.sg,)),
    )
    emulator.log.clear()
    with pytest.raises(AwsError, match="already exists"):
        await LoadBalancerActions(session).prepare("demo", "web", net.vpc, plan)
    assert _mutations(emulator) == []
    assert _tags(elbv2, elbv2.describe_target_groups(Names=["web-tg"])["TargetGroups"][0]["TargetGroupArn"]) == {}


async def test_a_failure_after_the_target_group_was_created_names_what_was_left(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any
) -> None:
    elbv2.create_load_balancer(Name="web-alb", Subnets=net.subnets)
    plan = LoadBalancingPlan(
        "node-app",
        3000,
        new_target_group=NewTargetGroup("web-tg", "HTTP", 3000, "ip", "/"),
        new_load_balancer=NewLoadBalancer("web-alb", tuple(net.subnets), (net.sg,)),
    )
    with pytest.raises(AwsError) as caught:
        await LoadBalancerActions(session).prepare("demo", "web", net.vpc, plan)
    assert "load balancer named web-alb already exists" in caught.value.message
    assert "left in place" in caught.value.message and "target group web-tg" in caught.value.message


async def test_an_nlb_listener_that_forwards_elsewhere_is_refused_before_creating_anything(
    session: AwsSession, emulator: EmulatorServer, net: Net, elbv2: Any
) -> None:
    other = _target_group(elbv2, net, "ingest", Protocol="TCP", Port=9000)
    nlb = elbv2.create_load_balancer(Name="ingest", Subnets=net.subnets, Type="network")["LoadBalancers"][0]
    listener = elbv2.create_listener(
        LoadBalancerArn=nlb["LoadBalancerArn"],
        Protocol="TCP",
        Port=9000,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": other}],
    )["Listeners"][0]["ListenerArn"]
    plan = LoadBalancingPlan(
        "app", 9000, new_target_group=NewTargetGroup("app-tg", "TCP", 9000, "ip", None), listener_arn=listener
    )
    emulator.log.clear()
    with pytest.raises(AwsError, match="network load balancer has no rules"):
        await LoadBalancerActions(session).prepare("demo", "app", net.vpc, plan)
    assert _mutations(emulator) == []


def test_names_and_priorities() -> None:
    assert default_name("web", "tg") == "web-tg"
    assert default_name("my_service.v2", "alb") == "my-service-v2-alb"
    assert len(default_name("x" * 200, "alb")) == 32 and elb_name_problem(default_name("x" * 200, "alb"), "lb") is None
    assert elb_name_problem(default_name("internal-api", "tg"), "tg") is None
    assert free_priority([]) == 1
    assert free_priority([3, 10]) == 11
    assert free_priority([1, 50000]) == 2
