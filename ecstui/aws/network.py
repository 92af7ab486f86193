"""The account's VPCs, subnets (public or private by their route to an internet gateway) and security groups."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ecstui.aws.batching import run_all
from ecstui.aws.parse import ApiDict, _bool, _int, _objs, _str
from ecstui.aws.read_errors import reads_aws
from ecstui.aws.session import AwsSession
from ecstui.aws.ttl_cache import SLOW_CHANGING_TTL, TtlCache

if TYPE_CHECKING:
    from types_aiobotocore_ec2 import EC2Client

# EC2's MaxResults for DescribeVpcs, DescribeSubnets and DescribeSecurityGroups is 5..1000; for
# DescribeRouteTables 5..100. Without MaxResults EC2 may answer everything at once, or cut the answer short
# with a NextToken: asking for pages is the only way to know every item was read.
EC2_PAGE_SIZE: Final = 1000
ROUTE_TABLES_PAGE_SIZE: Final = 100
EC2_MIN_PAGE_SIZE: Final = 5


def name_tag(tags: Any) -> str | None:
    """The value of the Name tag, as the EC2 console shows it; None without one."""
    for tag in _objs(tags):
        if _str(tag.get("Key")) == "Name":
            return _str(tag.get("Value"))
    return None


@dataclass(frozen=True, slots=True)
class Vpc:
    id: str
    cidr: str | None
    name: str | None  # its Name tag
    is_default: bool
    state: str | None

    @property
    def label(self) -> str:
        return " ".join(p for p in (self.id, self.name and f"({self.name})", self.cidr) if p)


@dataclass(frozen=True, slots=True)
class Subnet:
    id: str
    vpc_id: str
    availability_zone: str | None
    cidr: str | None
    name: str | None  # its Name tag
    available_ips: int | None
    # A route to an internet gateway in its route table (its own, or else the VPC's main one).
    public: bool
    route_table_id: str | None
    map_public_ip_on_launch: bool

    @property
    def kind(self) -> str:
        return "public" if self.public else "private"


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    id: str
    name: str
    description: str | None
    vpc_id: str | None
    inbound: str  # "tcp 80 from 0.0.0.0/0; tcp 443 from sg-…", or "no inbound rules"


# --- what the API says --------------------------------------------------------------------------------------------


def vpc_from_api(d: ApiDict) -> Vpc:
    return Vpc(
        id=_str(d.get("VpcId")) or "",
        cidr=_str(d.get("CidrBlock")),
        name=name_tag(d.get("Tags")),
        is_default=_bool(d.get("IsDefault")),
        state=_str(d.get("State")),
    )


def _routes_to_internet_gateway(table: ApiDict) -> bool:
    # A route whose gateway is gone stays in the table as "blackhole": it routes nothing.
    return any(
        (_str(route.get("GatewayId")) or "").startswith("igw-") and _str(route.get("State")) != "blackhole"
        for route in _objs(table.get("Routes"))
    )


@dataclass(frozen=True, slots=True)
class RouteTables:
    """A VPC's route tables as subnets use them: each subnet's explicit table, else the main one."""

    by_subnet: Mapping[str, str]
    main: str | None
    public: frozenset[str]  # ids of the tables with a route to an internet gateway

    def table_of(self, subnet_id: str) -> str | None:
        return self.by_subnet.get(subnet_id, self.main)

    def is_public(self, subnet_id: str) -> bool:
        return self.table_of(subnet_id) in self.public


def route_tables_from_api(tables: Sequence[ApiDict]) -> RouteTables:
    by_subnet: dict[str, str] = {}
    main: str | None = None
    public: set[str] = set()
    for table in tables:
        table_id = _str(table.get("RouteTableId"))
        if not table_id:
            continue
        if _routes_to_internet_gateway(table):
            public.add(table_id)
        for association in _objs(table.get("Associations")):
            state = _str(dict(association.get("AssociationState") or {}).get("State"))
            if state not in (None, "associated"):
                continue
            if _bool(association.get("Main")):
                main = table_id
            elif subnet := _str(association.get("SubnetId")):
                by_subnet[subnet] = table_id
    return RouteTables(by_subnet, main, frozenset(public))


def subnet_from_api(d: ApiDict, tables: RouteTables) -> Subnet:
    subnet_id = _str(d.get("SubnetId")) or ""
    return Subnet(
        id=subnet_id,
        vpc_id=_str(d.get("VpcId")) or "",
        availability_zone=_str(d.get("AvailabilityZone")),
        cidr=_str(d.get("CidrBlock")),
        name=name_tag(d.get("Tags")),
        available_ips=_int(d.get("AvailableIpAddressCount")),
        public=tables.is_public(subnet_id),
        route_table_id=tables.table_of(subnet_id),
        map_public_ip_on_launch=_bool(d.get("MapPublicIpOnLaunch")),
    )


def _ports(permission: ApiDict) -> str:
    protocol = _str(permission.get("IpProtocol")) or "-1"
    if protocol == "-1":
        return "all traffic"
    name = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(protocol, protocol)
    low, high = _int(permission.get("FromPort")), _int(permission.get("ToPort"))
    if name in ("icmp", "icmpv6"):
        # For ICMP the "ports" are the type and code; -1 means every one.
        return name if low in (None, -1) else f"{name} type {low}"
    if low is None or (low in (0, -1) and high in (65535, -1)):
        return f"{name} all ports"
    return f"{name} {low}" if high in (None, low) else f"{name} {low}-{high}"


def _sources(permission: ApiDict) -> list[str]:
    sources = [_str(r.get("CidrIp")) for r in _objs(permission.get("IpRanges"))]
    sources += [_str(r.get("CidrIpv6")) for r in _objs(permission.get("Ipv6Ranges"))]
    sources += [_str(p.get("GroupId")) or _str(p.get("GroupName")) for p in _objs(permission.get("UserIdGroupPairs"))]
    sources += [_str(p.get("PrefixListId")) for p in _objs(permission.get("PrefixListIds"))]
    return [s for s in sources if s]


def inbound_summary(permissions: Any) -> str:
    """One line of a security group's inbound rules: 'tcp 80 from 0.0.0.0/0; tcp 443 from sg-0a1b'."""
    parts = []
    for permission in _objs(permissions):
        sources = _sources(permission)
        parts.append(f"{_ports(permission)} from {', '.join(sources)}" if sources else _ports(permission))
    return "; ".join(parts) if parts else "no inbound rules"


def security_group_from_api(d: ApiDict) -> SecurityGroup:
    return SecurityGroup(
        id=_str(d.get("GroupId")) or "",
        name=_str(d.get("GroupName")) or "",
        description=_str(d.get("Description")),
        vpc_id=_str(d.get("VpcId")),
        inbound=inbound_summary(d.get("IpPermissions")),
    )


# --- the reader ---------------------------------------------------------------------------------------------------


class NetworkReader:
    """Reads a region's VPCs, subnets and security groups for the pickers, every page, cached for minutes.

    Cost of `subnets(vpc)`, cold: ceil(n/page) DescribeSubnets + ceil(t/100) DescribeRouteTables, sent at once;
    within `ttl` seconds nothing. Call `forget()` after ecstui creates a VPC, subnet or security group.
    """

    def __init__(
        self,
        session: AwsSession,
        *,
        page_size: int = EC2_PAGE_SIZE,
        ttl: float = SLOW_CHANGING_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not EC2_MIN_PAGE_SIZE <= page_size <= EC2_PAGE_SIZE:
            raise ValueError(f"page_size must be within {EC2_MIN_PAGE_SIZE}..{EC2_PAGE_SIZE}")
        self.session = session
        self.page_size = page_size
        self._cache = TtlCache(ttl, clock)

    def forget(self) -> None:
        """Drop every cached answer (after ecstui itself created something in the account's network)."""
        self._cache.clear()

    async def _ec2(self) -> EC2Client:
        return await self.session.ec2()

    async def _all_pages(
        self, operation: Callable[..., Awaitable[Any]], result_key: str, page_size: int, **request: Any
    ) -> list[ApiDict]:
        items: list[ApiDict] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            page_request = dict(request, MaxResults=page_size)
            if token:
                page_request["NextToken"] = token
            response = await functools.partial(operation, **page_request)()
            items.extend(_objs(response.get(result_key)))
            token = _str(response.get("NextToken")) or None
            # A token handed back twice would loop forever; an endpoint that does that has nothing more to give.
            if token is None or token in seen:
                return items
            seen.add(token)

    def _in_vpc(self, vpc_id: str) -> list[dict[str, Any]]:
        return [{"Name": "vpc-id", "Values": [vpc_id]}]

    @reads_aws
    async def vpcs(self) -> list[Vpc]:
        """Every VPC of the region, the default one first, then by Name tag and id."""

        async def load() -> list[Vpc]:
            ec2 = await self._ec2()
            found = [vpc_from_api(d) for d in await self._all_pages(ec2.describe_vpcs, "Vpcs", self.page_size)]
            return sorted(found, key=lambda v: (not v.is_default, v.name is None, v.name or "", v.id))

        return list(await self._cache.get_or_load(("vpcs",), load))

    @reads_aws
    async def route_tables(self, vpc_id: str) -> RouteTables:
        """Which route table each subnet of the VPC uses, and which tables route to an internet gateway."""

        async def load() -> RouteTables:
            ec2 = await self._ec2()
            page = min(self.page_size, ROUTE_TABLES_PAGE_SIZE)
            tables = await self._all_pages(ec2.describe_route_tables, "RouteTables", page, Filters=self._in_vpc(vpc_id))
            return route_tables_from_api(tables)

        return await self._cache.get_or_load(("route-tables", vpc_id), load)

    @reads_aws
    async def subnets(self, vpc_id: str) -> list[Subnet]:
        """Every subnet of the VPC, by availability zone then CIDR, each public or private."""

        async def load() -> list[Subnet]:
            ec2 = await self._ec2()
            raw, tables = await run_all(
                [
                    self._all_pages(ec2.describe_subnets, "Subnets", self.page_size, Filters=self._in_vpc(vpc_id)),
                    self.route_tables(vpc_id),
                ]
            )
            assert isinstance(tables, RouteTables) and isinstance(raw, list)
            found = [subnet_from_api(d, tables) for d in raw]
            return sorted(found, key=lambda s: (s.availability_zone or "", _cidr_key(s.cidr), s.id))

        return list(await self._cache.get_or_load(("subnets", vpc_id), load))

    @reads_aws
    async def security_groups(self, vpc_id: str) -> list[SecurityGroup]:
        """Every security group of the VPC, by name."""

        async def load() -> list[SecurityGroup]:
            ec2 = await self._ec2()
            raw = await self._all_pages(
                ec2.describe_security_groups, "SecurityGroups", self.page_size, Filters=self._in_vpc(vpc_id)
            )
            return sorted((security_group_from_api(d) for d in raw), key=lambda g: (g.name.lower(), g.id))

        return list(await self._cache.get_or_load(("security-groups", vpc_id), load))


def _cidr_key(cidr: str | None) -> tuple[int, ...]:
    """'10.0.12.0/24' sorts after '10.0.2.0/24' (by number, not by text)."""
    address = (cidr or "").split("/", 1)[0]
    try:
        return tuple(int(part) for part in address.split("."))
    except ValueError:
        return ()


__all__ = [
    "EC2_PAGE_SIZE",
    "NetworkReader",
    "RouteTables",
    "SecurityGroup",
    "Subnet",
    "Vpc",
    "inbound_summary",
    "name_tag",
]
