"""The audit log appends one JSON line per mutating call and reads them back newest first."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecstui.aws.actions import EcsActions
from ecstui.aws.audit import MAX_LINE_BYTES, AuditEntry, AuditLog, default_audit_path
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer


def test_the_default_path_is_in_the_xdg_state_directory() -> None:
    assert default_audit_path() == Path(os.environ["XDG_STATE_HOME"]) / "ecstui" / "audit.jsonl"
    assert AuditLog().path == default_audit_path()


def test_an_entry_is_one_json_line_with_every_field(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "state" / "audit.jsonl")
    log.record(
        profile="prod",
        region="eu-west-1",
        action="scale_service",
        target="main/web",
        parameters={"cluster": "main", "service": "web", "desiredCount": 4},
        before={"desiredCount": 2},
    )
    [line] = log.path.read_text().splitlines()
    data = json.loads(line)
    assert set(data) == {"time", "profile", "region", "action", "target", "parameters", "before", "result"}
    assert data["time"].endswith("Z")
    assert datetime.fromisoformat(data["time"].replace("Z", "+00:00")).tzinfo is not None
    assert (data["profile"], data["region"], data["result"], data["before"]) == (
        "prod",
        "eu-west-1",
        "ok",
        {"desiredCount": 2},
    )


def test_entries_come_back_newest_first_and_corrupt_lines_are_skipped(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record(profile="p", region="r", action="scale_service", target="c/a")
    with log.path.open("a") as handle:
        handle.write('{"time": "2026-01-01T00:00:00Z", "acti\n')  # a line cut short by a crash
        handle.write("not json at all\n\n")
        handle.write('["a", "list"]\n')
    log.record(profile="p", region="r", action="delete_service", target="c/b", result="Service not found.")
    entries = log.entries()
    assert [e.action for e in entries] == ["delete_service", "scale_service"]
    assert not entries[0].ok and entries[0].result == "Service not found."
    assert log.entries(limit=1) == entries[:1]


def test_an_entry_round_trips_through_json() -> None:
    entry = AuditEntry(
        time=datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC),
        profile="default",
        region=None,
        action="create_cluster",
        target="new",
        parameters={"clusterName": "new"},
    )
    assert AuditEntry.from_json(entry.to_json()) == entry


def test_a_missing_log_has_no_entries(tmp_path: Path) -> None:
    assert AuditLog(tmp_path / "nothing.jsonl").entries() == []


# -- what the log keeps of a task definition, and how long a line can be -------------------------------------

SECRET_VALUES = ("hunter2-db-password", "s3cr3t-api-token", "plain-but-private-value")
SECRET_SOURCES = (
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
    "arn:aws:ssm:us-east-1:123456789012:parameter/api-token",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-XyZ",
)


def definition_with_secrets() -> dict[str, Any]:
    return {
        "family": "payments",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",  # ECS reads secrets with it
        "containerDefinitions": [
            {
                "name": "app",
                "image": "registry.example/payments:1",
                "memory": 256,
                "environment": [
                    {"name": "DB_PASSWORD", "value": SECRET_VALUES[0]},
                    {"name": "API_TOKEN", "value": SECRET_VALUES[1]},
                    {"name": "GREETING", "value": SECRET_VALUES[2]},
                ],
                "secrets": [
                    {"name": "DB_URL", "valueFrom": SECRET_SOURCES[0]},
                    {"name": "TOKEN", "valueFrom": SECRET_SOURCES[1]},
                ],
                "repositoryCredentials": {"credentialsParameter": SECRET_SOURCES[2]},
            }
        ],
    }


async def test_registering_a_revision_logs_env_names_and_a_count_but_no_value_or_secret_source(
    target: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    async with AwsSession(target) as session:
        registered = await EcsActions(session, log).register_task_definition(definition_with_secrets())
    [line] = log.path.read_text().splitlines()
    for secret in (*SECRET_VALUES, *SECRET_SOURCES):
        assert secret not in line
    [entry] = log.entries()
    container = entry.parameters["definition"]["containerDefinitions"][0]
    assert container["environment"]["names"] == ["DB_PASSWORD", "API_TOKEN", "GREETING"]
    assert container["environment"]["count"] == 3
    assert [s["name"] for s in container["secrets"]] == ["DB_URL", "TOKEN"]
    assert container["image"] == "registry.example/payments:1"  # what changed is still there to read
    assert entry.parameters["registered"] == registered.arn
    assert emulator.log.counts["RegisterTaskDefinition"] == 1


def test_no_audit_line_is_longer_than_the_bound_and_a_cut_line_says_so(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    huge = {
        "family": "huge",
        "containerDefinitions": [
            {"name": f"c{i}", "image": "x" * 5000, "command": ["y" * 3000] * 50, "environment": []} for i in range(10)
        ],
    }
    log.record(profile="p", region="r", action="register_task_definition", target="huge", parameters={"td": huge})
    log.record(profile="p", region="r", action="run_task", target="c/t", parameters={"started": ["arn:" * 20] * 5000})
    log.record(profile="p", region="r", action="x" * 100_000, target="t" * 100_000, result="r" * 100_000)
    log.record(
        profile="p",
        region="r",
        action="scale_service",
        target="prod/web",
        parameters={"cluster": "prod", "service": "web", "desiredCount": 4, "note": "\u4e00" * 200_000},
        before={"desiredCount": 2},
    )
    lines = log.path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 4
    for line in lines:
        assert len(line) <= MAX_LINE_BYTES
        assert json.loads(line)["truncated"] is True
    scale = log.entries()[0]
    # What an undo needs survives the cut.
    assert scale.parameters["desiredCount"] == 4 and scale.parameters["service"] == "web"
    assert scale.before == {"desiredCount": 2}


def test_a_short_entry_is_written_whole_without_a_truncation_marker(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record(profile="p", region="r", action="scale_service", target="c/s", parameters={"desiredCount": 1})
    assert "truncated" not in json.loads(log.path.read_text())


async def test_registering_a_large_revision_writes_a_line_within_the_bound(
    target: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    environment = [{"name": f"SETTING_{i:04d}", "value": f"v{i}"} for i in range(1200)]
    definition = {
        "family": "large",
        "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 128, "environment": environment}],
    }
    async with AwsSession(target) as session:
        await EcsActions(session, log).register_task_definition(definition)
    [line] = log.path.read_bytes().splitlines(keepends=True)
    assert len(line) <= MAX_LINE_BYTES
    [entry] = log.entries()
    assert (entry.action, entry.target, entry.ok) == ("register_task_definition", "large", True)
    assert entry.parameters["registered"].endswith("task-definition/large:1")
