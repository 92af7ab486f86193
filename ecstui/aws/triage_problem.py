"""What triage says about one resource: its worst problem, the other symptoms as facts, and the order of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

from ecstui.aws.models import Task

ProblemKind = Literal[
    "below desired",
    "deployment failed",
    "deployment stuck",
    "unhealthy targets",
    "tasks stopping abnormally",
    "instance disconnected",
    "rollout in progress",
]

# Severity is what users lose: nothing serving, then degraded, then will hurt if left; info is no problem at all.
CRITICAL: Final = 0
ERROR: Final = 1
WARNING: Final = 2
INFO: Final = 3
SEVERITY_LABELS: Final[dict[int, str]] = {CRITICAL: "critical", ERROR: "error", WARNING: "warning", INFO: "info"}

# Ties of severity between two symptoms of one resource: the kind that explains the others is the headline.
KIND_ORDER: Final[dict[str, int]] = {
    "below desired": 0,
    "deployment failed": 1,
    "unhealthy targets": 2,
    "deployment stuck": 3,
    "tasks stopping abnormally": 4,
    "instance disconnected": 5,
    "rollout in progress": 6,
}


@dataclass(frozen=True)
class Problem:
    """One resource's worst problem, said in two lines (what: summary, why: cause), its other symptoms as facts."""

    severity: int  # CRITICAL (0) .. INFO (3)
    kind: ProblemKind
    cluster: str
    service: str | None
    resource_arn: str  # what `enter` lands on: a service, task, target group or container instance ARN
    summary: str  # the headline: "payments: 3/4 running; 2 targets unhealthy (Target.FailedHealthChecks)"
    cause: str  # "OutOfMemoryError: Container killed due to memory usage (exit 137) x6 in 30 min"
    since: datetime | None  # when the problem began (see TriageMemory: never moves backwards across refreshes)
    service_arn: str | None = None  # the service the problem belongs to, whatever resource_arn points at
    target_group_arn: str | None = None  # for "unhealthy targets": the group of the first unhealthy target
    related_arns: tuple[str, ...] = ()  # every task (or target group) the problem covers, newest first
    # The stopped task whose last log line may say why better than ECS did ("Essential container in task exited"):
    # read by `with_log_causes` (ecstui.aws.triage_logs), which puts that line in `cause`.
    log_task: Task | None = field(default=None, compare=False)
    facts: tuple[str, ...] = ()  # the resource's other symptoms: "tasks stopping abnormally: 6 tasks stopped ..."
    failures: int = 0  # tasks that failed or stopped abnormally, targets unhealthy: what breaks a tie of severity
    resource: str = ""  # the resource's key: "service:prod/web", "tasks:batch/family:report", "instance:batch/<arn>"
    label: str | None = None  # where, when not a service: a task group or an EC2 instance id

    @property
    def key(self) -> str:
        """One row per resource: this names it, whatever the problem is today."""
        return self.resource or f"{self.cluster}|{self.service or self.resource_arn}"

    @property
    def headline(self) -> str:
        return self.summary

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, "warning")

    @property
    def is_info(self) -> bool:
        return self.severity >= INFO


def worst_first(problem: Problem) -> tuple[int, int, int, float, str]:
    """Sort key: severity, then more failures first, then older first (unknown age last), then the key for a stable
    order between refreshes."""
    since = problem.since.timestamp() if problem.since is not None else 0.0
    return (problem.severity, -problem.failures, problem.since is None, since, problem.key)


@dataclass(frozen=True)
class TriageReport:
    """The problems, worst first, and the parts that could not be checked (a triage never fails for one part)."""

    problems: tuple[Problem, ...]
    errors: tuple[str, ...] = ()  # "Load balancers: Access denied for DescribeTargetGroups: ..."
    checked_at: datetime | None = None
    clusters: int = 0

    @property
    def real_problems(self) -> tuple[Problem, ...]:
        """The rows to act on: every problem but information (a young healthy rollout)."""
        return tuple(p for p in self.problems if not p.is_info)

    @property
    def ok(self) -> bool:
        """Nothing to act on: no real problem (a young healthy rollout is information) and every part checked."""
        return not self.real_problems and not self.errors

    def __len__(self) -> int:
        return len(self.problems)


__all__ = [
    "CRITICAL",
    "ERROR",
    "INFO",
    "KIND_ORDER",
    "SEVERITY_LABELS",
    "WARNING",
    "Problem",
    "ProblemKind",
    "TriageReport",
    "worst_first",
]
