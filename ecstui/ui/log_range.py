"""The time ranges a log pane reads: the last 5 minutes, the last hour, since the task started, or a range typed as
ISO times or relative to now ("-30m"), checked before anything is sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

RangeKind = Literal["last", "since_start", "custom"]

_RELATIVE = re.compile(r"^-?\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|day|days|w|wk|wks)\s*(?:ago)?$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# CloudWatch Logs keeps events as long as the group's retention, at most ten years; a start before that is a typo.
OLDEST = timedelta(days=3653)


class RangeError(ValueError):
    """A typed range that cannot be read, said in one sentence."""


@dataclass(frozen=True)
class TimeRange:
    """What a log pane reads: `last` a span up to now, `since_start` the task's life, `custom` start to end."""

    kind: RangeKind
    span: timedelta | None = None  # last
    start: datetime | None = None  # custom
    end: datetime | None = None  # custom; None: up to now, followed

    @property
    def label(self) -> str:
        if self.kind == "last" and self.span is not None:
            return f"last {_span_label(self.span)}"
        if self.kind == "since_start":
            return "since the task started"
        start = _moment_label(self.start)
        return f"{start} to {_moment_label(self.end)}" if self.end is not None else f"since {start}"

    @property
    def follows(self) -> bool:
        """Whether new lines are followed after the range is read (not for a range that ends)."""
        return self.kind != "custom" or self.end is None

    def window(self, now: datetime, task_started: datetime | None) -> tuple[datetime | None, datetime]:
        """(start, end) to read: the end is now unless the range ends earlier."""
        if self.kind == "last" and self.span is not None:
            return now - self.span, now
        if self.kind == "since_start":
            return task_started, now
        return self.start, self.end if self.end is not None else now


LAST_5_MINUTES = TimeRange("last", span=timedelta(minutes=5))
LAST_HOUR = TimeRange("last", span=timedelta(hours=1))
SINCE_START = TimeRange("since_start")


def _span_label(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    for size, name in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {name}"
    return f"{seconds} s"


def _moment_label(moment: datetime | None) -> str:
    if moment is None:
        return "now"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def parse_moment(text: str, now: datetime, what: str) -> datetime | None:
    """A typed moment: "now" or empty (None), relative ("-30m", "2h", "90s ago", "-1d"), or ISO 8601 (UTC when no
    offset is given; "04:30" is today, UTC). Raises RangeError with a sentence naming `what`."""
    typed = text.strip()
    lowered = typed.lower()
    if lowered in ("", "now"):
        return None
    relative = _RELATIVE.match(lowered)
    if relative is not None:
        amount, unit = float(relative.group(1)), relative.group(2)[0]
        return now - timedelta(seconds=amount * _UNITS[unit])
    candidate = typed.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", typed) else typed
    clock = re.match(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$", candidate)
    if clock is not None:
        hour, minute, second = clock.groups()
        candidate = f"{now.astimezone(UTC).date().isoformat()}T{int(hour):02d}:{minute}:{second or '00'}"
    try:
        moment = datetime.fromisoformat(candidate.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise RangeError(
            f"{what}: {typed!r} is neither a time (2026-12-02T04:30, UTC unless it says otherwise) nor relative "
            "to now (-30m, -2h, -1d)."
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def custom_range(start_text: str, end_text: str, now: datetime) -> TimeRange:
    """A typed range, checked: a start is needed, before the end, not in the future, within CloudWatch's reach."""
    start = parse_moment(start_text, now, "Start")
    end = parse_moment(end_text, now, "End")
    if start is None:
        raise RangeError("Start: type when the range begins, e.g. -30m or 2026-12-02T04:30.")
    if start > now:
        raise RangeError(f"Start: {_moment_label(start)} is in the future (now is {_moment_label(now)}).")
    if end is not None and end <= start:
        raise RangeError(f"The end ({_moment_label(end)}) must come after the start ({_moment_label(start)}).")
    if start < now - OLDEST:
        raise RangeError(f"Start: {_moment_label(start)} is more than ten years ago, older than any log kept.")
    if end is not None and end >= now:
        end = None  # up to now: followed, as a range ending now would be
    return TimeRange("custom", start=start, end=end)


__all__ = [
    "LAST_5_MINUTES",
    "LAST_HOUR",
    "SINCE_START",
    "RangeError",
    "TimeRange",
    "custom_range",
    "parse_moment",
]
