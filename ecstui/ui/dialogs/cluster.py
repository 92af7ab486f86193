"""Dialogs of the clusters pane: create a cluster, create a service in it, delete it (with a guided teardown)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Select, Static

from ecstui.aws.actions import TeardownStep, standalone_tasks
from ecstui.aws.errors import AwsError
from ecstui.aws.models import (
    CapacityProviderStrategyItem,
    Cluster,
    Service,
    Task,
    TaskDefinition,
    task_definition_label,
)
from ecstui.aws.schedules import ScheduledTask
from ecstui.aws.validation import CONTAINER_PORT, parse_cluster_name, parse_desired_count, parse_service_name
from ecstui.ui.dialogs.base import ActionDialog, Invalidity, checked
from ecstui.ui.inert import inert, make_inert, visible

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
CLUSTER_DEFAULT = "default"
LAUNCH_TYPES = ("FARGATE", "EC2", "EXTERNAL")


def _labelled(label: str, widget: Any, *, id: str | None = None) -> Vertical:
    return Vertical(Static(label, classes="field-label"), widget, classes="field", id=id)


def _split_ids(text: str) -> list[str]:
    """'subnet-1, subnet-2 subnet-3' -> ['subnet-1', 'subnet-2', 'subnet-3'] (commas or spaces)."""
    return [part for part in text.replace(",", " ").split() if part]


class CreateClusterDialog(ActionDialog[Cluster]):
    """Name, Fargate capacity providers, Container Insights -> CreateCluster."""

    title_text = "Create cluster"
    confirm_label = "Create"

    DEFAULT_CSS = """
    CreateClusterDialog #providers { height: auto; }
    CreateClusterDialog #providers Checkbox { margin-right: 2; }
    """

    def __init__(self, existing: set[str] | None = None) -> None:
        super().__init__()
        self.existing = existing or set()

    def compose_body(self) -> ComposeResult:
        yield Static("Name (letters, numbers, hyphens, underscores):", classes="field-label")
        yield Input(id="cluster-name", placeholder="e.g. payments-prod")
        yield Static("Capacity providers:", classes="field-label")
        yield Horizontal(
            Checkbox("FARGATE", True, id="cp-FARGATE"),
            Checkbox("FARGATE_SPOT", False, id="cp-FARGATE_SPOT"),
            id="providers",
        )
        yield Static("Monitoring:", classes="field-label")
        yield Checkbox("Container Insights (CloudWatch metrics of the cluster, billed)", False, id="insights")

    def validate(self) -> tuple[str, list[str], str]:
        name = checked(parse_cluster_name(self.query_one("#cluster-name", Input).value))
        if name in self.existing:
            # CreateCluster on an existing name answers with that cluster, as if it had made it.
            raise Invalidity(f"A cluster named {name!r} already exists.")
        providers = [p for p in FARGATE_PROVIDERS if self.query_one(f"#cp-{p}", Checkbox).value]
        insights = "enabled" if self.query_one("#insights", Checkbox).value else "disabled"
        return name, providers, insights

    def perform(self, values: tuple[str, list[str], str]) -> Awaitable[Cluster]:
        name, providers, insights = values
        return self.ecs_app.actions.create_cluster(name, capacity_providers=providers, container_insights=insights)

    def describe_success(self, result: Cluster) -> str:
        return f"Created cluster {result.name}."


@dataclass(frozen=True, slots=True)
class NewService:
    """What the create-service form asks AWS for, once checked."""

    name: str
    task_definition_arn: str
    desired: int
    launch_type: str | None
    strategy: tuple[CapacityProviderStrategyItem, ...]
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    assign_public_ip: bool
    target_group_arn: str | None
    container_name: str | None
    container_port: int | None


class CreateServiceDialog(ActionDialog[Service]):
    """A service in one cluster, its network defaulting to that of a service already there."""

    confirm_label = "Create"

    DEFAULT_CSS = """
    CreateServiceDialog #dialog-body { max-height: 65vh; }
    CreateServiceDialog .pair { height: auto; }
    CreateServiceDialog .pair > .field { width: 1fr; height: auto; margin-right: 1; }
    CreateServiceDialog .field { height: auto; }
    CreateServiceDialog #public-ip { margin-top: 2; }
    CreateServiceDialog #service-note { color: $text-muted; padding-top: 1; }
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.title_text = f"Create a service in cluster {cluster.name}"
        super().__init__()
        self.existing_services: set[str] = set()
        self.template: Service | None = None
        # The container and port a target group would send to, from the chosen revision (the inputs' placeholders).
        self.suggested_target: tuple[str, str] = ("", "")
        # The revisions read so far, by ARN: their network mode decides whether subnets are needed.
        self.definitions: dict[str, TaskDefinition] = {}

    def _compute_options(self) -> list[tuple[Text, str]]:
        options: list[tuple[Text, str]] = []
        if self.cluster.default_strategy:
            strategy = ", ".join(i.capacity_provider for i in self.cluster.default_strategy)
            options.append((inert(f"cluster default ({strategy})"), CLUSTER_DEFAULT))
        options += [(inert(f"capacity provider {p}"), f"cp:{p}") for p in self.cluster.capacity_providers]
        options += [(inert(f"launch type {t}"), f"launch:{t}") for t in LAUNCH_TYPES]
        return options

    def compose_body(self) -> ComposeResult:
        yield Horizontal(
            _labelled("Service name:", Input(id="service-name", placeholder="e.g. web")),
            _labelled("Desired count:", Input("1", id="desired")),
            classes="pair",
        )
        yield Horizontal(
            _labelled("Task definition family:", Select[str]([], prompt="loading…", id="family")),
            _labelled("Revision:", Select[str]([], prompt="choose a family", id="revision")),
            classes="pair",
        )
        options = self._compute_options()
        yield Horizontal(
            _labelled("Compute:", Select[str](options, value=options[0][1], allow_blank=False, id="compute")),
            Checkbox("Assign public IP", False, id="public-ip"),
            classes="pair",
        )
        yield _labelled("Subnets (awsvpc; commas or spaces; empty for bridge/host networking):", Input(id="subnets"))
        yield _labelled("Security groups:", Input(id="security-groups"))
        yield _labelled(
            "Target group ARN (optional; ecstui does not list load balancers yet, paste the ARN):",
            Input(id="target-group", placeholder="arn:aws:elasticloadbalancing:…:targetgroup/…"),
        )
        yield Horizontal(
            _labelled("Container (for the target group):", Input(id="container-name")),
            _labelled("Container port:", Input(id="container-port")),
            classes="pair",
        )
        yield Static("", id="service-note")

    def on_mount(self) -> None:
        self._load()

    @work(exclusive=True, group="dialog-load", exit_on_error=False)
    async def _load(self) -> None:
        reader = self.ecs_app.reader
        try:
            families = await reader.task_definition_families()
            services = await reader.services(self.cluster.name)
        except AwsError as error:
            self.show_load_error(error)
            return
        self.existing_services = {s.name for s in services}
        self.template = next((s for s in services if s.network is not None and s.network.subnets), None)
        family_select = self.query_one("#family", Select)
        family_select.set_options([(inert(f.name), f.name) for f in families])
        note = "No task definitions are registered: register one first." if not families else ""
        if self.template is not None and self.template.network is not None:
            network = self.template.network
            self._fill_if_empty("#subnets", " ".join(network.subnets))
            self._fill_if_empty("#security-groups", " ".join(network.security_groups))
            self.query_one("#public-ip", Checkbox).value = network.assign_public_ip
            self._choose_compute(self.template)
            note = f"Network settings are those of service {self.template.name}."
        if families:
            family_select.value = families[0].name
        self.query_one("#service-note", Static).update(inert(note))

    def _fill_if_empty(self, selector: str, value: str) -> None:
        box = self.query_one(selector, Input)
        if not box.value:
            self.fill(box, value)

    def _choose_compute(self, service: Service) -> None:
        compute = self.query_one("#compute", Select)
        wanted = (
            f"cp:{service.capacity_provider_strategy[0].capacity_provider}"
            if service.capacity_provider_strategy
            else f"launch:{service.launch_type}"
        )
        if any(value == wanted for _, value in self._compute_options()):
            compute.value = wanted

    @on(Select.Changed, "#family")
    def _family_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._load_revisions(event.value)

    @work(exclusive=True, group="dialog-revisions", exit_on_error=False)
    async def _load_revisions(self, family: str) -> None:
        try:
            arns = await self.ecs_app.reader.task_definition_revision_arns(family)
        except AwsError as error:
            self.show_load_error(error)
            return
        revision = self.query_one("#revision", Select)
        revision.set_options([(inert(task_definition_label(arn)), arn) for arn in arns])
        if arns:
            revision.value = arns[0]  # newest first

    @on(Select.Changed, "#revision")
    def _revision_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._suggest_container(event.value)

    @work(exclusive=True, group="dialog-container", exit_on_error=False)
    async def _suggest_container(self, arn: str) -> None:
        # A target group sends traffic to one container's port: offer the first container that maps one.
        try:
            definition = await self.ecs_app.reader.task_definition(arn)
        except AwsError:
            return
        self.definitions[arn] = definition
        for container in definition.containers:
            for mapping in container.port_mappings:
                if mapping.container_port is not None:
                    self.suggested_target = (container.name, str(mapping.container_port))
                    self.query_one("#container-name", Input).placeholder = visible(container.name)
                    self.query_one("#container-port", Input).placeholder = visible(mapping.container_port)
                    return

    def validate(self) -> NewService:
        name = checked(parse_service_name(self.query_one("#service-name", Input).value))
        if name in self.existing_services:
            # ECS refuses a second service of the same name ("not idempotent"); say it before sending.
            raise Invalidity(f"Cluster {self.cluster.name} already has a service named {name!r}.")
        desired = checked(parse_desired_count(self.query_one("#desired", Input).value))
        revision = self.query_one("#revision", Select).value
        if not isinstance(revision, str):
            raise Invalidity("Choose a task definition family and revision.")
        compute = self.query_one("#compute", Select).value
        launch_type: str | None = None
        strategy: tuple[CapacityProviderStrategyItem, ...] = ()
        if isinstance(compute, str) and compute.startswith("launch:"):
            launch_type = compute.removeprefix("launch:")
        elif isinstance(compute, str) and compute.startswith("cp:"):
            strategy = (CapacityProviderStrategyItem(compute.removeprefix("cp:"), weight=1, base=0),)
        subnets = tuple(_split_ids(self.read("subnets", "Subnets")))
        groups = tuple(_split_ids(self.read("security-groups", "Security groups")))
        if groups and not subnets:
            raise Invalidity("Security groups apply only with subnets (awsvpc networking): add a subnet.")
        bad = [s for s in subnets if not s.startswith("subnet-")] + [g for g in groups if not g.startswith("sg-")]
        if bad:
            raise Invalidity(f"Subnets look like subnet-…, security groups like sg-… (not {', '.join(bad)}).")
        definition = self.definitions.get(revision)
        if definition is not None and definition.network_mode == "awsvpc" and not subnets:
            # ECS refuses it too ("subnets can not be empty."); a service left without subnets could never start.
            raise Invalidity(f"{definition.label} uses awsvpc networking: give at least one subnet.")
        target_group = self.query_one("#target-group", Input).value.strip() or None
        container_name: str | None = None
        container_port: int | None = None
        if target_group is not None:
            if not target_group.startswith("arn:") or ":targetgroup/" not in target_group:
                raise Invalidity("A target group ARN reads arn:aws:elasticloadbalancing:<region>:…:targetgroup/….")
            suggested_name, suggested_port = self.suggested_target
            container_name = self.query_one("#container-name", Input).value.strip() or suggested_name or None
            port_text = self.query_one("#container-port", Input).value.strip(" \t") or suggested_port
            if not container_name:
                raise Invalidity("A target group needs the container that receives its traffic.")
            container_port = checked(CONTAINER_PORT.parse(port_text))
        return NewService(
            name=name,
            task_definition_arn=revision,
            desired=desired,
            launch_type=launch_type,
            strategy=strategy,
            subnets=subnets,
            security_groups=groups,
            assign_public_ip=self.query_one("#public-ip", Checkbox).value,
            target_group_arn=target_group,
            container_name=container_name,
            container_port=container_port,
        )

    def perform(self, values: NewService) -> Awaitable[Service]:
        return self.ecs_app.actions.create_service(
            self.cluster.name,
            values.name,
            values.task_definition_arn,
            values.desired,
            launch_type=values.launch_type,
            capacity_provider_strategy=values.strategy,
            subnets=values.subnets,
            security_groups=values.security_groups,
            assign_public_ip=values.assign_public_ip,
            target_group_arn=values.target_group_arn,
            container_name=values.container_name,
            container_port=values.container_port,
        )

    def describe_success(self, result: Service) -> str:
        where = f"{self.cluster.name}: {result.desired} desired, {result.task_definition}"
        return f"Created service {result.name} in {where}."


STANDALONE_LISTED = 8


def _standalone_text(tasks: list[Task]) -> str:
    """The standalone tasks a teardown stops, by id, revision and who started them (the first few)."""
    plural = "s" if len(tasks) != 1 else ""
    listed = "; ".join(
        f"{task.id} ({task.task_definition}" + (f", started by {task.started_by})" if task.started_by else ")")
        for task in tasks[:STANDALONE_LISTED]
    )
    more = f"; and {len(tasks) - STANDALONE_LISTED} more" if len(tasks) > STANDALONE_LISTED else ""
    return f"{len(tasks)} running standalone task{plural}: {listed}{more}"


class DeleteClusterDialog(ActionDialog[list[TeardownStep]]):
    """Delete a cluster; one that has services is torn down in the order ECS needs, step by step.

    ECS refuses to delete a cluster with services, and a service with a desired count above 0: so every
    service is scaled to 0, then deleted, then the cluster. The first failure stops the teardown, with the
    steps done so far still listed; confirming again resumes from what is left.
    """

    confirm_variant = "error"
    destructive = True

    DEFAULT_CSS = """
    DeleteClusterDialog #teardown-progress { height: auto; padding-top: 1; }
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.title_text = f"Delete cluster {cluster.name}"
        self.confirm_label = "Tear down" if cluster.active_services else "Delete"
        super().__init__()
        self.done: list[TeardownStep] = []

    def compose_body(self) -> ComposeResult:
        yield Static(make_inert(self._plan(None)), id="teardown-plan")
        yield Static(inert(f"Type {self.cluster.name!r} to confirm:"), classes="field-label")
        yield Input(id="confirm-name", placeholder=visible(self.cluster.name))
        yield Static("", id="teardown-progress")

    def on_mount(self) -> None:
        self._load()

    @work(exclusive=True, group="dialog-load", exit_on_error=False)
    async def _load(self) -> None:
        reader = self.ecs_app.reader
        try:
            services = await reader.services(self.cluster.name)
            # Read before anything is sent, so the plan names every task the teardown will stop by itself.
            standalone = standalone_tasks(await reader.tasks(self.cluster.name), services)
        except AwsError as error:
            self.show_load_error(error)
            return
        try:
            schedules: Sequence[ScheduledTask] | str = await self.ecs_app.schedules.targeting_cluster(self.cluster.arn)
        except AwsError as error:
            # Schedules are named for the user's information only: a session without Scheduler or EventBridge
            # rights can still tear the cluster down.
            schedules = error.message
        plan = self._plan(services, standalone)
        self.query_one("#teardown-plan", Static).update(make_inert(_with_schedules(plan, schedules)))
        self.query_one("#dialog-confirm", Button).label = "Tear down" if services or standalone else "Delete"

    def _plan(self, services: list[Service] | None, standalone: list[Task] | None = None) -> Text:
        name = self.cluster.name
        text = Text()
        if services is None:
            text.append(f"Looking at the services and tasks of {name}…", style="dim")
            return text
        standalone = standalone or []
        if not services and not standalone:
            text.append(f"Cluster {name} has no services. Delete it? This cannot be undone.")
            return text
        if not services:
            text.append(f"Cluster {name} has no services, but tasks started by hand or on a schedule run in it.\n")
            text.append("Teardown, in this order, stopping at the first error:\n", style="bold")
            text.append(f"  1. stop {_standalone_text(standalone)}\n")
            text.append(f"  2. delete cluster {name}\n")
            text.append("This cannot be undone.", style="bold red")
            return text
        running = [s for s in services if s.desired > 0]
        text.append(f"Cluster {name} has {len(services)} service{'s' if len(services) != 1 else ''}; ")
        text.append("ECS refuses to delete a cluster that has services.\n")
        text.append("Guided teardown, in this order, stopping at the first error:\n", style="bold")
        if running:
            listed = ", ".join(f"{s.name} ({s.desired})" for s in running)
            text.append(f"  1. scale to 0: {listed}\n")
        step = 2 if running else 1
        text.append(f"  {step}. delete services: {', '.join(s.name for s in services)}\n")
        if standalone:
            text.append(f"  {step + 1}. stop {_standalone_text(standalone)}, then wait for every task to stop\n")
        else:
            text.append(f"  {step + 1}. wait for every task to stop (no standalone task is running)\n")
        if self.cluster.container_instances:
            text.append(
                f"  {step + 2}. deregister its {self.cluster.container_instances} container instance(s) "
                "(their EC2 instances keep running)\n"
            )
            step += 1
        text.append(f"  {step + 2}. delete cluster {name}\n")
        text.append("Their tasks are stopped. This cannot be undone.", style="bold red")
        return text

    def validate(self) -> str:
        typed = self.query_one("#confirm-name", Input).value.strip()
        if typed != self.cluster.name:
            raise Invalidity(f"Type {self.cluster.name!r} exactly to confirm (you typed {typed!r}).")
        return self.cluster.name

    async def _teardown(self, name: str) -> list[TeardownStep]:
        steps: list[TeardownStep] = []
        async for step in self.ecs_app.actions.teardown_cluster(name):
            if self.done and step.done == self.done[-1].done:
                # Not a new step: progress within one (waiting for tasks to stop).
                self._show_progress(step.total, waiting=step.description)
                continue
            steps.append(step)
            self.done.append(step)
            self._show_progress(step.total)
        return steps

    def _show_progress(self, total: int, waiting: str | None = None) -> None:
        text = Text()
        for step in self.done:
            text.append(f"✓ {step.description}\n", style="green")
        if self.done and self.done[-1].done < total:
            text.append(f"… step {self.done[-1].done + 1} of {total}", style="dim")
            if waiting:
                text.append(f": {waiting}", style="dim")
        self.query_one("#teardown-progress", Static).update(make_inert(text))

    def perform(self, values: str) -> Awaitable[list[TeardownStep]]:
        return self._teardown(values)

    def describe_success(self, result: list[TeardownStep]) -> str:
        total = result[-1].total if result else 0
        return f"Deleted cluster {self.cluster.name} ({total} step{'s' if total != 1 else ''})."


def _with_schedules(plan: Text, schedules: Sequence[ScheduledTask] | str) -> Text:
    """The plan, and the schedules and rules that start tasks in the cluster: the teardown leaves them, and each
    of their runs fails afterwards (the cluster is gone). A str: why they could not be read."""
    if not schedules:
        return plan
    text = plan.copy()
    if isinstance(schedules, str):
        text.append(f"\nThe schedules that start tasks in it could not be read: {schedules}", style="dim")
        return text
    text.append(f"\n{len(schedules)} schedule{'s' if len(schedules) != 1 else ''} start tasks in it ", style="bold")
    text.append("(not deleted; each run fails once the cluster is gone; delete them in :schedules):\n")
    for schedule in schedules:
        state = "" if schedule.enabled else ", disabled"
        text.append(f"  · {schedule.name} ({schedule.kind}, {schedule.in_words()}{state})\n")
    return text


__all__ = ["CreateClusterDialog", "CreateServiceDialog", "DeleteClusterDialog", "NewService"]
