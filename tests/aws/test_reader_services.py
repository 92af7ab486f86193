"""EcsReader reads every service of a cluster within ECS's page and batch limits."""

from __future__ import annotations

from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.models import Service
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.aws.seeding import create_services, register_small_task_definition

CLUSTER = "prod"


def _seed(ecs: Any, count: int) -> list[str]:
    ecs.create_cluster(clusterName=CLUSTER)
    register_small_task_definition(ecs)
    # Created out of order, so sorting is the reader's doing.
    names = [f"svc-{i:03d}" for i in range(count)]
    create_services(ecs, CLUSTER, list(reversed(names)))
    return names


async def test_a_cluster_of_39_services_is_read_in_one_list_page_and_four_describes(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    names = _seed(ecs, 39)
    emulator.log.clear()
    async with AwsSession(target) as session:
        services = await EcsReader(session).services(CLUSTER)

    assert [s.name for s in services] == names
    assert all(isinstance(s, Service) and s.cluster_arn.endswith(f"cluster/{CLUSTER}") for s in services)
    assert emulator.log.counts["ListServices"] == 1
    assert emulator.log.calls("ListServices")[0]["maxResults"] == 100
    assert emulator.log.counts["DescribeServices"] == 4
    assert sorted(len(body["services"]) for body in emulator.log.calls("DescribeServices")) == [9, 10, 10, 10]
    assert emulator.log.violations == []


async def test_more_than_a_page_of_services_follows_next_token(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    names = _seed(ecs, 105)
    emulator.log.clear()
    async with AwsSession(target) as session:
        services = await EcsReader(session).services(CLUSTER)

    assert [s.name for s in services] == names
    assert emulator.log.counts["ListServices"] == 2
    assert emulator.log.counts["DescribeServices"] == 11
    assert emulator.log.violations == []


async def test_service_arns_then_describe_services_reads_only_what_is_asked(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    names = _seed(ecs, 25)
    emulator.log.clear()
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        arns = await reader.service_arns(CLUSTER)
        on_screen = await reader.describe_services(CLUSTER, arns[:12])

    assert [arn.rsplit("/", 1)[-1] for arn in arns] == names
    assert [s.name for s in on_screen] == names[:12]
    assert emulator.log.counts["DescribeServices"] == 2
    assert emulator.log.violations == []


async def test_stream_services_yields_every_batch_once(ecs: Any, emulator: EmulatorServer, target: AwsTarget) -> None:
    names = _seed(ecs, 23)
    emulator.log.clear()
    async with AwsSession(target) as session:
        reader = EcsReader(session, concurrency=2)
        batches = [batch async for batch in reader.stream_services(CLUSTER, names)]

    assert sorted(len(batch) for batch in batches) == [3, 10, 10]
    assert sorted(s.name for batch in batches for s in batch) == names
    assert emulator.log.counts["DescribeServices"] == 3


async def test_describing_a_missing_service_returns_none_and_skips_it_in_a_batch(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    _seed(ecs, 2)
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        assert await reader.service(CLUSTER, "no-such-service") is None
        found = await reader.describe_services(CLUSTER, ["svc-000", "no-such-service", "svc-001"])
        one = await reader.service(CLUSTER, "svc-001")

    assert [s.name for s in found] == ["svc-000", "svc-001"]
    assert one is not None and one.name == "svc-001" and one.task_definition == "web:1"


async def test_deleted_services_are_not_listed(ecs: Any, target: AwsTarget) -> None:
    _seed(ecs, 3)
    ecs.delete_service(cluster=CLUSTER, service="svc-001", force=True)
    async with AwsSession(target) as session:
        services = await EcsReader(session).services(CLUSTER)

    assert [s.name for s in services] == ["svc-000", "svc-002"]


async def test_services_of_a_missing_cluster_is_a_not_found_error_naming_it(target: AwsTarget) -> None:
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        with pytest.raises(AwsError) as caught:
            await reader.services("gone")
        assert await reader.service("gone", "web") is None

    assert caught.value.kind == "not_found"
    assert caught.value.code == "ClusterNotFoundException"
    assert "'gone'" in caught.value.message


async def test_describes_run_concurrently_but_never_more_than_the_limit(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    names = _seed(ecs, 80)
    in_flight = 0
    most = 0

    def started(**_: Any) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)

    def finished(**_: Any) -> None:
        nonlocal in_flight
        in_flight -= 1

    async with AwsSession(target) as session:
        session._session.register("before-call.ecs.DescribeServices", started)
        session._session.register("after-call.ecs.DescribeServices", finished)
        services = await EcsReader(session, concurrency=3).services(CLUSTER)

    assert [s.name for s in services] == names
    assert emulator.log.counts["DescribeServices"] == 8
    assert 1 < most <= 3
