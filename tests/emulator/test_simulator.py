"""The simulated ECS scheduler, observed over HTTP as a client sees it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ecstui.emulator import simulator as simulator_module
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import BEHAVIOUR_TAG, Simulator
from tests.conftest import boto_client


@pytest.fixture
def sim(emulator: EmulatorServer) -> Iterator[Simulator]:
    simulator = Simulator(emulator, chaos=False)
    yield simulator
    simulator.stop()


@pytest.fixture
def net(emulator: EmulatorServer) -> dict[str, Any]:
    ec2 = boto_client(emulator, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    sg = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    return {"vpc": vpc, "subnets": subnets, "sg": sg}


def register(ecs: Any, family: str = "web", image: str = "nginx:1.25") -> str:
    arn: str = ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": image, "portMappings": [{"containerPort": 8080}]},
            {"name": "log-router", "image": "fluent-bit:2", "essential": False},
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    return arn


def create(ecs: Any, net: dict[str, Any], name: str = "web", desired: int = 3, **extra: Any) -> None:
    ecs.create_cluster(clusterName="prod")
    ecs.create_service(
        cluster="prod",
        serviceName=name,
        taskDefinition=extra.pop("taskDefinition", "web"),
        desiredCount=desired,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": net["subnets"], "securityGroups": [net["sg"]]}},
        **extra,
    )


def service(ecs: Any, name: str = "web") -> dict[str, Any]:
    result: dict[str, Any] = ecs.describe_services(cluster="prod", services=[name])["services"][0]
    return result


def tasks(ecs: Any, name: str = "web", desired_status: str = "RUNNING") -> list[dict[str, Any]]:
    arns = [
        arn
        for page in ecs.get_paginator("list_tasks").paginate(
            cluster="prod", serviceName=name, desiredStatus=desired_status
        )
        for arn in page["taskArns"]
    ]
    found: list[dict[str, Any]] = []
    for i in range(0, len(arns), 100):
        found += ecs.describe_tasks(cluster="prod", tasks=arns[i : i + 100])["tasks"]
    return found


def messages(ecs: Any, name: str = "web") -> list[str]:
    return [e["message"] for e in service(ecs, name)["events"]]


def steps(sim: Simulator, count: int) -> None:
    for _ in range(count):
        sim.step()


def test_a_service_reaches_its_desired_count_through_provisioning_and_pending(
    ecs: Any, net: dict[str, Any], sim: Simulator
) -> None:
    register(ecs)
    create(ecs, net)
    created = service(ecs)
    assert created["runningCount"] == 0
    assert created["taskDefinition"].endswith(":task-definition/web:1")
    sim.step()
    assert [t["lastStatus"] for t in tasks(ecs)] == ["PROVISIONING"] * 3
    assert service(ecs)["pendingCount"] == 3
    sim.step()
    assert [t["lastStatus"] for t in tasks(ecs)] == ["PENDING"] * 3
    sim.step()
    running = tasks(ecs)
    assert [t["lastStatus"] for t in running] == ["RUNNING"] * 3
    svc = service(ecs)
    assert (svc["runningCount"], svc["pendingCount"]) == (3, 0)
    task = running[0]
    assert task["group"] == "service:web"
    assert task["startedBy"] == svc["deployments"][0]["id"]
    assert task["launchType"] == "FARGATE"
    assert task["availabilityZone"] in ("us-east-1a", "us-east-1b")
    assert {c["name"] for c in task["containers"]} == {"app", "log-router"}
    assert all(c["lastStatus"] == "RUNNING" for c in task["containers"])
    assert task["startedAt"] >= task["createdAt"]
    ip = task["containers"][0]["networkInterfaces"][0]["privateIpv4Address"]
    assert ip.startswith("10.9.")
    cluster = ecs.describe_clusters(clusters=["prod"])["clusters"][0]
    assert (cluster["runningTasksCount"], cluster["pendingTasksCount"], cluster["activeServicesCount"]) == (3, 0, 1)
    steps(sim, 3)
    assert "(service web) has reached a steady state." in messages(ecs)
    assert any(m.startswith("(service web) has started 3 tasks: (task ") for m in messages(ecs))


def test_list_tasks_by_service_name_returns_only_that_services_tasks(
    ecs: Any, net: dict[str, Any], sim: Simulator
) -> None:
    register(ecs)
    create(ecs, net, "web", 2)
    create(ecs, net, "web-canary", 1)
    steps(sim, 3)
    assert len(tasks(ecs, "web")) == 2
    assert [t["group"] for t in tasks(ecs, "web-canary")] == ["service:web-canary"]


def test_running_count_never_runs_ahead_of_the_tasks_after_update_service(
    ecs: Any, net: dict[str, Any], sim: Simulator
) -> None:
    register(ecs)
    create(ecs, net)
    steps(sim, 4)
    answer = ecs.update_service(cluster="prod", service="web", desiredCount=5)["service"]
    assert (answer["desiredCount"], answer["runningCount"]) == (5, 3)
    for _ in range(5):
        sim.step()
        svc = service(ecs)
        running = [t for t in tasks(ecs) if t["lastStatus"] == "RUNNING"]
        assert svc["runningCount"] == len(running)
        assert ecs.describe_clusters(clusters=["prod"])["clusters"][0]["runningTasksCount"] == len(running)
    assert service(ecs)["runningCount"] == 5


def test_a_crashed_task_is_replaced_and_the_events_say_so(
    ecs: Any, net: dict[str, Any], emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulator = Simulator(emulator, chaos=True, seed=3)
    try:
        register(ecs)
        create(ecs, net, desired=2)
        steps(simulator, 14)
        before = {t["taskArn"] for t in tasks(ecs)}
        monkeypatch.setattr(simulator_module, "CHAOS_CRASH_RATE", 1.0)
        simulator.step()
        monkeypatch.setattr(simulator_module, "CHAOS_CRASH_RATE", 0.0)
        steps(simulator, 6)
    finally:
        simulator.stop()
    stopped = tasks(ecs, desired_status="STOPPED")
    assert {t["taskArn"] for t in stopped} == before
    for task in stopped:
        assert task["lastStatus"] == "STOPPED"
        assert task["stopCode"] == "EssentialContainerExited"
        assert task["stoppedReason"] == "Essential container in task exited"
        app = next(c for c in task["containers"] if c["name"] == "app")
        assert app["exitCode"] in (1, 137)
        assert task["stoppedAt"] >= task["stoppingAt"]
    replacements = tasks(ecs)
    assert len(replacements) == 2 and not {t["taskArn"] for t in replacements} & before
    assert all(t["lastStatus"] == "RUNNING" for t in replacements)
    started = [m for m in messages(ecs) if m.startswith("(service web) has started 2 tasks")]
    assert len(started) == 2  # the first launch, and the replacements


def test_a_new_task_definition_rolls_out_and_completes(ecs: Any, net: dict[str, Any], sim: Simulator) -> None:
    register(ecs)
    create(ecs, net)
    steps(sim, 6)
    v2 = register(ecs, image="nginx:1.27")
    answer = ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")["service"]
    assert answer["taskDefinition"] == v2
    primary, old = answer["deployments"]
    assert (primary["status"], primary["rolloutState"], primary["taskDefinition"]) == ("PRIMARY", "IN_PROGRESS", v2)
    assert old["status"] == "ACTIVE"
    seen_both = False
    for _ in range(12):
        sim.step()
        defs = {t["taskDefinitionArn"] for t in tasks(ecs)}
        seen_both = seen_both or len(defs) == 2
    assert seen_both
    svc = service(ecs)
    assert [d["status"] for d in svc["deployments"]] == ["PRIMARY"]
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED"
    assert svc["deployments"][0]["rolloutStateReason"] == f"ECS deployment {primary['id']} completed."
    assert {t["taskDefinitionArn"] for t in tasks(ecs)} == {v2}
    assert svc["runningCount"] == 3
    events = messages(ecs)
    assert events[0] == "(service web) has reached a steady state."
    assert events[1] == f"(service web) (deployment {primary['id']}) deployment completed."
    old_stopped = tasks(ecs, desired_status="STOPPED")
    assert len(old_stopped) == 3
    assert {t["stoppedReason"] for t in old_stopped} == {f"Scaling activity initiated by (deployment {old['id']})"}


def test_force_new_deployment_replaces_every_task(ecs: Any, net: dict[str, Any], sim: Simulator) -> None:
    register(ecs)
    create(ecs, net, desired=2)
    steps(sim, 6)
    before = {t["taskArn"] for t in tasks(ecs)}
    answer = ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)["service"]
    assert len(answer["deployments"]) == 2
    steps(sim, 12)
    assert not {t["taskArn"] for t in tasks(ecs)} & before
    assert len(service(ecs)["deployments"]) == 1


def test_scaling_to_zero_stops_everything(ecs: Any, net: dict[str, Any], sim: Simulator) -> None:
    register(ecs)
    create(ecs, net)
    steps(sim, 5)
    ecs.update_service(cluster="prod", service="web", desiredCount=0)
    sim.step()
    stopping = tasks(ecs, desired_status="STOPPED")
    # ECS flips the desired status first; the agent then walks the task down.
    assert len(stopping) == 3 and {t["lastStatus"] for t in stopping} == {"RUNNING"}
    sim.step()
    assert {t["lastStatus"] for t in tasks(ecs, desired_status="STOPPED")} == {"DEACTIVATING"}
    steps(sim, 3)
    assert tasks(ecs) == []
    stopped = tasks(ecs, desired_status="STOPPED")
    assert {t["lastStatus"] for t in stopped} == {"STOPPED"}
    assert {t["stopCode"] for t in stopped} == {"ServiceSchedulerInitiated"}
    assert (service(ecs)["runningCount"], service(ecs)["pendingCount"]) == (0, 0)
    assert ecs.describe_clusters(clusters=["prod"])["clusters"][0]["runningTasksCount"] == 0
    assert any(m.startswith("(service web) has stopped 3 running tasks: (task ") for m in messages(ecs))


def _target_group(emulator: EmulatorServer, net: dict[str, Any]) -> tuple[Any, str]:
    elbv2 = boto_client(emulator, "elbv2")
    tg = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=8080, VpcId=net["vpc"], TargetType="ip")
    return elbv2, tg["TargetGroups"][0]["TargetGroupArn"]


def _health(elbv2: Any, tg: str) -> list[tuple[str, str | None]]:
    found = elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    return sorted((d["TargetHealth"]["State"], d["TargetHealth"].get("Reason")) for d in found)


def test_running_tasks_are_registered_in_their_target_group_and_pass_health_checks(
    ecs: Any, net: dict[str, Any], sim: Simulator, emulator: EmulatorServer
) -> None:
    elbv2, tg = _target_group(emulator, net)
    register(ecs)
    create(ecs, net, desired=2, loadBalancers=[{"targetGroupArn": tg, "containerName": "app", "containerPort": 8080}])
    steps(sim, 3)
    assert _health(elbv2, tg) == [("initial", "Elb.RegistrationInProgress")] * 2
    ips = {t["containers"][0]["networkInterfaces"][0]["privateIpv4Address"] for t in tasks(ecs)}
    targets = elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    assert {d["Target"]["Id"] for d in targets} == ips
    assert {d["Target"]["Port"] for d in targets} == {8080}
    assert f"(service web) registered 2 targets in (target-group {tg})" in messages(ecs)
    steps(sim, 2)
    assert _health(elbv2, tg) == [("healthy", None)] * 2
    ecs.update_service(cluster="prod", service="web", desiredCount=1)
    sim.step()
    assert _health(elbv2, tg) == [("draining", "Target.DeregistrationInProgress"), ("healthy", None)]
    assert f"(service web) deregistered 1 targets in (target-group {tg})" in messages(ecs)
    steps(sim, 4)
    assert _health(elbv2, tg) == [("healthy", None)]


def _tagged(behaviour: str) -> list[dict[str, str]]:
    return [{"key": BEHAVIOUR_TAG, "value": behaviour}]


def test_crash_loop_keeps_the_service_below_its_desired_count(ecs: Any, net: dict[str, Any], sim: Simulator) -> None:
    register(ecs)
    create(ecs, net, desired=2, tags=_tagged("crash-loop"))
    counts = []
    for _ in range(20):
        sim.step()
        counts.append(service(ecs)["runningCount"])
    assert max(counts[3:]) <= 2 and sum(counts[3:]) < 2 * len(counts[3:]) * 0.75
    stopped = tasks(ecs, desired_status="STOPPED")
    assert stopped
    for task in stopped:
        assert task["stopCode"] == "EssentialContainerExited"
        assert task["stoppedReason"] == "Essential container in task exited"
        assert next(c for c in task["containers"] if c["name"] == "app")["exitCode"] == 1
    svc = service(ecs)
    assert svc["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert svc["deployments"][0]["failedTasks"] >= 3
    assert any("is unable to consistently start tasks successfully" in m for m in messages(ecs))
    assert "(service web) has reached a steady state." not in messages(ecs)


def test_oom_tasks_are_killed_for_memory(ecs: Any, net: dict[str, Any], sim: Simulator) -> None:
    register(ecs)
    create(ecs, net, desired=2, tags=_tagged("oom"))
    steps(sim, 12)
    stopped = tasks(ecs, desired_status="STOPPED")
    assert stopped
    reason = "OutOfMemoryError: Container killed due to memory usage"
    for task in stopped:
        assert task["stoppedReason"] == reason
        app = next(c for c in task["containers"] if c["name"] == "app")
        assert (app["exitCode"], app["reason"]) == (137, reason)
    assert len(tasks(ecs)) == 2  # replaced


def test_unhealthy_target_fails_health_checks_and_is_replaced(
    ecs: Any, net: dict[str, Any], sim: Simulator, emulator: EmulatorServer
) -> None:
    elbv2, tg = _target_group(emulator, net)
    register(ecs)
    create(
        ecs,
        net,
        desired=3,
        tags=_tagged("unhealthy-target"),
        loadBalancers=[{"targetGroupArn": tg, "containerName": "app", "containerPort": 8080}],
    )
    saw_unhealthy = False
    for _ in range(12):
        sim.step()
        found = elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        for d in found:
            if d["TargetHealth"]["State"] == "unhealthy":
                saw_unhealthy = True
                assert d["TargetHealth"]["Reason"] == "Target.FailedHealthChecks"
                assert d["TargetHealth"]["Description"] == "Health checks failed with these codes: [502]"
    assert saw_unhealthy
    stopped = tasks(ecs, desired_status="STOPPED")
    assert [t["stoppedReason"] for t in stopped] == [f"Task failed ELB health checks in (target-group {tg})"]
    assert any(" is unhealthy in (target-group " in m for m in messages(ecs))
    assert len(tasks(ecs)) == 3


def test_bad_deploy_never_stabilises_and_old_tasks_keep_serving(ecs: Any, net: dict[str, Any], sim: Simulator) -> None:
    register(ecs)
    create(ecs, net, desired=3, tags=_tagged("bad-deploy"))
    steps(sim, 6)
    bad = register(ecs, image="123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v9-rc1")
    ecs.update_service(cluster="prod", service="web", taskDefinition="web")
    steps(sim, 15)
    svc = service(ecs)
    primary = svc["deployments"][0]
    assert (primary["taskDefinition"], primary["rolloutState"]) == (bad, "IN_PROGRESS")
    assert primary["failedTasks"] >= 3
    assert svc["deployments"][1]["runningCount"] == 3
    assert svc["runningCount"] == 3
    failed = [t for t in tasks(ecs, desired_status="STOPPED") if t["taskDefinitionArn"] == bad]
    assert failed
    for task in failed:
        assert task["stopCode"] == "TaskFailedToStart"
        assert task["stoppedReason"].startswith(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v9-rc1"
        )


def test_the_circuit_breaker_fails_a_bad_deployment_and_rolls_back(
    ecs: Any, net: dict[str, Any], sim: Simulator
) -> None:
    good = register(ecs)
    create(
        ecs,
        net,
        desired=2,
        tags=_tagged("bad-deploy"),
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    steps(sim, 6)
    register(ecs, image="web:broken")
    ecs.update_service(cluster="prod", service="web", taskDefinition="web")
    failed_id = service(ecs)["deployments"][0]["id"]
    steps(sim, 30)
    svc = service(ecs)
    assert svc["taskDefinition"] == good
    assert svc["deployments"][0]["taskDefinition"] == good
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED"
    assert svc["runningCount"] == 2
    assert f"(service web) (deployment {failed_id}) deployment failed: tasks failed to start." in messages(ecs)


def test_stopped_tasks_are_kept_only_a_bounded_number_per_service(
    ecs: Any, net: dict[str, Any], sim: Simulator
) -> None:
    register(ecs)
    create(ecs, net, desired=3, tags=_tagged("crash-loop"))
    steps(sim, 60)
    stopped = [t for t in tasks(ecs, desired_status="STOPPED") if t["lastStatus"] == "STOPPED"]
    assert 0 < len(stopped) <= simulator_module.MAX_STOPPED_PER_SERVICE
    assert len(service(ecs)["events"]) <= simulator_module.MAX_EVENTS
