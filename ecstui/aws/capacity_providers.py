"""The capacity providers ecstui makes for a cluster's EC2 capacity: their names, their tag, and finding them again.

A capacity provider ties an Auto Scaling group to one cluster. ecstui names it `<cluster>-<group>` and tags it
`ecstui:cluster=<cluster>`, so that tearing the cluster down deletes what ecstui created for it, and nothing that
someone else attached (a provider shared by hand, or made by infrastructure code) is ever deleted.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

from ecstui.aws.parse import _objs, _str
from ecstui.aws.read_errors import reads_aws
from ecstui.aws.session import AwsSession

# Tagged on every capacity provider ecstui creates; the value is the cluster it was made for.
CREATED_FOR_CLUSTER_TAG: Final = "ecstui:cluster"
# Fargate's providers belong to AWS: never created, never described (DescribeCapacityProviders lists them only
# when asked for every provider), never deleted.
FARGATE_PROVIDERS: Final = ("FARGATE", "FARGATE_SPOT")
# DescribeCapacityProviders takes up to 100 names a call.
DESCRIBE_CAPACITY_PROVIDERS_BATCH: Final = 100
# A capacity provider's name: up to 255 letters, digits, hyphens and underscores, not starting with "aws", "ecs"
# or "fargate" (ECS reserves them, in any case).
MAX_PROVIDER_NAME: Final = 255
_RESERVED_PREFIXES: Final = ("aws", "ecs", "fargate")
_NOT_IN_A_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def capacity_provider_name(cluster: str, group: str) -> str:
    """`<cluster>-<group>`, made a valid provider name: other characters of the group's name (Auto Scaling allows
    spaces, dots, colons…) become hyphens, and a name ECS reserves ("ecs-prod-…") gets "cp-" in front."""
    name = _NOT_IN_A_NAME.sub("-", f"{cluster}-{group}").strip("-") or "capacity"
    if name.casefold().startswith(_RESERVED_PREFIXES):
        name = f"cp-{name}"
    return name[:MAX_PROVIDER_NAME]


def capacity_providers_note(cluster: str, created: Sequence[str]) -> str:
    """What a teardown does with the providers ecstui created, as the delete dialog's plan says it."""
    plural = "s" if len(created) != 1 else ""
    return (
        f"Deleting {cluster} also detaches and deletes capacity provider{plural} {', '.join(created)}, which ecstui "
        "created for it (the Auto Scaling groups and their instances stay)."
    )


def is_created_for(provider: dict[str, Any], cluster: str) -> bool:
    """Whether ecstui created this provider (as DescribeCapacityProviders answers it, with TAGS) for `cluster`."""
    for tag in _objs(provider.get("tags")):
        if _str(tag.get("key")) == CREATED_FOR_CLUSTER_TAG and _str(tag.get("value")) == cluster:
            return True
    return False


Send = Callable[[Awaitable[Any]], Awaitable[Any]]


async def describe_providers(ecs: Any, send: Send, names: Sequence[str]) -> list[dict[str, Any]]:
    """The named Auto Scaling group providers with their tags, 100 a call; the Fargate ones are skipped."""
    wanted = [name for name in dict.fromkeys(names) if name not in FARGATE_PROVIDERS]
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), DESCRIBE_CAPACITY_PROVIDERS_BATCH):
        batch = wanted[start : start + DESCRIBE_CAPACITY_PROVIDERS_BATCH]
        response = await send(ecs.describe_capacity_providers(capacityProviders=batch, include=["TAGS"]))
        found.extend(dict(p) for p in _objs(response.get("capacityProviders")))
    return found


async def created_for_cluster(ecs: Any, send: Send, cluster: str, names: Sequence[str]) -> list[str]:
    """Of the providers attached to `cluster`, those ecstui created for it (by their tag), in the cluster's order."""
    created = {_str(p.get("name")) for p in await describe_providers(ecs, send, names) if is_created_for(p, cluster)}
    return [name for name in names if name in created]


async def attached_to_cluster(ecs: Any, send: Send, cluster: str) -> list[str]:
    """The capacity providers a cluster holds (Fargate's included)."""
    response = await send(ecs.describe_clusters(clusters=[cluster]))
    return [str(name) for c in _objs(response.get("clusters")) for name in c.get("capacityProviders") or ()]


class CapacityProviderReader:
    """Which of a cluster's capacity providers ecstui created, for the teardown plan the delete dialog shows."""

    def __init__(self, session: AwsSession) -> None:
        self.session = session

    @reads_aws
    async def created_for(self, cluster: str) -> list[str]:
        """The capacity providers ecstui created for `cluster`, which tearing it down deletes."""

        async def send(request: Awaitable[Any]) -> Any:
            return await request

        ecs = await self.session.ecs()
        return await created_for_cluster(ecs, send, cluster, await attached_to_cluster(ecs, send, cluster))


__all__ = [
    "CREATED_FOR_CLUSTER_TAG",
    "DESCRIBE_CAPACITY_PROVIDERS_BATCH",
    "FARGATE_PROVIDERS",
    "CapacityProviderReader",
    "attached_to_cluster",
    "capacity_provider_name",
    "capacity_providers_note",
    "created_for_cluster",
    "describe_providers",
    "is_created_for",
]
