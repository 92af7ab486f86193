"""One container's fields in the task-definition form: name, image, essential, ports, environment, secrets,
CPU/memory and logs, read back into a `ContainerDraft`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Static, TextArea

from ecstui.aws.task_definition_draft import (
    ContainerDraft,
    DefaultAwsLogs,
    EnvironmentVariable,
    LogConfigurationDraft,
    PortMappingDraft,
    SecretDraft,
)
from ecstui.aws.validation import CONTAINER_CPU, CONTAINER_MEMORY, CONTAINER_PORT, HOST_PORT, Invalid
from ecstui.ui.dialogs.base import checked
from ecstui.ui.dialogs.task_definition import (
    environment_text,
    parse_environment,
    parse_optional_whole,
    unshown_environment,
)
from ecstui.ui.inert import inert, visible
from ecstui.ui.secrets import MASK

if TYPE_CHECKING:
    from ecstui.ui.dialogs.base import ActionDialog

# '3000', '3000/tcp', '8080:80/udp' (host:container, for bridge and host networking). ASCII digits only.
_PORT = re.compile(r"(?:([0-9]+):)?([0-9]+)(?:/(tcp|udp))?", re.ASCII | re.IGNORECASE)


def ports_line(mappings: tuple[PortMappingDraft, ...]) -> str:
    """Port mappings as the field shows them: '3000/tcp', with 'host:' in front when a host port differs."""
    shown = []
    for m in mappings:
        host = f"{m.host_port}:" if m.host_port is not None and m.host_port != m.container_port else ""
        shown.append(f"{host}{m.container_port}/{m.protocol}")
    return ", ".join(shown)


def parse_port_mappings(
    text: str, where: str, network_mode: str, kept: tuple[PortMappingDraft, ...] = ()
) -> tuple[PortMappingDraft, ...] | Invalid:
    """'3000/tcp, 8125/udp' as port mappings. Under awsvpc the host port is the container port (as ECS makes it,
    and as the console writes it); elsewhere it is unset (a dynamic port) unless written as 'host:container'.
    A mapping read from a revision (`kept`) keeps its other fields (name, appProtocol) when it is still listed."""
    extras = {(m.container_port, m.protocol): m.extra for m in kept}
    hosts = {(m.container_port, m.protocol): m.host_port for m in kept}
    mappings: list[PortMappingDraft] = []
    for raw in re.split(r"[,\s]+", text.strip(" \t"), flags=re.ASCII):
        if not raw:
            continue
        found = _PORT.fullmatch(raw)
        if found is None:
            return Invalid(f"{where}, ports: {visible(raw[:24])!r} is not a port like 3000/tcp or 8080:80/udp.")
        port = CONTAINER_PORT.parse(found.group(2))
        if isinstance(port, Invalid):
            return Invalid(f"{where}, ports: {port.message}")
        host: int | Invalid | None = HOST_PORT.parse(found.group(1)) if found.group(1) else None
        if isinstance(host, Invalid):
            return Invalid(f"{where}, ports: {host.message}")
        protocol = (found.group(3) or "tcp").lower()
        if host is None and (port, protocol) in hosts:
            host = hosts[(port, protocol)]  # a mapping of the revision: its host port as it was (unset, or 0)
        elif host is None and network_mode == "awsvpc":
            host = port
        if any(m.container_port == port and m.protocol == protocol for m in mappings):
            return Invalid(f"{where}, ports: {port}/{protocol} is listed twice.")
        mappings.append(PortMappingDraft(port, host, protocol, extras.get((port, protocol), {})))
    return tuple(mappings)


def parse_secrets(text: str, where: str) -> tuple[SecretDraft, ...] | Invalid:
    """NAME=source lines: the variable, and the SSM parameter or Secrets Manager ARN ECS reads it from."""
    pairs = parse_environment(text, where.replace("environment", "secrets"))
    if isinstance(pairs, Invalid):
        return Invalid(pairs.message.replace(", environment line", ", secrets line"))
    for name, source in pairs:
        if not source.strip():
            return Invalid(
                f"{where}, secrets: {name} needs where ECS reads it from (an SSM parameter or Secrets Manager ARN)."
            )
    return tuple(SecretDraft(name, source.strip()) for name, source in pairs)


def row(label: str, widget: Widget) -> Horizontal:
    """A label and its field on one line: the form stays a column moved through with tab."""
    return Horizontal(Static(label, classes="form-label"), widget, classes="form-row")


class ContainerFields(Vertical):
    """The fields of one container. Ids carry a serial, not the position: containers move."""

    DEFAULT_CSS = """
    ContainerFields { height: auto; border-top: solid $accent; margin-top: 1; }
    ContainerFields:focus-within { border-top: thick $accent; }
    ContainerFields .container-title { text-style: bold; color: $accent; }
    ContainerFields TextArea { height: 3; width: 1fr; background: $boost; }
    """

    def __init__(
        self,
        draft: ContainerDraft,
        *,
        serial: int,
        dialog: ActionDialog[Any],
        is_secret: Callable[[object], bool],
    ) -> None:
        super().__init__(id=f"container-{serial}")
        self.draft = draft
        self.serial = serial
        self.dialog = dialog
        self.is_secret = is_secret
        self.original_environment = [(e.name, e.value) for e in draft.environment]
        self.number_label = Static("", classes="container-title")

    def _field_id(self, name: str) -> str:
        return f"c{self.serial}-{name}"

    def box(self, name: str) -> Input:
        return self.query_one(f"#{self._field_id(name)}", Input)

    def compose(self) -> ComposeResult:
        d, prefilled = self.draft, self.dialog.prefilled
        yield self.number_label
        yield row("Name", prefilled(d.name, id=self._field_id("name"), placeholder="e.g. node-app", compact=True))
        yield row(
            "Image",
            prefilled(
                d.image,
                id=self._field_id("image"),
                placeholder="e.g. public.ecr.aws/docker/library/node:20-alpine",
                compact=True,
            ),
        )
        yield row(
            "Essential",
            Checkbox("the task stops when it stops", d.essential, id=self._field_id("essential"), compact=True),
        )
        yield row(
            "Ports",
            Input(
                ports_line(d.port_mappings), id=self._field_id("ports"), placeholder="3000/tcp, 8125/udp", compact=True
            ),
        )
        # Secret-named values read as the mask, as everywhere; left as the mask, they keep their value.
        environment = [{"name": n, "value": v} for n, v in self.original_environment]
        area = TextArea(
            environment_text(environment, self.is_secret),
            id=self._field_id("env"),
            placeholder="NAME=value, one a line",
            compact=True,
        )
        yield row("Environment", area)
        secrets = TextArea(
            "\n".join(f"{visible(s.name)}={visible(s.value_from)}" for s in d.secrets),
            id=self._field_id("secrets"),
            placeholder="NAME=SSM parameter name or ARN, or Secrets Manager ARN (values are never read)",
            compact=True,
        )
        yield row("Secrets", secrets)
        yield row(
            "CPU units",
            prefilled(_text(d.cpu), id=self._field_id("cpu"), placeholder="optional: the task's share", compact=True),
        )
        yield row(
            "Memory MiB",
            prefilled(_text(d.memory), id=self._field_id("memory"), placeholder="optional: hard limit", compact=True),
        )
        yield row(
            "Logs",
            Checkbox(self._log_label(), d.log_configuration is not None, id=self._field_id("logs"), compact=True),
        )

    def _log_label(self) -> str:
        log = self.draft.log_configuration
        if isinstance(log, LogConfigurationDraft):
            return f"keep its {log.driver} log configuration"
        return "awslogs to /ecs/<family>, prefix ecs, group created"

    def number(self, position: int, total: int) -> None:
        name = self.box("name").value.strip() if self.is_mounted else self.draft.name
        title = Text(f"Container {position} of {total}")
        if name:
            title.append_text(inert(f"  {name}"))
        self.number_label.update(title)

    def read(self, where: str, network_mode: str) -> ContainerDraft:
        """The container as typed; raises Invalidity with one sentence (nothing is changed in the fields)."""
        d = self.draft
        name = self.dialog.read(self._field_id("name"), f"{where}, name").strip()
        image = self.dialog.read(self._field_id("image"), f"{where}, image").strip()
        ports = checked(parse_port_mappings(self.box("ports").value, where, network_mode, d.port_mappings))
        known = dict(self.original_environment)
        pairs = [
            (n, known[n] if v == MASK and n in known and self.is_secret(n) else v)
            for n, v in checked(parse_environment(self.query_one(f"#{self._field_id('env')}", TextArea).text, where))
        ]
        pairs = checked(unshown_environment(pairs, self.original_environment, where))
        secrets = checked(parse_secrets(self.query_one(f"#{self._field_id('secrets')}", TextArea).text, where))
        cpu = checked(parse_optional_whole(self.dialog.read(self._field_id("cpu")), f"{where}, CPU", CONTAINER_CPU))
        memory = checked(
            parse_optional_whole(self.dialog.read(self._field_id("memory")), f"{where}, memory", CONTAINER_MEMORY)
        )
        logs_on = self.query_one(f"#{self._field_id('logs')}", Checkbox).value
        log = (d.log_configuration or DefaultAwsLogs()) if logs_on else None
        return ContainerDraft(
            name=name,
            image=image,
            essential=self.query_one(f"#{self._field_id('essential')}", Checkbox).value,
            port_mappings=ports,
            environment=tuple(EnvironmentVariable(n, v) for n, v in pairs),
            secrets=secrets,
            cpu=cpu,
            memory=memory,
            memory_reservation=d.memory_reservation,  # not a field here: kept as the revision had it
            log_configuration=log,
            extra=d.extra,
        )


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


__all__ = ["ContainerFields", "parse_port_mappings", "parse_secrets", "ports_line", "row"]
