"""The audit log appends one JSON line per mutating call and reads them back newest first."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from ecstui.aws.audit import AuditEntry, AuditLog, default_audit_path


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
