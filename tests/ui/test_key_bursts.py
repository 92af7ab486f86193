"""Keys go where the user sent them: a burst delivered in one read lands in the input its first key opens.

Each burst is parsed by Textual's own xterm parser and every event is posted to the app at once, as the
driver does with one read of the terminal (a paste, or what an SSH connection hands over together): no
pause for the filter or the command line to open, as no terminal gives one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual._xterm_parser import XTermParser
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ActionDialog
from ecstui.ui.dialogs.service import DeleteServiceDialog, ScaleDialog
from ecstui.ui.dialogs.task import StopTaskDialog
from ecstui.ui.screens.audit import AuditScreen
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.instances import InstancesScreen
from ecstui.ui.screens.jump import JumpScreen
from ecstui.ui.screens.service_detail import ServiceDetailScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.targets import TargetsScreen
from ecstui.ui.screens.task_definitions import FamiliesScreen, RevisionsScreen
from ecstui.ui.screens.tasks import TasksScreen
from ecstui.ui.screens.triage import TriageScreen
from tests.ui.conftest import make_app, wait_loaded, wait_until

MUTATING = (
    "UpdateService",
    "DeleteService",
    "CreateService",
    "StopTask",
    "RunTask",
    "RegisterTaskDefinition",
    "DeregisterTaskDefinition",
    "CreateCluster",
    "DeleteCluster",
    "UpdateContainerInstancesState",
)


def deliver(app: EcsApp, *reads: str) -> None:
    """What the terminal sends: each read parsed as the driver parses it, every event posted at once."""
    parsed = []
    for data in reads:
        parser = XTermParser()
        parsed += [*parser.feed(data), *parser.feed("")]
    for event in parsed:
        event.set_sender(app)
        app.post_message(event)


def mutations(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in MUTATING if emulator.log.counts[op]}


async def settle(pilot: Any) -> None:
    """Long enough for any key of a burst to have reached wherever it was going, and done what it would."""
    await pilot.pause(0.3)
    await pilot.pause()


# -- every pane with a filter ---------------------------------------------------------------------------

Opener = Callable[[Any, EcsApp], Awaitable[None]]


async def _loaded(pilot: Any, app: EcsApp) -> None:
    await wait_loaded(pilot)


def _via(open_pane: Callable[[EcsApp], None]) -> Opener:
    async def opener(pilot: Any, app: EcsApp) -> None:
        await wait_loaded(pilot)
        open_pane(app)
        await pilot.pause()
        await wait_loaded(pilot)

    return opener


# pane -> (app options, how to get there, the pane's class)
PANES: dict[str, tuple[dict[str, Any], Opener, type[Screen[Any]]]] = {
    "clusters": ({}, _loaded, ClustersScreen),
    "services": ({"cluster": "prod"}, _loaded, ServicesScreen),
    "tasks": ({"cluster": "prod", "service": "web"}, _loaded, TasksScreen),
    "instances": ({}, _via(lambda app: app.open_instances("batch")), InstancesScreen),
    "task definitions": ({}, _via(lambda app: app.jump("taskdefs")), FamiliesScreen),
    "revisions": ({}, _via(lambda app: app.open_revisions("api")), RevisionsScreen),
    "triage": ({}, _via(lambda app: app.jump("triage")), TriageScreen),
    "targets": ({}, _via(lambda app: app.jump("targets")), TargetsScreen),
    "audit": ({}, _via(lambda app: app.jump("audit")), AuditScreen),
    "service view": ({"cluster": "prod"}, _via(lambda app: app.open_service("prod", "web")), ServiceDetailScreen),
}


def filter_of(screen: Screen[Any]) -> str:
    if isinstance(screen, ServiceDetailScreen):
        return screen.events_filter
    assert isinstance(screen, ListScreen)
    return screen.table.filter_text


def filter_box(screen: Screen[Any]) -> Input:
    return screen.query_one("#events-filter" if isinstance(screen, ServiceDetailScreen) else "#pane-filter", Input)


async def open_pane(pilot: Any, app: EcsApp, pane: str) -> Screen[Any]:
    _, opener, kind = PANES[pane]
    await opener(pilot, app)
    assert isinstance(app.screen, kind)
    return app.screen


@pytest.fixture
def audit_path(tmp_path: Path) -> str:
    return str(tmp_path / "audit.jsonl")


@pytest.mark.parametrize("pane", list(PANES))
async def test_a_burst_after_slash_is_the_filter_enter_keeps_it_and_escape_clears_it(
    pane: str, demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str
) -> None:
    app = make_app(demo_account, audit_path=audit_path, **PANES[pane][0])
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await open_pane(pilot, app, pane)
        emulator.log.clear()

        deliver(app, "/api-1")
        await settle(pilot)
        assert app.screen is screen, "a key of the burst ran a binding of the pane"
        assert filter_of(screen) == "api-1"
        assert filter_box(screen).has_focus

        deliver(app, "\r")  # enter keeps the filter and gives the keys back to the pane
        await settle(pilot)
        assert app.screen is screen and filter_of(screen) == "api-1"
        assert not filter_box(screen).has_focus

        deliver(app, "/srv\r")
        await settle(pilot)
        assert app.screen is screen, "a key of the burst ran a binding of the pane"
        assert filter_of(screen) == "srv"
        assert not filter_box(screen).has_focus

        deliver(app, "/db\x1b")  # escape in the burst clears the filter; it does not leave the pane
        await settle(pilot)
        assert app.screen is screen
        assert filter_of(screen) == ""
        assert not filter_box(screen).has_focus
        assert mutations(emulator) == {}


@pytest.mark.parametrize("pane", list(PANES))
async def test_a_burst_after_colon_is_the_command_line_and_q_in_it_does_not_quit(
    pane: str, demo_account: AwsTarget, emulator: EmulatorServer, audit_path: str
) -> None:
    app = make_app(demo_account, audit_path=audit_path, **PANES[pane][0])
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await open_pane(pilot, app, pane)

        deliver(app, ":q")
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, JumpScreen)
        assert app.screen.query_one(Input).value == "q"
        await pilot.press("escape")
        assert app.screen is screen

        deliver(app, ":taskdefs\r/api")  # the jump, then what follows it goes to the pane it jumped to
        await wait_until(pilot, lambda: isinstance(app.screen, FamiliesScreen), limit=5)
        await settle(pilot)
        families = app.screen
        assert isinstance(families, FamiliesScreen)
        assert families.table.filter_text == "api"
        assert mutations(emulator) == {}


# -- what the issue saw ------------------------------------------------------------------------------


async def test_slash_rollout_enter_on_services_filters_and_forces_no_deployment(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        emulator.log.clear()
        deliver(app, "/rollout\r")
        await settle(pilot)
        assert emulator.log.counts["UpdateService"] == 0
        assert app.screen is screen
        assert screen.table.filter_text == "rollout"


async def test_slash_srv_on_services_opens_no_dialog_and_filters_srv(demo_account: AwsTarget) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        deliver(app, "/srv")
        await settle(pilot)
        assert not isinstance(app.screen, ModalScreen)
        assert screen.table.filter_text == "srv"


async def test_while_the_filter_is_open_no_key_of_the_pane_acts_whatever_key_a_keymap_gives_it(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod", keymap={"services.delete": "ctrl+g"})
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        emulator.log.clear()
        deliver(app, "/we\x07b")  # ctrl+g among the letters
        await settle(pilot)
        assert app.screen is screen
        assert screen.table.filter_text == "web"
        deliver(app, "\r")  # the filter kept and left: the pane's keys are back
        await settle(pilot)
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, DeleteServiceDialog)
        assert mutations(emulator) == {}


async def test_colon_tasks_enter_jumps_to_the_tasks_of_the_cluster_and_filters_them(
    shared_demo_account: AwsTarget,
) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        deliver(app, ":tasks\r/web")
        await wait_until(pilot, lambda: isinstance(app.screen, TasksScreen), limit=5)
        await settle(pilot)
        tasks = app.screen
        assert isinstance(tasks, TasksScreen) and tasks.cluster == "prod"
        assert tasks.table.filter_text == "web"


async def test_a_paste_after_slash_is_the_filter_and_after_colon_the_jump(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        deliver(app, "/\x1b[200~pay\x1b[201~\r")  # a bracketed paste right behind the slash
        await settle(pilot)
        assert app.screen is screen and screen.table.filter_text == "pay"
        deliver(app, ":\x1b[200~tasks\x1b[201~\r")
        await wait_until(pilot, lambda: isinstance(app.screen, TasksScreen), limit=5)


async def test_keys_after_enter_go_to_the_pane_it_opens(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        clusters = app.screen
        assert isinstance(clusters, ClustersScreen)
        assert clusters.table.select_key(next(k for k, c in clusters.items.items() if c.name == "prod"))
        await pilot.pause()
        deliver(app, "\r/web")
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen), limit=5)
        await settle(pilot)
        services = app.screen
        assert isinstance(services, ServicesScreen)
        assert services.table.filter_text == "web"
        assert clusters.table.filter_text == ""


async def test_keys_after_escape_go_to_the_pane_it_returns_to(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod", service="web")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        tasks = app.screen
        assert isinstance(tasks, TasksScreen)
        # Back to the services (the tasks pane closes), then filter them. Two reads: in one, ESC and / would
        # be alt+/.
        deliver(app, "\x1b", "/api")
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen), limit=5)
        await settle(pilot)
        services = app.screen
        assert isinstance(services, ServicesScreen)
        assert services.table.filter_text == "api"
        assert app.key_gate.dropped == 0


# -- dialogs: what was typed before one was drawn is not an answer to it ---------------------------------


async def test_keys_behind_s_neither_run_the_pane_nor_answer_the_scale_dialog(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        emulator.log.clear()
        deliver(app, "s0\r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ScaleDialog)
        assert dialog.query_one("#desired", Input).value == str(dialog.service.desired)
        assert app.key_gate.dropped == 2  # "0" and enter: typed before the dialog was there to be read
        assert mutations(emulator) == {}
        # Keys typed once the dialog is shown are the dialog's.
        await pilot.press("escape")
        assert isinstance(app.screen, ServicesScreen)


async def test_enter_behind_r_does_not_confirm_the_restart(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        emulator.log.clear()
        deliver(app, "r\r")
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog)
        assert mutations(emulator) == {}
        await pilot.press("escape")
        assert isinstance(app.screen, ServicesScreen)
        assert mutations(emulator) == {}


async def test_enter_behind_x_does_not_confirm_stopping_the_task(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod", service="web")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        emulator.log.clear()
        deliver(app, "x\r\r")
        await settle(pilot)
        assert isinstance(app.screen, StopTaskDialog)
        assert mutations(emulator) == {}
