"""ScalingActions: each change reaches Application Auto Scaling as asked; read-only and bad input send nothing."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from ecstui.aws.audit import OK, AuditLog
from ecstui.aws.errors import AwsError, ReadOnlyError
from ecstui.aws.service_scaling import (
    DIMENSION,
    NewScheduledAction,
    ScalingActions,
    ScalingPolicyRef,
    ServiceScalingPlan,
    TargetTrackingPlan,
)
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from tests.aws.test_actions import make_cluster
from tests.conftest import REGION, boto_client

RESOURCE = "service/prod/web"
CPU_PLAN = ServiceScalingPlan(2, 6, TargetTrackingPlan("cpu", 60.0, scale_in_cooldown=120))


@pytest.fixture
def aas(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "application-autoscaling")


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


@pytest.fixture
async def actions(target: AwsTarget, audit: AuditLog) -> AsyncIterator[ScalingActions]:
    async with AwsSession(target) as session:
        yield ScalingActions(session, audit)


@pytest.fixture
def web(ecs: Any) -> None:
    make_cluster(ecs, services={"web": 2})


def _target(aas: Any) -> dict[str, Any] | None:
    found = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[RESOURCE])["ScalableTargets"]
    return found[0] if found else None


def _policies(aas: Any) -> list[dict[str, Any]]:
    return list(aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=RESOURCE)["ScalingPolicies"])


async def test_a_plan_registers_the_target_then_puts_its_target_tracking_policy(
    actions: ScalingActions, aas: Any, web: None, emulator: EmulatorServer, audit: AuditLog
) -> None:
    emulator.log.clear()
    await actions.apply_plan("prod", "web", CPU_PLAN)

    target = _target(aas)
    assert target is not None and (target["MinCapacity"], target["MaxCapacity"]) == (2, 6)
    assert target["ScalableDimension"] == DIMENSION
    [policy] = _policies(aas)
    assert policy["PolicyName"] == "web-cpu-target-tracking" and policy["PolicyType"] == "TargetTrackingScaling"
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 60.0
    assert config["PredefinedMetricSpecification"] == {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}
    assert (config["ScaleInCooldown"], config["ScaleOutCooldown"], config["DisableScaleIn"]) == (120, 300, False)
    operations = [op for op, _ in emulator.log.bodies]
    assert operations.index("RegisterScalableTarget") < operations.index("PutScalingPolicy")
    [entry] = audit.entries()
    assert entry.action == "apply_scaling_plan" and entry.target == RESOURCE and entry.result == OK


async def test_a_requests_plan_sends_the_target_groups_resource_label(
    actions: ScalingActions, aas: Any, web: None
) -> None:
    label = "app/web-lb/0123456789abcdef/targetgroup/web-tg/0123456789abcdef"
    await actions.apply_plan("prod", "web", ServiceScalingPlan(1, 4, TargetTrackingPlan("requests", 500, label)))
    [policy] = _policies(aas)
    spec = policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
    assert spec == {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": label}


async def test_removing_scaling_deregisters_the_target_and_says_false_when_there_was_none(
    actions: ScalingActions, aas: Any, web: None, emulator: EmulatorServer
) -> None:
    assert await actions.remove_service_scaling("prod", "web") is False
    assert emulator.log.counts["DeregisterScalableTarget"] == 0
    await actions.apply_plan("prod", "web", ServiceScalingPlan(1, 3, None))
    assert await actions.remove_service_scaling("prod", "web") is True
    assert _target(aas) is None


async def test_min_max_suspend_and_resume_reach_the_target(actions: ScalingActions, aas: Any, web: None) -> None:
    await actions.apply_plan("prod", "web", CPU_PLAN)
    await actions.set_capacity(RESOURCE, 3, 9)
    target = _target(aas)
    assert target is not None and (target["MinCapacity"], target["MaxCapacity"]) == (3, 9)
    await actions.set_suspended(RESOURCE, True)
    target = _target(aas)
    assert target is not None and target["SuspendedState"] == {
        "DynamicScalingInSuspended": True,
        "DynamicScalingOutSuspended": True,
        "ScheduledScalingSuspended": True,
    }
    await actions.set_suspended(RESOURCE, False)
    target = _target(aas)
    assert target is not None and not any(target["SuspendedState"].values())
    # Suspending kept min and max.
    assert (target["MinCapacity"], target["MaxCapacity"]) == (3, 9)


async def test_a_new_target_value_is_sent_with_the_rest_of_the_policy_as_aws_holds_it(
    actions: ScalingActions, aas: Any, web: None
) -> None:
    memory = TargetTrackingPlan("memory", 50, None, 60, 90, True)
    await actions.apply_plan("prod", "web", ServiceScalingPlan(1, 4, memory))
    [policy] = _policies(aas)
    ref = ScalingPolicyRef(
        policy["PolicyName"], RESOURCE, policy["PolicyType"], policy["TargetTrackingScalingPolicyConfiguration"]
    )
    await actions.set_target_value(ref, 75)
    [policy] = _policies(aas)
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 75.0
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageMemoryUtilization"
    assert (config["ScaleInCooldown"], config["ScaleOutCooldown"], config["DisableScaleIn"]) == (60, 90, True)


async def test_policies_and_scheduled_actions_are_added_and_deleted(
    actions: ScalingActions, aas: Any, web: None
) -> None:
    await actions.apply_plan("prod", "web", ServiceScalingPlan(1, 4, None))
    await actions.put_target_tracking(RESOURCE, "web-memory", TargetTrackingPlan("memory", 80))
    assert [p["PolicyName"] for p in _policies(aas)] == ["web-memory"]
    await actions.put_scheduled_action(
        RESOURCE, NewScheduledAction("nightly", "cron(0 2 * * ? *)", "Europe/Paris", 0, 1)
    )
    [scheduled] = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=RESOURCE)["ScheduledActions"]
    assert scheduled["ScheduledActionName"] == "nightly" and scheduled["Schedule"] == "cron(0 2 * * ? *)"
    assert scheduled["Timezone"] == "Europe/Paris"
    assert scheduled["ScalableTargetAction"] == {"MinCapacity": 0, "MaxCapacity": 1}
    await actions.delete_scheduled_action(RESOURCE, "nightly")
    assert aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=RESOURCE)["ScheduledActions"] == []
    await actions.delete_policy(RESOURCE, "web-memory")
    assert _policies(aas) == []


POLICY = ScalingPolicyRef(
    "p",
    RESOURCE,
    "TargetTrackingScaling",
    {"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}},
)
EVERY_ACTION: dict[str, Callable[[ScalingActions], Awaitable[Any]]] = {
    "apply_plan": lambda a: a.apply_plan("prod", "web", CPU_PLAN),
    "remove_service_scaling": lambda a: a.remove_service_scaling("prod", "web"),
    "set_capacity": lambda a: a.set_capacity(RESOURCE, 1, 2),
    "set_suspended": lambda a: a.set_suspended(RESOURCE, True),
    "put_target_tracking": lambda a: a.put_target_tracking(RESOURCE, "p", TargetTrackingPlan("cpu", 50)),
    "set_target_value": lambda a: a.set_target_value(POLICY, 60),
    "delete_policy": lambda a: a.delete_policy(RESOURCE, "p"),
    "put_scheduled_action": lambda a: a.put_scheduled_action(
        RESOURCE, NewScheduledAction("n", "rate(1 day)", None, 1, 2)
    ),
    "delete_scheduled_action": lambda a: a.delete_scheduled_action(RESOURCE, "n"),
}


def test_every_scaling_action_is_in_the_read_only_table() -> None:
    own = {
        name
        for name, member in vars(ScalingActions).items()
        if not name.startswith("_") and inspect.iscoroutinefunction(member)
    }
    assert own == set(EVERY_ACTION)


@pytest.mark.parametrize("action", sorted(EVERY_ACTION))
async def test_a_read_only_session_sends_no_scaling_request(
    action: str, emulator: EmulatorServer, web: None, audit: AuditLog
) -> None:
    emulator.log.clear()
    async with AwsSession(AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url, read_only=True)) as session:
        actions = ScalingActions(session, audit)
        with pytest.raises(ReadOnlyError):
            await EVERY_ACTION[action](actions)
        assert session.stats.total == 0
    assert sum(emulator.log.counts.values()) == 0 and audit.entries() == []


BAD_INPUT: dict[str, tuple[Callable[[ScalingActions], Awaitable[Any]], str]] = {
    "min above max": (lambda a: a.apply_plan("prod", "web", ServiceScalingPlan(5, 2, None)), "above the maximum"),
    "max above the quota": (lambda a: a.set_capacity(RESOURCE, 1, 5001), "quota"),
    "cpu above 100": (
        lambda a: a.apply_plan("prod", "web", ServiceScalingPlan(1, 2, TargetTrackingPlan("cpu", 150))),
        "1 to 100",
    ),
    "requests without a load balancer": (
        lambda a: a.put_target_tracking(RESOURCE, "p", TargetTrackingPlan("requests", 100)),
        "Load Balancer",
    ),
    "bad cron": (
        lambda a: a.put_scheduled_action(RESOURCE, NewScheduledAction("n", "cron(0 2 * * *)", None, 1, 2)),
        "6 fields",
    ),
    "unknown time zone": (
        lambda a: a.put_scheduled_action(RESOURCE, NewScheduledAction("n", "rate(1 day)", "Mars/Olympus", 1, 2)),
        "time zone",
    ),
    "target value out of range": (lambda a: a.set_target_value(POLICY, 0), "1 to 100"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
async def test_bad_scaling_input_is_one_sentence_and_sends_nothing(
    case: str, actions: ScalingActions, web: None, emulator: EmulatorServer
) -> None:
    emulator.log.clear()
    call, said = BAD_INPUT[case]
    with pytest.raises(AwsError) as caught:
        await call(actions)
    assert caught.value.kind == "invalid" and said in caught.value.message
    assert caught.value.message.count(". ") == 0
    assert sum(emulator.log.counts.values()) == 0
