"""moto's capacity providers made to refuse what ECS refuses, where ecstui's cluster creation and teardown rely on it.

moto stores capacity providers but checks nothing: a second CreateCapacityProvider of the same name silently
replaced the first (and a second provider over one Auto Scaling group was accepted), DeleteCapacityProvider removed
one a cluster still held, and PutClusterCapacityProviders attached names that do not exist. Against that, a
teardown that deletes providers before detaching them, or a create that overwrites someone's provider, would pass.
"""

from __future__ import annotations

from typing import Any

from moto.ecs import models as ecs_models
from moto.ecs.exceptions import ECSException

_FARGATE = ("FARGATE", "FARGATE_SPOT")
_RESERVED_PREFIXES = ("aws", "ecs", "fargate")

_original_create = ecs_models.EC2ContainerServiceBackend.create_capacity_provider
_original_delete = ecs_models.EC2ContainerServiceBackend.delete_capacity_provider
_original_put = ecs_models.EC2ContainerServiceBackend.put_cluster_capacity_providers


def _client_error(message: str) -> ECSException:
    return ECSException("ClientException", message)


def _create_capacity_provider(self: Any, name: str, asg_details: dict[str, Any], tags: Any) -> Any:
    if name.casefold().startswith(_RESERVED_PREFIXES):
        raise _client_error("The capacity provider name cannot begin with 'aws', 'ecs' or 'fargate'.")
    if name in self.capacity_providers:
        raise _client_error(
            "The specified capacity provider already exists. To change the configuration of an "
            "existing capacity provider, update the capacity provider."
        )
    group = (asg_details or {}).get("autoScalingGroupArn")
    for provider in self.capacity_providers.values():
        if (provider.auto_scaling_group_provider or {}).get("autoScalingGroupArn") == group:
            raise _client_error(
                "The specified Auto Scaling group ARN is already being used by another capacity provider. "
                "Specify a unique Auto Scaling group ARN and try again."
            )
    return _original_create(self, name, asg_details, tags)


def _in_use_by(self: Any, provider: Any) -> list[str]:
    return [
        cluster.name
        for cluster in self.clusters.values()
        if cluster.status == "ACTIVE"
        and any(p in (provider.name, provider.capacity_provider_arn) for p in cluster.capacity_providers or ())
    ]


def _delete_capacity_provider(self: Any, name_or_arn: str) -> Any:
    provider = self._get_provider(name_or_arn)
    if provider is None:
        # moto failed with HTTP 500.
        raise _client_error(
            "The specified capacity provider does not exist. Specify a valid name or ARN and try again."
        )
    if _in_use_by(self, provider):
        raise ECSException(
            "ResourceInUseException",
            "The specified capacity provider is in use and cannot be removed.",
        )
    return _original_delete(self, name_or_arn)


def _put_cluster_capacity_providers(
    self: Any,
    cluster_name: str,
    capacity_providers: list[str] | None,
    default_capacity_provider_strategy: list[dict[str, Any]] | None,
) -> Any:
    for name in capacity_providers or ():
        if name not in _FARGATE and self._get_provider(name) is None:
            raise _client_error(f"The specified capacity provider '{name}' does not exist.")
    for item in default_capacity_provider_strategy or ():
        if item.get("capacityProvider") not in (capacity_providers or ()):
            raise ECSException(
                "InvalidParameterException",
                "The specified capacity provider strategy cannot contain a capacity provider that is not "
                "associated with the cluster. Associate the capacity provider with the cluster or specify a valid "
                "capacity provider and try again.",
            )
    return _original_put(self, cluster_name, capacity_providers, default_capacity_provider_strategy)


def apply_capacity_fidelity() -> None:
    backend = ecs_models.EC2ContainerServiceBackend
    backend.create_capacity_provider = _create_capacity_provider  # type: ignore[method-assign]
    backend.delete_capacity_provider = _delete_capacity_provider  # type: ignore[method-assign]
    backend.put_cluster_capacity_providers = _put_cluster_capacity_providers  # type: ignore[method-assign]
