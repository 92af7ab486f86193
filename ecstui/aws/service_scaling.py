"""Application Auto Scaling of ECS services: what a scaling plan is, its checks, and the changes ecstui sends.

A service scales through a scalable target (namespace ecs, resource `service/<cluster>/<service>`, dimension
ecs:service:DesiredCount) that holds min and max, and policies that move the desired count within them. The
reads are in `service_scaling_reader`.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, TypeVar

from ecstui.aws.actions import EcsActions, ReadBack, _Call
from ecstui.aws.audit import AuditLog
from ecstui.aws.errors import AwsError
from ecstui.aws.scaling_schedule import schedule_problem, time_zone_problem
from ecstui.aws.session import AwsSession
from ecstui.aws.validation import MAX_DESIRED_COUNT, Invalid, NumberField

T = TypeVar("T")

NAMESPACE: Final = "ecs"
DIMENSION: Final = "ecs:service:DesiredCount"
# Every Describe* of Application Auto Scaling answers at most 50 items a page; DescribeScalableTargets and
# DescribeScalingActivities take at most 50 ResourceIds.
PAGE_SIZE: Final = 50
RESOURCE_IDS_PER_CALL: Final = 50

MetricName = Literal["cpu", "memory", "requests"]
PREDEFINED_METRICS: Final[Mapping[str, str]] = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "requests": "ALBRequestCountPerTarget",
}
METRIC_OF_PREDEFINED: Final[Mapping[str, MetricName]] = {
    "ECSServiceAverageCPUUtilization": "cpu",
    "ECSServiceAverageMemoryUtilization": "memory",
    "ALBRequestCountPerTarget": "requests",
}
METRIC_LABELS: Final[Mapping[str, str]] = {
    "cpu": "average CPU utilization (%)",
    "memory": "average memory utilization (%)",
    "requests": "ALB requests per target (a minute)",
}

# How each metric is offered in a form.
METRIC_CHOICES: Final[Mapping[str, str]] = {
    "cpu": "Average CPU utilization (%)",
    "memory": "Average memory utilization (%)",
    "requests": "ALB requests per target (a minute)",
}

# A service's task count is bounded by the ECS quota of tasks a service; min and max of its target likewise.
MINIMUM_TASKS = NumberField("minimum task count", 0, MAX_DESIRED_COUNT, ceiling="the ECS quota of 5,000 tasks")
MAXIMUM_TASKS = NumberField("maximum task count", 0, MAX_DESIRED_COUNT, ceiling="the ECS quota of 5,000 tasks")
# Cooldowns are whole seconds; AAS takes 0 to 1 year (31,536,000 s).
COOLDOWN = NumberField("cooldown (seconds)", 0, 31_536_000)
# The utilization metrics are percentages; ALBRequestCountPerTarget is a count a minute, at least 1 to mean
# anything, bounded by TargetValue's documented maximum (1.174271e+108).
TARGET_RANGES: Final[Mapping[str, tuple[float, float]]] = {
    "cpu": (1.0, 100.0),
    "memory": (1.0, 100.0),
    "requests": (1.0, 1.174271e108),
}


def resource_id(cluster: str, service: str) -> str:
    """The scalable target's ResourceId of an ECS service (cluster and service by name)."""
    return f"service/{cluster}/{service}"


def split_resource_id(resource: str) -> tuple[str, str] | None:
    """(cluster, service) of `service/<cluster>/<service>`; None for anything else."""
    parts = resource.split("/")
    if len(parts) == 3 and parts[0] == "service" and parts[1] and parts[2]:
        return parts[1], parts[2]
    return None


@dataclass(frozen=True)
class TargetTrackingPlan:
    """A target-tracking policy on one of the predefined ECS metrics."""

    metric: Literal["cpu", "memory", "requests"]
    target: float
    # Required for "requests": app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>.
    resource_label: str | None = None
    scale_in_cooldown: int = 300
    scale_out_cooldown: int = 300
    disable_scale_in: bool = False


@dataclass(frozen=True)
class ServiceScalingPlan:
    """Auto scaling of one service: min and max of its desired count, and optionally a target-tracking policy."""

    minimum: int
    maximum: int
    policy: TargetTrackingPlan | None


def capacity_problem(minimum: int, maximum: int) -> Invalid | None:
    """One sentence when min and max cannot be a scalable target's capacity."""
    for value, number in ((minimum, MINIMUM_TASKS), (maximum, MAXIMUM_TASKS)):
        checked = number.parse(value)
        if isinstance(checked, Invalid):
            return checked
    if minimum > maximum:
        return Invalid(f"The minimum ({minimum:,}) is above the maximum ({maximum:,}): make it at most the maximum.")
    return None


def parse_target_value(text: str | float, metric: str) -> float | Invalid:
    """A target value for `metric`, or one sentence: a number within the metric's range."""
    low, high = TARGET_RANGES[metric]
    what = "a percentage from 1 to 100" if metric in ("cpu", "memory") else "a number of requests of at least 1"
    if isinstance(text, str):
        raw = text.strip().removesuffix("%").strip()
        if not raw:
            return Invalid(f"Enter a target value: {what}.")
        try:
            value = float(raw)
        except ValueError:
            return Invalid(f"{raw[:20]!r} is not a number: the target value is {what}.")
    else:
        value = float(text)
    if not math.isfinite(value) or not low <= value <= high:
        return Invalid(f"A target value of {METRIC_LABELS[metric]} is {what}, not {value:g}.")
    return value


def policy_problem(policy: TargetTrackingPlan) -> Invalid | None:
    if policy.metric not in PREDEFINED_METRICS:
        return Invalid(f"{policy.metric!r} is not a metric ecstui tracks (cpu, memory or requests).")
    value = parse_target_value(policy.target, policy.metric)
    if isinstance(value, Invalid):
        return value
    if policy.metric == "requests" and not policy.resource_label:
        return Invalid("Tracking ALB requests per target needs the service behind an Application Load Balancer.")
    for cooldown in (policy.scale_in_cooldown, policy.scale_out_cooldown):
        checked = COOLDOWN.parse(cooldown)
        if isinstance(checked, Invalid):
            return checked
    return None


def plan_problem(plan: ServiceScalingPlan) -> Invalid | None:
    """One sentence saying why the plan would be refused, or None."""
    return capacity_problem(plan.minimum, plan.maximum) or (policy_problem(plan.policy) if plan.policy else None)


def policy_name(service: str, metric: str) -> str:
    """The name ecstui gives the target-tracking policy it creates (as the console does: one per metric)."""
    return f"{service}-{metric}-target-tracking"


def target_tracking_configuration(policy: TargetTrackingPlan) -> dict[str, Any]:
    """PutScalingPolicy's TargetTrackingScalingPolicyConfiguration of a plan."""
    metric: dict[str, Any] = {"PredefinedMetricType": PREDEFINED_METRICS[policy.metric]}
    if policy.resource_label:
        metric["ResourceLabel"] = policy.resource_label
    return {
        "TargetValue": float(policy.target),
        "PredefinedMetricSpecification": metric,
        "ScaleInCooldown": policy.scale_in_cooldown,
        "ScaleOutCooldown": policy.scale_out_cooldown,
        "DisableScaleIn": policy.disable_scale_in,
    }


@dataclass(frozen=True)
class NewScheduledAction:
    """A scheduled action to put on a service's scalable target: at its schedule, min and/or max change."""

    name: str
    schedule: str
    time_zone: str | None
    minimum: int | None
    maximum: int | None
    start: datetime | None = None
    end: datetime | None = None


def scheduled_action_problem(action: NewScheduledAction) -> Invalid | None:
    """One sentence saying why AAS would refuse the scheduled action, or None; checked before anything is sent."""
    name = action.name.strip()
    if not name:
        return Invalid("Enter a name for the scheduled action.")
    if len(name) > 256 or any(c in name for c in ":/|") or not name.isprintable():
        return Invalid("A scheduled action's name is 1 to 256 printable characters without ':', '/' or '|'.")
    problem = schedule_problem(action.schedule) or time_zone_problem(action.time_zone or "")
    if problem is not None:
        return problem
    if action.minimum is None and action.maximum is None:
        return Invalid("A scheduled action sets a new minimum, a new maximum, or both: enter at least one.")
    if action.minimum is not None and action.maximum is not None:
        return capacity_problem(action.minimum, action.maximum)
    for value, number in ((action.minimum, MINIMUM_TASKS), (action.maximum, MAXIMUM_TASKS)):
        if value is not None and isinstance(checked := number.parse(value), Invalid):
            return checked
    return None


@dataclass(frozen=True)
class ScalingPolicyRef:
    """What an action needs of an existing policy: its name, target, type and full configuration as AWS has it."""

    name: str
    resource_id: str
    policy_type: str
    configuration: Mapping[str, Any] = field(default_factory=dict)


class ScalingActions(EcsActions):
    """Application Auto Scaling changes under EcsActions' rules: refused in read-only before a request is built,
    one in flight per target, audited. Register/Put/Delete of AAS are idempotent (a resend leaves the same
    state), so botocore's retries are safe and a lost answer is read back."""

    def __init__(
        self, session: AwsSession, audit: AuditLog | None = None, on_change: Callable[[], None] | None = None
    ) -> None:
        super().__init__(session, audit)
        # The reader's forget(): after a change (or an attempt at one) the next read asks AWS again.
        self.on_change = on_change

    async def _mutate(self, call: _Call, body: Callable[[_Call], Awaitable[T]]) -> T:
        try:
            return await super()._mutate(call, body)
        finally:
            if self.on_change is not None:
                self.on_change()

    def _target_read_back(self, resource: str) -> ReadBack:
        async def read_back() -> str:
            aas = await self.session.application_autoscaling()
            response = await self._send(
                aas.describe_scalable_targets(
                    ServiceNamespace=NAMESPACE, ResourceIds=[resource], ScalableDimension=DIMENSION
                )
            )
            found = response.get("ScalableTargets") or []
            if not found:
                return f"Now: {resource} has no scalable target (it does not auto scale)."
            target = found[0]
            policies = await self._send(
                aas.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=resource, MaxResults=PAGE_SIZE)
            )
            names = [str(p.get("PolicyName")) for p in policies.get("ScalingPolicies") or []]
            return (
                f"Now: {resource} scales between {target.get('MinCapacity')} and {target.get('MaxCapacity')} tasks"
                + (f", with {', '.join(names)}." if names else ", with no policy.")
            )

        return read_back

    async def _register(self, resource: str, **capacity: Any) -> None:
        aas = await self.session.application_autoscaling()
        await self._send_change(
            "RegisterScalableTarget",
            aas.register_scalable_target(
                ServiceNamespace=NAMESPACE, ResourceId=resource, ScalableDimension=DIMENSION, **capacity
            ),
            self._target_read_back(resource),
        )

    async def _put_policy(self, resource: str, name: str, policy_type: str, configuration: Mapping[str, Any]) -> str:
        aas = await self.session.application_autoscaling()
        key = (
            "TargetTrackingScalingPolicyConfiguration"
            if policy_type == "TargetTrackingScaling"
            else "StepScalingPolicyConfiguration"
        )
        response = await self._send_change(
            "PutScalingPolicy",
            aas.put_scaling_policy(
                PolicyName=name,
                ServiceNamespace=NAMESPACE,
                ResourceId=resource,
                ScalableDimension=DIMENSION,
                PolicyType=policy_type,  # type: ignore[arg-type]
                **{key: dict(configuration)},  # type: ignore[arg-type]
            ),
            self._target_read_back(resource),
        )
        return str(response.get("PolicyARN") or "")

    @staticmethod
    def _checked(problem: Invalid | None) -> None:
        if problem is not None:
            raise AwsError(str(problem), kind="invalid")

    async def apply_plan(self, cluster: str, service: str, plan: ServiceScalingPlan) -> None:
        """Make the service auto scale by `plan`: RegisterScalableTarget (min, max), then PutScalingPolicy."""
        self._refuse_if_read_only("apply_scaling_plan")
        self._checked(plan_problem(plan))
        resource = resource_id(cluster, service)
        parameters: dict[str, Any] = {"minimum": plan.minimum, "maximum": plan.maximum}
        if plan.policy is not None:
            parameters["policy"] = {"name": policy_name(service, plan.policy.metric)} | target_tracking_configuration(
                plan.policy
            )
        call = _Call("apply_scaling_plan", resource, parameters, exclusive_as="scaling")

        async def body(call: _Call) -> None:
            await self._register(resource, MinCapacity=plan.minimum, MaxCapacity=plan.maximum)
            if plan.policy is not None:
                await self._put_policy(
                    resource,
                    policy_name(service, plan.policy.metric),
                    "TargetTrackingScaling",
                    target_tracking_configuration(plan.policy),
                )

        await self._mutate(call, body)

    async def remove_service_scaling(self, cluster: str, service: str) -> bool:
        """Stop auto scaling the service: DeregisterScalableTarget (AWS deletes its policies and scheduled actions
        with it). False, and nothing changed, when the service had no scalable target."""
        self._refuse_if_read_only("remove_service_scaling")
        resource = resource_id(cluster, service)
        call = _Call("remove_service_scaling", resource, {}, exclusive_as="scaling")

        async def body(call: _Call) -> bool:
            aas = await self.session.application_autoscaling()
            found = await self._send(
                aas.describe_scalable_targets(
                    ServiceNamespace=NAMESPACE, ResourceIds=[resource], ScalableDimension=DIMENSION
                )
            )
            targets = found.get("ScalableTargets") or []
            if not targets:
                return False
            call.before = {"minimum": targets[0].get("MinCapacity"), "maximum": targets[0].get("MaxCapacity")}
            try:
                await self._send_change(
                    "DeregisterScalableTarget",
                    aas.deregister_scalable_target(
                        ServiceNamespace=NAMESPACE, ResourceId=resource, ScalableDimension=DIMENSION
                    ),
                    self._target_read_back(resource),
                )
            except AwsError as exc:
                if exc.kind == "not_found":  # gone in between: what was asked is done
                    return True
                raise
            return True

        return await self._mutate(call, body)

    async def set_capacity(self, resource: str, minimum: int, maximum: int) -> None:
        """New min and max for a registered target (RegisterScalableTarget updates one that exists)."""
        self._refuse_if_read_only("set_scaling_capacity")
        self._checked(capacity_problem(minimum, maximum))
        call = _Call("set_scaling_capacity", resource, {"minimum": minimum, "maximum": maximum}, exclusive_as="scaling")

        async def body(call: _Call) -> None:
            await self._register(resource, MinCapacity=minimum, MaxCapacity=maximum)

        await self._mutate(call, body)

    async def set_suspended(self, resource: str, suspended: bool) -> None:
        """Suspend (or resume) all of the target's scaling: scale-in, scale-out and scheduled actions together."""
        self._refuse_if_read_only("suspend_scaling" if suspended else "resume_scaling")
        state = {
            "DynamicScalingInSuspended": suspended,
            "DynamicScalingOutSuspended": suspended,
            "ScheduledScalingSuspended": suspended,
        }
        call = _Call("suspend_scaling" if suspended else "resume_scaling", resource, state, exclusive_as="scaling")

        async def body(call: _Call) -> None:
            await self._register(resource, SuspendedState=state)

        await self._mutate(call, body)

    async def put_target_tracking(self, resource: str, name: str, policy: TargetTrackingPlan) -> str:
        """Add (or replace, by name) a target-tracking policy on a registered target; its ARN."""
        self._refuse_if_read_only("put_scaling_policy")
        self._checked(policy_problem(policy))
        configuration = target_tracking_configuration(policy)
        call = _Call("put_scaling_policy", resource, {"name": name} | configuration, exclusive_as="scaling")

        async def body(call: _Call) -> str:
            return await self._put_policy(resource, name, "TargetTrackingScaling", configuration)

        return await self._mutate(call, body)

    async def set_target_value(self, policy: ScalingPolicyRef, target: float) -> None:
        """A target-tracking policy's new target value. PutScalingPolicy replaces the whole policy, so the rest of
        its configuration (metric, cooldowns, scale-in) is sent as AWS holds it."""
        self._refuse_if_read_only("set_target_value")
        if policy.policy_type != "TargetTrackingScaling":
            raise AwsError(f"{policy.name} is not a target-tracking policy; it has no target value.", kind="invalid")
        configuration = dict(policy.configuration)
        predefined = configuration.get("PredefinedMetricSpecification") or {}
        metric = METRIC_OF_PREDEFINED.get(str(predefined.get("PredefinedMetricType")), "requests")
        value = parse_target_value(target, metric)
        if isinstance(value, Invalid):
            raise AwsError(str(value), kind="invalid")
        before = configuration.get("TargetValue")
        configuration["TargetValue"] = value
        call = _Call(
            "set_target_value", f"{policy.resource_id} {policy.name}", {"target": value}, exclusive_as="scaling"
        )
        call.before = {"target": before}

        async def body(call: _Call) -> None:
            await self._put_policy(policy.resource_id, policy.name, policy.policy_type, configuration)

        await self._mutate(call, body)

    async def delete_policy(self, resource: str, name: str) -> None:
        self._refuse_if_read_only("delete_scaling_policy")
        call = _Call("delete_scaling_policy", f"{resource} {name}", {"name": name}, exclusive_as="scaling")

        async def body(call: _Call) -> None:
            aas = await self.session.application_autoscaling()
            await self._send_change(
                "DeleteScalingPolicy",
                aas.delete_scaling_policy(
                    PolicyName=name, ServiceNamespace=NAMESPACE, ResourceId=resource, ScalableDimension=DIMENSION
                ),
                self._target_read_back(resource),
            )

        await self._mutate(call, body)

    async def put_scheduled_action(self, resource: str, action: NewScheduledAction) -> None:
        """Add (or replace, by name) a scheduled action that sets min and/or max at its schedule."""
        self._refuse_if_read_only("put_scheduled_action")
        self._checked(scheduled_action_problem(action))
        capacity: dict[str, int] = {}
        if action.minimum is not None:
            capacity["MinCapacity"] = action.minimum
        if action.maximum is not None:
            capacity["MaxCapacity"] = action.maximum
        request: dict[str, Any] = {
            "ServiceNamespace": NAMESPACE,
            "ScheduledActionName": action.name.strip(),
            "ResourceId": resource,
            "ScalableDimension": DIMENSION,
            "Schedule": action.schedule.strip(),
            "ScalableTargetAction": capacity,
        }
        if action.time_zone and action.time_zone.strip():
            request["Timezone"] = action.time_zone.strip()
        if action.start is not None:
            request["StartTime"] = action.start
        if action.end is not None:
            request["EndTime"] = action.end
        parameters = {k: v for k, v in request.items() if k not in ("StartTime", "EndTime")}
        call = _Call("put_scheduled_action", resource, parameters, exclusive_as="scaling")

        async def body(call: _Call) -> None:
            aas = await self.session.application_autoscaling()
            await self._send_change(
                "PutScheduledAction", aas.put_scheduled_action(**request), self._target_read_back(resource)
            )

        await self._mutate(call, body)

    async def delete_scheduled_action(self, resource: str, name: str) -> None:
        self._refuse_if_read_only("delete_scheduled_action")
        call = _Call("delete_scheduled_action", f"{resource} {name}", {"name": name}, exclusive_as="scaling")

        async def body(call: _Call) -> None:
            aas = await self.session.application_autoscaling()
            await self._send_change(
                "DeleteScheduledAction",
                aas.delete_scheduled_action(
                    ServiceNamespace=NAMESPACE,
                    ScheduledActionName=name,
                    ResourceId=resource,
                    ScalableDimension=DIMENSION,
                ),
                self._target_read_back(resource),
            )

        await self._mutate(call, body)


__all__ = [
    "DIMENSION",
    "MAXIMUM_TASKS",
    "METRIC_CHOICES",
    "METRIC_LABELS",
    "MINIMUM_TASKS",
    "NAMESPACE",
    "PAGE_SIZE",
    "PREDEFINED_METRICS",
    "RESOURCE_IDS_PER_CALL",
    "NewScheduledAction",
    "ScalingActions",
    "ScalingPolicyRef",
    "ServiceScalingPlan",
    "TargetTrackingPlan",
    "capacity_problem",
    "parse_target_value",
    "plan_problem",
    "policy_name",
    "resource_id",
    "scheduled_action_problem",
    "split_resource_id",
]
