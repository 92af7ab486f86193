"""The emulator can be a busy AWS: round-trip latency, ECS's token buckets, injected errors and outages."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError
from botocore.parsers import ResponseParserError

from ecstui.aws.errors import to_aws_error
from ecstui.aws.ratelimit import ECS_THROTTLE_CATEGORIES, ThrottleCategory
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import (
    ACCESS_DENIED,
    INTERNAL_FAILURE,
    THROTTLING,
    FaultConfig,
    Faults,
    Hang,
    MalformedAnswer,
    faults_from_flags,
)
from ecstui.emulator.server import EmulatorServer

REGION = "us-east-1"


@pytest.fixture
def faults(emulator: EmulatorServer) -> Iterator[Faults]:
    yield emulator.faults
    # The server is shared by the whole test session; leave it inert for the next test.
    emulator.faults.reset()


def _client(emulator: EmulatorServer, service: str = "ecs") -> Any:
    """A boto3 client that sends each call once, so every fault is seen as it was answered."""
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    return boto3.client(service, endpoint_url=emulator.endpoint_url, region_name=REGION, config=config)


def _error_code(call: Any) -> str | None:
    try:
        call()
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return None


def test_the_fault_layer_is_inert_by_default(emulator: EmulatorServer) -> None:
    ecs = _client(emulator)
    for _ in range(60):  # more than the cluster-read burst of 50
        ecs.list_clusters()
    assert emulator.faults.log.total_faults == 0
    assert emulator.faults.log.attempts["ListClusters"] == 60
    assert emulator.log.counts["ListClusters"] == 60


def test_latency_is_added_to_every_aws_request(emulator: EmulatorServer, faults: Faults) -> None:
    ecs = _client(emulator)
    faults.set_latency(80)
    for _ in range(3):
        started = time.perf_counter()
        ecs.list_clusters()
        # Only a lower bound: a busy machine may add to it, never take from it.
        assert time.perf_counter() - started >= 0.075


def test_a_burst_beyond_the_cluster_read_bucket_is_throttled_then_refills(
    emulator: EmulatorServer, faults: Faults
) -> None:
    ecs = _client(emulator)
    faults.set_throttling(True)
    # Enough calls that even a slow, loaded machine (refilling 20/s while they run) empties the bucket.
    calls = 400
    codes = [_error_code(ecs.list_clusters if i % 2 else ecs.describe_clusters) for i in range(calls)]
    succeeded = codes.count(None)
    # DescribeClusters and ListClusters share one bucket of 50 (plus what refills at 20/s meanwhile).
    assert 50 <= succeeded < calls
    assert set(codes) == {None, "ThrottlingException"}
    # Once empty, the bucket stays empty while calls keep coming: every throttle comes after the burst.
    assert codes.index("ThrottlingException") >= 50
    throttled = faults.log.throttled["ListClusters"] + faults.log.throttled["DescribeClusters"]
    assert throttled == calls - succeeded
    # Throttled calls never reach moto.
    assert emulator.log.counts["ListClusters"] + emulator.log.counts["DescribeClusters"] == succeeded
    # Another category has its own bucket.
    assert _error_code(lambda: ecs.list_services(cluster="default")) in (None, "ClusterNotFoundException")
    time.sleep(0.2)  # 20 tokens a second: at least three are back
    assert _error_code(ecs.list_clusters) is None


def test_the_throttle_answer_is_the_one_aws_gives(emulator: EmulatorServer, faults: Faults) -> None:
    ecs = _client(emulator)
    tiny = ThrottleCategory("service read", 1, 0.001, frozenset({"ListServices", "DescribeServices"}))
    faults.configure(throttle=True, buckets={**ECS_THROTTLE_CATEGORIES, "service read": tiny})
    ecs.create_cluster(clusterName="c")
    ecs.list_services(cluster="c")
    with pytest.raises(ClientError) as caught:
        ecs.list_services(cluster="c")
    assert caught.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert to_aws_error(caught.value).kind == "throttled"


def test_errors_injected_by_count_answer_the_next_calls_only(emulator: EmulatorServer, faults: Faults) -> None:
    ecs = _client(emulator)
    faults.inject("ListClusters", ACCESS_DENIED, count=2)
    assert [_error_code(ecs.list_clusters) for _ in range(4)] == ["AccessDeniedException"] * 2 + [None] * 2
    assert faults.log.injected == {"ListClusters": 2}
    assert emulator.log.counts["ListClusters"] == 2
    # Other operations were never affected.
    assert _error_code(ecs.describe_clusters) is None


def test_errors_injected_at_a_rate_hit_about_that_share_of_calls(emulator: EmulatorServer, faults: Faults) -> None:
    ecs = _client(emulator)
    faults.configure(seed=3)
    faults.inject("*", INTERNAL_FAILURE, rate=0.3)
    codes = [_error_code(ecs.list_clusters) for _ in range(100)]
    failed = codes.count("InternalFailure")
    assert 15 <= failed <= 45
    assert set(codes) <= {None, "InternalFailure"}
    assert faults.log.injected["ListClusters"] == failed
    assert emulator.log.counts["ListClusters"] == 100 - failed


def test_injected_errors_speak_each_services_protocol(emulator: EmulatorServer, faults: Faults) -> None:
    faults.inject("DescribeLoadBalancers", THROTTLING, count=1, service="elasticloadbalancing")
    faults.inject("ListMetrics", ACCESS_DENIED, count=1, service="monitoring")
    faults.inject("DescribeLogGroups", INTERNAL_FAILURE, count=1, service="logs")
    assert _error_code(_client(emulator, "elbv2").describe_load_balancers) == "ThrottlingException"
    assert _error_code(_client(emulator, "cloudwatch").list_metrics) == "AccessDeniedException"
    assert _error_code(_client(emulator, "logs").describe_log_groups) == "InternalFailure"


def test_an_outage_answers_503_until_it_ends(emulator: EmulatorServer, faults: Faults) -> None:
    ecs = _client(emulator)
    faults.take_down(0.3)
    assert faults.is_down
    assert _error_code(ecs.list_clusters) == "ServiceUnavailableException"
    assert _error_code(_client(emulator, "elbv2").describe_load_balancers) == "ServiceUnavailableException"
    time.sleep(0.35)
    assert not faults.is_down
    assert _error_code(ecs.list_clusters) is None
    assert faults.log.unavailable["ListClusters"] == 1
    assert emulator.log.counts["ListClusters"] == 1


async def test_a_reset_outage_looks_like_a_dropped_connection(emulator: EmulatorServer, faults: Faults) -> None:
    faults.take_down(30, mode="reset")
    async with AwsSession(AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url)) as session:
        ecs = await session.ecs_no_retry()
        with pytest.raises(ConnectionClosedError) as caught:
            await ecs.list_clusters()
        assert to_aws_error(caught.value).kind == "unreachable"
        faults.bring_up()
        assert (await ecs.list_clusters())["clusterArns"] == []


async def test_a_session_rides_out_a_short_outage_with_retries(emulator: EmulatorServer, faults: Faults) -> None:
    async with AwsSession(AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url)) as session:
        ecs = await session.ecs()
        faults.take_down(0.2)
        await ecs.list_clusters()
    assert faults.log.unavailable["ListClusters"] >= 1
    assert emulator.log.counts["ListClusters"] == 1


def test_suspended_faults_let_seeding_through_untouched(emulator: EmulatorServer, faults: Faults) -> None:
    ecs = _client(emulator)
    faults.configure(throttle=True, latency_ms=1000)
    faults.take_down(60)
    with faults.suspended():
        started = time.perf_counter()
        for _ in range(60):  # beyond the cluster-read burst
            ecs.list_clusters()
        assert time.perf_counter() - started < 30  # 60 s if the latency applied
    assert faults.log.attempts.total() == 0
    assert _error_code(ecs.list_clusters) == "ServiceUnavailableException"


def test_reset_restores_the_configuration_the_faults_were_made_with() -> None:
    faults = Faults(FaultConfig(latency_ms=50))
    faults.configure(latency_ms=0, throttle=True)
    faults.inject("ListClusters", count=5)
    faults.take_down(60)
    faults.reset()
    assert faults.config == FaultConfig(latency_ms=50)
    assert not faults.is_down


def test_the_cli_flags_build_the_faults() -> None:
    assert faults_from_flags(latency_ms=50, throttle=True).config == FaultConfig(latency_ms=50, throttle=True)
    assert faults_from_flags().config == FaultConfig()


def test_a_malformed_answer_breaks_the_real_answer_in_each_way_asked(emulator: EmulatorServer, faults: Faults) -> None:
    ecs, elbv2 = _client(emulator), _client(emulator, "elbv2")
    ecs.create_cluster(clusterName="c")
    # botocore reads JSON it cannot parse, and a missing member, as an answer with nothing in it.
    faults.inject("ListClusters", MalformedAnswer("bad_json"), count=1)
    assert "clusterArns" not in ecs.list_clusters()
    faults.inject("ListClusters", MalformedAnswer("missing_member"), count=1)
    assert "clusterArns" not in ecs.list_clusters()
    faults.inject("DescribeClusters", MalformedAnswer("missing_member", "failures"), count=1)
    answer = ecs.describe_clusters(clusters=["c"])
    assert "failures" not in answer and [c["clusterName"] for c in answer["clusters"]] == ["c"]
    # The query protocol raises on markup it cannot parse, and drops the element it was not given.
    for kind in ("bad_json", "bad_xml"):
        faults.inject("DescribeTargetGroups", MalformedAnswer(kind), count=1, service="elasticloadbalancing")
        with pytest.raises(ResponseParserError):
            elbv2.describe_target_groups()
    faults.inject("DescribeTargetGroups", MalformedAnswer("missing_member"), count=1, service="elasticloadbalancing")
    assert "TargetGroups" not in elbv2.describe_target_groups()
    # A body shorter than announced ends with the connection: boto3 reads what came (aiobotocore raises, see
    # tests/aws/test_malformed_answers.py).
    faults.inject("ListClusters", MalformedAnswer("truncated"), count=1)
    assert "clusterArns" not in ecs.list_clusters()
    assert faults.log.injected == {"ListClusters": 3, "DescribeClusters": 1, "DescribeTargetGroups": 3}
    # The requests did reach moto: a malformed answer is one to a request that was carried out.
    assert emulator.log.counts["ListClusters"] == 3
    assert ecs.list_clusters()["clusterArns"]


def test_a_hang_holds_one_operation_until_released(emulator: EmulatorServer, faults: Faults) -> None:
    ecs = _client(emulator)
    faults.inject("ListClusters", Hang(0.3), count=1)
    started = time.perf_counter()
    ecs.list_clusters()
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    ecs.describe_clusters()  # other operations are not held
    ecs.list_clusters()  # nor later calls once the count is spent
    assert time.perf_counter() - started < 0.3
    faults.inject("ListClusters", Hang(60), count=1)
    timer = threading.Timer(0.2, faults.release_hangs)
    timer.start()
    started = time.perf_counter()
    ecs.list_clusters()
    assert time.perf_counter() - started < 30
    timer.join()
