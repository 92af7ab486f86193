"""The create-cluster dialog from the keyboard: Fargate and Spot, EC2 capacity from an Auto Scaling group picked from
the account (over several pages), bad input said inline and nothing sent, and the teardown plan naming the
providers ecstui made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Select, Static

from ecstui.aws.autoscaling_groups import AutoScalingGroupReader
from ecstui.aws.session import AwsTarget
from ecstui.emulator.seed_capacity import CAPACITY_GROUP
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.cluster import DeleteClusterDialog
from ecstui.ui.dialogs.create_cluster import OUT_OF_SCOPE_NOTE, CreateClusterDialog
from ecstui.ui.screens.stats import StatsScreen
from ecstui.ui.widgets.picker import Picker
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until
from tests.ui.test_cluster_actions import error_of, select_cluster

WRITES = ("CreateCapacityProvider", "CreateCluster", "PutClusterCapacityProviders", "DeleteCapacityProvider")


def writes(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in WRITES if emulator.log.counts[op]}


async def open_dialog(pilot: Any) -> CreateClusterDialog:
    await wait_loaded(pilot)
    await pilot.press("c")
    dialog = pilot.app.screen
    assert isinstance(dialog, CreateClusterDialog)
    picker = dialog.query_one("#asg", Picker)
    await wait_until(pilot, lambda: len(picker.choices) > 0)
    return dialog


async def test_fargate_and_spot_with_a_mixed_strategy_and_insights_from_the_keyboard(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot)
        await pilot.press(*"payments")
        await pilot.press("tab", "tab", "space")  # FARGATE is on; FARGATE_SPOT on
        await pilot.press("tab", "tab")  # past EC2, to the strategy
        assert dialog.focused is dialog.query_one("#strategy", Select)
        await pilot.press("enter", "down", "down", "enter")  # FARGATE, FARGATE_SPOT, then the mix
        await pilot.pause()
        assert dialog.query_one("#strategy", Select).value == "fargate-then-spot"
        await pilot.press("tab", "space")  # Container Insights on
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))

    assert writes(emulator) == {"CreateCluster": 1, "PutClusterCapacityProviders": 1}
    [create] = emulator.log.calls("CreateCluster")
    assert create["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    [attach] = emulator.log.calls("PutClusterCapacityProviders")
    assert attach["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert attach["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]


async def test_ec2_capacity_from_the_demos_auto_scaling_group_with_managed_scaling(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        await pilot.press(*"shop")
        await pilot.press("tab", "space")  # FARGATE off
        await pilot.press("tab", "tab", "space")  # EC2 on: the group picker and its settings appear
        assert OUT_OF_SCOPE_NOTE in text_of(dialog.query_one("#ec2-capacity Static", Static).render())
        await pilot.press("tab", *"capacity", "enter")  # filter the groups, pick the one listed
        picker = dialog.query_one("#asg", Picker)
        assert picker.value == CAPACITY_GROUP
        # The demo's group protects new instances from scale-in: termination protection may be turned on.
        protection = dialog.query_one("#termination-protection", Checkbox)
        assert not protection.disabled
        await pilot.press("tab", "tab")  # past managed scaling (on), to the target capacity (the list takes no tab)
        assert dialog.focused is dialog.query_one("#target-capacity", Input)
        await pilot.press("backspace", "backspace", "backspace", *"80")
        await pilot.press("tab", "space")  # managed termination protection on
        # With Fargate off, the strategy offers the EC2 provider first.
        assert dialog.query_one("#strategy", Select).value == "ec2"
        assert "shop-demo-ecs-capacity" in text_of(dialog.query_one("#provider-name", Static).render())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))

    group_arn = boto_client(emulator, "autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[CAPACITY_GROUP]
    )["AutoScalingGroups"][0]["AutoScalingGroupARN"]
    [provider] = emulator.log.calls("CreateCapacityProvider")
    assert provider["name"] == "shop-demo-ecs-capacity"
    assert provider["autoScalingGroupProvider"] == {
        "autoScalingGroupArn": group_arn,
        "managedScaling": {"status": "ENABLED", "targetCapacity": 80},
        "managedTerminationProtection": "ENABLED",
    }
    cluster = boto_client(emulator, "ecs").describe_clusters(clusters=["shop"], include=["SETTINGS"])["clusters"][0]
    assert cluster["capacityProviders"] == ["shop-demo-ecs-capacity"]
    assert cluster["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "shop-demo-ecs-capacity", "weight": 1, "base": 0}
    ]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "disabled"}]


async def test_the_group_picker_lists_every_page_of_groups(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    autoscaling = boto_client(emulator, "autoscaling")
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="lc", ImageId="ami-12345678", InstanceType="t3.small"
    )
    for i in range(60):
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=f"fleet-{i:02d}",
            LaunchConfigurationName="lc",
            MinSize=0,
            MaxSize=2,
            DesiredCapacity=0,
            AvailabilityZones=["us-east-1a"],
        )
    emulator.log.clear()
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    # Pages of 25 (AWS allows up to 100): 61 groups take three.
    app.autoscaling_groups = AutoScalingGroupReader(app.session, page_size=25)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot)
        picker = dialog.query_one("#asg", Picker)
        assert len(picker.choices) == 61
        assert picker.choice("fleet-59") is not None
        assert "min 0, max 2, desired 0" in picker.choice("fleet-59").detail  # type: ignore[union-attr]
    assert [c["MaxRecords"] for c in emulator.log.calls("DescribeAutoScalingGroups")] == ["25", "25", "25"]
    assert emulator.log.violations == []


async def test_bad_input_is_said_inline_keeps_what_was_typed_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        await pilot.press(*"shop")
        dialog.query_one("#cp-EC2", Checkbox).value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Choose the Auto Scaling group" in error_of(dialog)
        dialog.query_one("#asg", Picker).select([CAPACITY_GROUP])
        target = dialog.query_one("#target-capacity", Input)
        target.value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "target capacity" in error_of(dialog)
        assert target.value == "0"
        assert dialog.query_one("#cluster-name", Input).value == "shop"
        # The error is on screen without scrolling, and so are the buttons.
        error = dialog.query_one("#dialog-error", Static)
        assert error.region.bottom <= app.screen.size.height
        assert dialog.query_one("#dialog-confirm").region.bottom <= app.screen.size.height
        target.value = "101"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "target capacity" in error_of(dialog)
        assert app.screen is dialog
    assert writes(emulator) == {}


async def test_the_teardown_plan_names_the_providers_ecstui_made_and_deletes_them(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot)
        await pilot.press(*"shop")
        dialog.query_one("#cp-EC2", Checkbox).value = True
        dialog.query_one("#asg", Picker).select([CAPACITY_GROUP])
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
        app.refresh_current_pane()
        await wait_until(pilot, lambda: any(c.name == "shop" for c in app.screen.items.values()))  # type: ignore[attr-defined]
        await select_cluster(pilot, "shop")
        await pilot.press("ctrl+d")
        delete = app.screen
        assert isinstance(delete, DeleteClusterDialog)
        plan = delete.query_one("#teardown-plan", Static)
        await wait_until(pilot, lambda: "shop-demo-ecs-capacity" in text_of(plan.render()))
        assert "also detaches and deletes capacity provider shop-demo-ecs-capacity" in text_of(plan.render())
        await pilot.press(*"shop", "ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen), limit=30)
    assert emulator.log.calls("DeleteCapacityProvider") == [{"capacityProvider": "shop-demo-ecs-capacity"}]


async def test_stats_show_the_auto_scaling_bucket_the_group_listing_spent(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 45)) as pilot:
        await open_dialog(pilot)
        await pilot.press("escape")
        await pilot.press("colon", *"stats", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen) and bool(app.screen.body))
        shown = text_of(app.screen.body)  # type: ignore[attr-defined]
    assert "autoscaling describe" in shown
    assert "share of each AWS bucket" in shown
