"""Create or edit a scheduled task: the expression checked as it is typed and read back in words with its next run.

Everything the schedule names is picked from the account (cluster, task definition, subnets, security groups, the
role EventBridge starts the tasks as); the network defaults to a service's of the chosen cluster. Without a role
that EventBridge Scheduler may assume, the dialog offers to create ecsEventsRole, as the ECS console does.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from dataclasses import dataclass, replace

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select, Static

from ecstui.aws.errors import AwsError
from ecstui.aws.iam_roles import EVENTS_PRINCIPALS, EVENTS_ROLE_NAME
from ecstui.aws.models import short_name
from ecstui.aws.schedule_expression import ExpressionError, read_back
from ecstui.aws.schedules import MAX_TASK_COUNT, ScheduledTask, ScheduleSpec, spec_of, spec_problem
from ecstui.ui.dialogs.base import ActionDialog, Invalidity
from ecstui.ui.inert import inert
from ecstui.ui.widgets.picker import Choice, Picker

LAUNCH_TYPES = (("Fargate", "FARGATE"), ("EC2", "EC2"))
_SUBNET = re.compile(r"subnet-[0-9a-zA-Z]+")
_SECURITY_GROUP = re.compile(r"sg-[0-9a-zA-Z]+")
_ROLE = re.compile(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+")
_TASK_DEFINITION = re.compile(r"(arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task-definition/)?[\w-]{1,255}:\d+")


@dataclass(frozen=True)
class ScheduleChoice:
    """What `validate` hands `perform`: the spec, and whether ecsEventsRole is to be created first."""

    spec: ScheduleSpec
    create_role: bool


class ScheduleDialog(ActionDialog[str]):
    """New Scheduler schedule (or, with `existing`, an edit of a schedule or of a rule's ECS target)."""

    # The form is taller than any terminal's dialog: the dialog takes its full height and the fields scroll in
    # what is left, so the buttons stay on screen at 80x24 too.
    DEFAULT_CSS = """
    ScheduleDialog > #dialog { height: 90%; }
    ScheduleDialog #dialog-body { height: 1fr; max-height: 100%; }
    ScheduleDialog #schedule-readback { color: $success; height: auto; }
    ScheduleDialog #schedule-readback.problem { color: $error; }
    ScheduleDialog .row-note { color: $text-muted; height: auto; }
    """

    def __init__(self, *, existing: ScheduledTask | None = None, cluster: str | None = None) -> None:
        self.existing = existing
        self.kind = existing.kind if existing is not None else "scheduler"
        self.start = spec_of(existing) if existing is not None else None
        self.initial_cluster = cluster
        self.title_text = f"Edit {existing.kind} {existing.name}" if existing is not None else "New scheduled task"
        self.confirm_label = "Save" if existing is not None else "Create"
        super().__init__()
        self.offer_role = False

    # -- fields --------------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        start = self.start
        yield Static("Name", classes="field-label")
        yield self.prefilled(
            start.name if start else "", id="schedule-name", placeholder="nightly-reports", disabled=start is not None
        )
        yield Static(
            "Expression: cron(min hour day-of-month month day-of-week year), rate(5 minutes), at(2026-12-24T18:00:00)",
            classes="field-label",
        )
        yield self.prefilled(start.expression if start else "cron(0 2 * * ? *)", id="schedule-expression")
        yield Static("", id="schedule-readback")
        zone_label = "Time zone (IANA name): rules run in UTC" if self.kind == "rule" else "Time zone (IANA name)"
        yield Static(inert(zone_label), classes="field-label")
        yield self.prefilled(start.time_zone if start else "UTC", id="schedule-zone", disabled=self.kind == "rule")
        yield Static("Cluster", classes="field-label")
        yield Picker(what="cluster", id="schedule-cluster")
        yield Static("Task definition (family:revision)", classes="field-label")
        yield Picker(what="task definition", accept_typed=_TASK_DEFINITION, id="schedule-taskdef")
        yield Static("Launch type", classes="field-label")
        launch = start.launch_type if start and start.launch_type else "FARGATE"
        yield Select(LAUNCH_TYPES, value=launch, allow_blank=False, id="schedule-launch")
        yield Static(inert(f"Tasks a run (1-{MAX_TASK_COUNT})"), classes="field-label")
        yield self.prefilled(str(start.task_count) if start else "1", id="schedule-count")
        yield Static("Subnets (awsvpc; defaults from a service of the cluster)", classes="field-label")
        yield Picker(multiple=True, what="subnet", accept_typed=_SUBNET, id="schedule-subnets")
        yield Static("Security groups", classes="field-label")
        yield Picker(multiple=True, what="security group", accept_typed=_SECURITY_GROUP, id="schedule-groups")
        yield Checkbox("Assign a public IP", value=bool(start and start.assign_public_ip), id="schedule-public")
        yield Static("Role the schedule starts tasks as (trusting EventBridge or Scheduler)", classes="field-label")
        yield Picker(what="role", accept_typed=_ROLE, id="schedule-role")
        yield Checkbox(
            inert(f"Create {EVENTS_ROLE_NAME} (AmazonEC2ContainerServiceEventsRole) and use it"),
            value=False,
            id="schedule-create-role",
        )

    def on_mount(self) -> None:
        self.initial_focus().focus()
        self.query_one("#schedule-create-role", Checkbox).display = False
        self._say_expression()
        for picker_id in ("cluster", "taskdef", "subnets", "groups", "role"):
            self.query_one(f"#schedule-{picker_id}", Picker).show_loading()
        self._load()

    @work(exclusive=True, group="dialog-load", exit_on_error=False)
    async def _load(self) -> None:
        app = self.ecs_app
        start = self.start
        try:
            clusters = await app.reader.clusters()
            families = await app.reader.task_definition_families()
            roles = await app.roles.roles_trusting(*EVENTS_PRINCIPALS)
            vpcs = await app.network.vpcs()
            subnets = [s for vpc in vpcs for s in await app.network.subnets(vpc.id)]
            groups = [g for vpc in vpcs for g in await app.network.security_groups(vpc.id)]
        except AwsError as error:
            self.show_load_error(error)
            return
        cluster_arn = start.cluster_arn if start else None
        if cluster_arn is None and self.initial_cluster:
            cluster_arn = next((c.arn for c in clusters if c.name == self.initial_cluster), None)
        self.query_one("#schedule-cluster", Picker).set_choices(
            [Choice(c.arn, c.name, f"{c.active_services} services, {c.running_tasks} running") for c in clusters],
            [cluster_arn] if cluster_arn else None,
        )
        taskdef = start.task_definition_arn if start else None
        revisions = [
            Choice(f.latest_revision_arn, short_name(f.latest_revision_arn), f"{f.active_revisions} active")
            for f in families
            if f.latest_revision_arn
        ]
        if taskdef and all(choice.id != taskdef for choice in revisions):
            # The schedule runs an older revision than its family's newest: it stays offered, and chosen.
            revisions.insert(0, Choice(taskdef, short_name(taskdef), "the schedule's revision"))
        self.query_one("#schedule-taskdef", Picker).set_choices(revisions, [taskdef] if taskdef else None)
        self.query_one("#schedule-subnets", Picker).set_choices(
            [Choice(s.id, s.name or "", f"{s.availability_zone} {s.cidr} {s.kind}") for s in subnets],
            start.subnets if start else None,
        )
        self.query_one("#schedule-groups", Picker).set_choices(
            [Choice(g.id, g.name, g.inbound) for g in groups], start.security_groups if start else None
        )
        role_picker = self.query_one("#schedule-role", Picker)
        role_picker.set_choices([Choice(r.arn, r.name, r.path) for r in roles], [start.role_arn] if start else None)
        if not roles:
            # As the ECS console does for scheduled tasks: offer the role it would make, ticked.
            self.offer_role = True
            offer = self.query_one("#schedule-create-role", Checkbox)
            offer.display = True
            offer.value = True
            role_picker.show_error(f"No role trusts EventBridge or Scheduler: tick below to create {EVENTS_ROLE_NAME}.")
        elif not start:
            named = next((r.arn for r in roles if r.name == EVENTS_ROLE_NAME), roles[0].arn)
            role_picker.select([named])
        if start is None and cluster_arn:
            await self._network_defaults(cluster_arn)

    async def _network_defaults(self, cluster_arn: str) -> None:
        """Subnets, security groups and public IP from the first service of the cluster that has a network."""
        try:
            services = await self.ecs_app.reader.services(short_name(cluster_arn))
        except AwsError:
            return  # only defaults: the pickers stay as they are
        network = next((s.network for s in services if s.network and s.network.subnets), None)
        if network is None:
            return
        self.query_one("#schedule-subnets", Picker).select(network.subnets)
        self.query_one("#schedule-groups", Picker).select(network.security_groups)
        self.query_one("#schedule-public", Checkbox).value = network.assign_public_ip

    @on(Picker.Changed, "#schedule-cluster")
    def _cluster_changed(self, event: Picker.Changed) -> None:
        if self.start is None and event.selected:
            self._defaults_for(event.selected[0])

    @work(exclusive=True, group="dialog-defaults", exit_on_error=False)
    async def _defaults_for(self, cluster_arn: str) -> None:
        if not self.query_one("#schedule-subnets", Picker).selected:
            await self._network_defaults(cluster_arn)

    @on(Input.Changed, "#schedule-expression")
    @on(Input.Changed, "#schedule-zone")
    def _expression_changed(self, event: Input.Changed) -> None:
        self._say_expression()

    def _say_expression(self) -> None:
        """Say under the expression what it means and when it next runs, or what is wrong with it, as typed."""
        line = self.query_one("#schedule-readback", Static)
        try:
            said = read_back(
                self.query_one("#schedule-expression", Input).value,
                self.query_one("#schedule-zone", Input).value,
                self.ecs_app.clock(),
                allow_at=self.kind == "scheduler",
            )
        except ExpressionError as problem:
            line.update(inert(f"✗ {problem}"))
            line.add_class("problem")
            return
        line.update(inert(f"✓ {said}"))
        line.remove_class("problem")

    # -- confirm -------------------------------------------------------------------------------------
    def _picked(self, picker_id: str) -> tuple[str, ...]:
        return self.query_one(f"#{picker_id}", Picker).selected

    def validate(self) -> ScheduleChoice:
        name = self.read("schedule-name", "Name").strip()
        expression = self.read("schedule-expression", "Expression").strip()
        zone = self.read("schedule-zone", "Time zone").strip() or "UTC"
        try:
            read_back(expression, zone, self.ecs_app.clock(), allow_at=self.kind == "scheduler")
        except ExpressionError as problem:
            raise Invalidity(str(problem)) from problem
        count_text = self.read("schedule-count", "Tasks a run").strip()
        if not count_text.isdigit() or not 1 <= int(count_text) <= MAX_TASK_COUNT:
            raise Invalidity(f"Tasks a run: a whole number from 1 to {MAX_TASK_COUNT}, not {count_text!r}.")
        cluster = self._picked("schedule-cluster")
        if not cluster:
            raise Invalidity("Cluster: pick the cluster the tasks run in.")
        taskdef = self._picked("schedule-taskdef")
        if not taskdef:
            raise Invalidity("Task definition: pick a family's revision.")
        create_role = self.offer_role and self.query_one("#schedule-create-role", Checkbox).value
        role = self._picked("schedule-role")
        if not role and not create_role:
            raise Invalidity(f"Role: pick the role the schedule starts tasks as, or create {EVENTS_ROLE_NAME}.")
        launch = self.query_one("#schedule-launch", Select).value
        spec = ScheduleSpec(
            name=name,
            expression=expression,
            time_zone=zone,
            cluster_arn=cluster[0],
            task_definition_arn=taskdef[0],
            # A placeholder until perform() has created the role; spec_problem only checks it is an ARN.
            role_arn=role[0] if role else "arn:aws:iam::000000000000:role/" + EVENTS_ROLE_NAME,
            launch_type=str(launch) if isinstance(launch, str) else None,
            task_count=int(count_text),
            subnets=self._picked("schedule-subnets"),
            security_groups=self._picked("schedule-groups"),
            assign_public_ip=self.query_one("#schedule-public", Checkbox).value,
            description=self.start.description if self.start else None,
            enabled=self.start.enabled if self.start else True,
        )
        refused = spec_problem(spec, self.kind)
        if refused is not None:
            raise Invalidity(refused)
        return ScheduleChoice(spec, create_role and not role)

    def perform(self, values: ScheduleChoice) -> Awaitable[str]:
        return self._save(values)

    async def _save(self, values: ScheduleChoice) -> str:
        app = self.ecs_app
        spec = values.spec
        if values.create_role:
            role = await app.role_actions.create_events_role()
            spec = replace(spec, role_arn=role.arn)
            # Created: from now on it is the account's, picked like any other if Confirm is pressed again.
            self.offer_role = False
            self.query_one("#schedule-create-role", Checkbox).display = False
            picker = self.query_one("#schedule-role", Picker)
            picker.set_choices([Choice(role.arn, role.name, role.path)], [role.arn])
        if self.existing is not None:
            await app.schedule_actions.update(self.existing, spec)
            return self.existing.arn
        return await app.schedule_actions.create_schedule(spec)

    def describe_success(self, result: str) -> str:
        name = self.existing.name if self.existing is not None else self.query_one("#schedule-name", Input).value
        said = self.query_one("#schedule-readback", Static).render()
        return f"Saved {name}: {str(said).removeprefix('✓ ')}."


__all__ = ["ScheduleChoice", "ScheduleDialog"]
