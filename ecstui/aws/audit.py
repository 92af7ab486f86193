"""An append-only JSON-lines record of every change ecstui asked AWS to make, and its outcome."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

OK = "ok"


def default_audit_path() -> Path:
    return Path(platformdirs.user_state_dir("ecstui")) / "audit.jsonl"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One mutating call: who (profile, region), what (action, target, parameters), the value before, the result."""

    time: datetime
    profile: str
    region: str | None
    action: str
    target: str
    parameters: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] | None = None
    result: str = OK

    @property
    def ok(self) -> bool:
        return self.result == OK

    def to_json(self) -> str:
        return json.dumps(
            {
                "time": self.time.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "profile": self.profile,
                "region": self.region,
                "action": self.action,
                "target": self.target,
                "parameters": self.parameters,
                "before": self.before,
                "result": self.result,
            },
            default=str,
            sort_keys=False,
        )

    @classmethod
    def from_json(cls, line: str) -> AuditEntry | None:
        """The entry on one line, or None when the line is not one (truncated by a crash, edited by hand)."""
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                return None
            time = datetime.fromisoformat(str(data["time"]).replace("Z", "+00:00"))
            parameters = data.get("parameters") or {}
            before = data.get("before")
            return cls(
                time=time if time.tzinfo else time.replace(tzinfo=UTC),
                profile=str(data.get("profile") or ""),
                region=str(data["region"]) if data.get("region") else None,
                action=str(data["action"]),
                target=str(data.get("target") or ""),
                parameters=dict(parameters) if isinstance(parameters, Mapping) else {},
                before=dict(before) if isinstance(before, Mapping) else None,
                result=str(data.get("result", OK)),
            )
        except (ValueError, KeyError, TypeError):
            return None


class AuditLog:
    """Appends entries to a JSON-lines file (the XDG state directory by default) and reads them back."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_audit_path()
        self._lock = threading.Lock()

    def append(self, entry: AuditEntry) -> None:
        line = entry.to_json() + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write of one whole line in append mode: concurrent ecstui processes do not interleave lines.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)

    def record(
        self,
        *,
        profile: str,
        region: str | None,
        action: str,
        target: str,
        parameters: Mapping[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        result: str = OK,
    ) -> AuditEntry:
        entry = AuditEntry(
            time=datetime.now(UTC),
            profile=profile,
            region=region,
            action=action,
            target=target,
            parameters=dict(parameters or {}),
            before=dict(before) if before is not None else None,
            result=result,
        )
        self.append(entry)
        return entry

    def entries(self, limit: int | None = None) -> list[AuditEntry]:
        """Newest first; lines that do not parse are skipped rather than failing the whole view."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        parsed = [entry for line in text.splitlines() if line.strip() if (entry := AuditEntry.from_json(line))]
        parsed.reverse()
        return parsed[:limit] if limit is not None else parsed


__all__ = ["OK", "AuditEntry", "AuditLog", "default_audit_path"]
