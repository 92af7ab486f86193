"""Putting a new service behind a load balancer: the target group, ALB, listener or rule it needs, created in order
and tagged for the service, and the loadBalancers parameter CreateService is given."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from ecstui.aws.actions import EcsActions, ReadBack, _Call
from ecstui.aws.audit import AuditLog
from ecstui.aws.errors import AwsError
from ecstui.aws.load_balancer_choices import (
    ALB_PROTOCOLS,
    ListenerChoice,
    LoadBalancerChoice,
    LoadBalancerChoices,
    forwarded_target_groups,
    listener_from_api,
    load_balancer_from_api,
    target_group_from_api,
)
from ecstui.aws.load_balancing import ELB_PAGE_SIZE, LoadBalancingReader
from ecstui.aws.parse import _int, _objs, _str
from ecstui.aws.session import AwsSession

# What ecstui tags everything it creates for a service with: "<cluster>/<service>" (cluster and service names).
SERVICE_TAG: Final = "ecstui:service"
# ELB's rules for load balancer and target group names (API reference of CreateLoadBalancer/CreateTargetGroup).
ELB_NAME_MAX: Final = 32
_ELB_NAME = re.compile(r"[A-Za-z0-9-]+")
# Listener rule priorities are 1..50000.
RULE_PRIORITY_MAX: Final = 50000
HEALTH_CHECK_PROTOCOLS: Final = frozenset({"HTTP", "HTTPS"})


@dataclass(frozen=True)
class NewTargetGroup:
    name: str
    protocol: str
    port: int
    target_type: Literal["ip", "instance"]
    health_check_path: str | None


@dataclass(frozen=True)
class NewLoadBalancer:
    """An internet-facing ALB with an HTTP listener on `listener_port`, forwarding to the plan's new target group."""

    name: str
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    listener_port: int = 80


@dataclass(frozen=True)
class LoadBalancingPlan:
    container_name: str
    container_port: int
    target_group_arn: str | None = None  # an existing target group, or
    new_target_group: NewTargetGroup | None = None  # one to create, forwarded to from:
    listener_arn: str | None = None  # an existing listener (its default action if it has none, else a rule), or
    new_load_balancer: NewLoadBalancer | None = None  # a new ALB + listener


@dataclass(frozen=True)
class PreparedLoadBalancing:
    load_balancers: list[dict[str, Any]]  # CreateService's loadBalancers parameter
    created: tuple[str, ...]  # ARNs ecstui created (tagged ecstui:service=<cluster>/<service>)
    resource_label: str | None  # for ALBRequestCountPerTarget, when behind an ALB
    dns_name: str | None


class PreparationFailed(AwsError):
    """A step of `prepare` failed after earlier ones were created: `created` holds their ARNs (tagged for the
    service, so that deleting it, or the console, can remove them)."""

    def __init__(self, message: str, created: tuple[str, ...], *, code: str | None, operation: str | None) -> None:
        super().__init__(message, kind="invalid", code=code, operation=operation)
        self.created = created


def elb_name_problem(name: str, what: str) -> str | None:
    """Why ELB would refuse `name` for a load balancer or target group, in a sentence; None when it is fine."""
    if not name:
        return f"Name the {what}."
    if len(name) > ELB_NAME_MAX:
        return f"The {what} name {name!r} is {len(name)} characters long; ELB allows at most {ELB_NAME_MAX}."
    if not _ELB_NAME.fullmatch(name):
        return f"The {what} name {name!r} may hold only letters, digits and hyphens."
    if name.startswith("-") or name.endswith("-"):
        return f"The {what} name {name!r} may not start or end with a hyphen."
    if name.lower().startswith("internal-"):
        return f"The {what} name {name!r} may not start with 'internal-' (ELB keeps that for internal DNS names)."
    return None


def default_name(service: str, suffix: str) -> str:
    """'<service>-tg' or '<service>-alb' within ELB's 32 characters (a service name may be 255 long and hold '_')."""
    base = re.sub(r"[^A-Za-z0-9-]+", "-", service).strip("-")
    if base.lower().startswith("internal-"):
        base = base[len("internal-") :]
    base = base[: ELB_NAME_MAX - len(suffix) - 1].strip("-")
    return f"{base}-{suffix}" if base else suffix


def plan_problem(plan: LoadBalancingPlan) -> str | None:
    """What is wrong with a plan before anything is sent, in a sentence; None when it can be prepared."""
    if not plan.container_name:
        return "Choose the container the load balancer sends traffic to."
    if not 1 <= plan.container_port <= 65535:
        return f"Container port {plan.container_port} is not within 1..65535."
    if (plan.target_group_arn is None) == (plan.new_target_group is None):
        return "Choose an existing target group or a new one."
    if plan.listener_arn is not None and plan.new_load_balancer is not None:
        return "Choose an existing listener or a new load balancer, not both."
    # A new load balancer may forward to an existing target group: the service dialog resumes a prepare that failed
    # after creating its group that way (ELB itself refuses a group already behind another load balancer).
    new_tg = plan.new_target_group
    if new_tg is not None:
        if problem := elb_name_problem(new_tg.name, "target group"):
            return problem
        if plan.listener_arn is None and plan.new_load_balancer is None:
            return "A new target group needs a listener to forward to it: choose a load balancer's listener."
        if not 1 <= new_tg.port <= 65535:
            return f"Target group port {new_tg.port} is not within 1..65535."
        path = new_tg.health_check_path
        if path is not None and new_tg.protocol in HEALTH_CHECK_PROTOCOLS and not path.startswith("/"):
            return f"The health check path {path!r} must start with '/'."
    lb = plan.new_load_balancer
    if lb is not None:
        if problem := elb_name_problem(lb.name, "load balancer"):
            return problem
        if len(lb.subnets) < 2:
            return "An application load balancer needs subnets in at least two availability zones."
        if not 1 <= lb.listener_port <= 65535:
            return f"Listener port {lb.listener_port} is not within 1..65535."
    return None


def resource_label(load_balancer_arn: str, target_group_arn: str) -> str:
    """ALBRequestCountPerTarget's label: 'app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>'."""
    lb_part = load_balancer_arn.split(":loadbalancer/", 1)[-1]
    tg_part = "targetgroup/" + target_group_arn.split(":targetgroup/", 1)[-1]
    return f"{lb_part}/{tg_part}"


def free_priority(used: Sequence[int]) -> int:
    """A listener rule priority not in use: after the highest (so no existing rule is shadowed), else the lowest."""
    taken = set(used)
    highest = max(taken, default=0)
    if highest < RULE_PRIORITY_MAX:
        return highest + 1
    return next(p for p in range(1, RULE_PRIORITY_MAX + 1) if p not in taken)


def service_tag_value(cluster: str, service: str) -> str:
    return f"{cluster}/{service}"


def _forward(target_group_arn: str) -> list[dict[str, Any]]:
    return [{"Type": "forward", "TargetGroupArn": target_group_arn}]


class LoadBalancerActions(EcsActions):
    """ELBv2 changes under EcsActions' rules: refused in read-only before a request is built, audited one by one,
    one in flight per service, and never sent twice blindly when not idempotent."""

    def __init__(
        self,
        session: AwsSession,
        audit: AuditLog | None = None,
        choices: LoadBalancerChoices | None = None,
        reader: LoadBalancingReader | None = None,
    ) -> None:
        super().__init__(session, audit)
        self.choices = choices
        self.reader = reader

    def _forget(self) -> None:
        if self.choices is not None:
            self.choices.forget()
        if self.reader is not None:
            self.reader.forget()

    # -- reads the preparation needs --------------------------------------------------------------------------

    async def _listener(self, arn: str) -> ListenerChoice:
        elbv2 = await self.session.elbv2()
        response = await self._send(elbv2.describe_listeners(ListenerArns=[arn]))
        found = _objs(response.get("Listeners"))
        if not found:
            raise AwsError(f"Listener {arn} was not found.", kind="not_found")
        return listener_from_api(found[0])

    async def _load_balancer(self, arn: str) -> LoadBalancerChoice:
        elbv2 = await self.session.elbv2()
        response = await self._send(elbv2.describe_load_balancers(LoadBalancerArns=[arn]))
        found = _objs(response.get("LoadBalancers"))
        if not found:
            raise AwsError(f"Load balancer {arn} was not found.", kind="not_found")
        return load_balancer_from_api(found[0])

    async def _rules(self, listener_arn: str) -> list[dict[str, Any]]:
        elbv2 = await self.session.elbv2()
        rules: list[dict[str, Any]] = []
        marker: str | None = None
        seen: set[str] = set()
        while True:
            request: dict[str, Any] = {"ListenerArn": listener_arn, "PageSize": ELB_PAGE_SIZE}
            if marker:
                request["Marker"] = marker
            response = await self._send(elbv2.describe_rules(**request))
            rules.extend(dict(rule) for rule in _objs(response.get("Rules")))
            marker = _str(response.get("NextMarker")) or None
            if marker is None or marker in seen:
                return rules
            seen.add(marker)

    async def _name_taken(self, kind: Literal["target group", "load balancer"], name: str) -> bool:
        elbv2 = await self.session.elbv2()
        try:
            if kind == "target group":
                groups = await self._send(elbv2.describe_target_groups(Names=[name]))
                return bool(_objs(groups.get("TargetGroups")))
            balancers = await self._send(elbv2.describe_load_balancers(Names=[name]))
            return bool(_objs(balancers.get("LoadBalancers")))
        except AwsError as exc:
            if exc.kind == "not_found" or exc.code in ("TargetGroupNotFound", "LoadBalancerNotFound"):
                return False
            raise

    def _target_group_read_back(self, name: str) -> ReadBack:
        async def read_back() -> str:
            taken = await self._name_taken("target group", name)
            return f"Now: target group {name} " + ("exists." if taken else "does not exist.")

        return read_back

    def _load_balancer_read_back(self, name: str) -> ReadBack:
        async def read_back() -> str:
            taken = await self._name_taken("load balancer", name)
            return f"Now: load balancer {name} " + ("exists." if taken else "does not exist.")

        return read_back

    def _rules_read_back(self, listener_arn: str) -> ReadBack:
        async def read_back() -> str:
            rules = await self._rules(listener_arn)
            priorities = sorted(p for r in rules if (p := _int(r.get("Priority"))) is not None)
            return f"Now: the listener has {len(rules)} rules (priorities {', '.join(map(str, priorities)) or '-'})."

        return read_back

    # -- the steps, each audited ------------------------------------------------------------------------------

    async def _create_target_group(self, target: str, vpc_id: str, new: NewTargetGroup, tags: list[Any]) -> str:
        request: dict[str, Any] = {
            "Name": new.name,
            "Protocol": new.protocol,
            "Port": new.port,
            "VpcId": vpc_id,
            "TargetType": new.target_type,
            "Tags": tags,
        }
        if new.health_check_path and new.protocol in HEALTH_CHECK_PROTOCOLS:
            request["HealthCheckPath"] = new.health_check_path
        call = _Call("create_target_group", target, dict(request), exclusive_as="prepare_load_balancing_step")

        async def body(call: _Call) -> str:
            if await self._name_taken("target group", new.name):
                # CreateTargetGroup with an existing group's name and settings hands that group back: ecstui would
                # tag, and later offer to delete, a group it did not create.
                raise AwsError(
                    f"A target group named {new.name} already exists: choose it as an existing one, or another name.",
                    kind="invalid",
                )
            elbv2 = await self.session.elbv2()
            # CreateTargetGroup is idempotent by name in ELB (the same name and settings return the group created
            # first), so botocore's retries of a lost answer cannot make a second group.
            response = await self._send_change(
                "CreateTargetGroup", elbv2.create_target_group(**request), self._target_group_read_back(new.name)
            )
            return target_group_from_api(_objs(response.get("TargetGroups"))[0]).arn

        return await self._mutate(call, body)

    async def _create_load_balancer(self, target: str, new: NewLoadBalancer, tags: list[Any]) -> LoadBalancerChoice:
        request: dict[str, Any] = {
            "Name": new.name,
            "Subnets": list(new.subnets),
            "SecurityGroups": list(new.security_groups),
            "Scheme": "internet-facing",
            "Type": "application",
            "IpAddressType": "ipv4",
            "Tags": tags,
        }
        call = _Call("create_load_balancer", target, dict(request), exclusive_as="prepare_load_balancing_step")

        async def body(call: _Call) -> LoadBalancerChoice:
            if await self._name_taken("load balancer", new.name):
                raise AwsError(
                    f"A load balancer named {new.name} already exists: choose it as an existing one, or another name.",
                    kind="invalid",
                )
            elbv2 = await self.session.elbv2()
            # Idempotent by name in ELB, as CreateTargetGroup: a retried request returns the load balancer it made.
            response = await self._send_change(
                "CreateLoadBalancer", elbv2.create_load_balancer(**request), self._load_balancer_read_back(new.name)
            )
            return load_balancer_from_api(_objs(response.get("LoadBalancers"))[0])

        return await self._mutate(call, body)

    async def _create_listener(
        self, target: str, lb_arn: str, port: int, target_group_arn: str, tags: list[Any]
    ) -> str:
        request: dict[str, Any] = {
            "LoadBalancerArn": lb_arn,
            "Protocol": "HTTP",
            "Port": port,
            "DefaultActions": _forward(target_group_arn),
            "Tags": tags,
        }
        call = _Call("create_listener", target, dict(request), exclusive_as="prepare_load_balancing_step")

        async def body(call: _Call) -> str:
            elbv2 = await self.session.elbv2()
            # CreateListener is idempotent in ELB: the same settings on the same port return the same listener.
            response = await self._send_change("CreateListener", elbv2.create_listener(**request))
            return listener_from_api(_objs(response.get("Listeners"))[0]).arn

        return await self._mutate(call, body)

    async def _forward_default(self, target: str, listener_arn: str, target_group_arn: str) -> None:
        request: dict[str, Any] = {"ListenerArn": listener_arn, "DefaultActions": _forward(target_group_arn)}
        call = _Call("modify_listener", target, dict(request), exclusive_as="prepare_load_balancing_step")

        async def body(call: _Call) -> None:
            elbv2 = await self.session.elbv2()
            # Setting the same default action twice leaves it set once: retries are safe.
            await self._send_change("ModifyListener", elbv2.modify_listener(**request))

        await self._mutate(call, body)

    async def _create_rule(
        self, target: str, listener_arn: str, path: str, target_group_arn: str, tags: list[Any]
    ) -> str:
        parameters: dict[str, Any] = {"ListenerArn": listener_arn, "Path": path, "TargetGroupArn": target_group_arn}
        call = _Call("create_listener_rule", target, parameters, exclusive_as="prepare_load_balancing_step")

        async def body(call: _Call) -> str:
            rules = await self._rules(listener_arn)
            used = [p for rule in rules if (p := _int(rule.get("Priority"))) is not None]
            priority = free_priority(used)
            call.parameters["Priority"] = priority
            once = await self.session.no_retry("elbv2")
            # Not idempotent: a resent CreateRule after a lost answer would fail with PriorityInUse and hide that
            # the first worked (or, at another priority, add a second rule). Resent only when throttled.
            response = await self._send_retrying_throttles_only(
                lambda: once.create_rule(
                    ListenerArn=listener_arn,
                    Priority=priority,
                    Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": [path]}}],
                    Actions=_forward(target_group_arn),
                    Tags=tags,
                ),
                "CreateRule",
                self._rules_read_back(listener_arn),
            )
            return str(_objs(response.get("Rules"))[0].get("RuleArn") or "")

        return await self._mutate(call, body)

    # -- the whole preparation ---------------------------------------------------------------------------------

    async def prepare(self, cluster: str, service: str, vpc_id: str, plan: LoadBalancingPlan) -> PreparedLoadBalancing:
        """Create what the plan says, in order (target group, load balancer, listener or rule), each tagged
        ecstui:service=<cluster>/<service>; return CreateService's loadBalancers parameter.

        Nothing is sent for a plan that names nothing new (an existing target group already forwarded to). When a
        step fails, what was created before it stays and is named in the PreparationFailed error.
        """
        self._refuse_if_read_only("prepare_load_balancing")
        if problem := plan_problem(plan):
            raise AwsError(problem, kind="invalid")
        if plan.new_target_group is not None and not vpc_id:
            raise AwsError("Choose the service's VPC first: a new target group is created in it.", kind="invalid")
        target = f"{cluster}/{service}"
        tags = [{"Key": SERVICE_TAG, "Value": service_tag_value(cluster, service)}]
        created: list[str] = []
        try:
            with self._exclusive("prepare_load_balancing", target):
                return await self._prepare(target, service, vpc_id, plan, tags, created)
        except AwsError as exc:
            if not created:
                raise
            names = ", ".join(_arn_name(arn) for arn in created)
            raise PreparationFailed(
                f"{exc.message} Created before it, and left in place (tagged {SERVICE_TAG}={target}): {names}.",
                tuple(created),
                code=exc.code,
                operation=exc.operation,
            ) from exc
        finally:
            if created:
                self._forget()

    async def _prepare(
        self,
        target: str,
        service: str,
        vpc_id: str,
        plan: LoadBalancingPlan,
        tags: list[Any],
        created: list[str],
    ) -> PreparedLoadBalancing:
        listener: ListenerChoice | None = None
        balancer: LoadBalancerChoice | None = None
        if plan.listener_arn is not None:
            # Read first: a listener that is gone, or an NLB listener that already forwards elsewhere, creates nothing.
            listener = await self._listener(plan.listener_arn)
            balancer = await self._load_balancer(listener.load_balancer_arn)
            if (
                not balancer.is_alb
                and listener.default_target_groups
                and (plan.target_group_arn is None or plan.target_group_arn not in listener.default_target_groups)
            ):
                raise AwsError(
                    f"Listener {listener.label} of {balancer.name} forwards to one target group already and a network "
                    "load balancer has no rules: choose another listener, or a new load balancer.",
                    kind="invalid",
                )
        tg_arn = plan.target_group_arn
        if plan.new_target_group is not None:
            tg_arn = await self._create_target_group(target, vpc_id, plan.new_target_group, tags)
            created.append(tg_arn)
        assert tg_arn is not None
        if plan.new_load_balancer is not None:
            balancer = await self._create_load_balancer(target, plan.new_load_balancer, tags)
            created.append(balancer.arn)
            listener_arn = await self._create_listener(
                target, balancer.arn, plan.new_load_balancer.listener_port, tg_arn, tags
            )
            created.append(listener_arn)
        elif listener is not None and balancer is not None:
            if not listener.default_target_groups and listener.default_action == "none":
                await self._forward_default(target, listener.arn, tg_arn)
            elif tg_arn not in listener.default_target_groups and not await self._forwarded_by_rule(
                listener.arn, tg_arn
            ):
                rule_arn = await self._create_rule(target, listener.arn, f"/{service}/*", tg_arn, tags)
                created.append(rule_arn)
        elif balancer is None:
            # An existing target group and no listener chosen: it already sits behind a load balancer (or ECS says
            # that it does not when the service is created).
            elbv2 = await self.session.elbv2()
            response = await self._send(elbv2.describe_target_groups(TargetGroupArns=[tg_arn]))
            groups = _objs(response.get("TargetGroups"))
            lb_arns = target_group_from_api(groups[0]).load_balancer_arns if groups else ()
            if lb_arns:
                balancer = await self._load_balancer(lb_arns[0])
        label = resource_label(balancer.arn, tg_arn) if balancer is not None and balancer.is_alb else None
        return PreparedLoadBalancing(
            load_balancers=[
                {"targetGroupArn": tg_arn, "containerName": plan.container_name, "containerPort": plan.container_port}
            ],
            created=tuple(created),
            resource_label=label,
            dns_name=balancer.dns_name if balancer is not None else None,
        )

    async def _forwarded_by_rule(self, listener_arn: str, target_group_arn: str) -> bool:
        return any(
            target_group_arn in forwarded_target_groups(rule.get("Actions")) for rule in await self._rules(listener_arn)
        )


def _arn_name(arn: str) -> str:
    """'…:targetgroup/web-tg/6d0e…' -> 'target group web-tg'; likewise load balancers, listeners and rules."""
    resource = arn.split(":", 5)[-1]
    parts = resource.split("/")
    kind = parts[0]
    if kind == "targetgroup" and len(parts) > 1:
        return f"target group {parts[1]}"
    if kind == "loadbalancer" and len(parts) > 2:
        return f"load balancer {parts[2]}"
    if kind == "listener" and len(parts) > 2:
        return f"listener of {parts[2]}"
    if kind == "listener-rule" and len(parts) > 2:
        return f"listener rule of {parts[2]}"
    return resource


__all__ = [
    "ALB_PROTOCOLS",
    "ELB_NAME_MAX",
    "SERVICE_TAG",
    "LoadBalancerActions",
    "LoadBalancingPlan",
    "NewLoadBalancer",
    "NewTargetGroup",
    "PreparationFailed",
    "PreparedLoadBalancing",
    "default_name",
    "elb_name_problem",
    "free_priority",
    "plan_problem",
    "resource_label",
    "service_tag_value",
]
