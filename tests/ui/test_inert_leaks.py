"""The leaks of issue 10, one by one: what someone allowed to write ECS text put on the operator's screen.

A stop reason carrying OSC 52 (a clipboard write), an image name carrying `[@click=app.quit]` (an action link),
a str table cell carrying `[bold]` (a style), a notification naming such a resource, and a form prefilled with
an image name holding ESC: each is drawn as the characters it holds, and nothing it holds is sent changed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime

from rich.console import Console, RenderableType
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.widgets import Input, TextArea

from ecstui.aws.models import Container, ContainerDefinition, Task, TaskDefinition
from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.task_definition import NewRevisionDialog, RegisterRevisionDialog
from ecstui.ui.inert import notify_inert
from ecstui.ui.screens.task_definition_detail import render_task_definition
from ecstui.ui.screens.task_detail import render_task
from ecstui.ui.widgets.resource_table import Column, ResourceTable, Row
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of
from tests.ui.test_task_definition_actions import SIZE, error_of, mutations, open_revisions, wait_dialog, wait_until

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
OSC_52 = "\x1b]52;c;SE9TVElMRQ==\x07"  # "set the clipboard to HOSTILE"
ACTION_LINK = "[@click=app.quit]x[/]"
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef"
TASK_DEFINITION_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/api:3"


def segments(renderable: RenderableType) -> list[Segment]:
    console = Console(width=200, file=io.StringIO(), force_terminal=True, color_system="truecolor")
    return list(console.render(renderable))


def actions_in(drawn: Iterable[Segment]) -> list[object]:
    """Textual actions (clickable `@click` links) carried by what is drawn."""
    return [segment.style.meta["@click"] for segment in drawn if segment.style and "@click" in segment.style.meta]


def a_task(**fields: object) -> Task:
    values: dict[str, object] = {
        "arn": TASK_ARN,
        "id": "0123456789abcdef",
        "cluster_arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "task_definition_arn": TASK_DEFINITION_ARN,
        "last_status": "STOPPED",
        "desired_status": "STOPPED",
    }
    values.update(fields)
    return Task(**values)  # type: ignore[arg-type]


def test_a_stop_reason_carrying_an_osc_52_clipboard_write_shows_as_visible_text_in_task_detail() -> None:
    task = a_task(stop_code="EssentialContainerExited", stopped_reason=f"exited {OSC_52} see logs")
    drawn = segments(render_task(task, None, NOW))
    assert not any("\x1b" in segment.text or "\x07" in segment.text for segment in drawn)
    assert "exited ␛]52;c;SE9TVElMRQ==␇ see logs" in text_of(render_task(task, None, NOW))


def test_an_image_name_with_an_action_link_shows_literally_in_the_task_definition_view() -> None:
    image = f"registry.example/api{ACTION_LINK}:v1"
    definition = TaskDefinition(TASK_DEFINITION_ARN, "api", 3, "ACTIVE", (ContainerDefinition("api", image),))
    view = render_task_definition(definition)
    assert image in text_of(view)
    assert actions_in(segments(view)) == []


def test_an_image_name_with_an_action_link_shows_literally_in_task_detail() -> None:
    image = f"registry.example/api{ACTION_LINK}:v1"
    task = a_task(last_status="RUNNING", desired_status="RUNNING", containers=(Container("api", image, "RUNNING"),))
    view = render_task(task, None, NOW)
    assert image in text_of(view)
    assert actions_in(segments(view)) == []


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable([Column("name", "Name"), Column("status", "Status")], id="table")


async def test_a_str_cell_with_markup_shows_literally_in_a_table() -> None:
    app = _TableApp()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(ResourceTable)
        table.cursor_type = "none"  # (the cursor row is drawn bold)
        table.sync([Row("k", ("[bold]x", ACTION_LINK))])
        await pilot.pause()
        line = table.render_line(table.header_height)  # the first row, as the screen draws it
        drawn = list(line)
        assert "[bold]x" in line.text and ACTION_LINK in line.text
        assert not any(segment.style and segment.style.bold for segment in drawn if "x" in segment.text)
        assert actions_in(drawn) == []


async def test_a_notification_naming_a_hostile_resource_shows_its_text_literally() -> None:
    app = _TableApp()
    async with app.run_test(size=(80, 10)) as pilot:
        notify_inert(app, f"Cluster {ACTION_LINK}{OSC_52} is INACTIVE.", severity="warning")
        await pilot.pause()
        (notification,) = list(app._notifications)
        assert notification.markup is False
        assert notification.message == f"Cluster {ACTION_LINK}␛]52;c;SE9TVElMRQ==␇ is INACTIVE."


# -- a form prefilled with a value that cannot be shown ------------------------------------------------------

HOSTILE_IMAGE = "registry.example/api:v1\x1b[2J\u202e"
HOSTILE_ENVIRONMENT = [{"name": "GREETING", "value": "hi\x1b]0;owned\x07"}, {"name": "PLAIN", "value": "1"}]


def register_hostile_family(emulator: EmulatorServer) -> None:
    boto_client(emulator, "ecs").register_task_definition(
        family="hostile",
        containerDefinitions=[
            {
                "name": "app",
                "image": HOSTILE_IMAGE,
                "memory": 256,
                "environment": HOSTILE_ENVIRONMENT,
            }
        ],
    )
    emulator.log.clear()  # only what the app sends is counted


async def test_an_image_holding_escape_is_prefilled_as_its_visible_form_and_kept_exactly_when_left(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    register_hostile_family(emulator)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "hostile")
        await pilot.press("n")
        form = await wait_dialog(pilot, NewRevisionDialog)
        image = form.query_one("#image-0", Input)
        assert image.value == "registry.example/api:v1␛[2J⟨U+202E⟩"  # drawn, never emitted
        assert image.has_class("unprintable")
        environment = form.query_one("#env-0", TextArea).text
        assert environment == "GREETING=hi␛]0;owned␇\nPLAIN=1"
        form.query_one("#memory-0", Input).value = "512"  # the one change: the image and env are left as they are
        await pilot.press("ctrl+s")
        review = await wait_dialog(pilot, RegisterRevisionDialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: review not in app.screen_stack)
        await wait_until(pilot, lambda: mutations(emulator).get("RegisterTaskDefinition") == 1)

    registered = boto_client(emulator, "ecs").describe_task_definition(taskDefinition="hostile:2")["taskDefinition"]
    container = registered["containerDefinitions"][0]
    assert container["image"] == HOSTILE_IMAGE  # exactly what AWS held, not the stand-ins
    assert container["environment"] == HOSTILE_ENVIRONMENT
    assert container["memory"] == 512


async def test_an_image_holding_escape_edited_around_its_stand_ins_is_refused_and_nothing_is_sent(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    register_hostile_family(emulator)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "hostile")
        await pilot.press("n")
        form = await wait_dialog(pilot, NewRevisionDialog)
        image = form.query_one("#image-0", Input)
        image.value = image.value.replace("v1", "v2")  # still holding ␛ and ⟨U+202E⟩
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(error_of(form)))
        assert "cannot be shown" in error_of(form)
        assert isinstance(app.screen, NewRevisionDialog)
        image.value = "registry.example/api:v2"  # typed anew: sent as typed
        await pilot.press("ctrl+s")
        await wait_dialog(pilot, RegisterRevisionDialog)
    assert mutations(emulator) == {}
