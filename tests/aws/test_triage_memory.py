"""TriageMemory: since a problem began never moves backwards across refreshes, and what clears is forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ecstui.aws.triage_memory import TriageMemory
from ecstui.aws.triage_problem import ERROR, INFO, WARNING, Problem, TriageReport

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def problem(name: str, since: datetime | None, *, severity: int = ERROR, failures: int = 0) -> Problem:
    return Problem(
        severity=severity,
        kind="below desired" if severity != INFO else "rollout in progress",
        cluster="prod",
        service=name,
        resource_arn=f"arn:aws:ecs:us-east-1:1:service/prod/{name}",
        summary=f"{name}: 1/2 running",
        cause="",
        since=since,
        failures=failures,
        resource=f"service:prod/{name}",
    )


def report(at: datetime, *problems: Problem, errors: tuple[str, ...] = ()) -> TriageReport:
    return TriageReport(problems, errors=errors, checked_at=at)


def test_since_stays_at_the_earliest_time_a_refresh_said() -> None:
    memory = TriageMemory()
    first = memory.remember(report(T0, problem("web", T0 - timedelta(minutes=8))))
    # ECS's own time moved forward (a deployment updated, old events slid out of the 100 kept): 8m, 6m, 1m ago.
    later = memory.remember(report(T0 + timedelta(seconds=20), problem("web", T0 - timedelta(minutes=6))))
    last = memory.remember(report(T0 + timedelta(seconds=40), problem("web", T0 + timedelta(seconds=39))))
    assert first.problems[0].since == later.problems[0].since == last.problems[0].since == T0 - timedelta(minutes=8)


def test_a_problem_without_a_time_began_when_first_seen_and_its_age_grows() -> None:
    memory = TriageMemory()
    memory.remember(report(T0, problem("web", None)))
    again = memory.remember(report(T0 + timedelta(seconds=20), problem("web", None)))
    assert again.problems[0].since == T0  # not "0s" for as long as it lasts


def test_a_problem_that_cleared_and_came_back_is_a_new_one_unless_the_read_was_partial() -> None:
    memory = TriageMemory()
    memory.remember(report(T0, problem("web", None), problem("api", None)))
    # A partial read (a cluster could not be listed) proves nothing cleared: api keeps its since.
    memory.remember(report(T0 + timedelta(seconds=10), problem("web", None), errors=("prod: services: denied",)))
    memory.remember(report(T0 + timedelta(seconds=20), problem("api", None)))
    back = memory.remember(report(T0 + timedelta(seconds=30), problem("web", None), problem("api", None)))
    since = {p.service: p.since for p in back.problems}
    assert since == {"api": T0, "web": T0 + timedelta(seconds=30)}


def test_a_rollout_that_turns_into_a_problem_is_remembered_apart() -> None:
    memory = TriageMemory()
    memory.remember(report(T0, problem("web", T0, severity=INFO)))
    turned = memory.remember(report(T0 + timedelta(minutes=11), problem("web", None)))
    assert turned.problems[0].since == T0 + timedelta(minutes=11)


def test_the_order_is_worst_first_and_stable_when_nothing_changed() -> None:
    memory = TriageMemory()
    rows = (
        problem("b", None, severity=WARNING, failures=1),
        problem("a", None, severity=WARNING, failures=1),
        problem("c", None, severity=WARNING, failures=6),
        problem("z", T0, severity=INFO),
        problem("d", None),
    )
    first = [p.service for p in memory.remember(report(T0, *rows)).problems]
    again = [p.service for p in memory.remember(report(T0 + timedelta(seconds=5), *reversed(rows))).problems]
    assert first == again == ["d", "c", "a", "b", "z"]
