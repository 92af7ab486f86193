"""Typed, immutable views of ECS resources, as the UI consumes them.

Every field that AWS may omit is optional here: a console must not crash on a field it did not expect
or on one that is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def short_name(arn_or_name: str) -> str:
    """The last path segment of an ARN ('arn:...:service/prod/web' -> 'web'); a bare name unchanged."""
    return arn_or_name.rsplit("/", 1)[-1]


def task_definition_label(arn: str) -> str:
    """'arn:...:task-definition/web:12' -> 'web:12'."""
    return short_name(arn) if arn else ""


@dataclass(frozen=True, slots=True)
class CapacityProviderStrategyItem:
    capacity_provider: str
    weight: int = 0
    base: int = 0


@dataclass(frozen=True, slots=True)
class Cluster:
    arn: str
    name: str
    status: str
    capacity_providers: tuple[str, ...] = ()
    default_strategy: tuple[CapacityProviderStrategyItem, ...] = ()
    active_services: int = 0
    running_tasks: int = 0
    pending_tasks: int = 0
    container_instances: int = 0
    container_insights: str | None = None  # "enabled" / "disabled" / "enhanced"
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Deployment:
    id: str
    status: str  # PRIMARY, ACTIVE, INACTIVE
    task_definition_arn: str
    desired: int = 0
    running: int = 0
    pending: int = 0
    failed_tasks: int = 0
    rollout_state: str | None = None  # COMPLETED, IN_PROGRESS, FAILED
    rollout_state_reason: str | None = None
    launch_type: str | None = None
    capacity_provider_strategy: tuple[CapacityProviderStrategyItem, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def task_definition(self) -> str:
        return task_definition_label(self.task_definition_arn)


@dataclass(frozen=True, slots=True)
class ServiceEvent:
    id: str
    created_at: datetime | None
    message: str


@dataclass(frozen=True, slots=True)
class LoadBalancerRef:
    target_group_arn: str | None
    load_balancer_name: str | None
    container_name: str | None
    container_port: int | None


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    assign_public_ip: bool = False


@dataclass(frozen=True, slots=True)
class DeploymentCircuitBreaker:
    enable: bool = False
    rollback: bool = False


@dataclass(frozen=True, slots=True)
class Service:
    arn: str
    name: str
    cluster_arn: str
    status: str  # ACTIVE, DRAINING, INACTIVE
    desired: int
    running: int
    pending: int
    task_definition_arn: str
    launch_type: str | None = None
    capacity_provider_strategy: tuple[CapacityProviderStrategyItem, ...] = ()
    scheduling_strategy: str | None = None  # REPLICA / DAEMON
    deployments: tuple[Deployment, ...] = ()
    events: tuple[ServiceEvent, ...] = ()  # newest first, as ECS returns them
    load_balancers: tuple[LoadBalancerRef, ...] = ()
    network: NetworkConfig | None = None
    circuit_breaker: DeploymentCircuitBreaker | None = None
    created_at: datetime | None = None
    enable_execute_command: bool = False  # ECS Exec for the tasks it starts from now on

    @property
    def task_definition(self) -> str:
        return task_definition_label(self.task_definition_arn)

    @property
    def primary_deployment(self) -> Deployment | None:
        return next((d for d in self.deployments if d.status == "PRIMARY"), None)

    @property
    def rollout_state(self) -> str | None:
        primary = self.primary_deployment
        return primary.rollout_state if primary else None

    @property
    def capacity(self) -> str:
        """How the service gets compute: its launch type, or its capacity provider strategy."""
        if self.capacity_provider_strategy:
            return ",".join(item.capacity_provider for item in self.capacity_provider_strategy)
        return self.launch_type or ""


@dataclass(frozen=True, slots=True)
class PortBinding:
    container_port: int | None
    host_port: int | None = None
    protocol: str | None = None
    bind_ip: str | None = None


@dataclass(frozen=True, slots=True)
class ManagedAgent:
    """An agent ECS runs beside a container (ExecuteCommandAgent: the SSM agent ECS Exec talks to)."""

    name: str
    last_status: str | None = None  # PENDING, RUNNING, STOPPED
    reason: str | None = None
    last_started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Container:
    name: str
    image: str | None = None
    last_status: str | None = None
    exit_code: int | None = None
    reason: str | None = None
    health_status: str | None = None
    port_bindings: tuple[PortBinding, ...] = ()
    cpu: str | None = None
    memory: str | None = None
    runtime_id: str | None = None
    image_digest: str | None = None
    managed_agents: tuple[ManagedAgent, ...] = ()


@dataclass(frozen=True, slots=True)
class Task:
    arn: str
    id: str
    cluster_arn: str
    task_definition_arn: str
    last_status: str
    desired_status: str
    health_status: str | None = None
    launch_type: str | None = None
    capacity_provider: str | None = None
    availability_zone: str | None = None
    private_ip: str | None = None
    public_ip: str | None = None
    eni_id: str | None = None
    subnet_id: str | None = None
    group: str | None = None  # "service:<name>" for a service's tasks
    started_by: str | None = None
    container_instance_arn: str | None = None
    cpu: str | None = None
    memory: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    stopping_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    containers: tuple[Container, ...] = ()
    enable_execute_command: bool = False
    platform_version: str | None = None  # Fargate only: "1.4.0", "LATEST" resolved by ECS
    task_role_arn: str | None = None  # from overrides; None means the task definition's

    @property
    def task_definition(self) -> str:
        return task_definition_label(self.task_definition_arn)

    @property
    def service_name(self) -> str | None:
        if self.group and self.group.startswith("service:"):
            return self.group.split(":", 1)[1]
        return None


@dataclass(frozen=True, slots=True)
class PortMapping:
    container_port: int | None
    host_port: int | None = None
    protocol: str | None = None
    name: str | None = None
    app_protocol: str | None = None


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret is shown by where it comes from; its value never reaches ecstui."""

    name: str
    value_from: str


@dataclass(frozen=True, slots=True)
class MountPoint:
    source_volume: str
    container_path: str
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class ContainerDefinition:
    name: str
    image: str
    essential: bool = True
    cpu: int | None = None
    memory: int | None = None
    memory_reservation: int | None = None
    port_mappings: tuple[PortMapping, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()
    secrets: tuple[Secret, ...] = ()
    mount_points: tuple[MountPoint, ...] = ()
    command: tuple[str, ...] = ()
    entry_point: tuple[str, ...] = ()
    log_driver: str | None = None
    log_options: tuple[tuple[str, str], ...] = ()
    health_check: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Volume:
    name: str
    kind: str  # "host", "efs", "docker", "bind mount", ...
    detail: str = ""


@dataclass(frozen=True, slots=True)
class TaskDefinition:
    arn: str
    family: str
    revision: int
    status: str  # ACTIVE / INACTIVE / DELETE_IN_PROGRESS
    containers: tuple[ContainerDefinition, ...] = ()
    cpu: str | None = None
    memory: str | None = None
    network_mode: str | None = None
    requires_compatibilities: tuple[str, ...] = ()
    task_role_arn: str | None = None
    execution_role_arn: str | None = None
    volumes: tuple[Volume, ...] = ()
    registered_at: datetime | None = None
    # Every field exactly as DescribeTaskDefinition returned it; a new revision is registered from this.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        return f"{self.family}:{self.revision}"


@dataclass(frozen=True, slots=True)
class TaskDefinitionFamily:
    name: str
    latest_revision_arn: str | None = None
    active_revisions: int = 0


@dataclass(frozen=True, slots=True)
class ContainerInstance:
    arn: str
    ec2_instance_id: str | None
    status: str  # ACTIVE, DRAINING, INACTIVE, ...
    agent_connected: bool
    instance_type: str | None = None
    availability_zone: str | None = None
    registered_cpu: int | None = None
    registered_memory: int | None = None
    remaining_cpu: int | None = None
    remaining_memory: int | None = None
    running_tasks: int = 0
    pending_tasks: int = 0
    agent_version: str | None = None
    registered_at: datetime | None = None

    @property
    def id(self) -> str:
        return short_name(self.arn)
