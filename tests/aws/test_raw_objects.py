"""RawReader against the limits-keeping emulator: each kind is re-read with its own describe call, and what comes
back is the resource's whole API object, ready for JSON."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.raw_objects import RawReader, json_ready
from ecstui.aws.resource_ref import (
    ResourceRef,
    cluster_ref,
    container_instance_ref,
    load_balancer_ref,
    log_group_ref,
    rule_ref,
    schedule_ref,
    service_ref,
    target_group_ref,
    task_definition_family_ref,
    task_definition_ref,
    task_ref,
)
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.conftest import REGION, boto_client


@pytest.fixture
async def session(demo: AwsTarget) -> AsyncIterator[AwsSession]:
    async with AwsSession(demo) as session:
        yield session


async def read(session: AwsSession, ref: ResourceRef) -> dict[str, Any]:
    raw = await RawReader(session).read(ref)
    assert raw is not None
    json.dumps(raw)  # every value is one JSON can write
    assert "ResponseMetadata" not in raw
    return raw


async def test_a_cluster(session: AwsSession) -> None:
    cluster = next(c for c in await EcsReader(session).clusters() if c.name == "prod")
    raw = await read(session, cluster_ref(cluster))
    assert raw["clusterArn"] == cluster.arn
    assert raw["clusterName"] == "prod"
    assert raw["capacityProviders"] == list(cluster.capacity_providers)


async def test_a_service_holds_what_the_panes_do_not_show(session: AwsSession) -> None:
    service = next(s for s in await EcsReader(session).services("prod") if s.name == "api")
    raw = await read(session, service_ref(service))
    assert raw["serviceArn"] == service.arn
    assert raw["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert isinstance(raw["deployments"][0]["createdAt"], str)  # a datetime, as ISO 8601


async def test_a_task(session: AwsSession) -> None:
    task = (await EcsReader(session).tasks("prod", "api"))[0]
    raw = await read(session, task_ref(task))
    assert raw["taskArn"] == task.arn
    assert raw["containers"]


async def test_a_task_definition_and_a_family(session: AwsSession) -> None:
    reader = EcsReader(session)
    definition = await reader.task_definition("api")
    raw = await read(session, task_definition_ref(definition))
    assert raw["taskDefinition"]["taskDefinitionArn"] == definition.arn
    family = next(f for f in await reader.task_definition_families() if f.name == "api")
    latest = await read(session, task_definition_family_ref(family.name, REGION, family.latest_revision_arn))
    assert latest["taskDefinition"]["family"] == "api"


async def test_a_container_instance(session: AwsSession) -> None:
    instance = (await EcsReader(session).container_instances("batch"))[0]
    raw = await read(session, container_instance_ref(instance, "batch"))
    assert raw["containerInstanceArn"] == instance.arn
    assert "registeredResources" in raw


async def test_a_target_group_and_a_load_balancer(session: AwsSession, emulator: EmulatorServer) -> None:
    elbv2 = boto_client(emulator, "elbv2")
    group = elbv2.describe_target_groups(Names=["prod-api"])["TargetGroups"][0]
    raw = await read(session, target_group_ref(group["TargetGroupArn"], "prod-api"))
    assert raw["TargetGroupName"] == "prod-api"
    balancer = elbv2.describe_load_balancers()["LoadBalancers"][0]
    raw = await read(session, load_balancer_ref(balancer["LoadBalancerArn"], balancer["LoadBalancerName"]))
    assert raw["DNSName"] == balancer["DNSName"]


async def test_a_log_group_is_the_one_named_not_one_it_prefixes(session: AwsSession) -> None:
    raw = await read(session, log_group_ref("/ecs/api", REGION))
    assert raw["logGroupName"] == "/ecs/api"


async def test_a_schedule_and_a_rule_with_its_targets(session: AwsSession, emulator: EmulatorServer) -> None:
    schedule = boto_client(emulator, "scheduler").get_schedule(Name="nightly-reports")
    raw = await read(session, schedule_ref(schedule["Arn"], "nightly-reports", None))
    assert raw["Target"]["EcsParameters"]["TaskCount"] == 1
    rule = boto_client(emulator, "events").describe_rule(Name="worker-drain-15m")
    raw = await read(session, rule_ref(rule["Arn"], "worker-drain-15m", None))
    assert raw["ScheduleExpression"] == "rate(15 minutes)"
    assert [target["Id"] for target in raw["Targets"]] == ["batch-worker"]


async def test_what_is_gone_reads_as_none(session: AwsSession) -> None:
    arn = f"arn:aws:ecs:{REGION}:123456789012:service/prod/gone"
    assert await RawReader(session).read(ResourceRef("service", arn, "gone", REGION, cluster="prod")) is None
    task = f"arn:aws:ecs:{REGION}:123456789012:task/prod/0123456789abcdef0123456789abcdef"
    assert await RawReader(session).read(ResourceRef("task", task, "0123", REGION, cluster="prod")) is None
    # ELB answers an error for what it does not have (ECS lists it under failures): the same None.
    group = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:targetgroup/gone/0123456789abcdef"
    assert await RawReader(session).read(target_group_ref(group, "gone")) is None


async def test_a_failure_is_an_aws_error_not_a_missing_resource() -> None:
    # Port 1 on loopback refuses connections.
    async with AwsSession(AwsTarget(region=REGION, endpoint_url="http://127.0.0.1:1")) as unreachable:
        with pytest.raises(AwsError) as failure:
            await RawReader(unreachable).read(ResourceRef("cluster", "", "prod", REGION))
    assert failure.value.kind == "unreachable"


def test_json_ready_drops_the_metadata_and_writes_times() -> None:
    from datetime import UTC, datetime

    answer = {"ResponseMetadata": {"RequestId": "1"}, "at": datetime(2026, 1, 2, tzinfo=UTC), "b": b"\x00"}
    assert json_ready(answer) == {"at": "2026-01-02T00:00:00+00:00", "b": "AA=="}
