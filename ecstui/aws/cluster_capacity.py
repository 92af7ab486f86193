"""Create a cluster with its compute: Fargate (and Spot), EC2 capacity from an Auto Scaling group, or both.

EC2 capacity is a capacity provider over an existing Auto Scaling group (ecstui launches no instances: the group
and its launch template come first). The cluster is made in the order ECS needs: the capacity provider, the
cluster with its settings (Container Insights), then its providers and default strategy
(PutClusterCapacityProviders), so that every service and task without a launch type lands where the plan says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ecstui.aws.actions import EcsActions, UncertainOutcome, _Call
from ecstui.aws.capacity_providers import (
    CREATED_FOR_CLUSTER_TAG,
    FARGATE_PROVIDERS,
    capacity_provider_name,
    describe_providers,
    is_created_for,
)
from ecstui.aws.errors import AwsError
from ecstui.aws.models import CapacityProviderStrategyItem, Cluster
from ecstui.aws.parse import _obj, _str, cluster_from_api
from ecstui.aws.validation import Invalid, NumberField, parse_cluster_name

# ECS's ranges: managed scaling's target capacity is a percentage 1..100; a strategy item's weight 0..1000 and
# base 0..100000.
TARGET_CAPACITY = NumberField("target capacity", 1, 100)
STRATEGY_WEIGHT = NumberField("weight", 0, 1000)
STRATEGY_BASE = NumberField("base", 0, 100_000)

Insights = Literal["enabled", "disabled", "enhanced"]


@dataclass(frozen=True, slots=True)
class Ec2Capacity:
    """A capacity provider over one Auto Scaling group."""

    group_name: str
    group_arn: str
    managed_scaling: bool = True  # ECS sets the group's desired count from what its tasks need
    target_capacity: int = 100  # how full (%) managed scaling keeps the instances
    # ECS keeps instances running tasks from being scaled in; needs managed scaling and the group's scale-in
    # protection of new instances.
    managed_termination_protection: bool = False
    group_protects_new_instances: bool = False


@dataclass(frozen=True, slots=True)
class NewCluster:
    """What the create-cluster form asks for, once read."""

    name: str
    fargate: bool = True
    fargate_spot: bool = False
    ec2: Ec2Capacity | None = None
    default_strategy: tuple[CapacityProviderStrategyItem, ...] = ()
    container_insights: Insights = "disabled"

    @property
    def ec2_provider(self) -> str | None:
        return capacity_provider_name(self.name, self.ec2.group_name) if self.ec2 is not None else None

    @property
    def providers(self) -> list[str]:
        names = [p for p, on in zip(FARGATE_PROVIDERS, (self.fargate, self.fargate_spot), strict=True) if on]
        return [*names, self.ec2_provider] if self.ec2_provider else names


def new_cluster_problem(plan: NewCluster) -> str | None:
    """One sentence on what ECS would refuse in the plan (or what could never work), or None."""
    name = parse_cluster_name(plan.name)
    if isinstance(name, Invalid):
        return name.message
    if plan.ec2 is not None:
        ec2 = plan.ec2
        if not ec2.group_arn.startswith("arn:") or ":autoScalingGroup:" not in ec2.group_arn:
            return f"Auto Scaling group {ec2.group_name!r} has no ARN ecstui could read: choose it from the list."
        target = TARGET_CAPACITY.parse(ec2.target_capacity)
        if isinstance(target, Invalid):
            return target.message
        if ec2.managed_termination_protection and not ec2.managed_scaling:
            return "Managed termination protection needs managed scaling on."
        if ec2.managed_termination_protection and not ec2.group_protects_new_instances:
            # ECS refuses it: without scale-in protection the group could still end an instance running tasks.
            return (
                f"Managed termination protection needs instance scale-in protection on group {ec2.group_name}; "
                "turn that on in the group first, or leave termination protection off."
            )
    providers = plan.providers
    strategy = plan.default_strategy
    for item in strategy:
        if item.capacity_provider not in providers:
            return f"The default strategy uses {item.capacity_provider}, which the cluster does not have."
        for field, value in ((STRATEGY_WEIGHT, item.weight), (STRATEGY_BASE, item.base)):
            checked = field.parse(value)
            if isinstance(checked, Invalid):
                return checked.message
    used = {item.capacity_provider for item in strategy}
    if used & set(FARGATE_PROVIDERS) and used - set(FARGATE_PROVIDERS):
        return "A strategy holds Fargate providers or Auto Scaling group providers, not both (ECS refuses the mix)."
    if sum(1 for item in strategy if item.base > 0) > 1:
        return "Only one provider of a strategy may have a base."
    if strategy and not any(item.weight > 0 for item in strategy):
        return "At least one provider of the default strategy needs a weight above 0."
    return None


def _strategy(items: Sequence[CapacityProviderStrategyItem]) -> list[dict[str, Any]]:
    return [{"capacityProvider": i.capacity_provider, "weight": i.weight, "base": i.base} for i in items]


def _capacity_provider_request(plan: NewCluster) -> dict[str, Any]:
    assert plan.ec2 is not None and plan.ec2_provider is not None
    ec2 = plan.ec2
    scaling: dict[str, Any] = {"status": "ENABLED" if ec2.managed_scaling else "DISABLED"}
    if ec2.managed_scaling:
        scaling["targetCapacity"] = ec2.target_capacity
    return {
        "name": plan.ec2_provider,
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": ec2.group_arn,
            "managedScaling": scaling,
            "managedTerminationProtection": "ENABLED" if ec2.managed_termination_protection else "DISABLED",
        },
        "tags": [{"key": CREATED_FOR_CLUSTER_TAG, "value": plan.name}],
    }


class ClusterCapacityActions(EcsActions):
    """Creates a cluster with its capacity providers; refused in read-only, one at a time, audited."""

    async def create_cluster_with_capacity(self, plan: NewCluster) -> Cluster:
        self._refuse_if_read_only("create_cluster")
        problem = new_cluster_problem(plan)
        if problem is not None:
            raise AwsError(problem, kind="invalid")
        provider_request = _capacity_provider_request(plan) if plan.ec2 is not None else None
        cluster_request: dict[str, Any] = {
            "clusterName": plan.name,
            "settings": [{"name": "containerInsights", "value": plan.container_insights}],
        }
        attach_request: dict[str, Any] = {
            "cluster": plan.name,
            "capacityProviders": plan.providers,
            "defaultCapacityProviderStrategy": _strategy(plan.default_strategy),
        }
        parameters: dict[str, Any] = {"CreateCluster": cluster_request}
        if provider_request is not None:
            parameters["CreateCapacityProvider"] = provider_request
        if plan.providers:
            parameters["PutClusterCapacityProviders"] = attach_request
        call = _Call("create_cluster", plan.name, parameters)

        async def body(call: _Call) -> Cluster:
            ecs = await self.session.ecs()
            if provider_request is not None:
                await self._create_provider_once(plan, provider_request)
            try:
                created = await self._send_change("CreateCluster", ecs.create_cluster(**cluster_request))
                cluster = _obj(created.get("cluster"))
                if plan.providers:
                    attached = await self._send_change(
                        "PutClusterCapacityProviders", ecs.put_cluster_capacity_providers(**attach_request)
                    )
                    cluster = _obj(attached.get("cluster")) or cluster
            except AwsError as error:
                if provider_request is None or isinstance(error, UncertainOutcome):
                    raise
                # Confirm again finds the provider made for this cluster and goes on from there.
                raise AwsError(
                    f"Capacity provider {plan.ec2_provider} was created, then: {error.message}",
                    kind=error.kind,
                    code=error.code,
                    operation=error.operation,
                ) from error
            return cluster_from_api(cluster)

        return await self._mutate(call, body)

    async def _create_provider_once(self, plan: NewCluster, request: dict[str, Any]) -> None:
        """CreateCapacityProvider, sent once (a second one answers "already exists"); one made for this cluster
        over the same group by an earlier, half-finished attempt is taken as it is."""
        assert plan.ec2 is not None and plan.ec2_provider is not None
        ecs = await self.session.ecs()
        for existing in await describe_providers(ecs, self._send, [plan.ec2_provider]):
            group = _str(_obj(existing.get("autoScalingGroupProvider")).get("autoScalingGroupArn"))
            if is_created_for(existing, plan.name) and group == plan.ec2.group_arn:
                return
            raise AwsError(
                f"A capacity provider named {plan.ec2_provider} already exists (for another cluster or group); "
                "delete it, or give the cluster another name.",
                kind="invalid",
            )
        once = await self.session.ecs_no_retry()
        await self._send_retrying_throttles_only(
            lambda: once.create_capacity_provider(**request), "CreateCapacityProvider"
        )


__all__ = [
    "STRATEGY_BASE",
    "STRATEGY_WEIGHT",
    "TARGET_CAPACITY",
    "ClusterCapacityActions",
    "Ec2Capacity",
    "NewCluster",
    "new_cluster_problem",
]
