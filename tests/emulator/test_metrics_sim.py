"""The simulator's metrics: load that moves, the crash-looping service's memory climbing to each kill, more 5xx for
the unhealthy-target service, Container Insights only where it is on, and a history that stays bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ecstui.aws.session import AwsTarget
from ecstui.emulator.metrics_api import SeriesStore, answer, cloudwatch_backend, series_key, store_of
from ecstui.emulator.metrics_sim import history_minutes, trim, utilisation
from ecstui.emulator.server import EmulatorServer
from tests.conftest import REGION
from tests.demo_account import FIXED_NOW
from tests.ui.conftest import shared_demo_account

__all__ = ["shared_demo_account"]
MINUTE = timedelta(minutes=1)


def test_load_moves_minute_by_minute_and_follows_the_day() -> None:
    start = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    minutes = [utilisation("prod:web", "cpu", start + MINUTE * i) for i in range(30)]
    assert len(set(minutes)) > 20, "a sparkline of this would not move"
    assert all(1 <= value <= 97 for value in minutes)
    afternoon = sum(utilisation("prod:web", "cpu", start.replace(hour=15) + MINUTE * i) for i in range(60))
    night = sum(utilisation("prod:web", "cpu", start.replace(hour=3) + MINUTE * i) for i in range(60))
    assert afternoon > night * 1.3
    assert utilisation("prod:web", "cpu", start) != utilisation("prod:api", "cpu", start), "every service alike"


def test_a_crash_looping_services_memory_climbs_to_each_kill_then_drops() -> None:
    start = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    memory = [utilisation("batch:email-sender", "memory", start + MINUTE * i, "crash-loop") for i in range(12)]
    drops = [i for i in range(1, 12) if memory[i] < memory[i - 1] - 30]
    assert drops, memory
    for drop in drops:
        assert memory[drop - 1] > 90  # killed near the limit
    climbs = sum(1 for i in range(1, 12) if memory[i] > memory[i - 1])
    assert climbs >= 2 * len(drops)


def _sum(emulator: EmulatorServer, metric: str, dims: tuple[tuple[str, str], ...], stat: str = "Sum") -> float:
    body = {
        "MetricDataQueries": [
            {
                "Id": "q",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/ApplicationELB" if metric.startswith(("HTTP", "Target")) else "AWS/ECS",
                        "MetricName": metric,
                        "Dimensions": [{"Name": n, "Value": v} for n, v in dims],
                    },
                    "Period": 3600,
                    "Stat": stat,
                },
            }
        ],
        "StartTime": (FIXED_NOW - timedelta(hours=1)).timestamp(),
        "EndTime": FIXED_NOW.timestamp(),
    }
    with emulator.lock:
        import json

        status, _, payload = answer(body, REGION)
    assert status.startswith("200"), payload
    values = json.loads(payload)["MetricDataResults"][0]["Values"]
    return float(sum(values))


def test_the_unhealthy_target_service_answers_with_many_more_5xx(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    with emulator_server.lock:
        store = store_of(cloudwatch_backend(REGION))
        by_group = {
            dict(key[2])["TargetGroup"].split("/")[1]: key[2]
            for key in store.series
            if key[1] == "HTTPCode_Target_5XX_Count"
        }
        insights = {dict(key[2]).get("ClusterName") for key in store.series if key[0] == "ECS/ContainerInsights"}
    assert {"prod-payments", "prod-web"} <= set(by_group)
    payments = _sum(emulator_server, "HTTPCode_Target_5XX_Count", by_group["prod-payments"])
    web = _sum(emulator_server, "HTTPCode_Target_5XX_Count", by_group["prod-web"])
    assert payments > 10 * max(web, 1.0)
    # Container Insights metrics only for the clusters that have it on (batch has it off).
    assert insights == {"prod", "staging"}


def test_history_stays_bounded_and_downsampling_keeps_sums_and_averages() -> None:
    store = SeriesStore()
    key = series_key("AWS/ECS", "CPUUtilization", (("ClusterName", "c"), ("ServiceName", "s")))
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    for ago, weight in history_minutes():
        store.put_value(key, now - timedelta(minutes=ago), 40.0, weight)
    day = store.datapoints
    assert day < 200
    # Thirty more hours of a datapoint a minute, trimmed every ten minutes as the simulator does.
    for minute in range(30 * 60):
        moment = now + MINUTE * (minute + 1)
        store.put_value(key, moment, 40.0 + minute % 7)
        if minute % 10 == 0:
            trim(store, moment)
    trim(store, now + MINUTE * 30 * 60)
    assert store.datapoints <= day + 20
    data = store.points(key)
    # Every merged datapoint still averages what went into it (sum / count within the values put).
    for index in range(0, len(data), 5):
        average = data[index + 1] / data[index + 4]
        assert 40.0 <= average <= 46.0
    counts = [data[index + 4] for index in range(0, len(data), 5)]
    assert max(counts) == 15.0 and min(counts) == 1.0
