"""One task definition revision, readable (per container image, resources, ports, env...), with its actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual.widgets import Static

from ecstui.aws.models import TaskDefinition, task_definition_label
from ecstui.aws.resource_ref import ResourceRef, task_definition_ref
from ecstui.ui.format import dash, status_text, timestamp
from ecstui.ui.inert import inert
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.detail import DetailScreen
from ecstui.ui.screens.task_definitions import TaskDefinitionActions
from ecstui.ui.secrets import REVEAL_BINDING, RevealsSecrets, SecretNames, env_value
from ecstui.ui.tables import inert_group
from ecstui.ui.tables import kv_table as _kv

DEFAULT_SECRET_NAMES = SecretNames.from_pattern()


def render_task_definition(
    definition: TaskDefinition, secrets: Callable[[object], bool] = DEFAULT_SECRET_NAMES, revealed: bool = False
) -> RenderableType:
    """The revision, its secret-named environment values masked unless `revealed` (see ecstui.ui.secrets)."""
    summary = _kv(f"Task definition {definition.label}")
    summary.field("Status", status_text(definition.status))
    summary.field("Task CPU / memory", inert(f"{dash(definition.cpu)} / {dash(definition.memory)}"))
    summary.field("Network mode", inert(dash(definition.network_mode)))
    summary.field("Compatibilities", inert(", ".join(definition.requires_compatibilities) or "-"))
    summary.field("Task role", inert(dash(definition.task_role_arn)))
    summary.field("Execution role", inert(dash(definition.execution_role_arn)))
    summary.field("Registered", inert(timestamp(definition.registered_at)))
    parts: list[RenderableType] = [summary]
    for container in definition.containers:
        table = _kv(f"Container {container.name}" + ("" if container.essential else " (not essential)"))
        table.field("Image", inert(container.image))
        table.field(
            "CPU / memory",
            inert(
                f"{dash(container.cpu)} / {dash(container.memory)} (reservation {dash(container.memory_reservation)})"
            ),
        )
        if container.port_mappings:
            table.field(
                "Ports",
                inert(
                    ", ".join(
                        f"{p.container_port}/{p.protocol or 'tcp'}" + (f" (host {p.host_port})" if p.host_port else "")
                        for p in container.port_mappings
                    )
                ),
            )
        if container.command:
            table.field("Command", inert(" ".join(container.command)))
        if container.entry_point:
            table.field("Entry point", inert(" ".join(container.entry_point)))
        for name, value in container.environment:
            table.field("env", Text.assemble(inert(name, "bold"), "=", env_value(name, value, secrets, revealed)))
        for secret in container.secrets:
            table.field("secret", Text.assemble(inert(secret.name, "bold"), " from ", inert(secret.value_from, "cyan")))
        for mount in container.mount_points:
            table.field(
                "Mount",
                inert(f"{mount.source_volume} -> {mount.container_path}" + (" (read-only)" if mount.read_only else "")),
            )
        if container.log_driver:
            options = ", ".join(f"{k}={v}" for k, v in container.log_options)
            table.field("Logs", inert(f"{container.log_driver} {options}".strip()))
        if container.health_check:
            table.field("Health check", inert(" ".join(container.health_check)))
        parts += [Text(""), table]
    if definition.volumes:
        volumes = _kv("Volumes")
        for volume in definition.volumes:
            volumes.field(inert(volume.name), inert(f"{volume.kind} {volume.detail}".strip()))
        parts += [Text(""), volumes]
    return inert_group(*parts)


class TaskDefinitionScreen(RevealsSecrets, DetailScreen, TaskDefinitionActions, ResourceKeys):
    kind = "Task definition"
    live = False  # a revision never changes

    BINDINGS = [REVEAL_BINDING]

    def __init__(self, arn: str) -> None:
        self.arn = arn
        super().__init__()

    def subject(self) -> str:
        return task_definition_label(self.arn)

    async def fetch(self) -> Any:
        return await self.ecs_app.reader.task_definition(self.arn)

    def render_body(self, data: Any) -> RenderableType:
        return render_task_definition(data, self.ecs_app.secret_names, self.secrets_revealed)

    def show_secrets_changed(self) -> None:
        if isinstance(self.data, TaskDefinition):
            self.body = self.render_body(self.data)
            self.query_one("#detail-body", Static).update(self.body)

    def current_definition(self) -> TaskDefinition | None:
        return self.data if isinstance(self.data, TaskDefinition) else None

    def selected_ref(self) -> ResourceRef | None:
        data = self.data
        return task_definition_ref(data, self.session_region) if isinstance(data, TaskDefinition) else None
