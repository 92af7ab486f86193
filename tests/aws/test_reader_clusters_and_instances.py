"""Clusters and container instances are listed in full and described in as few calls as ECS allows."""

from __future__ import annotations

from typing import Any

from ecstui.aws.fetch import EcsReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.aws.seeding import register_container_instance
from tests.conftest import boto_client


async def test_clusters_are_described_with_statistics_and_settings_sorted_by_name(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    for name in ("zeta", "alpha", "mid"):
        ecs.create_cluster(clusterName=name, settings=[{"name": "containerInsights", "value": "enabled"}])
    emulator.log.clear()
    async with AwsSession(target) as session:
        clusters = await EcsReader(session).clusters()

    assert [c.name for c in clusters] == ["alpha", "mid", "zeta"]
    assert {c.status for c in clusters} == {"ACTIVE"}
    assert {c.container_insights for c in clusters} == {"enabled"}
    assert emulator.log.counts["ListClusters"] == 1 and emulator.log.counts["DescribeClusters"] == 1
    (describe,) = emulator.log.calls("DescribeClusters")
    assert {"STATISTICS", "SETTINGS"} <= set(describe["include"])
    assert emulator.log.violations == []


async def test_more_than_a_hundred_clusters_take_two_pages_and_two_describes(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    for i in range(105):
        ecs.create_cluster(clusterName=f"c-{i:03d}")
    emulator.log.clear()
    async with AwsSession(target) as session:
        clusters = await EcsReader(session).clusters()

    assert len(clusters) == 105
    assert emulator.log.counts["ListClusters"] == 2 and emulator.log.counts["DescribeClusters"] == 2
    assert emulator.log.violations == []


async def test_no_clusters_sends_no_describe(emulator: EmulatorServer, target: AwsTarget) -> None:
    async with AwsSession(target) as session:
        assert await EcsReader(session).clusters() == []
    assert emulator.log.counts["DescribeClusters"] == 0


async def test_container_instances_are_listed_and_described(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget
) -> None:
    ecs.create_cluster(clusterName="ec2")
    ec2 = boto_client(emulator, "ec2")
    arns = {register_container_instance(ecs, ec2, "ec2") for _ in range(3)}
    emulator.log.clear()
    async with AwsSession(target) as session:
        instances = await EcsReader(session).container_instances("ec2")

    assert {ci.arn for ci in instances} == arns
    assert all(ci.status == "ACTIVE" and ci.agent_connected and ci.registered_cpu for ci in instances)
    assert [ci.ec2_instance_id for ci in instances] == sorted(ci.ec2_instance_id or "" for ci in instances)
    assert emulator.log.counts["ListContainerInstances"] == 1
    assert emulator.log.counts["DescribeContainerInstances"] == 1
    assert emulator.log.violations == []
