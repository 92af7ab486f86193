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
    if isinstance(family, str):
        checked = parse_family_name(family)
        if isinstance(checked, Invalid):
            problems.append(f"family: {checked.message}")
    problems += ecs_rule_problems(definition)
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
        allowed = getattr(shape, "enum", None)  # StringShape.enum: the values the API takes, when it lists them
        if allowed and value not in allowed:
            return [f"{path}: {_shown(value)} is not one of {', '.join(allowed)}."]
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


# -- ECS's rules: what RegisterTaskDefinition refuses beyond the shape of the request ------------------------

# Fargate's task sizes: for each CPU value (units), the memory values (MiB) it takes, as AWS lists them in
# "Troubleshoot Amazon ECS task definition invalid CPU or memory errors"
# (https://docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html) and under `memory` of
# RegisterTaskDefinition (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html).
# 8 and 16 vCPU need Linux platform 1.4.0. Windows containers on Fargate take 1, 2 or 4 vCPU only: "The CPU units
# cannot be less than 1 vCPU when you use Windows containers on Fargate" (RegisterTaskDefinition `memory`), and the
# table's column of operating systems lists Windows for those three.
FARGATE_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
FARGATE_WINDOWS_CPU = (1024, 2048, 4096)
# Secret.valueFrom: "the full ARN of the Secrets Manager secret or the full ARN or name of the parameter in the SSM
# Parameter Store" (API_Secret). A Secrets Manager ARN may go on with :json-key:version-stage:version-id, and a
# JSON key may be any text: what follows the secret's name is not checked.
_SSM_PARAMETER_ARN = re.compile(r"arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9_.\-/]+", re.ASCII)
_SSM_PARAMETER_NAME = re.compile(r"/?[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*", re.ASCII)
_SECRETS_MANAGER_ARN = re.compile(
    r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@\-]+(:.*)?", re.ASCII | re.DOTALL
)


def task_size_units(value: Any, unit: str) -> int | None:
    """A task-level `cpu` (unit 'vcpu') or `memory` (unit 'gb') as ECS converts it: CPU units or MiB.

    ECS takes '1024' or '1 vCPU' (memory '2048' or '2 GB'); None when unset or not a size ECS would read (the
    shape and range checks say why).
    """
    if not isinstance(value, str):
        return None
    raw = value.strip(" \t")
    if _ASCII_DIGITS.fullmatch(raw) and len(raw) <= MAX_NUMBER_LENGTH:
        return int(raw)
    found = _SIZE_WITH_UNIT.fullmatch(raw)
    if found is None or found.group(3).lower() != unit:
        return None
    return (int(found.group(1)) * 1000 + int((found.group(2) or "").ljust(3, "0"))) * 1024 // 1000


def fargate_memory_choices(cpu: int, *, windows: bool = False) -> tuple[int, ...]:
    """The task memory values (MiB) Fargate takes with `cpu` units; () when Fargate does not take that CPU."""
    if windows and cpu not in FARGATE_WINDOWS_CPU:
        return ()
    return FARGATE_TASK_SIZES.get(cpu, ())


def _fargate_size_problems(definition: dict[str, Any], windows: bool) -> list[str]:
    cpu_text, memory_text = definition.get("cpu"), definition.get("memory")
    problems = []
    if cpu_text is None:
        problems.append("cpu: a Fargate task definition needs a task CPU value (256 to 16384 units).")
    if memory_text is None:
        problems.append("memory: a Fargate task definition needs a task memory value (512 MiB to 120 GB).")
    cpu, memory = task_size_units(cpu_text, "vcpu"), task_size_units(memory_text, "gb")
    if cpu is None or problems:
        return problems
    if windows and cpu < 1024:
        cpus = ", ".join(str(c) for c in FARGATE_WINDOWS_CPU)
        return [f"cpu: Windows containers on Fargate need at least 1 vCPU: choose {cpus} units, not {cpu}."]
    choices = fargate_memory_choices(cpu, windows=windows)
    if not choices:
        cpus = ", ".join(str(c) for c in (FARGATE_WINDOWS_CPU if windows else FARGATE_TASK_SIZES))
        on = "Windows on Fargate" if windows else "Fargate"
        return [f"cpu: {on} takes a task CPU of {cpus} units, not {cpu}."]
    if memory is not None and memory not in choices:
        return [
            f"memory: Fargate does not take {memory} MiB with {cpu} CPU units; with {cpu} units, choose a memory of "
            f"{', '.join(str(c) for c in choices)} MiB."
        ]
    return []


def _port_problems(container: dict[str, Any], where: str, network_mode: str) -> list[str]:
    mappings = container.get("portMappings")
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    for number, mapping in enumerate(mappings if isinstance(mappings, list) else []):
        if not isinstance(mapping, dict):
            continue
        at = f"{where}.portMappings[{number}]"
        port, host, protocol = mapping.get("containerPort"), mapping.get("hostPort"), mapping.get("protocol", "tcp")
        if network_mode in ("awsvpc", "host") and isinstance(port, int) and host is not None and host != port:
            problems.append(
                f"{at}.hostPort: under the {network_mode} network mode a host port is the container port "
                f"({port}) or left unset, not {host}."
            )
        if isinstance(port, int) and isinstance(protocol, str):
            if (port, protocol) in seen:
                problems.append(f"{at}: container port {port}/{protocol} is mapped twice in this container.")
            seen.add((port, protocol))
    return problems


def _secret_problems(container: dict[str, Any], where: str) -> list[str]:
    secrets = container.get("secrets")
    problems = []
    for number, secret in enumerate(secrets if isinstance(secrets, list) else []):
        source = secret.get("valueFrom") if isinstance(secret, dict) else None
        if not isinstance(source, str):
            continue
        if source.startswith("arn:"):
            fits = bool(_SSM_PARAMETER_ARN.fullmatch(source) or _SECRETS_MANAGER_ARN.fullmatch(source))
        else:
            fits = bool(_SSM_PARAMETER_NAME.fullmatch(source))
        if not fits:
            problems.append(
                f"{where}.secrets[{number}].valueFrom: {_shown(source)} is neither an SSM parameter (its name or "
                "arn:aws:ssm:<region>:<account>:parameter/<name>) nor a Secrets Manager secret ARN "
                "(arn:aws:secretsmanager:<region>:<account>:secret:<name>)."
            )
    return problems


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _execution_role_problems(definition: dict[str, Any], containers: list[dict[str, Any]], fargate: bool) -> list[str]:
    """ECS reads secrets, and on Fargate sends awslogs output, with the execution role's credentials: it refuses
    such a definition without one ("Fargate requires task definition to have execution role ARN to support log
    driver awslogs"; API_Secret: "the task execution role ... is required")."""
    if definition.get("executionRoleArn"):
        return []
    for index, container in enumerate(containers):
        log = container.get("logConfiguration")
        if container.get("secrets"):
            return [
                f"containerDefinitions[{index}].secrets: ECS reads secrets with the task's execution role: "
                "choose one (executionRoleArn)."
            ]
        if fargate and isinstance(log, dict) and log.get("logDriver") == "awslogs":
            return [
                f"containerDefinitions[{index}].logConfiguration: on Fargate, awslogs writes with the task's "
                "execution role: choose one (executionRoleArn)."
            ]
    return []


def ecs_rule_problems(definition: dict[str, Any]) -> list[str]:
    """What ECS refuses in a request whose shape is right: one sentence each, naming the field; [] when none."""
    problems: list[str] = []
    compatibilities = definition.get("requiresCompatibilities")
    fargate = isinstance(compatibilities, list) and "FARGATE" in compatibilities
    network_mode = definition.get("networkMode")
    network_mode = network_mode if isinstance(network_mode, str) else "bridge"  # ECS's default on Linux EC2
    platform = definition.get("runtimePlatform")
    platform = platform if isinstance(platform, dict) else {}
    os_family, architecture = platform.get("operatingSystemFamily"), platform.get("cpuArchitecture")
    windows = isinstance(os_family, str) and os_family.startswith("WINDOWS")
    if architecture == "ARM64" and os_family not in (None, "LINUX"):
        problems.append(f"runtimePlatform.cpuArchitecture: ARM64 runs only with the LINUX OS family, not {os_family}.")
    if fargate:
        if definition.get("networkMode") != "awsvpc":
            problems.append(f"networkMode: a Fargate task definition uses the awsvpc network mode, not {network_mode}.")
        problems += _fargate_size_problems(definition, windows)
    task_cpu = task_size_units(definition.get("cpu"), "vcpu")
    task_memory = task_size_units(definition.get("memory"), "gb")
    containers = definition.get("containerDefinitions")
    containers = [c for c in containers if isinstance(c, dict)] if isinstance(containers, list) else []
    if containers and not any(c.get("essential", True) is not False for c in containers):
        problems.append("containerDefinitions: at least one container must be essential.")
    problems += _execution_role_problems(definition, containers, fargate)
    cpu_total = reserved_total = 0
    for index, container in enumerate(containers):
        where = f"containerDefinitions[{index}]"
        name = container.get("name")
        if isinstance(name, str) and name:
            # ContainerDefinition.name: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and
            # hyphens are allowed", as for a family.
            checked = _parse_name(name, "container")
            if isinstance(checked, Invalid):
                problems.append(f"{where}.name: {checked.message}")
        problems += _port_problems(container, where, network_mode)
        problems += _secret_problems(container, where)
        cpu, memory = _whole(container.get("cpu")), _whole(container.get("memory"))
        reservation = _whole(container.get("memoryReservation"))
        cpu_total += cpu or 0
        reserved_total += reservation if reservation is not None else memory or 0
        if memory is not None and reservation is not None and reservation > memory:
            problems.append(
                f"{where}.memoryReservation: a soft limit of {reservation} MiB is above the container's memory "
                f"limit of {memory} MiB."
            )
        if task_memory is not None:
            for key, value in (("memory", memory), ("memoryReservation", reservation)):
                if value is not None and value > task_memory:
                    problems.append(f"{where}.{key}: {value} MiB is more than the task's memory of {task_memory} MiB.")
        elif memory is None and reservation is None and "memory" not in definition and not fargate:
            problems.append(
                f"{where}: with no task memory, each container needs a memory or memoryReservation value (MiB)."
            )
    if task_cpu is not None and cpu_total > task_cpu:
        problems.append(
            f"containerDefinitions: the containers' CPU adds up to {cpu_total} units, more than the task's {task_cpu}."
        )
    over = any("more than the task's memory" in p for p in problems)  # one container alone: said already
    if task_memory is not None and reserved_total > task_memory and not over:
        problems.append(
            f"containerDefinitions: the containers reserve {reserved_total} MiB, more than the task's memory of "
            f"{task_memory} MiB."
        )
    return problems


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
    "FARGATE_TASK_SIZES",
    "FARGATE_WINDOWS_CPU",
    "MAX_DESIRED_COUNT",
    "MAX_TASK_DEFINITION_BYTES",
    "RUN_TASK_COUNT",
    "TASK_CPU_UNITS",
    "TASK_MEMORY_MIB",
    "Invalid",
    "NumberField",
    "ecs_rule_problems",
    "fargate_memory_choices",
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
    "task_size_units",
]
