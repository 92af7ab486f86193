"""Reading the auto scaling of ECS services: scalable targets, policies, scheduled actions and recent activities.

Every Describe* is paged at Application Auto Scaling's 50 a page, and ResourceIds go 50 to a call. Reads are
proportional to what is shown: the pane reads the region's targets and policies (a page per 50), the detail of
one target its scheduled actions and activities, the services pane one DescribeScalableTargets per 50 services
on screen.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from ecstui.aws.batching import run_all
from ecstui.aws.parse import _bool, _int, _objs, _str, _time
from ecstui.aws.read_errors import reads_aws
from ecstui.aws.service_scaling import (
    DIMENSION,
    METRIC_OF_PREDEFINED,
    NAMESPACE,
    PAGE_SIZE,
    RESOURCE_IDS_PER_CALL,
    ScalingPolicyRef,
    split_resource_id,
)
from ecstui.aws.session import AwsSession
from ecstui.aws.ttl_cache import TtlCache

# Targets and policies change when someone edits them; activities as the service scales. The pane polls
# faster than this only after a change of ecstui's own (which clears the cache).
TARGETS_TTL: Final = 15.0
# Loops on a NextToken handed back twice are cut here; 200 pages of 50 is 10,000 targets.
MAX_PAGES: Final = 200


@dataclass(frozen=True, slots=True)
class SuspendedState:
    dynamic_in: bool = False
    dynamic_out: bool = False
    scheduled: bool = False

    @property
    def any(self) -> bool:
        return self.dynamic_in or self.dynamic_out or self.scheduled

    def describe(self) -> str:
        if self.dynamic_in and self.dynamic_out and self.scheduled:
            return "suspended"
        flags = (("scale-in", self.dynamic_in), ("scale-out", self.dynamic_out), ("scheduled", self.scheduled))
        parts = [name for name, on in flags if on]
        return ("suspended: " + ", ".join(parts)) if parts else "active"


@dataclass(frozen=True, slots=True)
class ScalableTarget:
    resource_id: str
    cluster: str
    service: str
    minimum: int
    maximum: int
    suspended: SuspendedState
    created_at: datetime | None
    arn: str | None = None


@dataclass(frozen=True, slots=True)
class StepAdjustment:
    lower: float | None
    upper: float | None
    adjustment: int


@dataclass(frozen=True, slots=True)
class ScalingPolicy:
    name: str
    arn: str
    resource_id: str
    policy_type: str  # TargetTrackingScaling, StepScaling, PredictiveScaling
    metric: str | None  # "cpu", "memory", "requests", a custom metric's name, or None for step scaling
    target: float | None
    scale_in_cooldown: int | None
    scale_out_cooldown: int | None
    disable_scale_in: bool
    alarms: tuple[str, ...]
    adjustment_type: str | None
    steps: tuple[StepAdjustment, ...]
    cooldown: int | None
    created_at: datetime | None
    # The policy's configuration as AWS holds it, for a PutScalingPolicy that changes one value of it.
    configuration: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def ref(self) -> ScalingPolicyRef:
        return ScalingPolicyRef(self.name, self.resource_id, self.policy_type, self.configuration)

    def describe(self) -> str:
        """The policy in a line: what it tracks or which alarms drive its steps."""
        if self.policy_type == "TargetTrackingScaling":
            what = {"cpu": "CPU", "memory": "memory", "requests": "requests/target"}.get(self.metric or "", self.metric)
            unit = "%" if self.metric in ("cpu", "memory") else ""
            cooldowns = f"in {self.scale_in_cooldown}s/out {self.scale_out_cooldown}s"
            tail = ", scale-in disabled" if self.disable_scale_in else ""
            return f"target tracking {what} {self.target:g}{unit} (cooldown {cooldowns}){tail}"
        if self.policy_type == "StepScaling":
            steps = ", ".join(
                f"[{'' if s.lower is None else f'{s.lower:g}'}..{'' if s.upper is None else f'{s.upper:g}'}] "
                f"{s.adjustment:+d}"
                for s in self.steps
            )
            alarms = ", ".join(self.alarms) or "no alarm"
            return f"step scaling ({self.adjustment_type or '-'}) {steps}; alarms {alarms}"
        return self.policy_type


@dataclass(frozen=True, slots=True)
class ScheduledAction:
    name: str
    resource_id: str
    schedule: str
    time_zone: str | None
    minimum: int | None
    maximum: int | None
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True, slots=True)
class ScalingActivity:
    activity_id: str
    resource_id: str
    description: str
    cause: str
    status: str
    status_message: str | None
    started_at: datetime | None
    ended_at: datetime | None


def _suspended(d: Any) -> SuspendedState:
    d = d if isinstance(d, Mapping) else {}
    return SuspendedState(
        _bool(d.get("DynamicScalingInSuspended")),
        _bool(d.get("DynamicScalingOutSuspended")),
        _bool(d.get("ScheduledScalingSuspended")),
    )


def target_from_api(d: Mapping[str, Any]) -> ScalableTarget | None:
    resource = _str(d.get("ResourceId")) or ""
    names = split_resource_id(resource)
    if names is None:
        return None
    return ScalableTarget(
        resource_id=resource,
        cluster=names[0],
        service=names[1],
        minimum=_int(d.get("MinCapacity")) or 0,
        maximum=_int(d.get("MaxCapacity")) or 0,
        suspended=_suspended(d.get("SuspendedState")),
        created_at=_time(d.get("CreationTime")),
        arn=_str(d.get("ScalableTargetARN")),
    )


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def policy_from_api(d: Mapping[str, Any]) -> ScalingPolicy:
    tracking = d.get("TargetTrackingScalingPolicyConfiguration")
    step = d.get("StepScalingPolicyConfiguration")
    tracking = tracking if isinstance(tracking, Mapping) else None
    step = step if isinstance(step, Mapping) else None
    metric: str | None = None
    if tracking is not None:
        predefined = tracking.get("PredefinedMetricSpecification")
        custom = tracking.get("CustomizedMetricSpecification")
        if isinstance(predefined, Mapping):
            kind = _str(predefined.get("PredefinedMetricType")) or ""
            metric = METRIC_OF_PREDEFINED.get(kind, kind or None)
        elif isinstance(custom, Mapping):
            metric = _str(custom.get("MetricName")) or "custom metric"
    steps = tuple(
        StepAdjustment(
            _float(s.get("MetricIntervalLowerBound")),
            _float(s.get("MetricIntervalUpperBound")),
            _int(s.get("ScalingAdjustment")) or 0,
        )
        for s in _objs((step or {}).get("StepAdjustments"))
    )
    return ScalingPolicy(
        name=_str(d.get("PolicyName")) or "",
        arn=_str(d.get("PolicyARN")) or "",
        resource_id=_str(d.get("ResourceId")) or "",
        policy_type=_str(d.get("PolicyType")) or "",
        metric=metric,
        target=_float((tracking or {}).get("TargetValue")),
        scale_in_cooldown=_int((tracking or {}).get("ScaleInCooldown")),
        scale_out_cooldown=_int((tracking or {}).get("ScaleOutCooldown")),
        disable_scale_in=_bool((tracking or {}).get("DisableScaleIn")),
        alarms=tuple(name for a in _objs(d.get("Alarms")) if (name := _str(a.get("AlarmName")))),
        adjustment_type=_str((step or {}).get("AdjustmentType")),
        steps=steps,
        cooldown=_int((step or {}).get("Cooldown")),
        created_at=_time(d.get("CreationTime")),
        configuration=dict(tracking or step or {}),
    )


def scheduled_action_from_api(d: Mapping[str, Any]) -> ScheduledAction:
    action = d.get("ScalableTargetAction")
    action = action if isinstance(action, Mapping) else {}
    return ScheduledAction(
        name=_str(d.get("ScheduledActionName")) or "",
        resource_id=_str(d.get("ResourceId")) or "",
        schedule=_str(d.get("Schedule")) or "",
        time_zone=_str(d.get("Timezone")),
        minimum=_int(action.get("MinCapacity")),
        maximum=_int(action.get("MaxCapacity")),
        start=_time(d.get("StartTime")),
        end=_time(d.get("EndTime")),
    )


def activity_from_api(d: Mapping[str, Any]) -> ScalingActivity:
    return ScalingActivity(
        activity_id=_str(d.get("ActivityId")) or "",
        resource_id=_str(d.get("ResourceId")) or "",
        description=_str(d.get("Description")) or "",
        cause=_str(d.get("Cause")) or "",
        status=_str(d.get("StatusCode")) or "",
        status_message=_str(d.get("StatusMessage")),
        started_at=_time(d.get("StartTime")),
        ended_at=_time(d.get("EndTime")),
    )


def _batches(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


@dataclass(frozen=True, slots=True)
class TargetDetail:
    """What the pane shows of the selected target beyond its row: scheduled actions and recent activities."""

    scheduled_actions: tuple[ScheduledAction, ...]
    activities: tuple[ScalingActivity, ...]


class ScalingReader:
    """Reads Application Auto Scaling of the region's ECS services, paged within AAS's limits, briefly cached."""

    def __init__(
        self, session: AwsSession, *, ttl: float = TARGETS_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.session = session
        self._cache = TtlCache(ttl, clock)

    def forget(self) -> None:
        """Drop cached answers (after ecstui changed a target, policy or scheduled action)."""
        self._cache.clear()

    async def _pages(self, operation: Callable[..., Awaitable[Any]], key: str, **request: Any) -> list[Any]:
        items: list[Any] = []
        token: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page_request = dict(request, MaxResults=PAGE_SIZE)
            if token:
                page_request["NextToken"] = token
            response = await operation(**page_request)
            items.extend(_objs(response.get(key)))
            token = _str(response.get("NextToken"))
            if not token or token in seen:
                break
            seen.add(token)
        return items

    @reads_aws
    async def targets(self) -> list[ScalableTarget]:
        """Every scalable ECS service of the region, by cluster and service."""

        async def load() -> list[ScalableTarget]:
            aas = await self.session.application_autoscaling()
            raw = await self._pages(
                aas.describe_scalable_targets,
                "ScalableTargets",
                ServiceNamespace=NAMESPACE,
                ScalableDimension=DIMENSION,
            )
            found = [t for d in raw if (t := target_from_api(d)) is not None]
            return sorted(found, key=lambda t: (t.cluster, t.service))

        found: list[ScalableTarget] = await self._cache.get_or_load(("targets",), load)
        return found

    @reads_aws
    async def targets_of(self, cluster: str, services: Sequence[str]) -> dict[str, ScalableTarget]:
        """The scalable targets of some services of one cluster, by service name: one call per 50 services."""
        resources = [f"service/{cluster}/{name}" for name in dict.fromkeys(services)]
        if not resources:
            return {}
        aas = await self.session.application_autoscaling()

        async def batch(ids: list[str]) -> list[Any]:
            return await self._pages(
                aas.describe_scalable_targets,
                "ScalableTargets",
                ServiceNamespace=NAMESPACE,
                ResourceIds=ids,
                ScalableDimension=DIMENSION,
            )

        pages = await run_all(batch(ids) for ids in _batches(resources, RESOURCE_IDS_PER_CALL))
        found = [t for page in pages for d in page if (t := target_from_api(d)) is not None]
        return {t.service: t for t in found if t.cluster == cluster}

    @reads_aws
    async def policies(self) -> list[ScalingPolicy]:
        """Every scaling policy on the region's ECS services."""

        async def load() -> list[ScalingPolicy]:
            aas = await self.session.application_autoscaling()
            raw = await self._pages(aas.describe_scaling_policies, "ScalingPolicies", ServiceNamespace=NAMESPACE)
            return sorted((policy_from_api(d) for d in raw), key=lambda p: (p.resource_id, p.name))

        found: list[ScalingPolicy] = await self._cache.get_or_load(("policies",), load)
        return found

    @reads_aws
    async def detail(self, resource: str) -> TargetDetail:
        """Scheduled actions and the recent activities of one target (newest first)."""
        aas = await self.session.application_autoscaling()
        scheduled, activities = await run_all(
            [
                self._pages(
                    aas.describe_scheduled_actions,
                    "ScheduledActions",
                    ServiceNamespace=NAMESPACE,
                    ResourceId=resource,
                    ScalableDimension=DIMENSION,
                ),
                self._activities(resource),
            ]
        )
        return TargetDetail(
            tuple(sorted((scheduled_action_from_api(d) for d in scheduled), key=lambda a: a.name)),
            tuple(activity_from_api(d) for d in activities),
        )

    async def _activities(self, resource: str) -> list[Any]:
        # Only the first page: the pane shows the recent ones, and AWS keeps six weeks of them.
        aas = await self.session.application_autoscaling()
        response = await aas.describe_scaling_activities(
            ServiceNamespace=NAMESPACE, ResourceId=resource, ScalableDimension=DIMENSION, MaxResults=PAGE_SIZE
        )
        return _objs(response.get("ScalingActivities"))


__all__ = [
    "ScalableTarget",
    "ScalingActivity",
    "ScalingPolicy",
    "ScalingReader",
    "ScheduledAction",
    "StepAdjustment",
    "SuspendedState",
    "TargetDetail",
]
