"""What Application Auto Scaling does and moto does not: scale ECS services by their policies, run scheduled actions.

Each simulator step, for each scalable ECS service of the region:
- the desired count is brought within min..max (AAS does so when min or max changes);
- due scheduled actions (at(), rate(), cron() in their time zone) set min and/or max;
- once a metric period, each target-tracking policy compares the service's simulated load with its target and
  sets the desired count to ceil(running x load / target), within min..max, after its cooldown (scale-out and
  scale-in each; scale-in not when disabled or suspended).
Every change is recorded as a scaling activity (answered by scaling_api's DescribeScalingActivities).

The load of a service is the simulator's own metric baseline, unless a test or the demo set a demand with
`set_demand` (in "task-percent": 300 CPU means three tasks' worth of full CPU), which spreads over the tasks.
All state lives on moto's backend objects, so snapshots and resets carry it. Nothing here draws from a random
stream, so the rest of the simulation is the same with or without it.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from moto.core.models import DEFAULT_ACCOUNT_ID

from ecstui.emulator.scaling_api import activities_of, backend_for

DIMENSION = "ecs:service:DesiredCount"
METRICS = {
    "ECSServiceAverageCPUUtilization": "cpu",
    "ECSServiceAverageMemoryUtilization": "memory",
    "ALBRequestCountPerTarget": "requests",
}
MAX_ACTIVITIES = 500  # per region; AWS keeps six weeks, the demo needs the recent ones
_ACTIVITY_NAMESPACE = uuid.UUID("6f1c9a52-7d5e-4d6b-9e8a-2f0b7c1d3e4a")
# Cron minutes looked at when catching up after a long pause: a day.
MAX_CRON_CATCH_UP = 24 * 60
NEVER = datetime.min.replace(tzinfo=UTC)


def set_demand(
    service: Any, *, cpu: float | None = None, memory: float | None = None, requests: float | None = None
) -> None:
    """Give a service a total load, spread over its running tasks (None leaves that metric at its baseline)."""
    service._ecstui_demand = {"cpu": cpu, "memory": memory, "requests": requests}


def load_of(service: Any, metric: str, baseline: float) -> float:
    """The average per-task load of `metric` ("cpu", "memory", "requests") the service shows now."""
    demand = (getattr(service, "_ecstui_demand", None) or {}).get(metric)
    if demand is None:
        return baseline
    running = max(int(service.running_count or 0), 1)
    value = float(demand) / running
    return min(value, 100.0) if metric in ("cpu", "memory") else value


def _epoch(when: datetime) -> float:
    return when.timestamp()


def _record(aas: Any, resource: str, description: str, cause: str, now: datetime, message: str) -> None:
    activities = activities_of(aas)
    counter = int(getattr(aas, "_ecstui_activity_count", 0)) + 1
    aas._ecstui_activity_count = counter
    activities.append(
        {
            "ActivityId": str(uuid.uuid5(_ACTIVITY_NAMESPACE, f"{resource}/{counter}")),
            "ServiceNamespace": "ecs",
            "ResourceId": resource,
            "ScalableDimension": DIMENSION,
            "Description": description,
            "Cause": cause,
            "StartTime": _epoch(now),
            "EndTime": _epoch(now),
            "StatusCode": "Successful",
            "StatusMessage": f"Successfully {message}. Change successfully fulfilled by ecs.",
        }
    )
    del activities[:-MAX_ACTIVITIES]


def _set_desired(aas: Any, service: Any, resource: str, desired: int, cause: str, now: datetime) -> None:
    if desired == service.desired_count:
        return
    service.desired_count = desired
    _record(aas, resource, f"Setting desired count to {desired}.", cause, now, f"set desired count to {desired}")


def _suspended(target: Any, key: str) -> bool:
    state = target.suspended_state if isinstance(target.suspended_state, dict) else {}
    return bool(state.get(key))


def step(ecs: Any, region: str, now: datetime, metric_due: bool, baseline: Callable[[str, str], float]) -> None:
    """One step of AAS over the region's ECS services (under the emulator's lock, from the simulator's step).

    `baseline(service_key, metric)` is the simulator's own load of a service without a demand set.
    """
    aas = backend_for(region)
    targets = aas.targets.get(DIMENSION) or {}
    for resource, target in list(targets.items()):
        if target.service_namespace != "ecs":
            continue
        parts = resource.split("/")
        if len(parts) != 3:
            continue
        service = ecs.services.get(f"{parts[1]}:{parts[2]}")
        if service is None or service.status != "ACTIVE":
            continue
        if not _suspended(target, "ScheduledScalingSuspended"):
            _run_scheduled(aas, target, service, resource, now)
        low = int(target.min_capacity or 0)
        high = int(target.max_capacity if target.max_capacity is not None else service.desired_count)
        if service.desired_count < low:
            _set_desired(aas, service, resource, low, f"minimum capacity was set to {low}", now)
        elif service.desired_count > high:
            _set_desired(aas, service, resource, high, f"maximum capacity was set to {high}", now)
        elif metric_due:
            _track(aas, target, service, resource, low, high, now, baseline)


def _track(
    aas: Any,
    target: Any,
    service: Any,
    resource: str,
    low: int,
    high: int,
    now: datetime,
    baseline: Callable[[str, str], float],
) -> None:
    key = f"{service.cluster_name}:{service.name}"
    for policy in list(aas.policies.values()):
        if policy.resource_id != resource or policy.policy_type != "TargetTrackingScaling":
            continue
        config = policy.target_tracking_scaling_policy_configuration or {}
        predefined = config.get("PredefinedMetricSpecification") or {}
        metric = METRICS.get(str(predefined.get("PredefinedMetricType")))
        target_value = float(config.get("TargetValue") or 0)
        if metric is None or target_value <= 0:
            continue
        current = int(service.desired_count)
        if int(service.running_count or 0) != current:
            return  # still settling on the last count: its average would mislead (AAS waits out its alarms too)
        load = load_of(service, metric, baseline(key, metric))
        if metric == "requests":
            _put_requests_metric(aas.region_name, str(predefined.get("ResourceLabel") or ""), load, now)
        wanted = max(low, min(high, math.ceil(current * load / target_value - 1e-9)))
        timers: dict[str, datetime] = policy.__dict__.setdefault("_ecstui_last", {})
        alarm = f"TargetTracking-{resource}-Alarm{'High' if wanted > current else 'Low'}"
        cause = f"monitor alarm {alarm} in state ALARM triggered policy {policy.policy_name}"
        if wanted > current and not _suspended(target, "DynamicScalingOutSuspended"):
            cooldown = timedelta(seconds=int(config.get("ScaleOutCooldown", 300) or 0))
            if now - timers.get("out", NEVER) >= cooldown:
                timers["out"] = now
                _set_desired(aas, service, resource, wanted, cause, now)
                return
        elif wanted < current and not config.get("DisableScaleIn"):
            if _suspended(target, "DynamicScalingInSuspended"):
                return
            cooldown = timedelta(seconds=int(config.get("ScaleInCooldown", 300) or 0))
            # Scale-in waits out the last scale-out too, so a burst is not undone at once.
            last = max(timers.get("in", NEVER), timers.get("out", NEVER))
            if now - last >= cooldown:
                timers["in"] = now
                _set_desired(aas, service, resource, wanted, cause, now)
                return


def _put_requests_metric(region: str, label: str, value: float, now: datetime) -> None:
    """ALBRequestCountPerTarget as the load balancer would report it, so a graph of it agrees with the scaling."""
    from moto.cloudwatch.models import cloudwatch_backends

    # app/<lb>/<id>/targetgroup/<tg>/<id> -> LoadBalancer app/<lb>/<id>, TargetGroup targetgroup/<tg>/<id>
    parts = label.split("/")
    if len(parts) != 6 or parts[3] != "targetgroup":
        return
    dimensions = [
        {"Name": "LoadBalancer", "Value": "/".join(parts[:3])},
        {"Name": "TargetGroup", "Value": "/".join(parts[3:])},
    ]
    data = [
        {
            "MetricName": "RequestCountPerTarget",
            "Dimensions": dimensions,
            "Timestamp": now,
            "Value": value,
            "Unit": "Count",
        }
    ]
    cloudwatch_backends[str(DEFAULT_ACCOUNT_ID)][region].put_metric_data("AWS/ApplicationELB", data)


# --- scheduled actions ----------------------------------------------------------------------------------


def _run_scheduled(aas: Any, target: Any, service: Any, resource: str, now: datetime) -> None:
    for action in list(aas.scheduled_actions):
        if action.resource_id != resource or action.scalable_dimension != DIMENSION:
            continue
        last: datetime | None = action.__dict__.get("_ecstui_last_check")
        action._ecstui_last_check = now
        if last is None:
            # First seen now: nothing before runs (an at() in the past included), and rate() counts from here.
            # The simulator's clock, not moto's creation time, so that a seeded demo steps the same every run.
            action._ecstui_origin = now
            continue
        if not _due(action, last, now):
            continue
        capacity = action.scalable_target_action or {}
        changed = []
        if capacity.get("MinCapacity") is not None:
            target.min_capacity = int(capacity["MinCapacity"])
            changed.append(f"min capacity to {target.min_capacity}")
        if capacity.get("MaxCapacity") is not None:
            target.max_capacity = int(capacity["MaxCapacity"])
            changed.append(f"max capacity to {target.max_capacity}")
        if changed:
            what = " and ".join(changed)
            _record(
                aas,
                resource,
                f"Setting {what}.",
                f"scheduled action name {action.scheduled_action_name} was triggered",
                now,
                f"set {what}",
            )


def _zone(action: Any) -> ZoneInfo | Any:
    try:
        return ZoneInfo(action.timezone) if action.timezone else UTC
    except Exception:
        return UTC


def _due(action: Any, last: datetime, now: datetime) -> bool:
    """Whether the action's schedule has a run in (last, now]."""
    schedule = str(action.schedule or "").strip()
    zone = _zone(action)
    if schedule.startswith("at(") and schedule.endswith(")"):
        try:
            when = datetime.fromisoformat(schedule[3:-1]).replace(tzinfo=zone)
        except ValueError:
            return False
        return last < when <= now
    if schedule.startswith("rate(") and schedule.endswith(")"):
        try:
            amount, unit = schedule[5:-1].split()
            seconds = int(amount) * {"minute": 60, "hour": 3600, "day": 86400}[unit.rstrip("s")]
        except (ValueError, KeyError):
            return False
        origin: float = action.__dict__.get("_ecstui_origin", last).timestamp()
        return math.floor((now.timestamp() - origin) / seconds) > math.floor((last.timestamp() - origin) / seconds)
    if schedule.startswith("cron(") and schedule.endswith(")"):
        fields = schedule[5:-1].split()
        if len(fields) != 6:
            return False
        minute = last.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(MAX_CRON_CATCH_UP):
            if minute > now:
                return False
            if cron_matches(fields, minute.astimezone(zone)):
                return True
            minute += timedelta(minutes=1)
    return False


_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}


def _field_matches(field: str, value: int, names: dict[str, int], low: int) -> bool:
    if field in ("*", "?"):
        return True
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, 10**6
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = names.get(a.upper()) or int(a), names.get(b.upper()) or int(b)
        else:
            start = names.get(part.upper()) or int(part)
            end = start if step == 1 else 10**6
        if start <= value <= end and (value - start) % step == 0:
            return True
    return False


def cron_matches(fields: list[str], when: datetime) -> bool:
    """Whether AAS's six-field cron (minutes hours day-of-month month day-of-week year) fires at `when`."""
    minute, hour, dom, month, dow, year = fields
    weekday = (when.isoweekday() % 7) + 1  # cron: SUN=1 .. SAT=7
    try:
        return (
            _field_matches(minute, when.minute, {}, 0)
            and _field_matches(hour, when.hour, {}, 0)
            and _field_matches(dom, when.day, {}, 1)
            and _field_matches(month, when.month, _MONTHS, 1)
            and _field_matches(dow, weekday, _DAYS, 1)
            and _field_matches(year, when.year, {}, 1970)
        )
    except ValueError:
        return False  # L, W, # and other forms the simulation does not evaluate


def forget_deregistered(region: str, resource: str, dimension: str) -> None:
    """AWS deletes a target's policies and scheduled actions with it; moto keeps them."""
    aas = backend_for(region)
    for key, policy in list(aas.policies.items()):
        if policy.resource_id == resource and policy.scalable_dimension == dimension:
            del aas.policies[key]
    aas.scheduled_actions = [
        a for a in aas.scheduled_actions if not (a.resource_id == resource and a.scalable_dimension == dimension)
    ]


def seed_demo_scaling(aas: Any) -> None:
    """The demo's auto scaling: two services with a target, a CPU (or memory) policy and a scheduled action.

    The targets are above what the demo's baseline load reaches and min is the seeded count, so the demo's
    services keep their counts until someone lowers a target or raises a minimum in the pane.
    """
    from moto.moto_api._internal import mock_random

    # moto draws the policies' and targets' ids from its seeded random stream: put back where it was, so that
    # every id the rest of the demo draws (tasks, ENIs, IPs) is what it was before the demo had auto scaling.
    random_state = mock_random.getstate()
    try:
        _put_demo_scaling(aas)
    finally:
        mock_random.setstate(random_state)


def _put_demo_scaling(aas: Any) -> None:
    for service, low, high, metric, value in (
        ("api", 8, 20, "ECSServiceAverageCPUUtilization", 75.0),
        ("checkout", 4, 12, "ECSServiceAverageMemoryUtilization", 80.0),
    ):
        resource = f"service/prod/{service}"
        aas.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=resource,
            ScalableDimension=DIMENSION,
            MinCapacity=low,
            MaxCapacity=high,
        )
        aas.put_scaling_policy(
            PolicyName=f"{service}-{METRICS[metric]}-target-tracking",
            ServiceNamespace="ecs",
            ResourceId=resource,
            ScalableDimension=DIMENSION,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": value,
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                "ScaleInCooldown": 300,
                "ScaleOutCooldown": 60,
            },
        )
    aas.put_scheduled_action(
        ServiceNamespace="ecs",
        ScheduledActionName="business-hours",
        ResourceId="service/prod/api",
        ScalableDimension=DIMENSION,
        Schedule="cron(0 8 ? * MON-FRI *)",
        Timezone="Europe/Paris",
        ScalableTargetAction={"MinCapacity": 8, "MaxCapacity": 20},
    )
    aas.put_scheduled_action(
        ServiceNamespace="ecs",
        ScheduledActionName="nightly-floor",
        ResourceId="service/prod/api",
        ScalableDimension=DIMENSION,
        Schedule="cron(0 22 * * ? *)",
        Timezone="Europe/Paris",
        ScalableTargetAction={"MinCapacity": 8, "MaxCapacity": 12},
    )


__all__ = ["cron_matches", "forget_deregistered", "load_of", "seed_demo_scaling", "set_demand", "step"]
