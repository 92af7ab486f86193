"""Target groups, their load balancers, listeners and rules, and each target's health joined to its ECS task."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

from botocore.exceptions import ClientError

from ecstui.aws.batching import batches, run_all, unique
from ecstui.aws.errors import AwsError
from ecstui.aws.models import Service, Task, short_name
from ecstui.aws.parse import ApiDict, _int, _objs, _str, _strs
from ecstui.aws.read_errors import reads_aws as _reads_aws
from ecstui.aws.session import AwsSession

if TYPE_CHECKING:
    from types_aiobotocore_elbv2 import ElasticLoadBalancingv2Client

P = ParamSpec("P")
R = TypeVar("R")

# ELBv2's limits (API reference): names or ARNs per Describe call, and the largest PageSize.
DESCRIBE_TARGET_GROUPS_BATCH: Final = 20
DESCRIBE_LOAD_BALANCERS_BATCH: Final = 20
ELB_PAGE_SIZE: Final = 400
DESCRIBE_CONTAINER_INSTANCES_BATCH: Final = 100
# Load balancers, listeners, rules and target group settings change rarely; target health changes every few
# seconds and is never cached.
SLOW_CHANGING_TTL: Final = 60.0
UNHEALTHY_STATES: Final = frozenset({"unhealthy", "unavailable"})
# Load balancer types whose listeners have rules; network and gateway listeners only have default actions.
RULE_TYPES: Final = frozenset({"application"})


@dataclass(frozen=True)
class TargetHealth:
    """One registered target, its health as the load balancer sees it, and the ECS task behind it."""

    target_id: str  # an IP (target type "ip") or an EC2 instance id (target type "instance")
    port: int | None
    state: str  # initial | healthy | unhealthy | unused | draining | unavailable
    reason: str | None  # e.g. Target.FailedHealthChecks
    description: str | None  # e.g. "Health checks failed with these codes: [502]"
    availability_zone: str | None
    task_arn: str | None  # the task whose private IP (awsvpc) or instance and host port (bridge/host) this is
    health_check_port: str | None = None

    @property
    def unhealthy(self) -> bool:
        return self.state in UNHEALTHY_STATES

    @property
    def address(self) -> str:
        return f"{self.target_id}:{self.port}" if self.port is not None else self.target_id


@dataclass(frozen=True)
class ListenerRule:
    """A listener rule that forwards to a target group; the default action has priority "default"."""

    listener_arn: str
    listener_port: int | None
    protocol: str | None
    priority: str
    conditions: tuple[str, ...]  # e.g. "path /api/*", "host api.example.com"; () for the default action
    load_balancer_arn: str | None = None
    rule_arn: str | None = None
    weight: int | None = None  # the target group's weight when the rule forwards to several groups

    @property
    def label(self) -> str:
        listener = f"{self.protocol or ''}:{self.listener_port}" if self.listener_port else (self.protocol or "")
        where = " and ".join(self.conditions) if self.conditions else "default"
        return f"{listener} {where}".strip()


@dataclass(frozen=True)
class TargetGroupView:
    """A target group with the load balancers and rules that send it traffic, and its targets' health."""

    arn: str
    name: str
    protocol: str | None
    port: int | None
    target_type: str | None  # ip | instance | lambda | alb
    health_check: str  # "HTTP /health every 30s, 3/3"
    load_balancer_arns: tuple[str, ...]
    load_balancer_names: tuple[str, ...]
    load_balancer_dns: tuple[str, ...]  # the stable addresses in front of the tasks' changing IPs
    load_balancer_type: str | None  # application | network | gateway
    rules: tuple[ListenerRule, ...]
    targets: tuple[TargetHealth, ...]
    health_checked: bool = True  # False when DescribeTargetHealth failed: `targets` is then empty, not all gone
    # (load balancer ARN, its DNS name): which stable address each rule's listener answers on.
    dns_by_load_balancer: tuple[tuple[str, str], ...] = ()

    @property
    def unhealthy_count(self) -> int:
        return sum(1 for target in self.targets if target.unhealthy)

    @property
    def healthy_count(self) -> int:
        return sum(1 for target in self.targets if target.state == "healthy")

    @property
    def unhealthy_targets(self) -> tuple[TargetHealth, ...]:
        return tuple(target for target in self.targets if target.unhealthy)


# --- what the API says, before joining ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _TargetGroup:
    arn: str
    name: str
    protocol: str | None
    port: int | None
    target_type: str | None
    health_check: str
    load_balancer_arns: tuple[str, ...]


@dataclass(frozen=True)
class _LoadBalancer:
    arn: str
    name: str
    dns: str | None
    type: str | None


@dataclass(frozen=True)
class _Forward:
    """One rule (or a listener's default action) and the target groups it forwards to, with their weights."""

    rule: ListenerRule
    target_groups: tuple[tuple[str, int | None], ...]


def health_check_summary(d: ApiDict) -> str:
    """'HTTP /healthz every 15s, 2/3' (healthy/unhealthy thresholds); ':8081' when checked on another port."""
    protocol = _str(d.get("HealthCheckProtocol")) or ""
    port = _str(d.get("HealthCheckPort"))
    path = _str(d.get("HealthCheckPath")) or ""
    where = (f":{port}" if port and port != "traffic-port" else "") + path
    interval = _int(d.get("HealthCheckIntervalSeconds"))
    healthy = _int(d.get("HealthyThresholdCount"))
    unhealthy = _int(d.get("UnhealthyThresholdCount"))
    parts = [protocol, where] if where else [protocol]
    text = " ".join(p for p in parts if p)
    if interval is not None:
        text += f" every {interval}s"
    if healthy is not None and unhealthy is not None:
        text += f", {healthy}/{unhealthy}"
    return text.strip()


def _target_group_from_api(d: ApiDict) -> _TargetGroup:
    arn = _str(d.get("TargetGroupArn")) or ""
    return _TargetGroup(
        arn=arn,
        name=_str(d.get("TargetGroupName")) or target_group_name(arn),
        protocol=_str(d.get("Protocol")),
        port=_int(d.get("Port")),
        target_type=_str(d.get("TargetType")),
        health_check=health_check_summary(d),
        load_balancer_arns=_strs(d.get("LoadBalancerArns")),
    )


def target_group_name(arn: str) -> str:
    """'arn:...:targetgroup/prod-api/6d0ecf831eec9f09' -> 'prod-api'."""
    parts = arn.split(":")[-1].split("/")
    return parts[1] if len(parts) >= 3 else short_name(arn)


def _condition(d: ApiDict) -> str | None:
    field = _str(d.get("Field")) or ""
    labels = {
        "path-pattern": ("path", "PathPatternConfig"),
        "host-header": ("host", "HostHeaderConfig"),
        "http-request-method": ("method", "HttpRequestMethodConfig"),
        "source-ip": ("source-ip", "SourceIpConfig"),
    }
    if field in labels:
        label, config = labels[field]
        values = _strs(d.get("Values")) or _strs(dict(d.get(config) or {}).get("Values"))
        return f"{label} {','.join(values)}" if values else label
    if field == "http-header":
        header = dict(d.get("HttpHeaderConfig") or {})
        return f"header {_str(header.get('HttpHeaderName')) or ''}={','.join(_strs(header.get('Values')))}"
    if field == "query-string":
        pairs = _objs(dict(d.get("QueryStringConfig") or {}).get("Values"))
        text = "&".join(f"{_str(p.get('Key')) or ''}={_str(p.get('Value')) or ''}" for p in pairs)
        return f"query {text}"
    return field or None


def _forwarded_groups(actions: Any) -> tuple[tuple[str, int | None], ...]:
    """The target groups a rule's actions forward to: a plain forward, or a weighted ForwardConfig."""
    found: list[tuple[str, int | None]] = []
    for action in _objs(actions):
        if _str(action.get("Type")) != "forward":
            continue
        config = action.get("ForwardConfig")
        weighted = _objs(config.get("TargetGroups")) if isinstance(config, Mapping) else []
        if weighted:
            found.extend(
                (arn, _int(item.get("Weight"))) for item in weighted if (arn := _str(item.get("TargetGroupArn")))
            )
        elif arn := _str(action.get("TargetGroupArn")):
            found.append((arn, None))
    return tuple(dict.fromkeys(found))


# --- joining targets to tasks -------------------------------------------------------------------------------------


def _task_rank(task: Task) -> int:
    # A stopped task keeps its IP in DescribeTasks while a new task may already have it: the live one wins.
    return 1 if task.desired_status == "RUNNING" else 0


def task_index(
    tasks: Iterable[Task], instance_ids: Mapping[str, str] | None = None
) -> tuple[dict[str, str], dict[tuple[str, int], str]]:
    """(private IP -> task ARN, (EC2 instance id, host port) -> task ARN), live tasks over stopped ones."""
    by_ip: dict[str, tuple[int, str]] = {}
    by_host_port: dict[tuple[str, int], tuple[int, str]] = {}
    instance_ids = instance_ids or {}
    for task in tasks:
        rank = _task_rank(task)
        if task.private_ip and by_ip.get(task.private_ip, (-1, ""))[0] < rank:
            by_ip[task.private_ip] = (rank, task.arn)
        instance = instance_ids.get(task.container_instance_arn or "")
        if not instance:
            continue
        for container in task.containers:
            for binding in container.port_bindings:
                if binding.host_port is None:
                    continue
                key = (instance, binding.host_port)
                if by_host_port.get(key, (-1, ""))[0] < rank:
                    by_host_port[key] = (rank, task.arn)
    return {k: v[1] for k, v in by_ip.items()}, {k: v[1] for k, v in by_host_port.items()}


def join_tasks(
    groups: Sequence[TargetGroupView], tasks: Iterable[Task], instance_ids: Mapping[str, str] | None = None
) -> list[TargetGroupView]:
    """The groups with each target's task_arn filled in from `tasks` (targets no task owns keep None).

    An "ip" target is an awsvpc task's private IP; an "instance" target is the EC2 instance of the task's container
    instance (`instance_ids`: container instance ARN -> EC2 instance id) and the host port ECS bound.
    """
    by_ip, by_host_port = task_index(tasks, instance_ids)
    joined = []
    for group in groups:
        targets = []
        for target in group.targets:
            arn: str | None = None
            if target.port is not None:
                arn = by_host_port.get((target.target_id, target.port))
            if arn is None:
                arn = by_ip.get(target.target_id)
            targets.append(replace(target, task_arn=arn or target.task_arn))
        joined.append(replace(group, targets=tuple(targets)))
    return joined


def target_health_by_task(groups: Sequence[TargetGroupView]) -> dict[str, list[tuple[TargetGroupView, TargetHealth]]]:
    """task ARN -> every (target group, target) that task is registered as."""
    found: dict[str, list[tuple[TargetGroupView, TargetHealth]]] = {}
    for group in groups:
        for target in group.targets:
            if target.task_arn:
                found.setdefault(target.task_arn, []).append((group, target))
    return found


def _unhealthy_first(group: TargetGroupView) -> tuple[int, int, str]:
    return (0 if group.unhealthy_count else 1, -group.unhealthy_count, group.name)


# --- the reader ---------------------------------------------------------------------------------------------------


def _code(exc: BaseException) -> str | None:
    if isinstance(exc, AwsError):
        return exc.code
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "") or None
    return None


class _Ttl:
    """Values that stay good for `ttl` seconds of `clock`."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self.clock = clock
        self._items: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any | None:
        item = self._items.get(key)
        if item is None or self.clock() - item[0] > self.ttl:
            return None
        return item[1]

    def put(self, key: str, value: Any) -> None:
        self._items[key] = (self.clock(), value)

    def clear(self) -> None:
        self._items.clear()


class LoadBalancingReader:
    """Reads ELBv2 for one session, within its limits; share one reader, its cache is per reader.

    Cost of `for_service` for a service with g target groups behind b load balancers with l listeners, cold:
    ceil(g/20) DescribeTargetGroups + ceil(b/20) DescribeLoadBalancers + b DescribeListeners + l DescribeRules
    (application load balancers only) + g DescribeTargetHealth. Within `ttl` seconds only the g
    DescribeTargetHealth are sent again: health is never cached.
    """

    def __init__(
        self,
        session: AwsSession,
        *,
        concurrency: int = 8,
        ttl: float = SLOW_CHANGING_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.session = session
        self._in_flight = asyncio.Semaphore(concurrency)
        self._cache = _Ttl(ttl, clock)
        # A container instance's EC2 instance never changes: that mapping is kept for the reader's life.
        self._instance_ids: dict[str, str] = {}

    def forget(self) -> None:
        """Drop every cached load balancer, listener, rule and target group (after changing them)."""
        self._cache.clear()

    async def _call(self, request: Callable[[], Awaitable[R]]) -> R:
        async with self._in_flight:
            return await request()

    async def _elbv2(self) -> ElasticLoadBalancingv2Client:
        return await self.session.elbv2()

    # --- target groups ------------------------------------------------------------------------------------------

    async def _describe_target_group_batch(self, arns: Sequence[str]) -> list[_TargetGroup]:
        elbv2 = await self._elbv2()
        try:
            response = await self._call(lambda: elbv2.describe_target_groups(TargetGroupArns=list(arns)))
        except ClientError as exc:
            # One deleted group fails the whole call; describe the rest one by one rather than lose them all.
            if _code(exc) != "TargetGroupNotFound":
                raise
            if len(arns) == 1:
                return []
            found = await run_all(self._describe_target_group_batch([arn]) for arn in arns)
            return [group for batch in found for group in batch]
        return [_target_group_from_api(item) for item in _objs(response.get("TargetGroups"))]

    async def _target_groups(self, arns: Sequence[str]) -> dict[str, _TargetGroup]:
        wanted = unique(arns)
        groups: dict[str, _TargetGroup] = {}
        missing = []
        for arn in wanted:
            cached = self._cache.get(f"tg:{arn}")
            if cached is None:
                missing.append(arn)
            else:
                groups[arn] = cached
        described = await run_all(
            self._describe_target_group_batch(batch) for batch in batches(missing, DESCRIBE_TARGET_GROUPS_BATCH)
        )
        for group in (g for batch in described for g in batch):
            self._cache.put(f"tg:{group.arn}", group)
            groups[group.arn] = group
        return {arn: groups[arn] for arn in wanted if arn in groups}

    async def _all_target_groups(self) -> list[_TargetGroup]:
        cached = self._cache.get("tg-list")
        if cached is not None:
            listed: list[_TargetGroup] = cached
            return listed
        elbv2 = await self._elbv2()
        groups: list[_TargetGroup] = []
        marker: str | None = None
        seen: set[str] = set()
        while True:
            request: dict[str, Any] = {"PageSize": ELB_PAGE_SIZE}
            if marker:
                request["Marker"] = marker
            response = await self._call(functools.partial(elbv2.describe_target_groups, **request))
            groups.extend(_target_group_from_api(item) for item in _objs(response.get("TargetGroups")))
            marker = _str(response.get("NextMarker")) or None
            # A marker handed back twice would loop forever.
            if marker is None or marker in seen:
                break
            seen.add(marker)
        by_arn = {group.arn: group for group in groups}
        for group in by_arn.values():
            self._cache.put(f"tg:{group.arn}", group)
        listed = list(by_arn.values())
        self._cache.put("tg-list", listed)
        return listed

    # --- load balancers, listeners, rules -----------------------------------------------------------------------

    async def _describe_load_balancer_batch(self, arns: Sequence[str]) -> list[_LoadBalancer]:
        elbv2 = await self._elbv2()
        try:
            response = await self._call(
                lambda: elbv2.describe_load_balancers(LoadBalancerArns=list(arns), PageSize=ELB_PAGE_SIZE)
            )
        except ClientError as exc:
            if _code(exc) != "LoadBalancerNotFound":
                raise
            if len(arns) == 1:
                return []
            found = await run_all(self._describe_load_balancer_batch([arn]) for arn in arns)
            return [lb for batch in found for lb in batch]
        return [
            _LoadBalancer(
                arn=_str(item.get("LoadBalancerArn")) or "",
                name=_str(item.get("LoadBalancerName")) or "",
                dns=_str(item.get("DNSName")),
                type=_str(item.get("Type")),
            )
            for item in _objs(response.get("LoadBalancers"))
        ]

    async def _load_balancers(self, arns: Sequence[str]) -> dict[str, _LoadBalancer]:
        wanted = unique(arns)
        found: dict[str, _LoadBalancer] = {}
        missing = []
        for arn in wanted:
            cached = self._cache.get(f"lb:{arn}")
            if cached is None:
                missing.append(arn)
            else:
                found[arn] = cached
        described = await run_all(
            self._describe_load_balancer_batch(batch) for batch in batches(missing, DESCRIBE_LOAD_BALANCERS_BATCH)
        )
        for lb in (lb for batch in described for lb in batch):
            self._cache.put(f"lb:{lb.arn}", lb)
            found[lb.arn] = lb
        return {arn: found[arn] for arn in wanted if arn in found}

    async def _paged(self, operation: Callable[..., Awaitable[Any]], result_key: str, **request: Any) -> list[ApiDict]:
        items: list[ApiDict] = []
        marker: str | None = None
        seen: set[str] = set()
        while True:
            page_request = dict(request, PageSize=ELB_PAGE_SIZE)
            if marker:
                page_request["Marker"] = marker
            response = await self._call(functools.partial(operation, **page_request))
            items.extend(_objs(response.get(result_key)))
            marker = _str(response.get("NextMarker")) or None
            if marker is None or marker in seen:
                return items
            seen.add(marker)

    async def _forwards(self, lb: _LoadBalancer) -> list[_Forward]:
        """Every rule of every listener of the load balancer that forwards somewhere (cached)."""
        cached = self._cache.get(f"forwards:{lb.arn}")
        if cached is not None:
            known: list[_Forward] = cached
            return known
        elbv2 = await self._elbv2()
        try:
            listeners = await self._paged(elbv2.describe_listeners, "Listeners", LoadBalancerArn=lb.arn)
        except ClientError as exc:
            if _code(exc) not in ("LoadBalancerNotFound", "ListenerNotFound"):
                raise
            listeners = []

        async def of_listener(listener: ApiDict) -> list[_Forward]:
            arn = _str(listener.get("ListenerArn")) or ""
            port = _int(listener.get("Port"))
            protocol = _str(listener.get("Protocol"))

            def rule(priority: str, conditions: tuple[str, ...], rule_arn: str | None) -> ListenerRule:
                return ListenerRule(arn, port, protocol, priority, conditions, lb.arn, rule_arn)

            default = _Forward(rule("default", (), None), _forwarded_groups(listener.get("DefaultActions")))
            if lb.type not in RULE_TYPES:
                return [default]
            try:
                rules = await self._paged(elbv2.describe_rules, "Rules", ListenerArn=arn)
            except ClientError as exc:
                if _code(exc) != "ListenerNotFound":
                    raise
                return [default]
            forwards = []
            for item in rules:
                conditions = tuple(c for cond in _objs(item.get("Conditions")) if (c := _condition(cond)))
                priority = "default" if item.get("IsDefault") else (_str(item.get("Priority")) or "")
                forwards.append(
                    _Forward(
                        rule(priority, conditions, _str(item.get("RuleArn"))), _forwarded_groups(item.get("Actions"))
                    )
                )
            if not any(f.rule.priority == "default" for f in forwards):
                forwards.append(default)
            return forwards

        per_listener = await run_all(of_listener(listener) for listener in listeners)
        forwards = [forward for batch in per_listener for forward in batch]
        self._cache.put(f"forwards:{lb.arn}", forwards)
        return forwards

    # --- health -------------------------------------------------------------------------------------------------

    async def _health(self, group: _TargetGroup) -> tuple[TargetHealth, ...] | None:
        elbv2 = await self._elbv2()
        try:
            response = await self._call(lambda: elbv2.describe_target_health(TargetGroupArn=group.arn))
        except ClientError as exc:
            if _code(exc) == "TargetGroupNotFound":
                return None
            raise
        targets = []
        for item in _objs(response.get("TargetHealthDescriptions")):
            target = dict(item.get("Target") or {})
            health = dict(item.get("TargetHealth") or {})
            targets.append(
                TargetHealth(
                    target_id=_str(target.get("Id")) or "",
                    port=_int(target.get("Port")),
                    state=_str(health.get("State")) or "unknown",
                    reason=_str(health.get("Reason")),
                    description=_str(health.get("Description")),
                    availability_zone=_str(target.get("AvailabilityZone")),
                    task_arn=None,
                    health_check_port=_str(item.get("HealthCheckPort")),
                )
            )
        # Unhealthy first, then by address, so a glance at the top says what is wrong.
        targets.sort(key=lambda t: (not t.unhealthy, t.state != "draining", t.target_id, t.port or 0))
        return tuple(targets)

    # --- container instances ------------------------------------------------------------------------------------

    @_reads_aws
    async def instance_ids(self, tasks: Iterable[Task]) -> dict[str, str]:
        """Container instance ARN -> EC2 instance id for the tasks' instances (DescribeContainerInstances, cached)."""
        wanted: dict[str, list[str]] = {}
        for task in tasks:
            arn = task.container_instance_arn
            if arn and arn not in self._instance_ids:
                wanted.setdefault(task.cluster_arn, [])
                if arn not in wanted[task.cluster_arn]:
                    wanted[task.cluster_arn].append(arn)
        if wanted:
            ecs = await self.session.ecs()

            async def describe(cluster: str, batch: Sequence[str]) -> None:
                response = await self._call(
                    lambda: ecs.describe_container_instances(cluster=cluster, containerInstances=list(batch))
                )
                for item in _objs(response.get("containerInstances")):
                    arn, ec2_id = _str(item.get("containerInstanceArn")), _str(item.get("ec2InstanceId"))
                    if arn and ec2_id:
                        self._instance_ids[arn] = ec2_id

            await run_all(
                describe(cluster, batch)
                for cluster, arns in wanted.items()
                for batch in batches(arns, DESCRIBE_CONTAINER_INSTANCES_BATCH)
            )
        return {
            arn: self._instance_ids[arn]
            for task in tasks
            if (arn := task.container_instance_arn) and arn in self._instance_ids
        }

    def remember_instance_ids(self, mapping: Mapping[str, str]) -> None:
        """Teach the reader container instance ARN -> EC2 id pairs it already has (EcsReader.container_instances)."""
        self._instance_ids.update({k: v for k, v in mapping.items() if k and v})

    # --- views --------------------------------------------------------------------------------------------------

    async def _views(
        self,
        groups: Sequence[_TargetGroup],
        tasks: Sequence[Task],
        instance_ids: Mapping[str, str] | None,
        *,
        with_rules: bool = True,
    ) -> list[TargetGroupView]:
        lb_arns = unique(arn for group in groups for arn in group.load_balancer_arns)
        balancers = await self._load_balancers(lb_arns)
        if with_rules:
            forwards_per_lb = await run_all(self._forwards(lb) for lb in balancers.values())
        else:
            forwards_per_lb = []
        forwards = [forward for batch in forwards_per_lb for forward in batch]
        healths = await run_all(self._health(group) for group in groups)
        mapping: dict[str, str] = dict(instance_ids or {})
        if any(group.target_type == "instance" for group in groups):
            missing = [t for t in tasks if t.container_instance_arn and t.container_instance_arn not in mapping]
            if missing:
                mapping.update(await self.instance_ids(missing))
        views = []
        for group, health in zip(groups, healths, strict=True):
            mine = [balancers[arn] for arn in group.load_balancer_arns if arn in balancers]
            rules = []
            for forward in forwards:
                weights = dict(forward.target_groups)
                if group.arn in weights:
                    rules.append(replace(forward.rule, weight=weights[group.arn]))
            types = unique(lb.type or "" for lb in mine)
            views.append(
                TargetGroupView(
                    arn=group.arn,
                    name=group.name,
                    protocol=group.protocol,
                    port=group.port,
                    target_type=group.target_type,
                    health_check=group.health_check,
                    load_balancer_arns=tuple(lb.arn for lb in mine),
                    load_balancer_names=tuple(lb.name for lb in mine),
                    load_balancer_dns=tuple(lb.dns for lb in mine if lb.dns),
                    load_balancer_type=types[0] if types else None,
                    rules=tuple(sorted(rules, key=_rule_order)),
                    targets=health or (),
                    health_checked=health is not None,
                    dns_by_load_balancer=tuple((lb.arn, lb.dns) for lb in mine if lb.dns),
                )
            )
        return join_tasks(views, tasks, mapping)

    @_reads_aws
    async def for_target_groups(
        self,
        arns: Sequence[str],
        tasks: Sequence[Task] = (),
        *,
        instance_ids: Mapping[str, str] | None = None,
        with_rules: bool = True,
    ) -> list[TargetGroupView]:
        """The named target groups (missing ones left out), in the order asked, with health joined to `tasks`."""
        groups = await self._target_groups(arns)
        return await self._views(list(groups.values()), tasks, instance_ids, with_rules=with_rules)

    @_reads_aws
    async def for_service(
        self, service: Service, tasks: Sequence[Task], *, instance_ids: Mapping[str, str] | None = None
    ) -> list[TargetGroupView]:
        """The service's target groups with their load balancers' DNS names, the rules that forward to them, and
        each target's health joined to the service's `tasks` (pass stopping tasks too: their targets drain).

        A service attached to a Classic Load Balancer (a name, no target group) has no target groups here.
        `instance_ids` (container instance ARN -> EC2 id) saves a DescribeContainerInstances for bridge tasks.
        """
        arns = unique(lb.target_group_arn or "" for lb in service.load_balancers)
        if not arns:
            return []
        return await self.for_target_groups(arns, tasks, instance_ids=instance_ids)

    @_reads_aws
    async def all_target_groups(
        self,
        tasks_by_cluster: Mapping[str, Sequence[Task]] | None = None,
        *,
        instance_ids: Mapping[str, str] | None = None,
        with_rules: bool = True,
    ) -> list[TargetGroupView]:
        """Every target group of the region (DescribeTargetGroups paged by Marker), unhealthy first.

        Targets are joined to the tasks given (any cluster); without tasks, task_arn stays None.
        """
        tasks = [task for cluster_tasks in (tasks_by_cluster or {}).values() for task in cluster_tasks]
        views = await self._views(await self._all_target_groups(), tasks, instance_ids, with_rules=with_rules)
        return sorted(views, key=_unhealthy_first)

    def target_health_by_task(
        self, groups: Sequence[TargetGroupView]
    ) -> dict[str, list[tuple[TargetGroupView, TargetHealth]]]:
        """task ARN -> every (target group, target) that task is registered as (for the tasks pane)."""
        return target_health_by_task(groups)


def _rule_order(rule: ListenerRule) -> tuple[int, int, int]:
    priority = int(rule.priority) if rule.priority.isdigit() else 10**6
    return (rule.listener_port or 0, priority, 0)


__all__ = [
    "DESCRIBE_LOAD_BALANCERS_BATCH",
    "DESCRIBE_TARGET_GROUPS_BATCH",
    "ELB_PAGE_SIZE",
    "ListenerRule",
    "LoadBalancingReader",
    "TargetGroupView",
    "TargetHealth",
    "health_check_summary",
    "join_tasks",
    "target_group_name",
    "target_health_by_task",
]
