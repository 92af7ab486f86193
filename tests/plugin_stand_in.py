"""A stand-in for AWS's session-manager-plugin (which cannot be installed here): put on PATH, it records the
arguments, the environment variable and the terminal it is given, and behaves as the plugin does for a shell
(exits with a chosen status) and for a port forward (prints its listening lines, then waits to be terminated)."""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SCRIPT = """#!{python}
import json, os, signal, sys, time
log = os.environ["STAND_IN_LOG"]
def record(entry):
    with open(log, "a") as handle:
        handle.write(json.dumps(entry) + "\\n")
if sys.argv[1:] == ["--version"]:
    print(os.environ.get("STAND_IN_VERSION", "1.2.707.0"))
    sys.exit(0)
record({{
    "argv": sys.argv[1:],
    "env": os.environ.get("AWS_SSM_START_SESSION_RESPONSE"),
    "stdin_is_tty": os.isatty(0),
    "pid": os.getpid(),
}})
parameters = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {{}}
if str(parameters.get("DocumentName", "")).startswith("AWS-StartPortForwarding"):
    local = parameters["Parameters"]["localPortNumber"][0]
    if os.environ.get("STAND_IN_FAIL"):
        print("listen tcp 127.0.0.1:" + local + ": bind: address already in use", file=sys.stderr, flush=True)
        sys.exit(1)
    def terminated(*_):
        record({{"terminated": os.getpid()}})
        sys.exit(0)
    signal.signal(signal.SIGTERM, terminated)
    answer = json.loads(os.environ.get("AWS_SSM_START_SESSION_RESPONSE") or sys.argv[1])
    print("Starting session with SessionId: " + answer.get("SessionId", "?"), flush=True)
    print("Port " + local + " opened for sessionId.", flush=True)
    print("Waiting for connections...", flush=True)
    while True:
        time.sleep(0.1)
sys.exit(int(os.environ.get("STAND_IN_EXIT", "0")))
"""


@dataclass
class StandIn:
    directory: Path
    log: Path

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


def install_stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> StandIn:
    """session-manager-plugin on PATH (first), recording into a file of its own."""
    directory = tmp_path / "bin"
    directory.mkdir()
    script = directory / "session-manager-plugin"
    script.write_text(SCRIPT.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "stand-in.jsonl"
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("STAND_IN_LOG", str(log))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return StandIn(directory, log)


def without_plugin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH on which no session-manager-plugin is found (python stays reachable by its absolute path)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
