"""What identifies one resource wherever it is shown: its kind, ARN, name or ID, cluster, region and partition.

Copying (`y`/`Y`), the console URL (`U`) and the raw view (`J`) act on a ResourceRef, so they work the same way
on every pane; each pane says which ref its selected row is, with the builders below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ecstui.aws.models import Cluster, ContainerInstance, Service, Task, TaskDefinition, short_name

ResourceKind = Literal[
    "cluster",
    "service",
    "task",
    "task-definition",
    "task-definition-family",
    "container-instance",
    "target-group",
    "load-balancer",
    "log-group",
    "schedule",
    "rule",
]

DEFAULT_PARTITION = "aws"


@dataclass(frozen=True, slots=True)
class ArnParts:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(arn: str) -> ArnParts | None:
    """'arn:partition:service:region:account:resource' split into its parts; None for what is not an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return ArnParts(*parts[1:])


@dataclass(frozen=True, slots=True)
class ResourceRef:
    kind: ResourceKind
    arn: str  # "" where the resource has none (a task definition family)
    name: str  # the name, or the ID for what has no name (a task, a container instance)
    region: str
    partition: str = DEFAULT_PARTITION
    cluster: str | None = None  # the cluster's name, for what lives in one
    group: str | None = None  # a Scheduler schedule's group, a rule's event bus

    @property
    def label(self) -> str:
        """What a user calls it: 'service web'."""
        return f"{self.kind.replace('-', ' ')} {self.name}"


def _located(arn: str, region: str | None) -> tuple[str, str]:
    """(region, partition) of an ARN, falling back to the session's region where the ARN has none."""
    parts = parse_arn(arn)
    if parts is None:
        return region or "", DEFAULT_PARTITION
    return parts.region or region or "", parts.partition or DEFAULT_PARTITION


def _ref(kind: ResourceKind, arn: str, name: str, region: str | None, **where: str | None) -> ResourceRef:
    found_region, partition = _located(arn, region)
    return ResourceRef(kind, arn, name, found_region, partition, **where)


def cluster_ref(cluster: Cluster, region: str | None = None) -> ResourceRef:
    return _ref("cluster", cluster.arn, cluster.name, region, cluster=cluster.name)


def service_ref(service: Service, region: str | None = None) -> ResourceRef:
    return _ref("service", service.arn, service.name, region, cluster=short_name(service.cluster_arn))


def task_ref(task: Task, region: str | None = None) -> ResourceRef:
    return _ref("task", task.arn, task.id, region, cluster=short_name(task.cluster_arn))


def task_definition_ref(definition: TaskDefinition, region: str | None = None) -> ResourceRef:
    return _ref("task-definition", definition.arn, definition.label, region)


def task_definition_family_ref(family: str, region: str | None = None, latest_arn: str | None = None) -> ResourceRef:
    # A family has no ARN of its own; its latest revision's tells the partition.
    found_region, partition = _located(latest_arn or "", region)
    return ResourceRef("task-definition-family", "", family, found_region, partition)


def container_instance_ref(instance: ContainerInstance, cluster: str, region: str | None = None) -> ResourceRef:
    return _ref("container-instance", instance.arn, instance.id, region, cluster=cluster)


def target_group_ref(arn: str, name: str, region: str | None = None) -> ResourceRef:
    return _ref("target-group", arn, name, region)


def load_balancer_ref(arn: str, name: str, region: str | None = None) -> ResourceRef:
    return _ref("load-balancer", arn, name, region)


def log_group_ref(name: str, region: str, partition: str = DEFAULT_PARTITION, account: str = "") -> ResourceRef:
    arn = f"arn:{partition}:logs:{region}:{account}:log-group:{name}" if account else ""
    return ResourceRef("log-group", arn, name, region, partition)


def schedule_ref(arn: str, name: str, group: str | None, region: str | None = None) -> ResourceRef:
    return _ref("schedule", arn, name, region, group=group or "default")


def rule_ref(arn: str, name: str, event_bus: str | None, region: str | None = None) -> ResourceRef:
    return _ref("rule", arn, name, region, group=event_bus or "default")
