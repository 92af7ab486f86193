"""Deleting a service offers, checked by default, to remove what ecstui created for it and nothing else uses (its
listener, load balancer, target group and scalable target), and removes exactly what stays checked, after the
service is deleted, in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Checkbox, Input, Static

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import Hang
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.dialogs.service import DeleteServiceDialog
from ecstui.ui.screens.services import ServicesScreen
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until
from tests.ui.test_address_that_stays import _behind_a_new_alb

ORDERED = (
    "UpdateService",
    "DeleteService",
    "DeregisterScalableTarget",
    "DeleteListener",
    "DeleteLoadBalancer",
    "DeleteTargetGroup",
)


def _scaled(emulator: EmulatorServer) -> None:
    boto_client(emulator, "application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/prod/node-app",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=2,
        MaxCapacity=4,
    )


async def _open_delete(pilot: Any, app: Any) -> DeleteServiceDialog:
    await wait_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, ServicesScreen)
    assert screen.table.select_key(next(k for k, s in screen.items.items() if s.name == "node-app"))
    await pilot.press("ctrl+d")
    dialog = app.screen
    assert isinstance(dialog, DeleteServiceDialog)
    await wait_until(pilot, lambda: dialog.leftovers is not None and bool(dialog.query(Checkbox)), limit=30)
    await pilot.pause()
    return dialog


def _labels(dialog: DeleteServiceDialog) -> dict[str, bool]:
    return {text_of(box.label).strip(): box.value for box in dialog.query("#cleanup Checkbox").results(Checkbox)}


async def test_deleting_a_service_behind_a_new_alb_removes_its_listener_alb_group_and_scalable_target(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator, tmp_path: Path
) -> None:
    await _behind_a_new_alb(demo_account, emulator)
    _scaled(emulator)
    app = make_app(demo_account, cluster="prod", audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 45)) as pilot:
        dialog = await _open_delete(pilot, app)
        assert _labels(dialog) == {
            "its scalable target (scales 2 to 4 tasks)": True,
            "listener HTTP:80 of node-app-alb": True,
            "load balancer node-app-alb": True,
            "target group node-app-tg": True,
        }
        emulator.log.clear()
        dialog.query_one("#confirm-name", Input).value = "node-app"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen), limit=60)
    sent = [op for op, _ in emulator.log.bodies if op in ORDERED]
    assert sent == list(ORDERED)
    elbv2 = boto_client(emulator, "elbv2")
    names = {lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]}
    assert "node-app-alb" not in names and {"prod-public", "staging-internal", "batch-ingest"} <= names
    groups = {g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]}
    assert "node-app-tg" not in groups and "prod-api" in groups
    targets = boto_client(emulator, "application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")
    assert "service/prod/node-app" not in [t["ResourceId"] for t in targets["ScalableTargets"]]


async def test_an_unchecked_item_is_kept_and_a_service_with_nothing_created_says_so(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator, tmp_path: Path
) -> None:
    await _behind_a_new_alb(demo_account, emulator)
    app = make_app(demo_account, cluster="prod", audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 45)) as pilot:
        dialog = await _open_delete(pilot, app)
        boxes = {text_of(box.label).strip(): box for box in dialog.query("#cleanup Checkbox").results(Checkbox)}
        assert "its scalable target" not in " ".join(boxes)  # not scaled: not offered
        boxes["target group node-app-tg"].value = False
        boxes["load balancer node-app-alb"].value = False
        boxes["listener HTTP:80 of node-app-alb"].value = False
        dialog.query_one("#confirm-name", Input).value = "node-app"
        emulator.log.clear()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen), limit=60)
        # A service of the demo that ecstui did not put behind anything: nothing is offered, and that is said.
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        assert screen.table.select_key(next(k for k, s in screen.items.items() if s.name == "auth"))
        await pilot.press("ctrl+d")
        other = app.screen
        assert isinstance(other, DeleteServiceDialog)
        await wait_until(pilot, lambda: other.leftovers is not None, limit=30)
        await pilot.pause()
        assert "ecstui created no load balancing" in text_of(other.query_one("#cleanup-status", Static).render())
        assert not other.query("#cleanup Checkbox")
    assert not [op for op, _ in emulator.log.bodies if op.startswith("Delete") and op != "DeleteService"]
    assert boto_client(emulator, "elbv2").describe_target_groups(Names=["node-app-tg"])["TargetGroups"]


async def test_confirming_before_the_offer_is_read_sends_nothing_and_says_to_wait(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator, tmp_path: Path
) -> None:
    await _behind_a_new_alb(demo_account, emulator)
    app = make_app(demo_account, cluster="prod", audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        assert screen.table.select_key(next(k for k, s in screen.items.items() if s.name == "node-app"))
        emulator.faults.inject("DescribeTargetGroups", Hang(30), rate=1.0, service="elasticloadbalancing")
        try:
            await pilot.press("ctrl+d")
            dialog = app.screen
            assert isinstance(dialog, DeleteServiceDialog)
            dialog.query_one("#confirm-name", Input).value = "node-app"
            emulator.log.clear()
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "Still looking for what ecstui created" in text_of(
                dialog.query_one("#dialog-error", Static).render()
            )
            assert app.screen is dialog
            assert not [op for op, _ in emulator.log.bodies if op in ("UpdateService", "DeleteService")]
        finally:
            emulator.faults.clear_injections()
