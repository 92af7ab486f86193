"""Triage's cause lines from the crashed containers' own words, where ECS says no more than an exit code."""

from __future__ import annotations

import asyncio
import dataclasses

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.log_cause import cause_line
from ecstui.aws.logs import LogReader
from ecstui.aws.models import Task
from ecstui.aws.triage import TriageReport

# Distinct stopped tasks whose logs one sweep may read (one GetLogEvents each, then cached for good): the worst
# problems come first, and the rest keep ECS's words until a later sweep.
LOG_READS_PER_SWEEP = 3


async def _line(task: Task, logs: LogReader, reader: EcsReader) -> str | AwsError | None:
    try:
        definition = await reader.task_definition(task.task_definition_arn)
        lines = await logs.last_lines(task, definition)
    except AwsError as error:
        return error
    return cause_line([line.message for line in lines])


async def with_log_causes(
    report: TriageReport, logs: LogReader, reader: EcsReader, *, budget: int = LOG_READS_PER_SWEEP
) -> TriageReport:
    """The report with each eligible problem's cause replaced by "last log line: <its crash's line> (exit 1) \u00d76 in
    30 min"; a read that
    fails leaves ECS's cause and is said once in `errors`."""
    tasks: dict[str, Task] = {}
    for problem in report.problems:
        if problem.log_task is not None and len(tasks) < budget:
            tasks.setdefault(problem.log_task.arn, problem.log_task)
    if not tasks:
        return report
    found = dict(zip(tasks, await asyncio.gather(*(_line(t, logs, reader) for t in tasks.values())), strict=True))
    problems = []
    for problem in report.problems:
        line = found.get(problem.log_task.arn) if problem.log_task is not None else None
        if isinstance(line, str) and line:
            # ECS's cause ends with how it ended and how often ("... (exit 1) \u00d76 in 30 min"): that stays.
            _, found_exit, tail = problem.cause.partition(" (exit ")
            how = f" (exit {tail}" if found_exit else ""
            problem = dataclasses.replace(problem, cause=f"last log line: {line}{how}")
        problems.append(problem)
    errors = list(report.errors)
    for result in found.values():
        if isinstance(result, AwsError) and (said := f"Logs: {result.message}") not in errors:
            errors.append(said)
    return dataclasses.replace(report, problems=tuple(problems), errors=tuple(errors))
