"""The load-balancing fields inside a dialog (a test host, as the create-service dialog hosts them) and the delete
dialog's offer to remove what ecstui created for the service, at 160x45 and 80x24.

Update after an intended change with `pytest tests/snapshots/test_snapshots_load_balancing.py --snapshot-update`,
and look at the SVGs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.widgets import Checkbox, Select

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.load_balancing_fields import EXISTING, NEW_ALB
from ecstui.ui.widgets.picker import Picker
from tests.conftest import boto_client
from tests.snapshots.test_snapshots import SnapCompare, snap_at
from tests.ui.conftest import make_app, wait_until
from tests.ui.load_balancing_host import LoadBalancedServiceHost, demo_network
from tests.ui.test_address_that_stays import _behind_a_new_alb

Action = Callable[[Pilot[None]], Awaitable[None]]


def host(emulator: EmulatorServer, mode: str) -> Action:
    async def run(pilot: Pilot[None]) -> None:
        vpc, subnets, groups = demo_network(emulator)
        dialog = LoadBalancedServiceHost("prod", "node-app", vpc, subnets, groups, ports=(("node-app", 3000),))
        pilot.app.push_screen(dialog)
        await wait_until(pilot, lambda: pilot.app.screen is dialog)
        await wait_until(pilot, lambda: bool(dialog.query_one("#lb-balancer", Picker).choices))
        dialog.query_one("#lb-mode", Select).value = mode
        await pilot.pause()
        if mode == EXISTING:
            balancers = dialog.query_one("#lb-balancer", Picker)
            balancers.select([next(c.id for c in balancers.choices if c.label == "prod-public")])
            listeners = dialog.query_one("#lb-listener", Picker)
            await wait_until(pilot, lambda: listeners.value is not None)
            dialog.query_one("#lb-target-group", Picker).focus()
        await pilot.pause(0.1)

    return run


def test_load_balancing_new_alb(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    snap_at(snap_compare, size, make_app(demo_account, cluster="prod"), host(emulator, NEW_ALB))


def test_load_balancing_existing_alb(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    snap_at(snap_compare, size, make_app(demo_account, cluster="prod"), host(emulator, EXISTING))


def test_delete_service_offers_to_remove_what_ecstui_created(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    asyncio.run(_behind_a_new_alb(demo_account, emulator))
    boto_client(emulator, "application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/prod/node-app",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=2,
        MaxCapacity=4,
    )

    async def delete(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        items = getattr(screen, "items", {})
        screen.table.select_key(next(k for k, s in items.items() if s.name == "node-app"))  # type: ignore[attr-defined]
        await pilot.press("ctrl+d")
        dialog = pilot.app.screen
        await wait_until(pilot, lambda: len(list(dialog.query("#cleanup Checkbox").results(Checkbox))) == 4, limit=30)
        await pilot.press(*"node-app")
        await pilot.pause(0.1)

    snap_at(snap_compare, size, make_app(demo_account, cluster="prod"), delete)
