"""What an operator types is checked against ECS's rules before anything is sent."""

from __future__ import annotations

import json

import pytest

from ecstui.aws.validation import (
    Invalid,
    parse_cluster_name,
    parse_desired_count,
    parse_service_name,
    parse_stop_reason,
    parse_task_definition_json,
    read_only_task_definition_fields,
    registrable_definition,
    task_definition_problems,
)

VALID = {"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 128}]}


@pytest.mark.parametrize(("typed", "expected"), [("0", 0), (" 12 ", 12), ("5000", 5000), ("1,000", 1000), (7, 7)])
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
    container = {"name": "a", "image": "n", "logConfiguration": {"logDriver": "awslogs", "options": {"any-key": "v"}}}
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
