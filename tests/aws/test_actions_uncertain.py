"""A change whose answer was lost may have been applied: it says so and can read the resource back, never
"could not connect" (which is kept for a request that never left)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
from typing import Any

import pytest
from aiobotocore.config import AioConfig

from ecstui.aws.actions import EcsActions, UncertainOutcome
from ecstui.aws.errors import AwsError
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import DropAfterApplying, Hang, MalformedAnswer
from ecstui.emulator.server import EmulatorServer
from tests.aws.test_actions import make_cluster, register_container_instance


def _one_attempt(session: AwsSession) -> AwsSession:
    # botocore retries a dropped connection and a timeout three more times (with backoff) before giving up;
    # what is said after the last attempt is the same, so one attempt keeps these tests short.
    session._config = session._config.merge(AioConfig(retries={"mode": "standard", "total_max_attempts": 1}))
    return session


async def test_a_scale_whose_connection_drops_after_sending_may_have_been_applied_and_reads_the_service_back(
    emulator: EmulatorServer, ecs: Any, target: AwsTarget
) -> None:
    make_cluster(ecs, services={"web": 2})
    emulator.faults.inject("UpdateService", DropAfterApplying(), rate=1.0)
    async with AwsSession(target) as session:
        with pytest.raises(UncertainOutcome) as caught:
            await EcsActions(session).scale_service("prod", "web", 5)
        error = caught.value
        assert error.kind == "uncertain" and error.operation == "UpdateService"
        assert error.message == (
            "The connection dropped after UpdateService was sent: the change may have been applied. "
            "ecstui read it back; check its state before sending it again."
        )
        assert "Cannot reach" not in error.message and "could not connect" not in error.message.lower()
        assert error.read_back is not None
        emulator.faults.clear_injections()
        said = await error.read_back()
    # It was applied (by each of botocore's attempts, to the same count): the read-back says what ECS holds now.
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["desiredCount"] == 5
    assert said == "Now: web wants 5 tasks (5 running, 0 pending), task definition web:1, 1 deployment."


async def test_a_stop_answered_too_late_may_have_been_applied_and_reads_the_task_back(
    emulator: EmulatorServer, ecs: Any, target: AwsTarget
) -> None:
    make_cluster(ecs)
    register_container_instance(emulator, "prod")
    task_arn = ecs.run_task(cluster="prod", taskDefinition="web:1", launchType="EC2")["tasks"][0]["taskArn"]
    # The stop reaches ECS only after the client has stopped waiting for its answer.
    emulator.faults.inject("StopTask", Hang(1.0), count=1)
    async with _one_attempt(AwsSession(dataclasses.replace(target, read_timeout=0.3))) as session:
        with pytest.raises(UncertainOutcome) as caught:
            await EcsActions(session).stop_task("prod", task_arn, "deploy")
        error = caught.value
        assert error.message.startswith(
            "StopTask was sent and no answer came in time: the change may have been applied."
        )
        assert error.read_back is not None
        emulator.faults.release_hangs()
        # The released StopTask is applied on the server's thread: read back once ECS holds it (the read-back
        # could otherwise overtake it on a loaded machine and read the task as it was).
        deadline = time.monotonic() + 10
        while ecs.describe_tasks(cluster="prod", tasks=[task_arn])["tasks"][0]["desiredStatus"] != "STOPPED":
            assert time.monotonic() < deadline, "the released StopTask was never applied"
            await asyncio.sleep(0.02)
        said = await error.read_back()
    assert said.startswith(f"Now: task {task_arn.rsplit('/', 1)[-1]} is ")
    assert "(desired STOPPED)" in said


async def test_an_unreadable_answer_to_a_change_says_it_was_probably_applied(
    emulator: EmulatorServer, ecs: Any, target: AwsTarget
) -> None:
    make_cluster(ecs, services={"web": 2})
    emulator.faults.inject("UpdateService", MalformedAnswer("missing_member", "service"), count=1)
    async with AwsSession(target) as session:
        with pytest.raises(UncertainOutcome) as caught:
            await EcsActions(session).restart_service("prod", "web")
    assert caught.value.message.startswith(
        "UpdateService was sent and its answer could not be read: the change was probably applied."
    )


async def test_a_change_that_could_not_connect_at_all_says_so_and_is_not_uncertain() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = AwsTarget(region="us-east-1", endpoint_url=f"http://127.0.0.1:{port}")
    async with _one_attempt(AwsSession(target)) as session:
        session._config = session._config.merge(AioConfig(connect_timeout=1))
        with pytest.raises(AwsError) as caught:
            await EcsActions(session).restart_service("prod", "web")
    assert not isinstance(caught.value, UncertainOutcome)
    assert caught.value.kind == "unreachable" and caught.value.message.startswith("Cannot reach")
