"""The launch's service listing runs on a thread of its own, spends the app's tokens, and hands over its outcome."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.prefetch import ServiceListingPrefetch
from ecstui.aws.ratelimit import EcsRateLimiter
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import Hang
from ecstui.emulator.server import EmulatorServer
from tests.aws.seeding import TASK_FAMILY, create_services, register_small_task_definition


@pytest.fixture
def big_cluster(ecs: Any) -> list[str]:
    """150 services: two ListServices pages (100 a page)."""
    ecs.create_cluster(clusterName="big")
    register_small_task_definition(ecs, TASK_FAMILY)
    names = [f"svc-{index:03d}" for index in range(150)]
    create_services(ecs, "big", names)
    return names


async def test_lists_every_page_on_its_own_thread_with_the_shared_limiter(
    big_cluster: list[str], target: AwsTarget, emulator: EmulatorServer
) -> None:
    limiter = EcsRateLimiter()
    threads: set[str] = set()
    prefetch = ServiceListingPrefetch(target, "big", limiter)
    original = prefetch._list

    async def listing(session: AwsSession) -> list[str]:
        threads.add(threading.current_thread().name)
        return await original(session)

    prefetch._list = listing  # type: ignore[method-assign]
    emulator.log.clear()
    arns = await prefetch.start().result()
    assert [arn.rsplit("/", 1)[-1] for arn in arns] == big_cluster
    assert threads == {"list services of big"}
    assert prefetch.stats.sent["ListServices"] == 2
    # The pages spent the app's "service read" tokens, not a bucket of their own.
    (read,) = [status for status in limiter.status() if status.name == "service read"]
    assert read.granted == 2


async def test_a_failed_listing_raises_where_it_is_awaited(target: AwsTarget) -> None:
    prefetch = ServiceListingPrefetch(target, "no-such-cluster").start()
    with pytest.raises(AwsError) as error:
        await prefetch.result()
    assert "no-such-cluster" in error.value.message
    with pytest.raises(AwsError):
        await prefetch.first_page()


async def test_the_first_page_is_handed_over_while_the_second_is_read(
    big_cluster: list[str], target: AwsTarget, emulator: EmulatorServer
) -> None:
    emulator.faults.inject("ListServices", Hang(30.0), count=1, after=1)  # the second page waits
    prefetch = ServiceListingPrefetch(target, "big").start()
    try:
        first = await asyncio.wait_for(prefetch.first_page(), 20)
        assert [arn.rsplit("/", 1)[-1] for arn in first] == big_cluster[:100]  # sorted by name
        assert not prefetch.settled
    finally:
        emulator.faults.release_hangs()
    assert len(await prefetch.result()) == 150


async def test_cancel_stops_the_listing_and_its_thread(big_cluster: list[str], target: AwsTarget) -> None:
    entered = threading.Event()
    prefetch = ServiceListingPrefetch(target, "big")
    original = prefetch._list

    async def held(session: AwsSession) -> list[str]:
        entered.set()
        await asyncio.sleep(30)  # cancelled while waiting here
        return await original(session)

    prefetch._list = held  # type: ignore[method-assign]
    prefetch.start()
    assert await asyncio.to_thread(entered.wait, 5)
    await asyncio.to_thread(prefetch.cancel)
    assert not prefetch._thread.is_alive()
    with pytest.raises(asyncio.CancelledError):
        await prefetch.result()
    assert prefetch.stats.sent["ListServices"] == 0


class Exhausted(Exception):
    """The frozen clock's sleep: the bucket is empty and no time will pass."""


async def _exhausted(_: float) -> None:
    raise Exhausted


def test_two_threads_never_take_more_tokens_than_the_bucket_holds() -> None:
    # A frozen clock: no refill, so exactly the bucket's capacity (burst 100 x share 0.5) may be granted, however
    # the two threads' loops interleave.
    limiter = EcsRateLimiter(0.5, clock=lambda: 1000.0, sleep=_exhausted)
    granted = [0, 0]
    start = threading.Barrier(2)

    def spend(slot: int) -> None:
        async def run() -> None:
            start.wait()
            try:
                while True:
                    await limiter.wait("DescribeServices")
                    granted[slot] += 1
            except Exhausted:
                pass

        asyncio.run(run())

    threads = [threading.Thread(target=spend, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sum(granted) == 50
