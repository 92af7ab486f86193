"""The service pane: deployments, stop causes, load balancing and events; roll back reaches AWS once, or not at all."""

from __future__ import annotations

import dataclasses
from typing import Any

from textual.widgets import Static

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.screens.service_detail import ServiceDetailScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.traffic import TIMES
from tests.conftest import boto_client
from tests.ui.broken import broken_account
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

__all__ = ["broken_account"]

MUTATING = ("UpdateService", "DeleteService", "StopTask", "RunTask", "RegisterTaskDefinition", "CreateService")


def sent(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in MUTATING if emulator.log.counts[op]}


def describe(emulator: EmulatorServer, name: str) -> dict[str, Any]:
    service: dict[str, Any] = boto_client(emulator, "ecs").describe_services(cluster="prod", services=[name])[
        "services"
    ][0]
    return service


async def open_service(pilot: Any, app: EcsApp, name: str) -> ServiceDetailScreen:
    await wait_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, ServicesScreen)
    assert screen.table.select_key(next(k for k, s in screen.items.items() if s.name == name))
    await pilot.press("v")
    await wait_loaded(pilot)
    assert isinstance(app.screen, ServiceDetailScreen)
    return app.screen


async def test_v_shows_deployments_stop_causes_load_balancing_and_events(broken_account: AwsTarget) -> None:
    app = make_app(broken_account, cluster="prod")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_service(pilot, app, "payments")
        body = text_of(screen.body)
        for section in ("Summary", "Deployments", "Stopped tasks by cause", "Load balancing", "Events"):
            assert section in body
        assert "PRIMARY" in body and "Security groups" in body
        # The stop summary: one line per cause, with how many tasks.
        assert any("failed ELB health checks" in line and TIMES in line for line in body.splitlines())
        assert "prod-public" in body and ".elb.amazonaws.com" in body and "stable address" in body
        assert "path /payments/*" in body  # the listener rule that forwards to the group
        assert "unhealthy" in body and "Target.FailedHealthChecks" in body
        events = screen.view.service.events if screen.view else ()
        times = [e.created_at for e in events if e.created_at]
        assert times == sorted(times, reverse=True)


async def test_slash_filters_the_events_and_escape_clears_the_filter(broken_account: AwsTarget) -> None:
    app = make_app(broken_account, cluster="prod")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_service(pilot, app, "payments")
        await pilot.press("slash", *"unhealthy", "enter")
        body = text_of(screen.body)
        events = body.split("Events (", 1)[1]
        assert "filter: unhealthy" in events
        lines = [line for line in events.splitlines()[1:] if " ago " in line]
        assert lines and all("unhealthy" in line for line in lines)
        await pilot.press("escape")
        assert screen.events_filter == ""
        assert isinstance(app.screen, ServiceDetailScreen)  # the first escape only cleared the filter


async def test_b_rolls_a_stuck_deployment_back_to_the_active_one(
    broken_account: AwsTarget, emulator: EmulatorServer
) -> None:
    before = describe(emulator, "cart")
    active = next(d for d in before["deployments"] if d["status"] == "ACTIVE")["taskDefinition"]
    assert active != before["taskDefinition"]
    app = make_app(broken_account, cluster="prod")
    async with app.run_test(size=(160, 40)) as pilot:
        await open_service(pilot, app, "cart")
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "cart:2" in str(app.screen.query_one("#dialog-body Static", Static).render())
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
    assert describe(emulator, "cart")["taskDefinition"] == active
    assert sent(emulator) == {"UpdateService": 1}


async def test_b_without_an_active_deployment_rolls_back_to_the_previous_revision(
    broken_account: AwsTarget, emulator: EmulatorServer
) -> None:
    before = describe(emulator, "web")["taskDefinition"]
    assert before.endswith(":3")
    app = make_app(broken_account, cluster="prod")
    async with app.run_test(size=(160, 40)) as pilot:
        await open_service(pilot, app, "web")
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
    assert describe(emulator, "web")["taskDefinition"] == before[: -len("3")] + "2"
    assert sent(emulator) == {"UpdateService": 1}


async def test_read_only_roll_back_opens_nothing_and_sends_nothing(
    broken_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(dataclasses.replace(broken_account, read_only=True), cluster="prod")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_service(pilot, app, "cart")
        await pilot.press("b")
        await pilot.pause(0.3)
        assert app.screen is screen
        assert any("Read-only" in n.message for n in app._notifications)
    assert sent(emulator) == {}
