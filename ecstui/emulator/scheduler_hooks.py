"""Patches to moto's ECS/ELBv2 backends that keep service counts, deployments and target health truthful."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.ecs.exceptions import InvalidParameterException
from moto.elbv2 import models as elbv2_models
from moto.moto_api._internal import mock_random

# ECS's defaults when a service is created without a deploymentConfiguration.
DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}

PENDING_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")

_installed = False
# (account, region) pairs whose ECS backend a simulator drives. Only those get the scheduler's
# semantics, so tests elsewhere in the process keep plain moto.
_simulated: set[tuple[str, str]] = set()


def attach(account_id: str, region: str) -> None:
    install()
    _simulated.add((account_id, region))


def detach(account_id: str, region: str) -> None:
    _simulated.discard((account_id, region))


def is_simulated(backend: Any) -> bool:
    return (str(backend.account_id), str(backend.region_name)) in _simulated


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_deployment_id() -> str:
    # ECS deployment ids are "ecs-svc/" followed by 19 digits.
    return f"ecs-svc/{mock_random.randint(10**18, 10**19 - 1)}"


def deployment_configuration(service: Any) -> dict[str, Any]:
    config = getattr(service, "deployment_configuration", None)
    merged = dict(DEFAULT_DEPLOYMENT_CONFIGURATION)
    if isinstance(config, dict):
        merged.update({k: v for k, v in config.items() if v is not None})
    return merged


def service_tasks(backend: Any, service: Any) -> list[Any]:
    group = f"service:{service.name}"
    return [t for t in backend.tasks.get(service.cluster_name, {}).values() if t.group == group]


def task_definition_arn(backend: Any, value: str | None) -> str | None:
    """ECS answers with the full task-definition ARN whatever form the caller used ("web", "web:2")."""
    if not value:
        return value
    try:
        return str(backend.describe_task_definition(value).arn)
    except Exception:
        return value


def make_deployment(service: Any, task_definition: str | None, now: datetime, deployment_id: str) -> dict[str, Any]:
    strategy = getattr(service, "capacity_provider_strategy", None) or None
    deployment: dict[str, Any] = {
        "id": deployment_id,
        "status": "PRIMARY",
        "taskDefinition": task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": "ECS deployment in progress.",
        "networkConfiguration": service.network_configuration or None,
    }
    if strategy:
        deployment["capacityProviderStrategy"] = strategy
    else:
        deployment["launchType"] = service.launch_type
    if (service.launch_type == "FARGATE") or (strategy and strategy[0].get("capacityProvider") in FARGATE_PROVIDERS):
        deployment["platformVersion"] = "1.4.0"
        deployment["platformFamily"] = "Linux"
    return deployment


def recompute_service(backend: Any, service: Any) -> None:
    """runningCount/pendingCount of the service and of each deployment, from the tasks that exist."""
    tasks = service_tasks(backend, service)
    running = [t for t in tasks if t.last_status == "RUNNING"]
    pending = [t for t in tasks if t.desired_status == "RUNNING" and t.last_status in PENDING_STATES]
    service.running_count = len(running)
    service.pending_count = len(pending)
    for deployment in service.deployments:
        did = deployment.get("id")
        deployment["runningCount"] = sum(1 for t in running if t.started_by == did)
        deployment["pendingCount"] = sum(1 for t in pending if t.started_by == did)
        if deployment.get("status") == "PRIMARY":
            deployment["desiredCount"] = service.desired_count if service.status == "ACTIVE" else 0


def recompute_cluster(backend: Any, cluster_name: str) -> None:
    cluster = backend.clusters.get(cluster_name)
    if cluster is None:
        return
    tasks = list(backend.tasks.get(cluster_name, {}).values())
    cluster.running_tasks_count = sum(1 for t in tasks if t.last_status == "RUNNING")
    cluster.pending_tasks_count = sum(
        1 for t in tasks if t.desired_status == "RUNNING" and t.last_status in PENDING_STATES
    )
    cluster.active_services_count = sum(
        1 for s in backend.services.values() if s.cluster_name == cluster_name and s.status == "ACTIVE"
    )
    instances = backend.container_instances.get(cluster_name, {})
    for instance in instances.values():
        arn = instance.container_instance_arn
        placed = [t for t in tasks if t.container_instance_arn == arn]
        instance.running_tasks_count = sum(1 for t in placed if t.last_status == "RUNNING")
        instance.pending_tasks_count = sum(
            1 for t in placed if t.desired_status == "RUNNING" and t.last_status in PENDING_STATES
        )
    cluster.registered_container_instances_count = sum(1 for i in instances.values() if i.status != "INACTIVE")


def recompute_all(backend: Any) -> None:
    for service in backend.services.values():
        recompute_service(backend, service)
    for name in list(backend.clusters):
        recompute_cluster(backend, name)


# --- ECS backend ------------------------------------------------------------------------------------------

_original_create_service = ecs_models.EC2ContainerServiceBackend.create_service
_original_update_service = ecs_models.EC2ContainerServiceBackend.update_service
_original_stop_task = ecs_models.EC2ContainerServiceBackend.stop_task
_original_create_service_response = ecs_responses.EC2ContainerServiceResponse.create_service


def _create_service(
    self: Any, cluster_str: str, service_name: str, desired_count: int, *args: Any, **kwargs: Any
) -> Any:
    launch_type_given = kwargs.get("launch_type") if "launch_type" in kwargs else (args[5] if len(args) > 5 else None)
    service: Any = _original_create_service(self, cluster_str, service_name, desired_count, *args, **kwargs)
    if not is_simulated(self):
        return service
    now = utcnow()
    cluster = self._get_cluster(cluster_str)
    service.created_at = now
    service.created_by = "arn:aws:iam::123456789012:role/ecstui-demo"
    service.task_definition = task_definition_arn(self, service.task_definition)
    service._ecstui_first_td = service.task_definition
    service.deployment_configuration = dict(DEFAULT_DEPLOYMENT_CONFIGURATION)
    service.events = []
    if not launch_type_given and cluster.default_capacity_provider_strategy:
        # ECS copies the cluster's default strategy onto a service created without a launch type.
        service.capacity_provider_strategy = [dict(item) for item in cluster.default_capacity_provider_strategy]
        service.launch_type = None
    if service.deployments:
        service.deployments = [
            make_deployment(service, service.task_definition, now, str(service.deployments[0]["id"]))
        ]
    recompute_service(self, service)
    recompute_cluster(self, cluster.name)
    return service


def _create_service_response(self: Any) -> Any:
    result = _original_create_service_response(self)
    backend = self.ecs_backend
    if not is_simulated(backend):
        return result
    service = backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
    strategy = self._get_param("capacityProviderStrategy")
    if strategy:
        service.capacity_provider_strategy = strategy
        service.launch_type = None
    config = self._get_param("deploymentConfiguration")
    if config:
        service.deployment_configuration = {**DEFAULT_DEPLOYMENT_CONFIGURATION, **config}
    for param, attr in (
        ("healthCheckGracePeriodSeconds", "health_check_grace_period_seconds"),
        ("enableExecuteCommand", "enable_execute_command"),
        ("enableECSManagedTags", "enable_ecs_managed_tags"),
        ("placementStrategy", "placement_strategy"),
        ("placementConstraints", "placement_constraints"),
    ):
        value = self._get_param(param)
        if value is not None:
            setattr(service, attr, value)
    if service.deployments:
        first = service.deployments[0]
        service.deployments = [make_deployment(service, service.task_definition, first["createdAt"], str(first["id"]))]
    recompute_service(backend, service)
    return result


def _update_service(self: Any, service_properties: dict[str, Any]) -> Any:
    if not is_simulated(self):
        return _original_update_service(self, service_properties)
    cluster_str = service_properties.get("cluster", "default")
    name = str(service_properties.get("service", "")).split("/")[-1]
    before = self._get_service(cluster_str, name)
    old_td = before.task_definition
    old_primary_id = before.deployments[0]["id"] if before.deployments else None
    service: Any = _original_update_service(self, service_properties)
    now = utcnow()
    service.task_definition = task_definition_arn(self, service.task_definition)
    if service.deployments:
        primary = service.deployments[0]
        forced = primary["id"] != old_primary_id
        if forced:
            # moto re-used the primary's dict for forceNewDeployment; give the old deployment its id back.
            new_id = str(primary["id"])
            primary["id"] = old_primary_id
        else:
            new_id = new_deployment_id()
        if forced or service.task_definition != old_td:
            for deployment in service.deployments:
                if deployment["status"] == "PRIMARY":
                    deployment["status"] = "ACTIVE"
                    deployment["updatedAt"] = now
            service.deployments.insert(0, make_deployment(service, service.task_definition, now, new_id))
        sim = getattr(service, "_ecstui_sim", None)
        if sim is not None:
            sim.steady = False
    recompute_service(self, service)
    recompute_cluster(self, service.cluster_name)
    return service


def _stop_task(self: Any, cluster_str: str, task_str: str, reason: str) -> Any:
    if not is_simulated(self):
        return _original_stop_task(self, cluster_str, task_str, reason)
    # ECS only asks a task to stop: desiredStatus becomes STOPPED at once, lastStatus follows as the
    # agent works through DEACTIVATING/STOPPING/DEPROVISIONING (the simulator does that).
    cluster = self._get_cluster(cluster_str)
    task_id = task_str.split("/")[-1]
    for arn, task in self.tasks.get(cluster.name, {}).items():
        if arn.endswith(task_id):
            if task.desired_status != "STOPPED":
                task.desired_status = "STOPPED"
                task.stop_code = "UserInitiated"
                task.stopped_reason = reason or "Task stopped by user"
                task.stopping_at = utcnow()
            return task
    raise InvalidParameterException("The referenced task was not found.")


# --- ELBv2 ------------------------------------------------------------------------------------------------

_original_health_for = elbv2_models.FakeTargetGroup.health_for


def target_health_overrides(target_group: Any) -> dict[tuple[str, int], tuple[str, str | None, str | None]]:
    """Per (target id, port): (state, reason, description) that describe_target_health reports."""
    overrides: dict[tuple[str, int], tuple[str, str | None, str | None]] | None = getattr(
        target_group, "_ecstui_health", None
    )
    if overrides is None:
        overrides = {}
        target_group._ecstui_health = overrides
    return overrides


def _health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
    # moto reports every registered target healthy; ECS's targets go initial -> healthy, or unhealthy,
    # and draining on deregistration. The simulator records those states here, keyed per id and port
    # because on EC2 bridge networking several tasks share one instance id.
    overrides = getattr(self, "_ecstui_health", None)
    if overrides:
        try:
            port = int(target.get("Port", self.port))
        except (TypeError, ValueError):
            port = 0
        found = overrides.get((str(target["Id"]), port))
        if found is not None:
            state, reason, description = found
            return elbv2_models.FakeHealthStatus(
                target["Id"], str(port), self.health_check_port, state, reason, description
            )
    return _original_health_for(self, target, ec2_backend)


def install() -> None:
    """Apply the patches once per process; they only act on backends a simulator attached to."""
    global _installed
    if _installed:
        return
    ecs_models.EC2ContainerServiceBackend.create_service = _create_service  # type: ignore[method-assign]
    ecs_models.EC2ContainerServiceBackend.update_service = _update_service  # type: ignore[method-assign]
    ecs_models.EC2ContainerServiceBackend.stop_task = _stop_task  # type: ignore[method-assign]
    ecs_responses.EC2ContainerServiceResponse.create_service = _create_service_response  # type: ignore[method-assign]
    elbv2_models.FakeTargetGroup.health_for = _health_for  # type: ignore[method-assign]
    _installed = True


def ceil_percent(count: int, percent: int) -> int:
    return math.ceil(count * percent / 100)
