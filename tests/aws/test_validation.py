"""What an operator types is checked against ECS's rules before anything is sent."""

from __future__ import annotations

import json

import pytest

from ecstui.aws.validation import (
    CONTAINER_CPU,
    CONTAINER_MEMORY,
    CONTAINER_PORT,
    DESIRED_COUNT,
    RUN_TASK_COUNT,
    TASK_CPU_UNITS,
    TASK_MEMORY_MIB,
    Invalid,
    NumberField,
    parse_cluster_name,
    parse_desired_count,
    parse_service_name,
    parse_stop_reason,
    parse_task_cpu,
    parse_task_definition_json,
    parse_task_memory,
    read_only_task_definition_fields,
    registrable_definition,
    task_definition_problems,
)

VALID = {"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 128}]}


@pytest.mark.parametrize(("typed", "expected"), [("0", 0), (" 12 ", 12), ("5000", 5000), ("007", 7), (7, 7)])
def test_a_whole_desired_count_within_the_quota_parses(typed: str | int, expected: int) -> None:
    assert parse_desired_count(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter a desired count"),
        ("1.5", "not a whole number"),
        ("ten", "not a whole number"),
        ("-1", "cannot be negative"),
        ("5001", "quota of 5,000"),
    ],
)
def test_a_bad_desired_count_says_why(typed: str, says: str) -> None:
    result = parse_desired_count(typed)
    assert isinstance(result, Invalid) and says in result.message


@pytest.mark.parametrize(
    "typed",
    [
        "5" * 5000,  # once a ValueError from Python's int-string limit, raised out of the dialog
        "1" + "0" * 12,
        "3_0",  # int() reads 30
        "\uff13",  # fullwidth 3: int() reads 3
        "\u0663",  # Arabic-Indic 3: int() reads 3
        "+3",
        "3,5",  # once read as 35
        "1,000",
        "1e3",
        "0x10",
        "3 0",
        "\u20033",  # an em space before the digit: str.strip() would drop it
        "\t",
        "True",
        True,
    ],
)
def test_a_number_that_is_not_plain_ascii_digits_is_refused_with_one_bounded_sentence(typed: str | bool) -> None:
    result = parse_desired_count(typed)
    assert isinstance(result, Invalid)
    assert result.message.endswith(".") and len(result.message) < 200
    assert result.message.count(". ") == 0


@pytest.mark.parametrize(
    ("field", "inside", "outside"),
    [
        (DESIRED_COUNT, [0, 5000], [-1, 5001]),
        (RUN_TASK_COUNT, [1, 5000], [0, 5001]),
        (CONTAINER_PORT, [1, 65535], [0, 65536]),
        (CONTAINER_CPU, [0, 262144], [-1, 262145]),
        (CONTAINER_MEMORY, [6, 2**31 - 1], [5, 2**31]),
        (TASK_CPU_UNITS, [128, 196608], [127, 196609]),
        (TASK_MEMORY_MIB, [6, 2**31 - 1], [5, 2**31]),
    ],
)
def test_each_numeric_field_takes_exactly_ecs_range(field: NumberField, inside: list[int], outside: list[int]) -> None:
    for value in inside:
        assert field.parse(str(value)) == value
    for value in outside:
        assert isinstance(field.parse(str(value)), Invalid)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("256", "256"), ("1 vCPU", "1 vCPU"), ("0.125 vcpu", "0.125 vcpu"), ("192 vCPU", "192 vCPU"), ("", None)],
)
def test_task_cpu_takes_units_or_vcpus_in_ecs_range(typed: str, expected: str | None) -> None:
    assert parse_task_cpu(typed) == expected


@pytest.mark.parametrize("typed", ["127", "0.1 vCPU", "193 vCPU", "1,5 vCPU", "\uff11 vCPU", "1e3", "-256", "2 GB"])
def test_task_cpu_outside_ecs_range_or_not_plain_digits_is_refused(typed: str) -> None:
    assert isinstance(parse_task_cpu(typed), Invalid)


@pytest.mark.parametrize(("typed", "expected"), [("512", "512"), ("2 GB", "2 GB"), ("0.5GB", "0.5GB"), (" ", None)])
def test_task_memory_takes_mib_or_gb(typed: str, expected: str | None) -> None:
    assert parse_task_memory(typed) == expected


@pytest.mark.parametrize("typed", ["5", "2,5 GB", "\uff12 GB", "1 vCPU", "0x200"])
def test_task_memory_outside_ecs_range_or_not_plain_digits_is_refused(typed: str) -> None:
    assert isinstance(parse_task_memory(typed), Invalid)


@pytest.mark.parametrize("name", ["web", "web-api_2", "A" * 255])
def test_names_ecs_accepts(name: str) -> None:
    assert parse_service_name(name) == name
    assert parse_cluster_name(name) == name


@pytest.mark.parametrize(
    ("name", "says"), [("", "Enter"), ("my web", "' '"), ("a/b", "'/'"), ("x" * 256, "at most 255")]
)
def test_names_ecs_refuses(name: str, says: str) -> None:
    for parse in (parse_service_name, parse_cluster_name):
        result = parse(name)
        assert isinstance(result, Invalid) and says in result.message


def test_a_stop_reason_is_trimmed_and_limited_to_255_characters() -> None:
    assert parse_stop_reason("  deploy  ") == "deploy"
    assert parse_stop_reason("") == ""
    assert isinstance(parse_stop_reason("x" * 256), Invalid)


def test_json_that_does_not_parse_points_at_the_line_and_column() -> None:
    result = parse_task_definition_json('{\n  "family": "web",\n  "cpu" "256"\n}')
    assert isinstance(result, Invalid)
    assert (result.line, result.column) == (3, 9)
    assert str(result).startswith("line 3, column 9:")


def test_valid_json_parses_to_the_definition() -> None:
    assert parse_task_definition_json(json.dumps(VALID)) == VALID


@pytest.mark.parametrize(
    ("definition", "says"),
    [
        ({"family": "web"}, "missing required field 'containerDefinitions'"),
        ({"family": "web", "containerDefinitions": []}, "at least one container"),
        ({"family": "web", "containerDefinitions": [{"name": "app"}]}, "needs an image"),
        ({"family": "web", "containerDefinitions": [{"image": "nginx"}]}, "needs a name"),
        ({**VALID, "revision": 3}, "unknown field 'revision'"),
        (
            {
                "family": "web",
                "containerDefinitions": [{"name": "a", "image": "n", "portMappings": [{"containerPrt": 80}]}],
            },
            "containerDefinitions[0].portMappings[0]: unknown field 'containerPrt' (did you mean 'containerPort'?)",
        ),
        (
            {"family": "web", "containerDefinitions": [{"name": "a", "image": "n", "memory": "512"}]},
            "containerDefinitions[0].memory: expected a whole number",
        ),
        ({**VALID, "cpu": 256}, "cpu: expected a string"),
        (
            {"family": "web", "containerDefinitions": [{"name": "a", "image": "n", "essential": "yes"}]},
            "essential: expected true or false",
        ),
        (
            {"family": "web", "containerDefinitions": [{"name": "a", "image": "n"}, {"name": "a", "image": "m"}]},
            "used twice",
        ),
        ({**VALID, "family": "my web"}, "family:"),
        (
            {**VALID, "volumes": [{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "nope": 1}}]},
            "volumes[0].efsVolumeConfiguration: unknown field 'nope'",
        ),
    ],
)
def test_definitions_register_task_definition_would_refuse(definition: dict[str, object], says: str) -> None:
    problems = task_definition_problems(definition)
    assert any(says in p for p in problems), problems
    result = parse_task_definition_json(json.dumps(definition))
    assert isinstance(result, Invalid) and says in result.message


def test_a_map_of_options_accepts_any_keys() -> None:
    container = {
        "name": "a",
        "image": "n",
        "memory": 128,
        "logConfiguration": {"logDriver": "awslogs", "options": {"any-key": "v"}},
    }
    assert task_definition_problems({"family": "web", "containerDefinitions": [container]}) == []


def test_read_only_fields_come_from_the_service_model() -> None:
    assert read_only_task_definition_fields() == {
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
        "deleteRequestedAt",
    }


def test_registrable_definition_drops_only_read_only_fields_and_carries_tags() -> None:
    described = {
        **VALID,
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
        "revision": 3,
        "status": "ACTIVE",
        "compatibilities": ["EC2"],
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
        "registeredAt": "2026-01-01T00:00:00Z",
        "registeredBy": "arn:aws:iam::123456789012:root",
        "placementConstraints": [],
        "ephemeralStorage": {"sizeInGiB": 30},
        "enableFaultInjection": False,
    }
    tags = [{"key": "team", "value": "core"}]
    registrable = registrable_definition(described, tags)
    assert registrable == {
        **VALID,
        "placementConstraints": [],
        "ephemeralStorage": {"sizeInGiB": 30},
        "enableFaultInjection": False,
        "tags": tags,
    }
    assert task_definition_problems(registrable) == []
    assert "tags" not in registrable_definition(described)
    assert described["revision"] == 3  # the input is not modified


def _fargate(container: dict[str, object], **task: object) -> dict[str, object]:
    return {
        "family": "taskDef1",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "node-app", "image": "node:20-alpine", **container}],
        **task,
    }


AWSLOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/taskDef1"}}
SECRET = [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}]


@pytest.mark.parametrize(
    ("container", "says"),
    [
        ({"logConfiguration": AWSLOGS}, "on Fargate, awslogs writes with the task's execution role"),
        ({"secrets": SECRET}, "ECS reads secrets with the task's execution role"),
    ],
)
def test_awslogs_on_fargate_and_secrets_need_an_execution_role(container: dict[str, object], says: str) -> None:
    problems = task_definition_problems(_fargate(container))
    assert len(problems) == 1 and says in problems[0]
    role = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
    assert task_definition_problems(_fargate(container, executionRoleArn=role)) == []


def test_awslogs_on_ec2_needs_no_execution_role() -> None:
    definition = _fargate({"logConfiguration": AWSLOGS, "memory": 256}, requiresCompatibilities=["EC2"])
    assert task_definition_problems(definition) == []
