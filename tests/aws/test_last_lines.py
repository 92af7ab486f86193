"""A stopped task's last lines, from the demo's own crashes: the crash-looping service's Node error, the
out-of-memory service's climbing heap; read once per stopped task."""

from __future__ import annotations

import re

from ecstui.aws.fetch import EcsReader
from ecstui.aws.logs import LogReader, no_lines_reason, task_log_sources
from ecstui.aws.models import Task
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.aws.demo_state import step_until


async def _stopped(reader: EcsReader, cluster: str, service: str) -> Task:
    tasks = await reader.tasks(cluster, service, desired_status="STOPPED")
    stopped = [task for task in tasks if task.last_status == "STOPPED"]
    assert stopped, f"the demo's {service} has no stopped task"
    return max(stopped, key=lambda task: task.stopped_at or task.created_at or 0)  # type: ignore[arg-type,return-value]


async def test_the_crash_looping_task_ends_with_its_node_error_read_once(
    demo: AwsTarget, emulator: EmulatorServer
) -> None:
    async with AwsSession(demo) as session:
        reader = EcsReader(session)
        task = await _stopped(reader, "batch", "email-sender")
        definition = await reader.task_definition(task.task_definition_arn)
        logs = LogReader(session, ecs=reader)
        emulator.log.clear()
        lines = await logs.last_lines(task, definition, count=20)
        again = await logs.last_lines(task, definition, count=20)
    messages = [line.message for line in lines]
    assert "Error: Cannot find module 'express'" in messages and messages[-1] == "Node.js v20.11.1"
    assert again == lines
    calls = emulator.log.calls("GetLogEvents")
    assert len(calls) == 1  # cached: a stopped task's lines never change
    assert calls[0]["startFromHead"] is False and calls[0]["limit"] == 20
    assert calls[0]["logStreamName"] == f"ecs/email-sender/{task.id}"
    assert {line.task_id for line in lines} == {task.id}


async def test_the_out_of_memory_task_logged_its_heap_climbing_to_the_limit(demo: AwsTarget) -> None:
    async with AwsSession(demo) as session:
        reader = EcsReader(session)
        task = await _stopped(reader, "batch", "image-resizer")
        definition = await reader.task_definition(task.task_definition_arn)
        lines = await LogReader(session, ecs=reader).last_lines(task, definition, count=20)
    rss = [int(m.group(1)) for line in lines if (m := re.search(r"rss (\d+) MiB of 512 MiB", line.message))]
    assert len(rss) >= 3 and rss == sorted(rss) and rss[-1] > 0.9 * 512


async def test_a_task_that_never_started_has_no_lines_and_says_why(
    demo: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    step_until(
        simulator,
        lambda: any(
            t.last_status == "STOPPED" and t.group == "service:cart" for t in simulator.ecs.tasks["prod"].values()
        ),
    )
    async with AwsSession(demo) as session:
        reader = EcsReader(session)
        task = await _stopped(reader, "prod", "cart")  # the bad deploy: its image cannot be pulled
        definition = await reader.task_definition(task.task_definition_arn)
        emulator.log.clear()
        assert await LogReader(session, ecs=reader).last_lines(task, definition) == []
    assert task.stop_code == "TaskFailedToStart"
    assert no_lines_reason(task, task_log_sources(task, definition)) == (
        "The task never started its containers, so they wrote no logs."
    )
    assert not emulator.log.calls("GetLogEvents")


async def test_a_service_reads_only_its_running_tasks_streams(demo: AwsTarget) -> None:
    async with AwsSession(demo) as session:
        reader = EcsReader(session)
        running = await reader.tasks("prod", "api")
        sources = await LogReader(session, ecs=reader).service_sources("prod", "api")
    assert {source.task_id for source in sources} == {task.id for task in running}
    assert {source.container for source in sources} == {"api", "datadog-agent"}
    assert all(source.stream == f"ecs/{source.container}/{source.task_id}" for source in sources)
