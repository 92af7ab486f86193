"""CloudWatch metrics of services and tasks: the services pane's CPU/memory, the service view's charts, a task's use.

Everything is read with GetMetricData, whose limits shape the requests: at most 500 MetricDataQueries a call
(more are split over several calls, sent together), at most 100,800 datapoints an answer (a call whose series
would hold more is split too, and an answer cut short is paged on with its NextToken), query ids matching
`^[a-z][a-zA-Z0-9_]*$`. AWS/ECS publishes one datapoint a minute, so a service's figures are read at most once a
minute (a cache per cluster and service, timed by the caller's clock). A minute without a datapoint is "no data"
(absent from the series), never 0.

What exists where (the CloudWatch and ECS documentation on Container Insights):
- AWS/ECS, free, for every service with running tasks: CPUUtilization and MemoryUtilization by ClusterName +
  ServiceName (and ClusterName alone). No task-level metric.
- ECS/ContainerInsights with Container Insights "enabled": CpuUtilized, CpuReserved, MemoryUtilized,
  MemoryReserved, RunningTaskCount, ... by ClusterName, ClusterName + ServiceName and ClusterName +
  TaskDefinitionFamily: still no single task.
- With "enhanced" observability the same metrics also by ClusterName + TaskDefinitionFamily + TaskId (and by
  container). So a task's own CPU and memory exist only on enhanced clusters; on "enabled" ones this module reads
  the family's figures (the average task of its family) and says so.
- AWS/ApplicationELB: RequestCountPerTarget by TargetGroup (its only statistic is Sum); TargetResponseTime and
  HTTPCode_Target_5XX_Count by LoadBalancer + TargetGroup, the dimension values being the tails of the ARNs
  (`targetgroup/<name>/<id>`, `app/<name>/<id>`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from ecstui.aws.batching import run_all
from ecstui.aws.parse import _objs, _str, cluster_from_api
from ecstui.aws.read_errors import reads_aws
from ecstui.aws.session import AwsSession

ECS_NAMESPACE: Final = "AWS/ECS"
INSIGHTS_NAMESPACE: Final = "ECS/ContainerInsights"
ALB_NAMESPACE: Final = "AWS/ApplicationELB"
# GetMetricData's limits (CloudWatch API Reference, "GetMetricData").
MAX_QUERIES_PER_CALL: Final = 500
MAX_DATAPOINTS_PER_CALL: Final = 100_800
QUERY_ID: Final = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
# Metrics are published once a minute: a row is never asked again sooner than this.
CACHE_SECONDS: Final = 60.0
# Pages of one GetMetricData followed; a NextToken handed back again ends the loop.
MAX_PAGES: Final = 50
# A cluster's Container Insights setting changes rarely (an UpdateClusterSettings): read again after this.
INSIGHTS_SECONDS: Final = 300.0
# The chart ranges and their periods: each series stays within 100 datapoints, a chart's width at most.
CHART_PERIODS: Final[Mapping[int, int]] = {1: 60, 6: 300, 24: 900}
ChartHours = Literal[1, 6, 24]
InsightsLevel = Literal["enabled", "enhanced"]


@dataclass(frozen=True, slots=True)
class MetricQuery:
    """One MetricStat query: which metric, which statistic, over which period."""

    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    period: int
    label: str = ""

    def request(self, query_id: str) -> dict[str, Any]:
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": self.namespace,
                    "MetricName": self.metric,
                    "Dimensions": [{"Name": name, "Value": value} for name, value in self.dimensions],
                },
                "Period": self.period,
                "Stat": self.stat,
            },
            "ReturnData": True,
        }


@dataclass(frozen=True, slots=True)
class Series:
    """The datapoints of one query, oldest first; a period without data is absent, not 0."""

    label: str
    points: tuple[tuple[datetime, float], ...] = ()

    @property
    def latest(self) -> float | None:
        return self.points[-1][1] if self.points else None

    @property
    def values(self) -> list[float]:
        return [value for _, value in self.points]

    def slots(self, start: datetime, end: datetime, period: int) -> list[float | None]:
        """One value per period from `start` to `end`, None where that period has no datapoint."""
        count = max(0, int((end - start).total_seconds() // period))
        slots: list[float | None] = [None] * count
        for when, value in self.points:
            index = int((when - start).total_seconds() // period)
            if 0 <= index < count:
                slots[index] = value
        return slots


@dataclass(frozen=True, slots=True)
class ServiceUtilisation:
    """A service's CPU and memory utilisation (%, Average a minute) over the last hour."""

    cpu: Series
    memory: Series
    start: datetime | None = None  # the window read (a minute of data a slot)
    end: datetime | None = None

    def minutes(self, series: Series) -> list[float | None]:
        """The series a value a minute over the window, None for a minute without data."""
        if self.start is None or self.end is None:
            return list(series.values)
        return series.slots(self.start, self.end, 60)


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart of the service view: its series over the range, the scaling target on it, or why it is empty."""

    title: str
    unit: str  # "%", "tasks", "requests", "s", "errors"
    series: tuple[Series, ...] = ()
    target: float | None = None  # the target-tracking policy's target on this metric
    note: str | None = None  # instead of data: "needs Container Insights", ...


@dataclass(frozen=True, slots=True)
class ServiceCharts:
    hours: int
    period: int
    start: datetime
    end: datetime
    charts: tuple[Chart, ...]


@dataclass(frozen=True, slots=True)
class AlbTargetGroup:
    """An ALB target group in front of a service, by ARN (the chart dimensions are cut from them)."""

    target_group_arn: str
    load_balancer_arn: str | None


@dataclass(frozen=True, slots=True)
class TaskUtilisation:
    """A task's CPU (units) and memory (MiB) used of reserved, latest minute, from Container Insights."""

    level: Literal["task", "family"]  # "family": the average task of its family (Container Insights "enabled")
    cpu_used: float | None
    cpu_reserved: float | None
    memory_used: float | None
    memory_reserved: float | None

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in (self.cpu_used, self.cpu_reserved, self.memory_used, self.memory_reserved))


@dataclass
class _Cached:
    at: datetime
    value: ServiceUtilisation


def query_id(index: int) -> str:
    """An id valid by GetMetricData's rule (a lower-case letter first, then letters, digits, underscores)."""
    return f"q{index}"


def target_group_dimension(arn: str) -> str | None:
    """`arn:...:targetgroup/web/0123abcd` -> `targetgroup/web/0123abcd` (the TargetGroup dimension's value)."""
    _, found, tail = arn.partition(":targetgroup/")
    return f"targetgroup/{tail}" if found and tail else None


def load_balancer_dimension(arn: str) -> str | None:
    """`arn:...:loadbalancer/app/front/0123abcd` -> `app/front/0123abcd` (the LoadBalancer dimension's value)."""
    _, found, tail = arn.partition(":loadbalancer/")
    return tail if found and tail else None


def chart_period(hours: int) -> int:
    """The period of a chart of `hours`: 60 s for an hour, 300 s for 6 hours, 900 s for a day (at most 96 points)."""
    period = CHART_PERIODS.get(hours)
    if period is None:
        raise ValueError(f"charts cover 1, 6 or 24 hours, not {hours}")
    return period


def tracking_targets(policies: Sequence[Any], cluster: str, service: str) -> dict[str, float]:
    """The target of each target-tracking policy of one service, by metric ("cpu", "memory", "requests").

    `policies` are ScalingReader.policies()' ScalingPolicy objects (read by attribute: no import cycle)."""
    resource = f"service/{cluster}/{service}"
    found: dict[str, float] = {}
    for policy in policies:
        if getattr(policy, "resource_id", None) != resource:
            continue
        if getattr(policy, "policy_type", None) != "TargetTrackingScaling":
            continue
        metric, target = getattr(policy, "metric", None), getattr(policy, "target", None)
        if isinstance(metric, str) and isinstance(target, int | float):
            found.setdefault(metric, float(target))
    return found


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _batches(queries: Sequence[MetricQuery], start: datetime, end: datetime) -> list[list[MetricQuery]]:
    """Queries cut into calls of at most 500 queries and at most 100,800 datapoints each."""
    seconds = max(0.0, (end - start).total_seconds())
    batches: list[list[MetricQuery]] = []
    current: list[MetricQuery] = []
    points = 0
    for query in queries:
        expected = math.ceil(seconds / query.period)
        if current and (len(current) >= MAX_QUERIES_PER_CALL or points + expected > MAX_DATAPOINTS_PER_CALL):
            batches.append(current)
            current, points = [], 0
        current.append(query)
        points += expected
    if current:
        batches.append(current)
    return batches


class MetricsReader:
    """Reads CloudWatch for the panes, within GetMetricData's limits; services' figures cached for a minute."""

    def __init__(self, session: AwsSession, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self.session = session
        self.cache_seconds = cache_seconds
        self._utilisation: dict[tuple[str, str], _Cached] = {}
        self._insights: dict[str, tuple[datetime, InsightsLevel | None]] = {}

    async def _read(self, queries: Sequence[MetricQuery], start: datetime, end: datetime) -> list[Series]:
        """Every query's series, in the order given: one call per batch, the batches sent together."""
        results = await run_all(self._call(batch, start, end) for batch in _batches(queries, start, end))
        return [series for batch in results for series in batch]

    async def _call(self, queries: Sequence[MetricQuery], start: datetime, end: datetime) -> list[Series]:
        cloudwatch = await self.session.cloudwatch()
        ids = [query_id(index) for index in range(len(queries))]
        request: dict[str, Any] = {
            "MetricDataQueries": [query.request(qid) for query, qid in zip(queries, ids, strict=True)],
            "StartTime": start,
            "EndTime": end,
            "ScanBy": "TimestampAscending",
        }
        points: dict[str, dict[datetime, float]] = {qid: {} for qid in ids}
        token: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = dict(request, NextToken=token) if token else request
            response = await cloudwatch.get_metric_data(**page)
            for result in _objs(response.get("MetricDataResults")):
                kept = points.get(str(result.get("Id")))
                if kept is None:
                    continue
                for when, value in zip(result.get("Timestamps") or [], result.get("Values") or [], strict=False):
                    if isinstance(when, datetime) and isinstance(value, int | float) and math.isfinite(value):
                        kept[when] = float(value)  # a page repeated after a retry overwrites, never doubles
            token = _str(response.get("NextToken"))
            if not token or token in seen:
                break
            seen.add(token)
        return [
            Series(query.label, tuple(sorted(points[qid].items()))) for query, qid in zip(queries, ids, strict=True)
        ]

    @reads_aws
    async def container_insights(self, cluster: str, *, now: datetime) -> InsightsLevel | None:
        """The cluster's Container Insights: "enabled", "enhanced", or None when off (DescribeClusters, cached)."""
        cached = self._insights.get(cluster)
        if cached is not None and timedelta(0) <= now - cached[0] < timedelta(seconds=INSIGHTS_SECONDS):
            return cached[1]
        ecs = await self.session.ecs()
        response = await ecs.describe_clusters(clusters=[cluster], include=["SETTINGS"])
        found = [cluster_from_api(item) for item in _objs(response.get("clusters"))]
        level = found[0].container_insights if found else None
        value: InsightsLevel | None = "enhanced" if level == "enhanced" else "enabled" if level == "enabled" else None
        self._insights[cluster] = (now, value)
        return value

    # -- the services pane ---------------------------------------------------------------------------------------
    def cached_utilisation(self, cluster: str, service: str) -> ServiceUtilisation | None:
        """What was last read of a service, however old (the pane shows it until a newer read)."""
        cached = self._utilisation.get((cluster, service))
        return cached.value if cached is not None else None

    def due(self, cluster: str, services: Sequence[str], now: datetime) -> list[str]:
        """The services whose figures are older than a minute (or never read)."""
        limit = timedelta(seconds=self.cache_seconds)
        due = []
        for name in dict.fromkeys(services):
            cached = self._utilisation.get((cluster, name))
            if cached is None or now - cached.at >= limit or now < cached.at:
                due.append(name)
        return due

    @reads_aws
    async def service_utilisation(
        self, cluster: str, services: Sequence[str], *, now: datetime, hours: int = 1
    ) -> dict[str, ServiceUtilisation]:
        """CPU and memory (Average a minute, AWS/ECS) of these services over the last `hours`, by name.

        Only the services not read in the last minute are asked (two queries each, 500 to a call); the others
        come from the cache. Every service asked is in the answer, with empty series when it has no data."""
        names = list(dict.fromkeys(services))
        due = self.due(cluster, names, now)
        if due:
            end = _floor_minute(now)
            start = end - timedelta(hours=hours)
            queries: list[MetricQuery] = []
            for name in due:
                dimensions = (("ClusterName", cluster), ("ServiceName", name))
                queries.append(MetricQuery(ECS_NAMESPACE, "CPUUtilization", dimensions, "Average", 60, "CPU"))
                queries.append(MetricQuery(ECS_NAMESPACE, "MemoryUtilization", dimensions, "Average", 60, "Memory"))
            series = await self._read(queries, start, end)
            for index, name in enumerate(due):
                value = ServiceUtilisation(series[2 * index], series[2 * index + 1], start, end)
                self._utilisation[(cluster, name)] = _Cached(now, value)
        return {name: self._utilisation[(cluster, name)].value for name in names}

    # -- the service view ----------------------------------------------------------------------------------------
    @reads_aws
    async def service_charts(
        self,
        cluster: str,
        service: str,
        *,
        now: datetime,
        hours: int = 1,
        insights: bool = False,
        load_balancers: Sequence[AlbTargetGroup] = (),
        targets: Mapping[str, float] | None = None,
    ) -> ServiceCharts:
        """The service view's charts over 1, 6 or 24 hours: CPU and memory (Average and Maximum), running tasks
        (Container Insights), and behind an ALB requests per target, target response time and target 5xx.

        `targets` are the target-tracking targets by metric (see tracking_targets), drawn on their chart."""
        period = chart_period(hours)
        targets = targets or {}
        end = _floor_minute(now)
        start = end - timedelta(hours=hours)
        service_dims = (("ClusterName", cluster), ("ServiceName", service))
        queries = [
            MetricQuery(ECS_NAMESPACE, "CPUUtilization", service_dims, "Average", period, "average"),
            MetricQuery(ECS_NAMESPACE, "CPUUtilization", service_dims, "Maximum", period, "maximum"),
            MetricQuery(ECS_NAMESPACE, "MemoryUtilization", service_dims, "Average", period, "average"),
            MetricQuery(ECS_NAMESPACE, "MemoryUtilization", service_dims, "Maximum", period, "maximum"),
        ]
        if insights:
            queries.append(MetricQuery(INSIGHTS_NAMESPACE, "RunningTaskCount", service_dims, "Average", period, ""))
        groups = []
        for group in load_balancers:
            tg = target_group_dimension(group.target_group_arn)
            lb = load_balancer_dimension(group.load_balancer_arn) if group.load_balancer_arn else None
            if tg is None:
                continue
            name = tg.split("/")[1] if tg.count("/") >= 2 else tg
            groups.append((name, lb is not None))
            queries.append(
                MetricQuery(ALB_NAMESPACE, "RequestCountPerTarget", (("TargetGroup", tg),), "Sum", period, name)
            )
            if lb is not None:
                both = (("LoadBalancer", lb), ("TargetGroup", tg))
                queries.append(MetricQuery(ALB_NAMESPACE, "TargetResponseTime", both, "Average", period, name))
                queries.append(MetricQuery(ALB_NAMESPACE, "HTTPCode_Target_5XX_Count", both, "Sum", period, name))
        series = iter(await self._read(queries, start, end))
        charts = [
            Chart("CPU utilisation", "%", (next(series), next(series)), targets.get("cpu")),
            Chart("Memory utilisation", "%", (next(series), next(series)), targets.get("memory")),
        ]
        if insights:
            charts.append(Chart("Running tasks", "tasks", (next(series),)))
        else:
            charts.append(
                Chart("Running tasks", "tasks", note="Needs Container Insights on the cluster (RunningTaskCount).")
            )
        if groups:
            requests, latency, errors = [], [], []
            for _name, with_lb in groups:
                requests.append(next(series))
                if with_lb:
                    latency.append(next(series))
                    errors.append(next(series))
            every = _period_name(period)
            charts.append(
                Chart(f"Requests per target (per {every})", "requests", tuple(requests), targets.get("requests"))
            )
            charts.append(Chart("Target response time", "s", tuple(latency)))
            charts.append(Chart(f"Target 5xx (per {every})", "errors", tuple(errors)))
        return ServiceCharts(hours, period, start, end, tuple(charts))

    # -- the task pane -------------------------------------------------------------------------------------------
    @reads_aws
    async def task_utilisation(
        self, cluster: str, family: str, task_id: str, *, level: InsightsLevel, now: datetime
    ) -> TaskUtilisation:
        """A task's CPU and memory, used and reserved (Container Insights, the last 5 minutes' latest minute).

        Per task only with enhanced observability; with Container Insights "enabled" the family's average task."""
        dimensions: tuple[tuple[str, str], ...] = (("ClusterName", cluster), ("TaskDefinitionFamily", family))
        if level == "enhanced":
            dimensions += (("TaskId", task_id),)
        end = _floor_minute(now)
        start = end - timedelta(minutes=5)
        names = ("CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved")
        queries = [MetricQuery(INSIGHTS_NAMESPACE, name, dimensions, "Average", 60, name) for name in names]
        latest = [s.latest for s in await self._read(queries, start, end)]
        return TaskUtilisation("task" if level == "enhanced" else "family", *latest)


def _period_name(period: int) -> str:
    return "minute" if period == 60 else f"{period // 60} minutes"


def percent(value: float | None) -> str:
    """'42%'; '—' for no data (never 0)."""
    return "—" if value is None else f"{value:.0f}%"


__all__ = [
    "AlbTargetGroup",
    "Chart",
    "MetricQuery",
    "MetricsReader",
    "Series",
    "ServiceCharts",
    "ServiceUtilisation",
    "TaskUtilisation",
    "chart_period",
    "load_balancer_dimension",
    "target_group_dimension",
    "tracking_targets",
]
