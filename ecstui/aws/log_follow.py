"""Following containers' logs as they are written: StartLiveTail where the endpoint has it, else polling; every line
exactly once, across reconnects and the switch from one to the other."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ecstui.aws.errors import AwsError
from ecstui.aws.log_events import (
    MAX_EVENTS_PER_CALL,
    LogLine,
    by_group,
    filter_group_events,
    from_ms,
    get_stream_events,
    in_time_order,
    log_error,
    synthetic_id,
    to_ms,
)
from ecstui.aws.log_sources import LogSource

if TYPE_CHECKING:
    from ecstui.aws.session import AwsSession

# How far back each windowed re-read starts before the newest line seen: events reach CloudWatch Logs out of order
# (several streams, agents that buffer), so a window read from the newest timestamp alone would skip late ones.
LOOKBACK = timedelta(seconds=30)
# StartLiveTail: at most 10 log groups, and logStreamNames (at most 100) only with a single group.
LIVE_TAIL_MAX_STREAMS = 100
MAX_BACKOFF = 30.0
POLL_LIMIT = 5 * MAX_EVENTS_PER_CALL  # lines read per poll at most (a burst is read over the next polls)

Identity = tuple[str, int, int | None, str]


@dataclass
class SeenLines:
    """Which events were handed out already, by identity and count, over the last LOOKBACK of event time.

    A read (one window poll, one live-tail session) counts the occurrences of each identity within itself: its
    n-th occurrence is new when fewer than n were handed out. Identical lines (blank lines of a stack trace put in
    one batch) are therefore neither merged nor repeated. Events older than the window are taken as seen: every
    re-read starts at the window, and a replayed live tail (the emulator's) sends them again.
    """

    emitted: dict[Identity, int] = field(default_factory=dict)
    newest_ms: int | None = None
    floor_ms: int | None = None  # where the follow starts: nothing older is handed out (a replayed live tail)

    def horizon_ms(self) -> int | None:
        return None if self.newest_ms is None else self.newest_ms - int(LOOKBACK.total_seconds() * 1000)

    def admit(self, lines: Sequence[LogLine], read_counts: dict[Identity, int]) -> list[LogLine]:
        horizon = self.horizon_ms()
        fresh = []
        for line in lines:
            identity = line.identity
            occurrence = read_counts.get(identity, 0) + 1
            read_counts[identity] = occurrence
            if horizon is not None and identity[1] < horizon and identity not in self.emitted:
                continue
            if self.floor_ms is not None and identity[1] < self.floor_ms:
                continue
            if occurrence <= self.emitted.get(identity, 0):
                continue
            self.emitted[identity] = occurrence
            fresh.append(line)
            if self.newest_ms is None or identity[1] > self.newest_ms:
                self.newest_ms = identity[1]
        self._prune()
        return in_time_order(fresh)

    def _prune(self) -> None:
        horizon = self.horizon_ms()
        if horizon is None or len(self.emitted) < 4096:
            return
        keep = horizon - int(LOOKBACK.total_seconds() * 1000)
        self.emitted = {identity: n for identity, n in self.emitted.items() if identity[1] >= keep}


_END = object()


class LogFollow:
    """An async iterator of batches of new lines (each non-empty, in time order); `close()` ends it.

    `mode` is "live tail" or "polling" (it may change from the first to the second, e.g. when AWS denies
    logs:StartLiveTail or starts sampling); `note` says why; `backing_off` says, while AWS throttles, when the
    next read is.
    Errors that retrying cannot cure (access denied, a missing group) end the iteration as AwsError.
    """

    def __init__(
        self,
        session: AwsSession,
        sources: Sequence[LogSource],
        *,
        start: datetime | None,
        pattern: str | None = None,
        poll_interval: float = 2.0,
        live_tail: bool = True,
        clock: Callable[[], datetime],
    ) -> None:
        self._session = session
        self._sources = [source for source in sources if source.readable]
        self._start = start
        self._pattern = pattern or None
        self.poll_interval = poll_interval
        self._clock = clock
        self._groups = by_group(self._sources)
        self.mode = "live tail" if live_tail and self._live_tail_possible() else "polling"
        self.note: str | None = None
        # While AWS throttles (or cannot be reached): what happened and when the next read is.
        self.backing_off: str | None = None
        self.reconnects = 0
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=64)
        self._task: asyncio.Task[None] | None = None
        self._stream: Any = None
        self._closed = False
        self._seen = SeenLines(floor_ms=to_ms(start if start is not None else clock()))

    def _live_tail_possible(self) -> bool:
        if len(self._groups) != 1:
            return False
        members = next(iter(self._groups.values()))
        return len(members) <= LIVE_TAIL_MAX_STREAMS and bool(members[0].group_arn)

    # --- iteration ---------------------------------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[list[LogLine]]:
        return self

    async def __anext__(self) -> list[LogLine]:
        if self._task is None and not self._closed:
            self._task = asyncio.create_task(self._produce(), name="ecstui-log-follow")
        if self._closed and self._queue.empty():
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is _END:
            self._closed = True
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            self._closed = True
            raise item
        batch: list[LogLine] = item
        return batch

    async def close(self) -> None:
        self._closed = True
        await self._close_stream()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(_END)

    async def _emit(self, lines: list[LogLine]) -> None:
        if lines:
            await self._queue.put(lines)

    async def _produce(self) -> None:
        try:
            if not self._sources:
                return
            if self.mode == "live tail":
                await self._live_tail()
            if self.mode == "polling":
                await self._poll()
        except asyncio.CancelledError:
            raise
        except AwsError as error:
            await self._queue.put(error)
            return
        except Exception as exc:  # anything else from the client: one sentence, like every other AWS failure
            await self._queue.put(self._session.error_from(exc))
            return
        finally:
            await self._close_stream()
        await self._queue.put(_END)

    # --- windowed reads (FilterLogEvents), shared by live tail's catch-up and polling ------------------------------

    def _window_start(self) -> datetime:
        horizon = self._seen.horizon_ms()
        if horizon is not None:
            moment = from_ms(horizon)
            return max(moment, self._start) if self._start is not None else moment
        return self._start if self._start is not None else self._clock()

    async def _read_window(self) -> list[LogLine]:
        start = self._window_start()
        lines: list[LogLine] = []
        for (region, group), members in self._groups.items():
            lines.extend(
                await filter_group_events(
                    self._session,
                    region,
                    group,
                    members,
                    start=start,
                    end=None,
                    pattern=self._pattern,
                    limit=POLL_LIMIT,
                )
            )
        return self._seen.admit(in_time_order(lines), {})

    # --- polling -----------------------------------------------------------------------------------------------

    async def _poll(self) -> None:
        single = len(self._sources) == 1 and self._pattern is None and self._seen.newest_ms is None
        if single:
            await self._poll_stream(self._sources[0])
            return
        await self._poll_every_interval(self._read_window)

    async def _poll_stream(self, source: LogSource) -> None:
        """One stream without a pattern: GetLogEvents forward from the last token, which AWS gives back unchanged
        while nothing is new."""
        token = await self._first_token(source)

        async def read_on() -> list[LogLine]:
            nonlocal token
            lines, token = await get_stream_events(
                self._session, source, start=self._start, end=None, limit=POLL_LIMIT, token=token
            )
            return lines

        await self._poll_every_interval(read_on)

    async def _poll_every_interval(self, read: Callable[[], Awaitable[list[LogLine]]]) -> None:
        """Read, hand the new lines out, wait poll_interval, until closed. A throttle or an outage backs off (the
        wait doubles); any other error ends the follow."""
        backoff = self.poll_interval
        while not self._closed:
            try:
                lines = await read()
            except AwsError as error:
                if not error.retryable:
                    raise
                backoff = await self._back_off(error, backoff)
                continue
            self.backing_off = None
            backoff = self.poll_interval
            await self._emit(lines)
            await asyncio.sleep(self.poll_interval)

    async def _first_token(self, source: LogSource) -> str | None:
        if self._start is not None:
            lines, token = await get_stream_events(self._session, source, start=self._start, end=None, limit=POLL_LIMIT)
            await self._emit(lines)
            return token
        # From now on: the forward token of the stream's end (its last event is history, not shown).
        logs = await self._session.logs(source.region)
        try:
            response = await logs.get_log_events(
                logGroupName=str(source.group), logStreamName=str(source.stream), startFromHead=False, limit=1
            )
        except Exception as exc:
            raise log_error(self._session, exc, source) from exc
        forward = response.get("nextForwardToken")
        return str(forward) if forward else None

    async def _back_off(self, error: AwsError, backoff: float) -> float:
        """Wait before the next read after a throttle or an outage; the shared limiter has slowed the category."""
        self.backing_off = f"{error.message} (next try in {backoff:.0f} s)"
        await asyncio.sleep(backoff)
        return min(MAX_BACKOFF, backoff * 2)

    # --- live tail ---------------------------------------------------------------------------------------------

    async def _live_tail(self) -> None:
        (region, _group), members = next(iter(self._groups.items()))
        logs = await self._session.logs(region)
        request: dict[str, Any] = {
            "logGroupIdentifiers": [members[0].group_arn],
            "logStreamNames": [member.stream for member in members],
        }
        if self._pattern:
            request["logEventFilterPattern"] = self._pattern
        backoff = self.poll_interval
        while not self._closed and self.mode == "live tail":
            try:
                response = await logs.start_live_tail(**request)
            except Exception as exc:
                error = log_error(self._session, exc, members[0])
                if error.retryable and error.kind != "throttled":
                    backoff = await self._back_off(error, backoff)
                    continue
                # Denied, not offered by the endpoint, or too many sessions (LimitExceeded): poll instead.
                self.mode = "polling"
                self.note = f"Live tail unavailable ({error.message}); following by polling."
                return
            self._stream = response.get("responseStream")
            try:
                # The session is open before the catch-up read: nothing written in between is missed.
                await self._emit(await self._read_window())
                await self._consume_session(members)
            except AwsError as error:
                if not error.retryable:
                    raise
                backoff = await self._back_off(error, backoff)
            finally:
                await self._close_stream()
            if self.mode != "live tail" or self._closed:
                return
            # AWS ends a session after 3 hours (and the emulator after one update): open the next one.
            self.reconnects += 1
            await asyncio.sleep(self.poll_interval)

    async def _consume_session(self, members: Sequence[LogSource]) -> None:
        by_stream = {member.stream: member for member in members}
        counts: dict[Identity, int] = {}
        occurrences: dict[tuple[str, int, int | None, str], int] = {}
        stream = self._stream
        if stream is None:
            return
        try:
            async for event in stream:
                update = event.get("sessionUpdate") if isinstance(event, dict) else None
                if not isinstance(update, dict):
                    continue
                lines = [
                    line
                    for result in update.get("sessionResults") or []
                    if isinstance(result, dict) and (line := _live_line(result, by_stream, occurrences)) is not None
                ]
                await self._emit(self._seen.admit(in_time_order(lines), counts))
                if (update.get("sessionMetadata") or {}).get("sampled"):
                    # Over 500 lines a second live tail sends a sample: poll to keep every line.
                    self.mode = "polling"
                    self.note = "Live tail was sampling (over 500 lines a second); following by polling."
                    return
        except Exception as exc:
            error = self._session.error_from(exc)
            if error.kind in ("denied", "not_found", "credentials"):
                raise error from exc
            # SessionTimeoutException, SessionStreamingException, a dropped connection: reconnect.

    async def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        with contextlib.suppress(Exception):
            closer = getattr(stream, "close", None)
            if closer is not None:
                result = closer()
                if asyncio.iscoroutine(result):
                    await result


def _live_line(
    result: dict[str, Any], by_stream: dict[str | None, LogSource], occurrences: dict[Identity, int]
) -> LogLine | None:
    name = result.get("logStreamName")
    source = by_stream.get(str(name)) if name is not None else None
    if source is None:
        return None  # never another task's stream (e1s #256)
    ms = int(result.get("timestamp") or 0)
    ingestion = result.get("ingestionTime")
    ingestion_ms = int(ingestion) if isinstance(ingestion, int) else None
    message = str(result.get("message") or "")
    identity = (str(name), ms, ingestion_ms, message)
    occurrence = occurrences.get(identity, 0)
    occurrences[identity] = occurrence + 1
    return LogLine(
        from_ms(ms),
        message,
        str(name),
        synthetic_id(str(name), ms, ingestion_ms, message, occurrence),
        source.task_id,
        source.container,
        ingestion_ms,
    )


__all__ = ["LogFollow", "SeenLines", "to_ms"]
