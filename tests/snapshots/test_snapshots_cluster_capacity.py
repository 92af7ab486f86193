"""The create-cluster dialog with EC2 capacity from the demo's Auto Scaling group, its inline error, and the
delete dialog naming the capacity provider ecstui made, at 160x45 and 80x24.

Update after an intended change with `pytest tests/snapshots --snapshot-update`, and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.emulator.seed_capacity import CAPACITY_GROUP
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.widgets.picker import Picker
from tests.conftest import boto_client
from tests.snapshots.test_snapshots import SnapCompare, press, select, snap_at
from tests.ui.conftest import make_app, wait_until


def groups_listed() -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        picker = pilot.app.screen.query_one("#asg", Picker)
        await wait_until(pilot, lambda: len(picker.choices) > 0)

    return run


def ec2_capacity_for(name: str) -> list[Callable[[Pilot[None]], Awaitable[None]]]:
    """Open the dialog, name the cluster, turn EC2 on and pick the demo's group by typing."""
    return [
        press("c"),
        groups_listed(),
        press(*name),
        press("tab", "tab", "tab", "space"),  # EC2 on
        press("tab", *"capacity", "enter"),
    ]


def test_create_cluster_with_ec2_capacity(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget
) -> None:
    snap_at(snap_compare, size, make_app(demo_account), *ec2_capacity_for("shop"))


def test_create_cluster_with_a_bad_target_capacity(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget
) -> None:
    snap_at(
        snap_compare,
        size,
        make_app(demo_account),
        *ec2_capacity_for("shop"),
        press("tab", "tab", "tab", "backspace", "backspace", "backspace", "0"),
        press("ctrl+s"),
    )


def test_delete_cluster_names_the_capacity_provider_ecstui_made(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    arn = boto_client(emulator, "autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[CAPACITY_GROUP])[
        "AutoScalingGroups"
    ][0]["AutoScalingGroupARN"]
    ecs = boto_client(emulator, "ecs")
    ecs.create_capacity_provider(
        name="shop-demo-ecs-capacity",
        autoScalingGroupProvider={"autoScalingGroupArn": arn, "managedScaling": {"status": "ENABLED"}},
        tags=[{"key": "ecstui:cluster", "value": "shop"}],
    )
    ecs.create_cluster(clusterName="shop")
    ecs.put_cluster_capacity_providers(
        cluster="shop", capacityProviders=["FARGATE", "shop-demo-ecs-capacity"], defaultCapacityProviderStrategy=[]
    )

    async def plan_loaded(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await wait_until(pilot, lambda: "shop-demo-ecs-capacity" in str(screen.query_one("#teardown-plan").render()))

    snap_at(snap_compare, size, make_app(demo_account), select("shop"), press("ctrl+d"), plan_loaded)
