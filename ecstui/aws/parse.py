"""Turn ECS API dicts into the typed models of `ecstui.aws.models`, tolerating any missing or unexpected field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ecstui.aws.models import (
    CapacityProviderStrategyItem,
    Cluster,
    Container,
    ContainerDefinition,
    ContainerInstance,
    Deployment,
    DeploymentCircuitBreaker,
    LoadBalancerRef,
    ManagedAgent,
    MountPoint,
    NetworkConfig,
    PortBinding,
    PortMapping,
    Secret,
    Service,
    ServiceEvent,
    Task,
    TaskDefinition,
    Volume,
    short_name,
)

# The API returns lists of objects; an object is anything with .get, so a TypedDict from the client and a plain
# dict in a test both fit. Anything else where an object was expected is skipped rather than trusted.
ApiDict = Mapping[str, Any]


def _obj(value: Any) -> ApiDict:
    return value if isinstance(value, Mapping) else {}


def _objs(value: Any) -> list[ApiDict]:
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _strs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(item) for item in value if item is not None)


def _int(value: Any) -> int | None:
    # bool is an int to Python but never a count or a port to ECS.
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _count(value: Any) -> int:
    return _int(value) or 0


def _bool(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "enabled", "yes", "1")
    return default


def _time(value: Any) -> datetime | None:
    """botocore gives aware datetimes; a hand-written dict may hold an epoch number or an ISO string."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _name_value_pairs(value: Any, name_key: str = "name", value_key: str = "value") -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in _objs(value):
        name = _str(item.get(name_key))
        if name is not None:
            pairs.append((name, _str(item.get(value_key)) or ""))
    return tuple(pairs)


def _options(value: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), "" if v is None else str(v)) for k, v in _obj(value).items())


def _strategy(value: Any) -> tuple[CapacityProviderStrategyItem, ...]:
    return tuple(
        CapacityProviderStrategyItem(
            capacity_provider=str(item["capacityProvider"]),
            weight=_count(item.get("weight")),
            base=_count(item.get("base")),
        )
        for item in _objs(value)
        if item.get("capacityProvider")
    )


# --- clusters ---------------------------------------------------------------------------------------------------


def cluster_from_api(d: ApiDict) -> Cluster:
    arn = _str(d.get("clusterArn")) or ""
    settings = dict(_name_value_pairs(d.get("settings")))
    return Cluster(
        arn=arn,
        name=_str(d.get("clusterName")) or short_name(arn),
        status=_str(d.get("status")) or "UNKNOWN",
        capacity_providers=_strs(d.get("capacityProviders")),
        default_strategy=_strategy(d.get("defaultCapacityProviderStrategy")),
        active_services=_count(d.get("activeServicesCount")),
        running_tasks=_count(d.get("runningTasksCount")),
        pending_tasks=_count(d.get("pendingTasksCount")),
        container_instances=_count(d.get("registeredContainerInstancesCount")),
        # Only present when DescribeClusters is asked to include SETTINGS.
        container_insights=settings.get("containerInsights"),
        tags=_name_value_pairs(d.get("tags"), "key", "value"),
    )


# --- services ---------------------------------------------------------------------------------------------------


def _deployment(d: ApiDict) -> Deployment:
    return Deployment(
        id=_str(d.get("id")) or "",
        status=_str(d.get("status")) or "UNKNOWN",
        task_definition_arn=_str(d.get("taskDefinition")) or "",
        desired=_count(d.get("desiredCount")),
        running=_count(d.get("runningCount")),
        pending=_count(d.get("pendingCount")),
        failed_tasks=_count(d.get("failedTasks")),
        rollout_state=_str(d.get("rolloutState")),
        rollout_state_reason=_str(d.get("rolloutStateReason")),
        launch_type=_str(d.get("launchType")),
        capacity_provider_strategy=_strategy(d.get("capacityProviderStrategy")),
        created_at=_time(d.get("createdAt")),
        updated_at=_time(d.get("updatedAt")),
    )


def _event(d: ApiDict) -> ServiceEvent:
    return ServiceEvent(
        id=_str(d.get("id")) or "", created_at=_time(d.get("createdAt")), message=_str(d.get("message")) or ""
    )


def _load_balancer(d: ApiDict) -> LoadBalancerRef:
    return LoadBalancerRef(
        target_group_arn=_str(d.get("targetGroupArn")),
        load_balancer_name=_str(d.get("loadBalancerName")),
        container_name=_str(d.get("containerName")),
        container_port=_int(d.get("containerPort")),
    )


def _network(d: ApiDict) -> NetworkConfig | None:
    vpc = d.get("awsvpcConfiguration")
    if not isinstance(vpc, Mapping):
        return None
    return NetworkConfig(
        subnets=_strs(vpc.get("subnets")),
        security_groups=_strs(vpc.get("securityGroups")),
        assign_public_ip=_str(vpc.get("assignPublicIp")) == "ENABLED",
    )


def _circuit_breaker(d: ApiDict) -> DeploymentCircuitBreaker | None:
    breaker = d.get("deploymentCircuitBreaker")
    if not isinstance(breaker, Mapping):
        return None
    return DeploymentCircuitBreaker(enable=_bool(breaker.get("enable")), rollback=_bool(breaker.get("rollback")))


def service_from_api(d: ApiDict) -> Service:
    arn = _str(d.get("serviceArn")) or ""
    return Service(
        arn=arn,
        name=_str(d.get("serviceName")) or short_name(arn),
        cluster_arn=_str(d.get("clusterArn")) or "",
        status=_str(d.get("status")) or "UNKNOWN",
        desired=_count(d.get("desiredCount")),
        running=_count(d.get("runningCount")),
        pending=_count(d.get("pendingCount")),
        task_definition_arn=_str(d.get("taskDefinition")) or "",
        launch_type=_str(d.get("launchType")),
        capacity_provider_strategy=_strategy(d.get("capacityProviderStrategy")),
        scheduling_strategy=_str(d.get("schedulingStrategy")),
        deployments=tuple(_deployment(item) for item in _objs(d.get("deployments"))),
        events=tuple(_event(item) for item in _objs(d.get("events"))),
        load_balancers=tuple(_load_balancer(item) for item in _objs(d.get("loadBalancers"))),
        network=_network(_obj(d.get("networkConfiguration"))),
        circuit_breaker=_circuit_breaker(_obj(d.get("deploymentConfiguration"))),
        created_at=_time(d.get("createdAt")),
        enable_execute_command=_bool(d.get("enableExecuteCommand")),
    )


# --- tasks ------------------------------------------------------------------------------------------------------


def _port_binding(d: ApiDict) -> PortBinding:
    return PortBinding(
        container_port=_int(d.get("containerPort")),
        host_port=_int(d.get("hostPort")),
        protocol=_str(d.get("protocol")),
        bind_ip=_str(d.get("bindIP")),
    )


def _container(d: ApiDict) -> Container:
    return Container(
        name=_str(d.get("name")) or "",
        image=_str(d.get("image")),
        last_status=_str(d.get("lastStatus")),
        exit_code=_int(d.get("exitCode")),
        reason=_str(d.get("reason")),
        health_status=_str(d.get("healthStatus")),
        port_bindings=tuple(_port_binding(item) for item in _objs(d.get("networkBindings"))),
        cpu=_str(d.get("cpu")),
        memory=_str(d.get("memory")),
        runtime_id=_str(d.get("runtimeId")),
        image_digest=_str(d.get("imageDigest")),
        managed_agents=tuple(
            ManagedAgent(
                name=_str(agent.get("name")) or "",
                last_status=_str(agent.get("lastStatus")),
                reason=_str(agent.get("reason")),
                last_started_at=_time(agent.get("lastStartedAt")),
            )
            for agent in _objs(d.get("managedAgents"))
        ),
    )


def _eni_details(attachments: Iterable[ApiDict]) -> dict[str, str]:
    """The name/value details of the task's network interface attachment (awsvpc tasks have exactly one)."""
    for attachment in attachments:
        if _str(attachment.get("type")) in ("ElasticNetworkInterface", "eni"):
            return {name: value for name, value in _name_value_pairs(attachment.get("details")) if value}
    return {}


def task_from_api(d: ApiDict) -> Task:
    arn = _str(d.get("taskArn")) or ""
    containers = _objs(d.get("containers"))
    eni = _eni_details(_objs(d.get("attachments")))
    # Without an ENI attachment (or with one still provisioning) the container's interface may still carry the IP.
    interfaces = [nic for container in containers for nic in _objs(container.get("networkInterfaces"))]
    private_ip = eni.get("privateIPv4Address") or next(
        (_str(nic.get("privateIpv4Address")) for nic in interfaces if nic.get("privateIpv4Address")), None
    )
    return Task(
        arn=arn,
        id=short_name(arn),
        cluster_arn=_str(d.get("clusterArn")) or "",
        task_definition_arn=_str(d.get("taskDefinitionArn")) or "",
        last_status=_str(d.get("lastStatus")) or "UNKNOWN",
        desired_status=_str(d.get("desiredStatus")) or "UNKNOWN",
        health_status=_str(d.get("healthStatus")),
        launch_type=_str(d.get("launchType")) or None,
        capacity_provider=_str(d.get("capacityProviderName")) or None,
        availability_zone=_str(d.get("availabilityZone")),
        private_ip=private_ip,
        # DescribeTasks never reports a public IP: it lives on the ENI, and the reader adds it from
        # ec2:DescribeNetworkInterfaces (fetch.EcsReader._with_public_ips); taken here only if the details have one.
        public_ip=eni.get("publicIPv4Address"),
        eni_id=eni.get("networkInterfaceId"),
        subnet_id=eni.get("subnetId"),
        group=_str(d.get("group")),
        started_by=_str(d.get("startedBy")) or None,
        container_instance_arn=_str(d.get("containerInstanceArn")),
        cpu=_str(d.get("cpu")),
        memory=_str(d.get("memory")),
        created_at=_time(d.get("createdAt")),
        started_at=_time(d.get("startedAt")),
        stopping_at=_time(d.get("stoppingAt")),
        stopped_at=_time(d.get("stoppedAt")),
        stop_code=_str(d.get("stopCode")),
        stopped_reason=_str(d.get("stoppedReason")),
        containers=tuple(_container(item) for item in containers),
        enable_execute_command=_bool(d.get("enableExecuteCommand")),
        platform_version=_str(d.get("platformVersion")),
        task_role_arn=_str(_obj(d.get("overrides")).get("taskRoleArn")),
    )


# --- task definitions -------------------------------------------------------------------------------------------


def _port_mapping(d: ApiDict) -> PortMapping:
    return PortMapping(
        container_port=_int(d.get("containerPort")),
        host_port=_int(d.get("hostPort")),
        protocol=_str(d.get("protocol")),
        name=_str(d.get("name")),
        app_protocol=_str(d.get("appProtocol")),
    )


def _secret(d: ApiDict) -> Secret | None:
    # Only where the secret comes from: ecstui never holds or shows a secret's value.
    name = _str(d.get("name"))
    if name is None:
        return None
    return Secret(name=name, value_from=_str(d.get("valueFrom")) or "")


def _mount_point(d: ApiDict) -> MountPoint:
    return MountPoint(
        source_volume=_str(d.get("sourceVolume")) or "",
        container_path=_str(d.get("containerPath")) or "",
        read_only=_bool(d.get("readOnly")),
    )


def _container_definition(d: ApiDict) -> ContainerDefinition:
    logging = _obj(d.get("logConfiguration"))
    return ContainerDefinition(
        name=_str(d.get("name")) or "",
        image=_str(d.get("image")) or "",
        essential=_bool(d.get("essential"), default=True),
        cpu=_int(d.get("cpu")),
        memory=_int(d.get("memory")),
        memory_reservation=_int(d.get("memoryReservation")),
        port_mappings=tuple(_port_mapping(item) for item in _objs(d.get("portMappings"))),
        environment=_name_value_pairs(d.get("environment")),
        secrets=tuple(secret for item in _objs(d.get("secrets")) if (secret := _secret(item)) is not None),
        mount_points=tuple(_mount_point(item) for item in _objs(d.get("mountPoints"))),
        command=_strs(d.get("command")),
        entry_point=_strs(d.get("entryPoint")),
        log_driver=_str(logging.get("logDriver")),
        log_options=_options(logging.get("options")),
        health_check=_strs(_obj(d.get("healthCheck")).get("command")),
    )


def _volume(d: ApiDict) -> Volume:
    name = _str(d.get("name")) or ""
    if isinstance(efs := d.get("efsVolumeConfiguration"), Mapping):
        detail = ":".join(filter(None, (_str(efs.get("fileSystemId")), _str(efs.get("rootDirectory")))))
        return Volume(name=name, kind="efs", detail=detail)
    if isinstance(docker := d.get("dockerVolumeConfiguration"), Mapping):
        detail = " ".join(filter(None, (_str(docker.get("driver")), _str(docker.get("scope")))))
        return Volume(name=name, kind="docker", detail=detail)
    if isinstance(fsx := d.get("fsxWindowsFileServerVolumeConfiguration"), Mapping):
        return Volume(name=name, kind="fsx", detail=_str(fsx.get("fileSystemId")) or "")
    if _bool(d.get("configuredAtLaunch")):
        return Volume(name=name, kind="configured at launch")
    source = _str(_obj(d.get("host")).get("sourcePath"))
    if source:
        return Volume(name=name, kind="host", detail=source)
    # No configuration at all: ECS gives the task a bind mount on its own ephemeral storage.
    return Volume(name=name, kind="bind mount")


def _family_and_revision(arn: str) -> tuple[str, int | None]:
    family, _, revision = short_name(arn).partition(":")
    return family, _int(revision)


def task_definition_from_api(d: ApiDict) -> TaskDefinition:
    arn = _str(d.get("taskDefinitionArn")) or ""
    arn_family, arn_revision = _family_and_revision(arn)
    revision = _int(d.get("revision"))
    return TaskDefinition(
        arn=arn,
        family=_str(d.get("family")) or arn_family,
        revision=revision if revision is not None else arn_revision or 0,
        status=_str(d.get("status")) or "UNKNOWN",
        containers=tuple(_container_definition(item) for item in _objs(d.get("containerDefinitions"))),
        cpu=_str(d.get("cpu")),
        memory=_str(d.get("memory")),
        network_mode=_str(d.get("networkMode")),
        requires_compatibilities=_strs(d.get("requiresCompatibilities")),
        task_role_arn=_str(d.get("taskRoleArn")),
        execution_role_arn=_str(d.get("executionRoleArn")),
        volumes=tuple(_volume(item) for item in _objs(d.get("volumes"))),
        registered_at=_time(d.get("registeredAt")),
        # The very dict the API returned: registering a new revision starts from every field of this one.
        raw=d if isinstance(d, dict) else dict(d),
    )


# --- container instances ----------------------------------------------------------------------------------------


def _resource(resources: Any, name: str) -> int | None:
    for item in _objs(resources):
        if item.get("name") == name:
            return _int(item.get("integerValue"))
    return None


def container_instance_from_api(d: ApiDict) -> ContainerInstance:
    attributes = dict(_name_value_pairs(d.get("attributes")))
    return ContainerInstance(
        arn=_str(d.get("containerInstanceArn")) or "",
        ec2_instance_id=_str(d.get("ec2InstanceId")),
        status=_str(d.get("status")) or "UNKNOWN",
        agent_connected=_bool(d.get("agentConnected")),
        instance_type=attributes.get("ecs.instance-type") or None,
        availability_zone=attributes.get("ecs.availability-zone") or None,
        registered_cpu=_resource(d.get("registeredResources"), "CPU"),
        registered_memory=_resource(d.get("registeredResources"), "MEMORY"),
        remaining_cpu=_resource(d.get("remainingResources"), "CPU"),
        remaining_memory=_resource(d.get("remainingResources"), "MEMORY"),
        running_tasks=_count(d.get("runningTasksCount")),
        pending_tasks=_count(d.get("pendingTasksCount")),
        agent_version=_str(_obj(d.get("versionInfo")).get("agentVersion")),
        registered_at=_time(d.get("registeredAt")),
    )
