"""MetricsReader against the emulator: GetMetricData batched within its limits, a minute's cache, the charts' periods
and ALB dimensions, the scaling target, Container Insights' levels, and errors in one sentence."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.metrics import (
    AlbTargetGroup,
    MetricsReader,
    load_balancer_dimension,
    target_group_dimension,
    tracking_targets,
)
from ecstui.aws.service_scaling_reader import ScalingReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import ACCESS_DENIED, THROTTLING
from ecstui.emulator.metrics_api import cloudwatch_backend, series_key, store_of
from ecstui.emulator.server import EmulatorServer
from tests.conftest import REGION, boto_client
from tests.demo_account import FIXED_NOW
from tests.ui.conftest import shared_demo_account

__all__ = ["shared_demo_account"]


@pytest.fixture
async def session(target: AwsTarget) -> AsyncIterator[AwsSession]:
    async with AwsSession(target) as opened:
        yield opened


def put_cpu(emulator: EmulatorServer, cluster: str, service: str, values: list[float]) -> None:
    """Per-minute CPU and memory of one service, the newest a minute before FIXED_NOW."""
    with emulator.lock:
        store = store_of(cloudwatch_backend(REGION))
        dims = (("ClusterName", cluster), ("ServiceName", service))
        for ago, value in enumerate(reversed(values), start=1):
            when = FIXED_NOW - timedelta(minutes=ago)
            store.put_value(series_key("AWS/ECS", "CPUUtilization", dims), when, value)
            store.put_value(series_key("AWS/ECS", "MemoryUtilization", dims), when, value / 2)


def metric_calls(emulator: EmulatorServer) -> list[dict[str, Any]]:
    return emulator.log.calls("GetMetricData")


async def test_six_hundred_services_take_three_calls_of_at_most_500_queries(
    emulator: EmulatorServer, session: AwsSession
) -> None:
    names = [f"svc-{i:03d}" for i in range(600)]
    put_cpu(emulator, "big", "svc-007", [10.0, 20.0, 30.0])
    figures = await MetricsReader(session).service_utilisation("big", names, now=FIXED_NOW)
    calls = metric_calls(emulator)
    assert len(calls) == math.ceil(600 * 2 / 500) == 3
    sizes = sorted(len(call["MetricDataQueries"]) for call in calls)
    assert sizes == [200, 500, 500]
    assert emulator.log.violations == []
    asked = {q["MetricStat"]["Metric"]["Dimensions"][1]["Value"] for call in calls for q in call["MetricDataQueries"]}
    assert asked == set(names)
    for call in calls:
        assert call["EndTime"] - call["StartTime"] == 3600
        assert {q["MetricStat"]["Period"] for q in call["MetricDataQueries"]} == {60}
        assert {q["MetricStat"]["Stat"] for q in call["MetricDataQueries"]} == {"Average"}
    assert figures["svc-007"].cpu.values == [10.0, 20.0, 30.0]
    assert figures["svc-007"].memory.latest == 15.0
    # A service without datapoints has no data, not 0.
    assert figures["svc-008"].cpu.latest is None and figures["svc-008"].cpu.points == ()


async def test_a_service_is_read_at_most_once_a_minute(emulator: EmulatorServer, session: AwsSession) -> None:
    reader = MetricsReader(session)
    put_cpu(emulator, "c", "web", [40.0])
    await reader.service_utilisation("c", ["web", "api"], now=FIXED_NOW)
    assert len(metric_calls(emulator)) == 1
    await reader.service_utilisation("c", ["web", "api"], now=FIXED_NOW + timedelta(seconds=59))
    assert len(metric_calls(emulator)) == 1, "asked again within the minute"
    # A row that scrolls into view is asked alone; the others stay cached.
    await reader.service_utilisation("c", ["web", "api", "cart"], now=FIXED_NOW + timedelta(seconds=59))
    last = metric_calls(emulator)[-1]["MetricDataQueries"]
    assert {q["MetricStat"]["Metric"]["Dimensions"][1]["Value"] for q in last} == {"cart"}
    await reader.service_utilisation("c", ["web", "api"], now=FIXED_NOW + timedelta(seconds=60))
    assert len(metric_calls(emulator)) == 3


async def test_the_emulator_refuses_what_cloudwatch_refuses(emulator: EmulatorServer) -> None:
    cloudwatch = boto_client(emulator, "cloudwatch")
    query = {
        "MetricStat": {
            "Metric": {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization", "Dimensions": []},
            "Period": 60,
            "Stat": "Average",
        }
    }
    window = {"StartTime": FIXED_NOW - timedelta(hours=1), "EndTime": FIXED_NOW}
    with pytest.raises(Exception, match="500"):
        cloudwatch.get_metric_data(MetricDataQueries=[dict(query, Id=f"q{i}") for i in range(501)], **window)
    with pytest.raises(Exception, match="not valid"):
        cloudwatch.get_metric_data(MetricDataQueries=[dict(query, Id="Bad-id")], **window)
    assert len(emulator.log.violations) == 2


async def test_an_answer_cut_by_max_datapoints_is_paged_with_its_token(emulator: EmulatorServer) -> None:
    put_cpu(emulator, "c", "web", [float(v) for v in range(1, 31)])
    cloudwatch = boto_client(emulator, "cloudwatch")
    request = {
        "MetricDataQueries": [
            {
                "Id": "cpu",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/ECS",
                        "MetricName": "CPUUtilization",
                        "Dimensions": [{"Name": "ClusterName", "Value": "c"}, {"Name": "ServiceName", "Value": "web"}],
                    },
                    "Period": 60,
                    "Stat": "Average",
                },
            }
        ],
        "StartTime": FIXED_NOW - timedelta(hours=1),
        "EndTime": FIXED_NOW,
        "ScanBy": "TimestampAscending",
        "MaxDatapoints": 20,
    }
    first = cloudwatch.get_metric_data(**request)
    assert first["MetricDataResults"][0]["Values"] == [float(v) for v in range(1, 21)]
    assert first["MetricDataResults"][0]["StatusCode"] == "PartialData"
    second = cloudwatch.get_metric_data(**request, NextToken=first["NextToken"])
    assert second["MetricDataResults"][0]["Values"] == [float(v) for v in range(21, 31)]
    assert "NextToken" not in second


async def test_charts_use_periods_within_the_datapoint_limits(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    async with AwsSession(shared_demo_account) as session:
        reader = MetricsReader(session)
        for hours, period, points in ((1, 60, 60), (6, 300, 72), (24, 900, 96)):
            charts = await reader.service_charts("prod", "web", now=FIXED_NOW, hours=hours, insights=True)
            assert charts.period == period
            body = emulator_server.log.calls("GetMetricData")[-1]
            assert {q["MetricStat"]["Period"] for q in body["MetricDataQueries"]} == {period}
            assert body["EndTime"] - body["StartTime"] == hours * 3600
            cpu, _memory, running = charts.charts[:3]
            assert [s.label for s in cpu.series] == ["average", "maximum"]
            assert len(cpu.series[0].points) == points
            # The maximum is the busiest task's: above the average wherever there are several tasks.
            assert all(m >= a for a, m in zip(cpu.series[0].values, cpu.series[1].values, strict=True))
            assert any(m > a for a, m in zip(cpu.series[0].values, cpu.series[1].values, strict=True))
            assert running.series[0].latest == 10.0  # web runs 10 tasks (ECS/ContainerInsights RunningTaskCount)


async def test_alb_charts_name_the_target_group_and_load_balancer_by_their_arn_tails(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    elbv2 = boto_client(emulator_server, "elbv2")
    group = elbv2.describe_target_groups(Names=["prod-payments"])["TargetGroups"][0]
    lb_arn = group["LoadBalancerArns"][0]
    assert (
        target_group_dimension(group["TargetGroupArn"])
        == "targetgroup/prod-payments/" + group["TargetGroupArn"].rsplit("/", 1)[-1]
    )
    assert load_balancer_dimension(lb_arn) is not None and load_balancer_dimension(lb_arn).startswith("app/")
    async with AwsSession(shared_demo_account) as session:
        charts = await MetricsReader(session).service_charts(
            "prod",
            "payments",
            now=FIXED_NOW,
            hours=1,
            load_balancers=[AlbTargetGroup(group["TargetGroupArn"], lb_arn)],
        )
    queries = emulator_server.log.calls("GetMetricData")[-1]["MetricDataQueries"]
    by_metric = {q["MetricStat"]["Metric"]["MetricName"]: q["MetricStat"] for q in queries}
    tg = target_group_dimension(group["TargetGroupArn"])
    lb = load_balancer_dimension(lb_arn)
    assert by_metric["RequestCountPerTarget"]["Metric"]["Dimensions"] == [{"Name": "TargetGroup", "Value": tg}]
    assert by_metric["RequestCountPerTarget"]["Stat"] == "Sum"
    both = [{"Name": "LoadBalancer", "Value": lb}, {"Name": "TargetGroup", "Value": tg}]
    assert by_metric["TargetResponseTime"]["Metric"]["Dimensions"] == both
    assert by_metric["HTTPCode_Target_5XX_Count"]["Metric"]["Dimensions"] == both
    assert by_metric["HTTPCode_Target_5XX_Count"]["Metric"]["Namespace"] == "AWS/ApplicationELB"
    titles = [chart.title for chart in charts.charts]
    assert titles[3:] == ["Requests per target (per minute)", "Target response time", "Target 5xx (per minute)"]
    requests, latency, errors = charts.charts[3:]
    assert requests.series[0].latest and latency.series[0].latest and errors.series[0].latest
    # Without Container Insights asked for, the running-tasks chart says what it needs.
    assert charts.charts[2].note is not None and "Container Insights" in charts.charts[2].note


async def test_the_target_tracking_target_lands_on_its_metrics_chart(shared_demo_account: AwsTarget) -> None:
    async with AwsSession(shared_demo_account) as session:
        policies = await ScalingReader(session).policies()
        targets = tracking_targets(policies, "prod", "api")
        assert targets == {"cpu": 75.0}
        assert tracking_targets(policies, "prod", "web") == {}
        charts = await MetricsReader(session).service_charts("prod", "api", now=FIXED_NOW, targets=targets)
    assert charts.charts[0].target == 75.0
    assert charts.charts[1].target is None


async def test_task_level_figures_only_with_enhanced_observability(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    ecs = boto_client(emulator_server, "ecs")
    arn = ecs.list_tasks(cluster="staging", serviceName="api", desiredStatus="RUNNING")["taskArns"][0]
    task = ecs.describe_tasks(cluster="staging", tasks=[arn])["tasks"][0]
    family = task["taskDefinitionArn"].rsplit("/", 1)[-1].split(":")[0]
    async with AwsSession(shared_demo_account) as session:
        reader = MetricsReader(session)
        mine = await reader.task_utilisation("staging", family, arn.rsplit("/", 1)[-1], level="enhanced", now=FIXED_NOW)
        dims = emulator_server.log.calls("GetMetricData")[-1]["MetricDataQueries"][0]["MetricStat"]["Metric"]
        assert [d["Name"] for d in dims["Dimensions"]] == ["ClusterName", "TaskDefinitionFamily", "TaskId"]
        assert mine.level == "task" and mine.cpu_reserved == float(task["cpu"])
        assert mine.cpu_used is not None and 0 < mine.cpu_used <= mine.cpu_reserved
        family_wide = await reader.task_utilisation("staging", family, "x", level="enabled", now=FIXED_NOW)
        assert family_wide.level == "family" and family_wide.memory_reserved == float(task["memory"])


async def test_access_denied_and_throttling_are_one_sentence(emulator: EmulatorServer, session: AwsSession) -> None:
    emulator.faults.inject("GetMetricData", ACCESS_DENIED, count=1, service="monitoring")
    with pytest.raises(AwsError) as denied:
        await MetricsReader(session).service_utilisation("c", ["web"], now=FIXED_NOW)
    assert "cloudwatch:GetMetricData" in denied.value.message
    emulator.faults.inject("GetMetricData", THROTTLING, count=10, service="monitoring")
    with pytest.raises(AwsError) as throttled:
        await MetricsReader(session).service_utilisation("c", ["web"], now=FIXED_NOW)
    assert throttled.value.kind == "throttled"
    assert "\n" not in throttled.value.message
