"""A VPC's load balancers, their listeners and its target groups, as the service form offers them (cached)."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ecstui.aws.load_balancing import ELB_PAGE_SIZE, health_check_summary, target_group_name
from ecstui.aws.parse import ApiDict, _int, _objs, _str, _strs
from ecstui.aws.read_errors import reads_aws
from ecstui.aws.session import AwsSession
from ecstui.aws.ttl_cache import SLOW_CHANGING_TTL, TtlCache

if TYPE_CHECKING:
    from types_aiobotocore_elbv2 import ElasticLoadBalancingv2Client

# The protocols a target group may have behind each kind of load balancer.
ALB_PROTOCOLS: Final = frozenset({"HTTP", "HTTPS"})
NLB_PROTOCOLS: Final = frozenset({"TCP", "UDP", "TCP_UDP", "TLS"})


@dataclass(frozen=True, slots=True)
class LoadBalancerChoice:
    arn: str
    name: str
    type: str  # application | network | gateway
    scheme: str  # internet-facing | internal
    dns_name: str | None
    vpc_id: str | None
    state: str | None

    @property
    def is_alb(self) -> bool:
        return self.type == "application"

    @property
    def resource_id(self) -> str:
        """'app/<name>/<id>' (or 'net/…'): the load balancer's part of ALBRequestCountPerTarget's resource label."""
        return self.arn.split(":loadbalancer/", 1)[-1]


@dataclass(frozen=True, slots=True)
class ListenerChoice:
    arn: str
    load_balancer_arn: str
    protocol: str | None
    port: int | None
    default_target_groups: tuple[str, ...]  # what its default action forwards to
    default_action: str  # "forward to web-tg", "fixed-response 404", "none"

    @property
    def label(self) -> str:
        return f"{self.protocol or '?'}:{self.port if self.port is not None else '?'}"


@dataclass(frozen=True, slots=True)
class TargetGroupChoice:
    arn: str
    name: str
    protocol: str | None
    port: int | None
    target_type: str | None  # ip | instance | lambda | alb
    vpc_id: str | None
    health_check: str
    load_balancer_arns: tuple[str, ...]

    @property
    def resource_id(self) -> str:
        """'targetgroup/<name>/<id>': the group's part of ALBRequestCountPerTarget's resource label."""
        return self.arn.split(":", 5)[-1] if self.arn.count(":") >= 5 else self.arn


def _default_action(actions: Any) -> str:
    listed = _objs(actions)
    if not listed:
        return "none"
    first = listed[0]
    kind = _str(first.get("Type")) or "?"
    if kind == "forward":
        groups = [target_group_name(arn) for arn in _forwarded(actions)]
        return f"forward to {', '.join(groups)}" if groups else "forward"
    if kind == "fixed-response":
        config = dict(first.get("FixedResponseConfig") or {})
        return f"fixed-response {_str(config.get('StatusCode')) or ''}".strip()
    return kind


def _forwarded(actions: Any) -> tuple[str, ...]:
    found: list[str] = []
    for action in _objs(actions):
        if _str(action.get("Type")) != "forward":
            continue
        weighted = _objs(dict(action.get("ForwardConfig") or {}).get("TargetGroups"))
        found.extend(arn for item in weighted if (arn := _str(item.get("TargetGroupArn"))))
        if arn := _str(action.get("TargetGroupArn")):
            found.append(arn)
    return tuple(dict.fromkeys(found))


def load_balancer_from_api(d: ApiDict) -> LoadBalancerChoice:
    return LoadBalancerChoice(
        arn=_str(d.get("LoadBalancerArn")) or "",
        name=_str(d.get("LoadBalancerName")) or "",
        type=_str(d.get("Type")) or "application",
        scheme=_str(d.get("Scheme")) or "",
        dns_name=_str(d.get("DNSName")),
        vpc_id=_str(d.get("VpcId")),
        state=_str(dict(d.get("State") or {}).get("Code")),
    )


def listener_from_api(d: ApiDict) -> ListenerChoice:
    return ListenerChoice(
        arn=_str(d.get("ListenerArn")) or "",
        load_balancer_arn=_str(d.get("LoadBalancerArn")) or "",
        protocol=_str(d.get("Protocol")),
        port=_int(d.get("Port")),
        default_target_groups=_forwarded(d.get("DefaultActions")),
        default_action=_default_action(d.get("DefaultActions")),
    )


def target_group_from_api(d: ApiDict) -> TargetGroupChoice:
    arn = _str(d.get("TargetGroupArn")) or ""
    return TargetGroupChoice(
        arn=arn,
        name=_str(d.get("TargetGroupName")) or target_group_name(arn),
        protocol=_str(d.get("Protocol")),
        port=_int(d.get("Port")),
        target_type=_str(d.get("TargetType")),
        vpc_id=_str(d.get("VpcId")),
        health_check=health_check_summary(d),
        load_balancer_arns=_strs(d.get("LoadBalancerArns")),
    )


def forwarded_target_groups(actions: Any) -> tuple[str, ...]:
    """The target groups a listener's or rule's actions forward to (plain or weighted)."""
    return _forwarded(actions)


class LoadBalancerChoices:
    """Reads the region's load balancers, listeners and target groups for the service form, every page (Marker,
    PageSize 400), cached for minutes. Cost cold: ceil(n/400) DescribeLoadBalancers, ceil(g/400)
    DescribeTargetGroups, one DescribeListeners a load balancer asked about; within `ttl`, nothing."""

    def __init__(
        self, session: AwsSession, *, ttl: float = SLOW_CHANGING_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.session = session
        self._cache = TtlCache(ttl, clock)

    def forget(self) -> None:
        """Drop every cached answer (after ecstui created or deleted a load balancer, listener or target group)."""
        self._cache.clear()

    async def _elbv2(self) -> ElasticLoadBalancingv2Client:
        return await self.session.elbv2()

    async def _paged(self, operation: Callable[..., Awaitable[Any]], result_key: str, **request: Any) -> list[ApiDict]:
        items: list[ApiDict] = []
        marker: str | None = None
        seen: set[str] = set()
        while True:
            page_request = dict(request, PageSize=ELB_PAGE_SIZE)
            if marker:
                page_request["Marker"] = marker
            response = await functools.partial(operation, **page_request)()
            items.extend(_objs(response.get(result_key)))
            marker = _str(response.get("NextMarker")) or None
            # A marker handed back twice would loop forever.
            if marker is None or marker in seen:
                return items
            seen.add(marker)

    async def _all_load_balancers(self) -> list[LoadBalancerChoice]:
        async def load() -> list[LoadBalancerChoice]:
            elbv2 = await self._elbv2()
            raw = await self._paged(elbv2.describe_load_balancers, "LoadBalancers")
            return [load_balancer_from_api(d) for d in raw]

        found: list[LoadBalancerChoice] = await self._cache.get_or_load(("load-balancers",), load)
        return found

    async def _all_target_groups(self) -> list[TargetGroupChoice]:
        async def load() -> list[TargetGroupChoice]:
            elbv2 = await self._elbv2()
            raw = await self._paged(elbv2.describe_target_groups, "TargetGroups")
            return [target_group_from_api(d) for d in raw]

        found: list[TargetGroupChoice] = await self._cache.get_or_load(("target-groups",), load)
        return found

    @reads_aws
    async def load_balancers(self, vpc_id: str) -> list[LoadBalancerChoice]:
        """The VPC's application and network load balancers, by name (gateway load balancers serve no tasks)."""
        found = [lb for lb in await self._all_load_balancers() if lb.vpc_id == vpc_id and lb.type != "gateway"]
        return sorted(found, key=lambda lb: (lb.name.lower(), lb.arn))

    @reads_aws
    async def load_balancer(self, arn: str) -> LoadBalancerChoice | None:
        return next((lb for lb in await self._all_load_balancers() if lb.arn == arn), None)

    @reads_aws
    async def listeners(self, load_balancer_arn: str) -> list[ListenerChoice]:
        """The load balancer's listeners, by port."""

        async def load() -> list[ListenerChoice]:
            elbv2 = await self._elbv2()
            raw = await self._paged(elbv2.describe_listeners, "Listeners", LoadBalancerArn=load_balancer_arn)
            return [listener_from_api(d) for d in raw]

        found: list[ListenerChoice] = await self._cache.get_or_load(("listeners", load_balancer_arn), load)
        return sorted(found, key=lambda listener: (listener.port or 0, listener.arn))

    @reads_aws
    async def target_groups(
        self, vpc_id: str, *, target_type: str | None = None, protocols: Sequence[str] | None = None
    ) -> list[TargetGroupChoice]:
        """The VPC's target groups (of one target type, and of the protocols given), by name."""
        found = [
            tg
            for tg in await self._all_target_groups()
            if tg.vpc_id == vpc_id
            and (target_type is None or tg.target_type == target_type)
            and (protocols is None or (tg.protocol or "") in protocols)
        ]
        return sorted(found, key=lambda tg: (tg.name.lower(), tg.arn))

    @reads_aws
    async def target_group(self, arn: str) -> TargetGroupChoice | None:
        return next((tg for tg in await self._all_target_groups() if tg.arn == arn), None)


__all__ = [
    "ALB_PROTOCOLS",
    "NLB_PROTOCOLS",
    "ListenerChoice",
    "LoadBalancerChoice",
    "LoadBalancerChoices",
    "TargetGroupChoice",
    "forwarded_target_groups",
    "listener_from_api",
    "load_balancer_from_api",
    "target_group_from_api",
]
