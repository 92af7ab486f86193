"""AutoScalingGroupReader: the region's Auto Scaling groups for EC2 capacity providers, every page, cached."""

from __future__ import annotations

from typing import Any

import pytest

from ecstui.aws.autoscaling_groups import DESCRIBE_GROUPS_PAGE, AutoScalingGroupReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.conftest import boto_client


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def autoscaling(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "autoscaling")


@pytest.fixture
def groups(emulator: EmulatorServer, autoscaling: Any) -> list[str]:
    """62 groups launching from a configuration, one from a template with two instances running."""
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="ecs-lc", ImageId="ami-12345678", InstanceType="t3.small"
    )
    names = []
    for i in range(62):
        name = f"ecs-asg-{i:02d}"
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=name,
            LaunchConfigurationName="ecs-lc",
            MinSize=0,
            MaxSize=10,
            DesiredCapacity=0,
            AvailabilityZones=["us-east-1a"],
        )
        names.append(name)
    ec2 = boto_client(emulator, "ec2")
    ec2.create_launch_template(
        LaunchTemplateName="ecs-lt", LaunchTemplateData={"ImageId": "ami-12345678", "InstanceType": "t3.small"}
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="capacity",
        LaunchTemplate={"LaunchTemplateName": "ecs-lt", "Version": "$Latest"},
        MinSize=1,
        MaxSize=4,
        DesiredCapacity=2,
        AvailabilityZones=["us-east-1a", "us-east-1b"],
        NewInstancesProtectedFromScaleIn=True,
    )
    return [*names, "capacity"]


async def test_every_group_is_read_over_every_page_with_its_sizes_instances_and_what_it_launches(
    target: AwsTarget, emulator: EmulatorServer, groups: list[str]
) -> None:
    emulator.log.clear()
    async with AwsSession(target) as session:
        found = await AutoScalingGroupReader(session, page_size=50).groups()

    assert [g.name for g in found] == sorted(groups)  # 63: two pages of 50
    calls = emulator.log.calls("DescribeAutoScalingGroups")
    assert len(calls) == 2 and all(call["MaxRecords"] == "50" for call in calls)
    assert "NextToken" not in calls[0] and "NextToken" in calls[1]
    by_name = {g.name: g for g in found}
    capacity = by_name["capacity"]
    assert (capacity.min_size, capacity.max_size, capacity.desired, capacity.instances) == (1, 4, 2, 2)
    assert capacity.sizes == "min 1, max 4, desired 2"
    assert capacity.launches == "template ecs-lt (v$Latest)"
    assert capacity.availability_zones == ("us-east-1a", "us-east-1b")
    assert capacity.new_instances_protected_from_scale_in
    first = by_name["ecs-asg-00"]
    assert (first.min_size, first.max_size, first.desired, first.instances) == (0, 10, 0, 0)
    assert first.launches == "configuration ecs-lc" and not first.new_instances_protected_from_scale_in
    assert first.arn is not None and ":autoScalingGroup:" in first.arn


async def test_groups_are_asked_for_in_pages_within_the_apis_limit(
    target: AwsTarget, emulator: EmulatorServer, groups: list[str]
) -> None:
    emulator.log.clear()
    async with AwsSession(target) as session:
        assert len(await AutoScalingGroupReader(session).groups()) == 63
    assert [call["MaxRecords"] for call in emulator.log.calls("DescribeAutoScalingGroups")] == [
        str(DESCRIBE_GROUPS_PAGE)
    ]
    assert not emulator.log.violations


async def test_groups_are_cached_until_they_expire_or_are_forgotten(
    target: AwsTarget, emulator: EmulatorServer, autoscaling: Any
) -> None:
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="lc", ImageId="ami-12345678", InstanceType="t3.small"
    )

    def create(name: str) -> None:
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=name,
            LaunchConfigurationName="lc",
            MinSize=0,
            MaxSize=1,
            AvailabilityZones=["us-east-1a"],
        )

    create("one")
    clock = FakeClock()
    emulator.log.clear()
    async with AwsSession(target) as session:
        reader = AutoScalingGroupReader(session, ttl=300.0, clock=clock)
        assert [g.name for g in await reader.groups()] == ["one"]
        create("two")
        clock.now += 299.0
        assert [g.name for g in await reader.groups()] == ["one"]
        assert emulator.log.counts["DescribeAutoScalingGroups"] == 1  # nothing sent
        clock.now += 2.0
        assert [g.name for g in await reader.groups()] == ["one", "two"]
        create("three")
        reader.forget()
        assert len(await reader.groups()) == 3
        assert emulator.log.counts["DescribeAutoScalingGroups"] == 3
