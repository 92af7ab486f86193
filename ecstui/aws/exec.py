"""ECS Exec: whether a container can give a shell (and what to fix when it cannot), the ExecuteCommand and SSM
StartSession calls, and the hand-off to AWS's session-manager-plugin exactly as the AWS CLI makes it.

The AWS CLI v2 (awscli/customizations/ecs/executecommand.py, awscli/customizations/sessionmanager.py) runs
``session-manager-plugin <session JSON> <region> StartSession <profile or ""> <parameters JSON> <endpoint URL>``:
for `ecs execute-command` the session is ExecuteCommand's `session` and the parameters are
``{"Target": "ecs:<cluster>_<task id>_<runtime id>"}``; for `ssm start-session` the session is StartSession's
SessionId, TokenValue and StreamUrl (passed in the environment variable AWS_SSM_START_SESSION_RESPONSE, named in
the argument, when the plugin is newer than 1.2.497.0) and the parameters are StartSession's request. The plugin
reads these arguments by position, so they are built here, once, as pure functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from ecstui.aws.actions import EcsActions, _Call
from ecstui.aws.errors import AwsError
from ecstui.aws.models import Container, Service, Task, TaskDefinition, short_name
from ecstui.aws.parse import service_from_api, task_from_api

PLUGIN = "session-manager-plugin"
EXEC_AGENT = "ExecuteCommandAgent"
SSM_MESSAGES_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
PLUGIN_INSTALL_URL = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"
)
_DOWNLOADS = "https://s3.amazonaws.com/session-manager-downloads/plugin/latest"
# How AWS's guide installs it, by the package tool found here (its commands; the .deb and .pkg are AWS's own).
PLUGIN_INSTALL_COMMANDS: dict[str, str] = {
    "apt": f"curl -o /tmp/smp.deb {_DOWNLOADS}/ubuntu_64bit/session-manager-plugin.deb && "
    "sudo apt install /tmp/smp.deb",
    "yum": f"sudo yum install -y {_DOWNLOADS}/linux_64bit/session-manager-plugin.rpm",
    "brew": "brew install --cask session-manager-plugin",
    "pkg": f"curl -o /tmp/smp.pkg {_DOWNLOADS}/mac_arm64/session-manager-plugin.pkg && "
    "sudo installer -pkg /tmp/smp.pkg -target /",
}


def plugin_install_commands(
    which: Callable[[str], str | None] = shutil.which, platform: str = sys.platform
) -> list[str]:
    """The install commands that fit this machine (its package tool), else every one AWS gives."""
    if platform == "darwin":
        return [PLUGIN_INSTALL_COMMANDS["brew" if which("brew") else "pkg"]]
    for tool in ("apt", "yum"):
        if which(tool) or (tool == "yum" and which("dnf")):
            return [PLUGIN_INSTALL_COMMANDS[tool]]
    return [f"{tool}: {command}" for tool, command in PLUGIN_INSTALL_COMMANDS.items()]


PORT_FORWARD_DOCUMENT = "AWS-StartPortForwardingSession"
REMOTE_PORT_FORWARD_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"
# The AWS CLI's StartSessionCaller: a plugin newer than this takes StartSession's answer from the environment.
LAST_PLUGIN_VERSION_WITHOUT_ENV_VAR = "1.2.497.0"
START_SESSION_ENV = "AWS_SSM_START_SESSION_RESPONSE"
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")

CheckState = Literal["ok", "missing", "unknown"]


# -- readiness ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadinessCheck:
    """One thing ECS Exec needs: whether it is there, what is missing, and how to fix it."""

    name: str
    state: CheckState  # "unknown": could not be checked (not a failure: the shell is still tried)
    detail: str
    fix: str = ""
    # This check fails because the service starts tasks without exec: "Enable on service" fixes it.
    fixable_on_service: bool = False


@dataclass(frozen=True)
class ExecReadiness:
    """Every check, in the order an operator fixes them."""

    checks: tuple[ReadinessCheck, ...]
    service: str | None = None  # the task's service, for the enable-on-service action

    @property
    def ready(self) -> bool:
        return all(check.state != "missing" for check in self.checks)

    @property
    def missing(self) -> tuple[ReadinessCheck, ...]:
        return tuple(check for check in self.checks if check.state == "missing")

    @property
    def can_enable_on_service(self) -> bool:
        return self.service is not None and any(check.fixable_on_service for check in self.missing)


def _version(text: str) -> tuple[int, ...] | None:
    if not re.fullmatch(r"\d+(\.\d+){0,3}", text.strip()):
        return None
    return tuple(int(part) for part in text.strip().split("."))


def is_fargate(task: Task) -> bool:
    return task.launch_type == "FARGATE" or (task.capacity_provider or "") in FARGATE_PROVIDERS


def check_exec_enabled(task: Task, service: Service | None) -> ReadinessCheck:
    name = "Exec enabled on the task"
    if task.enable_execute_command:
        return ReadinessCheck(name, "ok", "The task was started with enableExecuteCommand.")
    if service is None and task.service_name is None:
        return ReadinessCheck(
            name,
            "missing",
            "The task was started without enableExecuteCommand, and no service started it.",
            "Run a new task with enableExecuteCommand=true (ECS cannot turn it on for a running task).",
        )
    if service is not None and service.enable_execute_command:
        return ReadinessCheck(
            name,
            "missing",
            f"The task was started without enableExecuteCommand; service {service.name} has it on now, for the "
            "tasks it starts since.",
            f"Use a newer task of {service.name}, or stop this one: the service replaces it with one that has exec.",
        )
    service_name = service.name if service is not None else task.service_name
    return ReadinessCheck(
        name,
        "missing",
        f"Started without enableExecuteCommand; service {service_name} has it off.",
        "Enable it on the service (UpdateService enableExecuteCommand=true) — takes effect for new tasks: needs a "
        "new deployment.",
        fixable_on_service=True,
    )


def check_agent(task: Task, container: Container | None) -> ReadinessCheck:
    name = "ExecuteCommandAgent running"
    if container is None:
        return ReadinessCheck(name, "missing", "The task has no such container.", "Choose one of its containers.")
    if task.last_status != "RUNNING" or task.desired_status == "STOPPED":
        # A task ECS is stopping still reads RUNNING for a while; its agent's channels are going away with it.
        state = task.last_status if task.desired_status != "STOPPED" else f"{task.last_status}, stopping"
        return ReadinessCheck(
            name,
            "missing",
            f"The task is {state}: only a running task's containers have a shell.",
            "Choose a running task.",
        )
    agent = next((a for a in container.managed_agents if a.name == EXEC_AGENT), None)
    if agent is None:
        if not task.enable_execute_command:
            return ReadinessCheck(name, "missing", f"None beside {container.name}: exec is off for this task.", "")
        return ReadinessCheck(
            name,
            "missing",
            f"ECS reports no ExecuteCommandAgent for {container.name}.",
            "Wait a few seconds and look again; if it stays absent, replace the task.",
        )
    if agent.last_status == "RUNNING":
        return ReadinessCheck(name, "ok", f"The agent of {container.name} is RUNNING.")
    reason = f" ({agent.reason})" if agent.reason else ""
    if agent.last_status == "PENDING":
        return ReadinessCheck(
            name, "missing", f"The agent of {container.name} is still PENDING{reason}.", "Wait a few seconds."
        )
    return ReadinessCheck(
        name,
        "missing",
        f"The agent of {container.name} is {agent.last_status or 'in an unknown state'}{reason}.",
        "Check the task role's ssmmessages permissions and that the task reaches ssmmessages (a NAT gateway or a "
        "VPC endpoint), then replace the task.",
    )


def check_plugin(which: Callable[[str], str | None] = shutil.which, platform: str = sys.platform) -> ReadinessCheck:
    name = "session-manager-plugin on PATH"
    found = which(PLUGIN)
    if found:
        return ReadinessCheck(name, "ok", f"Found at {found}.")
    return ReadinessCheck(
        name,
        "missing",
        "Not found: it is AWS's binary that runs the shell.",
        "Install it: " + "; ".join(plugin_install_commands(which, platform)) + f" (see {PLUGIN_INSTALL_URL}).",
    )


def check_platform(task: Task) -> ReadinessCheck:
    name = "Fargate platform 1.4.0 or later"
    if not is_fargate(task):
        return ReadinessCheck(
            name, "ok", "Not Fargate: no platform version applies (the agent line says whether exec started)."
        )
    version = task.platform_version
    if version is None or version.upper() == "LATEST":
        return ReadinessCheck(name, "ok", f"Platform version {version or 'LATEST'}.")
    parsed = _version(version)
    if parsed is not None and parsed >= (1, 4, 0):
        return ReadinessCheck(name, "ok", f"Platform version {version}.")
    return ReadinessCheck(
        name,
        "missing",
        f"The task runs on Fargate platform version {version}: ECS Exec needs 1.4.0 or later.",
        "Update the service to platformVersion LATEST (or 1.4.0) with a new deployment.",
    )


def role_check_from_decisions(role_arn: str, decisions: Mapping[str, str]) -> ReadinessCheck:
    name = "Task role allows ssmmessages"
    denied = [action for action in SSM_MESSAGES_ACTIONS if decisions.get(action) != "allowed"]
    role = short_name(role_arn)
    if not denied:
        return ReadinessCheck(name, "ok", f"Role {role} allows the four ssmmessages actions.")
    return ReadinessCheck(
        name,
        "missing",
        f"Role {role} does not allow {', '.join(denied)}: the agent cannot open its channels.",
        f'Add a policy to {role} allowing {", ".join(SSM_MESSAGES_ACTIONS)} on Resource "*".',
    )


def task_role_of(task: Task, definition: TaskDefinition | None) -> str | None:
    return task.task_role_arn or (definition.task_role_arn if definition is not None else None)


class ExecReadinessChecker:
    """Runs every readiness check of one container; only the task role's needs a request of its own."""

    def __init__(
        self, session: Any, which: Callable[[str], str | None] = shutil.which, platform: str = sys.platform
    ) -> None:
        self.session = session
        self.which = which
        self.platform = platform

    async def check(
        self, task: Task, container: str | None, definition: TaskDefinition | None, service: Service | None
    ) -> ExecReadiness:
        chosen = next((c for c in task.containers if c.name == container), None)
        if chosen is None and container is None and len(task.containers) == 1:
            chosen = task.containers[0]
        checks = (
            check_exec_enabled(task, service),
            check_agent(task, chosen),
            check_plugin(self.which, self.platform),
            await self.check_task_role(task_role_of(task, definition)),
            check_platform(task),
        )
        return ExecReadiness(checks, service=service.name if service is not None else task.service_name)

    async def check_task_role(self, role_arn: str | None) -> ReadinessCheck:
        name = "Task role allows ssmmessages"
        if not role_arn:
            return ReadinessCheck(
                name,
                "missing",
                "The task has no task role: the agent has no credentials to open its channels.",
                f"Give the task definition a task role allowing {', '.join(SSM_MESSAGES_ACTIONS)}.",
            )
        iam = await self.session.iam()
        try:
            response = await iam.simulate_principal_policy(
                PolicySourceArn=role_arn, ActionNames=list(SSM_MESSAGES_ACTIONS)
            )
        except Exception as exc:
            error = self.session.error_from(exc)
            if error.kind == "denied":
                return ReadinessCheck(name, "unknown", "Could not check: iam:SimulatePrincipalPolicy denied.")
            return ReadinessCheck(name, "unknown", f"Could not check: {error.message}")
        decisions = {
            str(result.get("EvalActionName")): str(result.get("EvalDecision"))
            for result in response.get("EvaluationResults") or []
        }
        return role_check_from_decisions(role_arn, decisions)


# -- sessions and the plugin's arguments ---------------------------------------------------------------------


def exec_target(cluster_arn: str, task_arn: str, runtime_id: str) -> str:
    """The SSM target of one container, as the AWS CLI builds it: ecs:<cluster>_<task id>_<runtime id>."""
    return f"ecs:{cluster_arn.split('/')[-1]}_{task_arn.split('/')[-1]}_{runtime_id}"


@dataclass(frozen=True)
class ExecSession:
    """What ExecuteCommand answered, and what the plugin needs besides."""

    cluster_arn: str
    task_arn: str
    container_name: str
    container_arn: str | None
    runtime_id: str
    session: dict[str, str]  # sessionId, streamUrl, tokenValue (the order of ECS's Session shape)
    region: str
    profile: str  # "" when none was named
    endpoint_url: str  # the ECS endpoint the request went to
    command: str

    @property
    def session_id(self) -> str:
        return self.session.get("sessionId", "")

    @property
    def target(self) -> str:
        return exec_target(self.cluster_arn, self.task_arn, self.runtime_id)


@dataclass(frozen=True)
class SsmSession:
    """What StartSession answered for a port forward, and the request it answered."""

    session_id: str
    token_value: str
    stream_url: str
    parameters: dict[str, Any]  # StartSession's request: Target, DocumentName, Parameters
    region: str
    profile: str
    endpoint_url: str  # the SSM endpoint


def exec_plugin_argv(session: ExecSession) -> list[str]:
    """`aws ecs execute-command`'s call of the plugin (ExecuteCommandCaller.invoke), argument for argument."""
    return [
        PLUGIN,
        json.dumps(session.session),
        session.region,
        "StartSession",
        session.profile,
        json.dumps({"Target": session.target}),
        session.endpoint_url,
    ]


def plugin_takes_env(version_output: str) -> bool:
    """The AWS CLI's VersionRequirement: a plugin strictly newer than 1.2.497.0 reads the session from the
    environment (whitespace stripped; anything that is not a version is taken as older)."""
    version = _version(re.sub(r"\s+", "", version_output))
    least = _version(LAST_PLUGIN_VERSION_WITHOUT_ENV_VAR)
    if version is None or least is None:
        return False
    width = max(len(version), len(least))
    return version + (0,) * (width - len(version)) > least + (0,) * (width - len(least))


def start_session_plugin_call(session: SsmSession, plugin_version: str) -> tuple[list[str], dict[str, str]]:
    """`aws ssm start-session`'s call of the plugin (StartSessionCaller.invoke): its argv, and the variables it
    adds to the environment."""
    response = json.dumps(
        {"SessionId": session.session_id, "TokenValue": session.token_value, "StreamUrl": session.stream_url}
    )
    extra: dict[str, str] = {}
    if plugin_takes_env(plugin_version):
        extra[START_SESSION_ENV] = response
        response = START_SESSION_ENV
    argv = [
        PLUGIN,
        response,
        session.region,
        "StartSession",
        session.profile,
        json.dumps(session.parameters),
        session.endpoint_url,
    ]
    return argv, extra


def port_forward_parameters(target: str, remote_port: int, local_port: int, host: str | None = None) -> dict[str, Any]:
    """StartSession's request for a forward to the container's port, or through the task to `host`."""
    if host:
        return {
            "Target": target,
            "DocumentName": REMOTE_PORT_FORWARD_DOCUMENT,
            "Parameters": {"host": [host], "portNumber": [str(remote_port)], "localPortNumber": [str(local_port)]},
        }
    return {
        "Target": target,
        "DocumentName": PORT_FORWARD_DOCUMENT,
        "Parameters": {"portNumber": [str(remote_port)], "localPortNumber": [str(local_port)]},
    }


@contextmanager
def ignore_user_entered_signals() -> Iterator[None]:
    """While the plugin has the terminal, ^C, ^\\ and ^Z are its (it sends them into the session): ecstui, in the
    same process group, ignores them, as the AWS CLI does."""
    names = ("SIGINT", "SIGQUIT", "SIGTSTP")
    signals = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous = [signal.signal(sig, signal.SIG_IGN) for sig in signals]
    try:
        yield
    finally:
        for sig, handler in zip(signals, previous, strict=True):
            signal.signal(sig, handler)


def run_plugin_in_terminal(argv: Sequence[str], extra_env: Mapping[str, str] | None = None) -> int:
    """Run the plugin on this terminal until it exits; its exit status (OSError when it cannot be started)."""
    env = {**os.environ, **(extra_env or {})}
    with ignore_user_entered_signals():
        code = subprocess.run(list(argv), env=env, check=False).returncode
    if code != 0 and sys.stdin.isatty():
        # The plugin's own words (a dropped connection, an expired token) are on this screen, and the app's
        # redraw would wipe them at once: they stay until the user has read them.
        print(f"\nsession-manager-plugin exited with status {code}. Press Enter to return to ecstui.", flush=True)
        with contextlib.suppress(OSError, KeyboardInterrupt):
            sys.stdin.readline()
    return code


async def plugin_version() -> str:
    """`session-manager-plugin --version`, as the AWS CLI asks it before a start-session ("" when it fails)."""
    try:
        process = await asyncio.create_subprocess_exec(
            PLUGIN,
            "--version",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        out, _ = await asyncio.wait_for(process.communicate(), timeout=10)
    except (OSError, TimeoutError):
        return ""
    return out.decode("utf-8", "replace")


# -- the calls ---------------------------------------------------------------------------------------------------


class ExecActions(EcsActions):
    """ECS Exec's changes: turning it on for a service, opening a shell or a port forward, ending a session."""

    async def enable_execute_command(self, cluster: str, service: str, *, force_new_deployment: bool) -> Service:
        """enableExecuteCommand on the service: tasks it starts from now on have exec (a deployment replaces the
        running ones; without one they keep running without it)."""
        self._refuse_if_read_only("enable_execute_command")
        parameters: dict[str, Any] = {"cluster": cluster, "service": service, "enableExecuteCommand": True}
        if force_new_deployment:
            parameters["forceNewDeployment"] = True
        call = _Call("enable_execute_command", f"{cluster}/{service}", dict(parameters))

        async def body(call: _Call) -> Service:
            current = await self._describe_service(cluster, service)
            call.before = {"enableExecuteCommand": bool(current.get("enableExecuteCommand"))}
            ecs = await self.session.ecs()
            response = await self._send_change(
                "UpdateService", ecs.update_service(**parameters), self._service_read_back(cluster, service)
            )
            return service_from_api(response["service"])

        return await self._mutate(call, body)

    async def execute_command(self, cluster: str, task: Task, container: str, command: str) -> ExecSession:
        """ExecuteCommand (interactive: the only mode ECS has), then the container's runtime id read afresh as the
        AWS CLI reads it (the SSM target names it)."""
        self._refuse_if_read_only("execute_command")
        if not command.strip():
            raise AwsError("Type the command to run (/bin/sh for a shell).", kind="invalid")
        parameters = {"cluster": cluster, "task": task.arn, "container": container, "command": command}
        call = _Call("execute_command", f"{cluster}/{task.id}/{container}", dict(parameters))

        async def body(call: _Call) -> ExecSession:
            ecs = await self.session.ecs_no_retry()
            response = await self._send_retrying_throttles_only(
                lambda: ecs.execute_command(interactive=True, **parameters), "ExecuteCommand"
            )
            described = await self._send(ecs.describe_tasks(cluster=cluster, tasks=[task.arn]))
            found = [task_from_api(t) for t in described.get("tasks", [])]
            runtime_id = next(
                (c.runtime_id for t in found for c in t.containers if c.name == response.get("containerName")),
                None,
            )
            if not runtime_id:
                raise AwsError(f"Task {task.id} no longer reports container {container}.", kind="not_found")
            raw = response.get("session") or {}
            return ExecSession(
                cluster_arn=str(response.get("clusterArn") or cluster),
                task_arn=str(response.get("taskArn") or task.arn),
                container_name=str(response.get("containerName") or container),
                container_arn=response.get("containerArn"),
                runtime_id=runtime_id,
                session={key: str(raw.get(key) or "") for key in ("sessionId", "streamUrl", "tokenValue")},
                region=str(ecs.meta.region_name),
                # ExecuteCommandCaller passes the session's profile (--profile or AWS_PROFILE), else "".
                profile=self.session.profile_in_use or "",
                endpoint_url=str(ecs.meta.endpoint_url),
                command=command,
            )

        return await self._mutate(call, body)

    async def start_port_forward(
        self, cluster: str, task: Task, container: Container, remote_port: int, local_port: int, host: str | None
    ) -> SsmSession:
        """SSM StartSession with a port-forwarding document to the container (or through it to `host`)."""
        self._refuse_if_read_only("start_port_forward")
        if not container.runtime_id:
            raise AwsError(f"Container {container.name} has no runtime id yet: is it running?", kind="invalid")
        target = exec_target(task.cluster_arn or cluster, task.arn, container.runtime_id)
        request = port_forward_parameters(target, remote_port, local_port, host)
        call = _Call("start_port_forward", f"{cluster}/{task.id}/{container.name}", dict(request))

        async def body(call: _Call) -> SsmSession:
            ssm = await self.session.no_retry("ssm")
            response = await self._send_retrying_throttles_only(lambda: ssm.start_session(**request), "StartSession")
            return SsmSession(
                session_id=str(response["SessionId"]),
                token_value=str(response.get("TokenValue") or ""),
                stream_url=str(response.get("StreamUrl") or ""),
                parameters=request,
                region=str(ssm.meta.region_name),
                # StartSessionCaller passes --profile only (AWS_PROFILE reaches the plugin in its environment).
                profile=self.session.target.profile or "",
                endpoint_url=str(ssm.meta.endpoint_url),
            )

        return await self._mutate(call, body)

    async def terminate_session(self, session_id: str) -> None:
        """SSM TerminateSession: the agent ends its side at once, not after the idle timeout."""
        self._refuse_if_read_only("terminate_session")
        call = _Call("terminate_session", session_id, {"SessionId": session_id})

        async def body(call: _Call) -> None:
            ssm = await self.session.ssm()
            await self._send(ssm.terminate_session(SessionId=session_id))

        await self._mutate(call, body)

    def record_plugin_exit(self, action: str, target: str, session_id: str, outcome: str) -> None:
        """Audit how a hand-off to the plugin ended (its exit status, or why it could not start)."""
        self._audit(_Call(action, target, {"sessionId": session_id}), outcome)


__all__ = [
    "PLUGIN",
    "ExecActions",
    "ExecReadiness",
    "ExecReadinessChecker",
    "ExecSession",
    "ReadinessCheck",
    "SsmSession",
    "exec_plugin_argv",
    "exec_target",
    "plugin_takes_env",
    "plugin_version",
    "port_forward_parameters",
    "run_plugin_in_terminal",
    "start_session_plugin_call",
]
