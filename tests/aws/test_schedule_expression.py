"""EventBridge schedule expressions: parsed as EventBridge reads them, refused in one sentence naming the field,
read back in words, and run forward in the schedule's time zone."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecstui.aws.schedule_expression import (
    At,
    Cron,
    ExpressionError,
    Rate,
    describe,
    next_runs,
    parse,
    read_back,
    time_zone,
    when_text,
)

NOW = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # a Tuesday


def _runs(text: str, zone: str = "UTC", n: int = 3, after: datetime = NOW) -> list[str]:
    return [f"{run:%a %Y-%m-%d %H:%M}" for run in next_runs(parse(text), zone, after, n)]


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("cron(0 2 * * ? *)", ["Wed 2026-12-02 02:00", "Thu 2026-12-03 02:00", "Fri 2026-12-04 02:00"]),
        ("cron(0/15 * * * ? *)", ["Tue 2026-12-01 22:15", "Tue 2026-12-01 22:30", "Tue 2026-12-01 22:45"]),
        ("cron(*/20 22 * * ? *)", ["Tue 2026-12-01 22:20", "Tue 2026-12-01 22:40", "Wed 2026-12-02 22:00"]),
        ("cron(10-30/10 9 * * ? *)", ["Wed 2026-12-02 09:10", "Wed 2026-12-02 09:20", "Wed 2026-12-02 09:30"]),
        ("cron(0 18 ? * MON-FRI *)", ["Wed 2026-12-02 18:00", "Thu 2026-12-03 18:00", "Fri 2026-12-04 18:00"]),
        # 1 = SUN, 7 = SAT: EventBridge's numbering, not Unix cron's.
        ("cron(0 12 ? * 1,7 *)", ["Sat 2026-12-05 12:00", "Sun 2026-12-06 12:00", "Sat 2026-12-12 12:00"]),
        ("cron(0 12 ? * FRI-MON *)", ["Fri 2026-12-04 12:00", "Sat 2026-12-05 12:00", "Sun 2026-12-06 12:00"]),
        ("cron(0 8 L * ? *)", ["Thu 2026-12-31 08:00", "Sun 2027-01-31 08:00", "Sun 2027-02-28 08:00"]),
        ("cron(0 8 LW * ? *)", ["Thu 2026-12-31 08:00", "Fri 2027-01-29 08:00", "Fri 2027-02-26 08:00"]),
        # 15W: Sat 2027-05-15 -> Fri 14th; 1W on a Saturday moves forward to Monday the 3rd, not back a month.
        ("cron(0 9 15W * ? 2027)", ["Fri 2027-01-15 09:00", "Mon 2027-02-15 09:00", "Mon 2027-03-15 09:00"]),
        ("cron(0 9 1W 5 ? 2027)", ["Mon 2027-05-03 09:00"]),
        ("cron(0 0 ? * 2#1 *)", ["Mon 2026-12-07 00:00", "Mon 2027-01-04 00:00", "Mon 2027-02-01 00:00"]),
        ("cron(0 0 ? * 6L *)", ["Fri 2026-12-25 00:00", "Fri 2027-01-29 00:00", "Fri 2027-02-26 00:00"]),
        ("cron(0 0 ? * L *)", ["Sat 2026-12-26 00:00", "Sat 2027-01-30 00:00", "Sat 2027-02-27 00:00"]),
        ("cron(0 0 1 JAN,jul ? *)", ["Fri 2027-01-01 00:00", "Thu 2027-07-01 00:00", "Sat 2028-01-01 00:00"]),
        ("cron(0 0 29 2 ? *)", ["Tue 2028-02-29 00:00", "Sun 2032-02-29 00:00", "Fri 2036-02-29 00:00"]),
        ("cron(0 0 31 2 ? *)", []),
        ("cron(0 0 1 1 ? 2020)", []),
        ("at(2026-12-02T02:00:00)", ["Wed 2026-12-02 02:00"]),
        ("at(2026-12-01T21:59:00)", []),
        ("rate(5 minutes)", ["Tue 2026-12-01 22:05", "Tue 2026-12-01 22:10", "Tue 2026-12-01 22:15"]),
    ],
)
def test_next_runs(text: str, runs: list[str]) -> None:
    assert _runs(text) == runs


def test_a_rate_counts_from_when_the_schedule_was_created() -> None:
    created = datetime(2026, 12, 1, 21, 3, tzinfo=UTC)
    runs = next_runs(parse("rate(10 minutes)"), "UTC", NOW, 2, start=created)
    assert [f"{r:%H:%M}" for r in runs] == ["22:03", "22:13"]


def test_cron_runs_in_the_schedules_time_zone() -> None:
    runs = next_runs(parse("cron(0 2 * * ? *)"), "Europe/Paris", NOW, 1)
    assert runs[0] == datetime(2026, 12, 2, 2, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert runs[0].astimezone(UTC) == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def test_a_time_the_clock_skips_is_skipped_and_one_it_passes_twice_runs_once() -> None:
    spring = datetime(2027, 3, 27, 12, tzinfo=UTC)  # Europe/Paris skips 02:00-03:00 on 2027-03-28
    runs = next_runs(parse("cron(30 2 * * ? *)"), "Europe/Paris", spring, 2)
    assert [f"{r:%m-%d %H:%M}" for r in runs] == ["03-29 02:30", "03-30 02:30"]
    autumn = datetime(2027, 10, 30, 12, tzinfo=UTC)  # passes 02:00-03:00 twice on 2027-10-31
    runs = next_runs(parse("cron(30 2 * * ? *)"), "Europe/Paris", autumn, 2)
    assert [f"{r:%m-%d %H:%M}" for r in runs] == ["10-31 02:30", "11-01 02:30"]


@pytest.mark.parametrize(
    ("text", "zone", "words"),
    [
        ("cron(0 2 * * ? *)", "UTC", "every day at 02:00 UTC"),
        ("cron(0 2 * * ? *)", "Europe/Paris", "every day at 02:00 Europe/Paris"),
        ("rate(5 minutes)", "UTC", "every 5 minutes"),
        ("rate(1 hour)", "UTC", "every hour"),
        ("at(2026-12-02T02:00:00)", "UTC", "once, on Wed 2026-12-02 02:00 UTC"),
        ("cron(0/15 * * * ? *)", "UTC", "every 15 minutes UTC"),
        ("cron(15 * * * ? *)", "UTC", "every hour at minute 15 UTC"),
        ("cron(0 18 ? * MON-FRI *)", "UTC", "every weekday (Monday to Friday) at 18:00 UTC"),
        ("cron(0 9,17 ? * 1,7 *)", "UTC", "every Sunday, Saturday at 09:00, 17:00 UTC"),
        ("cron(0 8 L * ? *)", "UTC", "on the last day of the month at 08:00 UTC"),
        ("cron(0 0 ? * 2#1 *)", "UTC", "on the 1st Monday of the month at 00:00 UTC"),
        ("cron(0 0 ? * 6L 2027)", "UTC", "on the last Friday of the month at 00:00 UTC, in 2027"),
        ("cron(30 6 1,15 JAN-MAR ? *)", "UTC", "on day 1, 15 of the month at 06:30 UTC, in Jan to Mar"),
    ],
)
def test_describe(text: str, zone: str, words: str) -> None:
    assert describe(parse(text), zone) == words


def test_read_back_says_the_words_and_the_next_run() -> None:
    assert read_back("cron(0 2 * * ? *)", "UTC", NOW) == "every day at 02:00 UTC; next Wed 2026-12-02 02:00"
    assert read_back("cron(0 0 31 2 ? *)", None, NOW).endswith("it never runs (no such date before 2200)")
    with pytest.raises(ExpressionError, match="in the past"):
        read_back("at(2020-01-01T00:00:00)", "UTC", NOW)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("", "Expression is empty: write cron(...), rate(...) or at(...)."),
        ("0 2 * * *", "Expression '0 2 * * *' is not cron(...), rate(...) or at(...)."),
        ("cron(0 2 * * *)", "cron() takes 6 fields (minutes hours day-of-month month day-of-week year), not 5"),
        ("cron(60 2 * * ? *)", "Minutes field '60': 60 is outside 0-59."),
        ("cron(0 24 * * ? *)", "Hours field '24': 24 is outside 0-23."),
        ("cron(0 2 32 * ? *)", "Day-of-month field '32': 32 is outside 1-31."),
        ("cron(0 2 * 13 ? *)", "Month field '13': 13 is outside 1-12."),
        ("cron(0 2 * FOO ? *)", "Month field 'FOO': 'FOO' is not a number from 1 to 12 or a name (JAN-DEC)."),
        ("cron(0 2 ? * 0 *)", "Day-of-week field '0': 0 is outside 1-7."),
        ("cron(0 2 ? * 2#6 *)", "Day-of-week field '2#6': the number after '#' says which week, 1 to 5."),
        ("cron(0 2 * * ? 1969)", "Year field '1969': 1969 is outside 1970-2199."),
        ("cron(0 2 * * ? 2030-2027)", "Year field '2030-2027': a range of years must go forward."),
        ("cron(*/0 * * * ? *)", "Minutes field '*/0': the step after '/' must be a whole number above 0, not '0'."),
        ("cron(0,,5 * * * ? *)", "Minutes field '0,,5': a list has an empty item."),
        ("cron(0 2 * * * *)", "Day-of-month and day-of-week fields: exactly one of them must be '?'"),
        ("cron(0 2 ? * ? *)", "Day-of-month and day-of-week fields: exactly one of them must be '?'"),
        ("cron(0 2 L5 * ? *)", "Day-of-month field 'L5': L and W stand alone"),
        ("rate(5)", "rate() takes a value and a unit, like rate(5 minutes) or rate(1 hour)."),
        ("rate(0 hours)", "Rate value '0': it must be a whole number above 0."),
        ("rate(1 minutes)", "Rate unit 'minutes': with the value 1 it is singular (minute)."),
        ("rate(5 minute)", "Rate unit 'minute': with a value above 1 it is plural (minutes)."),
        ("rate(2 weeks)", "Rate unit 'weeks': use minute(s), hour(s) or day(s)."),
        ("at(2026-12-02 02:00)", "at() takes a date and time as yyyy-mm-ddThh:mm:ss"),
        ("at(2026-02-30T00:00:00)", "at() date and time '2026-02-30T00:00:00': day is out of range for month."),
    ],
)
def test_bad_expressions_say_one_sentence_naming_the_field(text: str, sentence: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert str(caught.value).startswith(sentence)
    assert str(caught.value).count(". ") == 0  # one sentence


def test_rules_take_no_at_expressions() -> None:
    with pytest.raises(ExpressionError, match="EventBridge rules take cron"):
        parse("at(2026-12-02T02:00:00)", allow_at=False)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ExpressionError, match="Time zone 'Mars/Olympus' is not an IANA time zone name"):
        time_zone("Mars/Olympus")
    assert time_zone("").key == "UTC"


def test_kinds_are_what_they_say() -> None:
    assert isinstance(parse("cron(0 2 * * ? *)"), Cron)
    assert parse("rate(2 days)") == Rate(2, "day")
    assert parse(" at(2026-12-02T02:00:00) ") == At(datetime(2026, 12, 2, 2, 0))
    assert when_text(datetime(2026, 12, 2, 1, 0, tzinfo=UTC), "Europe/Paris") == "Wed 2026-12-02 02:00 Europe/Paris"


# -- property-style checks: random expressions against a brute-force reading of the fields -----------------


def _field(rng: random.Random, low: int, high: int, top: int | None = None) -> tuple[str, set[int]]:
    """A random field of values within low..high; `top` is the field's own end (where `a/step` runs to)."""
    kind = rng.choice(["*", "n", "list", "range", "step", "rangestep"])
    if kind == "*":
        return "*", set(range(low, (top or high) + 1))
    if kind == "n":
        n = rng.randint(low, high)
        return str(n), {n}
    if kind == "list":
        values = sorted(set(rng.sample(range(low, high + 1), k=min(3, high - low + 1))))
        return ",".join(map(str, values)), set(values)
    a, b = sorted(rng.sample(range(low, high + 1), k=2))
    if kind == "range":
        return f"{a}-{b}", set(range(a, b + 1))
    step = rng.randint(1, 7)
    if kind == "step":
        return f"{a}/{step}", set(range(a, (top or high) + 1, step))
    return f"{a}-{b}/{step}", set(range(a, b + 1, step))


def _matches(
    moment: datetime, minutes: set[int], hours: set[int], doms: set[int] | None, dows: set[int] | None
) -> bool:
    weekday = moment.isoweekday() % 7 + 1
    return (
        moment.minute in minutes
        and moment.hour in hours
        and (doms is None or moment.day in doms)
        and (dows is None or weekday in dows)
    )


@pytest.mark.parametrize("seed", range(40))
def test_random_crons_run_exactly_when_their_fields_allow(seed: int) -> None:
    rng = random.Random(seed)
    minute_text, minutes = _field(rng, 0, 59)
    hour_text, hours = _field(rng, 0, 23)
    if rng.random() < 0.5:
        dom_text, doms = _field(rng, 1, 28, top=31)
        dow_text, dows = "?", None
    else:
        dom_text, doms = "?", None
        dow_text, dows_set = _field(rng, 1, 7)
        dows = dows_set
    text = f"cron({minute_text} {hour_text} {dom_text} * {dow_text} *)"
    cron = parse(text)
    assert isinstance(cron, Cron)
    assert cron.minutes == minutes and cron.hours == hours
    after = datetime(2027, 1, 1, 0, 0, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 60 * 24 * 60))
    runs = next_runs(cron, "UTC", after, 5)
    assert runs, text
    assert all(a < b for a, b in itertools.pairwise(runs)), text
    assert all(run > after and _matches(run, minutes, hours, doms, dows) for run in runs), text
    # Nothing the fields allow is skipped between `after` and the first run (checked minute by minute, 2 days).
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    limit = min(runs[0], after + timedelta(days=2))
    while moment < limit:
        assert not _matches(moment, minutes, hours, doms, dows), f"{text} skipped {moment}"
        moment += timedelta(minutes=1)


@pytest.mark.parametrize("seed", range(20))
def test_every_run_of_a_rate_is_one_period_after_the_last(seed: int) -> None:
    rng = random.Random(seed)
    value, unit = rng.randint(1, 90), rng.choice(["minute", "hour", "day"])
    text = f"rate({value} {unit}{'s' if value > 1 else ''})"
    created = NOW - timedelta(minutes=rng.randint(0, 10_000))
    runs = next_runs(parse(text), "UTC", NOW, 4, start=created)
    period = timedelta(**{f"{unit}s": value})
    assert runs[0] > NOW and runs[0] - period <= NOW
    assert (runs[0] - created) % period == timedelta(0)
    assert all(b - a == period for a, b in itertools.pairwise(runs))
