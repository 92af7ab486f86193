"""What ecstui created in ELB for a service (tagged ecstui:service=<cluster>/<service>) and nothing else uses, found
before the service is deleted, and removed after it, rule or listener first, then the load balancer, then the group."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from ecstui.aws.actions import EcsActions, _Call
from ecstui.aws.batching import batches, run_all
from ecstui.aws.errors import AwsError
from ecstui.aws.load_balancer_actions import SERVICE_TAG, LoadBalancerActions, service_tag_value
from ecstui.aws.load_balancer_choices import (
    forwarded_target_groups,
    listener_from_api,
    load_balancer_from_api,
    target_group_from_api,
)
from ecstui.aws.load_balancing import ELB_PAGE_SIZE, target_group_name
from ecstui.aws.models import Service
from ecstui.aws.parse import _objs, _str

# DescribeTags takes at most 20 resource ARNs; DescribeTargetGroups and DescribeLoadBalancers 20 as well.
DESCRIBE_TAGS_BATCH: Final = 20
DESCRIBE_BATCH: Final = 20
DESCRIBE_SERVICES_BATCH: Final = 10
LIST_SERVICES_PAGE: Final = 100

Kind = Literal["listener rule", "listener", "load balancer", "target group"]
# Deleting in this order never deletes something another step still refers to: a rule or listener forwards to a
# group, a listener belongs to a load balancer (ELB refuses DeleteTargetGroup while anything forwards to it).
ORDER: Final[tuple[Kind, ...]] = ("listener rule", "listener", "load balancer", "target group")


@dataclass(frozen=True, slots=True)
class Leftover:
    """One thing ecstui created for the service. `kept` says why it is not offered for removal (None: it is)."""

    kind: Kind
    arn: str
    name: str
    kept: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True, slots=True)
class RemovalStep:
    """One finished removal: `done` says what happened, or `error` why it failed (the rest still tried)."""

    leftover: Leftover
    error: str | None = None

    @property
    def said(self) -> str:
        if self.error is None:
            return f"Removed {self.leftover.label}."
        return f"Could not remove {self.leftover.label}: {self.error}"


def _ordered(leftovers: Iterable[Leftover]) -> list[Leftover]:
    return sorted(leftovers, key=lambda item: ORDER.index(item.kind))


class LoadBalancerCleanup(EcsActions):
    """Finds and removes what `LoadBalancerActions.prepare` created for a service. Reads are read-only safe; every
    delete is refused in read-only before it is built, audited, and said one by one."""

    def __init__(self, actions: LoadBalancerActions) -> None:
        super().__init__(actions.session, actions.audit)
        self.actions = actions

    # -- what ELB says -----------------------------------------------------------------------------------------

    async def _paged(self, operation: Any, result_key: str, **request: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        marker: str | None = None
        seen: set[str] = set()
        while True:
            page_request = dict(request, PageSize=ELB_PAGE_SIZE)
            if marker:
                page_request["Marker"] = marker
            response = await self._send(operation(**page_request))
            items.extend(dict(item) for item in _objs(response.get(result_key)))
            marker = _str(response.get("NextMarker")) or None
            if marker is None or marker in seen:
                return items
            seen.add(marker)

    async def _tags(self, arns: Sequence[str]) -> dict[str, dict[str, str]]:
        elbv2 = await self.session.elbv2()

        async def batch(chunk: Sequence[str]) -> dict[str, dict[str, str]]:
            response = await self._send(elbv2.describe_tags(ResourceArns=list(chunk)))
            return {
                _str(d.get("ResourceArn")) or "": {
                    _str(t.get("Key")) or "": _str(t.get("Value")) or "" for t in _objs(d.get("Tags"))
                }
                for d in _objs(response.get("TagDescriptions"))
            }

        found: dict[str, dict[str, str]] = {}
        for part in await run_all(batch(chunk) for chunk in batches(list(dict.fromkeys(arns)), DESCRIBE_TAGS_BATCH)):
            found.update(part)
        return found

    async def _other_services_using(self, cluster: str, service: str, group_arns: Sequence[str]) -> dict[str, str]:
        """target group ARN -> the name of another active service of the cluster that sends it traffic."""
        ecs = await self.session.ecs()
        arns: list[str] = []
        token: str | None = None
        while True:
            request: dict[str, Any] = {"cluster": cluster, "maxResults": LIST_SERVICES_PAGE}
            if token:
                request["nextToken"] = token
            response = await self._send(ecs.list_services(**request))
            arns.extend(str(a) for a in response.get("serviceArns", []))
            token = response.get("nextToken")
            if not token:
                break
        others = [arn for arn in arns if arn.rsplit("/", 1)[-1] != service]

        async def describe(chunk: Sequence[str]) -> list[Any]:
            answer = await self._send(ecs.describe_services(cluster=cluster, services=list(chunk)))
            return list(answer.get("services", []))

        using: dict[str, str] = {}
        wanted = set(group_arns)
        for described in await run_all(describe(chunk) for chunk in batches(others, DESCRIBE_SERVICES_BATCH)):
            for other in described:
                if other.get("status") == "INACTIVE":
                    continue
                for lb in other.get("loadBalancers") or []:
                    arn = lb.get("targetGroupArn")
                    if arn in wanted:
                        using.setdefault(str(arn), str(other.get("serviceName")))
        return using

    # -- finding -----------------------------------------------------------------------------------------------

    async def leftovers(self, cluster: str, service: Service) -> list[Leftover]:
        """What ecstui created for the service in ELB (by its tag), in removal order; `kept` set on what another
        service, listener or rule still uses. Reads only; call it before the service is deleted."""
        group_arns = list(dict.fromkeys(lb.target_group_arn for lb in service.load_balancers if lb.target_group_arn))
        if not group_arns:
            return []
        elbv2 = await self.session.elbv2()
        described = await run_all(
            self._send(elbv2.describe_target_groups(TargetGroupArns=list(chunk)))
            for chunk in batches(group_arns, DESCRIBE_BATCH)
        )
        groups = [target_group_from_api(d) for answer in described for d in _objs(answer.get("TargetGroups"))]
        lb_arns = list(dict.fromkeys(arn for group in groups for arn in group.load_balancer_arns))
        balancers = {}
        if lb_arns:
            answers = await run_all(
                self._send(elbv2.describe_load_balancers(LoadBalancerArns=list(chunk)))
                for chunk in batches(lb_arns, DESCRIBE_BATCH)
            )
            balancers = {
                lb.arn: lb
                for answer in answers
                for lb in map(load_balancer_from_api, _objs(answer.get("LoadBalancers")))
            }
        listeners_per_lb = await run_all(
            self._paged(elbv2.describe_listeners, "Listeners", LoadBalancerArn=arn) for arn in balancers
        )
        listeners = {
            arn: [listener_from_api(d) for d in raw] for arn, raw in zip(balancers, listeners_per_lb, strict=True)
        }
        all_listeners = [listener for found in listeners.values() for listener in found]
        rules_per_listener = await run_all(
            self._paged(elbv2.describe_rules, "Rules", ListenerArn=listener.arn)
            if balancers[listener.load_balancer_arn].is_alb
            else _no_rules()
            for listener in all_listeners
        )
        rules = {
            listener.arn: [r for r in found if not r.get("IsDefault")]
            for listener, found in zip(all_listeners, rules_per_listener, strict=True)
        }
        candidates = (
            group_arns
            + list(balancers)
            + [listener.arn for listener in all_listeners]
            + [str(r.get("RuleArn")) for found in rules.values() for r in found]
        )
        tags = await self._tags(candidates)
        mine = service_tag_value(cluster, service.name)

        def tagged(arn: str) -> bool:
            return tags.get(arn, {}).get(SERVICE_TAG) == mine

        ours = set(group_arns)
        found: list[Leftover] = []
        removable: set[str] = set()
        # Rules, then listeners, then load balancers: each is removable when everything under it is ours.
        for listener in all_listeners:
            lb_name = balancers[listener.load_balancer_arn].name
            listener_rules = rules.get(listener.arn, [])
            for rule in listener_rules:
                arn = str(rule.get("RuleArn"))
                if not tagged(arn):
                    continue
                forwards = set(forwarded_target_groups(rule.get("Actions")))
                name = f"{_rule_label(rule)} on {lb_name} {listener.label}"
                if forwards <= ours:
                    removable.add(arn)
                    found.append(Leftover("listener rule", arn, name))
                else:
                    found.append(Leftover("listener rule", arn, name, kept="it forwards to other target groups too"))
            if not tagged(listener.arn):
                continue
            name = f"{listener.label} of {lb_name}"
            others = [str(r.get("RuleArn")) for r in listener_rules if str(r.get("RuleArn")) not in removable]
            if not set(listener.default_target_groups) <= ours:
                found.append(Leftover("listener", listener.arn, name, kept="its default action forwards elsewhere"))
            elif others:
                found.append(Leftover("listener", listener.arn, name, kept=f"{len(others)} other rules use it"))
            else:
                removable.add(listener.arn)
                found.append(Leftover("listener", listener.arn, name))
        for arn, balancer in balancers.items():
            if not tagged(arn):
                continue
            kept_listeners = [listener for listener in listeners[arn] if listener.arn not in removable]
            if kept_listeners:
                labels = ", ".join(listener.label for listener in kept_listeners)
                found.append(Leftover("load balancer", arn, balancer.name, kept=f"listeners {labels} stay on it"))
            else:
                removable.add(arn)
                found.append(Leftover("load balancer", arn, balancer.name))
        used_by = await self._other_services_using(cluster, service.name, [g.arn for g in groups if tagged(g.arn)])
        for group in groups:
            if not tagged(group.arn):
                continue
            forwarding = [
                listener.arn
                for listener in all_listeners
                if group.arn in listener.default_target_groups and listener.arn not in removable
            ] + [
                str(rule.get("RuleArn"))
                for found_rules in rules.values()
                for rule in found_rules
                if group.arn in forwarded_target_groups(rule.get("Actions"))
                and str(rule.get("RuleArn")) not in removable
                and not _listener_of(rule, removable, rules)
            ]
            if group.arn in used_by:
                found.append(
                    Leftover("target group", group.arn, group.name, kept=f"service {used_by[group.arn]} uses it")
                )
            elif forwarding:
                found.append(
                    Leftover("target group", group.arn, group.name, kept="a listener or rule that stays forwards to it")
                )
            else:
                found.append(Leftover("target group", group.arn, group.name))
        return _ordered(found)

    # -- removing ----------------------------------------------------------------------------------------------

    async def remove(self, cluster: str, service: str, leftover: Leftover) -> None:
        """Delete one leftover (audited). A thing already gone counts as removed."""
        self._refuse_if_read_only("remove_" + leftover.kind.replace(" ", "_"))
        if leftover.kept is not None:
            raise AwsError(f"{leftover.label.capitalize()} is kept: {leftover.kept}.", kind="invalid")
        operation = {
            "listener rule": "DeleteRule",
            "listener": "DeleteListener",
            "load balancer": "DeleteLoadBalancer",
            "target group": "DeleteTargetGroup",
        }[leftover.kind]
        call = _Call(
            "remove_" + leftover.kind.replace(" ", "_"),
            f"{cluster}/{service}",
            {"arn": leftover.arn, "name": leftover.name},
        )

        async def body(call: _Call) -> None:
            elbv2 = await self.session.elbv2()
            # Each delete is idempotent in ELB (deleting what is gone succeeds, or says it is not found): botocore's
            # retries of a lost answer are safe.
            request: Awaitable[Any]
            if leftover.kind == "listener rule":
                request = elbv2.delete_rule(RuleArn=leftover.arn)
            elif leftover.kind == "listener":
                request = elbv2.delete_listener(ListenerArn=leftover.arn)
            elif leftover.kind == "load balancer":
                request = elbv2.delete_load_balancer(LoadBalancerArn=leftover.arn)
            else:
                request = elbv2.delete_target_group(TargetGroupArn=leftover.arn)
            try:
                await self._send_change(operation, request)
            except AwsError as exc:
                if exc.kind != "not_found" and exc.code not in ("ListenerNotFound", "RuleNotFound"):
                    raise

        try:
            await self._mutate(call, body)
        finally:
            self.actions._forget()

    async def remove_all(self, cluster: str, service: str, chosen: Sequence[Leftover]) -> list[RemovalStep]:
        """Delete the chosen leftovers in order (rule/listener, load balancer, target group); a failure is said and
        the rest still tried."""
        self._refuse_if_read_only("remove_load_balancing")
        steps = []
        for leftover in _ordered(chosen):
            try:
                await self.remove(cluster, service, leftover)
            except AwsError as exc:
                steps.append(RemovalStep(leftover, exc.message))
            else:
                steps.append(RemovalStep(leftover))
        return steps


async def _no_rules() -> list[dict[str, Any]]:
    return []


def _rule_label(rule: dict[str, Any]) -> str:
    paths = [
        value
        for condition in _objs(rule.get("Conditions"))
        if _str(condition.get("Field")) == "path-pattern"
        for value in (
            list(dict(condition.get("PathPatternConfig") or {}).get("Values") or [])
            or list(condition.get("Values") or [])
        )
    ]
    priority = _str(rule.get("Priority")) or "?"
    return f"path {', '.join(map(str, paths))} (priority {priority})" if paths else f"priority {priority}"


def _listener_of(rule: dict[str, Any], removable: set[str], rules: dict[str, list[dict[str, Any]]]) -> bool:
    """Whether the rule goes with a listener that is being removed (deleting a listener deletes its rules)."""
    arn = str(rule.get("RuleArn"))
    return any(
        listener in removable and any(str(r.get("RuleArn")) == arn for r in found) for listener, found in rules.items()
    )


__all__ = ["ORDER", "Leftover", "LoadBalancerCleanup", "RemovalStep", "target_group_name"]
