"""An append-only JSON-lines record of every change ecstui asked AWS to make, and its outcome."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

OK = "ok"

# No line of the log is longer than this (UTF-8 bytes, newline included): a line is one os.write, kept whole, and
# the log stays readable by :audit and by people. A longer entry is cut down structurally (see _bounded).
MAX_LINE_BYTES = 8 * 1024
TRUNCATED = "…(truncated)"
# Fields whose values are secrets or say where secrets are (secrets[].valueFrom, secretOptions[].valueFrom,
# repositoryCredentials.credentialsParameter): the audit keeps that they were there, not what they were.
_SECRET_SOURCES = frozenset({"valueFrom", "credentialsParameter"})


def default_audit_path() -> Path:
    return Path(platformdirs.user_state_dir("ecstui")) / "audit.jsonl"


def definition_for_audit(definition: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit keeps of a task definition: every field, but of each container's environment only the
    variables' names and their count, and of secrets their names, never a value or where it comes from."""
    kept = _without_secret_values(definition)
    assert isinstance(kept, dict)
    return kept


def _without_secret_values(value: Any) -> Any:
    if isinstance(value, Mapping):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            if key in _SECRET_SOURCES:
                kept[key] = "(not recorded)"
            elif key == "environment" and isinstance(item, list):
                names = [str(e.get("name")) for e in item if isinstance(e, Mapping)]
                kept[key] = {"count": len(item), "names": names, "values": "(not recorded)"}
            else:
                kept[key] = _without_secret_values(item)
        return kept
    if isinstance(value, list | tuple):
        return [_without_secret_values(item) for item in value]
    return value


def _clip(value: Any, text: int, items: int) -> Any:
    """`value` with every string cut to `text` characters and every list or object to `items` members."""
    if isinstance(value, str):
        return value if len(value) <= text else value[:text] + f"…(+{len(value) - text} characters)"
    if isinstance(value, Mapping):
        pairs = list(value.items())
        clipped = {str(k)[:text]: _clip(v, text, items) for k, v in pairs[:items]}
        if len(pairs) > items:
            clipped["…"] = f"(+{len(pairs) - items} more fields)"
        return clipped
    if isinstance(value, list | tuple):
        kept = [_clip(v, text, items) for v in list(value)[:items]]
        if len(value) > items:
            kept.append(f"…(+{len(value) - items} more)")
        return kept
    return value


def _top_level_scalars(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        k: v if isinstance(v, bool | int | float | None) or (isinstance(v, str) and len(v) <= 200) else TRUNCATED
        for k, v in list(value.items())[:20]
    }


def _bounded(record: dict[str, Any]) -> str:
    """The record as one JSON line of at most MAX_LINE_BYTES, cut down in steps that keep what matters most.

    Each step keeps the time, who, action, target and the small scalar parameters (cluster, service, desired
    count: what an undo needs) and marks the entry "truncated": first long strings and long lists are clipped,
    then nested values go, then the parameters and the value before go altogether.
    """
    line = json.dumps(record, default=str)
    if len(line.encode()) < MAX_LINE_BYTES:
        return line
    steps: tuple[Callable[[dict[str, Any]], dict[str, Any]], ...] = (
        lambda r: {**r, "parameters": _clip(r["parameters"], 200, 50), "before": _clip(r["before"], 200, 50)},
        lambda r: {**r, "parameters": _clip(r["parameters"], 40, 10), "before": _clip(r["before"], 40, 10)},
        lambda r: {**r, "parameters": _top_level_scalars(r["parameters"]), "before": _top_level_scalars(r["before"])},
        lambda r: {**_clip(r, 100, 20), "parameters": {"…": TRUNCATED}, "before": None},
    )
    candidate = {**record, "truncated": True}
    for step in steps:
        candidate = step(candidate)
        line = json.dumps(candidate, default=str)
        if len(line.encode()) < MAX_LINE_BYTES:
            return line
    raise AssertionError("an audit record cut to its top-level fields is still too long")  # pragma: no cover


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
        """One line of at most MAX_LINE_BYTES (with its newline); a longer entry is cut down, marked truncated."""
        return _bounded(
            {
                "time": self.time.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "profile": self.profile,
                "region": self.region,
                "action": self.action,
                "target": self.target,
                "parameters": self.parameters,
                "before": self.before,
                "result": self.result,
            }
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


__all__ = ["MAX_LINE_BYTES", "OK", "AuditEntry", "AuditLog", "default_audit_path", "definition_for_audit"]
