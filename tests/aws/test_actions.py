"""Each action, judged by what reached the emulator: the resource's new state and the requests counted."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecstui.aws.actions import EcsActions, RunTaskError
from ecstui.aws.audit import AuditLog
from ecstui.aws.errors import AwsError
from ecstui.aws.models import CapacityProviderStrategyItem
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.conftest import REGION, boto_client

CONTAINER = {"name": "app", "image": "nginx:1.27", "memory": 128}


def mutating(emulator: EmulatorServer) -> dict[str, int]:
    """The requests that reached the emulator other than reads."""
    reads = ("Describe", "List", "Get")
    return {op: n for op, n in emulator.log.counts.items() if n and not op.startswith(reads)}


def make_cluster(ecs: Any, cluster: str = "prod", services: dict[str, int] | None = None) -> str:
    """A cluster with a task definition 'web:1' and services of the given desired counts."""
    ecs.create_cluster(clusterName=cluster)
    arn: str = ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])["taskDefinition"][
        "taskDefinitionArn"
    ]
    for name, desired in (services or {}).items():
        ecs.create_service(cluster=cluster, serviceName=name, taskDefinition="web:1", desiredCount=desired)
    return arn


def register_container_instance(emulator: EmulatorServer, cluster: str) -> str:
    ec2 = boto_client(emulator, "ec2")
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
    document = {
        "instanceId": instance["InstanceId"],
        "region": REGION,
        "availabilityZone": f"{REGION}a",
        "instanceType": "t3.micro",
        "accountId": "123456789012",
        "privateIp": "10.0.0.1",
        "imageId": "ami-12c6146b",
        "architecture": "x86_64",
    }
    ecs = boto_client(emulator, "ecs")
    response = ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=json.dumps(document))
    arn: str = response["containerInstance"]["containerInstanceArn"]
    return arn


def make_network(emulator: EmulatorServer) -> tuple[str, str]:
    """A subnet and a security group in a VPC with DNS hostnames (moto's awsvpc RunTask needs them)."""
    ec2 = boto_client(emulator, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet: str = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group: str = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    return subnet, group


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


@pytest.fixture
async def actions(target: AwsTarget, audit: AuditLog) -> AsyncIterator[EcsActions]:
    async with AwsSession(target) as session:
        yield EcsActions(session, audit)


def desired_of(ecs: Any, cluster: str, service: str) -> int:
    count: int = ecs.describe_services(cluster=cluster, services=[service])["services"][0]["desiredCount"]
    return count


# -- services ----------------------------------------------------------------------------------------------


async def test_scaling_sets_the_desired_count_with_exactly_one_update(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer, audit: AuditLog
) -> None:
    make_cluster(ecs, services={"web": 2})
    emulator.log.clear()
    service = await actions.scale_service("prod", "web", 5)
    assert service.desired == 5
    assert desired_of(ecs, "prod", "web") == 5
    assert mutating(emulator) == {"UpdateService": 1}
    assert emulator.log.calls("UpdateService") == [{"cluster": "prod", "service": "web", "desiredCount": 5}]
    [entry] = audit.entries()
    assert (entry.action, entry.target, entry.before, entry.result) == (
        "scale_service",
        "prod/web",
        {"desiredCount": 2},
        "ok",
    )
    assert entry.region == REGION and entry.profile == "default"


async def test_undoing_a_scale_restores_the_previous_count_and_is_audited(
    actions: EcsActions, ecs: Any, audit: AuditLog
) -> None:
    make_cluster(ecs, services={"web": 3})
    await actions.scale_service("prod", "web", 7)
    scaled = audit.entries()[0]
    await actions.undo_scale(scaled)
    assert desired_of(ecs, "prod", "web") == 3
    undo = audit.entries()[0]
    assert (undo.action, undo.before, undo.parameters["desiredCount"]) == ("undo_scale", {"desiredCount": 7}, 3)
    # An undo can itself be undone.
    await actions.undo_scale(undo)
    assert desired_of(ecs, "prod", "web") == 7


async def test_undo_refuses_an_entry_of_another_action(actions: EcsActions, ecs: Any, audit: AuditLog) -> None:
    make_cluster(ecs, services={"web": 1})
    await actions.restart_service("prod", "web")
    with pytest.raises(AwsError, match="Only a successful scale"):
        await actions.undo_scale(audit.entries()[0])


async def test_restart_forces_a_new_deployment(actions: EcsActions, ecs: Any, emulator: EmulatorServer) -> None:
    make_cluster(ecs, services={"web": 2})
    before = ecs.describe_services(cluster="prod", services=["web"])["services"][0]["deployments"][0]["id"]
    emulator.log.clear()
    await actions.restart_service("prod", "web")
    after = ecs.describe_services(cluster="prod", services=["web"])["services"][0]["deployments"][0]["id"]
    assert after != before
    assert mutating(emulator) == {"UpdateService": 1}
    assert emulator.log.calls("UpdateService")[0]["forceNewDeployment"] is True


async def test_update_rolls_onto_another_revision_and_records_the_old_one(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer, audit: AuditLog
) -> None:
    make_cluster(ecs, services={"web": 2})
    second = ecs.register_task_definition(family="web", containerDefinitions=[{**CONTAINER, "image": "nginx:1.28"}])
    arn = second["taskDefinition"]["taskDefinitionArn"]
    emulator.log.clear()
    await actions.update_service("prod", "web", arn, desired=4)
    described = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    # moto stores taskDefinition exactly as sent (MOTO.md); ecstui sends the ARN.
    assert (described["taskDefinition"], described["desiredCount"]) == (arn, 4)
    assert mutating(emulator) == {"UpdateService": 1}
    before = audit.entries()[0].before
    assert before is not None and before["desiredCount"] == 2 and before["taskDefinition"].endswith("web:1")


async def test_deleting_a_service_with_tasks_is_refused_and_sends_no_delete(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer, audit: AuditLog
) -> None:
    make_cluster(ecs, services={"web": 2})
    emulator.log.clear()
    with pytest.raises(AwsError, match="scale it to 0") as caught:
        await actions.delete_service("prod", "web")
    assert caught.value.kind == "invalid"
    assert mutating(emulator) == {}
    assert audit.entries()[0].result == caught.value.message


async def test_deleting_a_service_at_zero_deletes_it(actions: EcsActions, ecs: Any, emulator: EmulatorServer) -> None:
    make_cluster(ecs, services={"web": 0})
    emulator.log.clear()
    deleted = await actions.delete_service("prod", "web")
    assert deleted.name == "web"
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["status"] != "ACTIVE"
    assert mutating(emulator) == {"DeleteService": 1}


async def test_create_service_sends_network_target_group_and_a_client_token(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer
) -> None:
    arn = make_cluster(ecs)
    subnet, group = make_network(emulator)
    emulator.log.clear()
    service = await actions.create_service(
        "prod",
        "api",
        arn,
        3,
        launch_type="FARGATE",
        subnets=[subnet],
        security_groups=[group],
        assign_public_ip=True,
        target_group_arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/abc",
        container_name="app",
        container_port=80,
    )
    assert service.name == "api" and service.desired == 3
    assert mutating(emulator) == {"CreateService": 1}
    [sent] = emulator.log.calls("CreateService")
    assert 1 <= len(sent["clientToken"]) <= 36
    assert sent["networkConfiguration"]["awsvpcConfiguration"] == {
        "subnets": [subnet],
        "securityGroups": [group],
        "assignPublicIp": "ENABLED",
    }
    assert sent["loadBalancers"][0]["containerPort"] == 80
    described = ecs.describe_services(cluster="prod", services=["api"])["services"][0]
    assert described["desiredCount"] == 3
    assert described["loadBalancers"][0]["containerName"] == "app"


async def test_create_service_with_a_capacity_provider_strategy(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer
) -> None:
    arn = make_cluster(ecs)
    emulator.log.clear()
    strategy = [CapacityProviderStrategyItem("FARGATE_SPOT", weight=1)]
    await actions.create_service("prod", "worker", arn, 0, capacity_provider_strategy=strategy)
    [sent] = emulator.log.calls("CreateService")
    assert sent["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    assert "launchType" not in sent


# -- tasks -------------------------------------------------------------------------------------------------


async def test_running_23_tasks_takes_three_run_task_calls(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer, audit: AuditLog
) -> None:
    arn = make_cluster(ecs)
    emulator.log.clear()
    tasks = await actions.run_task("prod", arn, 23, launch_type="FARGATE", started_by="ecstui")
    assert len(tasks) == 23 and len({t.arn for t in tasks}) == 23
    assert mutating(emulator) == {"RunTask": 3}
    calls = emulator.log.calls("RunTask")
    assert [c["count"] for c in calls] == [10, 10, 3]
    # Each batch is a new request, with its own idempotency token.
    assert len({c["clientToken"] for c in calls}) == 3
    listed = ecs.list_tasks(cluster="prod", startedBy="ecstui", maxResults=100)["taskArns"]
    assert len(listed) == 23
    assert audit.entries()[0].parameters["count"] == 23


async def test_run_task_that_starts_nothing_is_an_error_or_an_empty_list(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer, audit: AuditLog
) -> None:
    arn = make_cluster(ecs)
    instance = register_container_instance(emulator, "prod")
    ecs.update_container_instances_state(cluster="prod", containerInstances=[instance], status="DRAINING")
    # EC2 launch type with only a draining instance: moto starts nothing and reports no failure, so
    # ecstui must not claim success for tasks that never appeared.
    tasks = await actions.run_task("prod", arn, 2, launch_type="EC2")
    assert tasks == []  # moto quirk, recorded here; real ECS returns a failure (RESOURCE:...) instead.
    with pytest.raises(AwsError) as caught:
        await actions.run_task("prod", "web:404", 1, launch_type="FARGATE")
    assert not isinstance(caught.value, RunTaskError)  # nothing started, so nothing to report as started
    assert audit.entries()[0].result == caught.value.message


async def test_stopping_a_task_records_the_reason(actions: EcsActions, ecs: Any, emulator: EmulatorServer) -> None:
    make_cluster(ecs)
    task_arn = ecs.run_task(cluster="prod", taskDefinition="web:1", launchType="FARGATE")["tasks"][0]["taskArn"]
    emulator.log.clear()
    stopped = await actions.stop_task("prod", task_arn, "  rotating credentials  ")
    assert stopped.desired_status == "STOPPED"
    described = ecs.describe_tasks(cluster="prod", tasks=[task_arn])["tasks"][0]
    assert (described["desiredStatus"], described["stoppedReason"]) == ("STOPPED", "rotating credentials")
    assert mutating(emulator) == {"StopTask": 1}


# -- task definitions --------------------------------------------------------------------------------------


async def test_deregister_then_delete_revisions(actions: EcsActions, ecs: Any, emulator: EmulatorServer) -> None:
    make_cluster(ecs)
    for _ in range(11):
        ecs.register_task_definition(family="batch", containerDefinitions=[CONTAINER])
    arns = ecs.list_task_definitions(familyPrefix="batch", maxResults=100)["taskDefinitionArns"]
    emulator.log.clear()
    deregistered = await actions.deregister_task_definition(arns[0])
    assert deregistered.status == "INACTIVE"
    described = ecs.describe_task_definition(taskDefinition=arns[0])["taskDefinition"]
    assert described["status"] == "INACTIVE"
    for arn in arns[1:]:
        ecs.deregister_task_definition(taskDefinition=arn)
    emulator.log.clear()
    deleted = await actions.delete_task_definitions(arns)
    assert len(deleted) == 11
    assert mutating(emulator) == {"DeleteTaskDefinitions": 2}  # 10 a call at most
    assert [len(c["taskDefinitions"]) for c in emulator.log.calls("DeleteTaskDefinitions")] == [10, 1]


# -- clusters ----------------------------------------------------------------------------------------------


async def test_create_cluster_with_capacity_providers_and_container_insights(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer
) -> None:
    cluster = await actions.create_cluster("staging", ["FARGATE", "FARGATE_SPOT"], "enabled")
    assert cluster.name == "staging" and cluster.status == "ACTIVE"
    described = ecs.describe_clusters(clusters=["staging"], include=["SETTINGS"])["clusters"][0]
    assert described["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert {"name": "containerInsights", "value": "enabled"} in described["settings"]
    assert mutating(emulator) == {"CreateCluster": 1}


async def test_delete_cluster_with_services_is_refused(actions: EcsActions, ecs: Any, audit: AuditLog) -> None:
    make_cluster(ecs, services={"web": 0})
    with pytest.raises(AwsError) as caught:
        await actions.delete_cluster("prod")
    assert caught.value.code == "ClusterContainsServicesException"
    assert audit.entries()[0].result == caught.value.message


async def test_teardown_scales_deletes_services_then_the_cluster(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer, audit: AuditLog
) -> None:
    services = {f"svc-{i:02d}": i % 3 for i in range(12)}  # 12 services: more than one ListServices page
    make_cluster(ecs, services=services)
    emulator.log.clear()
    steps = [step async for step in actions.teardown_cluster("prod")]
    scaled = sum(1 for d in services.values() if d > 0)
    assert len(steps) == scaled + len(services) + 2  # ... + "no task is running" + the cluster
    assert [s.done for s in steps] == list(range(1, len(steps) + 1))
    assert all(s.total == len(steps) for s in steps)
    assert steps[-1].description == "Deleted cluster prod."
    assert mutating(emulator) == {"UpdateService": scaled, "DeleteService": len(services), "DeleteCluster": 1}
    assert emulator.log.violations == []
    assert ecs.describe_clusters(clusters=["prod"])["clusters"][0]["status"] == "INACTIVE"
    actions_logged = [e.action for e in audit.entries()]
    assert actions_logged[0] == "delete_cluster"
    assert actions_logged.count("delete_service") == len(services)


async def test_teardown_stops_standalone_tasks_and_deregisters_instances_before_deleting_the_cluster(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer
) -> None:
    make_cluster(ecs, services={"a": 0})
    instance = register_container_instance(emulator, "prod")
    ecs.run_task(cluster="prod", taskDefinition="web:1", count=2, launchType="EC2")
    # ECS refuses while tasks run or instances are registered (the emulator keeps that rule too).
    with pytest.raises(ClientError) as refused:
        ecs.delete_service(cluster="prod", service="a")
        ecs.delete_cluster(cluster="prod")
    assert refused.value.response["Error"]["Code"] == "ClusterContainsTasksException"
    emulator.log.clear()
    actions.teardown_poll_seconds = 0.01
    steps = [step.description async for step in actions.teardown_cluster("prod")]
    assert steps[0] == "Stopped 2 standalone task(s)."
    assert any(s.startswith("Deregistered 1 container instance") for s in steps)
    assert steps[-1] == "Deleted cluster prod."
    assert [call["reason"] for call in emulator.log.calls("StopTask")] == ["Cluster teardown from ecstui"] * 2
    assert emulator.log.calls("DeregisterContainerInstance")[0]["containerInstance"] == instance
    assert ecs.describe_clusters(clusters=["prod"])["clusters"][0]["status"] == "INACTIVE"


async def test_teardown_stops_at_the_first_error(actions: EcsActions, ecs: Any, emulator: EmulatorServer) -> None:
    make_cluster(ecs, services={"a": 1})
    steps = []
    with pytest.raises(AwsError) as caught:
        async for step in actions.teardown_cluster("prod"):
            steps.append(step)
            # Someone else deletes the service between the scale and the delete: the delete step fails.
            ecs.delete_service(cluster="prod", service="a", force=True)
    assert caught.value.kind == "not_found"
    assert [s.description for s in steps] == ["Scaled a to 0."]
    assert emulator.log.counts["DeleteCluster"] == 0
    assert ecs.describe_clusters(clusters=["prod"])["clusters"][0]["status"] == "ACTIVE"


# -- container instances -----------------------------------------------------------------------------------


async def test_drain_and_reactivate_container_instances(
    actions: EcsActions, ecs: Any, emulator: EmulatorServer
) -> None:
    make_cluster(ecs)
    arns = [register_container_instance(emulator, "prod") for _ in range(12)]
    emulator.log.clear()
    drained = await actions.drain_container_instances("prod", arns)
    assert {i.status for i in drained} == {"DRAINING"} and len(drained) == 12
    assert mutating(emulator) == {"UpdateContainerInstancesState": 2}
    described = ecs.describe_container_instances(cluster="prod", containerInstances=arns)["containerInstances"]
    assert {i["status"] for i in described} == {"DRAINING"}
    await actions.reactivate_container_instances("prod", arns[:1])
    described = ecs.describe_container_instances(cluster="prod", containerInstances=arns[:1])["containerInstances"]
    assert described[0]["status"] == "ACTIVE"
