"""ECS's page and batch limits, and the helpers that keep them: every page of a list, describes in batches."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

# The most ECS returns in one page of each List* call (maxResults); asking for more is an error.
LIST_SERVICES_PAGE = 100
LIST_TASKS_PAGE = 100
LIST_CLUSTERS_PAGE = 100
LIST_CONTAINER_INSTANCES_PAGE = 100
LIST_TASK_DEFINITIONS_PAGE = 100
LIST_TASK_DEFINITION_FAMILIES_PAGE = 100

# The most names one Describe* call accepts; ECS rejects a longer list outright.
DESCRIBE_SERVICES_BATCH = 10
DESCRIBE_TASKS_BATCH = 100
DESCRIBE_CLUSTERS_BATCH = 100
DESCRIBE_CONTAINER_INSTANCES_BATCH = 100


def batches(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Consecutive slices of at most `size` items, in order."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [items[start : start + size] for start in range(0, len(items), size)]


def unique(items: Iterable[str]) -> list[str]:
    """The items without repeats, first occurrence kept: a describe naming one thing twice wastes a slot."""
    return list(dict.fromkeys(item for item in items if item))


async def all_pages(fetch_page: Callable[[str | None], Awaitable[Any]], result_key: str) -> list[str]:
    """Every item of a paged List* call, following nextToken until ECS stops returning one.

    `fetch_page(token)` sends one request (token None for the first page) and returns the parsed response.
    """
    items: list[str] = []
    token: str | None = None
    seen_tokens: set[str] = set()
    while True:
        page = await fetch_page(token)
        items.extend(str(item) for item in (page.get(result_key) or []))
        token = page.get("nextToken") or None
        # A token handed back twice would loop forever; an endpoint that does that has nothing more to give.
        if token is None or token in seen_tokens:
            return items
        seen_tokens.add(token)


async def run_all(coroutines: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Await every coroutine concurrently; results in the order given.

    If one fails, the others are cancelled (no orphaned requests keep the semaphore busy) and the first
    failure is raised as itself, not wrapped in an ExceptionGroup, so callers classify it as usual.
    """
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except BaseExceptionGroup as failures:
        raise _first_leaf(failures) from None
    return [task.result() for task in tasks]


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
