"""A task definition written from scratch: what the operator chose, as typed values, and the exact request it makes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ecstui.aws.validation import registrable_definition, task_definition_problems

Compatibility = Literal["FARGATE", "EC2", "FARGATE_AND_EC2"]
COMPATIBILITIES: dict[Compatibility, tuple[str, ...]] = {
    "FARGATE": ("FARGATE",),
    "EC2": ("EC2",),
    "FARGATE_AND_EC2": ("FARGATE", "EC2"),
}
AWSLOGS = "awslogs"
# What the ECS console writes for a new container's logs; ecstui's default too.
DEFAULT_STREAM_PREFIX = "ecs"

# Container fields the draft sets itself; every other field of a container read from a revision is kept as it was.
_CONTAINER_FIELDS = frozenset(
    {
        "name",
        "image",
        "essential",
        "portMappings",
        "environment",
        "secrets",
        "cpu",
        "memory",
        "memoryReservation",
        "logConfiguration",
    }
)
_TASK_FIELDS = frozenset(
    {
        "family",
        "requiresCompatibilities",
        "runtimePlatform",
        "networkMode",
        "cpu",
        "memory",
        "taskRoleArn",
        "executionRoleArn",
        "containerDefinitions",
    }
)
_PORT_FIELDS = frozenset({"containerPort", "hostPort", "protocol"})


@dataclass(frozen=True, slots=True)
class PortMappingDraft:
    container_port: int
    host_port: int | None = None  # unset: ECS uses the container port under awsvpc, a dynamic port under bridge
    protocol: str = "tcp"
    # Other PortMapping fields of a revision read into a draft (name, appProtocol...), sent back unchanged.
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class EnvironmentVariable:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class SecretDraft:
    """A secret the container receives: its variable name and where ECS reads it (its value is never fetched)."""

    name: str
    value_from: str  # an SSM parameter's name or ARN, or a Secrets Manager secret's ARN


@dataclass(frozen=True, slots=True)
class DefaultAwsLogs:
    """awslogs to the group /ecs/<family> in the task's region, stream prefix 'ecs', the group created if missing."""


@dataclass(frozen=True, slots=True)
class LogConfigurationDraft:
    """A log configuration as written: driver, options, and options whose values ECS reads from secrets."""

    driver: str
    options: tuple[tuple[str, str], ...] = ()
    secret_options: tuple[SecretDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class ContainerDraft:
    name: str
    image: str
    essential: bool = True
    port_mappings: tuple[PortMappingDraft, ...] = ()
    environment: tuple[EnvironmentVariable, ...] = ()
    secrets: tuple[SecretDraft, ...] = ()
    cpu: int | None = None
    memory: int | None = None
    memory_reservation: int | None = None
    # None: no log configuration at all (the container's output is not kept).
    log_configuration: LogConfigurationDraft | DefaultAwsLogs | None = DefaultAwsLogs()
    # Other ContainerDefinition fields of a revision read into a draft (healthCheck, mountPoints...), kept as-is.
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class TaskDefinitionDraft:
    family: str
    containers: tuple[ContainerDraft, ...]
    compatibility: Compatibility = "FARGATE"
    operating_system_family: str = "LINUX"
    cpu_architecture: str = "X86_64"
    network_mode: str = "awsvpc"
    cpu: int | None = None  # task CPU units (1024 = 1 vCPU)
    memory: int | None = None  # task memory, MiB
    task_role_arn: str | None = None
    execution_role_arn: str | None = None
    # Other RegisterTaskDefinition fields of a revision read into a draft (volumes, tags...), kept as-is.
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)


def default_log_options(family: str, region: str) -> dict[str, str]:
    return {
        "awslogs-group": f"/ecs/{family}",
        "awslogs-region": region,
        "awslogs-stream-prefix": DEFAULT_STREAM_PREFIX,
        "awslogs-create-group": "true",
    }


def _secrets(secrets: tuple[SecretDraft, ...]) -> list[dict[str, str]]:
    return [{"name": s.name, "valueFrom": s.value_from} for s in secrets]


def _log_configuration(log: LogConfigurationDraft | DefaultAwsLogs, family: str, region: str) -> dict[str, Any]:
    if isinstance(log, DefaultAwsLogs):
        return {"logDriver": AWSLOGS, "options": default_log_options(family, region)}
    built: dict[str, Any] = {"logDriver": log.driver}
    if log.options:
        built["options"] = dict(log.options)
    if log.secret_options:
        built["secretOptions"] = _secrets(log.secret_options)
    return built


def _port_mapping(mapping: PortMappingDraft) -> dict[str, Any]:
    built: dict[str, Any] = {**mapping.extra, "containerPort": mapping.container_port, "protocol": mapping.protocol}
    if mapping.host_port is not None:
        built["hostPort"] = mapping.host_port
    return built


def _container(container: ContainerDraft, family: str, region: str) -> dict[str, Any]:
    built: dict[str, Any] = {
        **container.extra,
        "name": container.name,
        "image": container.image,
        "essential": container.essential,
    }
    if container.port_mappings:
        built["portMappings"] = [_port_mapping(m) for m in container.port_mappings]
    if container.environment:
        built["environment"] = [{"name": e.name, "value": e.value} for e in container.environment]
    if container.secrets:
        built["secrets"] = _secrets(container.secrets)
    for key, value in (
        ("cpu", container.cpu),
        ("memory", container.memory),
        ("memoryReservation", container.memory_reservation),
    ):
        if value is not None:
            built[key] = value
    if container.log_configuration is not None:
        built["logConfiguration"] = _log_configuration(container.log_configuration, family, region)
    return built


def register_request(draft: TaskDefinitionDraft, region: str) -> dict[str, Any]:
    """The keyword arguments of RegisterTaskDefinition for `draft`, exactly as they will be sent."""
    request: dict[str, Any] = {
        **draft.extra,
        "family": draft.family,
        "requiresCompatibilities": list(COMPATIBILITIES[draft.compatibility]),
        "runtimePlatform": {
            "operatingSystemFamily": draft.operating_system_family,
            "cpuArchitecture": draft.cpu_architecture,
        },
        "networkMode": draft.network_mode,
        "containerDefinitions": [_container(c, draft.family, region) for c in draft.containers],
    }
    for key, value in (
        ("cpu", None if draft.cpu is None else str(draft.cpu)),
        ("memory", None if draft.memory is None else str(draft.memory)),
        ("taskRoleArn", draft.task_role_arn),
        ("executionRoleArn", draft.execution_role_arn),
    ):
        if value is not None:
            request[key] = value
    return request


def register_request_json(draft: TaskDefinitionDraft, region: str) -> str:
    """The request as the operator reviews (and may edit) it before registering: indented JSON."""
    return json.dumps(register_request(draft, region), indent=2, ensure_ascii=False)


def draft_problems(draft: TaskDefinitionDraft, region: str) -> list[str]:
    """Everything ECS would refuse in the draft's request, one sentence each naming the field; [] when none."""
    return task_definition_problems(register_request(draft, region))


# -- reading a revision back into a draft ---------------------------------------------------------------------


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _size(value: Any) -> int | None:
    """A task-level cpu/memory as DescribeTaskDefinition returns it: a string of digits (ECS converted units)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return _int_or_none(value)


def _secret_drafts(secrets: Any) -> tuple[SecretDraft, ...]:
    return tuple(
        SecretDraft(str(s.get("name", "")), str(s.get("valueFrom", "")))
        for s in (secrets if isinstance(secrets, list) else [])
        if isinstance(s, dict)
    )


def _log_draft(log: Any, family: str, region: str | None) -> LogConfigurationDraft | DefaultAwsLogs | None:
    if not isinstance(log, dict):
        return None
    found = log.get("options")
    options: dict[str, Any] = found if isinstance(found, dict) else {}
    secret_options = log.get("secretOptions")
    if (
        log.get("logDriver") == AWSLOGS
        and not secret_options
        and region is not None
        and options == default_log_options(family, region)
    ):
        # ecstui's own default: a copy into a new family logs to the new family's group.
        return DefaultAwsLogs()
    return LogConfigurationDraft(
        driver=str(log.get("logDriver", "")),
        options=tuple((str(k), str(v)) for k, v in options.items()),
        secret_options=_secret_drafts(secret_options),
    )


def _port_drafts(mappings: Any) -> tuple[PortMappingDraft, ...]:
    drafts = []
    for mapping in mappings if isinstance(mappings, list) else []:
        if not isinstance(mapping, dict):
            continue
        drafts.append(
            PortMappingDraft(
                container_port=_int_or_none(mapping.get("containerPort")) or 0,
                host_port=_int_or_none(mapping.get("hostPort")),
                protocol=str(mapping.get("protocol", "tcp")),
                extra={k: v for k, v in mapping.items() if k not in _PORT_FIELDS},
            )
        )
    return tuple(drafts)


def _container_draft(container: dict[str, Any], family: str, region: str | None) -> ContainerDraft:
    environment = container.get("environment")
    return ContainerDraft(
        name=str(container.get("name", "")),
        image=str(container.get("image", "")),
        essential=container.get("essential", True) is not False,
        port_mappings=_port_drafts(container.get("portMappings")),
        environment=tuple(
            EnvironmentVariable(str(e.get("name", "")), str(e.get("value", "")))
            for e in (environment if isinstance(environment, list) else [])
            if isinstance(e, dict)
        ),
        secrets=_secret_drafts(container.get("secrets")),
        cpu=_int_or_none(container.get("cpu")),
        memory=_int_or_none(container.get("memory")),
        memory_reservation=_int_or_none(container.get("memoryReservation")),
        log_configuration=_log_draft(container.get("logConfiguration"), family, region),
        extra={k: v for k, v in container.items() if k not in _CONTAINER_FIELDS},
    )


def _compatibility(described: list[Any] | None) -> Compatibility:
    kinds = set(described or [])
    if kinds >= {"FARGATE", "EC2"}:
        return "FARGATE_AND_EC2"
    if "FARGATE" in kinds:
        return "FARGATE"
    return "EC2"


def draft_from_revision(
    described: Mapping[str, Any],
    *,
    family: str | None = None,
    tags: list[dict[str, str]] | None = None,
    region: str | None = None,
) -> TaskDefinitionDraft:
    """A described revision as a draft ("copy into a new family" when `family` is given).

    Every field the draft does not model is kept in its `extra` and sent back unchanged, so the draft's request
    is the revision's own (registrable_definition) but for the family, and for the runtime platform,
    compatibility and network mode, which the draft always states (ECS's defaults when the revision left them
    out). An awslogs configuration that is exactly ecstui's default for the old family becomes the default
    again, so the copy logs under its new family's group.
    """
    source = registrable_definition(dict(described), tags)
    old_family = str(source.get("family", ""))
    found = source.get("runtimePlatform")
    platform: dict[str, Any] = found if isinstance(found, dict) else {}
    containers = source.get("containerDefinitions")
    compatibilities = source.get("requiresCompatibilities")
    extra = {k: v for k, v in source.items() if k not in _TASK_FIELDS}
    return TaskDefinitionDraft(
        family=old_family if family is None else family,
        containers=tuple(
            _container_draft(c, old_family, region)
            for c in (containers if isinstance(containers, list) else [])
            if isinstance(c, dict)
        ),
        compatibility=_compatibility(compatibilities if isinstance(compatibilities, list) else None),
        operating_system_family=str(platform.get("operatingSystemFamily", "LINUX")),
        cpu_architecture=str(platform.get("cpuArchitecture", "X86_64")),
        network_mode=str(source.get("networkMode", "bridge")),
        cpu=_size(source.get("cpu")),
        memory=_size(source.get("memory")),
        task_role_arn=source.get("taskRoleArn"),
        execution_role_arn=source.get("executionRoleArn"),
        extra=extra,
    )


__all__ = [
    "COMPATIBILITIES",
    "Compatibility",
    "ContainerDraft",
    "DefaultAwsLogs",
    "EnvironmentVariable",
    "LogConfigurationDraft",
    "PortMappingDraft",
    "SecretDraft",
    "TaskDefinitionDraft",
    "default_log_options",
    "draft_from_revision",
    "draft_problems",
    "register_request",
    "register_request_json",
]
