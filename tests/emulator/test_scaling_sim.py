"""The simulated Application Auto Scaling: services follow their policies under load, schedules change min/max."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.cloudwatch.models import cloudwatch_backends

from ecstui.emulator import scaling_sim
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.conftest import boto_client
from tests.emulator.test_simulator import create, register, service

RESOURCE = "service/prod/web"
DIMENSION = "ecs:service:DesiredCount"
START = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


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
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]]
    sg = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    return {"vpc": vpc, "subnets": subnets, "sg": sg}


@pytest.fixture
def aas(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "application-autoscaling")


@pytest.fixture
def web(ecs: Any, aas: Any, net: dict[str, Any]) -> None:
    register(ecs)
    create(ecs, net, desired=2)
    aas.register_scalable_target(
        ServiceNamespace="ecs", ResourceId=RESOURCE, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=6
    )
    aas.put_scaling_policy(
        PolicyName="web-cpu",
        ServiceNamespace="ecs",
        ResourceId=RESOURCE,
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
            "ScaleOutCooldown": 60,
            "ScaleInCooldown": 600,
        },
    )


def run(sim: Simulator, start: datetime, minutes: int) -> datetime:
    now = start
    for _ in range(minutes * 2):
        now += timedelta(seconds=30)
        sim.step(now)
    return now


def demand(sim: Simulator, cpu: float) -> None:
    with sim.server.lock:
        scaling_sim.set_demand(sim.ecs.services["prod:web"], cpu=cpu)


def test_a_service_scales_out_under_load_and_back_in_when_it_passes(
    sim: Simulator, web: None, ecs: Any, aas: Any
) -> None:
    demand(sim, 100)  # 50 % each of two tasks: on target
    now = run(sim, START, 3)
    assert service(ecs)["desiredCount"] == 2 and service(ecs)["runningCount"] == 2
    demand(sim, 200)  # two tasks' worth of full CPU: 100 % each, twice the target
    now = run(sim, now, 4)
    web = service(ecs)
    assert web["desiredCount"] == 4 and web["runningCount"] == 4  # ceil(2 x 100 / 50); 50 % each then
    demand(sim, 40)  # 10 % each: one task would do
    now = run(sim, now, 2)
    assert service(ecs)["desiredCount"] == 4  # 600 s of scale-in cooldown since the scale-out are not over
    now = run(sim, now, 6)
    assert service(ecs)["desiredCount"] == 1
    activities = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RESOURCE)["ScalingActivities"]
    assert [a["Description"] for a in activities] == ["Setting desired count to 1.", "Setting desired count to 4."]
    assert all(a["StatusCode"] == "Successful" and "web-cpu" in a["Cause"] for a in activities)


def test_suspended_scaling_and_disabled_scale_in_leave_the_count(sim: Simulator, web: None, ecs: Any, aas: Any) -> None:
    aas.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=RESOURCE,
        ScalableDimension=DIMENSION,
        SuspendedState={"DynamicScalingOutSuspended": True},
    )
    demand(sim, 400)
    run(sim, START, 4)
    assert service(ecs)["desiredCount"] == 2


def test_a_scheduled_action_sets_min_and_the_count_follows(sim: Simulator, web: None, ecs: Any, aas: Any) -> None:
    demand(sim, 60)  # 30 % each: ceil(2 x 30 / 50) = 2 stays
    now = run(sim, START, 1)
    at = (now + timedelta(minutes=2)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    aas.put_scheduled_action(
        ServiceNamespace="ecs",
        ScheduledActionName="morning",
        ResourceId=RESOURCE,
        ScalableDimension=DIMENSION,
        Schedule=f"at({at})",
        ScalableTargetAction={"MinCapacity": 5},
    )
    now = run(sim, now, 1)
    assert service(ecs)["desiredCount"] == 2  # not yet
    run(sim, now, 2)
    [target] = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[RESOURCE])["ScalableTargets"]
    assert target["MinCapacity"] == 5 and service(ecs)["desiredCount"] == 5
    causes = [a["Cause"] for a in aas.describe_scaling_activities(ServiceNamespace="ecs")["ScalingActivities"]]
    assert causes[-1] == "scheduled action name morning was triggered" and causes[0] == "minimum capacity was set to 5"


def test_cron_in_a_time_zone() -> None:
    paris = datetime(2026, 12, 2, 2, 0, tzinfo=UTC).astimezone(scaling_sim.ZoneInfo("Europe/Paris"))
    assert scaling_sim.cron_matches(["0", "3", "*", "*", "?", "*"], paris)  # 02:00 UTC is 03:00 in Paris in winter
    assert not scaling_sim.cron_matches(["0", "2", "*", "*", "?", "*"], paris)
    assert scaling_sim.cron_matches(["0", "3", "?", "*", "WED", "*"], paris)  # 2026-12-02 is a Wednesday
    assert not scaling_sim.cron_matches(["0", "3", "?", "*", "MON,TUE", "*"], paris)
    assert scaling_sim.cron_matches(["*/15", "1-4", "2", "DEC", "?", "2026"], paris)


def test_deregistering_a_target_deletes_its_policies_and_scheduled_actions(web: None, aas: Any) -> None:
    aas.deregister_scalable_target(ServiceNamespace="ecs", ResourceId=RESOURCE, ScalableDimension=DIMENSION)
    assert aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []


def test_requests_per_target_scale_a_service_behind_a_target_group_and_reach_cloudwatch(
    sim: Simulator, web: None, ecs: Any, aas: Any, emulator: EmulatorServer
) -> None:
    label = "app/web-lb/0123456789abcdef/targetgroup/web-tg/fedcba9876543210"
    aas.delete_scaling_policy(
        PolicyName="web-cpu", ServiceNamespace="ecs", ResourceId=RESOURCE, ScalableDimension=DIMENSION
    )
    aas.put_scaling_policy(
        PolicyName="web-requests",
        ServiceNamespace="ecs",
        ResourceId=RESOURCE,
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 100.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget",
                "ResourceLabel": label,
            },
            "ScaleOutCooldown": 60,
        },
    )
    with sim.server.lock:
        scaling_sim.set_demand(sim.ecs.services["prod:web"], requests=500)  # 250 a task of two
    run(sim, START, 4)
    assert service(ecs)["desiredCount"] == 5  # ceil(2 x 250 / 100)

    with sim.server.lock:
        stored = [
            d
            for d in cloudwatch_backends["123456789012"]["us-east-1"].metric_data
            if d.namespace == "AWS/ApplicationELB" and d.name == "RequestCountPerTarget"
        ]
    assert stored and {dim.value for dim in stored[0].dimensions} == {
        "app/web-lb/0123456789abcdef",
        "targetgroup/web-tg/fedcba9876543210",
    }
    assert 250.0 in {float(d.value) for d in stored}
