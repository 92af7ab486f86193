"""Poll a fetch on a timer that is re-armed only when the previous fetch has finished."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from textual.dom import DOMNode
from textual.timer import Timer

from ecstui.aws.errors import AwsError, to_aws_error

T = TypeVar("T")

MAX_BACKOFF_SECONDS = 60.0


class FetchAbandoned(Exception):
    """Raised by a fetch that stopped early because its pane is no longer shown: nothing to apply, no error."""


class Poller(Generic[T]):
    """Runs `fetch` now and then every `interval` seconds after the previous run ends.

    Fetches never overlap: a refresh asked for while one is in flight runs right after it. After an
    error that may pass (throttling, endpoint down) the wait doubles, up to a minute, so a struggling
    endpoint is not hammered; the first success restores the interval.
    """

    def __init__(
        self,
        owner: DOMNode,
        fetch: Callable[[], Awaitable[T]],
        apply: Callable[[T], None],
        on_error: Callable[[AwsError, float], None],
        interval: float,
        name: str = "poll",
    ) -> None:
        self.owner = owner
        self.fetch = fetch
        self.apply = apply
        self.on_error = on_error
        self.interval = interval
        self.name = name
        self.failures = 0
        self.in_flight = False
        self.fetch_count = 0
        self.last_duration: float | None = None  # seconds the last successful fetch took
        # Fetch until one succeeds, then stop (a refresh_now still fetches): for what never changes once read.
        self.once = False
        self._again = False
        self._active = False
        self._timer: Timer | None = None

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        self._active = True
        self.refresh_now()

    def pause(self) -> None:
        self._active = False
        self._cancel_timer()

    def refresh_now(self) -> None:
        if self.in_flight:
            self._again = True
            return
        self._cancel_timer()
        self.in_flight = True
        self.owner.run_worker(self._cycle(), group=self.name, exit_on_error=False, description=f"{self.name} fetch")

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def next_delay(self) -> float:
        if self.failures == 0:
            return self.interval
        backoff: float = self.interval * 2.0 ** min(self.failures, 6)
        return min(backoff, MAX_BACKOFF_SECONDS)

    async def _cycle(self) -> None:
        started = time.perf_counter()
        succeeded = False
        try:
            result = await self.fetch()
        except FetchAbandoned:
            pass  # the pane was left mid-fetch; resuming starts a new cycle
        except Exception as exc:  # every failure becomes a readable message in this pane
            self.failures += 1
            error = to_aws_error(exc)
            # The wait the timer below will use: a banner's "Retrying in Ns" is what happens.
            self.on_error(error, self.next_delay())
        else:
            self.failures = 0
            self.fetch_count += 1
            self.last_duration = time.perf_counter() - started
            self.apply(result)
            succeeded = True
        finally:
            self.in_flight = False
            if self._active:
                if self._again:
                    self._again = False
                    self.refresh_now()
                elif not (self.once and succeeded):
                    self._timer = self.owner.set_timer(self.next_delay(), self._tick, name=f"{self.name} timer")

    def _tick(self) -> None:
        self._timer = None
        if self._active and not self.in_flight:
            self.refresh_now()
