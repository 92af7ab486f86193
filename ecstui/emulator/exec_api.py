"""ECS Exec as AWS answers it, in front of moto: ExecuteCommand, SSM StartSession/TerminateSession, and IAM's
SimulatePrincipalPolicy for the task role's ssmmessages permissions.

moto implements none of these (ExecuteCommand and StartSession answer HTTP 500, SimulatePrincipalPolicy too).
Here ExecuteCommand checks what ECS checks before it hands out a session (the cluster and task exist, the task is
RUNNING, it was started with enableExecuteCommand, the container exists and its ExecuteCommandAgent is RUNNING)
and answers ECS's shape or ECS's errors; a task role without the ssmmessages actions gives the error ECS gives
then (TargetNotConnectedException: the agent cannot open its channels). StartSession checks its target
(`ecs:<cluster>_<task id>_<runtime id>`) and its document's parameters the same way. Sessions are kept on moto's
ECS backend, so a reset forgets them. No data channel exists behind the stream URL: that part is the plugin's.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import os
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends

from ecstui.emulator.wire import AwsRequest, WSGIEnviron, json_answer, json_error

StartResponse = Callable[..., Any]
Answer = tuple[str, list[tuple[str, str]], bytes]

EXEC_AGENT = "ExecuteCommandAgent"
# What the task role must allow for the agent to open its channels (ECS Exec's documented requirements).
SSM_MESSAGES_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
EXEC_NOT_ENABLED = (
    "The execute command failed because execute command was not enabled when the task was run or the execute "
    "command agent isn't running. Wait and try again or run a new task with execute command enabled and try again."
)
NOT_CONNECTED = "The execute command failed due to an internal error. Try again later."
# SSM's documents for sessions, with the parameters each requires and those it accepts.
SESSION_DOCUMENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "SSM-SessionManagerRunShell": (frozenset(), frozenset()),
    "AWS-StartInteractiveCommand": (frozenset({"command"}), frozenset({"command"})),
    "AWS-StartPortForwardingSession": (frozenset({"portNumber"}), frozenset({"portNumber", "localPortNumber"})),
    "AWS-StartPortForwardingSessionToRemoteHost": (
        frozenset({"host", "portNumber"}),
        frozenset({"host", "portNumber", "localPortNumber"}),
    ),
}
PORT_PARAMETERS = ("portNumber", "localPortNumber")
TARGET_MAX = 400  # StartSession's Target: 1 to 400 characters
SIMULATE_ACTIONS_MAX = 1000  # not documented as such; the API takes a list, ecstui sends four
_ECS_TARGET = re.compile(r"^ecs:(?P<cluster>.+)_(?P<task>[0-9a-f-]{32,36})_(?P<runtime>.+)$")


def _region(environ: WSGIEnviron) -> str:
    scope = str(environ.get("HTTP_AUTHORIZATION", "")).split("Credential=", 1)[-1].split("/")
    return scope[2] if len(scope) > 3 else "us-east-1"


def sessions_of(backend: Any) -> dict[str, dict[str, Any]]:
    """Every exec and SSM session handed out in a region, by session id (kept on moto's ECS backend)."""
    found: dict[str, dict[str, Any]] | None = getattr(backend, "_ecstui_exec_sessions", None)
    if found is None:
        found = {}
        backend._ecstui_exec_sessions = found
    return found


def _token() -> str:
    # A token as opaque as the real one; not drawn from moto's seeded stream, so ids after it do not shift.
    return base64.b64encode(os.urandom(96)).decode()


def _stream_url(region: str, session_id: str) -> str:
    cell = base64.b64encode(os.urandom(12)).decode()
    return (
        f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session_id}"
        f"?role=publish_subscribe&cell-number={cell}"
    )


# -- IAM policy evaluation (what SimulatePrincipalPolicy answers, and what the agent's channels need) -----------


def _documents(role: Any) -> list[dict[str, Any]]:
    documents: list[Any] = list((getattr(role, "policies", None) or {}).values())
    for policy in (getattr(role, "managed_policies", None) or {}).values():
        version = next((v for v in getattr(policy, "versions", []) if v.is_default_version), None)
        if version is not None:
            documents.append(version.document)
    parsed: list[dict[str, Any]] = []
    for document in documents:
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError:
                continue
        if isinstance(document, dict):
            parsed.append(document)
    return parsed


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value] if isinstance(value, list) else []


def _matches(patterns: list[str], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in patterns)


def decide(role: Any, action: str) -> str:
    """IAM's decision for one action (any resource, no conditions): allowed, explicitDeny or implicitDeny."""
    allowed = False
    for document in _documents(role):
        statements = document.get("Statement") or []
        for statement in statements if isinstance(statements, list) else [statements]:
            if not isinstance(statement, dict) or statement.get("Condition"):
                continue
            if "NotAction" in statement:
                hit = not _matches(_listed(statement["NotAction"]), action)
            else:
                hit = _matches(_listed(statement.get("Action")), action)
            if not hit:
                continue
            if statement.get("Effect") == "Deny":
                return "explicitDeny"
            if statement.get("Effect") == "Allow":
                allowed = True
    return "allowed" if allowed else "implicitDeny"


def _role(arn: str | None) -> Any:
    from moto.iam.models import iam_backends

    if not arn:
        return None
    backend = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
    name = arn.rsplit("/", 1)[-1]
    try:
        return backend.get_role(name)
    except Exception:
        return None


def _role_reaches_ssm(task: Any, region: str) -> bool:
    """Whether the task's role lets the agent open its SSM channels (no role: it cannot)."""
    overrides = getattr(task, "overrides", None) or {}
    arn = overrides.get("taskRoleArn") or getattr(task, "_ecstui_task_role", None)
    if not arn:
        definition = getattr(task, "task_definition_arn", None)
        try:
            backend = ecs_backends[DEFAULT_ACCOUNT_ID][region]
            arn = backend.describe_task_definition(str(definition)).task_role_arn
        except Exception:
            arn = None
    role = _role(arn)
    return role is not None and all(decide(role, action) == "allowed" for action in SSM_MESSAGES_ACTIONS)


# -- ECS ------------------------------------------------------------------------------------------------------


def _find_task(backend: Any, cluster: str, task_ref: str) -> tuple[Any, Any]:
    cluster_name = cluster.rsplit("/", 1)[-1]
    found = backend.clusters.get(cluster_name)
    if found is None:
        return None, None
    task_id = task_ref.rsplit("/", 1)[-1]
    for arn, task in backend.tasks.get(cluster_name, {}).items():
        if arn.rsplit("/", 1)[-1] == task_id:
            return found, task
    return found, None


def _agent_running(container: Any) -> bool:
    return any(
        agent.get("name") == EXEC_AGENT and agent.get("lastStatus") == "RUNNING"
        for agent in getattr(container, "managed_agents", None) or []
    )


def _execute_command(region: str, body: dict[str, Any]) -> Answer:
    command = body.get("command")
    if not isinstance(command, str) or not command.strip() or body.get("task") is None:
        return json_error(400, "InvalidParameterException", "command and task are required.")
    if body.get("interactive") is not True:
        return json_error(400, "InvalidParameterException", "Interactive is the only mode supported currently.")
    backend = ecs_backends[DEFAULT_ACCOUNT_ID][region]
    cluster, task = _find_task(backend, str(body.get("cluster") or "default"), str(body["task"]))
    if cluster is None:
        return json_error(400, "ClusterNotFoundException", "Cluster not found.")
    if task is None:
        return json_error(400, "InvalidParameterException", "The task provided in the request was not found.")
    if task.last_status != "RUNNING" or task.desired_status != "RUNNING":
        return json_error(
            400,
            "InvalidParameterException",
            f"The execute command failed because the task is {task.last_status} (desired {task.desired_status}): "
            "only a RUNNING task can run a command.",
        )
    if not getattr(task, "enable_execute_command", False):
        return json_error(400, "InvalidParameterException", EXEC_NOT_ENABLED)
    containers = list(task.containers or [])
    name = body.get("container")
    if name is None:
        if len(containers) != 1:
            return json_error(
                400,
                "InvalidParameterException",
                "The container name must be specified because the task has more than one container.",
            )
        container = containers[0]
    else:
        container = next((c for c in containers if c.name == name), None)
        if container is None:
            return json_error(400, "InvalidParameterException", f"The container {name} was not found in the task.")
    if not _agent_running(container):
        return json_error(400, "InvalidParameterException", EXEC_NOT_ENABLED)
    if not _role_reaches_ssm(task, region):
        return json_error(400, "TargetNotConnectedException", NOT_CONNECTED)
    session_id = f"ecs-execute-command-{os.urandom(9).hex()[:17]}"
    session = {"sessionId": session_id, "streamUrl": _stream_url(region, session_id), "tokenValue": _token()}
    sessions_of(backend)[session_id] = {
        "kind": "exec",
        "target": f"ecs:{cluster.name}_{task.task_arn.rsplit('/', 1)[-1]}_{container.runtime_id}",
        "command": command,
        "status": "Connected",
        "started": datetime.now(UTC).isoformat(),
    }
    return json_answer(
        {
            "clusterArn": cluster.arn,
            "containerArn": container.container_arn,
            "containerName": container.name,
            "interactive": True,
            "session": session,
            "taskArn": task.task_arn,
        }
    )


# -- SSM ------------------------------------------------------------------------------------------------------


def _ecs_target_connected(region: str, target: str) -> bool:
    match = _ECS_TARGET.match(target)
    if match is None:
        return False
    backend = ecs_backends[DEFAULT_ACCOUNT_ID][region]
    _, task = _find_task(backend, match["cluster"], match["task"])
    if task is None or task.last_status != "RUNNING" or not getattr(task, "enable_execute_command", False):
        return False
    container = next((c for c in task.containers or [] if c.runtime_id == match["runtime"]), None)
    return container is not None and _agent_running(container) and _role_reaches_ssm(task, region)


def _start_session(region: str, body: dict[str, Any]) -> Answer:
    target = body.get("Target")
    if not isinstance(target, str) or not 1 <= len(target) <= TARGET_MAX:
        return json_error(
            400, "ValidationException", f"Target must be a string of 1 to {TARGET_MAX} characters (got {target!r})."
        )
    document = str(body.get("DocumentName") or "SSM-SessionManagerRunShell")
    spec = SESSION_DOCUMENTS.get(document)
    if spec is None:
        return json_error(400, "InvalidDocument", f"Document with name {document} does not exist.")
    required, accepted = spec
    parameters = body.get("Parameters") or {}
    if not isinstance(parameters, dict) or any(
        not isinstance(values, list) or not all(isinstance(v, str) for v in values) for values in parameters.values()
    ):
        return json_error(400, "ValidationException", "Parameters must map each name to a list of strings.")
    missing = sorted(required - set(parameters))
    unknown = sorted(set(parameters) - accepted)
    if missing or unknown:
        said = f"missing {', '.join(missing)}" if missing else f"{', '.join(unknown)} not accepted"
        return json_error(400, "InvalidParameters", f"Parameters of document {document}: {said}.")
    for name in PORT_PARAMETERS:
        values = parameters.get(name)
        if values is not None and not (len(values) == 1 and values[0].isdigit() and 0 <= int(values[0]) <= 65535):
            return json_error(400, "InvalidParameters", f"{name} must be one port number 0-65535, not {values}.")
    if not _ecs_target_connected(region, target):
        return json_error(400, "TargetNotConnected", f"{target} is not connected.")
    session_id = f"ecstui-{os.urandom(9).hex()[:17]}"
    sessions_of(ecs_backends[DEFAULT_ACCOUNT_ID][region])[session_id] = {
        "kind": "ssm",
        "target": target,
        "document": document,
        "parameters": parameters,
        "status": "Connected",
        "started": datetime.now(UTC).isoformat(),
    }
    return json_answer({"SessionId": session_id, "TokenValue": _token(), "StreamUrl": _stream_url(region, session_id)})


def _terminate_session(region: str, body: dict[str, Any]) -> Answer:
    session_id = body.get("SessionId")
    if not isinstance(session_id, str) or not session_id:
        return json_error(400, "ValidationException", "SessionId is required.")
    # SSM answers a terminate of a session already ended (or unknown to it) with its id, as here.
    session = sessions_of(ecs_backends[DEFAULT_ACCOUNT_ID][region]).get(session_id)
    if session is not None:
        session["status"] = "Terminated"
    return json_answer({"SessionId": session_id})


# -- IAM ------------------------------------------------------------------------------------------------------


def _xml(body: str) -> Answer:
    payload = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()
    return "200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))], payload


def _iam_error(code: str, message: str, status: int = 400) -> Answer:
    from ecstui.emulator.aws_limits import xml_error

    return xml_error(status, code, message, ec2=False)


def _simulate_principal_policy(raw: bytes, violation: Callable[[str], None]) -> Answer:
    form = parse_qs(raw.decode("utf-8", "replace"))
    source = (form.get("PolicySourceArn") or [""])[0]
    actions = [values[0] for key, values in sorted(form.items()) if key.startswith("ActionNames.member.")]
    if not actions:
        return _iam_error("ValidationError", "ActionNames must hold at least one action.")
    if len(actions) > SIMULATE_ACTIONS_MAX:
        violation(f"SimulatePrincipalPolicy with {len(actions)} ActionNames")
        return _iam_error("ValidationError", f"ActionNames can hold at most {SIMULATE_ACTIONS_MAX} actions.")
    role = _role(source) if ":role/" in source else None
    if role is None:
        return _iam_error("NoSuchEntity", f"Invalid Entity Arn: {source} does not clearly define entity type and name.")
    members = "".join(
        "<member>"
        f"<EvalActionName>{escape(action)}</EvalActionName><EvalResourceName>*</EvalResourceName>"
        f"<EvalDecision>{decide(role, action)}</EvalDecision><MatchedStatements/><MissingContextValues/>"
        "</member>"
        for action in actions
    )
    return _xml(
        '<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>{members}"
        "</EvaluationResults></SimulatePrincipalPolicyResult>"
        "<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>"
        "</SimulatePrincipalPolicyResponse>"
    )


def handle(environ: WSGIEnviron, request: AwsRequest, violation: Callable[[str], None], lock: Any) -> Answer | None:
    """The answer to an exec, session or policy-simulation call, or None to let the request go on to moto."""
    key = (request.service, request.operation)
    if key == ("iam", "SimulatePrincipalPolicy"):
        with lock:
            return _simulate_principal_policy(request.body, violation)
    handlers = {
        ("ecs", "ExecuteCommand"): _execute_command,
        ("ssm", "StartSession"): _start_session,
        ("ssm", "TerminateSession"): _terminate_session,
    }
    handler = handlers.get(key)
    if handler is None:
        return None
    if request.json_body is None:
        return json_error(400, "SerializationException", "The request body is not JSON.")
    with lock:
        return handler(_region(environ), request.json_body)


def respond(start_response: StartResponse, answer: Answer) -> Iterable[bytes]:
    status, headers, payload = answer
    start_response(status, headers)
    return [payload]


__all__ = ["EXEC_AGENT", "SSM_MESSAGES_ACTIONS", "decide", "handle", "respond", "sessions_of"]
