"""The log pane's figures for bench/run.py: a frame's cost with 100,000 lines held against 1,000, and lines ingested
per second while following. Run alone with `python bench/log_pane.py` (prints the table).

Both views run side by side in one headless app of the same size, and their frames are timed alternately, so
that the load of a shared machine falls on both alike. A frame is what Textual asks of the widget when it
repaints it: `render_line` for every row on screen, each row drawn anew (the strip cache is emptied before the
frame, as after a scroll to rows never drawn), at scroll positions spread over everything held.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult
from textual.containers import Horizontal

from ecstui.aws.logs import LogLine
from ecstui.ui.widgets.log_view import LogView

SMALL, LARGE = 1_000, 100_000
FRAMES = 400
SIZE = (160, 45)
TARGET_RATIO = 1.2
T0 = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
TASKS = [f"{n:08x}" + "0" * 24 for n in range(12)]


def sample_lines(count: int, start: int = 0, seed: int = 7) -> list[LogLine]:
    """Access-log lines, JSON lines and the odd long stack line, from 12 tasks: what a service's tail looks like."""
    rng = random.Random(seed + start)
    paths = ["/healthz", "/api/orders", "/api/cart", "/api/users/42", "/static/app.js", "/api/payments"]
    lines = []
    for n in range(start, start + count):
        kind = rng.random()
        if kind < 0.6:
            message = (
                f'10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)} - - "GET {rng.choice(paths)} HTTP/1.1" '
                f"{rng.choice([200, 200, 201, 304, 404, 500])} {rng.randint(120, 9000)} {rng.randint(2, 480)}ms"
            )
        elif kind < 0.95:
            message = (
                f'{{"level": "info", "msg": "handled request", "path": "{rng.choice(paths)}", '
                f'"ms": {rng.randint(2, 480)}, "trace": "{rng.getrandbits(64):016x}"}}'
            )
        else:
            message = "Error: Cannot find module 'express' " + "at Module._resolveFilename (node:internal) " * 6
        task = TASKS[n % len(TASKS)]
        lines.append(
            LogLine(T0 + timedelta(milliseconds=n), message, f"ecs/app/{task}", f"e{n}", task_id=task, container="app")
        )
    return lines


class PairApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.small = LogView(show_tags=True, id="small")
        self.large = LogView(show_tags=True, id="large")

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield self.small
            yield self.large

    CSS = "LogView { width: 1fr; }"


def frame(view: LogView, fresh: bool) -> float:
    """Seconds to draw every row on screen (from scratch when `fresh`)."""
    if fresh:
        view._strips.clear()
    height = view.size.height
    began = time.perf_counter()
    for y in range(height):
        view.render_line(y)
    return time.perf_counter() - began


def positions(view: LogView, count: int) -> list[int]:
    rng = random.Random(3)
    top = max(0, view.max_scroll_y)
    return [rng.randint(0, top) for _ in range(count)]


def alternate(app: PairApp, measure: Callable[[LogView, int], float], frames: int) -> tuple[float, float]:
    """Median seconds of `measure` on each view, frames taken in turn on one and the other."""
    small: list[float] = []
    large: list[float] = []
    for index in range(frames):
        small.append(measure(app.small, index))
        large.append(measure(app.large, index))
    return statistics.median(small), statistics.median(large)


async def measure() -> dict[str, Any]:
    app = PairApp()
    results: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        app.small.append(sample_lines(SMALL))
        app.large.append(sample_lines(LARGE))
        await pilot.pause()
        app.small.pause()
        app.large.pause()
        spread = {id(view): positions(view, FRAMES) for view in (app.small, app.large)}

        def scrolled(view: LogView, index: int) -> float:
            view.scroll_to(y=spread[id(view)][index], animate=False, immediate=True, force=True)
            return frame(view, fresh=True)

        results["frame"] = alternate(app, scrolled, FRAMES)
        for view in (app.small, app.large):
            view.action_toggle_wrap()
        await pilot.pause()
        spread = {id(view): positions(view, FRAMES) for view in (app.small, app.large)}
        results["frame_wrapped"] = alternate(app, scrolled, FRAMES)
        for view in (app.small, app.large):
            view.action_toggle_wrap()
            view.follow()
        await pilot.pause()

        # Following: each frame shows one new line at the bottom; the rows already drawn come from the cache.
        counter = {id(app.small): SMALL, id(app.large): LARGE}

        def following(view: LogView, index: int) -> float:
            at = counter[id(view)]
            counter[id(view)] += 1
            began = time.perf_counter()
            view.append(sample_lines(1, start=at))
            return time.perf_counter() - began + frame(view, fresh=False)

        results["frame_following"] = alternate(app, following, FRAMES)

        # Ingest: batches of 10 lines into the view holding 100,000 (so every batch also drops the 10 oldest),
        # each batch followed by its frame; for a few seconds.
        view = app.large
        batches = [sample_lines(10, start=LARGE * 2 + n * 10) for n in range(2000)]
        began = time.perf_counter()
        ingested = 0
        for batch in batches:
            ingested += view.append(batch)
            frame(view, fresh=False)
            if time.perf_counter() - began > 3.0:
                break
        elapsed = time.perf_counter() - began
        results["ingest_per_second"] = ingested / elapsed
        results["ingested"] = ingested
        results["held"] = view.line_count
    return results


def report(results: dict[str, Any]) -> str:
    def row(what: str, key: str) -> list[str]:
        small, large = results[key]
        ratio = large / small
        verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
        return [
            what,
            f"{small * 1000:.2f} ms",
            f"{large * 1000:.2f} ms",
            f"{ratio:.2f}x",
            f"<= {TARGET_RATIO}x {verdict}",
        ]

    rows = [
        row("frame at a scroll position never drawn (every row drawn anew)", "frame"),
        row("the same, wrapped (rows found by bisecting the row offsets)", "frame_wrapped"),
        row("following: a new line arrives and its frame is drawn", "frame_following"),
    ]
    headers = ["log pane, median of frames", f"{SMALL:,} lines", f"{LARGE:,} lines", "ratio", "target"]
    cells = [headers, *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"

    table = "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])
    return (
        table + f"\n\nLines ingested per second while following: {results['ingest_per_second']:,.0f} "
        f"({results['ingested']:,} lines in batches of 10 into a pane holding {results['held']:,}, each batch "
        "dropping the oldest 10 and followed by its frame; target: well above CloudWatch Live Tail's "
        "500 events a second per session, the most AWS sends). "
        f"Views of {SIZE[0] // 2}x{SIZE[1]} side by side, {FRAMES} frames each, taken in turn; lines from 12 tasks, "
        "tagged, with timestamps: access-log lines, JSON lines and long stack lines."
    )


def log_pane_figures() -> tuple[str, str]:
    """(section title, body) for bench/run.py."""
    return "The log pane with 1,000 and 100,000 lines", report(asyncio.run(measure()))


if __name__ == "__main__":
    title, body = log_pane_figures()
    print(f"{title}\n{body}")
