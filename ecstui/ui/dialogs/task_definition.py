"""New task definition revisions: the everyday-edits form, the diff review that registers, the roll-out offer."""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from ecstui.aws.errors import AwsError
from ecstui.aws.models import Service, TaskDefinition, short_name
from ecstui.aws.validation import (
    CONTAINER_CPU,
    CONTAINER_MEMORY,
    CONTAINER_PORT,
    Invalid,
    NumberField,
    parse_task_cpu,
    parse_task_memory,
    registrable_definition,
    task_definition_problems,
)
from ecstui.ui.dialogs.base import ActionDialog, Invalidity, checked
from ecstui.ui.inert import inert, make_inert, shows_stand_ins, visible
from ecstui.ui.secrets import MASK, REVEAL_BINDING, RevealsSecrets, masked_definition, readable_mask

# ASCII digits only (\d takes fullwidth digits too); each number is then checked by CONTAINER_PORT, length first.
_PORT_TOKEN = re.compile(r"([0-9]+)(?:-([0-9]+))?(?:/(tcp|udp))?", re.ASCII | re.IGNORECASE)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


# -- what the form shows, and how it reads back -------------------------------------------------------


def environment_text(environment: Any, is_secret: Callable[[object], bool] = lambda name: False) -> str:
    """A container's environment as KEY=VALUE lines, each drawn as its characters (a control character, a line
    break or a tab in a value shows as ␛, ␊, ␉: one variable stays one line; see `unshown_environment`), and
    secret-named values as the mask."""
    if not isinstance(environment, list):
        return ""
    return "\n".join(
        f"{visible(item.get('name', ''))}={MASK if is_secret(item.get('name')) else visible(item.get('value', ''))}"
        for item in environment
        if isinstance(item, dict)
    )


def unshown_environment(
    pairs: list[tuple[str, str]], original: Sequence[tuple[str, str]], where: str
) -> list[tuple[str, str]] | Invalid:
    """Edited KEY=VALUE pairs with every line left as `environment_text` drew it given back as AWS holds it; a
    line edited but still holding stand-ins (␛, ⟨U+202E⟩) is refused rather than sent changed."""
    drawn = {(visible(name), visible(value)): (name, value) for name, value in original}
    result: list[tuple[str, str]] = []
    for name, value in pairs:
        kept = drawn.get((name, value))
        if kept is not None:
            result.append(kept)
        elif shows_stand_ins(name) or shows_stand_ins(value):
            return Invalid(
                f"{where}, environment: {name} holds characters that cannot be shown (drawn as ␛, ⟨U+…⟩); "
                "leave its line as it was, or type the value anew without them."
            )
        else:
            result.append((name, value))
    return result


def toggle_masked_lines(text: str, known: dict[str, str], is_secret: Callable[[object], bool], reveal: bool) -> str:
    """KEY=VALUE lines with secret values shown (from `known`) or masked (and remembered in `known`)."""
    lines = []
    for line in text.split("\n"):
        name, equals, value = line.partition("=")
        key = name.strip()
        if equals and is_secret(key):
            if reveal and value == MASK and key in known:
                value = visible(known[key])  # drawn, as environment_text draws
            elif not reveal and value != MASK:
                known[key] = value
                value = MASK
            line = f"{name}={value}"
        lines.append(line)
    return "\n".join(lines)


def parse_environment(text: str, where: str) -> list[tuple[str, str]] | Invalid:
    """KEY=VALUE lines (blank lines ignored; the value is everything after the first '=')."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, equals, value = line.partition("=")
        name = name.strip()
        if not equals:
            return Invalid(f"{where}, environment line {number}: {line.strip()!r} is not KEY=VALUE.")
        if not _ENV_NAME.fullmatch(name):
            return Invalid(f"{where}, environment line {number}: {name!r} is not a variable name.")
        if name in seen:
            return Invalid(f"{where}, environment line {number}: {name} is set twice.")
        seen.add(name)
        pairs.append((name, value))
    return pairs


def _mapping_token(mapping: dict[str, Any]) -> tuple[int, int | None, str] | None:
    protocol = str(mapping.get("protocol") or "tcp").lower()
    if isinstance(mapping.get("containerPort"), int):
        return (mapping["containerPort"], None, protocol)
    found = _PORT_TOKEN.fullmatch(str(mapping.get("containerPortRange") or "")[:32])
    if found:
        return (int(found.group(1)), int(found.group(2)) if found.group(2) else None, protocol)
    return None


def _token_text(token: tuple[int, int | None, str]) -> str:
    start, end, protocol = token
    return f"{start}-{end}/{protocol}" if end is not None else f"{start}/{protocol}"


def ports_text(mappings: Any) -> str:
    """A container's port mappings as '8080/tcp, 9090/udp' (ranges as '8000-8100/tcp')."""
    if not isinstance(mappings, list):
        return ""
    tokens = [_mapping_token(m) for m in mappings if isinstance(m, dict)]
    return ", ".join(_token_text(t) for t in tokens if t is not None)


def parse_ports(text: str, where: str) -> list[tuple[int, int | None, str]] | Invalid:
    """'8080/tcp, 9090' -> [(8080, None, 'tcp'), (9090, None, 'tcp')]; ranges as '8000-8100/udp'."""
    tokens: list[tuple[int, int | None, str]] = []
    # ASCII separators only: an ideographic space is not a separator, it is part of a bad token.
    for raw in re.split(r"[,\s]+", text.strip(" \t"), flags=re.ASCII):
        if not raw:
            continue
        found = _PORT_TOKEN.fullmatch(raw)
        if not found:
            shown = repr(raw if len(raw) <= 24 else raw[:24] + "…")
            return Invalid(f"{where}, ports: {shown} is not a port like 8080/tcp or 9090.")
        start = CONTAINER_PORT.parse(found.group(1))
        if isinstance(start, Invalid):
            return Invalid(f"{where}, ports: {start.message}")
        end: int | Invalid | None = CONTAINER_PORT.parse(found.group(2)) if found.group(2) else None
        if isinstance(end, Invalid):
            return Invalid(f"{where}, ports: {end.message}")
        if end is not None and end <= start:
            return Invalid(f"{where}, ports: the range {raw} ends before it starts.")
        token = (start, end, (found.group(3) or "tcp").lower())
        if token in tokens:
            return Invalid(f"{where}, ports: {_token_text(token)} is listed twice.")
        tokens.append(token)
    return tokens


def parse_optional_whole(text: str, where: str, field: NumberField) -> int | Invalid | None:
    """Empty means 'not set'; otherwise a whole number in `field`'s range (see validation.NumberField)."""
    value = field.parse_optional(text)
    return Invalid(f"{where}: {value.message}") if isinstance(value, Invalid) else value


def _prefixed(value: str | Invalid | None, where: str) -> str | Invalid | None:
    return Invalid(f"{where}: {value.message}") if isinstance(value, Invalid) else value


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


def definition_diff(before: dict[str, Any], after: dict[str, Any], before_label: str) -> Text:
    """A coloured unified diff of the two definitions' JSON (what RegisterTaskDefinition would receive)."""
    old = readable_mask(json.dumps(before, indent=2, default=str)).splitlines()
    new = readable_mask(json.dumps(after, indent=2, default=str)).splitlines()
    text = Text()
    for line in difflib.unified_diff(old, new, fromfile=before_label, tofile="new revision", lineterm="", n=3):
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        else:
            style = "dim"
        text.append(line + "\n", style=style)
    text.rstrip()
    return text


def diff_counts(before: dict[str, Any], after: dict[str, Any]) -> tuple[int, int]:
    old = json.dumps(before, indent=2, default=str).splitlines()
    new = json.dumps(after, indent=2, default=str).splitlines()
    lines = list(difflib.unified_diff(old, new, lineterm="", n=0))
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return added, removed


# -- dialogs ------------------------------------------------------------------------------------------


class RegisterRevisionDialog(ActionDialog[TaskDefinition]):
    """The diff against the source revision, and the one RegisterTaskDefinition call."""

    confirm_label = "Register"

    DEFAULT_CSS = """
    RegisterRevisionDialog > #dialog { width: 120; }
    RegisterRevisionDialog #dialog-body { max-height: 65vh; }
    RegisterRevisionDialog #diff { height: auto; }
    """

    def __init__(self, source: TaskDefinition, definition: dict[str, Any]) -> None:
        self.source = source
        self.definition = definition
        self.title_text = f"Register a new revision of {definition.get('family', source.family)}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        secrets = self.ecs_app.secret_names
        before = masked_definition(registrable_definition(self.source.raw), secrets)
        after = masked_definition(self.definition, secrets, compared_to=registrable_definition(self.source.raw))
        added, removed = diff_counts(before, after)
        yield Static(
            Text.assemble(
                "Changes from ",
                inert(self.source.label, "bold"),
                f" ({added} line{'s' if added != 1 else ''} added, {removed} removed). ",
                ("ctrl+s", "bold"),
                " registers it; escape goes back to the edits.",
            )
        )
        yield Static(make_inert(definition_diff(before, after, self.source.label)), id="diff")

    def perform(self, values: Any) -> Awaitable[TaskDefinition]:
        return self.ecs_app.actions.register_task_definition(self.definition)

    def describe_success(self, result: TaskDefinition) -> str:
        return f"Registered {result.label}."


class RevisionEditDialog(ActionDialog[TaskDefinition]):
    """Edits of a revision into a new definition; confirming shows the diff, which registers it.

    This dialog sends nothing itself: the review dialog on top of it does, and backing out of the review
    returns here with every edit kept.
    """

    confirm_label = "Review diff"

    def __init__(self, source: TaskDefinition) -> None:
        self.source = source
        self.original = registrable_definition(source.raw)
        super().__init__()

    def build(self) -> dict[str, Any]:
        """The new definition from the inputs; raise Invalidity with a sentence."""
        raise NotImplementedError

    def validate(self) -> Any:
        definition = self.build()
        problems = task_definition_problems(definition)
        if problems:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise Invalidity(" ".join(problems[:3]) + more)
        if definition == self.original:
            raise Invalidity(f"Nothing changed from {self.source.label}: there is nothing to register.")
        return definition

    async def _review(self, definition: dict[str, Any]) -> TaskDefinition:
        registered = await self.app.push_screen_wait(RegisterRevisionDialog(self.source, definition))
        if registered is None:
            raise AwsError("Not registered: you left the review. Your edits are kept.", kind="invalid")
        return registered

    def perform(self, values: Any) -> Awaitable[TaskDefinition]:
        return self._review(values)

    def describe_success(self, result: TaskDefinition) -> str:
        return f"{result.label} is ready; looking for the services of {result.family} to roll onto it…"


class NewRevisionDialog(RevealsSecrets, RevisionEditDialog):
    """The everyday edits: images, task and container CPU/memory, environment, port mappings."""

    BINDINGS = [REVEAL_BINDING]

    DEFAULT_CSS = """
    NewRevisionDialog > #dialog { width: 110; }
    NewRevisionDialog #dialog-body { max-height: 65vh; }
    NewRevisionDialog .field-row { height: auto; }
    NewRevisionDialog .field-row > Vertical { width: 1fr; height: auto; margin-right: 1; }
    NewRevisionDialog .container-title { text-style: bold; padding-top: 1; color: $accent; }
    NewRevisionDialog TextArea { height: 6; }
    """

    def __init__(self, source: TaskDefinition) -> None:
        super().__init__(source)
        self.title_text = f"New revision from {source.label}"
        # Per container: the values of its secret-named variables, for lines still reading the mask.
        self.secret_values: dict[int, dict[str, str]] = {
            index: {
                str(e.get("name")): str(e.get("value", ""))
                for e in container.get("environment") or []
                if isinstance(e, dict)
            }
            for index, container in enumerate(self.containers)
        }

    def _secret(self, name: object) -> bool:
        return self.ecs_app.secret_names(name)

    def show_secrets_changed(self) -> None:
        for index in range(len(self.containers)):
            area = self.query_one(f"#env-{index}", TextArea)
            known = self.secret_values.setdefault(index, {})
            area.load_text(toggle_masked_lines(area.text, known, self._secret, self.secrets_revealed))

    @property
    def containers(self) -> list[dict[str, Any]]:
        found = self.original.get("containerDefinitions")
        return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []

    def compose_body(self) -> ComposeResult:
        yield Static(
            Text("Everything not shown here is kept exactly as it is in ", style="dim")
            + inert(self.source.label, "bold dim")
            + Text(". Empty CPU/memory means not set.", style="dim")
        )
        if any(self._secret(name) for values in self.secret_values.values() for name in values):
            yield Static(
                Text(f"Secret-named values read {MASK}: ctrl+t shows them; one left as {MASK} keeps its value.")
            )
        with Horizontal(classes="field-row"):
            with Vertical():
                yield Static("Task CPU (units or '1 vCPU')", classes="field-label")
                yield self.prefilled(self.original.get("cpu") or "", id="task-cpu")
            with Vertical():
                yield Static("Task memory (MiB or '2 GB')", classes="field-label")
                yield self.prefilled(self.original.get("memory") or "", id="task-memory")
        for index, container in enumerate(self.containers):
            yield Static(inert(f"Container {container.get('name', index)}"), classes="container-title")
            yield Static("Image", classes="field-label")
            yield self.prefilled(container.get("image") or "", id=f"image-{index}")
            with Horizontal(classes="field-row"):
                with Vertical():
                    yield Static("CPU units", classes="field-label")
                    yield self.prefilled(_text(container.get("cpu")), id=f"cpu-{index}")
                with Vertical():
                    yield Static("Memory (MiB, hard limit)", classes="field-label")
                    yield self.prefilled(_text(container.get("memory")), id=f"memory-{index}")
                with Vertical():
                    yield Static("Ports (8080/tcp, 9090)", classes="field-label")
                    yield Input(ports_text(container.get("portMappings")), id=f"ports-{index}")
            yield Static("Environment (KEY=VALUE, one a line)", classes="field-label")
            # Secret-named values show as the mask; left as the mask, they keep their value (secret_values).
            yield TextArea(environment_text(container.get("environment"), self._secret), id=f"env-{index}")

    def on_mount(self) -> None:
        # The image is what changes most often: start there (after the base class has focused the first input).
        inputs = self.query("#image-0")
        if inputs:
            self.call_after_refresh(inputs.first().focus)

    def _value(self, widget_id: str) -> str:
        return self.read(widget_id)

    def build(self) -> dict[str, Any]:
        # Start from every field of the source and change only what was edited, so nothing else is lost.
        definition = copy.deepcopy(self.original)
        cpu = checked(_prefixed(parse_task_cpu(self._value("task-cpu")), "Task CPU"))
        memory = checked(_prefixed(parse_task_memory(self._value("task-memory")), "Task memory"))
        if cpu != (str(self.original["cpu"]) if "cpu" in self.original else None):
            _set(definition, "cpu", cpu)
        if memory != (str(self.original["memory"]) if "memory" in self.original else None):
            _set(definition, "memory", memory)
        # Digits only by now (parse_task_memory): '2 GB' is left for ECS to compare.
        task_memory = int(memory) if memory is not None and memory.isascii() and memory.isdigit() else None
        containers = definition.get("containerDefinitions")
        assert isinstance(containers, list)
        for index, (original, container) in enumerate(zip(self.containers, containers, strict=True)):
            where = f"Container {original.get('name', index)}"
            image = self._value(f"image-{index}").strip()
            if not image:
                raise Invalidity(f"{where}: a container needs an image.")
            if image != original.get("image"):
                container["image"] = image
            container_cpu = checked(parse_optional_whole(self._value(f"cpu-{index}"), where, CONTAINER_CPU))
            if container_cpu != original.get("cpu"):
                _set(container, "cpu", container_cpu)
            container_memory = checked(parse_optional_whole(self._value(f"memory-{index}"), where, CONTAINER_MEMORY))
            if container_memory is not None and task_memory is not None and container_memory > task_memory:
                raise Invalidity(f"{where}: memory {container_memory} MiB is more than the task's {task_memory} MiB.")
            if container_memory != original.get("memory"):
                _set(container, "memory", container_memory)
            self._apply_ports(original, container, where, index)
            self._apply_environment(original, container, where, index)
        return definition

    def _apply_ports(self, original: dict[str, Any], container: dict[str, Any], where: str, index: int) -> None:
        tokens = checked(parse_ports(self._value(f"ports-{index}"), where))
        before = original.get("portMappings")
        existing = [m for m in before if isinstance(m, dict)] if isinstance(before, list) else []
        if [_mapping_token(m) for m in existing] == tokens:
            return
        if not tokens and "portMappings" not in original:
            return
        # A port that was there keeps its mapping as it was (name, hostPort, appProtocol...); new ones are plain.
        by_token = {_mapping_token(m): m for m in existing}
        mappings: list[dict[str, Any]] = []
        for token in tokens:
            if token in by_token:
                mappings.append(copy.deepcopy(by_token[token]))
                continue
            start, end, protocol = token
            if end is None:
                mappings.append({"containerPort": start, "protocol": protocol})
            else:
                mappings.append({"containerPortRange": f"{start}-{end}", "protocol": protocol})
        container["portMappings"] = mappings

    def _apply_environment(self, original: dict[str, Any], container: dict[str, Any], where: str, index: int) -> None:
        text = self.query_one(f"#env-{index}", TextArea).text
        known = self.secret_values.get(index, {})
        pairs = [
            (name, known[name] if value == MASK and name in known and self._secret(name) else value)
            for name, value in checked(parse_environment(text, where))
        ]
        before = original.get("environment")
        existing = [
            (str(e.get("name", "")), str(e.get("value", ""))) for e in (before if isinstance(before, list) else [])
        ]
        pairs = checked(unshown_environment(pairs, existing, where))
        if pairs == existing or (not pairs and "environment" not in original):
            return
        container["environment"] = [{"name": name, "value": value} for name, value in pairs]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class RollServicesDialog(ActionDialog[list[Service]]):
    """After registering: move the chosen services of the family onto the new revision, one UpdateService each."""

    confirm_label = "Roll out"

    DEFAULT_CSS = """
    RollServicesDialog SelectionList { height: auto; max-height: 16; }
    """

    def __init__(self, registered: TaskDefinition, services: Sequence[Service]) -> None:
        self.registered = registered
        self.services = list(services)
        self.rolled: dict[int, Service] = {}  # done before a failure: not sent again on retry
        self.title_text = f"Roll services onto {registered.label}?"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Static(
            Text.assemble(
                "These services use the family ",
                inert(self.registered.family, "bold"),
                ". Each chosen one starts a deployment of ",
                inert(self.registered.label, "bold"),
                ". space toggles a service, ctrl+s rolls out, escape keeps them as they are.",
            )
        )
        options = [
            Selection(
                Text.assemble(
                    inert(f"{short_name(s.cluster_arn)}/{s.name}", "bold"),
                    inert(f"  now {s.task_definition}  desired {s.desired}"),
                ),
                index,
                True,
            )
            for index, s in enumerate(self.services)
        ]
        yield SelectionList[int](*options, id="roll-services")

    def on_mount(self) -> None:
        self.call_after_refresh(self.query_one("#roll-services", SelectionList).focus)

    def validate(self) -> Any:
        chosen = sorted(self.query_one("#roll-services", SelectionList).selected)
        if not chosen:
            raise Invalidity("Choose at least one service (space toggles), or escape to roll none.")
        return chosen

    async def _roll(self, chosen: list[int]) -> list[Service]:
        for index in chosen:
            if index in self.rolled:
                continue
            service = self.services[index]
            cluster = short_name(service.cluster_arn)
            try:
                self.rolled[index] = await self.ecs_app.actions.update_service(
                    cluster, service.name, self.registered.arn
                )
            except AwsError as exc:
                done = ", ".join(f"{short_name(s.cluster_arn)}/{s.name}" for s in self.rolled.values())
                already = f" Already rolling: {done} (not sent again)." if done else ""
                raise AwsError(f"{cluster}/{service.name}: {exc.message}{already}", kind=exc.kind) from exc
        return [self.rolled[index] for index in chosen]

    def perform(self, values: Any) -> Awaitable[list[Service]]:
        return self._roll(values)

    def describe_success(self, result: list[Service]) -> str:
        names = ", ".join(f"{short_name(s.cluster_arn)}/{s.name}" for s in result)
        return f"Rolling onto {self.registered.label}: {names}."


__all__ = [
    "NewRevisionDialog",
    "RegisterRevisionDialog",
    "RevisionEditDialog",
    "RollServicesDialog",
    "definition_diff",
    "environment_text",
    "parse_environment",
    "parse_ports",
    "ports_text",
    "unshown_environment",
]
