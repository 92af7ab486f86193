"""ECS Exec's dialogs: a shell in a container, a port forward through it, and turning exec on for a service.

Both the shell and the port forward open on the readiness check: one line per thing ECS Exec needs, each saying
what is missing and how to fix it, so that nobody meets ECS's own words ("execute command was not enabled…",
TargetNotConnectedException) without knowing what they mean. Confirm sends nothing while a piece is missing.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Select, Static

from ecstui.aws.errors import to_aws_error
from ecstui.aws.exec import ExecReadiness, ExecSession, ReadinessCheck
from ecstui.aws.models import Container, Service, Task, TaskDefinition
from ecstui.aws.port_forwards import PortForward, local_port_free
from ecstui.ui.dialogs.base import ActionDialog, Invalidity
from ecstui.ui.inert import inert

R = TypeVar("R")

_MARKS = {"ok": ("✓", "green"), "missing": ("✗", "bold red"), "unknown": ("?", "yellow")}


def readiness_text(readiness: ExecReadiness | None, *, note: str = "") -> Text:
    """The readiness check as the dialog shows it: a line per check, and under a missing one, its fix."""
    text = Text()
    text.append_text(inert("Readiness check", "bold"))
    if readiness is not None:
        # The count first: at 80x24 the lines after the third are below the fold.
        missing, unknown = len(readiness.missing), sum(1 for c in readiness.checks if c.state == "unknown")
        total = len(readiness.checks)
        summary = f"{missing} of {total} missing" if missing else f"all {total - unknown} checked ok"
        if unknown:
            summary += f", {unknown} could not be checked"
        text.append_text(inert(f": {summary}", "bold red" if missing else "green"))
    if readiness is None:
        text.append("\n  ")
        text.append_text(inert(note or "checking…", "dim"))
        return text
    for check in readiness.checks:
        text.append("\n")
        text.append_text(_check_line(check))
    if note:
        text.append("\n")
        text.append_text(inert(note, "dim"))
    return text


def _check_line(check: ReadinessCheck) -> Text:
    mark, style = _MARKS[check.state]
    line = Text.assemble((f"{mark} ", style), inert(check.name, "bold"), inert(f": {check.detail}"))
    if check.state == "missing" and check.fix:
        line.append("\n    ")
        line.append_text(inert(f"fix: {check.fix}", "italic"))
    return line


class ExecTargetDialog(ActionDialog[R], Generic[R]):
    """What the shell and the port forward share: which container, and whether ECS Exec can reach it."""

    BINDINGS = [Binding("ctrl+o", "enable_on_service", "Enable on service", id="exec.enable")]

    # Compact, so that at 80x24 the readiness lines start high enough to be read without scrolling: the
    # container is a one-line select, each field sits beside its label.
    DEFAULT_CSS = """
    ExecTargetDialog #exec-readiness { height: auto; padding-top: 1; }
    ExecTargetDialog .exec-row { height: auto; }
    ExecTargetDialog .exec-row > .exec-label { width: auto; padding: 1 1 0 0; color: $text-muted; }
    ExecTargetDialog .exec-row > .exec-label.compact { padding: 0 1 0 0; }
    ExecTargetDialog .exec-row > Input { width: 1fr; }
    ExecTargetDialog #exec-container { width: 1fr; }
    ExecTargetDialog #exec-enable { display: none; margin-top: 1; }
    ExecTargetDialog #exec-enable.shown { display: block; }
    """

    def __init__(self, cluster: str, task: Task, container: str | None = None) -> None:
        self.cluster = cluster
        self.ecs_task = task
        running = [c for c in task.containers if c.last_status == "RUNNING"] or list(task.containers)
        self.container_name = container or (running[0].name if running else None)
        self.readiness: ExecReadiness | None = None
        self.definition: TaskDefinition | None = None
        self.service: Service | None = None
        super().__init__()

    @property
    def container(self) -> Container | None:
        return next((c for c in self.ecs_task.containers if c.name == self.container_name), None)

    def compose_target(self) -> ComposeResult:
        task = self.ecs_task
        yield Static(inert(f"Task {task.id} ({task.task_definition}, {task.last_status}) in {self.cluster}"))
        if len(task.containers) > 1:
            options = [(inert(f"{c.name}  ({c.last_status or '?'})"), c.name) for c in task.containers]
            with Horizontal(classes="exec-row"):
                yield Static("Container:", classes="exec-label compact")
                yield Select(
                    options,
                    value=self.container_name or Select.NULL,
                    allow_blank=False,
                    compact=True,
                    id="exec-container",
                )
        else:
            yield Static(inert(f"Container: {self.container_name or '-'}"))

    def compose_readiness(self) -> ComposeResult:
        yield Static(readiness_text(None), id="exec-readiness")
        yield Button("Enable on service (ctrl+o)", id="exec-enable")

    def on_mount(self) -> None:
        self.run_check()

    @on(Select.Changed, "#exec-container")
    def _container_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.container_name:
            self.container_name = event.value
            self.container_changed()
            self.run_check()

    def container_changed(self) -> None:
        """A subclass's fields that follow the container (the port forward's default port)."""

    @work(exclusive=True, group="exec-readiness", exit_on_error=False)
    async def run_check(self) -> None:
        view = self.query_one("#exec-readiness", Static)
        view.update(readiness_text(None))
        app = self.ecs_app
        try:
            # Read afresh: the agent's state and the task's own settings are what ECS says now.
            task = await app.reader.task(self.cluster, self.ecs_task.arn) or self.ecs_task
            self.ecs_task = task
            self.definition = await app.reader.task_definition(task.task_definition_arn)
            name = task.service_name
            self.service = await app.reader.service(self.cluster, name) if name else None
            self.readiness = await app.exec_readiness.check(task, self.container_name, self.definition, self.service)
        except Exception as exc:
            view.update(readiness_text(None, note=f"The check could not run: {to_aws_error(exc).message}"))
            return
        note = ""
        if app.target.read_only:
            note = "Read-only session: nothing can be started from here (restart without --read-only)."
        elif self.readiness.ready:
            note = self.ready_note()
        view.update(readiness_text(self.readiness, note=note))
        enable = self.query_one("#exec-enable", Button)
        enable.set_class(self.readiness.can_enable_on_service and not app.target.read_only, "shown")
        self.container_changed()

    def ready_note(self) -> str:
        return "Ready."

    def validate_ready(self) -> None:
        if self.ecs_app.target.read_only:
            raise Invalidity("Read-only session: ECS Exec starts a session, a change; nothing was sent.")
        if self.container_name is None:
            raise Invalidity("Choose a container.")
        if self.readiness is None:
            raise Invalidity("The readiness check has not finished: wait for its lines above.")
        missing = self.readiness.missing
        if missing:
            names = ", ".join(check.name for check in missing)
            raise Invalidity(f"Not ready ({names}): fix what the check above says; nothing was sent.")

    @on(Button.Pressed, "#exec-enable")
    def action_enable_on_service(self) -> None:
        readiness, service = self.readiness, self.readiness.service if self.readiness else None
        if readiness is None or service is None or not readiness.can_enable_on_service:
            return
        if not self.ecs_app.can_mutate("enabling ECS Exec"):
            return
        self.app.push_screen(EnableExecDialog(self.cluster, service), self._enabled)

    def _enabled(self, service: object) -> None:
        if service is not None:
            self.run_check()


class ExecDialog(ExecTargetDialog[ExecSession]):
    """`s`: a shell (or any command) in a container, through ExecuteCommand and session-manager-plugin."""

    confirm_label = "Open shell"

    BINDINGS = [Binding("ctrl+f", "port_forward", "Port forward", id="exec.port_forward")]

    def __init__(self, cluster: str, task: Task, container: str | None = None) -> None:
        super().__init__(cluster, task, container)
        self.title_text = f"Shell in task {task.id}"

    def compose_body(self) -> ComposeResult:
        yield from self.compose_target()
        with Horizontal(classes="exec-row"):
            yield Static("Command:", classes="exec-label")
            yield Input(self.ecs_app.options.exec_command, id="exec-command")
        yield from self.compose_readiness()

    def ready_note(self) -> str:
        return (
            "Ready: Open shell hands this terminal to session-manager-plugin until the command exits. "
            "ctrl+f: a port forward instead."
        )

    def validate(self) -> str:
        command = self.query_one("#exec-command", Input).value.strip()
        if not command:
            raise Invalidity("Type the command to run (/bin/sh for a shell).")
        self.validate_ready()
        return command

    def perform(self, values: Any) -> Awaitable[ExecSession]:
        assert self.container_name is not None
        return self.ecs_app.exec_actions.execute_command(self.cluster, self.ecs_task, self.container_name, values)

    def describe_success(self, result: ExecSession) -> str:
        return f"ECS Exec session {result.session_id}: handing the terminal to session-manager-plugin."

    def action_port_forward(self) -> None:
        if self.sending:
            return
        dialog = PortForwardDialog(self.cluster, self.ecs_task, self.container_name)
        self.dismiss(None)
        self.app.push_screen(dialog)


def _port(value: str, what: str) -> int:
    if not value.strip().isdigit() or not 1 <= int(value) <= 65535:
        raise Invalidity(f"{what} must be a port number from 1 to 65535 (you typed {value.strip()!r}).")
    return int(value)


class PortForwardDialog(ExecTargetDialog[PortForward]):
    """`F`: localhost:<port> to a container port, or through the task to a host it reaches (a database)."""

    confirm_label = "Start forward"

    def __init__(self, cluster: str, task: Task, container: str | None = None) -> None:
        super().__init__(cluster, task, container)
        self.title_text = f"Port forward through task {task.id}"

    def compose_body(self) -> ComposeResult:
        yield from self.compose_target()
        with Horizontal(classes="exec-row"):
            yield Static("Remote port:", classes="exec-label")
            yield Input("", id="forward-remote", placeholder="8080", classes="port")
            yield Static("Local port:", classes="exec-label")
            yield Input("", id="forward-local", placeholder="same", classes="port")
        with Horizontal(classes="exec-row"):
            yield Static("Remote host:", classes="exec-label")
            yield Input("", id="forward-host", placeholder="empty: the container; or a host the task reaches (a DB)")
        yield from self.compose_readiness()

    DEFAULT_CSS = """
    PortForwardDialog .exec-row > Input.port { width: 12; }
    """

    def container_changed(self) -> None:
        # The container's first port from its definition, unless the user typed one.
        box = self.query_one("#forward-remote", Input)
        if box.value or self.definition is None:
            return
        definition = next((c for c in self.definition.containers if c.name == self.container_name), None)
        port = (
            next((m.container_port for m in definition.port_mappings if m.container_port), None) if definition else None
        )
        if port:
            box.value = str(port)

    def ready_note(self) -> str:
        return "Ready: the plugin runs in the background; :sessions lists the forward and ends it (ctrl+d)."

    def validate(self) -> tuple[int, int, str | None]:
        host = self.query_one("#forward-host", Input).value.strip() or None
        remote = _port(self.query_one("#forward-remote", Input).value, "The remote port")
        typed_local = self.query_one("#forward-local", Input).value.strip()
        local = _port(typed_local, "The local port") if typed_local else remote
        self.validate_ready()
        if not local_port_free(local):
            raise Invalidity(f"Local port {local} is in use on this machine: choose another.")
        return remote, local, host

    def perform(self, values: Any) -> Awaitable[PortForward]:
        remote, local, host = values
        container = self.container
        assert container is not None
        return self.ecs_app.port_forwards.open(self.cluster, self.ecs_task, container, remote, local, host)

    def describe_success(self, result: PortForward) -> str:
        return f"Forwarding localhost:{result.local_port} to {result.target}: :sessions lists it."


class EnableExecDialog(ActionDialog[Service]):
    """enableExecuteCommand on a service, and (only if asked) the deployment that gives its tasks exec."""

    confirm_label = "Enable"

    def __init__(self, cluster: str, service: str) -> None:
        self.cluster = cluster
        self.service_name = service
        self.title_text = f"Enable ECS Exec on service {service}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Static(
            inert(
                f"Sets enableExecuteCommand on {self.service_name} (UpdateService). It takes effect for new tasks "
                "only: the running ones keep running without exec until a new deployment replaces them.",
                multiline=True,
            )
        )
        yield Checkbox(
            inert(f"Start a new deployment now (forceNewDeployment: every task of {self.service_name} is replaced)"),
            False,
            id="enable-deploy",
        )

    def validate(self) -> bool:
        return bool(self.query_one("#enable-deploy", Checkbox).value)

    def perform(self, values: Any) -> Awaitable[Service]:
        return self.ecs_app.exec_actions.enable_execute_command(
            self.cluster, self.service_name, force_new_deployment=bool(values)
        )

    def describe_success(self, result: Service) -> str:
        deployed = bool(self.query_one("#enable-deploy", Checkbox).value)
        if deployed:
            return f"ECS Exec enabled on {result.name}: a new deployment replaces its tasks with ones that have it."
        return (
            f"ECS Exec enabled on {result.name}: tasks it starts from now on have it (restart the service to "
            "replace the running ones)."
        )


__all__ = ["EnableExecDialog", "ExecDialog", "ExecTargetDialog", "PortForwardDialog", "readiness_text"]
