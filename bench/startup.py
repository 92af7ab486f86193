"""Install and startup: how long `ecstui --demo` takes to its first screen, and what the lean install saves.

- Demo start: `python -m ecstui --demo` in a pseudo-terminal (160x45), timed from spawning it until its clusters
  are on screen (the text of a seeded cluster in what it draws), with the seed cache cold (an empty cache dir)
  and warm (the cache the cold run wrote). Median of --runs.
- Install: `pip install .` and `pip install '.[demo]'` into fresh venvs in a temp dir: distributions and MB of
  site-packages; then the import time of `ecstui.cli` and the UI in each (medians of --runs fresh processes).

Run as `python bench/startup.py` (or `bench/run.py --only startup`); writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Install and startup"
FIRST_SCREEN_TEXT = b"staging"  # a seeded cluster: its row is on the first screen
_ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def _first_screen_seconds(cache_dir: str, columns: int = 160, lines: int = 45, limit: float = 120.0) -> float:
    """Seconds from spawning `ecstui --demo` in a pty until the first screen shows the seeded clusters."""
    env = dict(os.environ, XDG_CACHE_HOME=cache_dir, TERM="xterm-256color", PYTHONPATH=str(ROOT))
    env.pop("TEXTUAL", None)
    begun = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, as a user types it
        os.execve(sys.executable, [sys.executable, "-m", "ecstui", "--demo"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    seen = b""
    try:
        while time.perf_counter() - begun < limit:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen = (seen + chunk)[-200_000:]
            if FIRST_SCREEN_TEXT in _ESCAPES.sub(b"", seen):
                return time.perf_counter() - begun
        raise RuntimeError(f"no first screen within {limit:.0f}s: {_ESCAPES.sub(b'', seen)[-300:]!r}")
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)


def demo_start(runs: int) -> dict[str, list[float]]:
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ecstui-bench-cache-") as cache_dir:
            cold.append(_first_screen_seconds(cache_dir))  # seeds, and writes the cache
            warm.append(_first_screen_seconds(cache_dir))
    return {"cold": cold, "warm": warm}


def _venv(where: Path, spec: str) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    python = where / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", spec], check=True, cwd=ROOT)
    return python


def _site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


def _install_figures(python: Path) -> tuple[int, float]:
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format", "json"], check=True, capture_output=True, text=True
    ).stdout
    names = {entry["name"].lower() for entry in json.loads(listed)} - {"pip", "setuptools", "wheel"}
    size = sum(path.stat().st_size for path in _site_packages(python).rglob("*") if path.is_file())
    return len(names), size / 1e6


def _import_seconds(python: Path, module: str, runs: int) -> float:
    # One untimed import first: a fresh venv has no bytecode yet, and compiling it is not what a start costs.
    subprocess.run([str(python), "-c", f"import {module}"], check=True, cwd="/")
    times = []
    for _ in range(runs):
        begun = time.perf_counter()
        subprocess.run([str(python), "-c", f"import {module}"], check=True, cwd="/")
        times.append(time.perf_counter() - begun)
    return statistics.median(times)


def installs(runs: int) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    source = Path(tempfile.mkdtemp(prefix="ecstui-bench-src-"))
    try:
        # A copy of the tree: pip builds in the source directory, which must stay as it is.
        shutil.copytree(
            ROOT,
            source / "ecstui",
            ignore=shutil.ignore_patterns(".git", ".venv", "tests", "screenshots", "*.egg-info", "build"),
        )
        for label, spec in (("lean", "."), ("demo", ".[demo]")):
            python = _venv(source / f"venv-{label}", str(source / "ecstui") + spec[1:])
            count, megabytes = _install_figures(python)
            figures[label] = {
                "distributions": count,
                "megabytes": megabytes,
                "import_cli": _import_seconds(python, "ecstui.cli", runs),
                "import_ui": _import_seconds(python, "ecstui.ui.app", runs),
            }
            if label == "demo":
                figures[label]["import_emulator"] = _import_seconds(python, "ecstui.emulator.demo", runs)
    finally:
        shutil.rmtree(source, ignore_errors=True)
    return figures


def _seconds(values: list[float]) -> str:
    return ", ".join(f"{v:.2f} s" for v in values)


def section(start: dict[str, list[float]], install: dict[str, dict[str, float]], runs: int) -> str:
    cold, warm = start["cold"], start["warm"]
    lean, demo = install["lean"], install["demo"]
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured by `bench/startup.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python "
            f"{platform.python_version()}, {os.cpu_count()} cores shared with other work (load average at the end: "
            f"{load}): figures are under load and vary with it.",
            "",
            f"| `ecstui --demo` (pty 160x45) until its clusters are on screen, median of {runs} | time |",
            "|---|---|",
            f"| cold seed cache (seeds the account, writes the cache) | {statistics.median(cold):.2f} s |",
            f"| warm seed cache (restores the account) | {statistics.median(warm):.2f} s |",
            "",
            f"Cold: {_seconds(cold)}. Warm: {_seconds(warm)}. Timed from spawning the process (Python starting "
            "included) until the text of a seeded cluster is in what it drew.",
            "",
            "| install (fresh venv) | distributions | site-packages | import ecstui.cli | import the UI |",
            "|---|---|---|---|---|",
            f"| `pip install .` (real AWS) | {lean['distributions']:.0f} | {lean['megabytes']:.1f} MB | "
            f"{lean['import_cli']:.2f} s | {lean['import_ui']:.2f} s |",
            f"| `pip install '.[demo]'` | {demo['distributions']:.0f} | {demo['megabytes']:.1f} MB | "
            f"{demo['import_cli']:.2f} s | {demo['import_ui']:.2f} s |",
            "",
            f"Import times are whole fresh processes (`python -c 'import ...'`, medians of {runs}); importing the "
            f"emulator (`ecstui.emulator.demo`, demo install only) takes {demo['import_emulator']:.2f} s.",
            "",
        ]
    )


def write_section(text: str, path: Path) -> None:
    """Replace this benchmark's section of the file (or add it at the end), leaving the others as they are."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = old.find(SECTION)
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(SECTION))
        new = old[:start] + text + (old[end + 1 :] if end >= 0 else "")
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--skip-install", action="store_true", help="time the demo start only (prints, no docs)")
    args = parser.parse_args(argv)
    print("Demo start, cold and warm seed cache…", flush=True)
    start = demo_start(args.runs)
    print(json.dumps(start), flush=True)
    if args.skip_install:
        return 0
    print("Lean and demo installs into fresh venvs…", flush=True)
    install = installs(args.runs)
    print(json.dumps(install), flush=True)
    write_section(section(start, install, args.runs), Path(args.output))
    print(f"wrote {SECTION!r} into {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
