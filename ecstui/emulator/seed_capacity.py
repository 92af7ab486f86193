"""The demo account's Auto Scaling group for EC2 capacity: what the create-cluster dialog offers to attach.

ecstui launches no instances itself (a capacity provider attaches a group that exists, with its launch template),
so the demo holds one such group, empty as a fresh one is: managed scaling would grow it once tasks need room.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from moto.moto_api._internal import mock_random

CAPACITY_GROUP = "demo-ecs-capacity"
CAPACITY_TEMPLATE = "demo-ecs-instances"
# Its ids are drawn from a stream of their own: the ids drawn after seeding (tasks, ENIs, IPs, which the
# snapshots show) stay what they were without the group.
_OWN_SEED = 1_000_003


@contextmanager
def _ids_of_their_own() -> Iterator[None]:
    state = mock_random.getstate()
    mock_random.seed(_OWN_SEED)
    try:
        yield
    finally:
        mock_random.setstate(state)


def seed_capacity_group(ec2: Any, autoscaling: Any, subnets: Sequence[str], image_id: str) -> str:
    """One launch template and an empty Auto Scaling group over it in `subnets`; returns the group's name."""
    with _ids_of_their_own():
        ec2.create_launch_template(
            LaunchTemplateName=CAPACITY_TEMPLATE,
            LaunchTemplateData={"ImageId": image_id, "InstanceType": "c5.large"},
        )
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=CAPACITY_GROUP,
            LaunchTemplate={"LaunchTemplateName": CAPACITY_TEMPLATE, "Version": "$Default"},
            MinSize=0,
            MaxSize=6,
            DesiredCapacity=0,
            VPCZoneIdentifier=",".join(subnets),
            # Managed termination protection needs it: ECS then keeps instances running tasks from scale-in.
            NewInstancesProtectedFromScaleIn=True,
            Tags=[{"Key": "Name", "Value": "ecs-capacity", "PropagateAtLaunch": True}],
        )
    return CAPACITY_GROUP


__all__ = ["CAPACITY_GROUP", "CAPACITY_TEMPLATE", "seed_capacity_group"]
