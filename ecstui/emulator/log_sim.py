"""What the demo's containers write to CloudWatch Logs besides their request lines: the crash-looping service's
crash, the out-of-memory service's climbing heap, a chaos crash's panic. Written straight into moto's log streams
(the awslogs driver's PutLogEvents), at the simulator's clock, each stream bounded.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ecstui.emulator.server import ACCOUNT_ID

# CloudWatch Logs refuses events older than 14 days or more than 2 hours ahead of its clock; the simulator writes
# at its own `now`, so those are judged against it (not the machine's clock, which tests do not hold).
MAX_AGE = timedelta(days=14)
# Events kept per stream: past this the oldest go, down to KEEP_EVENTS (tokens survive: see logs_fidelity).
MAX_EVENTS = 2_000
KEEP_EVENTS = 1_500
# Streams kept per group: a crash loop makes a stream a task, and the demo runs for hours; past this the streams
# written to longest ago go (their tasks are long gone from ECS, which forgets stopped tasks within an hour).
MAX_STREAMS = 600
KEEP_STREAMS = 500

NODE_VERSION = "v20.11.1"


def _awslogs(container: Any) -> tuple[str, str] | None:
    cdef = getattr(container, "_ecstui_def", None) or {}
    config = cdef.get("logConfiguration") or {}
    if config.get("logDriver") != "awslogs":
        return None
    options = config.get("options") or {}
    group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
    return (str(group), str(prefix)) if group and prefix else None


def _task_id(task: Any) -> str:
    return str(task.task_arn).rsplit("/", 1)[-1]


def _last_written(stream: Any) -> int:
    return int(stream.events[-1].timestamp) if stream.events else 0


def write(region: str, group: str, stream: str, now: datetime, messages: Sequence[str]) -> None:
    """Put `messages` into one stream at `now` (a millisecond apart, in order), creating group and stream."""
    from moto.logs.models import logs_backends

    if not messages:
        return
    logs = logs_backends[ACCOUNT_ID][region]
    if group not in logs.groups:
        logs.create_log_group(group, {})
    logs.ensure_log_stream(group, stream)
    log_group = logs.groups[group]
    if len(log_group.streams) > MAX_STREAMS:
        others = [name for name in log_group.streams if name != stream]
        others.sort(key=lambda name: _last_written(log_group.streams[name]))
        for name in others[: len(others) + 1 - KEEP_STREAMS]:
            del log_group.streams[name]
    # Never before what the stream already holds: a crash's last words are stamped just before `now`, and on a slow
    # machine the simulator's steps run back to back, a task's start and exit milliseconds apart; its lines must
    # still read in the order it wrote them.
    start = max(int(now.timestamp() * 1000), _last_written(log_group.streams[stream]) + 1)
    oldest = int((now - MAX_AGE).timestamp() * 1000)
    events = [{"timestamp": start + i, "message": m} for i, m in enumerate(messages) if start + i >= oldest]
    # The group's own put, not the backend's: that one judges the 14 days by the machine's clock.
    log_group.put_log_events(stream, events)
    kept = log_group.streams[stream].events
    if len(kept) > MAX_EVENTS:
        del kept[:-KEEP_EVENTS]


def _streams(task: Any, essential_only: bool = False) -> Iterable[tuple[Any, str, str]]:
    for container in task.containers:
        cdef = getattr(container, "_ecstui_def", None) or {}
        if essential_only and not cdef.get("essential", True):
            continue
        where = _awslogs(container)
        if where is not None:
            group, prefix = where
            yield container, group, f"{prefix}/{container.name}/{_task_id(task)}"


def _memory_limit(container: Any) -> int:
    cdef = getattr(container, "_ecstui_def", None) or {}
    return int(cdef.get("memory") or cdef.get("memoryReservation") or 512)


def node_start(name: str) -> list[str]:
    return [f"> {name}@3.1.0 start", "> node index.js"]


def node_missing_module(module: str = "express") -> list[str]:
    """What Node prints when a require() fails: the crash-looping service's last words."""
    loader = "node:internal/modules/cjs/loader"
    return [
        f"{loader}:1147",
        "  throw err;",
        "  ^",
        f"Error: Cannot find module '{module}'",
        "Require stack:",
        "- /app/src/server.js",
        "- /app/index.js",
        f"    at Module._resolveFilename ({loader}:1144:15)",
        f"    at Module._load ({loader}:985:27)",
        f"    at Module.require ({loader}:1235:19)",
        "    at require (node:internal/modules/helpers:176:18)",
        "    at Object.<anonymous> (/app/src/server.js:2:17)",
        f"    at Module._compile ({loader}:1376:14)",
        f"    at Module._extensions..js ({loader}:1435:10)",
        f"    at Module.load ({loader}:1207:32)",
        f"    at Module._load ({loader}:1023:12)",
        f"    at Module.require ({loader}:1235:19) {{",
        "  code: 'MODULE_NOT_FOUND',",
        "  requireStack: [ '/app/src/server.js', '/app/index.js' ]",
        "}",
        f"Node.js {NODE_VERSION}",
    ]


def go_panic(task: Any) -> list[str]:
    """A nil-pointer panic, for a task the demo's chaos crashes with exit code 1."""
    rng = random.Random(zlib.crc32(_task_id(task).encode()))
    pc = rng.randrange(0x400000, 0x900000)
    return [
        "panic: runtime error: invalid memory address or nil pointer dereference",
        f"[signal SIGSEGV: segmentation violation code=0x1 addr=0x28 pc={pc:#x}]",
        "goroutine 87 [running]:",
        "main.(*OrderHandler).lookup(0xc0001a2000, {0xc00042e0f0, 0x24})",
        "\t/src/internal/orders/handler.go:142 +0x5d",
        "main.(*OrderHandler).ServeHTTP(0xc0001a2000, {0xa8b2f0, 0xc0004b81c0}, 0xc0003c6000)",
        "\t/src/internal/orders/handler.go:88 +0x1b4",
        "net/http.serverHandler.ServeHTTP({0xc0002b4a50}, {0xa8b2f0, 0xc0004b81c0}, 0xc0003c6000)",
        "\t/usr/local/go/src/net/http/server.go:3137 +0x8e",
        "created by net/http.(*Server).Serve in goroutine 1",
        "\t/usr/local/go/src/net/http/server.go:3285 +0x4b4",
    ]


# The out-of-memory service loses its oldest task every few steps, so a task lives some 20 steps: its memory climbs
# from under half the limit to the limit over about that long.
HEAP_GROWTH_PER_STEP = 0.027
HEAP_EVERY = 2  # steps between two heap lines of one task


def heap_line(container: Any, running_steps: int, rng: random.Random) -> str:
    limit = _memory_limit(container)
    rss = min(limit - 1, int(limit * (0.45 + HEAP_GROWTH_PER_STEP * running_steps)))
    heap = int(rss * 0.86)
    image = f"IMG_{rng.randrange(1000, 9999)}.jpg"
    return (
        f"resize worker: {image} {rng.choice((4000, 6000, 8000))}x{rng.choice((3000, 4000, 6000))} done; "
        f"heap {heap} MiB, rss {rss} MiB of {limit} MiB"
    )


def has_story(behaviour: str | None) -> bool:
    """Whether this module writes the service's start lines (the generic ones would contradict them)."""
    return behaviour in ("crash-loop", "oom")


def started(region: str, behaviour: str | None, task: Any, now: datetime) -> None:
    """A task's containers have just started: the first lines of those with a story."""
    if not has_story(behaviour):
        return
    for container, group, stream in _streams(task):
        if behaviour == "crash-loop":
            write(region, group, stream, now, node_start(container.name))
        else:
            limit = _memory_limit(container)
            lines = [f"resize worker: starting 4 workers (sharp 0.33.2, libvips 8.15.1); memory limit {limit} MiB"]
            write(region, group, stream, now, lines)


def heap_growth(region: str, tasks: Iterable[Any], now: datetime) -> None:
    """The out-of-memory service's running tasks log their heap, climbing towards the limit, every step."""
    for task in tasks:
        sim = getattr(task, "_ecstui_sim", None)
        if sim is None or task.last_status != "RUNNING" or task.desired_status != "RUNNING":
            continue
        if sim.running_steps % HEAP_EVERY:
            continue
        rng = random.Random(zlib.crc32(f"{_task_id(task)}/{sim.running_steps}".encode()))
        for container, group, stream in _streams(task, essential_only=True):
            write(region, group, stream, now, [heap_line(container, sim.running_steps, rng)])


def exited(region: str, behaviour: str | None, task: Any, exit_code: int, reason: str | None, now: datetime) -> None:
    """The essential container exited with `exit_code`: its last words, written just before."""
    if behaviour == "oom":
        sim = getattr(task, "_ecstui_sim", None)
        steps = max(getattr(sim, "running_steps", 0), int(1 / HEAP_GROWTH_PER_STEP))  # its last line: at the limit
        rng = random.Random(zlib.crc32(f"{_task_id(task)}/end".encode()))
        for container, group, stream in _streams(task, essential_only=True):
            write(region, group, stream, now + timedelta(milliseconds=1), [heap_line(container, steps, rng)])
        return
    if behaviour == "crash-loop":
        lines = node_missing_module()
    elif exit_code == 1 and behaviour is None:
        lines = go_panic(task)
    else:
        return  # a kill (137, an OOM) leaves no words: the kernel ended it
    for _container, group, stream in _streams(task, essential_only=True):
        write(region, group, stream, now - timedelta(milliseconds=len(lines)), lines)
