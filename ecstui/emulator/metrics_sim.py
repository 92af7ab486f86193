"""The metrics the demo's services publish to CloudWatch, with load that moves as a real service's does.

Once a metric period (a minute) the simulator calls `publish`; `backfill` gives a new account a day of history.
What is published, as AWS publishes it:
- AWS/ECS CPUUtilization and MemoryUtilization by ClusterName + ServiceName, one datapoint a minute with the
  tasks' spread in it (SampleCount = running tasks, Maximum = the busiest task): Average and Maximum differ.
- Load: a per-service base, a daily shape (busiest in the European afternoon), slow waves and per-minute noise,
  so a sparkline moves minute by minute; a demand set with scaling_sim.set_demand shows here too.
- The crash-loop and oom services' memory climbs towards the limit and drops when a task is killed: their tasks
  are killed every few simulator steps, faster than a minute, so the service's per-minute memory is drawn as the
  kill cycle a per-minute graph of such a service shows (a sawtooth), and each task's own memory climbs with the
  time it has been running.
- AWS/ApplicationELB for services behind an ALB target group: RequestCountPerTarget (TargetGroup), and
  TargetResponseTime and HTTPCode_Target_5XX_Count (LoadBalancer + TargetGroup); the unhealthy-target service
  answers slower and with many more 5xx.
- ECS/ContainerInsights on clusters with Container Insights on: RunningTaskCount by ClusterName + ServiceName, and
  CpuUtilized/CpuReserved/MemoryUtilized/MemoryReserved by ClusterName + TaskDefinitionFamily (the family's
  average task), and with "enhanced" also by ClusterName + TaskDefinitionFamily + TaskId.

Bounded: the series live in the CloudWatch backend's SeriesStore (arrays of doubles, pickled with the backend);
older datapoints are thinned as CloudWatch's own charts need them (every minute for an hour, every 5 minutes to 6
hours, every 15 minutes to a day, then dropped), task-level series kept an hour. Deterministic: nothing here
draws from the simulator's random stream (a hash of service and minute instead), so adding it moved no other id.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from ecstui.emulator import scaling_sim
from ecstui.emulator.metrics_api import SeriesStore, cloudwatch_backend, series_key, store_of

TRIM_EVERY = timedelta(minutes=10)
DAY = 86_400.0


def _unit(*parts: object) -> float:
    """A stable number in [0, 1) from its parts (the same every run)."""
    return (zlib.crc32("/".join(map(str, parts)).encode()) % 10_000) / 10_000.0


def insights_level(cluster: Any) -> str | None:
    """ "enabled", "enhanced", or None when the cluster has Container Insights off."""
    for setting in getattr(cluster, "settings", None) or []:
        if setting.get("name") == "containerInsights" and setting.get("value") in ("enabled", "enhanced"):
            return str(setting["value"])
    return None


def behaviour(service: Any) -> str | None:
    from ecstui.emulator.simulator import behaviour_of

    return behaviour_of(service)


def utilisation(key: str, metric: str, when: datetime, kind: str | None = None) -> float:
    """The average CPU or memory (%) of a service at a minute: base, daily shape, waves, noise."""
    minute = int(when.timestamp() // 60)
    if metric == "memory" and kind in ("oom", "crash-loop"):
        cycle = 6 if kind == "oom" else 4
        phase = (minute % cycle) / (cycle - 1)
        return round(min(99.0, 38.0 + 58.0 * phase + 2.0 * _unit(key, metric, minute)), 2)
    base = 14.0 + 36.0 * _unit(key, metric, "base")
    seconds = when.timestamp() % DAY
    daily = math.sin(2 * math.pi * (seconds / DAY - 0.375))  # +1 at 15:00 UTC, -1 at 03:00
    waves = math.sin(2 * math.pi * minute / (17 + 11 * _unit(key, "p1"))) + 0.6 * math.sin(
        2 * math.pi * minute / (43 + 23 * _unit(key, "p2")) + 6 * _unit(key, "phase")
    )
    swing = 0.45 if metric == "cpu" else 0.15  # memory moves less than CPU
    value = base * (1 + swing * daily) + (4.0 if metric == "cpu" else 1.5) * waves
    value += (6.0 if metric == "cpu" else 1.5) * (_unit(key, metric, minute) - 0.5)
    return round(max(1.0, min(97.0, value)), 2)


def _service_key(service: Any) -> str:
    return f"{service.cluster_name}:{service.name}"


def _services(ecs: Any) -> list[Any]:
    return [s for s in ecs.services.values() if s.status == "ACTIVE" and int(s.desired_count or 0) > 0]


def _put_utilisation(store: SeriesStore, service: Any, when: datetime, tasks: int, weight: float = 1.0) -> None:
    key = _service_key(service)
    kind = behaviour(service)
    dims = (("ClusterName", service.cluster_name), ("ServiceName", service.name))
    for metric, name in (("cpu", "CPUUtilization"), ("memory", "MemoryUtilization")):
        average = scaling_sim.load_of(service, metric, utilisation(key, metric, when, kind))
        count = max(1, tasks)
        # The busiest task runs hotter than the average by a spread that varies per minute.
        spread = 1.08 + 0.3 * _unit(key, metric, "max", int(when.timestamp() // 60)) if count > 1 else 1.0
        high = min(100.0, average * spread)
        low = max(0.0, 2 * average - high) if count > 1 else average
        store.put(series_key("AWS/ECS", name, dims), when, average * count * weight, low, high, count * weight)


def _alb_groups(elbv2: Any, service: Any) -> list[tuple[str, str]]:
    """(TargetGroup, LoadBalancer) dimension values of the service's ALB target groups."""
    found = []
    for ref in getattr(service, "load_balancers", None) or []:
        arn = ref.get("targetGroupArn")
        group = elbv2.target_groups.get(arn) if arn else None
        if group is None:
            continue
        for lb_arn in getattr(group, "load_balancer_arns", None) or []:
            lb = elbv2.load_balancers.get(lb_arn)
            if lb is None or getattr(lb, "type", "application") != "application":
                continue
            found.append((arn.partition(":targetgroup/")[2], lb_arn.partition(":loadbalancer/")[2]))
    return [(f"targetgroup/{tg}", lb) for tg, lb in found if tg and lb]


def _put_alb(store: SeriesStore, elbv2: Any, service: Any, when: datetime, tasks: int, weight: float = 1.0) -> None:
    groups = _alb_groups(elbv2, service)
    if not groups or tasks <= 0:
        return
    key = _service_key(service)
    minute = int(when.timestamp() // 60)
    sick = behaviour(service) == "unhealthy-target"
    load = utilisation(key, "cpu", when) / 50.0
    per_target = scaling_sim.load_of(service, "requests", round(60 + 240 * _unit(key, "rps") * load, 1))
    for tg, lb in groups:
        requests = series_key("AWS/ApplicationELB", "RequestCountPerTarget", (("TargetGroup", tg),))
        store.put_value(requests, when, per_target, weight)
        both = (("LoadBalancer", lb), ("TargetGroup", tg))
        total = per_target * tasks
        latency = (0.03 + 0.09 * _unit(key, "latency")) * (0.8 + 0.4 * load) + 0.02 * _unit(key, "lat", minute)
        if sick:
            latency *= 3.5
        store.put(
            series_key("AWS/ApplicationELB", "TargetResponseTime", both),
            when,
            latency * total * weight,
            latency * 0.2,
            latency * 6,
            max(1.0, total) * weight,
        )
        rate = 0.04 + 0.06 * _unit(key, "5xx", minute) if sick else 0.001 * _unit(key, "5xx", minute)
        errors = series_key("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", both)
        store.put_value(errors, when, round(total * rate), weight)


def _family(arn: str) -> str:
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def _put_insights(store: SeriesStore, ecs: Any, service: Any, level: str, when: datetime, tasks: list[Any]) -> None:
    cluster = service.cluster_name
    service_dims = (("ClusterName", cluster), ("ServiceName", service.name))
    store.put_value(series_key("ECS/ContainerInsights", "RunningTaskCount", service_dims), when, float(len(tasks)))
    if not tasks:
        return
    key = _service_key(service)
    kind = behaviour(service)
    families: dict[str, list[tuple[float, float, float, float]]] = {}
    for task in tasks:
        cpu_reserved = float(task.cpu or 256)
        memory_reserved = float(task.memory or 512)
        task_id = str(task.task_arn).rsplit("/", 1)[-1]
        cpu = scaling_sim.load_of(service, "cpu", utilisation(key, "cpu", when)) / 100.0
        cpu *= 0.8 + 0.4 * _unit(task_id, "cpu", int(when.timestamp() // 60))
        sim = getattr(task, "_ecstui_sim", None)
        if kind in ("oom", "crash-loop") and sim is not None:
            memory = min(0.98, 0.35 + 0.15 * sim.running_steps)  # climbs until the kill
        else:
            memory = scaling_sim.load_of(service, "memory", utilisation(key, "memory", when)) / 100.0
            memory *= 0.95 + 0.1 * _unit(task_id, "memory")
        values = (min(cpu, 1.0) * cpu_reserved, cpu_reserved, memory * memory_reserved, memory_reserved)
        family = _family(str(task.task_definition_arn))
        families.setdefault(family, []).append(values)
        if level == "enhanced":
            task_dims = (("ClusterName", cluster), ("TaskDefinitionFamily", family), ("TaskId", task_id))
            for name, value in zip(
                ("CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved"), values, strict=True
            ):
                store.put_value(series_key("ECS/ContainerInsights", name, task_dims), when, round(value, 2))
    for family, rows in families.items():
        dims = (("ClusterName", cluster), ("TaskDefinitionFamily", family))
        for position, name in enumerate(("CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved")):
            column = [row[position] for row in rows]
            store.put(
                series_key("ECS/ContainerInsights", name, dims),
                when,
                sum(column),
                min(column),
                max(column),
                float(len(column)),
            )


def _running_tasks(ecs: Any, service: Any) -> list[Any]:
    tasks = ecs.tasks.get(service.cluster_name, {})
    group = f"service:{service.name}"
    return [t for t in tasks.values() if t.group == group and t.last_status == "RUNNING"]


def publish(ecs: Any, elbv2: Any, region: str, now: datetime) -> None:
    """One minute's datapoints of every running service (under the emulator's lock, from the simulator's step)."""
    backend = cloudwatch_backend(region)
    store = store_of(backend)
    clusters = {c.name: c for c in ecs.clusters.values()}
    for service in _services(ecs):
        running = _running_tasks(ecs, service)
        if not running:
            continue  # ECS publishes nothing for a service without running tasks
        _put_utilisation(store, service, now, len(running))
        _put_alb(store, elbv2, service, now, len(running))
        level = insights_level(clusters.get(service.cluster_name))
        if level is not None:
            _put_insights(store, ecs, service, level, now, running)
    last = getattr(backend, "_ecstui_trimmed_at", None)
    if last is None or now - last >= TRIM_EVERY or now < last:
        backend._ecstui_trimmed_at = now
        trim(store, now)


def history_minutes(span: timedelta = timedelta(hours=24)) -> Iterable[tuple[int, int]]:
    """(minutes ago, minutes it stands for) of a day of history as `trim` keeps it: every minute of the last hour,
    a datapoint per 5 minutes to 6 hours, per 15 minutes to a day."""
    for ago in range(int(span.total_seconds() // 60), 0, -1):
        if ago <= 60:
            yield ago, 1
        elif ago <= 360 and ago % 5 == 0:
            yield ago, 5
        elif ago > 360 and ago % 15 == 0:
            yield ago, 15


def backfill(ecs: Any, elbv2: Any, region: str, now: datetime) -> None:
    """A day of history for the services that run now (as many tasks as they have now), so charts are not empty;
    up to the first live datapoint (warm_start steps the simulator before this), never over it."""
    store = store_of(cloudwatch_backend(region))
    clusters = {c.name: c for c in ecs.clusters.values()}
    for service in _services(ecs):
        tasks = len(_running_tasks(ecs, service)) or int(service.desired_count or 0)
        level = insights_level(clusters.get(service.cluster_name))
        dims = (("ClusterName", service.cluster_name), ("ServiceName", service.name))
        first = store.first(series_key("AWS/ECS", "CPUUtilization", dims))
        until = first if first is not None else now.timestamp()
        for ago, weight in history_minutes():
            at = (now - timedelta(minutes=ago)).replace(second=0, microsecond=0)
            if at.timestamp() >= until - 30:  # the live minute nearest it is already there
                continue
            _put_utilisation(store, service, at, tasks, weight)
            _put_alb(store, elbv2, service, at, tasks, weight)
            if level is not None:
                running = series_key("ECS/ContainerInsights", "RunningTaskCount", dims)
                store.put_value(running, at, float(tasks), weight)


def trim(store: SeriesStore, now: datetime) -> None:
    """Downsample the history as `history_minutes` describes it (merging, so sums and averages hold); task-level
    series are kept an hour, everything a day."""
    moment = now.timestamp()
    for key in list(store.series):
        per_task = any(name == "TaskId" for name, _ in key[2])

        def slot_of(when: float, per_task: bool = per_task) -> float | None:
            ago = (moment - when) / 60.0
            if ago <= 65:
                return when
            if per_task or ago > 24 * 60 + 15:
                return None
            every = 300 if ago <= 365 else 900
            return when // every * every

        store.downsample(key, slot_of)


__all__ = ["backfill", "history_minutes", "insights_level", "publish", "trim", "utilisation"]
