"""Triage's cause line from the crash's own words: the demo's crash-looping service says which module is missing;
causes ECS explains itself (out of memory) keep ECS's words; a few log reads a sweep, cached per task."""

from __future__ import annotations

import dataclasses

import pytest

from ecstui.aws.fetch import EcsReader
from ecstui.aws.load_balancing import LoadBalancingReader
from ecstui.aws.log_cause import cause_line
from ecstui.aws.logs import LogReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.aws.triage import TriageReport, find_problems
from ecstui.aws.triage_logs import with_log_causes
from ecstui.emulator.faults import ACCESS_DENIED
from ecstui.emulator.log_sim import go_panic, node_missing_module
from ecstui.emulator.server import EmulatorServer
from tests.aws.demo_state import FIXED_NOW


class _Task:
    task_arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123abcd"


@pytest.mark.parametrize(
    ("lines", "cause"),
    [
        (node_missing_module(), "Error: Cannot find module 'express'"),
        (go_panic(_Task()), "panic: runtime error: invalid memory address or nil pointer dereference"),
        (
            [
                "Traceback (most recent call last):",
                '  File "/app/main.py", line 3, in <module>',
                "    import flask",
                "ModuleNotFoundError: No module named 'flask'",
            ],
            "ModuleNotFoundError: No module named 'flask'",
        ),
        (
            [
                "Error: connect ECONNREFUSED 10.0.3.17:5432",
                "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {",
                "  errno: -111,",
                "  code: 'ECONNREFUSED',",
                "  syscall: 'connect',",
                "}",
                "Node.js v20.11.1",
            ],
            "Error: connect ECONNREFUSED 10.0.3.17:5432",
        ),
        (["listening on :8080", "  ", "shutting down after SIGTERM   "], "shutting down after SIGTERM"),
        (["", "   "], None),
    ],
)
def test_the_cause_line_is_the_error_above_the_stack_frames(lines: list[str], cause: str | None) -> None:
    assert cause_line(lines) == cause


async def _triage(target: AwsTarget, emulator: EmulatorServer) -> tuple[TriageReport, TriageReport, int]:
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        logs = LogReader(session, ecs=reader)
        report = await find_problems(reader, LoadBalancingReader(session), now=FIXED_NOW)
        emulator.log.clear()
        first = await with_log_causes(report, logs, reader)
        reads = len(emulator.log.calls("GetLogEvents"))
        await with_log_causes(report, logs, reader)
        assert len(emulator.log.calls("GetLogEvents")) == reads  # cached per stopped task
    return report, first, reads


async def test_the_crash_looping_service_is_explained_by_its_last_log_line(
    demo: AwsTarget, emulator: EmulatorServer
) -> None:
    before, after, reads = await _triage(demo, emulator)
    crashing = [p for p in after.problems if p.service == "email-sender"]
    assert crashing and all(
        p.cause.startswith("last log line: Error: Cannot find module 'express' (exit 1) \u00d7") for p in crashing
    )
    assert next(p.cause for p in before.problems if p.service == "email-sender").startswith(
        "Essential container in task exited"
    )
    oom = [p for p in after.problems if p.service == "image-resizer"]
    assert oom and all(p.cause.startswith("OutOfMemoryError") for p in oom)
    assert 1 <= reads <= 3


async def test_logs_that_cannot_be_read_keep_ecs_words_and_say_why_once(
    demo: AwsTarget, emulator: EmulatorServer
) -> None:
    emulator.faults.inject("GetLogEvents", ACCESS_DENIED, rate=1.0, service="logs")
    before, after, _ = await _triage(demo, emulator)
    assert [p.cause for p in after.problems] == [p.cause for p in before.problems]
    said = [e for e in after.errors if e.startswith("Logs: ")]
    assert len(said) == 1 and "logs:GetLogEvents" in said[0]


async def test_one_sweep_reads_the_logs_of_at_most_three_tasks(demo: AwsTarget, emulator: EmulatorServer) -> None:
    async with AwsSession(demo) as session:
        reader = EcsReader(session)
        report = await find_problems(reader, LoadBalancingReader(session), now=FIXED_NOW)
        crashed = [t for t in await reader.tasks("batch", "email-sender", "STOPPED") if t.last_status == "STOPPED"]
        template = next(p for p in report.problems if p.log_task is not None)
        many = dataclasses.replace(
            report, problems=tuple(dataclasses.replace(template, log_task=task) for task in crashed[:5])
        )
        assert len(many.problems) == 5
        emulator.log.clear()
        explained = await with_log_causes(many, LogReader(session, ecs=reader), reader)
    assert len(emulator.log.calls("GetLogEvents")) == 3
    assert [p.cause.startswith("last log line: ") for p in explained.problems] == [True] * 3 + [False] * 2
