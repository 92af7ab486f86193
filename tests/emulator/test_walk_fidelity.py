"""What ECS accepts and refuses on the first-cluster walk, as the emulator must (issue 11, "found on the walk")."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.conftest import boto_client
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


# -- public IPs ------------------------------------------------------------------------------------------------


def _make_public(emulator: EmulatorServer, net: dict[str, Any], subnet: str) -> None:
    """Route the subnet to an internet gateway, as a public subnet is."""
    ec2 = boto_client(emulator, "ec2")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=net["vpc"])
    table = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)


def _public_ips(emulator: EmulatorServer, found: list[dict[str, Any]]) -> dict[str, str | None]:
    """Each task's public IP, where ECS keeps it: on the task's ENI."""
    ec2 = boto_client(emulator, "ec2")
    ips: dict[str, str | None] = {}
    for task in found:
        details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
        assert "publicIPv4Address" not in details  # DescribeTasks does not report it
        (eni,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[details["networkInterfaceId"]])[
            "NetworkInterfaces"
        ]
        ips[task["taskArn"]] = eni.get("Association", {}).get("PublicIp")
    return ips


def _create(ecs: Any, name: str, subnets: list[str], public_ip: str, net: dict[str, Any], desired: int) -> None:
    ecs.create_cluster(clusterName="prod")
    ecs.create_service(
        cluster="prod",
        serviceName=name,
        taskDefinition="web",
        desiredCount=desired,
        launchType="FARGATE",
        networkConfiguration=_service_network(net, subnets, public_ip),
    )


def _service_network(net: dict[str, Any], subnets: list[str], public_ip: str) -> dict[str, Any]:
    return {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [net["sg"]], "assignPublicIp": public_ip}}


def test_tasks_with_public_ip_enabled_in_a_public_subnet_get_one_and_a_replacement_gets_another(
    ecs: Any, emulator: EmulatorServer, net: dict[str, Any], sim: Simulator
) -> None:
    public = net["subnets"][0]
    _make_public(emulator, net, public)
    register(ecs)
    _create(ecs, "web", [public], "ENABLED", net, desired=2)
    steps(sim, 8)
    running = tasks(ecs)
    ips = _public_ips(emulator, running)
    assert len(ips) == 2 and all(ips.values())
    assert len(set(ips.values())) == 2
    ecs.stop_task(cluster="prod", task=running[0]["taskArn"], reason="replace me")
    steps(sim, 12)
    replaced = [t for t in tasks(ecs) if t["taskArn"] not in ips]
    assert len(replaced) == 1
    (new_ip,) = _public_ips(emulator, replaced).values()
    assert new_ip and new_ip not in ips.values()


def test_no_public_ip_when_disabled_or_in_a_private_subnet(
    ecs: Any, emulator: EmulatorServer, net: dict[str, Any], sim: Simulator
) -> None:
    public, private = net["subnets"]
    _make_public(emulator, net, public)
    register(ecs)
    _create(ecs, "off", [public], "DISABLED", net, desired=1)
    _create(ecs, "private", [private], "ENABLED", net, desired=1)
    steps(sim, 8)
    for name in ("off", "private"):
        ips = _public_ips(emulator, tasks(ecs, name))
        assert len(ips) == 1 and list(ips.values()) == [None]


def test_a_task_run_by_hand_with_public_ip_enabled_in_a_public_subnet_gets_one(
    ecs: Any, emulator: EmulatorServer, net: dict[str, Any], sim: Simulator
) -> None:
    public = net["subnets"][0]
    _make_public(emulator, net, public)
    register(ecs)
    ecs.create_cluster(clusterName="prod")
    started = ecs.run_task(
        cluster="prod",
        taskDefinition="web",
        launchType="FARGATE",
        networkConfiguration=_service_network(net, [public], "ENABLED"),
    )["tasks"]
    steps(sim, 1)
    (ip,) = _public_ips(emulator, started).values()
    assert ip is not None
