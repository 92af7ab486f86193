"""Task definitions are described once per revision, listed newest first, and their status kept honest."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer


def _register(ecs: Any, family: str, revisions: int) -> list[str]:
    return [
        ecs.register_task_definition(
            family=family,
            containerDefinitions=[
                {
                    "name": "app",
                    "image": f"nginx:1.{i}",
                    "memory": 64,
                    "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/t"}],
                }
            ],
        )["taskDefinition"]["taskDefinitionArn"]
        for i in range(revisions)
    ]


async def test_describing_the_same_revision_twice_sends_one_request(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    (arn,) = _register(ecs, "web", 1)
    emulator.log.clear()
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        first = await reader.task_definition(arn)
        again = await reader.task_definition("web:1")

    assert emulator.log.counts["DescribeTaskDefinition"] == 1
    assert again is first
    assert first.label == "web:1" and first.containers[0].image == "nginx:1.0"
    assert first.containers[0].secrets[0].name == "TOKEN"
    assert first.raw["taskDefinitionArn"] == arn and "containerDefinitions" in first.raw


async def test_concurrent_first_reads_of_one_revision_share_one_describe(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    (arn,) = _register(ecs, "web", 1)
    emulator.log.clear()
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        results = await asyncio.gather(*(reader.task_definition(arn) for _ in range(5)))

    assert emulator.log.counts["DescribeTaskDefinition"] == 1
    assert len({id(td) for td in results}) == 1


async def test_a_bare_family_is_described_each_time_because_its_latest_revision_changes(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    _register(ecs, "web", 1)
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        assert (await reader.task_definition("web")).revision == 1
        _register(ecs, "web", 1)
        assert (await reader.task_definition("web")).revision == 2
        await reader.task_definition("web:2")  # cached by the bare-family read

    assert emulator.log.counts["DescribeTaskDefinition"] == 2


async def test_revisions_are_newest_first_and_only_of_that_family(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    _register(ecs, "web", 3)
    _register(ecs, "web-worker", 2)
    emulator.log.clear()
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        revisions = await reader.task_definition_revisions("web")
        newest = await reader.task_definition_revisions("web", limit=1)

    assert [td.label for td in revisions] == ["web:3", "web:2", "web:1"]
    assert [td.label for td in newest] == ["web:3"]
    assert emulator.log.counts["DescribeTaskDefinition"] == 3
    assert emulator.log.violations == []


async def test_a_deregistered_revision_loses_its_cached_active_status_at_the_next_listing(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    _register(ecs, "web", 2)
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        assert [td.status for td in await reader.task_definition_revisions("web")] == ["ACTIVE", "ACTIVE"]
        ecs.deregister_task_definition(taskDefinition="web:1")

        assert [td.label for td in await reader.task_definition_revisions("web")] == ["web:2"]
        inactive = await reader.task_definition_revisions("web", "INACTIVE")
        again = await reader.task_definition("web:1")

    assert [(td.label, td.status) for td in inactive] == [("web:1", "INACTIVE")]
    assert again.status == "INACTIVE" and again.raw["status"] == "INACTIVE"


async def test_refresh_describes_again(ecs: Any, emulator: EmulatorServer, target: AwsTarget) -> None:
    _register(ecs, "web", 1)
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        await reader.task_definition("web:1")
        ecs.deregister_task_definition(taskDefinition="web:1")
        assert (await reader.task_definition("web:1")).status == "ACTIVE"  # cached, as documented
        assert (await reader.task_definition("web:1", refresh=True)).status == "INACTIVE"

    assert emulator.log.counts["DescribeTaskDefinition"] == 2


async def test_families_come_from_one_listing_with_their_latest_revision(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    web = _register(ecs, "web", 3)
    worker = _register(ecs, "worker", 1)
    emulator.log.clear()
    async with AwsSession(target) as session:
        families = await EcsReader(session).task_definition_families()

    assert [(f.name, f.latest_revision_arn, f.active_revisions) for f in families] == [
        ("web", web[-1], 3),
        ("worker", worker[0], 1),
    ]
    assert emulator.log.counts["ListTaskDefinitions"] == 1
    assert emulator.log.counts["ListTaskDefinitionFamilies"] == 0
    assert emulator.log.counts["DescribeTaskDefinition"] == 0


async def test_a_missing_revision_is_an_aws_error(target: AwsTarget) -> None:
    async with AwsSession(target) as session:
        with pytest.raises(AwsError):
            await EcsReader(session).task_definition("nope:1")
