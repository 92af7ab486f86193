"""A task definition from scratch (or copied into a new family): the form, checked against ECS's rules, then the
JSON preview that registers it.

The form is one column of fields moved through with tab: family, compatibility, OS and architecture, network
mode, task CPU then the memories Fargate takes with it, the task and execution roles picked from the account's
roles that trust ecs-tasks.amazonaws.com (with an offer to create ecsTaskExecutionRole when there is none), and
the containers, added (ctrl+n), removed (ctrl+r) and moved (alt+up/alt+down). Nothing is sent before the preview's
Register.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable
from typing import Any, Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Select, Static

from ecstui.aws.errors import AwsError, to_aws_error
from ecstui.aws.iam_roles import EXECUTION_ROLE_NAME, TaskRole
from ecstui.aws.models import TaskDefinition
from ecstui.aws.task_definition_draft import (
    COMPATIBILITIES,
    Compatibility,
    ContainerDraft,
    TaskDefinitionDraft,
    register_request,
)
from ecstui.aws.validation import (
    FARGATE_TASK_SIZES,
    fargate_memory_choices,
    parse_family_name,
    task_definition_problems,
)
from ecstui.ui.dialogs.base import ActionDialog, Invalidity, checked
from ecstui.ui.dialogs.container_fields import ContainerFields, row
from ecstui.ui.dialogs.task_definition_preview import TaskDefinitionPreviewDialog
from ecstui.ui.widgets.picker import Choice, Picker

NO_ROLE: Final = "none"
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}", re.ASCII)
COMPATIBILITY_LABELS: dict[Compatibility, str] = {
    "FARGATE": "Fargate",
    "EC2": "EC2 instances",
    "FARGATE_AND_EC2": "Fargate and EC2",
}
OS_FAMILIES = (
    "LINUX",
    "WINDOWS_SERVER_2022_CORE",
    "WINDOWS_SERVER_2022_FULL",
    "WINDOWS_SERVER_2019_CORE",
    "WINDOWS_SERVER_2019_FULL",
    "WINDOWS_SERVER_2025_CORE",
    "WINDOWS_SERVER_2025_FULL",
)
ARCHITECTURES = ("X86_64", "ARM64")
NETWORK_MODES = ("awsvpc", "bridge", "host", "none")
KEYS_LINE = "ctrl+n add · ctrl+r remove · alt+↑/↓ move a container · ctrl+s preview"
_CONTAINER_PATH = re.compile(r"containerDefinitions\[([0-9]+)\]")


def blank_draft() -> TaskDefinitionDraft:
    """What a new task definition starts as: Fargate, Linux x86-64, the smallest size, one empty container."""
    return TaskDefinitionDraft(family="", containers=(ContainerDraft(name="", image=""),), cpu=256, memory=512)


def _vcpu(units: int) -> str:
    return f"{units / 1024:g} vCPU"


def _gb(mib: int) -> str:
    return f"{mib / 1024:g} GB"


def _readable(problem: str, names: list[str]) -> str:
    """An ECS rule's sentence with `containerDefinitions[1]` said as the form says it: 'container 2 (sidecar)'."""

    def said(found: re.Match[str]) -> str:
        index = int(found.group(1))
        name = names[index] if index < len(names) and names[index] else ""
        return f"container {index + 1}" + (f" ({name})" if name else "")

    return _CONTAINER_PATH.sub(said, problem)


class TaskDefinitionFormDialog(ActionDialog[TaskDefinition]):
    """The form; Confirm checks it and opens the preview, whose Register sends the one request."""

    confirm_label = "Preview JSON"

    BINDINGS = [
        Binding("ctrl+n", "add_container", "Add container", id="taskdef_form.add_container"),
        Binding("ctrl+r", "remove_container", "Remove container", id="taskdef_form.remove_container"),
        Binding("alt+up", "move_container(-1)", "Move container up", id="taskdef_form.container_up"),
        Binding("alt+down", "move_container(1)", "Move container down", id="taskdef_form.container_down"),
    ]

    DEFAULT_CSS = """
    TaskDefinitionFormDialog > #dialog { width: 110; }
    /* Room for the keys line and the buttons at 80x24: the form scrolls instead. A fixed height: with only a
       max-height the dialog sized itself to the whole form (up to 90% of the screen), leaving blank rows. */
    TaskDefinitionFormDialog #dialog-body { height: 45vh; max-height: 45vh; }
    TaskDefinitionFormDialog .form-row, TaskDefinitionFormDialog #containers { height: auto; }
    TaskDefinitionFormDialog .form-label { width: 16; padding: 0 1 0 0; color: $text-muted; }
    TaskDefinitionFormDialog Picker > Input { border: none; height: 1; padding: 0 1; }
    TaskDefinitionFormDialog Picker > OptionList { max-height: 5; }
    TaskDefinitionFormDialog .form-row > Input, TaskDefinitionFormDialog .form-row > Select,
    TaskDefinitionFormDialog .form-row > Picker, TaskDefinitionFormDialog .form-row > Checkbox { width: 1fr; }
    TaskDefinitionFormDialog .form-note { color: $text-muted; padding-left: 16; }
    TaskDefinitionFormDialog #create-execution-role { margin-left: 16; display: none; }
    TaskDefinitionFormDialog #create-execution-role.offered { display: block; }
    TaskDefinitionFormDialog #form-keys { color: $text-muted; height: 1; }
    """

    def __init__(self, draft: TaskDefinitionDraft | None = None, *, title: str = "New task definition") -> None:
        self.draft = draft or blank_draft()
        self.title_text = title
        self._serial = 0
        super().__init__()

    # -- composing ------------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        d = self.draft
        yield row("Family", self.prefilled(d.family, id="family", placeholder="a name, e.g. taskDef1", compact=True))
        yield row(
            "Runs on",
            Select(
                [(label, key) for key, label in COMPATIBILITY_LABELS.items()],
                value=d.compatibility,
                allow_blank=False,
                id="compatibility",
                compact=True,
            ),
        )
        yield row(
            "OS family",
            Select(self._options(OS_FAMILIES, d.operating_system_family), **self._at(d.operating_system_family, "os")),
        )
        yield row(
            "Architecture",
            Select(self._options(ARCHITECTURES, d.cpu_architecture), **self._at(d.cpu_architecture, "architecture")),
        )
        yield row(
            "Network mode",
            Select(self._options(NETWORK_MODES, d.network_mode), **self._at(d.network_mode, "network-mode")),
        )
        yield Static("", id="network-note", classes="form-note")
        yield row(
            "Task CPU",
            Select(
                self._cpu_options(d.cpu),
                value=d.cpu if d.cpu else Select.NULL,
                prompt="not set",
                id="task-cpu",
                compact=True,
            ),
        )
        yield row(
            "Task memory",
            Select(
                self._memory_options(d.cpu, d.memory),
                value=d.memory if d.memory else Select.NULL,
                prompt="not set",
                id="task-memory",
                compact=True,
            ),
        )
        yield Static("", id="size-note", classes="form-note")
        yield row("Task role", Picker(what="role", accept_typed=ROLE_ARN, id="task-role"))
        yield row("Execution role", Picker(what="role", accept_typed=ROLE_ARN, id="execution-role"))
        yield Button(Text(f"Create {EXECUTION_ROLE_NAME}"), id="create-execution-role")
        yield Static("", id="execution-role-note", classes="form-note")
        with Vertical(id="containers"):
            for container in d.containers:
                yield self._container(container)

    @staticmethod
    def _options(values: tuple[str, ...], current: str) -> list[tuple[str, str]]:
        # A value from a copied revision that is not in the list is kept as a choice: nothing changes unseen.
        listed = list(values) if current in values or not current else [*values, current]
        return [(value, value) for value in listed]

    @staticmethod
    def _at(value: str, id: str) -> dict[str, Any]:
        return {"value": value, "allow_blank": False, "id": id, "compact": True}

    def _cpu_options(self, current: int | None) -> list[tuple[str, int]]:
        values = list(FARGATE_TASK_SIZES)
        if current and current not in values:
            values.append(current)
        return [(f"{units} ({_vcpu(units)})", units) for units in values]

    def _memory_options(self, cpu: int | None, current: int | None) -> list[tuple[str, int]]:
        fargate = "FARGATE" in COMPATIBILITIES[self._compatibility()]
        windows = self._os().startswith("WINDOWS")
        every = sorted({m for memories in FARGATE_TASK_SIZES.values() for m in memories})
        values = list(fargate_memory_choices(cpu, windows=windows) if cpu and fargate else every)
        options = [(f"{mib} MiB ({_gb(mib)})", mib) for mib in values]
        if current and current not in values:
            # Kept, not silently changed to another size; ctrl+s then says which sizes go with this CPU.
            options.append((f"{current} MiB (not with {cpu} CPU units on Fargate)", current))
        return options

    def _container(self, draft: ContainerDraft) -> ContainerFields:
        self._serial += 1
        return ContainerFields(draft, serial=self._serial, dialog=self, is_secret=self.ecs_app.secret_names)

    # -- reading the widgets --------------------------------------------------------------------------
    def _select(self, id: str) -> Any:
        if not self.is_mounted:
            return None
        value = self.query_one(f"#{id}", Select).value
        return None if value is Select.NULL else value

    def _compatibility(self) -> Compatibility:
        value = self._select("compatibility")
        return value if value in COMPATIBILITIES else self.draft.compatibility

    def _os(self) -> str:
        return str(self._select("os") or self.draft.operating_system_family)

    @property
    def containers(self) -> list[ContainerFields]:
        return list(self.query_one("#containers", Vertical).query_children(ContainerFields))

    # -- behaviour ------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one("#dialog", Vertical).mount(Static(KEYS_LINE, id="form-keys"), before="#dialog-buttons")
        self._network_follows_compatibility()
        self._number_containers()
        self._load_roles()

    @on(Select.Changed, "#compatibility")
    def _compatibility_changed(self) -> None:
        self._network_follows_compatibility()
        self._refill_memory()

    @on(Select.Changed, "#os")
    def _os_changed(self) -> None:
        self._refill_memory()

    @on(Select.Changed, "#task-cpu")
    def _cpu_changed(self) -> None:
        self._refill_memory()

    def _network_follows_compatibility(self) -> None:
        network = self.query_one("#network-mode", Select)
        note = self.query_one("#network-note", Static)
        if "FARGATE" in COMPATIBILITIES[self._compatibility()]:
            network.value = "awsvpc"  # Fargate takes no other
            network.disabled = True
            note.update("awsvpc: Fargate tasks get their own network interface (host port = container port).")
        else:
            network.disabled = False
            note.update("")

    def _refill_memory(self) -> None:
        memory = self.query_one("#task-memory", Select)
        current = self._select("task-memory")
        cpu = self._select("task-cpu")
        options = self._memory_options(cpu, current)
        memory.set_options(options)
        if current is not None:
            memory.value = current
        elif options and "FARGATE" in COMPATIBILITIES[self._compatibility()]:
            memory.value = options[0][1]
        note = self.query_one("#size-note", Static)
        choices = fargate_memory_choices(cpu, windows=self._os().startswith("WINDOWS")) if cpu else ()
        if choices and "FARGATE" in COMPATIBILITIES[self._compatibility()]:
            note.update(Text(f"With {_vcpu(cpu)} Fargate takes {_gb(choices[0])} to {_gb(choices[-1])}."))
        else:
            note.update("")

    def _number_containers(self) -> None:
        found = self.containers
        for position, fields in enumerate(found, start=1):
            fields.number(position, len(found))

    def _focused_container(self) -> ContainerFields | None:
        focused = self.focused
        while focused is not None and not isinstance(focused, ContainerFields):
            focused = focused.parent  # type: ignore[assignment]
        return focused

    async def action_add_container(self) -> None:
        fields = self._container(ContainerDraft(name="", image=""))
        await self.query_one("#containers", Vertical).mount(fields)
        self._number_containers()
        fields.box("name").focus()

    async def action_remove_container(self) -> None:
        fields = self._focused_container()
        found = self.containers
        if fields is None:
            self.show_error("Move into the container to remove first (tab), then ctrl+r.")
            return
        if len(found) == 1:
            self.show_error("A task definition needs at least one container: this one stays.")
            return
        after = found[found.index(fields) + 1] if fields is not found[-1] else found[-2]
        await fields.remove()
        self._number_containers()
        after.box("name").focus()

    def action_move_container(self, by: int) -> None:
        fields = self._focused_container()
        found = self.containers
        if fields is None:
            return
        position = found.index(fields) + by
        if not 0 <= position < len(found):
            return
        holder = self.query_one("#containers", Vertical)
        if by < 0:
            holder.move_child(fields, before=found[position])
        else:
            holder.move_child(fields, after=found[position])
        self._number_containers()
        self.call_after_refresh(fields.scroll_visible)

    # -- roles ----------------------------------------------------------------------------------------
    @work(group="taskdef-form-roles", exclusive=True, exit_on_error=False)
    async def _load_roles(self) -> None:
        task, execution = self.query_one("#task-role", Picker), self.query_one("#execution-role", Picker)
        roles = self.ecs_app.roles
        try:
            task_roles = await roles.task_roles()
        except Exception as exc:
            said = f"Could not read the roles: {to_aws_error(exc).message} Paste a role ARN."
            task.show_error(said)
            execution.show_error(said)
            self._select_drafted_roles()
            return
        task.set_choices([Choice(NO_ROLE, "none", "no AWS credentials"), *map(_choice, task_roles)])
        try:
            execution_roles = await roles.execution_roles()
        except Exception as exc:
            execution.show_error(f"Could not read the execution roles: {to_aws_error(exc).message} Paste a role ARN.")
            self._select_drafted_roles()
            return
        self._offer_execution_roles(execution_roles)
        self._select_drafted_roles()

    def _offer_execution_roles(self, found: list[TaskRole], chosen: str | None = None) -> None:
        execution = self.query_one("#execution-role", Picker)
        none = Choice(NO_ROLE, "none", "public images only: no awslogs, no secrets")
        execution.set_choices([*map(_choice, found), none])
        button = self.query_one("#create-execution-role", Button)
        note = self.query_one("#execution-role-note", Static)
        button.set_class(not found, "offered")
        if not found:
            note.update(
                Text(
                    "The account has no execution role (ECS pulls images and writes logs with it): create "
                    f"{EXECUTION_ROLE_NAME} with AWS's AmazonECSTaskExecutionRolePolicy, as the console does."
                )
            )
        else:
            note.update("")
        if chosen is not None:
            execution.select([chosen])
        elif execution.value is None and found:
            named = [r.arn for r in found if r.name == EXECUTION_ROLE_NAME]
            execution.select([(named or [found[0].arn])[0]])

    def _select_drafted_roles(self) -> None:
        task, execution = self.query_one("#task-role", Picker), self.query_one("#execution-role", Picker)
        if task.value is None:
            task.select([self.draft.task_role_arn or NO_ROLE])
        if self.draft.execution_role_arn:
            execution.select([self.draft.execution_role_arn])

    @on(Button.Pressed, "#create-execution-role")
    def _create_execution_role(self, event: Button.Pressed) -> None:
        event.stop()
        if self.sending:
            return
        self._create_role()

    @work(group="taskdef-form-create-role", exclusive=True, exit_on_error=False)
    async def _create_role(self) -> None:
        button = self.query_one("#create-execution-role", Button)
        button.disabled = True
        self.set_status(f"Creating {EXECUTION_ROLE_NAME}…")
        try:
            created = await self.ecs_app.role_actions.create_task_execution_role()
            found = await self.ecs_app.roles.execution_roles()
        except Exception as exc:
            button.disabled = False
            self.set_status("")
            self.show_error(f"{EXECUTION_ROLE_NAME} was not created: {to_aws_error(exc).message}")
            return
        self.set_status(f"Created {EXECUTION_ROLE_NAME}; it is chosen as the execution role.")
        button.disabled = False
        self.clear_error()
        if not any(r.arn == created.arn for r in found):
            found = [created, *found]  # IAM is eventually consistent: the list may not hold it yet
        self._offer_execution_roles(found, chosen=created.arn)
        task = self.query_one("#task-role", Picker)
        with contextlib.suppress(Exception):  # the task roles were read before; a failure leaves them as they were
            task.set_choices(
                [
                    Choice(NO_ROLE, "none", "no AWS credentials"),
                    *map(_choice, await self.ecs_app.roles.task_roles()),
                ]
            )

    # -- checking and sending -------------------------------------------------------------------------
    def build(self) -> TaskDefinitionDraft:
        """The draft as typed; raise Invalidity with one sentence."""
        family = checked(parse_family_name(self.read("family", "Family")))
        compatibility = self._compatibility()
        network = "awsvpc" if "FARGATE" in COMPATIBILITIES[compatibility] else str(self._select("network-mode"))
        found = self.containers
        containers = tuple(fields.read(f"Container {n}", network) for n, fields in enumerate(found, start=1))
        if not containers:
            raise Invalidity("Add a container (ctrl+n): a task definition needs at least one.")
        task_role, execution_role = (self.query_one(f"#{id}", Picker).value for id in ("task-role", "execution-role"))
        return TaskDefinitionDraft(
            family=family,
            containers=containers,
            compatibility=compatibility,
            operating_system_family=self._os(),
            cpu_architecture=str(self._select("architecture")),
            network_mode=network,
            cpu=self._select("task-cpu"),
            memory=self._select("task-memory"),
            task_role_arn=None if task_role in (None, NO_ROLE) else task_role,
            execution_role_arn=None if execution_role in (None, NO_ROLE) else execution_role,
            extra=self.draft.extra,
        )

    def validate(self) -> Any:
        draft = self.build()
        request = register_request(draft, self.ecs_app.session.region or "us-east-1")
        problems = task_definition_problems(request)
        if problems:
            names = [c.name for c in draft.containers]
            more = f" (and {len(problems) - 1} more once that is fixed)" if len(problems) > 1 else ""
            raise Invalidity(_readable(problems[0], names) + more)
        return request

    async def _preview(self, request: dict[str, Any]) -> TaskDefinition:
        registered = await self.app.push_screen_wait(TaskDefinitionPreviewDialog(request))
        if registered is None:
            raise AwsError("Not registered: you left the preview. What you typed is kept.", kind="invalid")
        return registered

    def perform(self, values: Any) -> Awaitable[TaskDefinition]:
        return self._preview(values)

    def describe_success(self, result: TaskDefinition) -> str:
        return f"Next: R runs a task of {result.label}; n on a cluster creates a service with it."


def _choice(role: TaskRole) -> Choice:
    # Name and ARN only: a description would put each role on two lines at 80 columns.
    return Choice(role.arn, role.name)


__all__ = ["NO_ROLE", "TaskDefinitionFormDialog", "blank_draft"]
