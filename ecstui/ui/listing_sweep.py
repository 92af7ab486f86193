"""The slow background sweep of a big listing: which rows off screen are due a describe, and when to re-list.

A refresh of a big listing describes only the rows on screen (see ListScreen); the rest is kept fresh by this
sweep, which spends a budget of calls a minute (a token bucket: the budget accrues while the pane is watched,
up to one minute's worth) on the rows described longest ago, and re-reads the listing itself at most once a
sweep, so that new and deleted rows appear within one. Pure bookkeeping over a clock in seconds: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from ecstui.config import DEFAULT_SWEEP_CALLS_PER_MINUTE, DEFAULT_SWEEP_SECONDS


class ListingSweep:
    """Describe times by key, a budget of calls, and when the listing was last read."""

    def __init__(
        self,
        sweep_seconds: float = DEFAULT_SWEEP_SECONDS,
        calls_per_minute: float = DEFAULT_SWEEP_CALLS_PER_MINUTE,
        batch: int = 10,
    ) -> None:
        self.sweep_seconds = sweep_seconds
        self.calls_per_minute = calls_per_minute
        self.batch = batch
        self.described_at: dict[str, float] = {}
        self.listed_at: float | None = None
        self._sweep_started: float | None = None
        self._tokens = 0.0
        self._tokens_at: float | None = None

    # -- the budget --------------------------------------------------------------------
    def _refill(self, now: float) -> None:
        if self._tokens_at is not None:
            elapsed = max(0.0, now - self._tokens_at)
            self._tokens = min(float(self.calls_per_minute), self._tokens + elapsed * self.calls_per_minute / 60.0)
        self._tokens_at = now

    def spend(self, calls: int, now: float) -> None:
        """Calls the sweep made outside `due` (a re-list's pages): taken from the budget, which may go negative."""
        self._refill(now)
        self._tokens -= calls

    # -- the listing -------------------------------------------------------------------
    def listing_due(self, now: float, keys: Sequence[str] = ()) -> bool:
        """Whether the listing is to be read again: never read, or read a sweep's time ago or more and the sweep
        since has reached every one of `keys` (once a sweep: 20 pages for 2,000 services would otherwise take
        half the budget every minute)."""
        if self.listed_at is None:
            return True
        start = self._sweep_started
        reached = start is None or self._reached_all(keys, start, set())
        return now - self.listed_at >= self.sweep_seconds and reached

    def listed(self, keys: Iterable[str], now: float, pages: int = 0) -> None:
        """The listing was read (in `pages` calls, taken from the budget); rows no longer listed are forgotten."""
        listed = set(keys)
        for key in self.described_at.keys() - listed:
            del self.described_at[key]
        self.listed_at = now
        if pages:
            self.spend(pages, now)

    # -- the rows ----------------------------------------------------------------------
    def described(self, keys: Iterable[str], now: float) -> None:
        for key in keys:
            self.described_at[key] = now
        if self._sweep_started is None:
            self._sweep_started = now  # a first load that described every row counts as the first sweep
        if self._tokens_at is None:
            self._tokens_at = now  # the budget accrues from the first describe on

    def due(self, keys: Sequence[str], now: float, skip: Iterable[str] = ()) -> list[str]:
        """The keys the sweep describes now, as many whole batches as the budget allows (spent here): those never
        described first, then those the current sweep has not reached, described longest ago first. A sweep that
        has reached every key waits until a sweep's time after it started before the next one begins."""
        self._refill(now)
        skipped = set(skip)  # described by the caller now: as good as reached
        start = self._sweep_started
        if start is None or (now - start >= self.sweep_seconds and self._reached_all(keys, start, skipped)):
            start = self._sweep_started = now
        never = [key for key in keys if key not in self.described_at and key not in skipped]
        behind = sorted(
            (key for key in keys if key not in skipped and self.described_at.get(key, now) < start),
            key=self.described_at.__getitem__,
        )
        candidates = never + behind
        calls = min(math.floor(max(0.0, self._tokens)), math.ceil(len(candidates) / self.batch))
        self._tokens -= calls
        return candidates[: calls * self.batch]

    def _reached_all(self, keys: Sequence[str], start: float, skipped: set[str]) -> bool:
        return all(key in skipped or self.described_at.get(key, -math.inf) >= start for key in keys)

    def progress(self, keys: Sequence[str]) -> float:
        """The share of `keys` described since the current sweep started (0.0 to 1.0)."""
        start = self._sweep_started
        if not keys:
            return 1.0
        if start is None:
            return 0.0
        done = sum(1 for key in keys if self.described_at.get(key, -math.inf) >= start)
        return done / len(keys)

    def oldest(self, keys: Sequence[str]) -> float | None:
        """When the row described longest ago was described; None while some row never was."""
        times = [self.described_at.get(key) for key in keys]
        if not times or any(t is None for t in times):
            return None
        return min(t for t in times if t is not None)


__all__ = ["DEFAULT_SWEEP_CALLS_PER_MINUTE", "DEFAULT_SWEEP_SECONDS", "ListingSweep"]
