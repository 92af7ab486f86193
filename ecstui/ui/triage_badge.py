"""The top bar's triage badge: the region's triage, run in the background at start and again at most once every
`interval` seconds, said as "checking 3/13…" (each cluster, then the load balancers), then "⚠ 4 problems  ! to
open" or "✓ no problems".

It never opens a screen by itself: what the first frame shows stays until the user acts (`!` or `:triage`).
Its calls go through the rate limiter's background share (see ecstui.aws.ratelimit.background_requests), so a
sweep of a big account never delays the pane on screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.worker import Worker

from ecstui.aws.errors import AwsError
from ecstui.aws.ratelimit import background_requests
from ecstui.aws.triage import TriageReport
from ecstui.ui.format import BAD, DIM, GOOD, WARN
from ecstui.ui.screens.triage import read_problems

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

# A sweep of every cluster of a big account costs hundreds of calls: once a minute at most, counted from the end
# of the last one, so that a sweep that takes 30 s still leaves the buckets half a minute to refill.
DEFAULT_INTERVAL = 60.0
# On a big account the checks are spread out further, so that they average at most this many calls a minute.
DEFAULT_CALLS_PER_MINUTE = 20.0


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


class TriageBadge:
    """What the region's last triage found; `on_change` is called whenever the badge's text may have changed."""

    def __init__(
        self, app: EcsApp, interval: float = DEFAULT_INTERVAL, calls_per_minute: float = DEFAULT_CALLS_PER_MINUTE
    ) -> None:
        self.app = app
        self.interval = interval
        self.calls_per_minute = calls_per_minute
        self.last_cost = 0  # calls the last check sent (at the background share)
        self.report: TriageReport | None = None  # the last complete check
        self.error: str | None = None  # why the last check could not read the clusters
        self.progress: Progress | None = None  # while a check runs
        self.checks = 0  # completed checks (tests and the start decision wait on it)
        self.listeners: list[Callable[[], None]] = []
        self._worker: Worker[None] | None = None
        self._first_check = asyncio.Event()

    @property
    def running(self) -> bool:
        return self.progress is not None

    @property
    def decided(self) -> bool:
        """A first check has ended, with a report or an error."""
        return self.checks > 0

    async def wait_decided(self) -> None:
        await self._first_check.wait()

    def start(self) -> None:
        if self._worker is None:
            self._worker = self.app.run_worker(
                self._checks(), group="triage-badge", exit_on_error=False, description="triage badge"
            )

    def restart(self) -> None:
        """Forget what the last account's checks found and check again (a profile or region switch)."""
        if self._worker is None:
            return
        self._worker.cancel()
        self._worker = None
        self.report, self.error, self.progress = None, None, None
        self._changed()
        self.start()

    async def _checks(self) -> None:
        while True:
            limiter = self.app.session.limiter
            before = limiter.background_granted()
            await self.check_once()
            self.last_cost = limiter.background_granted() - before
            await asyncio.sleep(self.pause_after(self.last_cost))

    def pause_after(self, cost: int) -> float:
        """Seconds until the next check: `interval`, or longer on a big account, whose check costs hundreds of
        calls (a describe of every service), so that the badge spends at most `calls_per_minute` on average."""
        return max(self.interval, cost * 60.0 / self.calls_per_minute)

    async def check_once(self) -> None:
        self._set_progress(Progress(0, 0))
        try:
            with background_requests():
                report = await read_problems(self.app, on_progress=self._on_progress)
        except AwsError as exc:
            self.error = exc.message
        else:
            self.report, self.error = report, None
        finally:
            self.progress = None
            self.checks += 1
            self._first_check.set()
            self._changed()

    def _on_progress(self, done: int, total: int) -> None:
        self._set_progress(Progress(done, total))

    def _set_progress(self, progress: Progress) -> None:
        self.progress = progress
        self._changed()

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    def text(self) -> Text | None:
        """The badge as the top bar shows it; None before anything is known."""
        if self.report is not None:
            return badge_text(self.report)
        if self.progress is not None:
            if self.progress.total:
                # Parts: each cluster, then the load balancers of the whole region.
                return Text(f"checking {self.progress.done}/{self.progress.total}…", style=DIM)
            return Text("checking clusters…", style=DIM)
        if self.error is not None:
            return Text("triage: clusters not readable", style=WARN)
        return None


def badge_text(report: TriageReport) -> Text:
    count = len(report.real_problems)  # a young healthy rollout is listed in triage, but is nothing to act on
    if count:
        return Text(f"⚠ {count} problem{'s' if count != 1 else ''}  ! to open", style=BAD)
    if report.errors:
        parts = len(report.errors)
        return Text(f"⚠ {parts} part{'s' if parts != 1 else ''} not checked  ! to open", style=f"bold {WARN}")
    return Text("✓ no problems", style=GOOD)
