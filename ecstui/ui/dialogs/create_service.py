"""The create-service dialog: a service in one cluster, its compute, task definition revision and network."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from ecstui.aws.actions import UncertainOutcome
from ecstui.aws.errors import AwsError, said_in_a_dialog
from ecstui.aws.load_balancer_actions import LoadBalancingPlan, PreparationFailed, PreparedLoadBalancing
from ecstui.aws.models import (
    CapacityProviderStrategyItem,
    Cluster,
    Service,
    TaskDefinition,
    task_definition_label,
)
from ecstui.aws.service_scaling import ServiceScalingPlan
from ecstui.aws.validation import Invalid, parse_desired_count, parse_service_name
from ecstui.ui.dialogs.base import ActionDialog, Invalidity, checked
from ecstui.ui.dialogs.load_balancing_fields import LoadBalancingFields
from ecstui.ui.dialogs.scaling_fields import ScalingFields
from ecstui.ui.dialogs.service_network import ServiceNetworkFields
from ecstui.ui.inert import inert

CLUSTER_DEFAULT = "default"
LAUNCH_TYPES = ("FARGATE", "EC2", "EXTERNAL")


def _labelled(label: str, widget: Any, *, id: str | None = None) -> Vertical:
    return Vertical(Static(label, classes="field-label"), widget, classes="field", id=id)


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
    circuit_breaker: bool
    vpc_id: str | None
    load_balancing: LoadBalancingPlan | None = None
    scaling: ServiceScalingPlan | None = None


class CreateServiceDialog(ActionDialog[Service]):
    """A service in one cluster, its network defaulting to that of a service already there."""

    confirm_label = "Create"

    DEFAULT_CSS = """
    /* A long form: the dialog takes the screen's height and its body whatever the title and buttons leave, so
       the buttons stay on screen at 80x24 too and the body scrolls. */
    CreateServiceDialog > #dialog { height: 90%; }
    CreateServiceDialog #dialog-body { height: 1fr; max-height: 100%; }
    CreateServiceDialog .pair { height: auto; }
    CreateServiceDialog .pair > .field { width: 1fr; height: auto; margin-right: 1; }
    CreateServiceDialog .field { height: auto; }
    CreateServiceDialog #service-note { color: $text-muted; height: auto; }
    CreateServiceDialog #revision-note { padding-top: 1; }
    CreateServiceDialog #circuit-breaker { margin-top: 1; }
    CreateServiceDialog #create-progress { height: auto; }
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.title_text = f"Create a service in cluster {cluster.name}"
        super().__init__()
        self.existing_services: set[str] = set()
        self.template: Service | None = None
        # The revisions read so far, by ARN: their network mode decides whether subnets are needed.
        self.definitions: dict[str, TaskDefinition] = {}
        self.progress = CreationProgress()
        # The min and max ScalingFields(desired=1) starts with; see _desired_changed.
        self._scaling_defaults = ("1", "2")

    def _compute_options(self) -> list[tuple[Text, str]]:
        options: list[tuple[Text, str]] = []
        if self.cluster.default_strategy:
            strategy = ", ".join(i.capacity_provider for i in self.cluster.default_strategy)
            options.append((inert(f"cluster default ({strategy})"), CLUSTER_DEFAULT))
        options += [(inert(f"capacity provider {p}"), f"cp:{p}") for p in self.cluster.capacity_providers]
        options += [(inert(f"launch type {t}"), f"launch:{t}") for t in LAUNCH_TYPES]
        return options

    def compose_body(self) -> ComposeResult:
        options = self._compute_options()
        yield Horizontal(
            _labelled("Compute:", Select[str](options, value=options[0][1], allow_blank=False, id="compute")),
            _labelled("OS family and CPU (the revision's):", Static("choose a revision", id="revision-note")),
            classes="pair",
        )
        yield Horizontal(
            _labelled("Task definition family:", Select[str]([], prompt="loading…", id="family")),
            _labelled("Revision:", Select[str]([], prompt="choose a family", id="revision")),
            classes="pair",
        )
        yield Horizontal(
            _labelled("Service name:", Input(id="service-name", placeholder="e.g. web")),
            _labelled("Desired count:", Input("1", id="desired")),
            classes="pair",
        )
        yield Static("", id="service-note")
        yield ServiceNetworkFields(id="network")
        yield Checkbox(
            "Deployment circuit breaker with rollback (stops a deployment whose tasks keep failing)",
            True,
            id="circuit-breaker",
        )
        yield LoadBalancingFields(id="load-balancing")
        yield ScalingFields(id="scaling")
        yield Static("", id="create-progress")

    def initial_focus(self) -> Widget:
        return self.query_one("#service-name", Input)

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
        network_fields = self.query_one("#network", ServiceNetworkFields)
        if self.template is not None and self.template.network is not None:
            network_fields.load(self.template.network, self.template.name)
            self._choose_compute(self.template)
            note = f"Network settings are those of service {self.template.name}."
        else:
            network_fields.load()
        if families:
            family_select.value = families[0].name
        self.query_one("#service-note", Static).update(inert(note))

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
        self._describe_revision(definition)
        # A load balancer sends traffic to one container's port: those the revision maps are offered.
        ports = [
            (container.name, mapping.container_port)
            for container in definition.containers
            for mapping in container.port_mappings
            if mapping.container_port is not None
        ]
        self.query_one(LoadBalancingFields).set_containers(ports, definition.network_mode or "bridge")

    @on(ServiceNetworkFields.Changed)
    def _network_changed(self, event: ServiceNetworkFields.Changed) -> None:
        choice = event.choice
        self.query_one(LoadBalancingFields).set_network(choice.vpc_id, choice.subnets, choice.security_groups)

    @on(Input.Changed, "#service-name")
    def _name_changed(self, event: Input.Changed) -> None:
        self.query_one(LoadBalancingFields).set_service_name(event.value)

    @on(Input.Changed, "#desired")
    def _desired_changed(self, event: Input.Changed) -> None:
        # Auto scaling's min and max start from the desired count (min = desired, max = twice it), as ScalingFields
        # composes them; while they still hold what the previous count gave, they follow the new one.
        desired = parse_desired_count(event.value)
        if isinstance(desired, Invalid):
            return
        minimum, maximum = self.query_one("#scaling-min", Input), self.query_one("#scaling-max", Input)
        before = self._scaling_defaults
        if (minimum.value, maximum.value) == before:
            self._scaling_defaults = (str(max(desired, 1)), str(max(desired * 2, 2)))
            minimum.value, maximum.value = self._scaling_defaults

    @on(LoadBalancingFields.Changed)
    def _load_balancing_changed(self, event: LoadBalancingFields.Changed) -> None:
        # Requests per target is a metric of an ALB's target group: offered only behind one.
        self.query_one(ScalingFields).set_requests_available(event.uses_alb)

    def _describe_revision(self, definition: TaskDefinition) -> None:
        platform = definition.raw.get("runtimePlatform") or {}
        os_family = platform.get("operatingSystemFamily") or "LINUX"
        cpu = platform.get("cpuArchitecture") or "X86_64"
        mode = definition.network_mode or "bridge"
        self.query_one("#revision-note", Static).update(inert(f"{os_family} on {cpu}, {mode} networking"))
        # Only awsvpc tasks take subnets and security groups: the network fields are for them alone.
        self.query_one("#network", ServiceNetworkFields).display = mode == "awsvpc"

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
        definition = self.definitions.get(revision)
        awsvpc = definition is None or definition.network_mode == "awsvpc"
        network = self.query_one("#network", ServiceNetworkFields).read()
        # Bridge and host tasks take no awsvpcConfiguration: what the hidden pickers hold is not sent.
        subnets = network.subnets if awsvpc else ()
        groups = network.security_groups if awsvpc else ()
        if groups and not subnets:
            raise Invalidity("Security groups apply only with subnets (awsvpc networking): choose a subnet.")
        if definition is not None and definition.network_mode == "awsvpc" and not subnets:
            # ECS refuses it too ("subnets can not be empty."); a service left without subnets could never start.
            raise Invalidity(f"{definition.label} uses awsvpc networking: give at least one subnet.")
        load_balancing = self.query_one(LoadBalancingFields).read()
        if (
            load_balancing is not None
            and not network.vpc_id
            and (load_balancing.new_target_group is not None or load_balancing.new_load_balancer is not None)
        ):
            raise Invalidity("A new target group or load balancer is made in the service's VPC: choose the VPC.")
        return NewService(
            name=name,
            task_definition_arn=revision,
            desired=desired,
            launch_type=launch_type,
            strategy=strategy,
            subnets=subnets,
            security_groups=groups,
            assign_public_ip=network.assign_public_ip and bool(subnets),
            circuit_breaker=self.query_one("#circuit-breaker", Checkbox).value,
            vpc_id=network.vpc_id,
            load_balancing=load_balancing,
            scaling=self.query_one("#scaling", ScalingFields).read(),
        )

    def perform(self, values: NewService) -> Awaitable[Service]:
        return self._create(values)

    async def _create(self, values: NewService) -> Service:
        """Each step in order, said in the status line; a step done in an earlier attempt is not sent again."""
        progress = self.progress
        steps = (
            (["set up load balancing"] if values.load_balancing is not None else [])
            + ["create the service"]
            + (["set up auto scaling"] if values.scaling is not None else [])
        )
        if values.load_balancing is not None and progress.prepared is None and progress.service is None:
            self._step(steps, 0, "creating the target group and the load balancer's listener or rule…")
            lb_plan = values.load_balancing
            made_group = next((arn for arn in progress.load_balancing_created if ":targetgroup/" in arn), None)
            if made_group is not None and lb_plan.new_target_group is not None:
                # An earlier attempt created the target group, then failed: this one forwards to that group rather
                # than create it again (ELB would refuse the name, or hand back the same group).
                lb_plan = replace(lb_plan, new_target_group=None, target_group_arn=made_group)
            try:
                progress.prepared = await self.ecs_app.load_balancer_actions.prepare(
                    self.cluster.name, values.name, values.vpc_id or "", lb_plan
                )
            except AwsError as error:
                if isinstance(error, PreparationFailed):
                    progress.load_balancing_created += error.created
                raise self._failed("Setting up load balancing", error) from error
            progress.prepared = replace(
                progress.prepared,
                created=tuple(dict.fromkeys(progress.load_balancing_created + progress.prepared.created)),
            )
            progress.done.append(_prepared_text(progress.prepared))
            self._show_progress()
        if progress.service is None and progress.service_uncertain:
            # The last CreateService's answer was lost: if it was applied, a second one would be refused (or make a
            # twin under another token); read first.
            self._step(steps, steps.index("create the service"), f"reading back service {values.name}…")
            found = await self.ecs_app.reader.service(self.cluster.name, values.name)
            if found is not None and found.status == "ACTIVE":
                progress.service = found
                progress.done.append(f"Service {found.name} was created (read back).")
                self._show_progress()
            progress.service_uncertain = False
        if progress.service is None:
            self._step(steps, steps.index("create the service"), f"creating service {values.name}…")
            try:
                progress.service = await self.ecs_app.actions.create_service(
                    self.cluster.name,
                    values.name,
                    values.task_definition_arn,
                    values.desired,
                    launch_type=values.launch_type,
                    capacity_provider_strategy=values.strategy,
                    subnets=values.subnets,
                    security_groups=values.security_groups,
                    assign_public_ip=values.assign_public_ip,
                    load_balancers=progress.prepared.load_balancers if progress.prepared is not None else (),
                    circuit_breaker=values.circuit_breaker,
                )
            except AwsError as error:
                progress.service_uncertain = isinstance(error, UncertainOutcome)
                raise self._failed("Creating the service", error) from error
            progress.done.append(f"Created service {progress.service.name}.")
            self._show_progress()
        service = progress.service
        if values.scaling is not None and not progress.scaled:
            self._step(
                steps,
                steps.index("set up auto scaling"),
                f"auto scaling from {values.scaling.minimum} to {values.scaling.maximum} tasks…",
            )
            plan = values.scaling
            if plan.policy is not None and plan.policy.metric == "requests":
                # The resource label names the ALB and target group, known only once load balancing is prepared.
                label = progress.prepared.resource_label if progress.prepared is not None else None
                plan = replace(plan, policy=replace(plan.policy, resource_label=label))
            try:
                await self.ecs_app.scaling_actions.apply_plan(self.cluster.name, service.name, plan)
            except AwsError as error:
                raise self._failed("Setting up auto scaling", error) from error
            progress.scaled = True
            progress.done.append(f"Auto scaling from {values.scaling.minimum} to {values.scaling.maximum} tasks.")
            self._show_progress()
        return service

    def _step(self, steps: list[str], index: int, doing: str) -> None:
        self.set_status(f"Step {index + 1} of {len(steps)}: {doing}")

    def _show_progress(self) -> None:
        self.query_one("#create-progress", Static).update(
            inert("\n".join(f"✓ {line}" for line in self.progress.done), "green", multiline=True)
        )

    def _failed(self, step: str, error: AwsError) -> AwsError:
        """The error of a step, saying what the earlier steps created and that Confirm resumes at this one."""
        created = " ".join(self.progress.done)
        resume = "Confirm resumes from this step" + (" (nothing done is sent again)." if created else ".")
        if isinstance(error, UncertainOutcome):
            # Its read-back says whether the step happened after all; base.py reads it and says so.
            message = f"{created} {step}: {error.message}".strip()
            return UncertainOutcome(message, error.read_back, operation=error.operation or "", code=error.code)
        said = said_in_a_dialog(error, resume)
        if not said.endswith(resume):
            said = f"{said} {resume}"
        return AwsError(
            f"{created} {step} failed: {said}".strip(), kind="other", code=error.code, operation=error.operation
        )

    def describe_success(self, result: Service) -> str:
        where = f"{self.cluster.name}: {result.desired} desired, {result.task_definition}"
        scaled = " It auto scales." if self.progress.scaled else ""
        prepared = self.progress.prepared
        address = f" Its address that stays: {prepared.dns_name}." if prepared is not None and prepared.dns_name else ""
        return f"Created service {result.name} in {where}.{scaled}{address}"


def _prepared_text(prepared: PreparedLoadBalancing) -> str:
    created = ", ".join(_arn_name(arn) for arn in prepared.created)
    made = f"Created {created}." if created else "Load balancing uses an existing target group."
    return f"{made} DNS name {prepared.dns_name}." if prepared.dns_name else made


def _arn_name(arn: str) -> str:
    """'…:targetgroup/web-tg/0123' -> 'target group web-tg' (what a user reads of an ELB ARN)."""
    resource = arn.split(":", 5)[-1]
    kind, _, rest = resource.partition("/")
    if kind == "loadbalancer":
        rest = rest.partition("/")[2]
        kind = "load balancer"
    elif kind == "targetgroup":
        kind = "target group"
    elif kind == "listener-rule":
        kind = "listener rule"
    return f"{kind} {rest.split('/')[0]}" if rest else arn


@dataclass
class CreationProgress:
    """What this dialog has created so far: Confirm after a failed step resumes with the steps not done."""

    prepared: PreparedLoadBalancing | None = None
    load_balancing_created: tuple[str, ...] = ()  # by an attempt of prepare that failed after creating them
    service: Service | None = None
    service_uncertain: bool = False  # CreateService was sent and its answer lost
    scaled: bool = False
    done: list[str] = field(default_factory=list)


__all__ = ["CreateServiceDialog", "NewService"]
