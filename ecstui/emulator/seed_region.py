"""The demo account's second region: eu-west-1 with one small cluster, `eu-prod`, to switch to with `:region`.

Kept cheap (one cluster, one task definition, one service) and drawn from an id stream of its own, so that the
first region's ids, which the snapshots show, stay what they were without it. moto serves every region from
the one server: nothing else is started for it.
"""

from __future__ import annotations

from ecstui.emulator.seed import client
from ecstui.emulator.seed_capacity import _ids_of_their_own

SECOND_REGION = "eu-west-1"
SECOND_CLUSTER = "eu-prod"


def seed_second_region(endpoint_url: str, region: str = SECOND_REGION) -> None:
    """Cluster `eu-prod` in `region` with one service, `eu-api` (two tasks wanted, on EC2)."""
    ecs = client("ecs", endpoint_url, region)
    with _ids_of_their_own():
        ecs.create_cluster(clusterName=SECOND_CLUSTER, tags=[{"key": "env", "value": "prod"}])
        ecs.register_task_definition(
            family="eu-api",
            networkMode="bridge",
            requiresCompatibilities=["EC2"],
            containerDefinitions=[
                {"name": "eu-api", "image": "public.ecr.aws/nginx/nginx:1.27", "memory": 512, "essential": True}
            ],
        )
        ecs.create_service(
            cluster=SECOND_CLUSTER, serviceName="eu-api", taskDefinition="eu-api", desiredCount=2, launchType="EC2"
        )


__all__ = ["SECOND_CLUSTER", "SECOND_REGION", "seed_second_region"]
