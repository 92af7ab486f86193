"""A small cache of slow-changing reads (VPCs, subnets, roles, groups), each answer kept for a few minutes."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Final, TypeVar

T = TypeVar("T")

# VPCs, subnets, security groups, roles and Auto Scaling groups change when someone creates one, not every few
# seconds: a picker opened twice within this many seconds reads them once. ecstui drops the cache itself after
# creating something (see `TtlCache.clear`); what others create shows within this time.
SLOW_CHANGING_TTL: Final = 300.0


class TtlCache:
    """Answers keyed by the call that produced them, good for `ttl` seconds of `clock` (injectable for tests)."""

    def __init__(self, ttl: float = SLOW_CHANGING_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._generation = 0

    def get(self, key: Hashable) -> Any | None:
        item = self._items.get(key)
        if item is None:
            return None
        if self.clock() - item[0] >= self.ttl:
            del self._items[key]
            return None
        return item[1]

    def put(self, key: Hashable, value: Any) -> None:
        self._items[key] = (self.clock(), value)

    def clear(self) -> None:
        """Forget every answer (after ecstui created or changed something these reads list)."""
        self._items.clear()
        self._generation += 1

    async def get_or_load(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """The cached answer for `key`, or `load()`'s, which is kept; a failed load keeps nothing."""
        cached = self.get(key)
        if cached is not None:
            found: T = cached
            return found
        generation = self._generation
        value = await load()
        # A load that began before `clear()` read the account as it was before the change: not kept.
        if generation == self._generation:
            self.put(key, value)
        return value


__all__ = ["SLOW_CHANGING_TTL", "TtlCache"]
