"""The task-definition form and its preview at 160x45 and 80x24: empty, filled, an error, the JSON to register."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.widgets import Input

from ecstui.aws.session import AwsTarget
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.task_definition_form import TaskDefinitionFormDialog
from ecstui.ui.dialogs.task_definition_preview import TaskDefinitionPreviewDialog
from ecstui.ui.widgets.picker import Picker
from tests.snapshots.test_snapshots import SnapCompare, snap_at
from tests.ui.conftest import make_app, wait_until

Step = Callable[[Pilot[None]], Awaitable[None]]


async def open_form(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, EcsApp)
    app.open_task_definitions()
    await wait_until(pilot, lambda: app.screen.__class__.__name__ == "FamiliesScreen")
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, TaskDefinitionFormDialog), 60)
    form = app.screen
    picker = form.query_one("#execution-role", Picker)
    await wait_until(pilot, lambda: picker.value is not None, 60)
    # Every role picker read (the task roles may come after the execution roles: each picker's summary line takes
    # its height only then, and the dialog's scrollbar with it).
    await wait_until(pilot, lambda: all(p._state is None for p in form.query(Picker)), 60)
    await pilot.pause(0.2)


async def fill(pilot: Pilot[None]) -> None:
    form = pilot.app.screen
    assert isinstance(form, TaskDefinitionFormDialog)
    form.query_one("#family", Input).value = "taskDef1"
    fields = form.containers[0]
    fields.box("name").value = "node-app"
    fields.box("image").value = "public.ecr.aws/docker/library/node:20-alpine"
    fields.box("ports").value = "3000/tcp"
    fields.box("name").focus()
    await pilot.pause(0.2)
    # The role pickers' summaries above take their height once the roles are read: scroll after that, or the
    # thumb stands wherever a loaded machine had got to.
    await wait_until(pilot, lambda: all(picker._state is None for picker in form.query(Picker)), 30)
    # Where tab would have brought the user: the container's fields in view.
    form.query_one("#dialog-body").scroll_to_widget(fields, animate=False, top=True)
    await pilot.pause(0.2)


async def confirm(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause(0.3)


async def preview(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, TaskDefinitionPreviewDialog), 60)
    await pilot.pause(0.3)


async def no_image(pilot: Pilot[None]) -> None:
    form = pilot.app.screen
    assert isinstance(form, TaskDefinitionFormDialog)
    form.containers[0].box("image").value = ""
    await confirm(pilot)


def test_task_definition_form_empty(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), open_form)


def test_task_definition_form_filled(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), open_form, fill)


def test_task_definition_form_error(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), open_form, fill, no_image)


def test_task_definition_preview(snap_compare: SnapCompare, size: tuple[int, int], demo_account: AwsTarget) -> None:
    snap_at(snap_compare, size, make_app(demo_account), open_form, fill, preview)
