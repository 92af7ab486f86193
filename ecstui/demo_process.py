"""The demo's embedded AWS in a process of its own, so that the UI is imported while the emulator starts.

Importing moto (its EC2 models alone build every region's zones) and restoring or seeding the account take
longer than importing the UI, and both are CPU-bound Python: in one process they run one after the other, in
two they overlap. The child prints its endpoint URL on one line when the account is ready, then serves until
its stdin closes (the parent ended, however it ended). What it logs goes to demo-emulator.log in the cache dir.

Run by the parent as `python -m ecstui.demo_process [--latency MS] [--throttle]`.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import platformdirs

LOG_FILE = "demo-emulator.log"
STOP_TIMEOUT = 10.0


def default_cache_dir() -> Path:
    """Where the demo keeps its seeded account and its emulator's log (the user's cache directory)."""
    return Path(platformdirs.user_cache_dir("ecstui"))


class DemoProcessError(RuntimeError):
    """The embedded AWS did not start; the message says where its log is."""


class DemoProcess:
    """`spawn()` starts the child; `endpoint_url()` waits until its account is ready; `stop()` ends it."""

    def __init__(self, cache_dir: Path, latency_ms: float = 0.0, throttle: bool = False) -> None:
        self.log_path = cache_dir / LOG_FILE
        self._args = ["--latency", str(latency_ms), *(["--throttle"] if throttle else [])]
        self._process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None
        self._url: str | None = None

    def spawn(self) -> DemoProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w", encoding="utf-8")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "ecstui.demo_process", *self._args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        return self

    def endpoint_url(self) -> str:
        if self._url is None:
            assert self._process is not None and self._process.stdout is not None, "spawn() first"
            line = self._process.stdout.readline().strip()
            if not line.startswith("http://"):
                self.stop()
                raise DemoProcessError(f"the embedded AWS did not start: see {self.log_path}")
            self._url = line
        return self._url

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()  # the child's signal to stop
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None


def serve(latency_ms: float, throttle: bool) -> int:
    """The child: start the demo account (from the seed cache if it can), say where, serve until stdin closes."""
    from ecstui.emulator.demo import Demo
    from ecstui.emulator.faults import faults_from_flags

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    demo = Demo(faults=faults_from_flags(latency_ms, throttle), cache_dir=default_cache_dir())
    print(demo.start(), flush=True)
    sys.stdin.read()  # returns when the parent closes our stdin or ends
    # Nothing of the account outlives the process: end now instead of waiting out the simulator's step and the
    # server's shutdown (seconds on a busy machine, while the user waits for the shell).
    logging.shutdown()
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecstui.demo_process")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--throttle", action="store_true")
    args = parser.parse_args(argv)
    return serve(args.latency, args.throttle)


if __name__ == "__main__":
    sys.exit(main())
