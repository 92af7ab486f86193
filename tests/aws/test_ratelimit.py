"""The client-side limiter keeps ecstui within its share of ECS's token buckets and backs off when throttled."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from ecstui.aws.errors import AwsError, to_aws_error
from ecstui.aws.ratelimit import ECS_THROTTLE_CATEGORIES, EcsRateLimiter, ecs_category
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import THROTTLING, Faults
from ecstui.emulator.server import EmulatorServer


class FakeClock:
    """A monotonic clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        assert seconds > 0, "the limiter never spins"
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def _limiter(
    clock: FakeClock, share: float = 0.5, *, recovery_per_second: float = 0.05, recent_seconds: float = 10.0
) -> EcsRateLimiter:
    return EcsRateLimiter(
        share, clock=clock, sleep=clock.sleep, recovery_per_second=recovery_per_second, recent_seconds=recent_seconds
    )


async def _grant_times(limiter: EcsRateLimiter, clock: FakeClock, operations: list[str]) -> list[tuple[int, float]]:
    granted: list[tuple[int, float]] = []

    async def one(index: int, operation: str) -> None:
        await limiter.wait(operation)
        granted.append((index, clock.now))

    await asyncio.gather(*(one(i, op) for i, op in enumerate(operations)))
    return granted


def test_the_table_is_the_one_ecs_publishes() -> None:
    expected = {
        "cluster read": (50, 20, {"DescribeClusters", "ListClusters"}),
        "service read": (100, 20, {"DescribeServices", "ListServices"}),
        "task definition read": (
            50,
            20,
            {"DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies"},
        ),
        "service modify": (50, 5, {"UpdateService", "CreateService", "DeleteService"}),
    }
    for name, (burst, sustained, operations) in expected.items():
        category = ECS_THROTTLE_CATEGORIES[name]
        assert (category.burst, category.sustained, set(category.operations)) == (burst, sustained, operations)
    resource_read = ECS_THROTTLE_CATEGORIES["cluster resource read"]
    assert {"DescribeTasks", "ListTasks", "DescribeContainerInstances", "ListContainerInstances"} <= set(
        resource_read.operations
    )
    assert (resource_read.burst, resource_read.sustained) == (100, 20)
    resource_modify = ECS_THROTTLE_CATEGORIES["cluster resource modify"]
    assert {"RunTask", "StopTask", "UpdateContainerInstancesState"} <= set(resource_modify.operations)
    assert (resource_modify.burst, resource_modify.sustained) == (100, 40)
    every_operation = [op for c in ECS_THROTTLE_CATEGORIES.values() for op in c.operations]
    assert len(every_operation) == len(set(every_operation)), "an operation belongs to one category"


async def test_grants_never_exceed_the_share_of_burst_plus_rate_over_any_window() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    granted = await _grant_times(limiter, clock, ["DescribeServices", "ListServices"] * 100)
    times = [t for _, t in granted]
    capacity, rate = 100 * 0.5, 20 * 0.5
    for i in range(len(times)):
        for j in range(i, len(times)):
            assert j - i + 1 <= capacity + rate * (times[j] - times[i]) + 1e-9
    # And it is not slower than it has to be: 50 at once, then 10 a second.
    assert times[-1] - times[0] == pytest.approx((200 - 50) / 10)


async def test_waiters_are_served_in_arrival_order() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    granted = await _grant_times(limiter, clock, ["ListTasks"] * 80)
    assert [i for i, _ in granted] == list(range(80))


async def test_the_configured_share_sets_burst_and_rate() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, share=0.2)  # service modify: 10 at once, then 1 a second
    granted = await _grant_times(limiter, clock, ["UpdateService"] * 13)
    times = [t - 1000.0 for _, t in granted]
    assert times[:10] == [0.0] * 10
    assert times[10:] == pytest.approx([1.0, 2.0, 3.0])


async def test_categories_do_not_share_tokens_and_other_calls_pass() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    await _grant_times(limiter, clock, ["DescribeClusters"] * 25)  # cluster read's whole share
    started = clock.now
    await _grant_times(limiter, clock, ["DescribeServices", "RegisterTaskDefinition", "DescribeTargetHealth"])
    await limiter.wait("ListClusters", service="logs")  # not ECS
    assert clock.now == started
    assert ecs_category("DescribeTargetHealth") is None


async def test_a_throttle_halves_the_share_once_per_interval_and_it_recovers_slowly() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, recovery_per_second=0.05, recent_seconds=10.0)  # halving at most once a second
    await _grant_times(limiter, clock, ["DescribeServices"] * 50)  # the whole burst of the share
    assert limiter.status_line() is None
    limiter.on_throttle("DescribeServices")
    limiter.on_throttle("ListServices")  # the same burst of throttles: one signal
    [status] = limiter.status()
    assert status.name == "service read"
    assert status.share == pytest.approx(0.25)
    assert status.throttles == 2
    assert limiter.backing_off and limiter.throttled_recently
    assert limiter.status_line() == "AWS throttling: service read calls slowed to 25% of the ECS quota."
    # The empty bucket now refills at the halved rate (5 a second, not 10).
    before = clock.now
    await limiter.wait("DescribeServices")
    assert clock.now - before == pytest.approx(1 / 5)
    for _ in range(5):
        clock.now += 1.0
        limiter.on_throttle("DescribeServices")
    # Halved once a second, but never below min_factor (1/8) of the share.
    assert limiter.status()[0].share == pytest.approx(0.5 / 8)
    clock.now += 25.0  # recovers by 5% of the share a second
    [status] = limiter.status()
    assert status.share == pytest.approx(0.5)
    assert not limiter.backing_off and not limiter.throttled_recently
    assert limiter.status_line() is None


async def test_a_waiter_sleeping_through_a_throttle_waits_for_the_lower_rate() -> None:
    clock = FakeClock()
    asleep: list[tuple[float, asyncio.Future[None]]] = []

    async def held_sleep(seconds: float) -> None:
        # Time passes only when the test says so, so a throttle can arrive mid-sleep.
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        asleep.append((seconds, woken))
        await woken

    # Task definition read at a tenth: 5 at once, then 2 a second; no recovery, to keep the arithmetic exact.
    limiter = EcsRateLimiter(0.1, clock=clock, sleep=held_sleep, recovery_per_second=0.0)
    for _ in range(5):
        await limiter.wait("DescribeTaskDefinition")
    waiter = asyncio.ensure_future(limiter.wait("DescribeTaskDefinition"))
    await asyncio.sleep(0)
    assert [seconds for seconds, _ in asleep] == [pytest.approx(0.5)]
    limiter.on_throttle("DescribeTaskDefinition")  # now 1 a second
    clock.now += 0.5
    asleep[0][1].set_result(None)
    await asyncio.sleep(0)
    # Woke to half a token: it sleeps again for the other half, at the lowered rate.
    assert not waiter.done()
    assert asleep[1][0] == pytest.approx(0.5)
    clock.now += 0.5
    asleep[1][1].set_result(None)
    await waiter
    assert clock.now - 1000.0 == pytest.approx(1.0)


def test_a_share_outside_zero_to_one_is_refused() -> None:
    for share in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError):
            EcsRateLimiter(share)


async def test_the_session_sends_every_ecs_request_through_the_limiter(target: AwsTarget, ecs: Any) -> None:
    ecs.create_cluster(clusterName="default")
    async with AwsSession(target) as session:
        client = await session.ecs()
        await client.list_clusters()
        await client.describe_clusters(clusters=["default"])
        await (await session.ecs_no_retry()).list_services(cluster="default")
        granted = {s.name: s.granted for s in session.limiter.status()}
    assert granted == {"cluster read": 2, "service read": 1}
    assert session.limiter.share == 0.5


async def test_the_session_honours_the_targets_rate_share(emulator: EmulatorServer) -> None:
    target = AwsTarget(region="us-east-1", endpoint_url=emulator.endpoint_url, rate_share=0.25)
    async with AwsSession(target) as session:
        assert session.limiter.share == 0.25


@pytest.fixture
def faults(emulator: EmulatorServer) -> Iterator[Faults]:
    yield emulator.faults
    emulator.faults.reset()


async def test_a_throttle_from_aws_slows_the_session_and_shows_in_the_status(
    emulator: EmulatorServer, target: AwsTarget, faults: Faults
) -> None:
    faults.inject("ListClusters", THROTTLING, count=1)
    async with AwsSession(target) as session:
        await (await session.ecs()).list_clusters()  # botocore retried it
        assert session.stats.throttled["ListClusters"] == 1
        assert session.stats.sent["ListClusters"] == 2
        assert session.limiter.throttled_recently
        line = session.limiter.status_line()
        assert line is not None and "cluster read" in line


async def test_with_a_fifth_of_ecs_calls_throttled_reads_keep_completing_and_no_write_lands_twice(
    emulator: EmulatorServer, target: AwsTarget, ecs: object, faults: Faults
) -> None:
    from tests.conftest import boto_client

    setup = boto_client(emulator, "ecs")
    setup.create_cluster(clusterName="busy")
    setup.register_task_definition(family="web", containerDefinitions=[{"name": "a", "image": "nginx", "memory": 64}])
    for i in range(12):
        setup.create_service(cluster="busy", serviceName=f"svc-{i:02d}", taskDefinition="web", desiredCount=0)
    emulator.log.clear()
    faults.configure(seed=11)
    faults.inject("*", THROTTLING, rate=0.2)
    # A production-like limiter that recovers quickly enough for a test to run in seconds.
    limiter = EcsRateLimiter(0.5, recovery_per_second=1.0)
    completed, failures, updates_acknowledged = 0, [], 0
    async with AwsSession(target, limiter=limiter) as session:
        client = await session.ecs()
        for cycle in range(6):
            try:
                arns = [
                    a
                    async for page in client.get_paginator("list_services").paginate(cluster="busy")
                    for a in page["serviceArns"]
                ]
                described = await client.describe_services(cluster="busy", services=arns[:10])
                assert len(arns) == 12 and len(described["services"]) == 10
                completed += 1
            except Exception as exc:
                failures.append(to_aws_error(exc))
            try:
                await client.update_service(cluster="busy", service="svc-00", desiredCount=cycle)
                updates_acknowledged += 1
            except Exception as exc:
                failures.append(to_aws_error(exc))
        throttled = sum(session.stats.throttled.values())
    # botocore's retries and the limiter carry the loop; a call can fail only after 4 throttles in a row.
    assert completed >= 5
    assert all(isinstance(f, AwsError) and f.kind == "throttled" for f in failures)
    assert throttled == faults.log.injected.total() > 0
    # A throttled UpdateService never reached ECS, so its retry is not a second update: each acknowledged
    # update landed exactly once.
    assert emulator.log.counts["UpdateService"] == updates_acknowledged
    assert faults.log.attempts["UpdateService"] >= updates_acknowledged
