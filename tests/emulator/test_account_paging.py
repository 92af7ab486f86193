"""The emulator pages EC2's describes and bounds IAM's and Auto Scaling's page sizes, as AWS does (moto does not)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ecstui.emulator.server import EmulatorServer
from tests.conftest import REGION, boto_client


@pytest.fixture
def ec2(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "ec2")


def _unchecked(emulator: EmulatorServer, service: str) -> Any:
    """A client that sends what botocore would refuse to send, to see what the endpoint answers."""
    import boto3

    return boto3.client(
        service, endpoint_url=emulator.endpoint_url, region_name=REGION, config=Config(parameter_validation=False)
    )


def _subnets(ec2: Any, count: int) -> tuple[str, list[dict[str, Any]]]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for i in range(count):
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")
    return vpc, [{"Name": "vpc-id", "Values": [vpc]}]


def test_describe_subnets_with_max_results_pages_with_a_next_token_and_without_it_answers_everything(ec2: Any) -> None:
    _, in_vpc = _subnets(ec2, 12)
    pages = list(ec2.get_paginator("describe_subnets").paginate(Filters=in_vpc, PaginationConfig={"PageSize": 5}))
    assert [len(page["Subnets"]) for page in pages] == [5, 5, 2]
    assert len({s["SubnetId"] for page in pages for s in page["Subnets"]}) == 12
    assert "NextToken" not in pages[-1]
    assert len(ec2.describe_subnets(Filters=in_vpc)["Subnets"]) == 12


def test_a_subnet_created_between_pages_neither_shifts_nor_joins_the_pages(ec2: Any) -> None:
    vpc, in_vpc = _subnets(ec2, 7)
    first = ec2.describe_subnets(Filters=in_vpc, MaxResults=5)
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.200.0/24")
    second = ec2.describe_subnets(Filters=in_vpc, MaxResults=5, NextToken=first["NextToken"])
    ids = [s["SubnetId"] for s in first["Subnets"] + second["Subnets"]]
    assert len(ids) == len(set(ids)) == 7


def test_a_next_token_replayed_with_other_filters_is_refused(ec2: Any) -> None:
    _, in_vpc = _subnets(ec2, 7)
    token = ec2.describe_subnets(Filters=in_vpc, MaxResults=5)["NextToken"]
    with pytest.raises(ClientError) as caught:
        ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": ["vpc-other"]}], MaxResults=5, NextToken=token)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize(
    ("operation", "most"),
    [
        ("describe_subnets", 1000),
        ("describe_vpcs", 1000),
        ("describe_security_groups", 1000),
        ("describe_route_tables", 100),
    ],
)
def test_ec2_refuses_a_page_size_outside_its_bounds(
    emulator: EmulatorServer, ec2: Any, operation: str, most: int
) -> None:
    unchecked = _unchecked(emulator, "ec2")
    for size in (4, most + 1):
        with pytest.raises(ClientError) as caught:
            getattr(unchecked, operation)(MaxResults=size)
        assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"
    getattr(ec2, operation)(MaxResults=most)
    assert len(emulator.log.violations) == 2


def test_security_groups_vpcs_and_route_tables_are_paged_too(ec2: Any) -> None:
    vpc, in_vpc = _subnets(ec2, 0)
    for i in range(6):
        ec2.create_security_group(GroupName=f"g{i}", Description="d", VpcId=vpc)
        ec2.create_route_table(VpcId=vpc)
    for operation, key, total in (
        ("describe_security_groups", "SecurityGroups", 7),
        ("describe_route_tables", "RouteTables", 7),
    ):
        pages = list(ec2.get_paginator(operation).paginate(Filters=in_vpc, PaginationConfig={"PageSize": 5}))
        assert [len(p[key]) for p in pages] == [5, total - 5]
    for i in range(5):
        ec2.create_vpc(CidrBlock=f"10.{i + 1}.0.0/16")
    pages = list(ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Vpcs"]) for p in pages] == [5, 2]  # with the default VPC


def test_list_roles_and_describe_auto_scaling_groups_refuse_page_sizes_aws_refuses(emulator: EmulatorServer) -> None:
    with pytest.raises(ClientError) as caught:
        _unchecked(emulator, "iam").list_roles(MaxItems=1001)
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as caught:
        # moto failed this with an HTTP 500.
        _unchecked(emulator, "autoscaling").describe_auto_scaling_groups(MaxRecords=101)
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert boto_client(emulator, "iam").list_roles(MaxItems=1000)["Roles"] == []
    assert boto_client(emulator, "autoscaling").describe_auto_scaling_groups(MaxRecords=100)["AutoScalingGroups"] == []
