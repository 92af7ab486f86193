"""The emulator's ECS Exec: ExecuteCommand and StartSession refuse what ECS and SSM refuse, in their words."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.conftest import boto_client


def _service_task(simulator: Simulator, service: str) -> Any:
    return next(
        t
        for t in simulator.ecs.tasks["prod"].values()
        if t.group == f"service:{service}" and t.last_status == "RUNNING"
    )


def _error(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return dict(caught.value.response["Error"])


def test_a_task_started_without_exec_is_refused_even_if_an_agent_reports(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    ecs = boto_client(emulator, "ecs")
    with emulator.lock:
        task = _service_task(simulator, "web")
        for container in task.containers:
            container.managed_agents = [{"name": "ExecuteCommandAgent", "lastStatus": "RUNNING"}]
    error = _error(
        ecs.execute_command, cluster="prod", task=task.task_arn, container="web", command="/bin/sh", interactive=True
    )
    assert error["Code"] == "InvalidParameterException"
    assert "execute command was not enabled when the task was run" in error["Message"]


def test_execute_command_needs_the_container_named_when_there_are_several_and_interactive(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    ecs = boto_client(emulator, "ecs")
    with emulator.lock:
        task = _service_task(simulator, "api")  # api and its datadog-agent sidecar
    several = _error(ecs.execute_command, cluster="prod", task=task.task_arn, command="/bin/sh", interactive=True)
    assert "container name must be specified" in several["Message"]
    batch = _error(
        ecs.execute_command, cluster="prod", task=task.task_arn, container="api", command="ls", interactive=False
    )
    assert "Interactive is the only mode" in batch["Message"]


def test_start_session_checks_its_target_and_its_documents_parameters(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    ssm = boto_client(emulator, "ssm")
    with emulator.lock:
        task = _service_task(simulator, "api")
        runtime = task.containers[0].runtime_id
    target = f"ecs:prod_{task.task_arn.rsplit('/', 1)[-1]}_{runtime}"
    missing = _error(
        ssm.start_session,
        Target=target,
        DocumentName="AWS-StartPortForwardingSessionToRemoteHost",
        Parameters={"portNumber": ["5432"]},
    )
    assert missing["Code"] == "InvalidParameters" and "missing host" in missing["Message"]
    unknown = _error(ssm.start_session, Target=target, DocumentName="AWS-NoSuchDocument")
    assert unknown["Code"] == "InvalidDocument"
    gone = _error(
        ssm.start_session,
        Target=f"ecs:prod_{'0' * 32}_{runtime}",
        DocumentName="AWS-StartPortForwardingSession",
        Parameters={"portNumber": ["80"]},
    )
    assert gone["Code"] == "TargetNotConnected"
    started = ssm.start_session(
        Target=target,
        DocumentName="AWS-StartPortForwardingSession",
        Parameters={"portNumber": ["8080"], "localPortNumber": ["18080"]},
    )
    assert started["StreamUrl"].startswith(
        f"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/{started['SessionId']}?"
    )
    assert ssm.terminate_session(SessionId=started["SessionId"])["SessionId"] == started["SessionId"]
