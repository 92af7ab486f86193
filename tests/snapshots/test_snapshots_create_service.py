"""The create-service dialog at 160x45 and 80x24: its top, its network part, its load balancing and auto scaling,
and an error; rendered from the seeded demo account.

Update after an intended change with `pytest tests/snapshots/test_snapshots_create_service.py --snapshot-update`,
and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.create_service import CreateServiceDialog
from ecstui.ui.dialogs.service_network import ServiceNetworkFields
from tests.conftest import boto_client
from tests.snapshots.test_snapshots import SnapCompare, press, select, snap_at
from tests.ui.conftest import make_app, wait_until

Step = Callable[[Pilot[None]], Awaitable[None]]


def loaded() -> Step:
    """The dialog open, its revision read and its network listed (all arrive asynchronously)."""

    async def run(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, CreateServiceDialog))
        dialog = pilot.app.screen
        assert isinstance(dialog, CreateServiceDialog)
        revision = dialog.query_one("#revision", Select)
        fields = dialog.query_one(ServiceNetworkFields)
        await wait_until(
            pilot,
            lambda: (
                revision.value in dialog.definitions
                and bool(fields.subnets.choices)
                and bool(fields.security_groups.choices)
            ),
        )

    return run


def then(pilot_step: Callable[[CreateServiceDialog, Pilot[None]], Awaitable[None]]) -> Step:
    async def run(pilot: Pilot[None]) -> None:
        dialog = pilot.app.screen
        assert isinstance(dialog, CreateServiceDialog)
        await pilot_step(dialog, pilot)
        await pilot.pause()

    return run


def new_cluster(emulator: EmulatorServer) -> None:
    boto_client(emulator, "ecs").create_cluster(clusterName="walk", capacityProviders=["FARGATE", "FARGATE_SPOT"])


def test_create_service_form_top(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), select("prod"), press("n"), loaded(), press(*"orders"))


def test_create_service_network(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    """A cluster with no service to copy: the demo VPC typed, two public subnets picked, a public IP proposed."""
    new_cluster(emulator)

    async def pick(dialog: CreateServiceDialog, pilot: Pilot[None]) -> None:
        fields = dialog.query_one(ServiceNetworkFields)
        dialog.query_one("#vpc-filter", Input).focus()
        await pilot.press(*"demo-vpc", "enter")
        await wait_until(pilot, lambda: any(c.label == "demo-public-a" for c in fields.subnets.choices))
        await pilot.press("tab", *"public", "enter", "down", "enter")
        await pilot.press("tab", *"demo-tasks", "enter")
        await wait_until(pilot, lambda: dialog.query_one("#public-ip", Checkbox).value)
        dialog.query_one("#subnets-filter", Input).focus()

    snap_at(snap_compare, size, make_app(demo_account), select("walk"), press("n"), loaded(), then(pick))


def test_create_service_load_balancing_and_scaling(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget
) -> None:
    """A new internet-facing ALB and auto scaling on: the end of the form."""

    async def choose(dialog: CreateServiceDialog, pilot: Pilot[None]) -> None:
        dialog.query_one("#service-name", Input).focus()
        await pilot.press(*"orders")
        mode = dialog.query_one("#lb-mode", Select)
        mode.focus()
        await pilot.press("enter", "down", "down", "enter")
        await wait_until(pilot, lambda: mode.value == "new")
        dialog.query_one("#scaling-enabled", Checkbox).focus()
        await pilot.press("space")
        await wait_until(pilot, lambda: dialog.query_one("#scaling-enabled", Checkbox).value)
        dialog.query_one("#scaling-target", Input).focus()

    snap_at(snap_compare, size, make_app(demo_account), select("prod"), press("n"), loaded(), then(choose))


def test_create_service_without_subnets_is_refused(
    snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    snap_at(
        snap_compare,
        size,
        make_app(demo_account),
        select("walk"),
        press("n"),
        loaded(),
        press(*"walk-web", "ctrl+s"),
    )
