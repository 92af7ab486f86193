"""Run tasks of a task definition revision, with compute and network defaulting to a service's in the cluster."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Select, Static

from ecstui.aws.actions import RunTaskError
from ecstui.aws.errors import AwsError
from ecstui.aws.models import CapacityProviderStrategyItem, Cluster, Service, Task, TaskDefinition
from ecstui.aws.task_definition_cache import family_of
from ecstui.aws.validation import RUN_TASK_COUNT, Invalid
from ecstui.ui.dialogs.base import ActionDialog, Invalidity, checked
from ecstui.ui.inert import inert, notify_inert

LAUNCH_TYPES = ("FARGATE", "EC2", "EXTERNAL")
CLUSTER_DEFAULT = "default"
_SUBNET = re.compile(r"subnet-[0-9a-zA-Z]+")
_SECURITY_GROUP = re.compile(r"sg-[0-9a-zA-Z]+")


@dataclass(frozen=True, slots=True)
class Compute:
    """One choice of how the tasks get compute: a launch type, a capacity provider strategy, or neither."""

    label: str
    launch_type: str | None = None
    strategy: tuple[CapacityProviderStrategyItem, ...] = ()


def parse_task_count(text: str) -> int | Invalid:
    """How many tasks to start: a whole number from 1 (RunTask calls go 10 at a time)."""
    return RUN_TASK_COUNT.parse(text)


def parse_ids(text: str, pattern: re.Pattern[str], what: str, example: str) -> list[str] | Invalid:
    ids = [item for item in re.split(r"[,\s]+", text.strip()) if item]
    for item in ids:
        if not pattern.fullmatch(item):
            return Invalid(f"{item!r} is not a {what} id (like {example}).")
    return list(dict.fromkeys(ids))


def _strategy_text(strategy: Sequence[CapacityProviderStrategyItem]) -> str:
    return " + ".join(
        f"{item.capacity_provider} {item.weight}" + (f" (base {item.base})" if item.base else "") for item in strategy
    )


FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


def launch_types_of(definition: TaskDefinition) -> tuple[str, ...]:
    """The launch types a definition can run on: its requiresCompatibilities, else the compatibilities ECS worked
    out when it was registered, else EC2 (ECS's default)."""
    computed = definition.raw.get("compatibilities")
    wanted = definition.requires_compatibilities or (
        tuple(str(item) for item in computed) if isinstance(computed, list) else ()
    )
    return tuple(item for item in wanted if item in LAUNCH_TYPES) or ("EC2",)


def _provider_launch_type(provider: str) -> str:
    return "FARGATE" if provider in FARGATE_PROVIDERS else "EC2"


def strategy_fits(strategy: Sequence[CapacityProviderStrategyItem], launch_types: Sequence[str]) -> bool:
    return bool(strategy) and all(_provider_launch_type(i.capacity_provider) in launch_types for i in strategy)


def service_fits(service: Service, launch_types: Sequence[str]) -> bool:
    """Whether a service's compute could run tasks of a definition that runs on `launch_types`."""
    if service.capacity_provider_strategy:
        return strategy_fits(service.capacity_provider_strategy, launch_types)
    return (service.launch_type or "EC2") in launch_types


def cluster_fits(cluster: Cluster, launch_types: Sequence[str]) -> bool:
    """Whether the cluster has compute for the definition: Fargate capacity, or container instances for EC2."""
    fargate = "FARGATE" in launch_types and any(p in FARGATE_PROVIDERS for p in cluster.capacity_providers)
    ec2 = "EC2" in launch_types and bool(
        cluster.container_instances or strategy_fits(cluster.default_strategy, ("EC2",))
    )
    return fargate or ec2


def default_service(definition: TaskDefinition, services: Sequence[Service]) -> Service | None:
    """The service whose settings fit best: one of the same family, else one whose compute (and, for awsvpc, whose
    network) the definition can use, else one with a network to borrow; never one it cannot run like."""
    launch_types = launch_types_of(definition)
    same_family = [
        s for s in services if family_of(s.task_definition_arn) == definition.family and service_fits(s, launch_types)
    ]
    needs_network = definition.network_mode == "awsvpc"
    fitting = [
        s
        for s in services
        if service_fits(s, launch_types) and (not needs_network or (s.network is not None and s.network.subnets))
    ]
    with_network = [s for s in services if s.network is not None and s.network.subnets] if needs_network else []
    for group in (same_family, fitting, with_network):
        if group:
            return group[0]
    return None


def default_cluster(
    definition: TaskDefinition, clusters: Sequence[Cluster], services: Mapping[str, Sequence[Service]]
) -> str | None:
    """A cluster where a service of the family runs, else one with compute the definition can use, else the first."""
    launch_types = launch_types_of(definition)
    for cluster in clusters:
        if any(
            family_of(s.task_definition_arn) == definition.family and service_fits(s, launch_types)
            for s in services.get(cluster.name, ())
        ):
            return cluster.name
    fitting = next((c.name for c in clusters if cluster_fits(c, launch_types)), None)
    return fitting or (clusters[0].name if clusters else None)


class RunTaskDialog(ActionDialog[list[Task]]):
    confirm_label = "Run"

    DEFAULT_CSS = """
    RunTaskDialog #dialog-body { max-height: 65vh; }
    RunTaskDialog .field-row { height: auto; }
    RunTaskDialog .field-row > Vertical { width: 1fr; height: auto; margin-right: 1; }
    RunTaskDialog .field-row > Vertical#count-column { width: 16; }
    RunTaskDialog #defaults-note { color: $text-muted; padding-top: 1; }
    RunTaskDialog Checkbox { margin-top: 1; }
    """

    def __init__(
        self,
        definition: TaskDefinition,
        clusters: Sequence[Cluster],
        services: Mapping[str, Sequence[Service]],
        initial_cluster: str | None = None,
    ) -> None:
        self.definition = definition
        self.clusters = {c.name: c for c in clusters}
        self.services = services
        if initial_cluster not in self.clusters:
            # Prefer a cluster where a service of this family runs: its settings are the likeliest to work.
            initial_cluster = default_cluster(definition, clusters, services)
        self.initial_cluster = initial_cluster
        self.computes: dict[str, Compute] = {}
        self.title_text = f"Run tasks of {definition.label}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Static("Cluster", classes="field-label")
        yield Select(
            [(inert(name), name) for name in self.clusters],
            value=self.initial_cluster if self.initial_cluster else Select.NULL,
            allow_blank=self.initial_cluster is None,
            id="cluster",
        )
        with Horizontal(classes="field-row"):
            with Vertical(id="count-column"):
                yield Static("Count", classes="field-label")
                yield Input("1", id="count")
            with Vertical():
                yield Static("Launch type or capacity provider", classes="field-label")
                yield Select[str]([], allow_blank=True, id="compute")
        yield Static("Subnets (comma-separated; needed for awsvpc)", classes="field-label")
        yield Input("", id="subnets", placeholder="subnet-0a1b2c3d, subnet-4e5f6a7b")
        yield Static("Security groups", classes="field-label")
        yield Input("", id="security-groups", placeholder="sg-0a1b2c3d")
        yield Checkbox("Assign a public IP", False, id="public-ip")
        yield Static("", id="defaults-note")

    def on_mount(self) -> None:
        # The base class's on_mount runs too and focuses the first Input: the count.
        if self.initial_cluster:
            self.apply_defaults(self.initial_cluster)

    @on(Select.Changed, "#cluster")
    def _cluster_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.apply_defaults(event.value)

    def apply_defaults(self, cluster_name: str) -> None:
        """Fill compute and network from a service of the chosen cluster (the user can change every one)."""
        cluster = self.clusters[cluster_name]
        service = default_service(self.definition, self.services.get(cluster_name, ()))
        computes: dict[str, Compute] = {}
        if cluster.default_strategy:
            computes[CLUSTER_DEFAULT] = Compute(f"cluster default: {_strategy_text(cluster.default_strategy)}")
        else:
            computes[CLUSTER_DEFAULT] = Compute("cluster default")
        for launch_type in LAUNCH_TYPES:
            computes[f"launch:{launch_type}"] = Compute(f"launch type {launch_type}", launch_type=launch_type)
        for provider in cluster.capacity_providers:
            computes[f"cp:{provider}"] = Compute(
                f"capacity provider {provider}", strategy=(CapacityProviderStrategyItem(provider, 1, 0),)
            )
        launch_types = launch_types_of(self.definition)
        # Without a strategy of its own, RunTask uses the cluster's default strategy, or else the EC2 launch type.
        default_fits = (
            strategy_fits(cluster.default_strategy, launch_types) if cluster.default_strategy else "EC2" in launch_types
        )
        chosen = CLUSTER_DEFAULT
        if service is not None and service_fits(service, launch_types) and service.capacity_provider_strategy:
            computes["service"] = Compute(
                f"like {service.name}: {_strategy_text(service.capacity_provider_strategy)}",
                strategy=service.capacity_provider_strategy,
            )
            chosen = "service"
        elif service is not None and service_fits(service, launch_types) and service.launch_type in LAUNCH_TYPES:
            chosen = f"launch:{service.launch_type}"
        elif "FARGATE" in launch_types and not (default_fits and cluster.default_strategy):
            # A Fargate definition: the FARGATE launch type, unless the cluster's own strategy already fits it.
            chosen = "launch:FARGATE"
        elif not default_fits:
            chosen = f"launch:{launch_types[0]}"
        self.computes = computes
        compute = self.query_one("#compute", Select)
        compute.set_options([(inert(c.label), key) for key, c in computes.items()])
        compute.value = chosen
        network = service.network if service is not None else None
        self.fill(self.query_one("#subnets", Input), ", ".join(network.subnets) if network else "")
        self.fill(self.query_one("#security-groups", Input), ", ".join(network.security_groups) if network else "")
        self.query_one("#public-ip", Checkbox).value = network.assign_public_ip if network else False
        note = self.query_one("#defaults-note", Static)
        if service is not None:
            note.update(Text.assemble("Defaults from service ", inert(f"{cluster_name}/{service.name}", "bold"), "."))
        else:
            note.update(inert(f"No service in {cluster_name} to take defaults from."))

    def validate(self) -> Any:
        cluster = self.query_one("#cluster", Select).value
        if not isinstance(cluster, str):
            raise Invalidity("Choose a cluster.")
        count = checked(parse_task_count(self.query_one("#count", Input).value))
        compute_key = self.query_one("#compute", Select).value
        compute = self.computes.get(compute_key) if isinstance(compute_key, str) else None
        compute = compute or Compute("cluster default")
        subnets = checked(parse_ids(self.read("subnets", "Subnets"), _SUBNET, "subnet", "subnet-0a1b2c3d"))
        groups = checked(
            parse_ids(self.read("security-groups", "Security groups"), _SECURITY_GROUP, "security group", "sg-0a1b2c3d")
        )
        if groups and not subnets:
            raise Invalidity("Security groups apply only with subnets (awsvpc network mode).")
        if self.definition.network_mode == "awsvpc" and not subnets:
            raise Invalidity(f"{self.definition.label} uses awsvpc networking: give at least one subnet.")
        public_ip = self.query_one("#public-ip", Checkbox).value
        return cluster, count, compute, subnets, groups, public_ip

    async def _run(
        self, cluster: str, count: int, compute: Compute, subnets: list[str], groups: list[str], public_ip: bool
    ) -> list[Task]:
        try:
            return await self.ecs_app.actions.run_task(
                cluster,
                self.definition.arn,
                count,
                launch_type=compute.launch_type,
                capacity_provider_strategy=compute.strategy,
                subnets=subnets,
                security_groups=groups,
                assign_public_ip=public_ip,
                started_by="ecstui",
            )
        except RunTaskError as exc:
            if not exc.started:
                raise
            # Some tasks are running: say so where it cannot be missed, and leave only the rest to send.
            remaining = count - len(exc.started)
            ids = ", ".join(t.id for t in exc.started[:5]) + ("…" if len(exc.started) > 5 else "")
            self.query_one("#count", Input).value = str(max(remaining, 1))
            notify_inert(
                self.ecs_app,
                f"{len(exc.started)} of {count} tasks of {self.definition.label} started in {cluster} ({ids}).",
                severity="warning",
                timeout=12,
            )
            raise AwsError(
                f"{exc.message}: those tasks keep running, and the count now holds the {remaining} still to start.",
                kind="invalid",
            ) from exc

    def perform(self, values: Any) -> Awaitable[list[Task]]:
        return self._run(*values)

    def describe_success(self, result: list[Task]) -> str:
        ids = ", ".join(t.id for t in result[:5]) + ("…" if len(result) > 5 else "")
        cluster = self.query_one("#cluster", Select).value
        plural = "s" if len(result) != 1 else ""
        return f"Started {len(result)} task{plural} of {self.definition.label} in {cluster}: {ids}."


__all__ = ["RunTaskDialog", "default_cluster", "default_service", "launch_types_of", "parse_task_count"]
