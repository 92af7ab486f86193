"""NetworkReader: a region's VPCs, a VPC's subnets (public or private) and security groups, every page, cached."""

from __future__ import annotations

from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.network import EC2_PAGE_SIZE, NetworkReader, inbound_summary
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import MalformedAnswer
from ecstui.emulator.server import EmulatorServer
from tests.conftest import boto_client


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _name(value: str) -> list[dict[str, Any]]:
    return [{"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": value}]}]


def _vpc_with_internet_gateway(ec2: Any, cidr: str, name: str) -> tuple[str, str]:
    vpc = ec2.create_vpc(
        CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}]
    )["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    return vpc, igw


def _main_route_table(ec2: Any, vpc: str) -> str:
    tables = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"]
    return str(tables[0]["RouteTableId"])


@pytest.fixture
def ec2(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "ec2")


@pytest.fixture
def big_vpc(ec2: Any) -> dict[str, Any]:
    """120 subnets over three zones: the first 30 explicitly in a route table with a route to the internet
    gateway, 10 explicitly in a private table, the other 80 in the main table, which has no such route."""
    vpc, igw = _vpc_with_internet_gateway(ec2, "10.0.0.0/16", "walk")
    public_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    private_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    subnets = []
    for i in range(120):
        subnet = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=f"10.0.{i}.0/24",
            AvailabilityZone="us-east-1" + "abc"[i % 3],
            TagSpecifications=_name(f"walk-{i:03d}"),
        )["Subnet"]["SubnetId"]
        subnets.append(subnet)
    for subnet in subnets[:30]:
        ec2.associate_route_table(RouteTableId=public_table, SubnetId=subnet)
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    for subnet in subnets[30:40]:
        ec2.associate_route_table(RouteTableId=private_table, SubnetId=subnet)
    return {"vpc": vpc, "subnets": subnets, "public_table": public_table, "main": _main_route_table(ec2, vpc)}


async def test_a_vpcs_120_subnets_are_read_over_every_page_each_public_or_private_by_its_route_to_an_internet_gateway(
    target: AwsTarget, emulator: EmulatorServer, big_vpc: dict[str, Any]
) -> None:
    emulator.log.clear()
    async with AwsSession(target) as session:
        subnets = await NetworkReader(session, page_size=50).subnets(big_vpc["vpc"])

    assert len(subnets) == 120 and {s.id for s in subnets} == set(big_vpc["subnets"])
    calls = emulator.log.calls("DescribeSubnets")
    # 50 + 50 + 20: the third page is only asked for because the second handed back a NextToken.
    assert len(calls) == 3
    assert all(call["MaxResults"] == "50" and call["Filter.1.Value.1"] == big_vpc["vpc"] for call in calls)
    assert "NextToken" not in calls[0] and all("NextToken" in call for call in calls[1:])
    by_id = {s.id: s for s in subnets}
    public = {s.id for s in subnets if s.public}
    assert public == set(big_vpc["subnets"][:30])
    first = by_id[big_vpc["subnets"][0]]
    assert (first.kind, first.route_table_id, first.map_public_ip_on_launch) == (
        "public",
        big_vpc["public_table"],
        True,
    )
    # No explicit association: the subnet uses the VPC's main route table, which has no internet gateway route.
    last = by_id[big_vpc["subnets"][-1]]
    assert (last.kind, last.route_table_id, last.map_public_ip_on_launch) == ("private", big_vpc["main"], False)
    assert (last.availability_zone, last.cidr, last.name, last.vpc_id) == (
        "us-east-1c",
        "10.0.119.0/24",
        "walk-119",
        big_vpc["vpc"],
    )
    assert last.available_ips == 251  # a /24 less the five addresses AWS keeps
    # Sorted by zone, then by CIDR as numbers (10.0.3.0 before 10.0.12.0).
    assert [s.cidr for s in subnets[:3]] == ["10.0.0.0/24", "10.0.3.0/24", "10.0.6.0/24"]
    assert not emulator.log.violations


async def test_a_subnet_without_an_explicit_association_is_public_when_the_main_route_table_routes_to_the_internet(
    target: AwsTarget, ec2: Any
) -> None:
    vpc, igw = _vpc_with_internet_gateway(ec2, "10.1.0.0/16", "main-public")
    ec2.create_route(RouteTableId=_main_route_table(ec2, vpc), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    follows_main = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.0.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    private_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private_table, SubnetId=private)

    async with AwsSession(target) as session:
        subnets = {s.id: s for s in await NetworkReader(session).subnets(vpc)}

    assert subnets[follows_main].public and subnets[follows_main].kind == "public"
    assert not subnets[private].public and subnets[private].route_table_id == private_table


async def test_security_groups_are_read_over_every_page_with_a_one_line_summary_of_their_inbound_rules(
    target: AwsTarget, emulator: EmulatorServer, ec2: Any
) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    lb = ec2.create_security_group(GroupName="lb", Description="load balancer", VpcId=vpc)["GroupId"]
    web = ec2.create_security_group(GroupName="web", Description="the node-app tasks", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": lb}]},
            {"IpProtocol": "udp", "FromPort": 8000, "ToPort": 8100, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        ],
    )
    for i in range(10):
        ec2.create_security_group(GroupName=f"extra-{i}", Description="more", VpcId=vpc)
    emulator.log.clear()

    async with AwsSession(target) as session:
        groups = await NetworkReader(session, page_size=5).security_groups(vpc)

    # 10 extra + lb + web + the VPC's default group, in pages of 5.
    assert len(groups) == 13 and len(emulator.log.calls("DescribeSecurityGroups")) == 3
    by_name = {g.name: g for g in groups}
    assert by_name["web"].id == web and by_name["web"].description == "the node-app tasks"
    assert by_name["web"].inbound == f"tcp 80 from 0.0.0.0/0; tcp 443 from {lb}; udp 8000-8100 from ::/0"
    assert by_name["lb"].inbound == "no inbound rules"
    assert [g.name for g in groups][:3] == ["default", "extra-0", "extra-1"]


def test_the_inbound_summary_names_all_traffic_port_ranges_icmp_and_prefix_lists() -> None:
    assert (
        inbound_summary(
            [
                {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-self"}]},
                {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
                {"IpProtocol": "6", "FromPort": 0, "ToPort": 65535, "PrefixListIds": [{"PrefixListId": "pl-1"}]},
            ]
        )
        == "all traffic from sg-self; icmp from 10.0.0.0/8; tcp all ports from pl-1"
    )


async def test_vpcs_list_the_default_one_first_with_name_tags_and_cidrs(target: AwsTarget, ec2: Any) -> None:
    named = ec2.create_vpc(
        CidrBlock="10.3.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "b"}]}]
    )["Vpc"]["VpcId"]
    async with AwsSession(target) as session:
        vpcs = await NetworkReader(session).vpcs()

    assert vpcs[0].is_default and vpcs[0].cidr == "172.31.0.0/16"
    [mine] = [v for v in vpcs if v.id == named]
    assert (mine.name, mine.cidr, mine.is_default) == ("b", "10.3.0.0/16", False)


async def test_every_read_asks_for_pages_within_ec2s_limits(
    target: AwsTarget, emulator: EmulatorServer, big_vpc: dict[str, Any]
) -> None:
    emulator.log.clear()
    async with AwsSession(target) as session:
        reader = NetworkReader(session)
        await reader.vpcs()
        await reader.subnets(big_vpc["vpc"])
        await reader.security_groups(big_vpc["vpc"])

    for operation in ("DescribeVpcs", "DescribeSubnets", "DescribeSecurityGroups"):
        assert [call["MaxResults"] for call in emulator.log.calls(operation)] == [str(EC2_PAGE_SIZE)]
    # Route tables page at most 100 (the one EC2 describe with a smaller bound).
    assert [call["MaxResults"] for call in emulator.log.calls("DescribeRouteTables")] == ["100"]
    assert not emulator.log.violations


async def test_a_second_read_within_the_ttl_sends_nothing_and_expiry_or_forget_reads_again(
    target: AwsTarget, emulator: EmulatorServer, ec2: Any
) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.4.0.0/24")
    clock = FakeClock()
    emulator.log.clear()
    async with AwsSession(target) as session:
        reader = NetworkReader(session, ttl=300.0, clock=clock)
        first = await reader.subnets(vpc)
        await reader.security_groups(vpc)
        await reader.vpcs()
        sent = emulator.log.counts.total()

        clock.now += 299.0
        assert await reader.subnets(vpc) == first
        await reader.security_groups(vpc)
        await reader.vpcs()
        assert emulator.log.counts.total() == sent  # nothing sent

        # Someone else added a subnet: shown once the cache has expired.
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.4.1.0/24")
        clock.now += 2.0
        assert len(await reader.subnets(vpc)) == 2
        assert emulator.log.counts["DescribeSubnets"] == 2

        # ecstui created one itself: forget() drops the cache at once.
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.4.2.0/24")
        assert len(await reader.subnets(vpc)) == 2
        reader.forget()
        assert len(await reader.subnets(vpc)) == 3
        assert emulator.log.counts["DescribeSubnets"] == 3


async def test_a_describe_subnets_answer_without_its_subnets_is_an_error_not_an_empty_vpc(
    target: AwsTarget, emulator: EmulatorServer, ec2: Any
) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    empty = b'<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId></DescribeSubnetsResponse>'
    emulator.faults.inject("DescribeSubnets", MalformedAnswer("body", body=empty), count=1, service="ec2")
    async with AwsSession(target) as session:
        with pytest.raises(AwsError) as caught:
            await NetworkReader(session).subnets(vpc)
    assert caught.value.kind == "malformed" and "DescribeSubnets" in caught.value.message
