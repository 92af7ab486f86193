"""Scheduled tasks: EventBridge Scheduler schedules and EventBridge rules that start ECS tasks, read and changed.

Two AWS services start ECS tasks on a schedule. EventBridge Scheduler (`scheduler`) holds schedules with a time
zone and at() one-offs; its target names the cluster and carries EcsParameters. EventBridge rules (`events`)
hold a cron() or rate() in UTC and one or more targets, an ECS cluster among them. Both call RunTask as the
target's role, and ECS records who started the task: `chronos-schedule/<name>` for Scheduler (its internal
name) and `events-rule/<name>` for a rule, cut to the 36 characters startedBy holds. The last runs of a
schedule are the tasks of its cluster started that way (ListTasks filters on startedBy exactly).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final, Literal

from ecstui.aws.actions import EcsActions, ReadBack, _Call
from ecstui.aws.audit import AuditLog
from ecstui.aws.batching import run_all
from ecstui.aws.errors import AwsError
from ecstui.aws.models import Task, short_name
from ecstui.aws.parse import _objs, _str, task_from_api
from ecstui.aws.read_errors import reads_aws
from ecstui.aws.schedule_expression import (
    Expression,
    ExpressionError,
    Rate,
    describe,
    next_runs,
    parse,
    time_zone,
)
from ecstui.aws.session import AwsSession
from ecstui.aws.ttl_cache import TtlCache

ScheduleKind = Literal["scheduler", "rule"]

# ListSchedules: MaxResults 1..100. ListRuleNamesByTarget, ListTargetsByRule: Limit 1..100.
LIST_SCHEDULES_PAGE: Final = 100
LIST_RULES_PAGE: Final = 100
DESCRIBE_TASKS_BATCH: Final = 100
LIST_TASKS_PAGE: Final = 100
STARTED_BY_LENGTH: Final = 36  # ECS keeps at most 36 characters of startedBy
SCHEDULER_STARTED_BY: Final = "chronos-schedule/"
RULE_STARTED_BY: Final = "events-rule/"
# Scheduler's TaskCount and RunTask's count: 1..10 a firing.
MAX_TASK_COUNT: Final = 10
# A rule's definition (DescribeRule + ListTargetsByRule) has no modification date to compare: re-read this often.
RULE_TTL: Final = 30.0
# Last runs are tasks, which come and go: re-read at most this often per schedule.
LAST_RUNS_TTL: Final = 10.0
LAST_RUNS_KEPT: Final = 5
_NAME = re.compile(r"[0-9a-zA-Z\-_.]{1,64}")
_CLUSTER_ARN = re.compile(r"arn:[\w-]+:ecs:([\w-]+):(\d+):cluster/(.+)")


def started_by_of(kind: ScheduleKind, name: str) -> str:
    """The startedBy ECS records on a task this schedule or rule started."""
    prefix = SCHEDULER_STARTED_BY if kind == "scheduler" else RULE_STARTED_BY
    return (prefix + name)[:STARTED_BY_LENGTH]


def is_cluster_arn(arn: str | None, region: str | None = None) -> bool:
    match = _CLUSTER_ARN.fullmatch(arn or "")
    return match is not None and (region is None or match.group(1) == region)


@dataclass(frozen=True, slots=True)
class EcsTarget:
    """What a schedule starts: RunTask's parameters as the target holds them."""

    cluster_arn: str
    task_definition_arn: str
    role_arn: str | None
    task_count: int = 1
    launch_type: str | None = None
    capacity_providers: tuple[str, ...] = ()
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    assign_public_ip: bool = False
    group: str | None = None

    @property
    def cluster(self) -> str:
        return short_name(self.cluster_arn)

    @property
    def task_definition(self) -> str:
        return short_name(self.task_definition_arn)

    @property
    def compute(self) -> str:
        if self.launch_type:
            return self.launch_type
        return "+".join(self.capacity_providers) or "cluster default"


@dataclass(frozen=True, slots=True)
class ScheduledTask:
    """One Scheduler schedule or one rule's ECS target: when, what, and whether it is on."""

    kind: ScheduleKind
    name: str
    arn: str
    expression_text: str
    time_zone: str  # "UTC" for rules
    state: str  # ENABLED / DISABLED
    target: EcsTarget
    description: str | None = None
    group_name: str | None = None  # Scheduler's schedule group
    target_id: str | None = None  # the rule target's Id
    event_bus: str | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.group_name or self.event_bus or ''}|{self.name}|{self.target_id or ''}"

    @property
    def enabled(self) -> bool:
        return self.state == "ENABLED"

    @property
    def started_by(self) -> str:
        return started_by_of(self.kind, self.name)

    @property
    def expression(self) -> Expression | None:
        try:
            return parse(self.expression_text)
        except ExpressionError:
            return None

    def in_words(self) -> str:
        expression = self.expression
        if expression is None:
            return self.expression_text
        try:
            return describe(expression, self.time_zone)
        except ExpressionError:
            return self.expression_text

    def next_run(self, now: datetime) -> datetime | None:
        """When it next fires (None when disabled, or never again)."""
        expression = self.expression
        if expression is None or not self.enabled:
            return None
        if isinstance(expression, Rate) and self.created_at is None:
            return None  # a rule's rate counts from its creation, which EventBridge does not say
        try:
            runs = next_runs(expression, self.time_zone, now, 1, start=self.created_at)
        except ExpressionError:
            return None
        return runs[0] if runs else None


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """A schedule as the create/edit dialog fills it in."""

    name: str
    expression: str
    time_zone: str
    cluster_arn: str
    task_definition_arn: str
    role_arn: str
    launch_type: str | None = "FARGATE"
    task_count: int = 1
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    assign_public_ip: bool = False
    description: str | None = None
    enabled: bool = True


def _ints(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _target_from_ecs_parameters(arn: str, role_arn: str | None, ecs: Mapping[str, Any]) -> EcsTarget:
    """A target's EcsParameters: Scheduler and EventBridge spell them alike (PascalCase, with the network nested
    under awsvpcConfiguration)."""
    network = ecs.get("NetworkConfiguration") or {}
    awsvpc = network.get("AwsvpcConfiguration") or network.get("awsvpcConfiguration") or {}
    strategy = [
        _str(item.get("CapacityProvider") or item.get("capacityProvider"))
        for item in _objs(ecs.get("CapacityProviderStrategy"))
    ]
    public = awsvpc.get("AssignPublicIp") or awsvpc.get("assignPublicIp")
    return EcsTarget(
        cluster_arn=arn,
        task_definition_arn=_str(ecs.get("TaskDefinitionArn")) or "",
        role_arn=role_arn,
        task_count=_ints(ecs.get("TaskCount"), 1),
        launch_type=_str(ecs.get("LaunchType")),
        capacity_providers=tuple(p for p in strategy if p),
        subnets=tuple(str(s) for s in (awsvpc.get("Subnets") or awsvpc.get("subnets") or [])),
        security_groups=tuple(str(s) for s in (awsvpc.get("SecurityGroups") or awsvpc.get("securityGroups") or [])),
        assign_public_ip=public == "ENABLED",
        group=_str(ecs.get("Group")),
    )


def _date(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


def schedule_from_api(d: Mapping[str, Any]) -> ScheduledTask | None:
    """A GetSchedule answer, or None when its target is not an ECS cluster."""
    target = d.get("Target") or {}
    arn = _str(target.get("Arn"))
    if not is_cluster_arn(arn) or arn is None:
        return None
    return ScheduledTask(
        kind="scheduler",
        name=_str(d.get("Name")) or "",
        arn=_str(d.get("Arn")) or "",
        expression_text=_str(d.get("ScheduleExpression")) or "",
        time_zone=_str(d.get("ScheduleExpressionTimezone")) or "UTC",
        state=_str(d.get("State")) or "ENABLED",
        target=_target_from_ecs_parameters(arn, _str(target.get("RoleArn")), target.get("EcsParameters") or {}),
        description=_str(d.get("Description")),
        group_name=_str(d.get("GroupName")) or "default",
        created_at=_date(d.get("CreationDate")),
        raw=d,
    )


def rule_targets_from_api(rule: Mapping[str, Any], targets: Sequence[Mapping[str, Any]]) -> list[ScheduledTask]:
    """A rule (DescribeRule) and its targets (ListTargetsByRule): one ScheduledTask per ECS cluster target."""
    found = []
    for target in targets:
        arn = _str(target.get("Arn"))
        if arn is None or not is_cluster_arn(arn):
            continue
        found.append(
            ScheduledTask(
                kind="rule",
                name=_str(rule.get("Name")) or "",
                arn=_str(rule.get("Arn")) or "",
                expression_text=_str(rule.get("ScheduleExpression")) or "",
                time_zone="UTC",  # rules know no time zone
                state=_str(rule.get("State")) or "ENABLED",
                target=_target_from_ecs_parameters(arn, _str(target.get("RoleArn")), target.get("EcsParameters") or {}),
                description=_str(rule.get("Description")),
                target_id=_str(target.get("Id")),
                event_bus=_str(rule.get("EventBusName")) or "default",
                raw={"rule": rule, "target": target},
            )
        )
    return found


class ScheduleReader:
    """Reads the scheduled tasks of the region, cached so that a poll reads what changed.

    Cost of `scheduled_tasks(cluster_arns)`: ceil(schedules/100) ListSchedules, one GetSchedule per ECS schedule
    whose LastModificationDate changed since it was last read; per cluster ceil(rules/100)
    ListRuleNamesByTarget, and per rule found one DescribeRule and one ListTargetsByRule every `RULE_TTL` s.
    `last_runs(schedule)`: two ListTasks (running, stopped) and one DescribeTasks, every `LAST_RUNS_TTL` s.
    """

    def __init__(
        self, session: AwsSession, *, page_size: int = LIST_SCHEDULES_PAGE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not 1 <= page_size <= LIST_SCHEDULES_PAGE:
            raise ValueError(f"page_size must be within 1..{LIST_SCHEDULES_PAGE}")
        self.session = session
        self.page_size = page_size
        self._schedules: dict[tuple[str, str], tuple[Any, ScheduledTask | None]] = {}
        self._rules = TtlCache(RULE_TTL, clock)
        self._runs = TtlCache(LAST_RUNS_TTL, clock)

    def forget(self) -> None:
        """Drop every cached answer (after ecstui changed a schedule)."""
        self._schedules.clear()
        self._rules.clear()
        self._runs.clear()

    async def _token_pages(
        self, operation: Any, result_key: str, token_key: str, size_key: str, size: int, **request: Any
    ) -> list[Any]:
        items: list[Any] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = dict(request)
            page[size_key] = size
            if token:
                page[token_key] = token
            response = await operation(**page)
            items.extend(response.get(result_key) or [])
            token = _str(response.get(token_key))
            if not token or token in seen:  # a token handed back twice would loop forever
                return items
            seen.add(token)

    async def _scheduler_tasks(self) -> list[ScheduledTask]:
        scheduler = await self.session.scheduler()
        summaries = await self._token_pages(
            scheduler.list_schedules, "Schedules", "NextToken", "MaxResults", self.page_size
        )
        region = self.session.region
        wanted = [s for s in _objs(summaries) if is_cluster_arn(_str((s.get("Target") or {}).get("Arn")), region)]
        keys = {(str(s.get("GroupName") or "default"), str(s.get("Name"))) for s in wanted}
        for key in list(self._schedules):
            if key not in keys:
                del self._schedules[key]

        async def get(summary: Mapping[str, Any]) -> ScheduledTask | None:
            key = (str(summary.get("GroupName") or "default"), str(summary.get("Name")))
            modified = summary.get("LastModificationDate")
            cached = self._schedules.get(key)
            if cached is not None and cached[0] == modified and modified is not None:
                return cached[1]
            try:
                answer = await scheduler.get_schedule(Name=key[1], GroupName=key[0])
            except Exception as exc:
                error = self.session.error_from(exc)
                if error.kind == "not_found":
                    return None  # deleted between the listing and the read
                raise error from exc
            found = schedule_from_api(answer)
            self._schedules[key] = (modified, found)
            return found

        found = await run_all(get(s) for s in wanted)
        return [s for s in found if s is not None]

    async def _rule_names(self, cluster_arn: str) -> list[str]:
        events = await self.session.events()
        names = await self._token_pages(
            events.list_rule_names_by_target, "RuleNames", "NextToken", "Limit", LIST_RULES_PAGE, TargetArn=cluster_arn
        )
        return [str(n) for n in names]

    async def _rule(self, name: str) -> list[ScheduledTask]:
        async def load() -> list[ScheduledTask]:
            events = await self.session.events()
            rule = await events.describe_rule(Name=name)
            targets = await self._token_pages(
                events.list_targets_by_rule, "Targets", "NextToken", "Limit", LIST_RULES_PAGE, Rule=name
            )
            return rule_targets_from_api(rule, _objs(targets))

        found: list[ScheduledTask] = await self._rules.get_or_load(("rule", name), load)
        return found

    async def _rule_tasks(self, cluster_arns: Sequence[str]) -> list[ScheduledTask]:
        per_cluster = await run_all(self._rule_names(arn) for arn in cluster_arns)
        names = list(dict.fromkeys(name for names in per_cluster for name in names))
        rules = await run_all(self._rule(name) for name in names)
        wanted = set(cluster_arns)
        # A rule without a schedule expression fires on events, not on a schedule: still listed (it starts tasks).
        return [task for found in rules for task in found if task.target.cluster_arn in wanted]

    @reads_aws
    async def scheduled_tasks(self, cluster_arns: Sequence[str]) -> list[ScheduledTask]:
        """Every Scheduler schedule whose target is a cluster of the region, and every rule targeting one of
        `cluster_arns` (EventBridge is asked per target ARN), by name."""
        schedules = await self._scheduler_tasks()
        rules = await self._rule_tasks(cluster_arns)
        return sorted(schedules + rules, key=lambda s: (s.name.lower(), s.kind, s.key))

    @reads_aws
    async def targeting_cluster(self, cluster_arn: str) -> list[ScheduledTask]:
        """The schedules and rules that start tasks in this cluster (a teardown lists them: they would fail)."""
        found = await self.scheduled_tasks([cluster_arn])
        return [s for s in found if s.target.cluster_arn == cluster_arn]

    @reads_aws
    async def last_runs(self, schedule: ScheduledTask, limit: int = LAST_RUNS_KEPT) -> list[Task]:
        """The newest tasks this schedule started (running or stopped), newest first."""

        async def load() -> list[Task]:
            ecs = await self.session.ecs()
            cluster = schedule.target.cluster_arn
            arns: list[str] = []
            for status in ("RUNNING", "STOPPED"):
                arns += await self._token_pages(
                    ecs.list_tasks,
                    "taskArns",
                    "nextToken",
                    "maxResults",
                    LIST_TASKS_PAGE,
                    cluster=cluster,
                    startedBy=schedule.started_by,
                    desiredStatus=status,
                )
            arns = list(dict.fromkeys(arns))[:DESCRIBE_TASKS_BATCH]
            if not arns:
                return []
            response = await ecs.describe_tasks(cluster=cluster, tasks=arns)
            tasks = [task_from_api(t) for t in _objs(response.get("tasks"))]
            tasks = [t for t in tasks if t.started_by == schedule.started_by]
            epoch = datetime.min.replace(tzinfo=None)
            tasks.sort(key=lambda t: (t.created_at or t.started_at or epoch).replace(tzinfo=None), reverse=True)
            return tasks

        found: list[Task] = await self._runs.get_or_load(("runs", schedule.key), load)
        return found[:limit]


# -- changes -----------------------------------------------------------------------------------------


def spec_problem(spec: ScheduleSpec, kind: ScheduleKind = "scheduler") -> str | None:
    """What EventBridge would refuse in a spec, in one sentence; None when it is fine."""
    if not _NAME.fullmatch(spec.name):
        return "Name: 1 to 64 letters, digits, '-', '_' or '.'."
    try:
        parse(spec.expression, allow_at=kind == "scheduler")
        if kind == "scheduler":
            time_zone(spec.time_zone)
    except ExpressionError as exc:
        return str(exc)
    if kind == "rule" and spec.time_zone not in ("", "UTC"):
        return "EventBridge rules run in UTC: a time zone needs a Scheduler schedule."
    if not is_cluster_arn(spec.cluster_arn):
        return "Cluster: choose one of the region's clusters."
    if not spec.task_definition_arn:
        return "Task definition: choose a family and revision."
    if not spec.role_arn.startswith("arn:"):
        return "Role: choose the role the schedule starts tasks as (ecsEventsRole, or create it)."
    if not 1 <= spec.task_count <= MAX_TASK_COUNT:
        return f"Count: 1 to {MAX_TASK_COUNT} tasks a run."
    if spec.launch_type == "FARGATE" and not spec.subnets:
        return "Subnets: a Fargate task needs at least one subnet (awsvpc)."
    return None


def _ecs_parameters(spec: ScheduleSpec) -> dict[str, Any]:
    parameters: dict[str, Any] = {"TaskDefinitionArn": spec.task_definition_arn, "TaskCount": spec.task_count}
    if spec.launch_type:
        parameters["LaunchType"] = spec.launch_type
    if spec.subnets:
        awsvpc: dict[str, Any] = {
            "Subnets": list(spec.subnets),
            "AssignPublicIp": "ENABLED" if spec.assign_public_ip else "DISABLED",
        }
        if spec.security_groups:
            awsvpc["SecurityGroups"] = list(spec.security_groups)
        parameters["NetworkConfiguration"] = {"awsvpcConfiguration": awsvpc}
    return parameters


def _scheduler_target(spec: ScheduleSpec, keep: Mapping[str, Any] | None = None) -> dict[str, Any]:
    target: dict[str, Any] = dict(keep or {})
    # What the dialog does not edit (RetryPolicy, DeadLetterConfig, Input, the rest of EcsParameters) is kept.
    ecs = dict(target.get("EcsParameters") or {})
    ecs.pop("NetworkConfiguration", None)
    ecs.pop("LaunchType", None)
    ecs.update(_ecs_parameters(spec))
    target.update({"Arn": spec.cluster_arn, "RoleArn": spec.role_arn, "EcsParameters": ecs})
    return target


def spec_of(schedule: ScheduledTask) -> ScheduleSpec:
    """A schedule as the edit dialog starts from."""
    target = schedule.target
    return ScheduleSpec(
        name=schedule.name,
        expression=schedule.expression_text,
        time_zone=schedule.time_zone,
        cluster_arn=target.cluster_arn,
        task_definition_arn=target.task_definition_arn,
        role_arn=target.role_arn or "",
        launch_type=target.launch_type,
        task_count=target.task_count,
        subnets=target.subnets,
        security_groups=target.security_groups,
        assign_public_ip=target.assign_public_ip,
        description=schedule.description,
        enabled=schedule.enabled,
    )


class ScheduleActions(EcsActions):
    """Scheduler and EventBridge changes under EcsActions' rules: refused in read-only before a request is built,
    one in flight per schedule, audited, creates sent once (a no-retry client, resent only when throttled)."""

    def __init__(
        self,
        session: AwsSession,
        audit: AuditLog | None = None,
        reader: ScheduleReader | None = None,
        ecs_actions: EcsActions | None = None,
    ) -> None:
        super().__init__(session, audit)
        self.reader = reader
        self.ecs_actions = ecs_actions

    def _forget(self) -> None:
        if self.reader is not None:
            self.reader.forget()

    @staticmethod
    def _checked(spec: ScheduleSpec, kind: ScheduleKind) -> None:
        problem = spec_problem(spec, kind)
        if problem is not None:
            raise AwsError(problem, kind="invalid")

    def _schedule_read_back(self, name: str, group: str) -> ReadBack:
        async def read_back() -> str:
            scheduler = await self.session.scheduler()
            try:
                answer = await self._send(scheduler.get_schedule(Name=name, GroupName=group))
            except AwsError as exc:
                if exc.kind == "not_found":
                    return f"Now: schedule {name} does not exist."
                raise
            return f"Now: schedule {name} exists, {answer.get('State')}, {answer.get('ScheduleExpression')}."

        return read_back

    async def create_schedule(self, spec: ScheduleSpec, group: str = "default") -> str:
        """CreateSchedule: a Scheduler schedule starting `spec`'s tasks. Returns its ARN."""
        self._refuse_if_read_only("create_schedule")
        self._checked(spec, "scheduler")
        request: dict[str, Any] = {
            "Name": spec.name,
            "GroupName": group,
            "ScheduleExpression": spec.expression.strip(),
            "ScheduleExpressionTimezone": spec.time_zone or "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "State": "ENABLED" if spec.enabled else "DISABLED",
            "Target": _scheduler_target(spec),
            # The same token on a resend makes Scheduler create the schedule once.
            "ClientToken": uuid.uuid4().hex,
        }
        if spec.description:
            request["Description"] = spec.description
        if spec.expression.strip().startswith("at("):
            request["ActionAfterCompletion"] = "NONE"
        audited = {k: v for k, v in request.items() if k != "ClientToken"}
        call = _Call("create_schedule", f"{group}/{spec.name}", audited)

        async def body(call: _Call) -> str:
            once = await self.session.no_retry("scheduler")
            try:
                answer = await self._send_retrying_throttles_only(
                    lambda: once.create_schedule(**request),
                    "CreateSchedule",
                    self._schedule_read_back(spec.name, group),
                )
            finally:
                self._forget()
            return str(answer.get("ScheduleArn") or "")

        return await self._mutate(call, body)

    async def _current_schedule(self, schedule: ScheduledTask) -> dict[str, Any]:
        scheduler = await self.session.scheduler()
        return dict(await self._send(scheduler.get_schedule(Name=schedule.name, GroupName=schedule.group_name)))

    async def _update_schedule(
        self, schedule: ScheduledTask, action: str, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> None:
        group = schedule.group_name or "default"
        call = _Call(action, f"{group}/{schedule.name}", {"name": schedule.name, "group": group})

        async def body(call: _Call) -> None:
            # UpdateSchedule replaces the whole schedule: it is read fresh, changed, and sent back whole, so that
            # nothing the dialog does not show (retry policy, input, flexible window) is lost.
            current = await self._current_schedule(schedule)
            call.before = {k: current.get(k) for k in ("ScheduleExpression", "ScheduleExpressionTimezone", "State")}
            updated = change(current)
            request = {
                key: updated[key]
                for key in (
                    "Name",
                    "GroupName",
                    "ScheduleExpression",
                    "ScheduleExpressionTimezone",
                    "FlexibleTimeWindow",
                    "Target",
                    "State",
                    "Description",
                    "StartDate",
                    "EndDate",
                    "KmsKeyArn",
                    "ActionAfterCompletion",
                )
                if updated.get(key) is not None
            }
            request["ClientToken"] = uuid.uuid4().hex
            call.parameters.update({k: v for k, v in request.items() if k != "ClientToken"})
            scheduler = await self.session.scheduler()
            try:
                await self._send_change(
                    "UpdateSchedule",
                    scheduler.update_schedule(**request),
                    self._schedule_read_back(schedule.name, group),
                )
            finally:
                self._forget()

        await self._mutate(call, body)

    async def update(self, schedule: ScheduledTask, spec: ScheduleSpec) -> None:
        """Change a schedule's expression, time zone and target (a rule: PutRule, then PutTargets)."""
        self._refuse_if_read_only("update_schedule")
        self._checked(replace(spec, name=schedule.name), schedule.kind)
        if schedule.kind == "rule":
            await self._update_rule(schedule, spec)
            return

        def change(current: dict[str, Any]) -> dict[str, Any]:
            current["ScheduleExpression"] = spec.expression.strip()
            current["ScheduleExpressionTimezone"] = spec.time_zone or "UTC"
            current["Target"] = _scheduler_target(spec, current.get("Target"))
            current["Description"] = spec.description or current.get("Description")
            return current

        await self._update_schedule(schedule, "update_schedule", change)

    async def _update_rule(self, schedule: ScheduledTask, spec: ScheduleSpec) -> None:
        call = _Call("update_rule", schedule.name, {"name": schedule.name, "expression": spec.expression.strip()})

        async def body(call: _Call) -> None:
            events = await self.session.events()
            rule = dict(await self._send(events.describe_rule(Name=schedule.name)))
            call.before = {"ScheduleExpression": rule.get("ScheduleExpression")}
            put_rule: dict[str, Any] = {
                "Name": schedule.name,
                "ScheduleExpression": spec.expression.strip(),
                "State": rule.get("State") or "ENABLED",
            }
            if rule.get("Description"):
                put_rule["Description"] = rule["Description"]
            if rule.get("RoleArn"):
                put_rule["RoleArn"] = rule["RoleArn"]
            target = dict(schedule.raw.get("target") or {})
            ecs = dict(target.get("EcsParameters") or {})
            ecs.pop("NetworkConfiguration", None)
            ecs.pop("LaunchType", None)
            ecs.update(_ecs_parameters(spec))
            target.update({"Id": schedule.target_id, "Arn": spec.cluster_arn, "RoleArn": spec.role_arn})
            target["EcsParameters"] = ecs
            try:
                # PutRule and PutTargets overwrite by name and Id: sending either twice leaves the same rule.
                await self._send_change("PutRule", events.put_rule(**put_rule))
                answer = await self._send_change("PutTargets", events.put_targets(Rule=schedule.name, Targets=[target]))
            finally:
                self._forget()
            if answer.get("FailedEntryCount"):
                entry = (answer.get("FailedEntries") or [{}])[0]
                raise AwsError(f"PutTargets failed: {entry.get('ErrorMessage')}", kind="invalid")

        await self._mutate(call, body)

    async def set_enabled(self, schedule: ScheduledTask, enabled: bool) -> None:
        """Enable or disable: a rule by EnableRule/DisableRule, a schedule by UpdateSchedule with its State."""
        action = "enable_schedule" if enabled else "disable_schedule"
        self._refuse_if_read_only(action)
        state = "ENABLED" if enabled else "DISABLED"
        if schedule.kind == "scheduler":

            def change(current: dict[str, Any]) -> dict[str, Any]:
                current["State"] = state
                return current

            await self._update_schedule(schedule, action, change)
            return
        call = _Call(action, schedule.name, {"name": schedule.name, "state": state}, exclusive_as="schedule_state")

        async def body(call: _Call) -> None:
            events = await self.session.events()
            request = events.enable_rule if enabled else events.disable_rule
            try:
                await self._send_change("EnableRule" if enabled else "DisableRule", request(Name=schedule.name))
            finally:
                self._forget()

        await self._mutate(call, body)

    async def delete(self, schedule: ScheduledTask) -> None:
        """DeleteSchedule; for a rule, RemoveTargets of its ECS target, then DeleteRule when nothing else is left."""
        self._refuse_if_read_only("delete_schedule")
        target = schedule.group_name if schedule.kind == "scheduler" else schedule.event_bus
        call = _Call("delete_schedule", f"{target}/{schedule.name}", {"kind": schedule.kind, "name": schedule.name})

        async def body(call: _Call) -> None:
            try:
                if schedule.kind == "scheduler":
                    scheduler = await self.session.scheduler()
                    call.before = {"ScheduleExpression": schedule.expression_text, "State": schedule.state}
                    await self._send_change(
                        "DeleteSchedule",
                        scheduler.delete_schedule(Name=schedule.name, GroupName=schedule.group_name or "default"),
                        self._schedule_read_back(schedule.name, schedule.group_name or "default"),
                    )
                    return
                events = await self.session.events()
                await self._send_change(
                    "RemoveTargets", events.remove_targets(Rule=schedule.name, Ids=[schedule.target_id or ""])
                )
                left = await self._send(events.list_targets_by_rule(Rule=schedule.name, Limit=LIST_RULES_PAGE))
                # A rule with other targets (a Lambda, a queue) is theirs too: only its ECS target goes.
                call.parameters["rule_deleted"] = not left.get("Targets")
                if not left.get("Targets"):
                    await self._send_change("DeleteRule", events.delete_rule(Name=schedule.name))
            finally:
                self._forget()

        await self._mutate(call, body)

    async def run_now(self, schedule: ScheduledTask) -> list[Task]:
        """RunTask with the target's parameters, as the schedule would start them (the same startedBy)."""
        self._refuse_if_read_only("run_task")
        if self.ecs_actions is None:
            raise AwsError("Running a schedule's task needs ECS actions.", kind="invalid")
        target = schedule.target
        try:
            return await self.ecs_actions.run_task(
                target.cluster_arn,
                target.task_definition_arn,
                target.task_count,
                launch_type=target.launch_type,
                subnets=target.subnets,
                security_groups=target.security_groups,
                assign_public_ip=target.assign_public_ip,
                started_by=schedule.started_by,
            )
        finally:
            self._forget()


__all__ = [
    "EcsTarget",
    "ScheduleActions",
    "ScheduleKind",
    "ScheduleReader",
    "ScheduleSpec",
    "ScheduledTask",
    "is_cluster_arn",
    "rule_targets_from_api",
    "schedule_from_api",
    "spec_of",
    "spec_problem",
    "started_by_of",
]
