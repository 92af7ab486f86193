"""A task definition from scratch, and copied into a new family: the form, its checks, the roles, the preview,
each checked by what reached the moto server."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Select, TextArea

from ecstui.aws.iam_roles import EXECUTION_ROLE_POLICY_ARN, RoleReader
from ecstui.aws.session import AwsTarget
from ecstui.aws.validation import registrable_definition
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.task_definition_form import NO_ROLE, TaskDefinitionFormDialog
from ecstui.ui.dialogs.task_definition_preview import TaskDefinitionPreviewDialog
from ecstui.ui.screens.task_definitions import FamiliesScreen, RevisionsScreen
from ecstui.ui.widgets.picker import Picker
from tests.conftest import boto_client
from tests.ui.conftest import make_app, wait_loaded
from tests.ui.conftest import wait_until as wait_briefly
from tests.ui.test_task_definition_actions import (
    describe,
    editor_script,
    error_of,
    latest_revision,
    mutations,
    open_revisions,
    wait_error,
)

PATIENCE = 60.0
SIZE = (140, 40)
NODE_IMAGE = "public.ecr.aws/docker/library/node:20-alpine"
FLUENT_BIT = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
FORM_CALLS = ("RegisterTaskDefinition", "CreateRole", "AttachRolePolicy")


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], limit: float = PATIENCE) -> None:
    await wait_briefly(pilot, condition, limit)


def sent(emulator: EmulatorServer) -> dict[str, int]:
    found = mutations(emulator)
    found.update({op: emulator.log.counts[op] for op in FORM_CALLS if emulator.log.counts[op]})
    return found


async def open_form(pilot: Pilot[None]) -> TaskDefinitionFormDialog:
    """`n` on the families pane, then the form once the roles are read."""
    app = pilot.app
    assert isinstance(app, EcsApp)
    await wait_loaded(pilot)
    app.open_task_definitions()
    await wait_until(pilot, lambda: isinstance(app.screen, FamiliesScreen) and app.screen.updated_at is not None)
    await pilot.press("n")
    return await roles_read(pilot)


async def roles_read(pilot: Pilot[None]) -> TaskDefinitionFormDialog:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, TaskDefinitionFormDialog))
    form = pilot.app.screen
    assert isinstance(form, TaskDefinitionFormDialog)
    picker = form.query_one("#execution-role", Picker)
    await wait_until(pilot, lambda: picker._state is None or picker._state != "loading…")
    return form


async def type_into(pilot: Pilot[None], widget: Input | TextArea, text: str, *, keys: bool = False) -> None:
    """Put text in as a user does: focus, then a paste (one terminal event, as bracketed paste delivers it, through
    the app's key gate like every paste), or with `keys` one key per character (a TextArea's line breaks as
    enter). Pasting keeps the many form tests quick; the first test types every character."""
    widget.focus()
    await pilot.pause()
    if not keys:
        pilot.app.post_message(events.Paste(text))
        await wait_until(pilot, lambda: text in (widget.text if isinstance(widget, TextArea) else widget.value))
        return
    for part in text.split("\n") if isinstance(widget, TextArea) else [text]:
        if part:
            await pilot.press(*part)
        if isinstance(widget, TextArea) and part is not text.split("\n")[-1]:
            await pilot.press("enter")


def box(form: TaskDefinitionFormDialog, container: int, field: str) -> Any:
    fields = form.containers[container]
    return form.query_one(f"#c{fields.serial}-{field}")


async def fill_node_app(
    pilot: Pilot[None], form: TaskDefinitionFormDialog, family: str = "taskDef1", *, keys: bool = False
) -> None:
    await type_into(pilot, form.query_one("#family", Input), family, keys=keys)
    await type_into(pilot, box(form, 0, "name"), "node-app", keys=keys)
    await type_into(pilot, box(form, 0, "image"), NODE_IMAGE, keys=keys)
    await type_into(pilot, box(form, 0, "ports"), "3000", keys=keys)


# -- from scratch ------------------------------------------------------------------------------------


async def test_register_from_scratch_with_two_containers_reordered_and_run_a_task_of_it(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        assert form.query_one("#execution-role", Picker).value.endswith(":role/ecsTaskExecutionRole")  # type: ignore[union-attr]
        assert form.query_one("#task-role", Picker).value == NO_ROLE
        await fill_node_app(pilot, form, keys=True)
        await type_into(pilot, box(form, 0, "env"), "NODE_ENV=production\nPORT=3000", keys=True)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: len(form.containers) == 2)
        await type_into(pilot, box(form, 1, "name"), "log-router")
        await type_into(pilot, box(form, 1, "image"), FLUENT_BIT)
        box(form, 1, "essential").value = False
        await type_into(pilot, box(form, 1, "memory"), "64")
        await pilot.press("alt+up")  # the focused one (log-router) goes first
        await wait_until(pilot, lambda: form.containers[0].box("name").value == "log-router")
        await pilot.press("ctrl+s")
        preview = await wait_dialog(pilot, TaskDefinitionPreviewDialog)
        shown = json.loads(preview.text_area.text)
        assert [c["name"] for c in shown["containerDefinitions"]] == ["log-router", "node-app"]
        assert sent(emulator) == {}  # nothing before Register
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, RevisionsScreen))
        assert app.screen.family == "taskDef1"  # type: ignore[attr-defined]

    assert sent(emulator) == {"RegisterTaskDefinition": 1}
    registered = describe(emulator, "taskDef1:1")
    assert registered["requiresCompatibilities"] == ["FARGATE"]
    assert (registered["networkMode"], registered["cpu"], registered["memory"]) == ("awsvpc", "256", "512")
    assert registered["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}
    assert registered["executionRoleArn"].endswith(":role/ecsTaskExecutionRole")
    assert "taskRoleArn" not in registered
    router, node = registered["containerDefinitions"]
    assert (router["name"], router["essential"], router["memory"]) == ("log-router", False, 64)
    assert (node["name"], node["image"], node["essential"]) == ("node-app", NODE_IMAGE, True)
    assert node["portMappings"] == [{"containerPort": 3000, "hostPort": 3000, "protocol": "tcp"}]
    assert node["environment"] == [{"name": "NODE_ENV", "value": "production"}, {"name": "PORT", "value": "3000"}]
    assert node["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": "/ecs/taskDef1",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "ecs",
            "awslogs-create-group": "true",
        },
    }
    # The demo runs it: RunTask on Fargate in the demo's network (moto itself 500s on a container without memory).
    ec2 = boto_client(emulator, "ec2")
    subnet = ec2.describe_subnets()["Subnets"][0]
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [subnet["VpcId"]]}])
    run = boto_client(emulator, "ecs").run_task(
        cluster="prod",
        taskDefinition="taskDef1:1",
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [subnet["SubnetId"]],
                "securityGroups": [group["SecurityGroups"][0]["GroupId"]],
            }
        },
    )
    assert run["failures"] == [] and len(run["tasks"]) == 1
    created = boto_client(emulator, "ecs").create_service(
        cluster="prod",
        serviceName="node-app",
        taskDefinition="taskDef1:1",
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [subnet["SubnetId"]],
                "securityGroups": [group["SecurityGroups"][0]["GroupId"]],
            }
        },
    )
    assert created["service"]["taskDefinition"].endswith("taskDef1:1")


async def wait_dialog(pilot: Pilot[None], kind: type[Any]) -> Any:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind))
    return pilot.app.screen


async def test_palette_opens_the_form_from_anywhere(demo_account: AwsTarget) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"New task definition")
        options = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count > 0)
        assert "New task definition" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await roles_read(pilot)


async def test_remove_a_container_and_the_last_one_stays(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: len(form.containers) == 2)
        await type_into(pilot, box(form, 1, "name"), "second")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(form.containers) == 1)
        box(form, 0, "name").focus()
        await pilot.press("ctrl+r")
        assert "at least one container" in await wait_error(pilot, form)
        assert len(form.containers) == 1
    assert sent(emulator) == {}


# -- bad input: one sentence, nothing sent, everything typed kept ----------------------------------------


async def _duplicate_names(pilot: Pilot[None], form: TaskDefinitionFormDialog) -> None:
    await pilot.press("ctrl+n")
    await wait_until(pilot, lambda: len(form.containers) == 2)
    await type_into(pilot, box(form, 1, "name"), "node-app")
    await type_into(pilot, box(form, 1, "image"), FLUENT_BIT)


async def _no_image(pilot: Pilot[None], form: TaskDefinitionFormDialog) -> None:
    box(form, 0, "image").value = ""


async def _fargate_size(pilot: Pilot[None], form: TaskDefinitionFormDialog) -> None:
    form.query_one("#task-cpu", Select).value = 1024
    await pilot.pause()
    form.query_one("#task-memory", Select).value = 3072
    await pilot.pause()
    form.query_one("#task-cpu", Select).value = 256  # the memory stays 3072: not changed behind the user's back
    await pilot.pause()


async def _bad_port(pilot: Pilot[None], form: TaskDefinitionFormDialog) -> None:
    box(form, 0, "ports").value = "3000/sctp"


async def _bad_family(pilot: Pilot[None], form: TaskDefinitionFormDialog) -> None:
    form.query_one("#family", Input).value = "task def 1"


async def _no_execution_role_for_awslogs(pilot: Pilot[None], form: TaskDefinitionFormDialog) -> None:
    form.query_one("#execution-role", Picker).select([NO_ROLE])


async def _bad_secret(pilot: Pilot[None], form: TaskDefinitionFormDialog) -> None:
    box(form, 0, "secrets").load_text("DB_PASSWORD=")


async def _too_large(pilot: Pilot[None], form: TaskDefinitionFormDialog) -> None:
    box(form, 0, "env").load_text("\n".join(f"VALUE_{n}={'x' * 1000}" for n in range(70)))


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (_too_large, "ECS takes at most 65,536 (64 KiB)"),
        (_no_image, "container 1 (node-app): a container needs an image."),
        (_duplicate_names, "container name 'node-app' is used twice"),
        (_fargate_size, "choose a memory of 512, 1024, 2048 MiB"),
        (_bad_port, "'3000/sctp' is not a port like 3000/tcp"),
        (_bad_family, "may hold only letters, numbers, hyphens and underscores"),
        (_no_execution_role_for_awslogs, "awslogs writes with the task's execution role"),
        (_bad_secret, "DB_PASSWORD needs where ECS reads it from"),
    ],
)
async def test_bad_input_is_one_sentence_sends_nothing_and_keeps_what_was_typed(
    demo_account: AwsTarget, emulator: EmulatorServer, spoil: Any, said: str
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await fill_node_app(pilot, form)
        await spoil(pilot, form)
        typed = {box.id: box.value for box in form.query(Input) if box.id}
        await pilot.press("ctrl+s")
        message = await wait_error(pilot, form)
        assert said in message
        assert message.count(". ") <= 1 or "(and" in message  # one sentence (and how many more once it is fixed)
        assert app.screen is form
        assert {box.id: box.value for box in form.query(Input) if box.id} == typed
    assert sent(emulator) == {}


# -- roles ---------------------------------------------------------------------------------------------


def make_roles(emulator: EmulatorServer, count: int, *, execution_role: bool) -> None:
    iam = boto_client(emulator, "iam")
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    for n in range(count):
        iam.create_role(RoleName=f"role-{n:03d}", AssumeRolePolicyDocument=trust)
    iam.create_role(RoleName="not-for-tasks", AssumeRolePolicyDocument=trust.replace("ecs-tasks", "lambda"))
    if execution_role:
        iam.create_role(RoleName="ecsTaskExecutionRole", AssumeRolePolicyDocument=trust)


async def test_role_picker_lists_every_page_of_150_roles(target: AwsTarget, emulator: EmulatorServer) -> None:
    make_roles(emulator, 150, execution_role=True)
    emulator.log.clear()
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        # Pages of 100 (ListRoles' default): 150 roles take two, and the picker must hold both.
        app.roles = RoleReader(app.session, page_size=100)
        await wait_loaded(pilot)
        app.new_task_definition()
        form = await roles_read(pilot)
        task = form.query_one("#task-role", Picker)
        await wait_until(pilot, lambda: len(task.choices) > 1)
        names = {c.label for c in task.choices}
        assert len(task.choices) == 1 + 151  # "none", 150 roles and ecsTaskExecutionRole
        assert "role-149" in names and "role-000" in names and "not-for-tasks" not in names
        task.focus()
        await pilot.press(*"role-149", "enter")
        assert task.value is not None and task.value.endswith(":role/role-149")
    assert emulator.log.counts["ListRoles"] == 2


async def test_create_the_execution_role_from_the_form(target: AwsTarget, emulator: EmulatorServer) -> None:
    make_roles(emulator, 2, execution_role=False)
    emulator.log.clear()
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        app.new_task_definition()
        form = await roles_read(pilot)
        button = form.query_one("#create-execution-role", Button)
        execution = form.query_one("#execution-role", Picker)
        await wait_until(pilot, lambda: button.has_class("offered"))
        assert execution.value is None
        assert sent(emulator) == {}  # offered, not done
        button.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: execution.value is not None and execution.value != NO_ROLE)
        assert execution.value.endswith(":role/ecsTaskExecutionRole")  # type: ignore[union-attr]
        assert not button.has_class("offered")
        assert app.screen is form  # the form stays, with what was typed
    assert sent(emulator) == {"CreateRole": 1, "AttachRolePolicy": 1}
    iam = boto_client(emulator, "iam")
    attached = iam.list_attached_role_policies(RoleName="ecsTaskExecutionRole")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [EXECUTION_ROLE_POLICY_ARN]


# -- read-only, copy, $EDITOR -----------------------------------------------------------------------------


async def test_read_only_opens_no_form_and_sends_nothing(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    app = make_app(dataclasses.replace(demo_account, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        app.open_task_definitions()
        await wait_until(pilot, lambda: isinstance(app.screen, FamiliesScreen) and app.screen.updated_at is not None)
        families = app.screen
        await pilot.press("n")
        await pilot.pause(0.2)
        assert app.screen is families
        revisions = await open_revisions(pilot)
        for key in ("N", "C"):
            await pilot.press(key)
            await pilot.pause(0.2)
            assert app.screen is revisions, key
        app.new_task_definition()  # what the palette's entry calls
        await pilot.pause(0.2)
        assert app.screen is revisions
        assert sum("Read-only session" in n.message for n in app._notifications) == 4
        # The data layer refuses too, before any request is built.
        with pytest.raises(Exception, match="read-only"):
            await app.role_actions.create_task_execution_role()
    assert sent(emulator) == {}


async def test_copy_a_revision_into_a_new_family(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    latest = latest_revision(emulator, "api")
    before = describe(emulator, f"api:{latest}")
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "api")
        await pilot.press("C")
        form = await roles_read(pilot)
        assert form.query_one("#family", Input).value == ""
        assert [c.box("name").value for c in form.containers] == [c["name"] for c in before["containerDefinitions"]]
        await pilot.press("ctrl+s")
        assert "Enter a task definition family name" in await wait_error(pilot, form)
        await type_into(pilot, form.query_one("#family", Input), "api-copy")
        await pilot.press("ctrl+s")
        await wait_dialog(pilot, TaskDefinitionPreviewDialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, RevisionsScreen) and app.screen.family == "api-copy")
    assert sent(emulator) == {"RegisterTaskDefinition": 1}
    expected = registrable_definition(before)
    expected["family"] = "api-copy"
    assert registrable_definition(describe(emulator, "api-copy:1")) == expected


async def test_the_preview_registers_what_the_editor_wrote(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = editor_script(
        tmp_path,
        "d = json.load(open(path))\n"
        "d['containerDefinitions'][0]['image'] = 'public.ecr.aws/docker/library/node:22-alpine'\n"
        "json.dump(d, open(path, 'w'), indent=2)\n",
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await fill_node_app(pilot, form)
        await pilot.press("ctrl+s")
        preview = await wait_dialog(pilot, TaskDefinitionPreviewDialog)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: "node:22-alpine" in preview.text_area.text)
        assert sent(emulator) == {}
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: not isinstance(app.screen, TaskDefinitionPreviewDialog | TaskDefinitionFormDialog)
        )
    assert sent(emulator) == {"RegisterTaskDefinition": 1}
    assert describe(emulator, "taskDef1:1")["containerDefinitions"][0]["image"].endswith("node:22-alpine")


async def test_bad_json_in_the_preview_is_said_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await fill_node_app(pilot, form)
        await pilot.press("ctrl+s")
        preview = await wait_dialog(pilot, TaskDefinitionPreviewDialog)
        text = preview.text_area.text.replace(NODE_IMAGE, "")
        preview.text_area.load_text(text)
        await pilot.press("ctrl+s")
        assert "a container needs an image" in await wait_error(pilot, preview)
        assert preview.text_area.text == text
        await pilot.press("escape")  # back to the form, everything kept
        await wait_until(pilot, lambda: app.screen is form)
        assert "you left the preview" in error_of(form)
        assert box(form, 0, "image").value == NODE_IMAGE
    assert sent(emulator) == {}
