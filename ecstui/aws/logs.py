"""Containers' logs in CloudWatch Logs: where each container's are, reading a time range, following, a stopped
task's last lines.

Cost, in requests: `read` of one stream without a pattern pages GetLogEvents (10,000 events a call); of several
streams or with a pattern, FilterLogEvents per log group and per 100 streams, paged. `follow` holds one
StartLiveTail session (reopened when AWS ends it) plus one window read per reconnect, or polls every
`poll_interval`. `last_lines` is one GetLogEvents per crashed container, once per stopped task. Every request waits
on the session's shared limiter (CloudWatch Logs' own buckets: GetLogEvents and FilterLogEvents 25 a second).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.log_events import (
    LogLine,
    by_group,
    filter_group_events,
    get_stream_events,
    in_time_order,
    lines_from_get,
    log_error,
)
from ecstui.aws.log_follow import LogFollow
from ecstui.aws.log_sources import LogSource, task_log_sources
from ecstui.aws.models import Task, TaskDefinition
from ecstui.aws.session import AwsSession

# A stopped task's last lines never change: kept for this many tasks.
LAST_LINES_CACHE = 256


def crashed_sources(task: Task, definition: TaskDefinition) -> list[LogSource]:
    """The sources of the containers a stopped task's failure is in: each container that exited with a code other
    than 0, else its essential containers."""
    sources = {source.container: source for source in task_log_sources(task, definition)}
    failed = [c.name for c in task.containers if c.exit_code not in (None, 0) and c.name in sources]
    if not failed:
        failed = [d.name for d in definition.containers if d.essential and d.name in sources]
    return [sources[name] for name in failed]


def no_lines_reason(task: Task, sources: Sequence[LogSource]) -> str | None:
    """Why a stopped task has no last lines to read, in one sentence; None when some can be read."""
    if task.stop_code == "TaskFailedToStart":
        return "The task never started its containers, so they wrote no logs."
    if any(source.readable for source in sources):
        return None
    if not sources:
        return "The task definition names no container to read logs of."
    return " ".join(dict.fromkeys(source.where for source in sources if source.where))


class LogReader:
    """Reads and follows containers' logs; one per app."""

    def __init__(
        self,
        session: AwsSession,
        *,
        ecs: EcsReader | None = None,
        clock: Callable[[], datetime] | None = None,
        poll_interval: float = 2.0,
        live_tail: bool = True,
    ) -> None:
        self.session = session
        self._ecs = ecs
        self._clock = clock or (lambda: datetime.now(UTC))
        self.poll_interval = poll_interval
        self.live_tail = live_tail
        self._last_lines: OrderedDict[tuple[str, int], list[LogLine]] = OrderedDict()

    @property
    def ecs(self) -> EcsReader:
        if self._ecs is None:
            self._ecs = EcsReader(self.session)
        return self._ecs

    async def read(
        self,
        sources: Sequence[LogSource],
        *,
        start: datetime | None,
        end: datetime | None,
        pattern: str | None = None,
        limit: int = 10_000,
    ) -> list[LogLine]:
        """The lines of `sources` between `start` and `end`, oldest first, at most `limit`."""
        readable = [source for source in sources if source.readable]
        if not readable or limit <= 0:
            return []
        if len(readable) == 1 and not pattern:
            lines, _ = await get_stream_events(self.session, readable[0], start=start, end=end, limit=limit)
            return lines
        reads = [
            filter_group_events(
                self.session, region, group, members, start=start, end=end, pattern=pattern or None, limit=limit
            )
            for (region, group), members in by_group(readable).items()
        ]
        merged: list[LogLine] = []
        for lines in await asyncio.gather(*reads):
            merged.extend(lines)
        return in_time_order(merged)[:limit]

    def follow(self, sources: Sequence[LogSource], *, start: datetime | None, pattern: str | None = None) -> LogFollow:
        """New lines of `sources` as they are written (from `start`, or from now)."""
        return LogFollow(
            self.session,
            sources,
            start=start,
            pattern=pattern,
            poll_interval=self.poll_interval,
            live_tail=self.live_tail,
            clock=self._clock,
        )

    async def last_lines(self, task: Task, definition: TaskDefinition, count: int = 20) -> list[LogLine]:
        """The last `count` lines of each container a stopped task failed in, oldest first (cached per stopped
        task: once its containers have exited they cannot change). Raises AwsError when they cannot be read."""
        key = (task.arn, count)
        cached = self._last_lines.get(key)
        if cached is not None:
            self._last_lines.move_to_end(key)
            return cached
        sources = crashed_sources(task, definition)
        if no_lines_reason(task, sources) is not None:
            return []
        lines: list[LogLine] = []
        for source in sources:
            if source.readable:
                lines.extend(await self._tail(source, count))
        lines = in_time_order(lines)
        # Final once the containers read have exited (the task may still be deprovisioning).
        exited = {c.name for c in task.containers if c.exit_code is not None or c.last_status == "STOPPED"}
        if task.last_status == "STOPPED" or all(source.container in exited for source in sources):
            self._last_lines[key] = lines
            while len(self._last_lines) > LAST_LINES_CACHE:
                self._last_lines.popitem(last=False)
        return lines

    async def _tail(self, source: LogSource, count: int) -> list[LogLine]:
        logs = await self.session.logs(source.region)
        try:
            response = await logs.get_log_events(
                logGroupName=str(source.group),
                logStreamName=str(source.stream),
                startFromHead=False,
                limit=max(1, min(count, 10_000)),
            )
        except Exception as exc:
            raise log_error(self.session, exc, source) from exc
        return lines_from_get(source, response.get("events") or [], {})

    async def service_sources(self, cluster: str, service: str) -> list[LogSource]:
        """The log sources of a service's running tasks, every container of each, in task order."""
        tasks = await self.ecs.tasks(cluster, service)
        definitions: dict[str, TaskDefinition] = {}
        for arn in dict.fromkeys(task.task_definition_arn for task in tasks):
            definitions[arn] = await self.ecs.task_definition(arn)
        sources: list[LogSource] = []
        for task in tasks:
            sources.extend(task_log_sources(task, definitions[task.task_definition_arn]))
        return sources


__all__ = [
    "AwsError",
    "LogFollow",
    "LogLine",
    "LogReader",
    "LogSource",
    "crashed_sources",
    "no_lines_reason",
    "task_log_sources",
]
