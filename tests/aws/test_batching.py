"""The helpers that keep ECS's limits: batches never exceed their size, pages are followed to the end."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecstui.aws.batching import all_pages, batches, run_all, unique


@given(st.lists(st.integers(), max_size=250), st.integers(min_value=1, max_value=120))
def test_batches_keep_every_item_in_order_and_none_is_oversize(items: list[int], size: int) -> None:
    chunks = batches(items, size)
    assert [item for chunk in chunks for item in chunk] == items
    assert all(1 <= len(chunk) <= size for chunk in chunks)
    assert len(chunks) == -(-len(items) // size)


def test_unique_keeps_the_first_of_each_and_drops_empty_names() -> None:
    assert unique(["b", "a", "b", "", "c", "a"]) == ["b", "a", "c"]


async def test_all_pages_follows_next_token_and_stops_on_a_repeated_one() -> None:
    pages = {None: {"arns": ["a"], "nextToken": "t1"}, "t1": {"arns": ["b"], "nextToken": "t1"}}
    asked: list[str | None] = []

    async def fetch(token: str | None) -> Any:
        asked.append(token)
        return pages[token]

    assert await all_pages(fetch, "arns") == ["a", "b"]
    assert asked == [None, "t1"]


async def test_run_all_returns_results_in_order_and_raises_the_first_failure_itself() -> None:
    async def value(x: int, delay: float) -> int:
        await asyncio.sleep(delay)
        return x

    assert await run_all([value(1, 0.02), value(2, 0), value(3, 0.01)]) == [1, 2, 3]

    cancelled = asyncio.Event()

    async def slow() -> int:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return 0

    async def failing() -> int:
        await asyncio.sleep(0.01)
        raise KeyError("x")

    with pytest.raises(KeyError):
        await run_all([slow(), failing()])
    assert cancelled.is_set()
