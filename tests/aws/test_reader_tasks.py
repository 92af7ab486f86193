"""EcsReader reads a service's tasks, and only that service's, within ECS's page and batch limits."""

from __future__ import annotations

from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.aws.seeding import (
    create_services,
    register_container_instance,
    register_small_task_definition,
    run_service_tasks,
)
from tests.conftest import boto_client

CLUSTER = "shop"


def _seed(ecs: Any, emulator: EmulatorServer, api: int, worker: int, standalone: int) -> None:
    ecs.create_cluster(clusterName=CLUSTER)
    register_small_task_definition(ecs)
    register_container_instance(ecs, boto_client(emulator, "ec2"), CLUSTER)
    create_services(ecs, CLUSTER, ["api", "worker"])
    run_service_tasks(ecs, CLUSTER, "api", api)
    run_service_tasks(ecs, CLUSTER, "worker", worker)
    ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=standalone, launchType="EC2")
    emulator.log.clear()


@pytest.fixture
def busy_cluster(ecs: Any, emulator: EmulatorServer) -> None:
    """230 tasks of `api`, 40 of `worker` and 5 standalone tasks in one cluster."""
    _seed(ecs, emulator, api=230, worker=40, standalone=5)


@pytest.fixture
def small_cluster(ecs: Any, emulator: EmulatorServer) -> None:
    _seed(ecs, emulator, api=3, worker=2, standalone=1)


async def test_a_service_of_230_tasks_is_read_in_three_describes(
    busy_cluster: None, emulator: EmulatorServer, target: AwsTarget
) -> None:
    async with AwsSession(target) as session:
        tasks = await EcsReader(session).tasks(CLUSTER, "api")

    assert len(tasks) == 230
    assert len({t.arn for t in tasks}) == 230
    assert {t.group for t in tasks} == {"service:api"}
    assert all(t.service_name == "api" for t in tasks)
    assert [t.id for t in tasks] == sorted(t.id for t in tasks)
    assert emulator.log.counts["ListTasks"] == 3
    assert {body.get("serviceName") for body in emulator.log.calls("ListTasks")} == {"api"}
    assert emulator.log.counts["DescribeTasks"] == 3
    assert sorted(len(body["tasks"]) for body in emulator.log.calls("DescribeTasks")) == [30, 100, 100]
    assert emulator.log.violations == []


async def test_every_task_of_the_cluster_is_read_when_no_service_is_given(
    busy_cluster: None, emulator: EmulatorServer, target: AwsTarget
) -> None:
    async with AwsSession(target) as session:
        tasks = await EcsReader(session).tasks(CLUSTER)

    assert len(tasks) == 275
    assert sum(1 for t in tasks if t.service_name is None) == 5
    assert emulator.log.counts["DescribeTasks"] == 3
    assert emulator.log.violations == []


async def test_one_task_is_read_by_arn_and_a_vanished_one_is_none(small_cluster: None, target: AwsTarget) -> None:
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        arn = (await reader.task_arns(CLUSTER, "worker"))[0]
        task = await reader.task(CLUSTER, arn)
        gone = await reader.task(CLUSTER, arn.rsplit("/", 1)[0] + "/00000000000000000000000000000000")
        missing_cluster = await reader.task("nowhere", arn)

    assert task is not None and task.arn == arn and task.service_name == "worker"
    assert task.task_definition == "web:1"
    assert task.containers and task.containers[0].name == "app"
    assert task.container_instance_arn
    assert gone is None
    assert missing_cluster is None


async def test_tasks_of_a_service_without_tasks_is_empty(small_cluster: None, target: AwsTarget) -> None:
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        assert await reader.tasks(CLUSTER, "no-such-service") == []
        assert await reader.tasks(CLUSTER, "api", desired_status="STOPPED") == []


async def test_tasks_of_a_missing_cluster_is_a_not_found_error(target: AwsTarget) -> None:
    async with AwsSession(target) as session:
        with pytest.raises(AwsError) as caught:
            await EcsReader(session).tasks("nowhere", "api")
    assert caught.value.kind == "not_found"


async def test_an_unknown_desired_status_is_refused_before_any_request(
    emulator: EmulatorServer, target: AwsTarget
) -> None:
    async with AwsSession(target) as session:
        with pytest.raises(AwsError) as caught:
            await EcsReader(session).tasks("shop", desired_status="running")
    assert caught.value.kind == "invalid"
    assert emulator.log.counts["ListTasks"] == 0


async def test_a_list_tasks_that_ignores_service_name_leaks_no_other_service_tasks(
    small_cluster: None, target: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    filtering = EC2ContainerServiceBackend.list_tasks

    def loose(self: Any, cluster_str: Any = None, container_instance: Any = None, family: Any = None,
              started_by: Any = None, service_name: Any = None, *rest: Any) -> Any:  # fmt: skip
        return filtering(self, cluster_str, container_instance, family, started_by, None, *rest)

    # Plain moto (and, per its docs, ECS itself at times) lists every task of the cluster despite serviceName.
    monkeypatch.setattr(EC2ContainerServiceBackend, "list_tasks", loose)
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        assert len(await reader.task_arns(CLUSTER, "api")) == 6
        tasks = await reader.tasks(CLUSTER, "api")

    assert len(tasks) == 3 and {t.service_name for t in tasks} == {"api"}
