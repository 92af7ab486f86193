"""Read-only sessions send nothing, bad input sends nothing, nothing is sent twice, and unsafe calls are not retried."""

from __future__ import annotations

import asyncio
import inspect
import threading
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ecstui.aws.actions import EcsActions, RunTaskError
from ecstui.aws.audit import AuditEntry, AuditLog
from ecstui.aws.errors import AwsError, ReadOnlyError
from ecstui.aws.models import CapacityProviderStrategyItem
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.aws.test_actions import CONTAINER, make_cluster, mutating
from tests.conftest import REGION

TD_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef"
INSTANCE_ARN = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/0123456789abcdef"
SCALE_ENTRY = AuditEntry(
    time=datetime.now(UTC),
    profile="default",
    region=REGION,
    action="scale_service",
    target="prod/web",
    parameters={"cluster": "prod", "service": "web", "desiredCount": 5},
    before={"desiredCount": 2},
)


async def _drain(steps: AsyncIterator[Any]) -> None:
    async for _ in steps:
        pass


# Every mutating method of EcsActions, called with arguments that would otherwise be sent.
EVERY_ACTION: dict[str, Callable[[EcsActions], Awaitable[Any]]] = {
    "scale_service": lambda a: a.scale_service("prod", "web", 3),
    "undo_scale": lambda a: a.undo_scale(SCALE_ENTRY),
    "restart_service": lambda a: a.restart_service("prod", "web"),
    "update_service": lambda a: a.update_service("prod", "web", TD_ARN, 2),
    "delete_service": lambda a: a.delete_service("prod", "web"),
    "create_service": lambda a: a.create_service("prod", "api", TD_ARN, 1, launch_type="FARGATE"),
    "register_task_definition": lambda a: a.register_task_definition(
        {"family": "web", "containerDefinitions": [CONTAINER]}
    ),
    "deregister_task_definition": lambda a: a.deregister_task_definition(TD_ARN),
    "delete_task_definitions": lambda a: a.delete_task_definitions([TD_ARN]),
    "stop_task": lambda a: a.stop_task("prod", TASK_ARN, "bye"),
    "run_task": lambda a: a.run_task("prod", TD_ARN, 2, launch_type="FARGATE"),
    "create_cluster": lambda a: a.create_cluster("new", ["FARGATE"], "enabled"),
    "delete_cluster": lambda a: a.delete_cluster("prod"),
    "teardown_cluster": lambda a: _drain(a.teardown_cluster("prod")),
    "drain_container_instances": lambda a: a.drain_container_instances("prod", [INSTANCE_ARN]),
    "reactivate_container_instances": lambda a: a.reactivate_container_instances("prod", [INSTANCE_ARN]),
}


def test_every_public_action_is_in_the_read_only_table() -> None:
    public = {
        name
        for name, member in inspect.getmembers(EcsActions)
        if not name.startswith("_") and (inspect.iscoroutinefunction(member) or inspect.isasyncgenfunction(member))
    }
    assert public == set(EVERY_ACTION)


@pytest.fixture
async def read_only_actions(emulator: EmulatorServer, tmp_path: Path) -> AsyncIterator[tuple[EcsActions, AuditLog]]:
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with AwsSession(AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url, read_only=True)) as session:
        yield EcsActions(session, audit), audit


@pytest.mark.parametrize("action", sorted(EVERY_ACTION))
async def test_a_read_only_session_sends_no_request_at_all(
    action: str, read_only_actions: tuple[EcsActions, AuditLog], ecs: Any, emulator: EmulatorServer
) -> None:
    make_cluster(ecs, services={"web": 2})
    emulator.log.clear()
    actions, audit = read_only_actions
    with pytest.raises(ReadOnlyError) as caught:
        await EVERY_ACTION[action](actions)
    assert caught.value.kind == "read_only"
    # Not even a describe: the refusal comes before any request is built.
    assert sum(emulator.log.counts.values()) == 0
    assert actions.session.stats.total == 0
    assert audit.entries() == []


@pytest.fixture
async def actions(target: AwsTarget, tmp_path: Path) -> AsyncIterator[EcsActions]:
    async with AwsSession(target) as session:
        yield EcsActions(session, AuditLog(tmp_path / "audit.jsonl"))


BAD_INPUT: dict[str, Callable[[EcsActions], Awaitable[Any]]] = {
    "negative count": lambda a: a.scale_service("prod", "web", -1),
    "fractional count": lambda a: a.scale_service("prod", "web", "1.5"),
    "count above the quota": lambda a: a.scale_service("prod", "web", 5001),
    "count that is no number": lambda a: a.scale_service("prod", "web", "ten"),
    "bad service name": lambda a: a.create_service("prod", "my service", TD_ARN, 1),
    "service name too long": lambda a: a.create_service("prod", "s" * 256, TD_ARN, 1),
    "bad cluster name": lambda a: a.create_cluster("prod/eu"),
    "stop reason too long": lambda a: a.stop_task("prod", TASK_ARN, "x" * 256),
    "no containers": lambda a: a.register_task_definition({"family": "web", "containerDefinitions": []}),
    "container without image": lambda a: a.register_task_definition(
        {"family": "web", "containerDefinitions": [{"name": "app"}]}
    ),
    "unknown field": lambda a: a.register_task_definition(
        {"family": "web", "containerDefinitions": [{**CONTAINER, "imagePullPolicy": "always"}]}
    ),
    "run no tasks": lambda a: a.run_task("prod", TD_ARN, 0),
    "launch type and strategy": lambda a: a.run_task(
        "prod", TD_ARN, 1, launch_type="FARGATE", capacity_provider_strategy=[CapacityProviderStrategyItem("X")]
    ),
    "target group without port": lambda a: a.create_service(
        "prod", "api", TD_ARN, 1, target_group_arn="arn:aws:elasticloadbalancing:::targetgroup/x/1"
    ),
    "unknown insights value": lambda a: a.create_cluster("c", container_insights="on"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
async def test_bad_input_is_refused_and_sends_nothing(case: str, actions: EcsActions, emulator: EmulatorServer) -> None:
    with pytest.raises(AwsError) as caught:
        await BAD_INPUT[case](actions)
    assert caught.value.kind == "invalid"
    assert caught.value.message
    assert sum(emulator.log.counts.values()) == 0


async def test_the_same_action_cannot_be_sent_twice_while_in_flight(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer
) -> None:
    make_cluster(ecs, services={"web": 2, "api": 1})
    emulator.log.clear()
    first, second, other = await asyncio.gather(
        actions.scale_service("prod", "web", 4),
        actions.scale_service("prod", "web", 4),
        actions.scale_service("prod", "api", 3),
        return_exceptions=True,
    )
    assert not isinstance(first, BaseException)
    assert isinstance(second, AwsError) and "already in progress" in second.message
    assert not isinstance(other, BaseException)  # another target is not blocked
    assert mutating(emulator) == {"UpdateService": 2}
    assert not actions.in_flight("scale_service", "prod/web")
    # A scale and an undo of a scale of the same service share one in-flight slot.
    scale, undo = await asyncio.gather(
        actions.scale_service("prod", "web", 9), actions.undo_scale(SCALE_ENTRY), return_exceptions=True
    )
    assert not isinstance(scale, BaseException)
    assert isinstance(undo, AwsError) and "already in progress" in undo.message
    # Once answered, the action can be sent again.
    await actions.scale_service("prod", "web", 1)
    assert emulator.log.counts["UpdateService"] == 4


# -- a proxy in front of the emulator that fails chosen requests ----------------------------------------------


@dataclass
class FaultProxy:
    """Forwards to the emulator; `faults[operation]` lists what to do with each next call of it.

    "throttle": answer ThrottlingException without forwarding (AWS refused it, nothing happened).
    "lose-answer": forward (so it takes effect), then answer HTTP 500 as if the response was lost.
    "refuse": answer a 400 InvalidParameterException without forwarding.
    """

    upstream: str
    faults: dict[str, list[str]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = str(self.headers.get("X-Amz-Target", "")).rsplit(".", 1)[-1]
                proxy.seen.append(operation)
                plan = proxy.faults.get(operation) or []
                fault = plan.pop(0) if plan else None
                if fault == "throttle":
                    return self._answer(400, b'{"__type":"ThrottlingException","message":"Rate exceeded"}')
                if fault == "refuse":
                    return self._answer(400, b'{"__type":"InvalidParameterException","message":"No room"}')
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                request = urllib.request.Request(proxy.upstream + self.path, data=body, headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        status, payload = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                if fault == "lose-answer":
                    return self._answer(500, b"<html>Internal Server Error</html>", "text/html")
                return self._answer(status, payload)

            def _answer(self, status: int, payload: bytes, content_type: str = "application/x-amz-json-1.1") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def proxy(emulator: EmulatorServer) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(emulator.endpoint_url)
    yield fault_proxy
    fault_proxy.stop()


@pytest.fixture
async def proxied(proxy: FaultProxy, tmp_path: Path) -> AsyncIterator[EcsActions]:
    endpoint = proxy.start()
    async with AwsSession(AwsTarget(region=REGION, endpoint_url=endpoint)) as session:
        actions = EcsActions(session, AuditLog(tmp_path / "audit.jsonl"))
        actions.throttle_backoff = 0.01
        yield actions


def revisions(ecs: Any, family: str) -> list[str]:
    arns: list[str] = ecs.list_task_definitions(familyPrefix=family, maxResults=100)["taskDefinitionArns"]
    return arns


async def test_register_whose_answer_is_lost_is_not_resent(
    proxied: EcsActions, proxy: FaultProxy, ecs: Any, emulator: EmulatorServer
) -> None:
    proxy.faults["RegisterTaskDefinition"] = ["lose-answer"]
    with pytest.raises(AwsError) as caught:
        await proxied.register_task_definition({"family": "once", "containerDefinitions": [CONTAINER]})
    assert caught.value.kind == "server"
    # The request took effect once; botocore's standard mode would have sent it 4 times (4 revisions).
    assert proxy.seen.count("RegisterTaskDefinition") == 1
    assert emulator.log.counts["RegisterTaskDefinition"] == 1
    assert len(revisions(ecs, "once")) == 1


async def test_register_is_resent_after_a_throttle_and_registers_one_revision(
    proxied: EcsActions, proxy: FaultProxy, ecs: Any, emulator: EmulatorServer
) -> None:
    proxy.faults["RegisterTaskDefinition"] = ["throttle", "throttle"]
    registered = await proxied.register_task_definition({"family": "calm", "containerDefinitions": [CONTAINER]})
    assert registered.label == "calm:1"
    assert proxy.seen.count("RegisterTaskDefinition") == 3
    assert emulator.log.counts["RegisterTaskDefinition"] == 1
    assert revisions(ecs, "calm") == [registered.arn]


async def test_register_gives_up_after_repeated_throttles(proxied: EcsActions, proxy: FaultProxy) -> None:
    proxy.faults["RegisterTaskDefinition"] = ["throttle"] * 10
    with pytest.raises(AwsError) as caught:
        await proxied.register_task_definition({"family": "busy", "containerDefinitions": [CONTAINER]})
    assert caught.value.kind == "throttled"
    assert proxy.seen.count("RegisterTaskDefinition") == proxied.throttle_attempts


async def test_other_calls_keep_botocores_retries(proxied: EcsActions, proxy: FaultProxy, ecs: Any) -> None:
    # Scaling is idempotent (it sets a number), so the session's standard retries apply to it.
    make_cluster(ecs, services={"web": 1})
    proxy.faults["UpdateService"] = ["lose-answer"]
    await proxied.scale_service("prod", "web", 6)
    assert proxy.seen.count("UpdateService") == 2
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["desiredCount"] == 6


async def test_a_run_task_retried_by_botocore_repeats_its_client_token(
    proxied: EcsActions, proxy: FaultProxy, ecs: Any, emulator: EmulatorServer
) -> None:
    arn = make_cluster(ecs)
    proxy.faults["RunTask"] = ["throttle"]
    emulator.log.clear()
    await proxied.run_task("prod", arn, 3, launch_type="FARGATE")
    assert proxy.seen.count("RunTask") == 2
    # Only the retry reached the emulator; AWS would match a repeat of the same token to the first run.
    [sent] = emulator.log.calls("RunTask")
    assert sent["clientToken"]


async def test_run_task_failing_midway_reports_the_tasks_already_started(
    proxied: EcsActions, proxy: FaultProxy, ecs: Any
) -> None:
    arn = make_cluster(ecs)
    proxy.faults["RunTask"] = ["pass", "refuse"]
    with pytest.raises(RunTaskError) as caught:
        await proxied.run_task("prod", arn, 15, launch_type="FARGATE")
    assert len(caught.value.started) == 10
    assert "10 of 15 started" in caught.value.message
    assert proxy.seen.count("RunTask") == 2
    entry = proxied.audit.entries()[0] if proxied.audit else None
    assert entry is not None and len(entry.parameters["started"]) == 10 and entry.result == caught.value.message
