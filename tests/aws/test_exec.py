"""ECS Exec against the emulator: the readiness check says each missing piece and its fix; ExecuteCommand and
StartSession hand the plugin exactly what the AWS CLI hands it; read-only sends nothing."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from ecstui.aws.audit import AuditLog
from ecstui.aws.errors import AwsError, ReadOnlyError
from ecstui.aws.exec import (
    EXEC_AGENT,
    PLUGIN_INSTALL_COMMANDS,
    PLUGIN_INSTALL_URL,
    ExecActions,
    ExecReadinessChecker,
    check_agent,
    exec_plugin_argv,
    plugin_install_commands,
    plugin_takes_env,
    run_plugin_in_terminal,
    start_session_plugin_call,
)
from ecstui.aws.fetch import EcsReader
from ecstui.aws.models import Container, ManagedAgent, Task
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import AwsErrorSpec
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.conftest import REGION
from tests.plugin_stand_in import install_stand_in
from tests.ui.conftest import shared_demo_account  # noqa: F401  (a fixture)


@pytest.fixture
async def session(shared_demo_account: AwsTarget) -> AsyncIterator[AwsSession]:  # noqa: F811
    async with AwsSession(shared_demo_account) as opened:
        yield opened


async def _task(session: AwsSession, cluster: str, service: str) -> Task:
    tasks = await EcsReader(session).tasks(cluster, service)
    return sorted(tasks, key=lambda t: t.arn)[0]


async def _checks(session: AwsSession, task: Task, container: str, *, plugin: str | None = "/usr/bin/smp") -> Any:
    reader = EcsReader(session)
    definition = await reader.task_definition(task.task_definition_arn)
    service = await reader.service("prod", task.service_name or "")
    checker = ExecReadinessChecker(session, which=lambda _name: plugin)
    return await checker.check(task, container, definition, service)


async def test_a_ready_container_passes_every_check(session: AwsSession, emulator_server: EmulatorServer) -> None:
    task = await _task(session, "prod", "api")
    readiness = await _checks(session, task, "api")
    assert [check.state for check in readiness.checks] == ["ok"] * 5
    assert readiness.ready
    # The task role was asked of IAM itself, with the four ssmmessages actions.
    (call,) = [body for op, body in emulator_server.log.bodies if op == "SimulatePrincipalPolicy"]
    assert call["PolicySourceArn"].endswith(":role/api-task")
    assert sorted(v for k, v in call.items() if k.startswith("ActionNames.member.")) == [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]


async def test_exec_off_on_the_service_says_so_and_offers_to_enable_it(session: AwsSession) -> None:
    task = await _task(session, "prod", "web")
    readiness = await _checks(session, task, "web")
    enabled, agent = readiness.checks[0], readiness.checks[1]
    assert enabled.state == "missing" and "service web has it off" in enabled.detail
    assert "UpdateService enableExecuteCommand=true" in enabled.fix and "new deployment" in enabled.fix
    assert agent.state == "missing" and "exec is off" in agent.detail
    assert readiness.can_enable_on_service and not readiness.ready


async def test_no_plugin_says_how_to_install_it(session: AwsSession) -> None:
    task = await _task(session, "prod", "api")
    plugin = (await _checks(session, task, "api", plugin=None)).checks[2]
    assert plugin.state == "missing"
    assert PLUGIN_INSTALL_URL in plugin.fix
    # Nothing on PATH to tell the package tool: every way AWS gives.
    assert "brew install --cask session-manager-plugin" in plugin.fix and "sudo apt install" in plugin.fix
    assert "sudo installer -pkg" in plugin.fix and "sudo yum install" in plugin.fix


def test_the_install_command_fits_the_machine() -> None:
    tools = {"apt": "/usr/bin/apt", "brew": "/opt/homebrew/bin/brew"}
    assert plugin_install_commands(tools.get, "linux") == [PLUGIN_INSTALL_COMMANDS["apt"]]
    assert plugin_install_commands(tools.get, "darwin") == ["brew install --cask session-manager-plugin"]
    assert plugin_install_commands({}.get, "darwin") == [PLUGIN_INSTALL_COMMANDS["pkg"]]


async def test_a_task_role_without_ssmmessages_is_named_with_what_it_lacks(session: AwsSession) -> None:
    task = await _task(session, "prod", "payments")
    readiness = await _checks(session, task, "payments")
    role = readiness.checks[3]
    assert role.state == "missing"
    assert "payments-task" in role.detail and "ssmmessages:CreateControlChannel" in role.detail
    assert not readiness.ready and not readiness.can_enable_on_service


async def test_simulate_principal_policy_denied_is_could_not_check_not_a_failure(
    session: AwsSession, emulator_server: EmulatorServer
) -> None:
    task = await _task(session, "prod", "api")
    emulator_server.faults.inject(
        "SimulatePrincipalPolicy",
        AwsErrorSpec(403, "AccessDenied", "User is not authorized to perform: iam:SimulatePrincipalPolicy"),
        count=4,
        service="iam",
    )
    try:
        readiness = await _checks(session, task, "api")
    finally:
        emulator_server.faults.clear_injections()
    role = readiness.checks[3]
    assert role.state == "unknown" and role.detail == "Could not check: iam:SimulatePrincipalPolicy denied."
    assert readiness.ready


async def test_an_agent_not_running_and_an_old_fargate_platform_are_missing(
    demo: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    async with AwsSession(demo) as opened:
        task = await _task(opened, "prod", "api")
        with emulator.lock:
            held = simulator.ecs.tasks["prod"][task.arn]
            held.platform_version = "1.3.0"
            for container in held.containers:
                container.managed_agents = [{"name": "ExecuteCommandAgent", "lastStatus": "STOPPED"}]
        fresh = await EcsReader(opened).task("prod", task.arn)
        assert fresh is not None
        readiness = await _checks(opened, fresh, "api")
    agent, platform = readiness.checks[1], readiness.checks[4]
    assert agent.state == "missing" and "STOPPED" in agent.detail and "ssmmessages" in agent.fix
    assert platform.state == "missing" and "1.3.0" in platform.detail and "1.4.0 or later" in platform.detail
    assert "LATEST" in platform.fix


def _aws_cli_exec_argv(response: dict[str, Any], runtime_id: str, endpoint: str) -> list[str]:
    """What awscli/customizations/ecs/executecommand.py (AWS CLI v2) runs, from the same answers."""
    cluster_name = response["clusterArn"].split("/")[-1]
    task_id = response["taskArn"].split("/")[-1]
    target = f"ecs:{cluster_name}_{task_id}_{runtime_id}"
    return [
        "session-manager-plugin",
        json.dumps(response["session"]),
        REGION,
        "StartSession",
        "",
        json.dumps({"Target": target}),
        endpoint,
    ]


async def test_the_shell_hand_off_is_the_aws_cli_call_argument_for_argument(
    demo: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = install_stand_in(tmp_path, monkeypatch, STAND_IN_EXIT="3")
    async with AwsSession(demo) as opened:
        task = await _task(opened, "prod", "api")
        audit = AuditLog(tmp_path / "audit.jsonl")
        session = await ExecActions(opened, audit).execute_command("prod", task, "api", "/bin/bash -l")
    (sent,) = emulator.log.calls("ExecuteCommand")
    assert sent == {
        "interactive": True,
        "cluster": "prod",
        "task": task.arn,
        "container": "api",
        "command": "/bin/bash -l",
    }
    runtime_id = next(c.runtime_id for c in task.containers if c.name == "api")
    assert runtime_id
    # The answer as botocore parsed it, rebuilt in ECS's Session member order (what the CLI dumps).
    response = {
        "clusterArn": session.cluster_arn,
        "taskArn": session.task_arn,
        "session": session.session,
    }
    argv = exec_plugin_argv(session)
    assert argv == _aws_cli_exec_argv(response, runtime_id, emulator.endpoint_url)
    assert list(json.loads(argv[1])) == ["sessionId", "streamUrl", "tokenValue"]
    assert json.loads(argv[1])["sessionId"].startswith("ecs-execute-command-")
    assert json.loads(argv[1])["streamUrl"].startswith("wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/")
    # The stand-in gets exactly that, on this process's stdin, and its exit status comes back.
    assert run_plugin_in_terminal(argv) == 3
    (call,) = stand_in.calls()
    assert call["argv"] == argv[1:]
    (entry,) = audit.entries()
    assert entry.action == "execute_command" and "tokenValue" not in json.dumps(entry.parameters)


def _aws_cli_start_session(parameters: dict[str, Any], response: dict[str, str], version: str) -> tuple[list[str], Any]:
    """What awscli/customizations/sessionmanager.py (AWS CLI v2) runs for `ssm start-session`."""
    session_parameters = {
        "SessionId": response["SessionId"],
        "TokenValue": response["TokenValue"],
        "StreamUrl": response["StreamUrl"],
    }
    start_session_response = json.dumps(session_parameters)
    env = None
    if plugin_takes_env(version):
        env = start_session_response
        start_session_response = "AWS_SSM_START_SESSION_RESPONSE"
    return [
        "session-manager-plugin",
        start_session_response,
        REGION,
        "StartSession",
        "",
        json.dumps(parameters),
        "E",
    ], env


@pytest.mark.parametrize("host", [None, "db.internal"])
async def test_port_forward_start_session_and_plugin_call_match_the_aws_cli(
    demo: AwsTarget, emulator: EmulatorServer, tmp_path: Path, host: str | None
) -> None:
    async with AwsSession(demo) as opened:
        task = await _task(opened, "prod", "api")
        container = next(c for c in task.containers if c.name == "api")
        session = await ExecActions(opened, AuditLog(tmp_path / "a.jsonl")).start_port_forward(
            "prod", task, container, 5432 if host else 8080, 15432, host
        )
    target = f"ecs:prod_{task.id}_{container.runtime_id}"
    if host:
        expected = {
            "Target": target,
            "DocumentName": "AWS-StartPortForwardingSessionToRemoteHost",
            "Parameters": {"host": ["db.internal"], "portNumber": ["5432"], "localPortNumber": ["15432"]},
        }
    else:
        expected = {
            "Target": target,
            "DocumentName": "AWS-StartPortForwardingSession",
            "Parameters": {"portNumber": ["8080"], "localPortNumber": ["15432"]},
        }
    assert emulator.log.calls("StartSession") == [expected]
    response = {"SessionId": session.session_id, "TokenValue": session.token_value, "StreamUrl": session.stream_url}
    for version in ("1.2.707.0", "1.2.497.0"):  # newer: the answer in the environment; that one and older: argv
        argv, extra = start_session_plugin_call(session, version)
        cli_argv, cli_env = _aws_cli_start_session(expected, response, version)
        assert argv[:-1] == cli_argv[:-1] and argv[-1] == emulator.endpoint_url
        assert extra.get("AWS_SSM_START_SESSION_RESPONSE") == cli_env


def test_a_task_ecs_is_stopping_has_no_shell_though_it_still_reads_running() -> None:
    stopping = Task(
        arn="arn:aws:ecs:us-east-1:123456789012:task/prod/abc",
        id="abc",
        cluster_arn="",
        task_definition_arn="",
        last_status="RUNNING",
        desired_status="STOPPED",
        enable_execute_command=True,
        containers=(Container("api", managed_agents=(ManagedAgent(EXEC_AGENT, "RUNNING"),)),),
    )
    check = check_agent(stopping, stopping.containers[0])
    assert check.state == "missing" and "stopping" in check.detail


def test_plugin_version_comparison_is_the_aws_clis() -> None:
    assert plugin_takes_env("1.2.707.0\n") and plugin_takes_env("1.3")
    assert not plugin_takes_env("1.2.497.0") and not plugin_takes_env("1.2.463.0") and not plugin_takes_env("dev")


EXEC_ACTIONS: dict[str, Callable[[ExecActions, Task], Awaitable[Any]]] = {
    "enable_execute_command": lambda a, t: a.enable_execute_command("prod", "web", force_new_deployment=True),
    "execute_command": lambda a, t: a.execute_command("prod", t, "api", "/bin/sh"),
    "start_port_forward": lambda a, t: a.start_port_forward(
        "prod", t, Container("api", runtime_id="r-1"), 8080, 8080, None
    ),
    "terminate_session": lambda a, t: a.terminate_session("ecstui-0123"),
}


def test_every_exec_action_is_in_the_read_only_table() -> None:
    own = {name for name, member in vars(ExecActions).items() if inspect.iscoroutinefunction(member)}
    assert own == set(EXEC_ACTIONS)


@pytest.mark.parametrize("action", sorted(EXEC_ACTIONS))
async def test_read_only_refuses_exec_actions_before_any_request(
    shared_demo_account: AwsTarget,  # noqa: F811
    emulator_server: EmulatorServer,
    tmp_path: Path,
    action: str,
) -> None:
    task = Task(
        arn="arn:aws:ecs:us-east-1:123456789012:task/prod/abc",
        id="abc",
        cluster_arn="",
        task_definition_arn="",
        last_status="RUNNING",
        desired_status="RUNNING",
    )
    target = AwsTarget(region=REGION, endpoint_url=shared_demo_account.endpoint_url, read_only=True)
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with AwsSession(target) as opened:
        with pytest.raises(ReadOnlyError):
            await EXEC_ACTIONS[action](ExecActions(opened, audit), task)
        assert opened.stats.total == 0
    assert sum(emulator_server.log.counts.values()) == 0
    assert audit.entries() == []


async def test_enabling_exec_on_a_service_reaches_moto_and_deploys_only_with_consent(
    demo: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    async with AwsSession(demo) as opened:
        actions = ExecActions(opened, AuditLog(tmp_path / "audit.jsonl"))
        service = await actions.enable_execute_command("prod", "web", force_new_deployment=False)
        assert service.enable_execute_command
        await actions.enable_execute_command("prod", "notifications", force_new_deployment=True)
    first, second = emulator.log.calls("UpdateService")
    assert first == {"cluster": "prod", "service": "web", "enableExecuteCommand": True}
    assert second == {
        "cluster": "prod",
        "service": "notifications",
        "enableExecuteCommand": True,
        "forceNewDeployment": True,
    }
    entries = actions.audit.entries() if actions.audit else []
    assert [e.action for e in entries] == ["enable_execute_command"] * 2
    assert entries[0].before == {"enableExecuteCommand": False}


async def test_execute_command_on_a_task_without_exec_says_ecs_own_words(demo: AwsTarget, tmp_path: Path) -> None:
    async with AwsSession(demo) as opened:
        web = await _task(opened, "prod", "web")
        payments = await _task(opened, "prod", "payments")
        actions = ExecActions(opened, AuditLog(tmp_path / "audit.jsonl"))
        with pytest.raises(AwsError) as off:
            await actions.execute_command("prod", web, "web", "/bin/sh")
        with pytest.raises(AwsError) as unreachable:
            await actions.execute_command("prod", payments, "payments", "/bin/sh")
    assert "execute command was not enabled when the task was run" in off.value.message
    assert unreachable.value.code == "TargetNotConnectedException"
