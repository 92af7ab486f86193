"""The start-up triage's calls (background_requests) take only the upper half of a bucket and never delay the
calls on screen."""

from __future__ import annotations

import asyncio

from ecstui.aws.ratelimit import EcsRateLimiter, background_requests, in_background
from tests.aws.test_ratelimit import FakeClock, _limiter

# "cluster read": burst 50, 20 a second; at the default share of a half, a bucket of 25 refilled 10 a second.
OPERATION = "DescribeClusters"


def _tokens(limiter: EcsRateLimiter) -> float:
    limiter.status()  # refreshes every bucket to the clock
    return next(iter(limiter._states.values())).tokens


async def test_a_background_call_leaves_the_lower_half_of_the_bucket() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    with background_requests():
        assert in_background()
        for _ in range(20):
            await limiter.wait(OPERATION)
    assert not in_background()
    # 25 tokens; background calls stop at half (12.5) and then go at the refill rate, only above half.
    assert _tokens(limiter) >= 12.5 - 1e-6
    assert clock.sleeps, "background calls past half the bucket waited for it to refill"


async def test_foreground_calls_are_not_delayed_by_a_background_sweep() -> None:
    clock = FakeClock()
    foreground_sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        if not in_background():
            foreground_sleeps.append(seconds)
        await clock.sleep(seconds)

    limiter = EcsRateLimiter(0.5, clock=clock, sleep=sleep)

    async def sweep() -> None:
        with background_requests():
            for _ in range(200):
                await limiter.wait(OPERATION)

    sweeper = asyncio.create_task(sweep())
    for _ in range(5):
        await asyncio.sleep(0)  # the sweep has drained the upper half and waits for more
    assert clock.sleeps
    # Twelve calls on screen fit in the half of the bucket the sweep leaves: none of them waited.
    for _ in range(12):
        await limiter.wait(OPERATION)
    sweeper.cancel()
    assert foreground_sleeps == []


async def test_tasks_started_in_the_background_context_are_background_too() -> None:
    seen: list[bool] = []

    async def child() -> None:
        seen.append(in_background())

    with background_requests():
        await asyncio.gather(child(), child())
    await asyncio.gather(child())
    assert seen == [True, True, False]
