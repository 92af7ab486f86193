"""What triage remembers between refreshes: since when each resource has had its problem.

ECS's own times move (a deployment's updatedAt, the event window of the last 100 events), so "since" computed
afresh would jump back and forth and, with it, the order of rows. The app holds one TriageMemory for the session.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ecstui.aws.triage_problem import Problem, TriageReport, worst_first


def _identity(problem: Problem) -> tuple[str, bool]:
    # The resource, and whether it is a problem at all: a rollout that turns into a problem began as that rollout,
    # but a problem that clears and comes back is a new one (see `remember`, which forgets what is gone).
    return (problem.key, problem.is_info)


class TriageMemory:
    """Per resource and problem, the earliest time it was known to begin."""

    def __init__(self) -> None:
        self._began: dict[tuple[str, bool], datetime] = {}

    def since(self, problem: Problem) -> datetime | None:
        return self._began.get(_identity(problem))

    def remember(self, report: TriageReport) -> TriageReport:
        """The report with each problem's since no later than any earlier refresh said, worst first again.

        A problem with no time of its own began, as far as anyone knows, when it was first seen. A problem absent
        from a complete report is over and forgotten; after a partial one (a part could not be read) it is kept.
        """
        now = report.checked_at
        problems: list[Problem] = []
        seen: dict[tuple[str, bool], datetime] = {}
        for problem in report.problems:
            identity = _identity(problem)
            candidates = [t for t in (self._began.get(identity), problem.since, now) if t is not None]
            began = min(candidates) if candidates else None
            if began is not None:
                seen[identity] = began
            problems.append(dataclasses.replace(problem, since=began))
        if report.errors:
            self._began.update(seen)
        else:
            self._began = seen
        return dataclasses.replace(report, problems=tuple(sorted(problems, key=worst_first)))


__all__ = ["TriageMemory"]
