"""ScheduleReader and ScheduleActions against the limits-keeping emulator: what is read, over every page, and what
reaches moto for each change; the simulator fires schedules and rules, and their tasks show as last runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ecstui.aws.actions import EcsActions
from ecstui.aws.audit import OK, AuditLog
from ecstui.aws.errors import AwsError, ReadOnlyError
from ecstui.aws.iam_roles import EVENTS_ROLE_NAME, EVENTS_ROLE_POLICY_ARN, RoleActions, RoleReader
from ecstui.aws.schedules import ScheduleActions, ScheduledTask, ScheduleReader, ScheduleSpec, started_by_of
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.schedule_sim import RUN_LENGTH
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.aws.seeding import register_container_instance, register_small_task_definition
from tests.conftest import REGION, boto_client
from tests.demo_account import FIXED_NOW

ROLE = "arn:aws:iam::123456789012:role/ecsEventsRole"


@pytest.fixture
async def session(target: AwsTarget) -> AsyncIterator[AwsSession]:
    async with AwsSession(target) as session:
        yield session


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


@pytest.fixture
def cluster(emulator: EmulatorServer) -> dict[str, Any]:
    """A cluster with one EC2 instance and a bridge-mode task definition (RunTask places it without a network)."""
    ecs, ec2 = boto_client(emulator, "ecs"), boto_client(emulator, "ec2")
    arn = ecs.create_cluster(clusterName="batch")["cluster"]["clusterArn"]
    ecs.create_cluster(clusterName="other")
    register_container_instance(ecs, ec2, "batch")
    task_definition = register_small_task_definition(ecs, "reports")
    return {"arn": arn, "task_definition": task_definition, "ecs": ecs}


def _scheduler_target(cluster: dict[str, Any], count: int = 1) -> dict[str, Any]:
    return {
        "Arn": cluster["arn"],
        "RoleArn": ROLE,
        "EcsParameters": {"TaskDefinitionArn": cluster["task_definition"], "TaskCount": count, "LaunchType": "EC2"},
    }


def _create_schedule(emulator: EmulatorServer, cluster: dict[str, Any], name: str, expression: str) -> None:
    boto_client(emulator, "scheduler").create_schedule(
        Name=name,
        ScheduleExpression=expression,
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=_scheduler_target(cluster),
    )


def _put_rule(emulator: EmulatorServer, cluster: dict[str, Any], name: str, expression: str) -> None:
    events = boto_client(emulator, "events")
    events.put_rule(Name=name, ScheduleExpression=expression, State="ENABLED")
    events.put_targets(
        Rule=name,
        Targets=[
            {"Id": "lambda", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:audit"},
            {
                "Id": "ecs",
                "Arn": cluster["arn"],
                "RoleArn": ROLE,
                "EcsParameters": {"TaskDefinitionArn": cluster["task_definition"], "TaskCount": 2, "LaunchType": "EC2"},
            },
        ],
    )


@pytest.fixture
def sim(emulator: EmulatorServer) -> Iterator[Simulator]:
    simulator = Simulator(emulator, region=REGION, chaos=False)
    yield simulator
    simulator.stop()


# -- reading ---------------------------------------------------------------------------------------


async def test_schedules_are_read_over_every_page_and_only_those_targeting_a_cluster(
    session: AwsSession, emulator: EmulatorServer, cluster: dict[str, Any]
) -> None:
    for i in range(120):
        _create_schedule(emulator, cluster, f"job-{i:03d}", "rate(1 hour)")
    boto_client(emulator, "scheduler").create_schedule(
        Name="not-ecs",
        ScheduleExpression="rate(1 hour)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:lambda:us-east-1:123456789012:function:f", "RoleArn": ROLE},
    )
    emulator.log.clear()
    found = await ScheduleReader(session).scheduled_tasks([cluster["arn"]])

    assert [s.name for s in found] == [f"job-{i:03d}" for i in range(120)]
    assert found[0].target.task_definition == "reports:1" and found[0].target.launch_type == "EC2"
    listed = emulator.log.calls("ListSchedules")
    assert len(listed) == 2 and all(call["MaxResults"] == "100" for call in listed)
    assert "NextToken" in listed[1]
    # GetSchedule (for EcsParameters) only for the schedules whose target is a cluster.
    assert len(emulator.log.calls("GetSchedule")) == 120
    assert not emulator.log.violations


async def test_a_second_read_gets_only_what_changed(
    session: AwsSession, emulator: EmulatorServer, cluster: dict[str, Any]
) -> None:
    for name in ("a", "b", "c"):
        _create_schedule(emulator, cluster, name, "rate(1 hour)")
    reader = ScheduleReader(session)
    await reader.scheduled_tasks([cluster["arn"]])
    emulator.log.clear()
    await reader.scheduled_tasks([cluster["arn"]])
    assert emulator.log.counts["ListSchedules"] == 1 and emulator.log.counts["GetSchedule"] == 0


async def test_rules_targeting_a_cluster_are_found_by_target_and_read_with_their_ecs_target(
    session: AwsSession, emulator: EmulatorServer, cluster: dict[str, Any]
) -> None:
    _put_rule(emulator, cluster, "ingest-every-15m", "rate(15 minutes)")
    emulator.log.clear()
    found = await ScheduleReader(session).scheduled_tasks([cluster["arn"]])

    assert len(found) == 1
    rule = found[0]
    assert (rule.kind, rule.name, rule.target_id, rule.time_zone) == ("rule", "ingest-every-15m", "ecs", "UTC")
    assert rule.target.task_count == 2 and rule.in_words() == "every 15 minutes"
    assert [c["TargetArn"] for c in emulator.log.calls("ListRuleNamesByTarget")] == [cluster["arn"]]
    assert emulator.log.calls("ListRuleNamesByTarget")[0]["Limit"] == 100
    assert not emulator.log.violations


async def test_the_limits_layer_refuses_a_page_size_aws_refuses(emulator: EmulatorServer) -> None:
    scheduler = boto_client(emulator, "scheduler")
    with pytest.raises(Exception, match="between 1 and 100"):
        scheduler.list_schedules(MaxResults=101)
    assert emulator.log.violations == ["ListSchedules with MaxResults=101 (1..100)"]


async def test_targeting_cluster_lists_only_that_clusters_schedules(
    session: AwsSession, emulator: EmulatorServer, cluster: dict[str, Any]
) -> None:
    _create_schedule(emulator, cluster, "nightly", "cron(0 2 * * ? *)")
    other = dict(cluster, arn=cluster["arn"].replace("/batch", "/other"))
    _create_schedule(emulator, other, "elsewhere", "cron(0 3 * * ? *)")
    _put_rule(emulator, cluster, "ingest", "rate(15 minutes)")
    found = await ScheduleReader(session).targeting_cluster(cluster["arn"])
    assert sorted((s.kind, s.name) for s in found) == [("rule", "ingest"), ("scheduler", "nightly")]


# -- changes ---------------------------------------------------------------------------------------


def _spec(cluster: dict[str, Any], **changes: Any) -> ScheduleSpec:
    base: dict[str, Any] = {
        "name": "nightly",
        "expression": "cron(0 2 * * ? *)",
        "time_zone": "Europe/Paris",
        "cluster_arn": cluster["arn"],
        "task_definition_arn": cluster["task_definition"],
        "role_arn": ROLE,
        "launch_type": "EC2",
        "task_count": 1,
    }
    base.update(changes)
    return ScheduleSpec(**base)


async def _only(reader: ScheduleReader, cluster: dict[str, Any]) -> ScheduledTask:
    found = await reader.scheduled_tasks([cluster["arn"]])
    assert len(found) == 1
    return found[0]


async def test_create_update_disable_enable_and_delete_a_schedule_reach_scheduler(
    session: AwsSession, emulator: EmulatorServer, cluster: dict[str, Any], audit: AuditLog
) -> None:
    reader = ScheduleReader(session)
    actions = ScheduleActions(session, audit, reader)
    scheduler = boto_client(emulator, "scheduler")

    await actions.create_schedule(_spec(cluster, subnets=("subnet-1",), security_groups=("sg-1",)))
    created = scheduler.get_schedule(Name="nightly")
    assert created["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert created["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert created["Target"]["EcsParameters"]["NetworkConfiguration"] == {
        "awsvpcConfiguration": {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"], "AssignPublicIp": "DISABLED"}
    }
    assert "ClientToken" in emulator.log.calls("CreateSchedule")[0]

    schedule = await _only(reader, cluster)
    await actions.update(schedule, _spec(cluster, expression="cron(30 3 ? * MON-FRI *)", task_count=3))
    updated = scheduler.get_schedule(Name="nightly")
    assert updated["ScheduleExpression"] == "cron(30 3 ? * MON-FRI *)"
    assert updated["Target"]["EcsParameters"]["TaskCount"] == 3
    # UpdateSchedule replaces the whole schedule: what the dialog does not edit was sent back as it was.
    assert updated["Target"]["RetryPolicy"] == created["Target"]["RetryPolicy"]

    schedule = await _only(reader, cluster)
    await actions.set_enabled(schedule, False)
    assert scheduler.get_schedule(Name="nightly")["State"] == "DISABLED"
    assert (await _only(reader, cluster)).next_run(FIXED_NOW) is None
    await actions.set_enabled(await _only(reader, cluster), True)
    assert scheduler.get_schedule(Name="nightly")["State"] == "ENABLED"
    assert scheduler.get_schedule(Name="nightly")["ScheduleExpression"] == "cron(30 3 ? * MON-FRI *)"

    await actions.delete(await _only(reader, cluster))
    assert scheduler.list_schedules()["Schedules"] == []
    assert [e.action for e in reversed(audit.entries())] == [
        "create_schedule",
        "update_schedule",
        "disable_schedule",
        "enable_schedule",
        "delete_schedule",
    ]
    assert all(e.result == OK for e in audit.entries())


async def test_a_rule_is_disabled_enabled_edited_and_its_ecs_target_removed(
    session: AwsSession, emulator: EmulatorServer, cluster: dict[str, Any]
) -> None:
    _put_rule(emulator, cluster, "ingest", "rate(15 minutes)")
    reader = ScheduleReader(session)
    actions = ScheduleActions(session, None, reader)
    events = boto_client(emulator, "events")

    await actions.set_enabled(await _only(reader, cluster), False)
    assert events.describe_rule(Name="ingest")["State"] == "DISABLED"
    assert len(emulator.log.calls("DisableRule")) == 1
    await actions.set_enabled(await _only(reader, cluster), True)
    assert events.describe_rule(Name="ingest")["State"] == "ENABLED"

    await actions.update(await _only(reader, cluster), _spec(cluster, expression="rate(30 minutes)", time_zone="UTC"))
    assert events.describe_rule(Name="ingest")["ScheduleExpression"] == "rate(30 minutes)"

    await actions.delete(await _only(reader, cluster))
    # The rule also feeds a Lambda: only its ECS target goes, the rule stays.
    assert [t["Id"] for t in events.list_targets_by_rule(Rule="ingest")["Targets"]] == ["lambda"]
    assert emulator.log.counts["DeleteRule"] == 0


async def test_run_now_starts_the_targets_tasks_as_the_schedule_would(
    session: AwsSession, emulator: EmulatorServer, cluster: dict[str, Any]
) -> None:
    _create_schedule(emulator, cluster, "nightly", "cron(0 2 * * ? *)")
    reader = ScheduleReader(session)
    actions = ScheduleActions(session, None, reader, EcsActions(session))
    started = await actions.run_now(await _only(reader, cluster))

    assert len(started) == 1
    call = emulator.log.calls("RunTask")[0]
    assert call["startedBy"] == "chronos-schedule/nightly" and call["launchType"] == "EC2"
    assert call["taskDefinition"] == cluster["task_definition"]


async def test_bad_input_sends_nothing(session: AwsSession, emulator: EmulatorServer, cluster: dict[str, Any]) -> None:
    actions = ScheduleActions(session)
    emulator.log.clear()
    with pytest.raises(AwsError, match="Hours field '25'"):
        await actions.create_schedule(_spec(cluster, expression="cron(0 25 * * ? *)"))
    with pytest.raises(AwsError, match="Time zone 'Nowhere/Land'"):
        await actions.create_schedule(_spec(cluster, time_zone="Nowhere/Land"))
    with pytest.raises(AwsError, match="Role"):
        await actions.create_schedule(_spec(cluster, role_arn=""))
    assert emulator.log.counts["CreateSchedule"] == 0


async def test_read_only_refuses_every_change_before_a_request_is_built(
    emulator: EmulatorServer, cluster: dict[str, Any]
) -> None:
    _create_schedule(emulator, cluster, "nightly", "cron(0 2 * * ? *)")
    target = AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url, read_only=True)
    async with AwsSession(target) as session:
        reader = ScheduleReader(session)
        schedule = await _only(reader, cluster)
        actions = ScheduleActions(session, None, reader, EcsActions(session))
        emulator.log.clear()
        for attempt in (
            actions.create_schedule(_spec(cluster, name="another")),
            actions.update(schedule, _spec(cluster)),
            actions.set_enabled(schedule, False),
            actions.delete(schedule),
            actions.run_now(schedule),
            RoleActions(session, None, RoleReader(session)).create_events_role(),
        ):
            with pytest.raises(ReadOnlyError):
                await attempt
    assert sum(emulator.log.counts.values()) == 0


async def test_create_events_role_trusts_eventbridge_and_scheduler_with_the_managed_policy(
    session: AwsSession, emulator: EmulatorServer
) -> None:
    roles = RoleReader(session)
    assert await roles.roles_trusting("scheduler.amazonaws.com") == []
    await RoleActions(session, None, roles).create_events_role()
    iam = boto_client(emulator, "iam")
    attached = iam.list_attached_role_policies(RoleName=EVENTS_ROLE_NAME)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [EVENTS_ROLE_POLICY_ARN]
    assert [r.name for r in await roles.roles_trusting("scheduler.amazonaws.com")] == [EVENTS_ROLE_NAME]
    assert [r.name for r in await roles.roles_trusting("events.amazonaws.com")] == [EVENTS_ROLE_NAME]
    assert await roles.task_roles() == []  # it does not trust ECS tasks
    assert len(emulator.log.calls("CreateRole")) == 1


# -- the simulator fires them ------------------------------------------------------------------------


async def test_a_schedule_fires_in_the_simulator_and_its_run_shows_as_last_run(
    session: AwsSession, emulator: EmulatorServer, cluster: dict[str, Any], sim: Simulator
) -> None:
    _create_schedule(emulator, cluster, "every-5", "rate(5 minutes)")
    _put_rule(emulator, cluster, "every-10", "rate(10 minutes)")
    start = FIXED_NOW
    sim.step(start)  # first seen: nothing fires yet
    reader = ScheduleReader(session)
    found = {s.name: s for s in await reader.scheduled_tasks([cluster["arn"]])}
    assert await reader.last_runs(found["every-5"]) == []

    sim.step(start + timedelta(minutes=6))
    reader.forget()
    runs = await reader.last_runs(found["every-5"])
    assert len(runs) == 1 and runs[0].started_by == started_by_of("scheduler", "every-5")
    assert runs[0].created_at == start + timedelta(minutes=6)
    assert await reader.last_runs(found["every-10"]) == []

    sim.step(start + timedelta(minutes=11))
    reader.forget()
    rule_runs = await reader.last_runs(found["every-10"])
    assert len(rule_runs) == 2 and {t.started_by for t in rule_runs} == {"events-rule/every-10"}
    calls = [c for c in emulator.log.calls("ListTasks") if c.get("startedBy") == "events-rule/every-10"]
    assert calls and all(c["cluster"] == cluster["arn"] for c in calls)

    # The job ends after RUN_LENGTH: its task is stopped, and still a last run.
    sim.step(start + timedelta(minutes=6) + RUN_LENGTH + timedelta(seconds=1))
    for _ in range(6):
        sim.step(start + timedelta(minutes=9, seconds=_))
    reader.forget()
    runs = await reader.last_runs(found["every-5"])
    assert runs and runs[-1].desired_status == "STOPPED"


async def test_a_disabled_schedule_does_not_fire_and_an_at_schedule_fires_once(
    emulator: EmulatorServer, cluster: dict[str, Any], sim: Simulator
) -> None:
    scheduler = boto_client(emulator, "scheduler")
    _create_schedule(emulator, cluster, "off", "rate(1 minute)")
    scheduler.update_schedule(
        Name="off",
        ScheduleExpression="rate(1 minute)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=_scheduler_target(cluster),
        State="DISABLED",
    )
    at = FIXED_NOW + timedelta(minutes=2)
    _create_schedule(emulator, cluster, "once", f"at({at:%Y-%m-%dT%H:%M:%S})")
    ecs = cluster["ecs"]
    for minutes in range(0, 12):
        sim.step(FIXED_NOW + timedelta(minutes=minutes))
    once = [
        arn
        for status in ("RUNNING", "STOPPED")
        for arn in ecs.list_tasks(cluster="batch", startedBy="chronos-schedule/once", desiredStatus=status)["taskArns"]
    ]
    assert len(once) == 1
    assert ecs.list_tasks(cluster="batch", startedBy="chronos-schedule/off")["taskArns"] == []


def test_started_by_is_what_ecs_keeps_of_it() -> None:
    assert started_by_of("scheduler", "nightly") == "chronos-schedule/nightly"
    assert started_by_of("rule", "drain") == "events-rule/drain"
    # ECS keeps 36 characters of startedBy: a long name is cut, on the reader's side as in the emulator.
    long = started_by_of("scheduler", "a-schedule-with-a-rather-long-name")
    assert long == "chronos-schedule/a-schedule-with-a-r" and len(long) == 36
