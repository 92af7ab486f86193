"""ELBv2 behind the limits layer: Describe* paged by Marker (PageSize 1..400), at most 20 ARNs or names where ELB
allows 20; and the service form's reader reads every page."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ecstui.aws.load_balancer_choices import LoadBalancerChoices
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.conftest import REGION, boto_client


@pytest.fixture
def elbv2(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "elbv2")


def _vpc(emulator: EmulatorServer) -> tuple[str, list[str]]:
    ec2 = boto_client(emulator, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.7.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    return vpc, subnets


def _groups(elbv2: Any, vpc: str, count: int, prefix: str = "tg") -> list[str]:
    return [
        elbv2.create_target_group(Name=f"{prefix}-{i:03d}", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        for i in range(count)
    ]


def test_describe_target_groups_is_paged_by_marker_at_most_400_a_page(emulator: EmulatorServer, elbv2: Any) -> None:
    vpc, _ = _vpc(emulator)
    created = _groups(elbv2, vpc, 450)
    first = elbv2.describe_target_groups()
    assert len(first["TargetGroups"]) == 400 and first["NextMarker"]
    second = elbv2.describe_target_groups(Marker=first["NextMarker"])
    assert len(second["TargetGroups"]) == 50 and "NextMarker" not in second
    assert [g["TargetGroupArn"] for g in first["TargetGroups"] + second["TargetGroups"]] == created
    small = elbv2.describe_target_groups(PageSize=7)
    assert len(small["TargetGroups"]) == 7


def test_describe_load_balancers_and_listeners_are_paged_too(emulator: EmulatorServer, elbv2: Any) -> None:
    vpc, subnets = _vpc(emulator)
    arns = [
        elbv2.create_load_balancer(Name=f"lb-{i:02d}", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        for i in range(60)
    ]
    # moto pages these at 50 by itself; ELB's own default is the whole 400.
    assert len(elbv2.describe_load_balancers()["LoadBalancers"]) == 60
    page = elbv2.describe_load_balancers(PageSize=25)
    assert len(page["LoadBalancers"]) == 25
    rest = elbv2.describe_load_balancers(PageSize=25, Marker=page["NextMarker"])
    assert next(lb["LoadBalancerName"] for lb in rest["LoadBalancers"]) == "lb-25"
    group = _groups(elbv2, vpc, 1)[0]
    for port in range(8000, 8012):
        elbv2.create_listener(
            LoadBalancerArn=arns[0],
            Protocol="HTTP",
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
        )
    page = elbv2.describe_listeners(LoadBalancerArn=arns[0], PageSize=5)
    assert len(page["Listeners"]) == 5 and page["NextMarker"]


@pytest.mark.parametrize("size", [0, 401])
def test_a_page_size_elb_refuses_is_refused(emulator: EmulatorServer, size: int) -> None:
    unchecked = boto3.client(
        "elbv2", endpoint_url=emulator.endpoint_url, region_name=REGION, config=Config(parameter_validation=False)
    )
    with pytest.raises(ClientError) as caught:
        unchecked.describe_target_groups(PageSize=size)
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert emulator.log.violations


def test_more_than_20_arns_a_call_are_refused_where_elb_allows_20(emulator: EmulatorServer, elbv2: Any) -> None:
    vpc, _ = _vpc(emulator)
    groups = _groups(elbv2, vpc, 21)
    with pytest.raises(ClientError) as caught:
        elbv2.describe_tags(ResourceArns=groups)
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert len(elbv2.describe_tags(ResourceArns=groups[:20])["TagDescriptions"]) == 20
    with pytest.raises(ClientError):
        elbv2.describe_load_balancers(Names=[f"x{i}" for i in range(21)])


async def test_the_forms_reader_lists_every_target_group_of_the_vpc_over_two_pages(
    emulator: EmulatorServer, target: AwsTarget, elbv2: Any
) -> None:
    vpc, _ = _vpc(emulator)
    other, _ = _vpc(emulator)
    _groups(elbv2, vpc, 410)
    _groups(elbv2, other, 5, prefix="elsewhere")
    emulator.log.clear()
    async with AwsSession(target) as session:
        groups = await LoadBalancerChoices(session).target_groups(vpc, target_type="ip")
    assert len(groups) == 410 and {g.vpc_id for g in groups} == {vpc}
    assert emulator.log.counts["DescribeTargetGroups"] == 2
    assert not emulator.log.violations
