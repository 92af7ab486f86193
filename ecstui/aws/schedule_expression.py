"""EventBridge schedule expressions (cron, rate, at) parsed, checked, read in words and run forward, without AWS.

EventBridge's cron is not Unix cron: six fields (minutes hours day-of-month month day-of-week year), days of the
week counted 1 = SUN to 7 = SAT, exactly one of the two day fields `?`, and `L`, `W` and `#` as Quartz has them.
croniter and the other PyPI cron libraries read the Unix dialect (five fields, 0 = Sunday, no `?`/`W`/`#`, no
year) or validate without computing runs or time zones, so this module implements the dialect from AWS's
reference (EventBridge Scheduler "Schedule types", EventBridge "Schedule expressions for rules"). Everything here
is pure: the dialog checks what is typed as it is typed, and the schedules pane computes next runs, with no call.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTH_NAMES: Final = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES: Final = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # EventBridge: 1 = SUN .. 7 = SAT
_LONG_DAYS: Final = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_SHORT_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# EventBridge accepts years 1970-2199; runs are never looked for past the last one.
FIRST_YEAR: Final = 1970
LAST_YEAR: Final = 2199
RATE_UNITS: Final = ("minute", "hour", "day")
MAX_NEXT_RUNS: Final = 1000


class ExpressionError(ValueError):
    """A schedule expression or time zone that EventBridge would refuse; str() is one sentence naming the field."""


@dataclass(frozen=True)
class Rate:
    """rate(value unit): every `value` minutes, hours or days from when the schedule was created."""

    value: int
    unit: Literal["minute", "hour", "day"]

    @property
    def period(self) -> timedelta:
        return timedelta(**{f"{self.unit}s": self.value})


@dataclass(frozen=True)
class At:
    """at(yyyy-mm-ddThh:mm:ss): once, at a wall-clock time in the schedule's time zone (Scheduler only)."""

    when: datetime  # naive: read in the schedule's time zone


@dataclass(frozen=True)
class DayOfMonth:
    """The day-of-month field: a set of days, or `L` (last day), `LW` (last weekday), `nW` (weekday nearest n)."""

    days: frozenset[int] = frozenset()
    any: bool = False  # `?`
    last: bool = False  # `L`
    last_weekday: bool = False  # `LW`
    nearest_weekday: int | None = None  # `nW`


@dataclass(frozen=True)
class DayOfWeek:
    """The day-of-week field (1 = SUN): a set of days, `nL` (the last n-day of the month), or `n#k` (the k-th)."""

    days: frozenset[int] = frozenset()
    any: bool = False  # `?`
    last_of: int | None = None  # `nL`, or `L` alone (7, Saturday)
    nth: tuple[int, int] | None = None  # `n#k`: (day, k)


@dataclass(frozen=True)
class Cron:
    """cron(minutes hours day-of-month month day-of-week year), each field parsed to what it allows."""

    text: str
    fields: tuple[str, str, str, str, str, str]
    minutes: frozenset[int]
    hours: frozenset[int]
    day_of_month: DayOfMonth
    months: frozenset[int]
    day_of_week: DayOfWeek
    years: frozenset[int]


Expression = Cron | Rate | At


# -- parsing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names for low, low+1, ...


_MINUTES = _Field("Minutes", 0, 59)
_HOURS = _Field("Hours", 0, 23)
_DOM = _Field("Day-of-month", 1, 31)
_MONTH = _Field("Month", 1, 12, MONTH_NAMES)
_DOW = _Field("Day-of-week", 1, 7, DAY_NAMES)
_YEAR = _Field("Year", FIRST_YEAR, LAST_YEAR)


def _problem(field: _Field, token: str, why: str) -> ExpressionError:
    return ExpressionError(f"{field.name} field {token!r}: {why}.")


def _number(field: _Field, token: str, whole: str) -> int:
    upper = token.upper()
    if field.names and upper in field.names:
        return field.low + field.names.index(upper)
    if not token.isdigit():
        allowed = f"a number from {field.low} to {field.high}"
        if field.names:
            allowed += f" or a name ({field.names[0]}-{field.names[-1]})"
        raise _problem(field, whole, f"{token!r} is not {allowed}")
    value = int(token)
    if not field.low <= value <= field.high:
        raise _problem(field, whole, f"{value} is outside {field.low}-{field.high}")
    return value


def _span(field: _Field, start: int, end: int) -> list[int]:
    if start <= end:
        return list(range(start, end + 1))
    if field is _YEAR:
        raise _problem(field, f"{start}-{end}", "a range of years must go forward")
    # A range that wraps (FRI-MON, 22-2) runs to the field's end and on from its start, as Quartz reads it.
    return list(range(start, field.high + 1)) + list(range(field.low, end + 1))


def _values(field: _Field, text: str) -> frozenset[int]:
    """A field of numbers and names: lists (a,b), ranges (a-b), steps (a/s, a-b/s, */s) and `*`."""
    if not text:
        raise ExpressionError(f"{field.name} field is empty.")
    found: set[int] = set()
    for part in text.split(","):
        if not part:
            raise _problem(field, text, "a list has an empty item")
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise _problem(field, text, f"the step after '/' must be a whole number above 0, not {step_text!r}")
            step = int(step_text)
        if base == "*":
            span = list(range(field.low, field.high + 1))
        elif "-" in base:
            first, _, last = base.partition("-")
            span = _span(field, _number(field, first, text), _number(field, last, text))
        else:
            start = _number(field, base, text)
            # "5/15": from 5 to the field's end in steps of 15.
            span = list(range(start, field.high + 1)) if slash else [start]
        found.update(span[::step])
    return frozenset(found)


def _day_of_month(text: str) -> DayOfMonth:
    upper = text.upper()
    if upper == "?":
        return DayOfMonth(any=True)
    if upper == "L":
        return DayOfMonth(last=True)
    if upper == "LW":
        return DayOfMonth(last_weekday=True)
    if upper.endswith("W"):
        day = _number(_DOM, upper[:-1], text)
        return DayOfMonth(nearest_weekday=day)
    if "L" in upper or "W" in upper:
        raise _problem(_DOM, text, "L and W stand alone (L, LW, or a day followed by W like 15W)")
    return DayOfMonth(days=_values(_DOM, upper))


def _day_of_week(text: str) -> DayOfWeek:
    upper = text.upper()
    if upper == "?":
        return DayOfWeek(any=True)
    if upper == "L":
        return DayOfWeek(last_of=7)
    if "#" in upper:
        day_text, _, nth_text = upper.partition("#")
        day = _number(_DOW, day_text, text)
        if not nth_text.isdigit() or not 1 <= int(nth_text) <= 5:
            raise _problem(_DOW, text, "the number after '#' says which week, 1 to 5")
        return DayOfWeek(nth=(day, int(nth_text)))
    if upper.endswith("L"):
        return DayOfWeek(last_of=_number(_DOW, upper[:-1], text))
    if "L" in upper.replace("JUL", ""):  # no day name holds an L
        raise _problem(_DOW, text, "L stands alone or after one day (6L: the last Friday)")
    return DayOfWeek(days=_values(_DOW, upper))


def parse_cron(body: str, original: str) -> Cron:
    parts = body.split()
    if len(parts) != 6:
        raise ExpressionError(
            f"cron() takes 6 fields (minutes hours day-of-month month day-of-week year), not {len(parts)}: "
            "for example cron(0 2 * * ? *)."
        )
    minute_text, hour_text, dom_text, month_text, dow_text, year_text = parts
    minutes = _values(_MINUTES, minute_text)
    hours = _values(_HOURS, hour_text)
    dom = _day_of_month(dom_text)
    months = _values(_MONTH, month_text.upper())
    dow = _day_of_week(dow_text)
    years = _values(_YEAR, year_text)
    if dom.any == dow.any:
        raise ExpressionError(
            "Day-of-month and day-of-week fields: exactly one of them must be '?' "
            f"(you gave {dom_text!r} and {dow_text!r}), the other one says which days."
        )
    fields = (minute_text, hour_text, dom_text, month_text, dow_text, year_text)
    return Cron(original, fields, minutes, hours, dom, months, dow, years)


_RATE = re.compile(r"(\S+)\s+(\S+)")
_AT = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})")


def parse_rate(body: str) -> Rate:
    match = _RATE.fullmatch(body.strip())
    if match is None:
        raise ExpressionError("rate() takes a value and a unit, like rate(5 minutes) or rate(1 hour).")
    value_text, unit_text = match.groups()
    if not value_text.isdigit() or int(value_text) == 0:
        raise ExpressionError(f"Rate value {value_text!r}: it must be a whole number above 0.")
    value = int(value_text)
    unit = unit_text.lower()
    singular = unit.removesuffix("s")
    if singular not in RATE_UNITS:
        raise ExpressionError(f"Rate unit {unit_text!r}: use minute(s), hour(s) or day(s).")
    # EventBridge refuses "rate(1 minutes)" and "rate(5 minute)".
    if value == 1 and unit != singular:
        raise ExpressionError(f"Rate unit {unit_text!r}: with the value 1 it is singular ({singular}).")
    if value > 1 and unit == singular:
        raise ExpressionError(f"Rate unit {unit_text!r}: with a value above 1 it is plural ({singular}s).")
    return Rate(value, singular)  # type: ignore[arg-type]  # checked against RATE_UNITS just above


def parse_at(body: str) -> At:
    match = _AT.fullmatch(body.strip())
    if match is None:
        raise ExpressionError("at() takes a date and time as yyyy-mm-ddThh:mm:ss, like at(2026-12-24T18:00:00).")
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        when = datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ExpressionError(f"at() date and time {body.strip()!r}: {exc}.") from exc
    return At(when)


def parse(text: str, *, allow_at: bool = True) -> Expression:
    """An expression as EventBridge reads it, or ExpressionError with one sentence naming what is wrong.

    `allow_at=False` for EventBridge rules, which take cron() and rate() only (at() is Scheduler's).
    """
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("Expression is empty: write cron(...), rate(...) or at(...).")
    match = re.fullmatch(r"(\w+)\s*\((.*)\)", stripped, flags=re.DOTALL)
    kinds = "cron(...), rate(...) or at(...)" if allow_at else "cron(...) or rate(...)"
    if match is None:
        raise ExpressionError(f"Expression {stripped!r} is not {kinds}.")
    kind, body = match.group(1).lower(), match.group(2)
    if kind == "cron":
        return parse_cron(body, stripped)
    if kind == "rate":
        return parse_rate(body)
    if kind == "at" and allow_at:
        return parse_at(body)
    if kind == "at":
        raise ExpressionError("EventBridge rules take cron() or rate() only; at() is for Scheduler schedules.")
    raise ExpressionError(f"Expression {stripped!r} is not {kinds}.")


def time_zone(name: str | None) -> ZoneInfo:
    """A time zone by its IANA name (None or empty: UTC), or ExpressionError."""
    if not name or not name.strip():
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ExpressionError(f"Time zone {name.strip()!r} is not an IANA time zone name (like Europe/Paris).") from exc


# -- running forward ---------------------------------------------------------------------------------


def _weekday(day: date) -> int:
    """EventBridge's day of the week: 1 = Sunday .. 7 = Saturday."""
    return (day.isoweekday() % 7) + 1


def _nearest_weekday(year: int, month: int, day: int) -> int | None:
    last = calendar.monthrange(year, month)[1]
    if day > last:
        return None
    weekday = date(year, month, day).isoweekday()
    if weekday == 6:  # Saturday: the Friday before, unless that leaves the month
        return day - 1 if day > 1 else day + 2
    if weekday == 7:  # Sunday: the Monday after, unless that leaves the month
        return day + 1 if day < last else day - 2
    return day


def _days_in_month(cron: Cron, year: int, month: int) -> list[int]:
    last = calendar.monthrange(year, month)[1]
    dom, dow = cron.day_of_month, cron.day_of_week
    if not dom.any:
        if dom.last:
            return [last]
        if dom.last_weekday:
            found = _nearest_weekday(year, month, last)
            return [found] if found else []
        if dom.nearest_weekday is not None:
            found = _nearest_weekday(year, month, dom.nearest_weekday)
            return [found] if found else []
        return sorted(d for d in dom.days if d <= last)
    days = range(1, last + 1)
    if dow.last_of is not None:
        return [max(d for d in days if _weekday(date(year, month, d)) == dow.last_of)]
    if dow.nth is not None:
        wanted, nth = dow.nth
        matching = [d for d in days if _weekday(date(year, month, d)) == wanted]
        return [matching[nth - 1]] if len(matching) >= nth else []
    return [d for d in days if _weekday(date(year, month, d)) in dow.days]


def _local_times(cron: Cron, start: date) -> Iterator[datetime]:
    """Every naive local time the cron allows, from the start of the day `start` on, in order."""
    for year in sorted(y for y in cron.years if y >= start.year):
        for month in sorted(cron.months):
            if (year, month) < (start.year, start.month):
                continue
            for day in _days_in_month(cron, year, month):
                if (year, month) == (start.year, start.month) and day < start.day:
                    continue
                for hour in sorted(cron.hours):
                    for minute in sorted(cron.minutes):
                        yield datetime(year, month, day, hour, minute)


def _exists(local: datetime, zone: ZoneInfo) -> datetime | None:
    """The aware time of a wall-clock time, or None in a daylight-saving gap (a time the clock skips)."""
    aware = local.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        return None
    return aware


def next_runs(
    expression: Expression, zone: ZoneInfo | str | None, after: datetime, n: int = 1, *, start: datetime | None = None
) -> list[datetime]:
    """The next `n` run times strictly after `after` (aware), in the schedule's time zone.

    A rate runs every period from `start` (when the schedule was created; `after` when unknown). A cron time in
    a daylight-saving gap is skipped; one the clock passes twice runs once, at its first pass.
    """
    zone = zone if isinstance(zone, ZoneInfo) else time_zone(zone)
    if after.tzinfo is None:
        raise ValueError("after must be an aware datetime")
    n = max(0, min(n, MAX_NEXT_RUNS))
    if isinstance(expression, At):
        when = _exists(expression.when, zone) or expression.when.replace(tzinfo=zone)
        return [when] if n and when > after else []
    if isinstance(expression, Rate):
        origin = start if start is not None and start.tzinfo is not None else after
        period = expression.period
        steps = max(0, (after - origin) // period + 1)
        first = origin + period * steps
        while first <= after:
            first += period
        return [(first + period * i).astimezone(zone) for i in range(n)]
    runs: list[datetime] = []
    local_after = after.astimezone(zone)
    # From the day before: a local day and the UTC instant `after` may fall on different dates.
    for local in _local_times(expression, (local_after - timedelta(days=1)).date()):
        if local < local_after.replace(tzinfo=None) - timedelta(hours=3):
            continue  # well before: skip without building aware times (3 h covers any UTC offset change)
        aware = _exists(local, zone)
        if aware is None or aware <= after:
            continue
        runs.append(aware)
        if len(runs) >= n:
            break
    return runs


# -- in words ----------------------------------------------------------------------------------------


def _zone_name(zone: ZoneInfo) -> str:
    return "UTC" if zone.key in ("UTC", "Etc/UTC") else zone.key


def when_text(moment: datetime, zone: ZoneInfo | str | None = None, *, with_zone: bool = True) -> str:
    """'Wed 2026-12-02 02:00 UTC': a run time as the pane and dialog show it."""
    zone = zone if isinstance(zone, ZoneInfo) else time_zone(zone)
    local = moment.astimezone(zone)
    text = f"{DAY_NAMES[_weekday(local.date()) - 1].title()} {local:%Y-%m-%d %H:%M}"
    return f"{text} {_zone_name(zone)}" if with_zone else text


def _list(values: frozenset[int], label: Callable[[int], str] = str) -> str:
    ordered = sorted(values)
    # Runs of 3 or more read as a range: 1-5 rather than 1, 2, 3, 4, 5.
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{label(ordered[i])} to {label(ordered[j])}")
        else:
            parts.extend(label(v) for v in ordered[i : j + 1])
        i = j + 1
    return ", ".join(parts)


def _step_of(values: frozenset[int], low: int, high: int) -> int | None:
    """The step of a field that is `*/s` or `low/s` (0, s, 2s, ... from the field's start)."""
    ordered = sorted(values)
    if len(ordered) < 2 or ordered[0] != low:
        return None
    step = ordered[1] - ordered[0]
    return step if ordered == list(range(low, high + 1, step)) else None


def _time_words(cron: Cron) -> str:
    minutes, hours = cron.minutes, cron.hours
    all_hours = len(hours) == 24
    if len(minutes) == 60 and all_hours:
        return "every minute"
    step = _step_of(minutes, 0, 59)
    if step is not None and step > 1 and all_hours:
        return f"every {step} minutes"
    if len(minutes) == 1 and all_hours:
        return f"every hour at minute {next(iter(minutes))}"
    if len(minutes) == 1 and len(hours) <= 6:
        minute = next(iter(minutes))
        return "at " + ", ".join(f"{h:02d}:{minute:02d}" for h in sorted(hours))
    hour_step = _step_of(hours, 0, 23)
    if len(minutes) == 1 and hour_step is not None:
        return f"every {hour_step} hours at minute {next(iter(minutes))}"
    minute_words = "every minute" if len(minutes) == 60 else f"at minutes {_list(minutes)}"
    return f"{minute_words} of hours {_list(hours)}"


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th") if n not in (11, 12, 13) else f"{n}th"


def _day_words(cron: Cron) -> str:
    dom, dow = cron.day_of_month, cron.day_of_week
    day_name = _LONG_DAYS.__getitem__
    if dom.any:
        if dow.last_of is not None:
            return f"on the last {day_name(dow.last_of - 1)} of the month"
        if dow.nth is not None:
            return f"on the {_ordinal(dow.nth[1])} {day_name(dow.nth[0] - 1)} of the month"
        if len(dow.days) == 7:
            return "every day"
        if dow.days == frozenset({2, 3, 4, 5, 6}):
            return "every weekday (Monday to Friday)"
        return "every " + _list(dow.days, lambda d: day_name(d - 1))
    if dom.last:
        return "on the last day of the month"
    if dom.last_weekday:
        return "on the last weekday of the month"
    if dom.nearest_weekday is not None:
        return f"on the weekday nearest the {_ordinal(dom.nearest_weekday)} of the month"
    if len(dom.days) == 31:
        return "every day"
    return "on day " + _list(dom.days) + " of the month"


def describe(expression: Expression, zone: ZoneInfo | str | None = None) -> str:
    """The expression in words: 'every day at 02:00 UTC', 'every 5 minutes', 'once, on Wed 2026-12-02 02:00 UTC'."""
    zone = zone if isinstance(zone, ZoneInfo) else time_zone(zone)
    if isinstance(expression, Rate):
        if expression.value == 1:
            return f"every {expression.unit}"
        return f"every {expression.value} {expression.unit}s"
    if isinstance(expression, At):
        when = _exists(expression.when, zone) or expression.when.replace(tzinfo=zone)
        return f"once, on {when_text(when, zone)}"
    time_words = _time_words(expression)
    day_words = _day_words(expression)
    # "every 5 minutes", not "every day every 5 minutes"
    every_day = time_words.startswith("every") and day_words == "every day"
    text = time_words if every_day else f"{day_words} {time_words}"
    text += f" {_zone_name(zone)}"
    if len(expression.months) < 12:
        text += ", in " + _list(expression.months, lambda m: _SHORT_MONTHS[m - 1])
    if len(expression.years) < LAST_YEAR - FIRST_YEAR + 1:
        text += ", in " + _list(expression.years)
    return text


def read_back(
    text: str, zone_name: str | None, now: datetime, *, allow_at: bool = True, start: datetime | None = None
) -> str:
    """What the dialog says under the expression as it is typed: 'every day at 02:00 UTC; next Wed 2026-12-02
    02:00'. Raises ExpressionError with the sentence to show instead."""
    zone = time_zone(zone_name)
    expression = parse(text, allow_at=allow_at)
    words = describe(expression, zone)
    runs = next_runs(expression, zone, now, 1, start=start)
    if not runs:
        if isinstance(expression, At):
            raise ExpressionError(f"at() time {expression.when:%Y-%m-%dT%H:%M:%S} is in the past: it would never run.")
        return f"{words}; it never runs (no such date before {LAST_YEAR + 1})"
    return f"{words}; next {when_text(runs[0], zone, with_zone=False)}"


__all__ = [
    "At",
    "Cron",
    "Expression",
    "ExpressionError",
    "Rate",
    "describe",
    "next_runs",
    "parse",
    "read_back",
    "time_zone",
    "when_text",
]
