"""What ECS accepts and refuses on the first-cluster walk, as the emulator must (issue 11, "found on the walk")."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecstui.emulator.simulator import Simulator
from tests.emulator.test_simulator import create, net, register, sim, steps, tasks

__all__ = ["net", "sim"]


def test_run_task_of_a_fargate_definition_with_only_task_level_memory_starts_the_task(
    ecs: Any, net: dict[str, Any], sim: Simulator
) -> None:
    register(ecs)  # task-level cpu/memory; neither container sets memory nor memoryReservation
    ecs.create_cluster(clusterName="prod")
    started = ecs.run_task(
        cluster="prod",
        taskDefinition="web",
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": net["subnets"][:1], "securityGroups": [net["sg"]]}},
    )
    assert started["failures"] == []
    assert len(started["tasks"]) == 1
    assert started["tasks"][0]["taskDefinitionArn"].endswith("task-definition/web:1")


def test_a_service_of_such_a_definition_reaches_its_desired_count(
    ecs: Any, net: dict[str, Any], sim: Simulator
) -> None:
    register(ecs)
    create(ecs, net, desired=2)
    steps(sim, 8)
    assert len([t for t in tasks(ecs) if t["lastStatus"] == "RUNNING"]) == 2


def _refused(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    return str(caught.value.response["Error"]["Message"])


def test_create_service_of_an_awsvpc_definition_without_subnets_is_refused_as_ecs_refuses_it(
    ecs: Any, net: dict[str, Any]
) -> None:
    register(ecs)
    ecs.create_cluster(clusterName="prod")
    empty = {"awsvpcConfiguration": {"subnets": [], "securityGroups": [net["sg"]]}}
    message = _refused(
        lambda: ecs.create_service(
            cluster="prod", serviceName="web", taskDefinition="web", desiredCount=2, networkConfiguration=empty
        )
    )
    assert message == "subnets can not be empty."
    message = _refused(
        lambda: ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=2)
    )
    assert message == "Network Configuration must be provided when networkMode 'awsvpc' is specified."
    assert ecs.list_services(cluster="prod")["serviceArns"] == []


def test_update_service_to_a_network_without_subnets_is_refused(ecs: Any, net: dict[str, Any]) -> None:
    register(ecs)
    create(ecs, net, desired=1)
    empty = {"awsvpcConfiguration": {"subnets": [], "securityGroups": [net["sg"]]}}
    message = _refused(lambda: ecs.update_service(cluster="prod", service="web", networkConfiguration=empty))
    assert message == "subnets can not be empty."
    kept = ecs.describe_services(cluster="prod", services=["web"])["services"][0]["networkConfiguration"]
    assert kept["awsvpcConfiguration"]["subnets"] == net["subnets"]
    ecs.update_service(cluster="prod", service="web", desiredCount=0)  # no network given: nothing to refuse


def test_a_bridge_service_needs_no_subnets(ecs: Any) -> None:
    ecs.register_task_definition(
        family="worker", containerDefinitions=[{"name": "a", "image": "busybox", "memory": 64}]
    )
    ecs.create_cluster(clusterName="prod")
    ecs.create_service(cluster="prod", serviceName="worker", taskDefinition="worker", desiredCount=0)
