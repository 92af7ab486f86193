"""Put ECS state into the emulator with the synchronous boto3 client, for the reader tests."""

from __future__ import annotations

import json
from typing import Any

TASK_FAMILY = "web"
# One of the images moto ships with (listing them all costs seconds).
ANY_MOTO_IMAGE = "ami-03cf127a"


def register_small_task_definition(ecs: Any, family: str = TASK_FAMILY) -> str:
    """A bridge-mode revision small enough that hundreds of its tasks fit on one emulated instance."""
    response = ecs.register_task_definition(
        family=family,
        networkMode="bridge",
        containerDefinitions=[{"name": "app", "image": "nginx:1.27", "memory": 8, "essential": True}],
    )
    return str(response["taskDefinition"]["taskDefinitionArn"])


def register_container_instance(ecs: Any, ec2: Any, cluster: str) -> str:
    """An EC2 instance registered to the cluster (moto checks the instance exists; only instanceId is read)."""
    reservation = ec2.run_instances(ImageId=ANY_MOTO_IMAGE, MinCount=1, MaxCount=1, InstanceType="t3.large")
    instance = reservation["Instances"][0]
    document = json.dumps(
        {"instanceId": instance["InstanceId"], "availabilityZone": "us-east-1a", "region": "us-east-1"}
    )
    response = ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=document)
    return str(response["containerInstance"]["containerInstanceArn"])


def create_services(ecs: Any, cluster: str, names: list[str], task_definition: str = TASK_FAMILY) -> None:
    for name in names:
        ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=task_definition, desiredCount=0)


def run_service_tasks(ecs: Any, cluster: str, service: str, count: int, task_definition: str = TASK_FAMILY) -> None:
    """Start `count` tasks in the service's group, ten per RunTask as ECS allows."""
    started = 0
    while started < count:
        batch = min(10, count - started)
        response = ecs.run_task(
            cluster=cluster,
            taskDefinition=task_definition,
            count=batch,
            launchType="EC2",
            group=f"service:{service}",
        )
        assert len(response["tasks"]) == batch, response.get("failures")
        started += batch
