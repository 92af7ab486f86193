"""A cluster with its compute (Fargate, Spot, EC2 from an Auto Scaling group), tearing its providers down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ecstui.aws.actions import EcsActions
from ecstui.aws.audit import AuditLog
from ecstui.aws.capacity_providers import CapacityProviderReader, capacity_provider_name
from ecstui.aws.cluster_capacity import ClusterCapacityActions, Ec2Capacity, NewCluster
from ecstui.aws.errors import AwsError, ReadOnlyError
from ecstui.aws.models import CapacityProviderStrategyItem as Item
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import INTERNAL_FAILURE
from ecstui.emulator.server import EmulatorServer
from tests.aws.test_actions import mutating
from tests.conftest import REGION, boto_client


def make_group(emulator: EmulatorServer, name: str = "capacity", *, protected: bool = True) -> str:
    """An Auto Scaling group over a launch template; returns its ARN."""
    ec2 = boto_client(emulator, "ec2")
    autoscaling = boto_client(emulator, "autoscaling")
    template = f"{name}-lt"
    ec2.create_launch_template(
        LaunchTemplateName=template, LaunchTemplateData={"ImageId": "ami-12345678", "InstanceType": "t3.small"}
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": template},
        MinSize=0,
        MaxSize=4,
        DesiredCapacity=0,
        AvailabilityZones=["us-east-1a"],
        NewInstancesProtectedFromScaleIn=protected,
    )
    arn: str = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0][
        "AutoScalingGroupARN"
    ]
    return arn


@pytest.fixture
async def actions(target: AwsTarget, tmp_path: Path) -> AsyncIterator[ClusterCapacityActions]:
    async with AwsSession(target) as session:
        yield ClusterCapacityActions(session, AuditLog(tmp_path / "audit.jsonl"))


def ec2_plan(arn: str, cluster: str = "shop", **ec2: Any) -> NewCluster:
    provider = capacity_provider_name(cluster, "capacity")
    return NewCluster(
        name=cluster,
        fargate=True,
        fargate_spot=False,
        ec2=Ec2Capacity("capacity", arn, **({"target_capacity": 80, "group_protects_new_instances": True} | ec2)),
        default_strategy=(Item(provider, weight=1),),
        container_insights="disabled",
    )


async def test_a_fargate_and_spot_cluster_with_insights_gets_its_settings_providers_and_strategy(
    actions: ClusterCapacityActions, emulator: EmulatorServer
) -> None:
    plan = NewCluster(
        name="shop",
        fargate=True,
        fargate_spot=True,
        default_strategy=(Item("FARGATE", weight=1, base=1), Item("FARGATE_SPOT", weight=3)),
        container_insights="enabled",
    )
    cluster = await actions.create_cluster_with_capacity(plan)
    assert cluster.name == "shop"
    [create] = emulator.log.calls("CreateCluster")
    assert create["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    [attach] = emulator.log.calls("PutClusterCapacityProviders")
    assert attach["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert attach["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]
    assert emulator.log.counts["CreateCapacityProvider"] == 0  # Fargate's belong to AWS
    stored = boto_client(emulator, "ecs").describe_clusters(clusters=["shop"], include=["SETTINGS"])["clusters"][0]
    assert stored["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert stored["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert [i.capacity_provider for i in cluster.default_strategy] == ["FARGATE", "FARGATE_SPOT"]


async def test_ec2_capacity_is_a_tagged_capacity_provider_over_the_group_with_managed_scaling(
    actions: ClusterCapacityActions, emulator: EmulatorServer
) -> None:
    arn = make_group(emulator)
    plan = ec2_plan(arn, managed_termination_protection=True)
    await actions.create_cluster_with_capacity(plan)
    order = [
        op
        for op, _ in emulator.log.bodies
        if op in ("CreateCapacityProvider", "CreateCluster", "PutClusterCapacityProviders")
    ]
    assert order == ["CreateCapacityProvider", "CreateCluster", "PutClusterCapacityProviders"]
    [provider] = emulator.log.calls("CreateCapacityProvider")
    assert provider == {
        "name": "shop-capacity",
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": arn,
            "managedScaling": {"status": "ENABLED", "targetCapacity": 80},
            "managedTerminationProtection": "ENABLED",
        },
        "tags": [{"key": "ecstui:cluster", "value": "shop"}],
    }
    ecs = boto_client(emulator, "ecs")
    stored = ecs.describe_capacity_providers(capacityProviders=["shop-capacity"])["capacityProviders"][0]
    assert stored["autoScalingGroupProvider"]["autoScalingGroupArn"] == arn
    cluster = ecs.describe_clusters(clusters=["shop"], include=["SETTINGS"])["clusters"][0]
    assert cluster["capacityProviders"] == ["FARGATE", "shop-capacity"]
    assert cluster["defaultCapacityProviderStrategy"] == [{"capacityProvider": "shop-capacity", "weight": 1, "base": 0}]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "disabled"}]


async def test_managed_scaling_off_sends_no_target_capacity(
    actions: ClusterCapacityActions, emulator: EmulatorServer
) -> None:
    await actions.create_cluster_with_capacity(ec2_plan(make_group(emulator), managed_scaling=False))
    [provider] = emulator.log.calls("CreateCapacityProvider")
    assert provider["autoScalingGroupProvider"]["managedScaling"] == {"status": "DISABLED"}
    assert provider["autoScalingGroupProvider"]["managedTerminationProtection"] == "DISABLED"


async def test_confirming_again_after_a_half_finished_create_reuses_the_provider_it_made(
    actions: ClusterCapacityActions, emulator: EmulatorServer
) -> None:
    plan = ec2_plan(make_group(emulator))
    emulator.faults.inject("CreateCluster", INTERNAL_FAILURE, count=4)  # every attempt botocore makes
    try:
        with pytest.raises(AwsError) as caught:
            await actions.create_cluster_with_capacity(plan)
        assert "Capacity provider shop-capacity was created" in caught.value.message
        await actions.create_cluster_with_capacity(plan)
    finally:
        emulator.faults.reset()
    assert emulator.log.counts["CreateCapacityProvider"] == 1
    assert boto_client(emulator, "ecs").describe_clusters(clusters=["shop"])["clusters"][0]["capacityProviders"] == [
        "FARGATE",
        "shop-capacity",
    ]


async def test_a_provider_of_that_name_made_by_someone_else_is_left_alone(
    actions: ClusterCapacityActions, emulator: EmulatorServer
) -> None:
    arn = make_group(emulator)
    boto_client(emulator, "ecs").create_capacity_provider(
        name="shop-capacity", autoScalingGroupProvider={"autoScalingGroupArn": arn}
    )
    emulator.log.clear()
    with pytest.raises(AwsError, match="already exists"):
        await actions.create_cluster_with_capacity(ec2_plan(arn))
    assert mutating(emulator) == {}


def _bad(arn: str) -> dict[str, NewCluster]:
    return {
        "bad name": NewCluster(name="shop/eu"),
        "target capacity 0": ec2_plan(arn, target_capacity=0),
        "target capacity above 100": ec2_plan(arn, target_capacity=101),
        "termination protection without managed scaling": ec2_plan(
            arn, managed_scaling=False, managed_termination_protection=True
        ),
        "termination protection on an unprotected group": ec2_plan(
            arn, managed_termination_protection=True, group_protects_new_instances=False
        ),
        "strategy of a provider the cluster lacks": NewCluster(
            name="shop", fargate=True, default_strategy=(Item("FARGATE_SPOT", weight=1),)
        ),
        "strategy mixing Fargate and a group": NewCluster(
            name="shop",
            fargate=True,
            ec2=Ec2Capacity("capacity", arn),
            default_strategy=(Item("FARGATE", weight=1), Item("shop-capacity", weight=1)),
        ),
        "two bases": NewCluster(
            name="shop",
            fargate=True,
            fargate_spot=True,
            default_strategy=(Item("FARGATE", weight=1, base=1), Item("FARGATE_SPOT", weight=1, base=1)),
        ),
        "weight above 1000": NewCluster(name="shop", fargate=True, default_strategy=(Item("FARGATE", weight=1001),)),
    }


@pytest.mark.parametrize("case", sorted(_bad("arn:aws:autoscaling:x:1:autoScalingGroup:u:autoScalingGroupName/c")))
async def test_bad_input_is_refused_and_sends_nothing(
    case: str, actions: ClusterCapacityActions, emulator: EmulatorServer
) -> None:
    plan = _bad(make_group(emulator))[case]
    emulator.log.clear()
    with pytest.raises(AwsError) as caught:
        await actions.create_cluster_with_capacity(plan)
    assert caught.value.kind == "invalid"
    assert sum(emulator.log.counts.values()) == 0


async def test_read_only_refuses_before_any_request(emulator: EmulatorServer, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    target = AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url, read_only=True)
    async with AwsSession(target) as session:
        with pytest.raises(ReadOnlyError):
            await ClusterCapacityActions(session, audit).create_cluster_with_capacity(
                ec2_plan("arn:aws:autoscaling:us-east-1:1:autoScalingGroup:u:autoScalingGroupName/capacity")
            )
        assert session.stats.total == 0
    assert sum(emulator.log.counts.values()) == 0
    assert audit.entries() == []


async def test_teardown_detaches_then_deletes_the_providers_ecstui_made_and_keeps_the_others(
    actions: ClusterCapacityActions, emulator: EmulatorServer
) -> None:
    await actions.create_cluster_with_capacity(ec2_plan(make_group(emulator)))
    ecs = boto_client(emulator, "ecs")
    # One attached by hand (not tagged by ecstui): the teardown must not delete it.
    ecs.create_capacity_provider(
        name="shared", autoScalingGroupProvider={"autoScalingGroupArn": make_group(emulator, "shared-group")}
    )
    ecs.put_cluster_capacity_providers(
        cluster="shop",
        capacityProviders=["FARGATE", "shop-capacity", "shared"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "shop-capacity", "weight": 1}],
    )
    assert await CapacityProviderReader(actions.session).created_for("shop") == ["shop-capacity"]
    emulator.log.clear()
    steps = [step async for step in EcsActions(actions.session).teardown_cluster("shop")]
    order = [
        op
        for op, _ in emulator.log.bodies
        if op in ("PutClusterCapacityProviders", "DeleteCluster", "DeleteCapacityProvider")
    ]
    assert order == ["PutClusterCapacityProviders", "DeleteCluster", "DeleteCapacityProvider"]
    [detach] = emulator.log.calls("PutClusterCapacityProviders")
    assert detach["capacityProviders"] == ["FARGATE", "shared"]
    assert emulator.log.calls("DeleteCapacityProvider") == [{"capacityProvider": "shop-capacity"}]
    assert "Deleted capacity provider(s) shop-capacity" in steps[-1].description
    assert steps[-1].done == steps[-1].total
    left = ecs.describe_capacity_providers(capacityProviders=["shop-capacity", "shared"])
    assert [p["name"] for p in left["capacityProviders"]] == ["shared"]


async def test_the_emulator_refuses_to_delete_a_provider_a_cluster_holds(
    actions: ClusterCapacityActions, emulator: EmulatorServer
) -> None:
    await actions.create_cluster_with_capacity(ec2_plan(make_group(emulator)))
    ecs = boto_client(emulator, "ecs")
    with pytest.raises(ecs.exceptions.ClientError, match="ResourceInUseException"):
        ecs.delete_capacity_provider(capacityProvider="shop-capacity")


def test_provider_names_are_valid_and_never_reserved() -> None:
    assert capacity_provider_name("shop", "capacity") == "shop-capacity"
    assert capacity_provider_name("ecs-prod", "asg") == "cp-ecs-prod-asg"
    assert capacity_provider_name("Fargate_x", "g") == "cp-Fargate_x-g"
    assert capacity_provider_name("shop", "web asg.v2") == "shop-web-asg-v2"
    assert len(capacity_provider_name("c" * 255, "g")) == 255


def test_the_limits_layer_refuses_a_describe_of_more_than_100_capacity_providers(emulator: EmulatorServer) -> None:
    ecs = boto_client(emulator, "ecs")
    with pytest.raises(ecs.exceptions.ClientError) as caught:
        ecs.describe_capacity_providers(capacityProviders=[f"cp-{i}" for i in range(101)])
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert emulator.log.violations == ["DescribeCapacityProviders with 101 capacityProviders (at most 100)"]
    assert ecs.describe_capacity_providers(capacityProviders=[f"cp-{i}" for i in range(100)])["failures"]
