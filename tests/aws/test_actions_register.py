"""A new revision registered from a described one is the same definition, but for the fields ECS assigns."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecstui.aws.actions import EcsActions
from ecstui.aws.audit import AuditLog
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.aws.validation import read_only_task_definition_fields, registrable_definition, task_definition_problems
from ecstui.emulator.server import EmulatorServer
from tests.aws.test_actions import mutating

READ_ONLY = read_only_task_definition_fields()
_families = itertools.count()

names = st.from_regex(r"[a-z][a-z0-9_-]{0,11}", fullmatch=True)
env_names = st.from_regex(r"[A-Z][A-Z0-9_]{0,9}", fullmatch=True)
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
images = st.builds("{}:{}".format, st.sampled_from(["nginx", "public.ecr.aws/docker/library/redis", "busybox"]), names)
paths = st.from_regex(r"/[a-z]{1,8}(/[a-z]{1,8}){0,2}", fullmatch=True)


@st.composite
def task_definitions(draw: st.DrawFn) -> dict[str, Any]:
    volume_names = draw(st.lists(names, max_size=3, unique=True))
    volumes = [
        draw(st.sampled_from([{"name": v}, {"name": v, "host": {"sourcePath": draw(paths)}}])) for v in volume_names
    ]
    container_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    fargate = draw(st.booleans())
    # On Fargate (512 CPU units, 1024 MiB) the containers' shares must fit in the task's, as ECS requires.
    most_cpu, most_memory = (512 // 3, 1024 // 3) if fargate else (4096, 8192)
    containers = []
    for name in container_names:
        container: dict[str, Any] = {"name": name, "image": draw(images)}
        if draw(st.booleans()):
            container["cpu"] = draw(st.integers(0, most_cpu))
        if draw(st.booleans()):
            container["memory"] = draw(st.integers(6, most_memory))
        else:
            container["memoryReservation"] = draw(st.integers(6, most_memory))
        container["essential"] = name == container_names[0] or draw(st.booleans())
        env = draw(st.lists(env_names, max_size=4, unique=True))
        if env:
            container["environment"] = [{"name": n, "value": draw(text)} for n in env]
        secrets = draw(st.lists(env_names, max_size=2, unique=True))
        if secrets:
            container["secrets"] = [
                {"name": s, "valueFrom": f"arn:aws:ssm:us-east-1:123456789012:parameter/{s.lower()}"} for s in secrets
            ]
        ports = draw(st.lists(st.integers(1, 65535), max_size=3, unique=True))
        if ports:
            container["portMappings"] = [
                {"containerPort": p, "hostPort": p, "protocol": draw(st.sampled_from(["tcp", "udp"]))} for p in ports
            ]
        if volume_names and draw(st.booleans()):
            container["mountPoints"] = [
                {"sourceVolume": v, "containerPath": f"/mnt/{v}", "readOnly": draw(st.booleans())}
                for v in draw(st.lists(st.sampled_from(volume_names), min_size=1, unique=True))
            ]
        if draw(st.booleans()):
            container["logConfiguration"] = {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": f"/ecs/{name}",
                    "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": name,
                },
            }
        if draw(st.booleans()):
            container["command"] = draw(st.lists(text, min_size=1, max_size=3))
        containers.append(container)
    definition: dict[str, Any] = {"containerDefinitions": containers, "volumes": volumes}
    if fargate:
        definition.update(
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="512",
            memory=draw(st.sampled_from(["1024", "2048"])),
        )
    else:
        definition["networkMode"] = draw(st.sampled_from(["bridge", "host"]))
    # ECS refuses secrets, and awslogs on Fargate, without an execution role: such a definition always has one.
    needs_role = any("secrets" in c or (fargate and "logConfiguration" in c) for c in containers)
    if needs_role or draw(st.booleans()):
        definition["executionRoleArn"] = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
    if draw(st.booleans()):
        definition["tags"] = [{"key": "team", "value": draw(names)}]
    return definition


def contains(got: Any, sent: Any) -> bool:
    """Every field sent is in what came back, unchanged (ECS and moto add defaults such as volumesFrom: [])."""
    if isinstance(sent, dict):
        return isinstance(got, dict) and all(k in got and contains(got[k], v) for k, v in sent.items())
    if isinstance(sent, list):
        return isinstance(got, list) and len(got) == len(sent) and all(map(contains, got, sent))
    return bool(got == sent)


def without_read_only(described: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in described.items() if k not in READ_ONLY}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(definition=task_definitions())
def test_register_round_trip_keeps_every_field(
    definition: dict[str, Any], emulator_server: EmulatorServer, tmp_path: Path
) -> None:
    from tests.conftest import REGION, boto_client

    ecs = boto_client(emulator_server, "ecs")
    family = f"round-trip-{next(_families)}"  # unique per example: nothing is reset between examples
    assert task_definition_problems({**definition, "family": family}) == []
    ecs.register_task_definition(family=family, **definition)
    first = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
    # moto keeps every field these strategies generate (checked over many examples), so a difference
    # below would be ecstui's doing, not the emulator's.
    sent = {k: v for k, v in definition.items() if k != "tags"}
    assert contains(first["taskDefinition"], sent)
    source = registrable_definition(first["taskDefinition"], first.get("tags"))
    assert task_definition_problems(source) == []

    async def register() -> str:
        target = AwsTarget(region=REGION, endpoint_url=emulator_server.endpoint_url)
        async with AwsSession(target) as session:
            registered = await EcsActions(session, AuditLog(tmp_path / "audit.jsonl")).register_task_definition(source)
            return registered.arn

    arn = asyncio.run(register())
    second = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    assert second["taskDefinition"]["revision"] == first["taskDefinition"]["revision"] + 1
    assert without_read_only(second["taskDefinition"]) == without_read_only(first["taskDefinition"])
    assert second.get("tags", []) == first.get("tags", [])


async def test_a_new_revision_from_the_described_one_changes_only_what_was_edited(
    target: AwsTarget, ecs: Any, emulator: EmulatorServer, tmp_path: Path
) -> None:
    ecs.register_task_definition(
        family="web",
        containerDefinitions=[{"name": "app", "image": "nginx:1.27", "memory": 128, "essential": True}],
        tags=[{"key": "team", "value": "core"}],
    )
    described = ecs.describe_task_definition(taskDefinition="web", include=["TAGS"])
    edited = registrable_definition(described["taskDefinition"], described["tags"])
    edited["containerDefinitions"][0]["image"] = "nginx:1.28"
    emulator.log.clear()
    async with AwsSession(target) as session:
        registered = await EcsActions(session, AuditLog(tmp_path / "a.jsonl")).register_task_definition(edited)
    assert registered.label == "web:2"
    assert mutating(emulator) == {"RegisterTaskDefinition": 1}
    sent = emulator.log.calls("RegisterTaskDefinition")[0]
    assert READ_ONLY.isdisjoint(sent)
    after = ecs.describe_task_definition(taskDefinition="web:2", include=["TAGS"])
    assert after["taskDefinition"]["containerDefinitions"][0]["image"] == "nginx:1.28"
    assert after["tags"] == [{"key": "team", "value": "core"}]
