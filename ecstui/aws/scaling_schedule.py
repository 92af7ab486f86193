"""Checking a scheduled scaling action's schedule (at(), rate(), cron()) and time zone before it is sent."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ecstui.aws.validation import Invalid

_AT: Final = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_RATE: Final = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_CRON: Final = re.compile(r"cron\(([^()]*)\)")
# Application Auto Scaling's cron has six fields: minutes hours day-of-month month day-of-week year.
_CRON_FIELD: Final = re.compile(r"[0-9A-Za-z*?,/\-#L W]+")
_CRON_FIELDS: Final = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")


def schedule_problem(expression: str) -> Invalid | None:
    """None when `expression` is a schedule Application Auto Scaling takes, else one sentence saying why not."""
    text = expression.strip()
    if not text:
        return Invalid("Enter a schedule: at(2026-12-24T08:00:00), rate(1 day) or cron(0 2 * * ? *).")
    if match := _AT.fullmatch(text):
        try:
            datetime.fromisoformat(match.group(1))
        except ValueError:
            return Invalid(f"{match.group(1)} is not a date and time: write at(yyyy-mm-ddThh:mm:ss).")
        return None
    if match := _RATE.fullmatch(text):
        value, unit = int(match.group(1)), match.group(2)
        if value < 1:
            return Invalid("A rate is at least 1: rate(1 hour).")
        if (value == 1) != (not unit.endswith("s")):
            return Invalid(f"Write rate(1 {unit.rstrip('s')}) for one, and rate(N {unit.rstrip('s')}s) for more.")
        return None
    if match := _CRON.fullmatch(text):
        fields = match.group(1).split()
        if len(fields) != len(_CRON_FIELDS):
            return Invalid(
                f"A cron() schedule has 6 fields (minutes hours day-of-month month day-of-week year), "
                f"not {len(fields)}: cron(0 2 * * ? *) is every day at 02:00."
            )
        for name, value in zip(_CRON_FIELDS, fields, strict=True):
            if not _CRON_FIELD.fullmatch(value):
                return Invalid(f"The {name} field of the cron() schedule holds characters cron does not take.")
        if "?" not in (fields[2], fields[4]) or fields[2] == fields[4] == "?":
            return Invalid("In a cron() schedule exactly one of day-of-month and day-of-week is '?'.")
        return None
    return Invalid(
        "A schedule is at(yyyy-mm-ddThh:mm:ss), rate(N minutes|hours|days) or cron(6 fields), "
        "for example cron(0 2 * * ? *)."
    )


def time_zone_problem(name: str) -> Invalid | None:
    """None when `name` is empty (UTC) or an IANA time zone, else one sentence."""
    text = name.strip()
    if not text or text == "UTC":
        return None
    try:
        if text not in available_timezones():
            raise ZoneInfoNotFoundError(text)
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return Invalid(f"{text!r} is not a time zone: use an IANA name such as Europe/Paris, or nothing for UTC.")
    return None


__all__ = ["schedule_problem", "time_zone_problem"]
