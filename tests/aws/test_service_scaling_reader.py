"""ScalingReader: targets, policies, scheduled actions and activities, read over every page within AAS's limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ecstui.aws.service_scaling import DIMENSION
from ecstui.aws.service_scaling_reader import ScalingReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.aws.test_actions import make_cluster
from tests.conftest import boto_client

SERVICES = [f"svc-{i:03d}" for i in range(120)]


@pytest.fixture
def aas(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "application-autoscaling")


@pytest.fixture
async def reader(target: AwsTarget) -> AsyncIterator[ScalingReader]:
    async with AwsSession(target) as session:
        yield ScalingReader(session)


@pytest.fixture
def many_targets(ecs: Any, aas: Any) -> None:
    """120 scalable services in prod, each with a CPU policy; the first with a step policy and schedules too."""
    make_cluster(ecs, services={name: 1 for name in SERVICES})
    for i, name in enumerate(SERVICES):
        resource = f"service/prod/{name}"
        aas.register_scalable_target(
            ServiceNamespace="ecs", ResourceId=resource, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=i + 2
        )
        aas.put_scaling_policy(
            PolicyName=f"{name}-cpu",
            ServiceNamespace="ecs",
            ResourceId=resource,
            ScalableDimension=DIMENSION,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 60.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
            },
        )
    first = "service/prod/svc-000"
    aas.put_scaling_policy(
        PolicyName="steps",
        ServiceNamespace="ecs",
        ResourceId=first,
        ScalableDimension=DIMENSION,
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 2}],
            "Cooldown": 120,
        },
    )
    for n in range(60):
        aas.put_scheduled_action(
            ServiceNamespace="ecs",
            ScheduledActionName=f"at-{n:02d}",
            ResourceId=first,
            ScalableDimension=DIMENSION,
            Schedule="cron(0 2 * * ? *)",
            Timezone="Europe/Paris",
            ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 3},
        )


async def test_every_scalable_service_is_read_over_pages_of_50(
    reader: ScalingReader, many_targets: None, emulator: EmulatorServer
) -> None:
    emulator.log.clear()
    targets = await reader.targets()
    assert [t.service for t in targets] == SERVICES
    assert targets[5].cluster == "prod" and (targets[5].minimum, targets[5].maximum) == (1, 7)
    assert not targets[5].suspended.any
    calls = emulator.log.calls("DescribeScalableTargets")
    assert len(calls) == 3 and all(c["MaxResults"] == 50 for c in calls)
    assert "NextToken" not in calls[0] and all("NextToken" in c for c in calls[1:])
    assert not emulator.log.violations
    # Cached: the pane's next look within the TTL reads nothing.
    await reader.targets()
    assert len(emulator.log.calls("DescribeScalableTargets")) == 3


async def test_policies_are_read_over_pages_with_their_configuration(
    reader: ScalingReader, many_targets: None, emulator: EmulatorServer
) -> None:
    emulator.log.clear()
    policies = await reader.policies()
    assert len(policies) == 121 and len(emulator.log.calls("DescribeScalingPolicies")) == 3
    steps = next(p for p in policies if p.name == "steps")
    assert steps.policy_type == "StepScaling" and steps.adjustment_type == "ChangeInCapacity"
    assert steps.steps[0].lower == 0 and steps.steps[0].adjustment == 2 and steps.cooldown == 120
    cpu = next(p for p in policies if p.name == "svc-001-cpu")
    assert (cpu.metric, cpu.target, cpu.resource_id) == ("cpu", 60.0, "service/prod/svc-001")
    assert "target tracking CPU 60%" in cpu.describe()
    assert not emulator.log.violations


async def test_the_services_pane_reads_the_targets_of_the_services_on_screen_50_ids_a_call(
    reader: ScalingReader, many_targets: None, emulator: EmulatorServer
) -> None:
    emulator.log.clear()
    found = await reader.targets_of("prod", [*SERVICES, "not-scaled"])
    assert set(found) == set(SERVICES) and found["svc-010"].maximum == 12
    calls = emulator.log.calls("DescribeScalableTargets")
    assert sorted(len(c["ResourceIds"]) for c in calls) == [21, 50, 50]
    assert not emulator.log.violations


async def test_a_targets_detail_reads_its_scheduled_actions_over_pages(
    reader: ScalingReader, many_targets: None, emulator: EmulatorServer
) -> None:
    emulator.log.clear()
    detail = await reader.detail("service/prod/svc-000")
    assert [a.name for a in detail.scheduled_actions] == [f"at-{n:02d}" for n in range(60)]
    first = detail.scheduled_actions[0]
    assert (first.schedule, first.time_zone) == ("cron(0 2 * * ? *)", "Europe/Paris")
    assert (first.minimum, first.maximum) == (1, 3)
    assert detail.activities == ()
    assert len(emulator.log.calls("DescribeScheduledActions")) == 2
    assert len(emulator.log.calls("DescribeScalingActivities")) == 1
    assert not emulator.log.violations


def test_the_emulator_refuses_pages_and_id_lists_larger_than_aas_takes(
    aas: Any, many_targets: None, emulator: EmulatorServer
) -> None:
    with pytest.raises(aas.exceptions.ValidationException):
        aas.describe_scalable_targets(ServiceNamespace="ecs", MaxResults=51)
    with pytest.raises(aas.exceptions.ValidationException):
        aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[f"service/prod/{s}" for s in SERVICES[:51]])
    assert len(emulator.log.violations) == 2
