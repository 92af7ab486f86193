"""Fires the emulator's EventBridge Scheduler schedules and EventBridge rules: moto stores them and never runs them.

Each simulator step, every ENABLED schedule or rule whose target is an ECS cluster and whose next run (from its
expression, in its time zone) has come starts its tasks through moto's RunTask, as the real services do: with the
target's task definition, count, launch type, network and group, and the startedBy ECS records for them
(`chronos-schedule/<name>`, `events-rule/<name>`, cut to 36 characters). An at() schedule fires once (and is
deleted when its ActionAfterCompletion says DELETE). A schedule counts from when the simulator first saw it, so
a schedule created while the demo was stopped does not fire its missed runs at once. The started tasks run for
`RUN_LENGTH` and then exit 0, as a batch job would.

What a step needs between steps (when each was first seen and last fired) is kept on moto's own objects, so an
emulator snapshot (emulator.snapshot) carries it with the backends.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ecstui.aws.schedule_expression import ExpressionError, next_runs, parse
from ecstui.aws.schedules import started_by_of

log = logging.getLogger(__name__)

RUN_LENGTH = timedelta(minutes=3)
MAX_LATE = timedelta(minutes=10)
_FIRED = "_ecstui_fired"  # on a Schedule, or a rule's target dict's owner: {key: last fired (or first seen)}
_RUN_UNTIL = "_ecstui_run_until"  # on a task this module started: when it exits
_STARTED_BY_PREFIXES = (started_by_of("scheduler", ""), started_by_of("rule", ""))


def _network(ecs_parameters: Mapping[str, Any]) -> dict[str, Any] | None:
    network = ecs_parameters.get("NetworkConfiguration") or {}
    awsvpc = network.get("awsvpcConfiguration") or network.get("AwsvpcConfiguration")
    if not isinstance(awsvpc, Mapping):
        return None
    # RunTask spells the network camelCase; Scheduler and EventBridge targets PascalCase.
    converted: dict[str, Any] = {"subnets": list(awsvpc.get("Subnets") or awsvpc.get("subnets") or [])}
    groups = awsvpc.get("SecurityGroups") or awsvpc.get("securityGroups")
    if groups:
        converted["securityGroups"] = list(groups)
    public = awsvpc.get("AssignPublicIp") or awsvpc.get("assignPublicIp")
    if public:
        converted["assignPublicIp"] = public
    return {"awsvpcConfiguration": converted}


def _strategy(ecs_parameters: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    items = ecs_parameters.get("CapacityProviderStrategy") or []
    converted = [
        {"capacityProvider": i.get("CapacityProvider"), "weight": i.get("Weight", 1), "base": i.get("Base", 0)}
        for i in items
        if isinstance(i, Mapping)
    ]
    return converted or None


def _fired(owner: Any) -> dict[str, datetime]:
    fired: dict[str, datetime] | None = getattr(owner, _FIRED, None)
    if fired is None:
        fired = {}
        setattr(owner, _FIRED, fired)
    return fired


def _due(owner: Any, key: str, expression_text: str, zone: str, now: datetime) -> bool:
    """Whether a run came between the last firing (or the first sight) and now; records the firing.

    A rate counts from the last firing: the simulator's clock (which tests and the demo's warm start set) need not
    agree with the wall-clock CreationDate moto stamps."""
    fired = _fired(owner)
    last = fired.get(key)
    if last is None:
        fired[key] = now  # first seen: count from here
        return False
    try:
        runs = next_runs(parse(expression_text), zone, last, 1)
    except ExpressionError:
        return False
    if not runs or runs[0] > now:
        return False
    fired[key] = now
    # A run missed by more than MAX_LATE (the emulator was paused, or a test moved its clock by days) is not made
    # up, as Scheduler with no flexible window does not make up runs it could not deliver in time.
    return now - runs[0] <= MAX_LATE


class ScheduleSim:
    """One step's firing of schedules and rules (called by the simulator with moto's lock held)."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region

    def _backend(self, module: str, name: str) -> Any | None:
        import importlib

        backends = getattr(importlib.import_module(f"moto.{module}.models"), name)
        try:
            per_account = dict.get(backends, self.account_id)
            return None if per_account is None else dict.get(per_account, self.region)
        except Exception:  # a service nobody used has no backend yet
            return None

    def step(self, ecs_backend: Any, now: datetime) -> None:
        self._finish_runs(ecs_backend, now)
        self._fire_schedules(ecs_backend, now)
        self._fire_rules(ecs_backend, now)

    def _fire_schedules(self, ecs_backend: Any, now: datetime) -> None:
        backend = self._backend("scheduler", "scheduler_backends")
        if backend is None:
            return
        for group in list(backend.schedule_groups.values()):
            for schedule in list(group.schedules.values()):
                target = schedule.target or {}
                if schedule.state != "ENABLED" or ":cluster/" not in str(target.get("Arn", "")):
                    continue
                expression = str(schedule.schedule_expression)
                if not _due(schedule, "schedule", expression, schedule.schedule_expression_timezone, now):
                    continue
                self._run(ecs_backend, target, started_by_of("scheduler", schedule.name), now)
                if expression.startswith("at(") and schedule.action_after_completion == "DELETE":
                    group.delete_schedule(schedule.name)

    def _fire_rules(self, ecs_backend: Any, now: datetime) -> None:
        backend = self._backend("events", "events_backends")
        if backend is None:
            return
        for bus in list(backend.event_buses.values()):
            for rule in list(bus.rules.values()):
                expression = rule.scheduled_expression
                if rule.state != "ENABLED" or not expression:
                    continue
                for target in list(rule.targets):
                    if ":cluster/" not in str(target.get("Arn", "")) or not target.get("EcsParameters"):
                        continue
                    if _due(rule, str(target.get("Id")), str(expression), "UTC", now):
                        self._run(ecs_backend, target, started_by_of("rule", rule.name), now)

    def _run(self, ecs_backend: Any, target: Mapping[str, Any], started_by: str, now: datetime) -> None:
        ecs = target.get("EcsParameters") or {}
        try:
            tasks = ecs_backend.run_task(
                str(target["Arn"]),
                str(ecs.get("TaskDefinitionArn")),
                int(ecs.get("TaskCount") or 1),
                None,
                started_by,
                [{"key": t.get("Key"), "value": t.get("Value")} for t in ecs.get("Tags") or []] or None,
                ecs.get("LaunchType"),
                _network(ecs),
                ecs.get("Group"),
                ecs.get("PlatformVersion"),
                _strategy(ecs),
            )
        except Exception:
            # The real services retry and then drop the event (or send it to a dead-letter queue): nothing runs.
            log.warning("scheduled RunTask by %s failed", started_by, exc_info=True)
            return
        for task in tasks:
            task.created_at = task.started_at = now
            setattr(task, _RUN_UNTIL, now + RUN_LENGTH)

    def _finish_runs(self, ecs_backend: Any, now: datetime) -> None:
        for tasks in list(ecs_backend.tasks.values()):
            for task in list(tasks.values()):
                if not hasattr(task, _RUN_UNTIL) and str(task.started_by or "").startswith(_STARTED_BY_PREFIXES):
                    # Run by hand with a schedule's parameters ("run now"): the same job, the same length.
                    task.created_at = task.started_at = now
                    setattr(task, _RUN_UNTIL, now + RUN_LENGTH)
                until = getattr(task, _RUN_UNTIL, None)
                if until is None or now < until or task.desired_status != "RUNNING":
                    continue
                # The job is done: its container exits 0 and the task stops (the simulator walks it down).
                task.desired_status = "STOPPED"
                task.stopped_reason = "Essential container in task exited"
                task.stop_code = "EssentialContainerExited"
                setattr(task, _RUN_UNTIL, None)


__all__ = ["RUN_LENGTH", "ScheduleSim"]
