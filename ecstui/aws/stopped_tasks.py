"""Why tasks stopped: one cause per task from ECS's stop code and reasons, and a summary that groups them by cause."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from ecstui.aws.models import Container, Task

StopCause = Literal[
    "out of memory",
    "essential container exited",
    "failed ELB health checks",
    "image pull failure",
    "scaling activity",
    "deployment",
    "stopped by user",
    "spot interruption",
    "task failed to start",
    "other",
]

# Causes that mean something is wrong with the service or its image, as opposed to ECS or a person
# stopping a healthy task on purpose.
ABNORMAL_CAUSES: Final[frozenset[StopCause]] = frozenset(
    {
        "out of memory",
        "essential container exited",
        "failed ELB health checks",
        "image pull failure",
        "task failed to start",
    }
)

# Errors ECS reports when it could not get a task going at all (besides image pulls, which have their own cause).
_START_FAILURES = (
    "ResourceInitializationError",
    "CannotStartContainerError",
    "CannotCreateContainerError",
    "CannotCreateVolumeError",
    "CannotInspectContainerError",
    "ContainerRuntimeError",
    "ContainerRuntimeTimeoutError",
    "DockerTimeoutError",
    "InternalError",
    "Task failed to start",
    "Timeout waiting for network interface provisioning",
)
_PULL_FAILURES = ("CannotPullContainerError", "CannotPullImageManifestError", "pull image manifest")
TIMES: Final = "\u00d7"  # the multiplication sign: "x6" read as "six tasks with this cause"
# "Scaling activity initiated by (deployment ecs-svc/123)": the deployment that asked for the stop.
_ARN_NAME = re.compile(r"arn:aws[\w-]*:elasticloadbalancing:[^\s)]*:targetgroup/([^/\s)]+)/[0-9a-f]+")
_DEPLOYMENT_IN_REASON = re.compile(r"\(deployment ([^)\s]+)\)")


def _reasons(task: Task) -> list[str]:
    return [reason for reason in (task.stopped_reason, *(c.reason for c in task.containers)) if reason]


def _has(texts: Sequence[str], *needles: str) -> bool:
    return any(needle.lower() in text.lower() for text in texts for needle in needles)


def stop_cause(task: Task) -> StopCause:
    """The one cause that best explains why ECS stopped this task.

    The most specific evidence wins: a container killed for memory is "out of memory" even though ECS also says
    its essential container exited, and an image that could not be pulled is an "image pull failure" even though
    the stop code says the task failed to start.
    """
    code = task.stop_code or ""
    reasons = _reasons(task)
    if _has(reasons, "OutOfMemoryError", "OutOfMemory", "OOMKilled"):
        return "out of memory"
    if _has(reasons, *_PULL_FAILURES):
        return "image pull failure"
    if _has(reasons, "ELB health checks"):
        return "failed ELB health checks"
    if code == "SpotInterruption" or _has(reasons, "Spot Task was interrupted", "spot interruption"):
        return "spot interruption"
    if code == "UserInitiated":
        return "stopped by user"
    reason = task.stopped_reason or ""
    if "scaling activity initiated by" in reason.lower():
        # ECS names the deployment that asked for the stop; a task of another deployment was replaced by a rollout,
        # a task of that same deployment was scaled in.
        match = _DEPLOYMENT_IN_REASON.search(reason)
        if match and task.started_by and task.started_by.startswith("ecs-svc/") and match.group(1) != task.started_by:
            return "deployment"
        return "scaling activity"
    if _has(reasons, "deployment circuit breaker", "Deployment rolled back"):
        return "deployment"
    if code == "TaskFailedToStart" or _has(reasons, *_START_FAILURES):
        return "task failed to start"
    if code == "EssentialContainerExited" or _has(reasons, "Essential container in task exited"):
        return "essential container exited"
    return "other"


def _failed_exit(container: Container) -> bool:
    return container.exit_code is not None and container.exit_code != 0


def is_abnormal(task: Task, cause: StopCause | None = None) -> bool:
    """Whether the stop points at a fault (a crash, a bad image, failing checks) rather than a planned stop."""
    cause = cause or stop_cause(task)
    if cause in ABNORMAL_CAUSES:
        return True
    if cause == "other":
        # An unrecognised stop is only worth an operator's attention when something failed in it.
        return any(_failed_exit(c) for c in task.containers) or _has(_reasons(task), "health check", "Error")
    return False


def stop_reason_line(task: Task) -> str:
    """The single most informative reason: a container's error ("OutOfMemoryError: ...") over the task's summary."""
    container_errors = [c.reason for c in task.containers if c.reason and "error" in c.reason.lower()]
    if container_errors:
        return container_errors[0]
    if task.stopped_reason:
        return task.stopped_reason
    return next((c.reason for c in task.containers if c.reason), "") or (task.stop_code or "")


def stopped_time(task: Task) -> datetime | None:
    """When the task stopped, or began stopping (a task still draining has no stoppedAt yet)."""
    return task.stopped_at or task.stopping_at or task.created_at


@dataclass(frozen=True)
class StopCauseGroup:
    """Stopped tasks that share one cause: a crash loop of fifty tasks is one of these."""

    cause: StopCause
    count: int
    latest_at: datetime | None
    example_reason: str  # the newest task's reason, e.g. "OutOfMemoryError: Container killed due to memory usage"
    exit_codes: tuple[int, ...]  # the failing exit codes seen, most frequent first (0 only when nothing failed)
    task_arns: tuple[str, ...]  # newest first
    abnormal: bool
    first_at: datetime | None = None

    def line(self, window: timedelta | None = None) -> str:
        """One line for an operator: 'OutOfMemoryError: Container killed ... (exit 137) \u00d76 in 30 min'."""
        # A target group ARN takes half a line; its name says as much.
        text = _ARN_NAME.sub(r"\1", self.example_reason) or self.cause
        failing = [code for code in self.exit_codes if code != 0]
        if failing:
            text += f" (exit {', '.join(str(code) for code in failing)})"
        if self.count > 1:
            text += f" {TIMES}{self.count}"
        if window is not None:
            text += f" in {format_duration(window)}"
        return text


def format_duration(span: timedelta) -> str:
    """'45 s', '10 min', '2 h 5 min', '3 d'."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} d"


def _exit_codes(tasks: Sequence[Task]) -> tuple[int, ...]:
    codes = Counter(c.exit_code for task in tasks for c in task.containers if c.exit_code is not None)
    failing = Counter({code: n for code, n in codes.items() if code != 0})
    chosen = failing or codes
    return tuple(code for code, _ in sorted(chosen.items(), key=lambda item: (-item[1], item[0])))


def summarize_stopped(tasks: Sequence[Task]) -> list[StopCauseGroup]:
    """Group stopped tasks by cause: abnormal causes first, then the most frequent, then the most recent."""
    by_cause: dict[StopCause, list[Task]] = {}
    for task in tasks:
        by_cause.setdefault(stop_cause(task), []).append(task)
    groups = []
    for cause, members in by_cause.items():
        # Newest first; a task without any time sorts last.
        members.sort(key=lambda t: (stopped_time(t) is not None, stopped_time(t) or datetime.min), reverse=True)
        times = [at for t in members if (at := stopped_time(t)) is not None]
        groups.append(
            StopCauseGroup(
                cause=cause,
                count=len(members),
                latest_at=max(times) if times else None,
                example_reason=stop_reason_line(members[0]),
                exit_codes=_exit_codes(members),
                task_arns=tuple(t.arn for t in members),
                abnormal=any(is_abnormal(t, cause) for t in members),
                first_at=min(times) if times else None,
            )
        )
    groups.sort(key=lambda g: (not g.abnormal, -g.count, -(g.latest_at.timestamp() if g.latest_at else 0), g.cause))
    return groups


__all__ = [
    "ABNORMAL_CAUSES",
    "StopCause",
    "StopCauseGroup",
    "format_duration",
    "is_abnormal",
    "stop_cause",
    "stop_reason_line",
    "stopped_time",
    "summarize_stopped",
]
