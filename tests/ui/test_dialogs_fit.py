"""Every dialog fits the terminal: at 80x24 (and 160x45) its title, error line, status and buttons are on screen,
and a body taller than the rows left scrolls to its last field, whatever the dialog holds."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widget import Widget

import ecstui.ui.dialogs
from ecstui.aws.session import AwsTarget
from ecstui.aws.task_definition_draft import registrable_definition
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ActionDialog, ConfirmDialog
from ecstui.ui.dialogs.cluster import DeleteClusterDialog
from ecstui.ui.dialogs.create_cluster import CreateClusterDialog
from ecstui.ui.dialogs.create_service import CreateServiceDialog
from ecstui.ui.dialogs.exec import EnableExecDialog, ExecDialog, ExecTargetDialog, PortForwardDialog
from ecstui.ui.dialogs.logs import LogPatternDialog, LogRangeDialog, SaveLogDialog
from ecstui.ui.dialogs.run_task import RunTaskDialog
from ecstui.ui.dialogs.scaling import (
    AddPolicyDialog,
    CapacityDialog,
    DeletePolicyDialog,
    DeleteScheduledActionDialog,
    ScheduledActionDialog,
    TargetValueDialog,
)
from ecstui.ui.dialogs.schedule import ScheduleDialog
from ecstui.ui.dialogs.service import DeleteServiceDialog, ScaleDialog, UpdateServiceDialog
from ecstui.ui.dialogs.task import StopTaskDialog
from ecstui.ui.dialogs.task_definition import (
    NewRevisionDialog,
    RegisterRevisionDialog,
    RevisionEditDialog,
    RollServicesDialog,
)
from ecstui.ui.dialogs.task_definition_form import TaskDefinitionFormDialog
from ecstui.ui.dialogs.task_definition_json import JsonEditDialog
from ecstui.ui.dialogs.task_definition_preview import TaskDefinitionPreviewDialog
from tests.ui.conftest import make_app, wait_loaded

SIZES = [(80, 24), (160, 45)]
# Bases that are never opened themselves.
ABSTRACT = {ActionDialog, RevisionEditDialog, ExecTargetDialog}

Factory = Callable[[EcsApp], Awaitable[ActionDialog[Any]]]


async def _prod(app: EcsApp) -> Any:
    return next(c for c in await app.reader.clusters() if c.name == "prod")


async def _service(app: EcsApp) -> Any:
    # The service with the most to show: several containers and a load balancer, in the demo.
    services = await app.reader.services("prod")
    return max(services, key=lambda s: (len(s.load_balancers), len(s.deployments), s.name))


async def _definition(app: EcsApp) -> Any:
    service = await _service(app)
    return await app.reader.task_definition(service.task_definition)


async def _task(app: EcsApp) -> Any:
    return (await app.reader.tasks("prod"))[0]


async def _exec_task(app: EcsApp) -> Any:
    # A task of a service with exec on and two containers (the container picker shows).
    return sorted(await app.reader.tasks("prod", "api"), key=lambda t: t.arn)[0]


async def _exec_service(app: EcsApp) -> str:
    return "web"


async def _run_task(app: EcsApp) -> ActionDialog[Any]:
    clusters = await app.reader.clusters()
    services = {c.name: await app.reader.services(c.name) for c in clusters}
    return RunTaskDialog(await _definition(app), clusters, services, "prod")


async def _register(app: EcsApp) -> ActionDialog[Any]:
    definition = await _definition(app)
    changed = registrable_definition(definition.raw)
    changed["cpu"] = "1024"
    return RegisterRevisionDialog(definition, changed)


async def _confirm(app: EcsApp) -> ActionDialog[Any]:
    async def nothing() -> None:
        return None

    question = "Deregister this revision? " * 12
    return ConfirmDialog("Deregister", question, nothing, type_to_confirm="web:3", destructive=True)


async def _simple(make: Callable[..., ActionDialog[Any]], *parts: Callable[[EcsApp], Awaitable[Any]]) -> Factory:
    async def factory(app: EcsApp) -> ActionDialog[Any]:
        return make(*[await part(app) for part in parts])

    return factory


def _with(make: Callable[..., ActionDialog[Any]], *parts: Callable[[EcsApp], Awaitable[Any]], **kw: Any) -> Factory:
    async def factory(app: EcsApp) -> ActionDialog[Any]:
        return make(*[await part(app) for part in parts], **kw)

    return factory


async def _cluster_name(app: EcsApp) -> str:
    return "prod"


async def _existing(app: EcsApp) -> set[str]:
    return {c.name for c in await app.reader.clusters()}


async def _using(app: EcsApp) -> list[Any]:
    return await app.reader.services("prod")


async def _scaled(app: EcsApp) -> Any:
    # The demo's scaled service with the most to show (policies and scheduled actions).
    targets = await app.scaling.targets()
    details = {t.resource_id: await app.scaling.detail(t.resource_id) for t in targets}
    return max(targets, key=lambda t: (len(details[t.resource_id].scheduled_actions), t.resource_id))


async def _policies(app: EcsApp) -> Any:
    target = await _scaled(app)
    return [p for p in await app.scaling.policies() if p.resource_id == target.resource_id]


async def _scheduled_actions(app: EcsApp) -> Any:
    target = await _scaled(app)
    return (await app.scaling.detail(target.resource_id)).scheduled_actions


async def _schedule(app: EcsApp) -> ActionDialog[Any]:
    clusters = [c.arn for c in await app.reader.clusters()]
    existing = (await app.schedules.scheduled_tasks(clusters))[0]
    return ScheduleDialog(existing=existing)


async def _preview(app: EcsApp) -> ActionDialog[Any]:
    definition = await _definition(app)
    return TaskDefinitionPreviewDialog(registrable_definition(definition.raw))


async def _desired(app: EcsApp) -> int:
    return 8


async def _log_range(app: EcsApp) -> ActionDialog[Any]:
    from ecstui.ui.log_range import LAST_HOUR

    return LogRangeDialog(LAST_HOUR, app.clock, task_started=True)


async def _log_pattern(app: EcsApp) -> ActionDialog[Any]:
    return LogPatternDialog('?ERROR ?Exception -healthz { $.level = "error" }')


async def _save_log(app: EcsApp) -> ActionDialog[Any]:
    return SaveLogDialog("./0123456789abcdef0123456789abcdef-datadog-agent.log", lambda: ["a line"])


# Every dialog the demo can open, made from what the demo holds.
DIALOGS: dict[type[ActionDialog[Any]], Factory] = {
    CreateClusterDialog: _with(CreateClusterDialog, _existing),
    CreateServiceDialog: _with(CreateServiceDialog, _prod),
    DeleteClusterDialog: _with(DeleteClusterDialog, _prod),
    ScaleDialog: _with(ScaleDialog, _cluster_name, _service),
    UpdateServiceDialog: _with(UpdateServiceDialog, _cluster_name, _service),
    DeleteServiceDialog: _with(DeleteServiceDialog, _cluster_name, _service),
    StopTaskDialog: _with(StopTaskDialog, _cluster_name, _task, type_to_confirm=True),
    RunTaskDialog: _run_task,
    NewRevisionDialog: _with(NewRevisionDialog, _definition),
    JsonEditDialog: _with(JsonEditDialog, _definition),
    RegisterRevisionDialog: _register,
    RollServicesDialog: _with(RollServicesDialog, _definition, _using),
    ConfirmDialog: _confirm,
    CapacityDialog: _with(CapacityDialog, _scaled, _desired),
    TargetValueDialog: _with(TargetValueDialog, _scaled, _policies),
    AddPolicyDialog: _with(AddPolicyDialog, _scaled),
    DeletePolicyDialog: _with(DeletePolicyDialog, _scaled, _policies),
    ScheduledActionDialog: _with(ScheduledActionDialog, _scaled),
    DeleteScheduledActionDialog: _with(DeleteScheduledActionDialog, _scaled, _scheduled_actions),
    ScheduleDialog: _schedule,
    TaskDefinitionFormDialog: _with(TaskDefinitionFormDialog),
    TaskDefinitionPreviewDialog: _preview,
    ExecDialog: _with(ExecDialog, _cluster_name, _exec_task),
    PortForwardDialog: _with(PortForwardDialog, _cluster_name, _exec_task),
    EnableExecDialog: _with(EnableExecDialog, _cluster_name, _exec_service),
    LogRangeDialog: _log_range,
    LogPatternDialog: _log_pattern,
    SaveLogDialog: _save_log,
}


def _every_dialog_class() -> set[type[ActionDialog[Any]]]:
    for module in pkgutil.iter_modules(ecstui.ui.dialogs.__path__):
        importlib.import_module(f"ecstui.ui.dialogs.{module.name}")
    found: set[type[ActionDialog[Any]]] = set()
    todo: list[type[ActionDialog[Any]]] = [ActionDialog]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return {cls for cls in found if cls not in ABSTRACT and cls.__module__.startswith("ecstui.")}


def test_every_dialog_class_is_checked_here() -> None:
    missing = _every_dialog_class() - set(DIALOGS)
    assert not missing, f"add a factory for {sorted(c.__name__ for c in missing)} to DIALOGS"


def _inside(widget: Widget, screen: Region) -> bool:
    return screen.contains_region(widget.region) and widget.region.height > 0


async def _settle(pilot: Any) -> None:
    for _ in range(6):  # loads of the dialog (revisions, groups, the teardown plan) land
        await pilot.pause(0.05)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_dialog_keeps_title_error_and_buttons_on_screen_and_its_body_scrolls(
    size: tuple[int, int], shared_demo_account: AwsTarget, tmp_path: Path
) -> None:
    app = make_app(shared_demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    overflowing: list[str] = []
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot)
        for cls, factory in DIALOGS.items():
            dialog = await factory(app)
            assert type(dialog) is cls
            await app.push_screen(dialog)
            await _settle(pilot)
            screen = Region(0, 0, *size)
            name = f"{cls.__name__} at {size[0]}x{size[1]}"
            for part in ("#dialog-title", "#dialog-cancel", "#dialog-confirm", "#dialog-status"):
                assert _inside(dialog.query_one(part), screen), f"{name}: {part} is off screen"
            body = dialog.query_one("#dialog-body", VerticalScroll)
            footer = dialog.query_one("#dialog-footer")
            assert body.region.bottom <= footer.region.y, f"{name}: the body runs under the buttons"
            if body.virtual_size.height > body.size.height:
                overflowing.append(cls.__name__)
                # A form still filling in (pickers read after it opened) grows under the scroll: scroll again
                # until the end stays the end. A body that cannot scroll stays at 0 and fails.
                for _ in range(20):
                    body.scroll_end(animate=False)
                    await pilot.pause(0.05)
                    if body.scroll_y == body.max_scroll_y:
                        break
                assert body.scroll_y == body.max_scroll_y > 0, f"{name}: the body does not scroll to its end"
            # An error appears where it is read without scrolling, and the buttons stay.
            dialog.show_error("AWS refused it: " + "the request was not valid; " * 8)
            await pilot.pause()
            error = dialog.query_one("#dialog-error")
            assert _inside(error, screen), f"{name}: the error is off screen"
            assert _inside(dialog.query_one("#dialog-confirm"), screen), f"{name}: the error pushed the buttons off"
            assert body.region.bottom <= error.region.y, f"{name}: the error covers the body"
            dialog.dismiss(None)
            await pilot.pause()
    if size == (80, 24):
        # The long forms do not fit in 24 rows: they are the ones that must scroll.
        assert {"CreateServiceDialog", "NewRevisionDialog", "CreateClusterDialog"} <= set(overflowing), overflowing
