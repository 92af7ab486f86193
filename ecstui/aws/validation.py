"""Checks of what an operator typed, done before anything is sent: each returns the parsed value or an Invalid."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

# Service quota "Tasks per service" (not adjustable): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
MAX_DESIRED_COUNT = 5_000
MAX_NAME_LENGTH = 255
MAX_STOP_REASON_LENGTH = 255
_NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why an input would be refused, in a sentence; line and column point into JSON text when known."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"line {self.line}, column {self.column}: {self.message}"
        return self.message


@cache
def ecs_service_model() -> ServiceModel:
    """botocore's ECS model: the same description of the API the client itself serialises against."""
    return botocore.session.get_session().get_service_model("ecs")


def parse_desired_count(text: str | int) -> int | Invalid:
    """A desired count: a whole number from 0 to the 5,000-tasks-a-service quota."""
    raw = str(text).strip().replace(",", "").replace("_", "")
    if not raw:
        return Invalid("Enter a desired count (a whole number, 0 or more).")
    if not re.fullmatch(r"[+-]?\d+", raw):
        return Invalid(f"{str(text).strip()!r} is not a whole number.")
    value = int(raw)
    if value < 0:
        return Invalid("The desired count cannot be negative.")
    if value > MAX_DESIRED_COUNT:
        return Invalid(f"{value:,} is above the ECS quota of {MAX_DESIRED_COUNT:,} tasks a service.")
    return value


def _parse_name(text: str, what: str) -> str | Invalid:
    name = text.strip()
    if not name:
        return Invalid(f"Enter a {what} name.")
    if len(name) > MAX_NAME_LENGTH:
        return Invalid(f"A {what} name has at most {MAX_NAME_LENGTH} characters; this one has {len(name)}.")
    if not _NAME_PATTERN.fullmatch(name):
        bad = sorted({c for c in name if not _NAME_PATTERN.fullmatch(c)})
        shown = " ".join(repr(c) for c in bad)
        return Invalid(f"A {what} name may hold only letters, numbers, hyphens and underscores (not {shown}).")
    return name


def parse_service_name(text: str) -> str | Invalid:
    return _parse_name(text, "service")


def parse_cluster_name(text: str) -> str | Invalid:
    return _parse_name(text, "cluster")


def parse_family_name(text: str) -> str | Invalid:
    return _parse_name(text, "task definition family")


def parse_stop_reason(text: str) -> str | Invalid:
    """The reason shown on a stopped task; ECS keeps up to 255 characters (empty is allowed)."""
    reason = text.strip()
    if len(reason) > MAX_STOP_REASON_LENGTH:
        return Invalid(f"A stop reason has at most {MAX_STOP_REASON_LENGTH} characters; this one has {len(reason)}.")
    return reason


def parse_task_definition_json(text: str) -> dict[str, Any] | Invalid:
    """JSON text of a task definition, parsed and checked against what RegisterTaskDefinition accepts."""
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        return Invalid(f"Not valid JSON: {exc.msg}.", line=exc.lineno, column=exc.colno)
    if not isinstance(parsed, dict):
        return Invalid("A task definition is a JSON object ({ ... }).", line=1, column=1)
    problems = task_definition_problems(parsed)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        return Invalid(" ".join(problems[:5]) + more)
    return parsed


def task_definition_problems(definition: dict[str, Any]) -> list[str]:
    """Everything RegisterTaskDefinition would refuse in this definition, one sentence each; [] when none."""
    register = ecs_service_model().operation_model("RegisterTaskDefinition").input_shape
    assert register is not None
    problems = _shape_problems(definition, register, "")
    containers = definition.get("containerDefinitions")
    if isinstance(containers, list):
        if not containers:
            problems.append("containerDefinitions: a task definition needs at least one container.")
        seen: set[str] = set()
        for index, container in enumerate(containers):
            if not isinstance(container, dict):
                continue
            # The model marks no member of ContainerDefinition required; ECS itself refuses these.
            for required, article in (("name", "a"), ("image", "an")):
                if not container.get(required):
                    problems.append(f"containerDefinitions[{index}]: a container needs {article} {required}.")
            name = container.get("name")
            if isinstance(name, str) and name:
                if name in seen:
                    problems.append(f"containerDefinitions[{index}]: container name {name!r} is used twice.")
                seen.add(name)
    family = definition.get("family")
    if isinstance(family, str) and family:
        checked = parse_family_name(family)
        if isinstance(checked, Invalid):
            problems.append(f"family: {checked.message}")
    return problems


def _where(path: str) -> str:
    return path or "the task definition"


def _shape_problems(value: Any, shape: Shape, path: str) -> list[str]:
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            return [f"{_where(path)}: expected an object, got {_json_type(value)}."]
        problems: list[str] = []
        members = shape.members
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if key not in members:
                hint = difflib.get_close_matches(str(key), list(members), n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                problems.append(f"{_where(path)}: unknown field {key!r}{suggestion}.")
                continue
            problems.extend(_shape_problems(item, members[key], child))
        for required in shape.required_members:
            if required not in value:
                problems.append(f"{_where(path)}: missing required field {required!r}.")
        return problems
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return [f"{_where(path)}: expected a list, got {_json_type(value)}."]
        problems = []
        for index, item in enumerate(value):
            problems.extend(_shape_problems(item, shape.member, f"{path}[{index}]"))
        return problems
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return [f"{_where(path)}: expected an object, got {_json_type(value)}."]
        problems = []
        for key, item in value.items():
            problems.extend(_shape_problems(item, shape.value, f"{path}.{key}"))
        return problems
    return _scalar_problems(value, shape, path)


def _scalar_problems(value: Any, shape: Shape, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {_json_type(value)}."]
        return []
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{path}: expected a whole number, got {_json_type(value)}."]
        return []
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [f"{path}: expected a number, got {_json_type(value)}."]
        return []
    if kind == "boolean":
        if not isinstance(value, bool):
            return [f"{path}: expected true or false, got {_json_type(value)}."]
        return []
    return []


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) <= 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


@cache
def read_only_task_definition_fields() -> frozenset[str]:
    """Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not take (arn, revision, status...)."""
    model = ecs_service_model()
    described = model.shape_for("TaskDefinition")
    register = model.operation_model("RegisterTaskDefinition").input_shape
    assert isinstance(described, StructureShape) and register is not None
    return frozenset(set(described.members) - set(register.members))


def registrable_definition(described: dict[str, Any], tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The keyword arguments of RegisterTaskDefinition that make a new revision equal to `described`.

    Every field is kept exactly as described (new API fields included), except the read-only ones
    RegisterTaskDefinition rejects. Tags are not part of a task definition; pass DescribeTaskDefinition's
    `tags` to carry them over.
    """
    read_only = read_only_task_definition_fields()
    definition = {key: value for key, value in described.items() if key not in read_only}
    if tags:
        definition["tags"] = [dict(tag) for tag in tags]
    return definition


__all__ = [
    "MAX_DESIRED_COUNT",
    "Invalid",
    "parse_cluster_name",
    "parse_desired_count",
    "parse_family_name",
    "parse_service_name",
    "parse_stop_reason",
    "parse_task_definition_json",
    "read_only_task_definition_fields",
    "registrable_definition",
    "task_definition_problems",
]
