"""Checks of what an operator typed, done before anything is sent: each returns the parsed value or an Invalid."""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

# Service quota "Tasks per service" (not adjustable): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
MAX_DESIRED_COUNT = 5_000
MAX_NAME_LENGTH = 255
# Service quota "Task definition size", 64 KiB, not adjustable (same page): RegisterTaskDefinition refuses more.
MAX_TASK_DEFINITION_BYTES = 64 * 1024
MAX_STOP_REASON_LENGTH = 255
_NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
# ASCII digits only: \d (and int()) also take fullwidth (U+FF13) and Arabic-Indic (U+0663) digits, '3_0', '+3' and ' 3'.
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)
# No field takes a number of more than 10 digits (ECS integers are 32-bit); a few leading zeros are fine. Longer
# input is refused before int() sees it: a 5,000-digit paste would otherwise hit Python's int-string limit.
MAX_NUMBER_LENGTH = 12


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


@dataclass(frozen=True, slots=True)
class NumberField:
    """A whole-number field of an ECS request: what it is called in a sentence, and the range ECS takes."""

    what: str
    minimum: int
    maximum: int
    # How the top of the range reads in "N is above ...", when it is a quota rather than a plain maximum.
    ceiling: str = ""

    @property
    def range_text(self) -> str:
        return f"{self.minimum:,} to {self.maximum:,}"

    def parse(self, text: str | int) -> int | Invalid:
        """`text` as a whole number in range, or one sentence saying why not; nothing else is ever accepted."""
        value = parse_whole_number(text, self, optional=False)
        assert value is not None
        return value

    def parse_optional(self, text: str) -> int | Invalid | None:
        """Like `parse`, but empty (or only spaces) means 'not set' and gives None."""
        return parse_whole_number(text, self, optional=True)


# ECS's documented ranges, one per kind of numeric field ecstui lets an operator type.
DESIRED_COUNT = NumberField(
    "desired count", 0, MAX_DESIRED_COUNT, ceiling=f"the ECS quota of {MAX_DESIRED_COUNT:,} tasks a service"
)
# RunTask starts 1 to 10 tasks a call (API_RunTask "count"); ecstui sends larger counts 10 at a time, up to the
# tasks-a-service quota as a bound on one request of the operator's.
RUN_TASK_COUNT = NumberField("task count", 1, MAX_DESIRED_COUNT)
# PortMapping.containerPort / containerPortRange: "valid port range 1-65535" (API_PortMapping).
CONTAINER_PORT = NumberField("container port", 1, 65_535)
# ContainerDefinition.cpu: 0 (no reservation) up to 262,144, the most CPU shares the Linux kernel allows.
CONTAINER_CPU = NumberField("container CPU value (units)", 0, 262_144)
# ContainerDefinition.memory: at least 6 MiB (Docker 20.10 reserves 6 MiB a container); an Integer (32-bit).
CONTAINER_MEMORY = NumberField("container memory value (MiB)", 6, 2**31 - 1)
# RegisterTaskDefinition cpu on EC2/external: "between 128 CPU units (0.125 vCPUs) and 196608 CPU units (192 vCPUs)";
# Fargate takes fewer values, which ECS checks itself.
TASK_CPU_UNITS = NumberField("task CPU value (units)", 128, 196_608)
# RegisterTaskDefinition memory: at least the 6 MiB of one container; at most what a 32-bit Integer holds.
TASK_MEMORY_MIB = NumberField("task memory value (MiB)", 6, 2**31 - 1)


def _shown(raw: str) -> str:
    """What was typed, quoted with unprintable characters escaped, and clipped: a sentence stays a sentence."""
    return repr(raw if len(raw) <= 24 else raw[:24] + "…")


def parse_whole_number(text: str | int, field: NumberField, *, optional: bool = False) -> int | Invalid | None:
    """A whole number in ASCII digits (surrounding spaces ignored) within `field`'s range, or an Invalid.

    Refused, each with one sentence: signs ('+3'), separators ('3,5', '3_0'), digits of other scripts (U+FF13,
    U+0663), exponents and hex ('1e3', '0x10'), inner spaces, and numbers too long to be in range, which are
    refused by their length before any conversion.
    """
    if isinstance(text, bool):
        return Invalid(f"A {field.what} is a whole number from {field.range_text}.")
    if isinstance(text, int):
        value = text
    else:
        raw = text.strip(" \t")  # only ASCII blanks: a no-break or ideographic space is not ignored
        if not raw:
            if optional:
                return None
            return Invalid(f"Enter a {field.what}: a whole number from {field.range_text}.")
        if raw[0] == "-" and _ASCII_DIGITS.fullmatch(raw[1:]):
            return Invalid(f"A {field.what} cannot be negative: enter a whole number from {field.range_text}.")
        if not _ASCII_DIGITS.fullmatch(raw):
            return Invalid(
                f"{_shown(raw)} is not a whole number: a {field.what} is written with the digits 0-9 only, "
                f"from {field.range_text}."
            )
        if len(raw) > MAX_NUMBER_LENGTH:
            return Invalid(f"A {field.what} is at most {field.maximum:,}; that number has {len(raw):,} digits.")
        value = int(raw)
    if value < field.minimum:
        if value < 0 and field.minimum == 0:
            return Invalid(f"A {field.what} cannot be negative: enter a whole number from {field.range_text}.")
        return Invalid(f"A {field.what} is at least {field.minimum:,}, not {value:,}.")
    if value > field.maximum:
        if field.ceiling:
            return Invalid(f"{value:,} is above {field.ceiling}.")
        return Invalid(f"A {field.what} is at most {field.maximum:,}, not {value:,}.")
    return value


def parse_desired_count(text: str | int) -> int | Invalid:
    """A desired count: a whole number from 0 to the 5,000-tasks-a-service quota."""
    return DESIRED_COUNT.parse(text)


# A task size with its unit: '1 vCPU', '0.25 vcpu', '2 GB', '0.5GB' (ASCII digits, at most 3 decimals).
_SIZE_WITH_UNIT = re.compile(r"([0-9]{1,6})(?:\.([0-9]{1,3}))? ?(vcpu|gb)", re.ASCII | re.IGNORECASE)


def _parse_task_size(text: str, field: NumberField, unit: str, per_unit: int, example: str) -> str | Invalid | None:
    raw = text.strip(" \t")
    if not raw:
        return None
    found = _SIZE_WITH_UNIT.fullmatch(raw)
    if found is None or found.group(3).lower() != unit:
        checked = field.parse_optional(raw)
        if isinstance(checked, Invalid):
            if not _ASCII_DIGITS.fullmatch(raw) and not raw.startswith("-"):
                return Invalid(f"{_shown(raw)} is not a {field.what} like {example}.")
            return checked
        return raw
    whole, fraction = found.group(1), found.group(2) or ""
    # Exact: 0.125 vCPU is 128 units; no float rounding on the way.
    value = (int(whole) * 1000 + int(fraction.ljust(3, "0"))) * per_unit // 1000
    checked = field.parse(value)
    if isinstance(checked, Invalid):
        return Invalid(f"{raw} is {value:,} {'CPU units' if unit == 'vcpu' else 'MiB'}: {checked.message}")
    return raw


def parse_task_cpu(text: str) -> str | Invalid | None:
    """Task CPU as typed ('256' or '1 vCPU'), checked against ECS's range; None when empty (not set)."""
    return _parse_task_size(text, TASK_CPU_UNITS, "vcpu", 1024, "256 or 1 vCPU")


def parse_task_memory(text: str) -> str | Invalid | None:
    """Task memory as typed ('512' MiB or '2 GB'), checked against ECS's range; None when empty (not set)."""
    return _parse_task_size(text, TASK_MEMORY_MIB, "gb", 1024, "512 or 2 GB")


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


class _UnusableNumber(ValueError):
    """A number in JSON text that no field takes: too long to convert safely, or not finite."""


def _json_int(text: str) -> int:
    # json.loads would call int() on any run of digits: 5,000 of them raise a ValueError that is not a
    # JSONDecodeError (Python's int-string limit). Bounded here, before the conversion.
    if len(text.lstrip("-")) > MAX_NUMBER_LENGTH:
        raise _UnusableNumber(f"a number of {len(text.lstrip('-')):,} digits is longer than any field takes")
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > 40:
        raise _UnusableNumber(f"a number written with {len(text):,} characters is longer than any field takes")
    value = float(text)
    if not math.isfinite(value):
        raise _UnusableNumber(f"{text} is too large a number for any field")
    return value


def _json_constant(name: str) -> Any:
    raise _UnusableNumber(f"{name} is not a JSON number")


def parse_task_definition_json(text: str) -> dict[str, Any] | Invalid:
    """JSON text of a task definition, parsed and checked against what RegisterTaskDefinition accepts."""
    try:
        parsed = json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        return Invalid(f"Not valid JSON: {exc.msg}.", line=exc.lineno, column=exc.colno)
    except _UnusableNumber as exc:
        found = re.search(r"[0-9][0-9.eE+-]{40,}|[0-9]{13,}|NaN|-?Infinity", text)
        if found is None:
            return Invalid(f"Not valid JSON: {exc}.")
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        return Invalid(f"Not valid JSON: {exc}.", line=line, column=column)
    if not isinstance(parsed, dict):
        return Invalid("A task definition is a JSON object ({ ... }).", line=1, column=1)
    problems = task_definition_problems(parsed)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        return Invalid(" ".join(problems[:5]) + more)
    return parsed


def task_definition_size(definition: dict[str, Any]) -> int:
    """The definition's size as ECS counts it against its 64 KiB: its JSON without whitespace, in UTF-8 bytes.

    This is the smallest the definition can be written in; a definition above the limit this way is above it
    however it is sent (botocore adds spaces and escapes non-ASCII, which only makes the request longer).
    """
    compact = json.dumps(definition, separators=(",", ":"), ensure_ascii=False, default=str)
    return len(compact.encode("utf-8", errors="surrogatepass"))


def task_definition_problems(definition: dict[str, Any]) -> list[str]:
    """Everything RegisterTaskDefinition would refuse in this definition, one sentence each; [] when none."""
    register = ecs_service_model().operation_model("RegisterTaskDefinition").input_shape
    assert register is not None
    problems: list[str] = []
    size = task_definition_size(definition)
    if size > MAX_TASK_DEFINITION_BYTES:
        # First: it decides the matter, and the remedy is not in any one field.
        problems.append(
            f"This task definition is {size:,} bytes of JSON and ECS takes at most {MAX_TASK_DEFINITION_BYTES:,} "
            "(64 KiB): move large values out of it (into SSM parameters or Secrets Manager, say)."
        )
    problems += _shape_problems(definition, register, "")
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
            problems.extend(_container_number_problems(container, f"containerDefinitions[{index}]"))
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


# The whole-number fields of a container that the dialogs' fields also set, with the same ranges.
_CONTAINER_NUMBERS = {"cpu": CONTAINER_CPU, "memory": CONTAINER_MEMORY, "memoryReservation": CONTAINER_MEMORY}
# PortMapping.hostPort: 0 asks for a dynamic host port (bridge networking); else a port like containerPort.
HOST_PORT = NumberField("host port", 0, 65_535)


def _container_number_problems(container: dict[str, Any], where: str) -> list[str]:
    checks: list[tuple[str, Any, NumberField]] = [
        (f"{where}.{key}", container.get(key), field) for key, field in _CONTAINER_NUMBERS.items()
    ]
    mappings = container.get("portMappings")
    for number, mapping in enumerate(mappings if isinstance(mappings, list) else []):
        if isinstance(mapping, dict):
            at = f"{where}.portMappings[{number}]"
            checks.append((f"{at}.containerPort", mapping.get("containerPort"), CONTAINER_PORT))
            checks.append((f"{at}.hostPort", mapping.get("hostPort"), HOST_PORT))
    problems = []
    for path, value, field in checks:
        # Only whole numbers: a missing field is fine, and a value of another type is said by the shape check.
        if isinstance(value, int) and not isinstance(value, bool):
            checked = field.parse(value)
            if isinstance(checked, Invalid):
                problems.append(f"{path}: {checked.message}")
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
    "CONTAINER_CPU",
    "CONTAINER_MEMORY",
    "CONTAINER_PORT",
    "DESIRED_COUNT",
    "MAX_DESIRED_COUNT",
    "MAX_TASK_DEFINITION_BYTES",
    "RUN_TASK_COUNT",
    "TASK_CPU_UNITS",
    "TASK_MEMORY_MIB",
    "Invalid",
    "NumberField",
    "parse_cluster_name",
    "parse_desired_count",
    "parse_family_name",
    "parse_service_name",
    "parse_stop_reason",
    "parse_task_cpu",
    "parse_task_definition_json",
    "parse_task_memory",
    "parse_whole_number",
    "read_only_task_definition_fields",
    "registrable_definition",
    "task_definition_problems",
    "task_definition_size",
]
