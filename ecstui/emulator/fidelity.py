"""Small corrections that make moto's ECS answer as ECS does where a console depends on it.

Applied once per process by `apply_fidelity_patches()`; each patch names the ECS behaviour it restores.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.ecs.exceptions import ECSException
from moto.iam import models as iam_models
from moto.moto_api._internal import mock_random

from ecstui.emulator.capacity_fidelity import apply_capacity_fidelity
from ecstui.emulator.logs_fidelity import apply_logs_fidelity
from ecstui.emulator.speedups import memo_arn

_applied = False


class ClusterContainsServicesException(ECSException):
    def __init__(self) -> None:
        super().__init__(
            "ClusterContainsServicesException",
            "The Cluster cannot be deleted while Services are active.",
        )


def _list_tasks(
    self: Any,
    cluster_str: str | None = None,
    container_instance: str | None = None,
    family: str | None = None,
    started_by: str | None = None,
    service_name: str | None = None,
    desired_status: str | None = None,
    launch_type: str | None = None,
) -> list[Any]:
    # ECS: filters by serviceName and launchType, matches the cluster exactly (moto matched a
    # substring, so "web" also listed the tasks of "web-prod"), and without desiredStatus lists only
    # tasks whose desired status is RUNNING.
    cluster = self._get_cluster(cluster_str or "default")
    tasks = list(self.tasks.get(cluster.name, {}).values())
    if container_instance:
        tasks = [t for t in tasks if t.container_instance_arn and container_instance in t.container_instance_arn]
    if family:
        arns = set(self.list_task_definitions(family))
        tasks = [t for t in tasks if t.task_definition_arn in arns]
    if started_by:
        tasks = [t for t in tasks if t.started_by == started_by]
    if service_name:
        name = service_name.rsplit("/", 1)[-1]
        tasks = [t for t in tasks if t.group == f"service:{name}"]
    if launch_type:
        tasks = [t for t in tasks if (t.launch_type or "EC2") == launch_type]
    wanted = desired_status or "RUNNING"
    return [t for t in tasks if t.desired_status == wanted]


def _list_tasks_response(self: Any) -> Any:
    tasks = self.ecs_backend.list_tasks(
        self._get_param("cluster", "default"),
        self._get_param("containerInstance"),
        self._get_param("family"),
        self._get_param("startedBy"),
        self._get_param("serviceName"),
        self._get_param("desiredStatus"),
        self._get_param("launchType"),
    )
    # The ARN format is looked up once for the listing, not once a task (see speedups.memo_arn).
    long_format = bool(self.ecs_backend.enable_long_arn_for_name(name="taskLongArnFormat"))
    return ActionResult({"taskArns": [memo_arn(t, "task_arn", long_format) for t in tasks]})


_original_delete_cluster = ecs_models.EC2ContainerServiceBackend.delete_cluster


def _delete_cluster(self: Any, cluster_str: str) -> Any:
    # ECS refuses to delete a cluster that still has ACTIVE or DRAINING services, tasks that have not
    # stopped, or registered container instances; moto refused none of them.
    cluster = self._get_cluster(cluster_str)
    for service in self.services.values():
        if service.cluster_name == cluster.name and service.status in ("ACTIVE", "DRAINING"):
            raise ClusterContainsServicesException()
    if any(task.last_status != "STOPPED" for task in self.tasks.get(cluster.name, {}).values()):
        raise ECSException("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
    if self.container_instances.get(cluster.name):
        raise ECSException(
            "ClusterContainsContainerInstancesException",
            "The Cluster cannot be deleted while Container Instances are active or draining.",
        )
    return _original_delete_cluster(self, cluster_str)


# The AWS managed policies ECS walks need. moto knows AWS's ~1,600 managed policies but loads none of them unless
# told to (MOTO_IAM_LOAD_MANAGED_POLICIES; half a second of JSON per process), so attaching
# AmazonECSTaskExecutionRolePolicy, as the console does when it creates ecsTaskExecutionRole, was NoSuchEntity.
# Its document as AWS publishes it (moto's copy, v1).
_ECS_MANAGED_POLICIES: dict[str, dict[str, Any]] = {
    "AmazonECSTaskExecutionRolePolicy": {
        "CreateDate": "2017-11-16T18:48:22+00:00",
        "UpdateDate": "2017-11-16T18:48:22+00:00",
        "DefaultVersionId": "v1",
        "Path": "/service-role/",
        "Document": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [
                        "ecr:GetAuthorizationToken",
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchGetImage",
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                    ],
                    "Resource": "*",
                }
            ],
        },
    },
    # What EventBridge rules and Scheduler schedules run ECS tasks with (ecsEventsRole; moto's copy, v3).
    "AmazonEC2ContainerServiceEventsRole": {
        "CreateDate": "2017-05-30T16:51:35+00:00",
        "UpdateDate": "2023-03-06T22:25:12+00:00",
        "DefaultVersionId": "v3",
        "Path": "/service-role/",
        "Document": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["ecs:RunTask"], "Resource": ["*"]},
                {
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": ["*"],
                    "Condition": {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
                },
                {
                    "Effect": "Allow",
                    "Action": "ecs:TagResource",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"ecs:CreateAction": ["RunTask"]}},
                },
            ],
        },
    },
}

_original_init_aws_policies = iam_models.IAMBackend._init_aws_policies


def _init_aws_policies(self: Any) -> list[Any]:
    policies: list[Any] = _original_init_aws_policies(self)
    known = {policy.name for policy in policies}
    # Making a policy draws its id from moto's random stream: put the stream back, so that every id drawn after
    # (the demo's tasks, ENIs and IPs, which the snapshots show) is what it was without this policy.
    state = mock_random.getstate()
    try:
        policies += [
            iam_models.AWSManagedPolicy.from_data(name, self.account_id, self.region_name, data)
            for name, data in _ECS_MANAGED_POLICIES.items()
            if name not in known
        ]
    finally:
        mock_random.setstate(state)
    return policies


def _task_resource_requirements(task_definition: Any) -> dict[str, Any]:
    # ECS reserves the task-level CPU and memory when they are set; a container may then set neither memory nor
    # memoryReservation (valid on Fargate). moto added every container's memory, None for such a container, so
    # RunTask of a valid Fargate task definition answered HTTP 500.
    cpu = 0
    memory = 0
    ports: list[Any] = []
    for container in task_definition.container_definitions:
        cpu += int(container.get("cpu", container.get("Cpu")) or 0)
        memory += int(
            container.get("memory")
            or container.get("memoryReservation")
            or container.get("Memory")
            or container.get("MemoryReservation")
            or 0
        )
        for mapping in container.get("portMappings", container.get("PortMappings")) or []:
            host_port = mapping.get("hostPort", mapping.get("HostPort"))
            if host_port is not None:
                ports.append(host_port)
    return {
        "CPU": int(task_definition.cpu) if task_definition.cpu and not cpu else cpu,
        "MEMORY": int(task_definition.memory) if task_definition.memory and not memory else memory,
        "PORTS": ports,
        "PORTS_UDP": [],
    }


def _list_task_definition_families_response(self: Any) -> Any:
    """ListTaskDefinitionFamilies with its `status` (moto ignores it and names every family it ever held): ACTIVE
    names families with an ACTIVE revision, INACTIVE those with none left ACTIVE but an INACTIVE one, ALL both."""
    prefix = self._get_param("familyPrefix")
    status = self._get_param("status") or "ACTIVE"
    families = []
    for family, revisions in self.ecs_backend.task_definitions.items():
        if prefix is not None and not family.startswith(prefix):
            continue
        states = {definition.status for definition in revisions.values()}
        active = "ACTIVE" in states
        if (
            (status == "ACTIVE" and active)
            or (status == "INACTIVE" and not active and "INACTIVE" in states)
            or (status == "ALL" and states & {"ACTIVE", "INACTIVE"})
        ):
            families.append(family)
    return ActionResult({"families": families})


def apply_fidelity_patches() -> None:
    global _applied
    if _applied:
        return
    ecs_models.EC2ContainerServiceBackend.list_tasks = _list_tasks  # type: ignore[method-assign,assignment]
    ecs_responses.EC2ContainerServiceResponse.list_tasks = _list_tasks_response  # type: ignore[method-assign]
    ecs_models.EC2ContainerServiceBackend.delete_cluster = _delete_cluster  # type: ignore[method-assign]
    ecs_responses.EC2ContainerServiceResponse.list_task_definition_families = (  # type: ignore[method-assign]
        _list_task_definition_families_response
    )
    iam_models.IAMBackend._init_aws_policies = _init_aws_policies  # type: ignore[method-assign]

    ecs_models.EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(  # type: ignore[method-assign]
        _task_resource_requirements
    )
    apply_capacity_fidelity()
    apply_logs_fidelity()
    _applied = True
