"""CloudWatch Logs reads of containers' streams: GetLogEvents and FilterLogEvents within their limits, as LogLines."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ecstui.aws.errors import AwsError
from ecstui.aws.log_sources import LogSource

if TYPE_CHECKING:
    from ecstui.aws.session import AwsSession

# GetLogEvents and FilterLogEvents return at most 10,000 events (and 1 MB) a call; FilterLogEvents takes at most
# 100 logStreamNames (CloudWatch Logs API Reference).
MAX_EVENTS_PER_CALL = 10_000
MAX_STREAMS_PER_FILTER = 100


@dataclass(frozen=True)
class LogLine:
    timestamp: datetime  # event time (UTC)
    message: str  # raw text from AWS (hostile: the UI shows it only through the text door)
    stream: str
    event_id: str  # FilterLogEvents eventId, or a stable synthetic id for GetLogEvents events
    task_id: str | None = None
    container: str | None = None
    # When CloudWatch Logs received the event (ms since the epoch); with the stream, time and message it tells
    # one event from another where no eventId is given (GetLogEvents, StartLiveTail).
    ingestion_ms: int | None = None

    @property
    def identity(self) -> tuple[str, int, int | None, str]:
        """What is the same for one event however it was read (GetLogEvents, FilterLogEvents, StartLiveTail)."""
        return (self.stream, to_ms(self.timestamp), self.ingestion_ms, self.message)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(ms) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.fromtimestamp(0, tz=UTC)


def synthetic_id(stream: str, timestamp_ms: int, ingestion_ms: int | None, message: str, occurrence: int) -> str:
    """A stable id of an event read without one: the same event read twice gets the same id."""
    digest = hashlib.blake2b(f"{stream}\0{ingestion_ms}\0{message}".encode(errors="replace"), digest_size=8)
    return f"{timestamp_ms}-{digest.hexdigest()}-{occurrence}"


def log_error(session: AwsSession, exc: BaseException, source: LogSource | None = None) -> AwsError:
    """One readable sentence for a failed read of a container's logs (a missing group or stream says why)."""
    error = session.error_from(exc)
    if error.kind != "not_found" or source is None:
        return error
    region = source.region or session.region or "this region"
    text = error.message.lower()
    if "stream" in text and "group" not in text:
        said = (
            f"The log stream {source.stream} does not exist in {source.group} ({region}): the container has "
            f"written nothing yet, or never started."
        )
    else:
        said = (
            f"The log group {source.group} does not exist in {region}: the container may never have started, "
            f"or awslogs-create-group is off."
        )
    return AwsError(said, kind="not_found", code=error.code, operation=error.operation)


def lines_from_get(
    source: LogSource, events: Sequence[Any], seen: dict[tuple[int, int | None, str], int]
) -> list[LogLine]:
    """GetLogEvents' events as LogLines; `seen` counts identical events already read, so ids stay apart."""
    stream = source.stream or ""
    lines = []
    for event in events:
        if not isinstance(event, dict):
            continue
        ms = int(event.get("timestamp") or 0)
        ingestion = event.get("ingestionTime")
        ingestion_ms = int(ingestion) if isinstance(ingestion, int) else None
        message = str(event.get("message") or "")
        key = (ms, ingestion_ms, message)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        lines.append(
            LogLine(
                from_ms(ms),
                message,
                stream,
                synthetic_id(stream, ms, ingestion_ms, message, occurrence),
                source.task_id,
                source.container,
                ingestion_ms,
            )
        )
    return lines


def line_from_filtered(event: Mapping[str, Any], by_stream: dict[str, LogSource]) -> LogLine:
    stream = str(event.get("logStreamName") or "")
    source = by_stream.get(stream)
    ingestion = event.get("ingestionTime")
    return LogLine(
        from_ms(event.get("timestamp")),
        str(event.get("message") or ""),
        stream,
        str(event.get("eventId") or ""),
        source.task_id if source else None,
        source.container if source else None,
        int(ingestion) if isinstance(ingestion, int) else None,
    )


def time_range(start: datetime | None, end: datetime | None) -> dict[str, int]:
    request: dict[str, int] = {}
    if start is not None:
        request["startTime"] = to_ms(start)
    if end is not None:
        request["endTime"] = to_ms(end)
    return request


async def get_stream_events(
    session: AwsSession,
    source: LogSource,
    *,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    token: str | None = None,
) -> tuple[list[LogLine], str | None]:
    """One stream's events from `start` (or from `token`), oldest first, paged forward until the same token comes
    back or `limit` lines; the last forward token (to poll for newer events with)."""
    logs = await session.logs(source.region)
    seen: dict[tuple[int, int | None, str], int] = {}
    lines: list[LogLine] = []
    while len(lines) < limit:
        request: dict[str, Any] = {
            "logGroupName": source.group,
            "logStreamName": source.stream,
            "limit": min(MAX_EVENTS_PER_CALL, limit - len(lines)),
            **time_range(start, end),
        }
        if token is None:
            request["startFromHead"] = True
        else:
            request["nextToken"] = token
        try:
            response = await logs.get_log_events(**request)
        except Exception as exc:
            raise log_error(session, exc, source) from exc
        lines.extend(lines_from_get(source, response.get("events") or [], seen))
        forward = response.get("nextForwardToken")
        if not forward or forward == token:
            break
        token = forward
    return lines[:limit], token


def by_group(sources: Sequence[LogSource]) -> dict[tuple[str | None, str], list[LogSource]]:
    """Readable sources by (region, group), each group's streams once, in the order given."""
    groups: dict[tuple[str | None, str], list[LogSource]] = {}
    for source in sources:
        if not source.readable or source.group is None:
            continue
        members = groups.setdefault((source.region, source.group), [])
        if all(member.stream != source.stream for member in members):
            members.append(source)
    return groups


async def filter_group_events(
    session: AwsSession,
    region: str | None,
    group: str,
    sources: Sequence[LogSource],
    *,
    start: datetime | None,
    end: datetime | None,
    pattern: str | None,
    limit: int,
) -> list[LogLine]:
    """The events of one group's named streams (100 a call), matching `pattern` (sent to AWS), paged, merged."""
    logs = await session.logs(region)
    by_stream = {source.stream or "": source for source in sources}
    names = list(by_stream)
    lines: list[LogLine] = []
    for first in range(0, len(names), MAX_STREAMS_PER_FILTER):
        chunk = names[first : first + MAX_STREAMS_PER_FILTER]
        token: str | None = None
        taken = 0
        while taken < limit:
            request: dict[str, Any] = {
                "logGroupName": group,
                "logStreamNames": chunk,
                "limit": min(MAX_EVENTS_PER_CALL, limit - taken),
                **time_range(start, end),
            }
            if pattern:
                request["filterPattern"] = pattern
            if token:
                request["nextToken"] = token
            try:
                response = await logs.filter_log_events(**request)
            except Exception as exc:
                raise log_error(session, exc, sources[0]) from exc
            events = [e for e in response.get("events") or [] if isinstance(e, dict)]
            lines.extend(line_from_filtered(event, by_stream) for event in events)
            taken += len(events)
            token = response.get("nextToken")
            if not token:
                break
    return lines


def in_time_order(lines: list[LogLine]) -> list[LogLine]:
    # Stable: events of one stream keep the order AWS gave them within a millisecond.
    return sorted(lines, key=lambda line: line.timestamp)
