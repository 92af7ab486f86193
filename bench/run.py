"""Benchmarks of ecstui against the embedded AWS, printed as tables and written to docs/benchmarks.md."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launch import LARGE_CLUSTER, REGION, SIZE, until  # noqa: E402  (bench/, this script's folder)
from log_pane import log_pane_figures  # noqa: E402

from ecstui.aws.fetch import EcsReader  # noqa: E402
from ecstui.aws.models import Task  # noqa: E402
from ecstui.aws.ratelimit import DEFAULT_SHARE, ECS_THROTTLE_CATEGORIES  # noqa: E402
from ecstui.aws.session import AwsSession, AwsTarget  # noqa: E402
from ecstui.ui.app import AppOptions, EcsApp  # noqa: E402
from ecstui.ui.screens.base import ListScreen  # noqa: E402
from ecstui.ui.screens.services import ServicesScreen  # noqa: E402
from ecstui.ui.screens.tasks import TasksScreen  # noqa: E402

if TYPE_CHECKING:
    from ecstui.emulator.server import EmulatorServer

# The emulator (moto) is imported only where it runs, so the UI child process holds the app alone.
SMALL_CLUSTER = "scale-39"
LATENCY_MS = 50.0
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing")


# -- helpers ------------------------------------------------------------------------------------------------------
def pane(app: EcsApp) -> ListScreen[Any]:
    screen = app.screen
    assert isinstance(screen, ListScreen), screen
    return screen


def minimum_calls(kind: str, rows: int) -> Counter[str]:
    """The fewest requests ECS allows for one refresh of a pane of `rows` rows (lists 100 a page, describes
    10 services or 100 tasks a call)."""
    pages = max(1, math.ceil(rows / 100))
    if kind == "services":
        return Counter({"ListServices": pages, "DescribeServices": math.ceil(rows / 10)})
    return Counter({"ListTasks": pages, "DescribeTasks": math.ceil(rows / 100)})


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    return "\n".join([line, rule, *body])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def s(seconds: float) -> str:
    return f"{seconds:.2f} s"


# -- 1. API calls per refresh -------------------------------------------------------------------------------------
async def calls_per_refresh(target: AwsTarget, cluster: str, service: str | None, kind: str) -> dict[str, Any]:
    app = EcsApp(target, AppOptions(refresh=3600.0, cluster=cluster, service=service if kind == "tasks" else None))
    async with app.run_test(size=SIZE):
        if kind == "tasks" and service is None:
            await until(lambda: isinstance(app.screen, ServicesScreen), 60)
            app.open_tasks(cluster, None)
        expected = TasksScreen if kind == "tasks" else ServicesScreen
        await until(lambda: isinstance(app.screen, expected) and pane(app).updated_at is not None, 300)
        screen = pane(app)
        assert screen.poller is not None and screen.last_error is None
        before = screen.poller.fetch_count
        app.session.stats.sent.clear()
        screen.action_refresh_now()
        await until(lambda: screen.poller is not None and screen.poller.fetch_count > before, 300)
        sent = Counter(app.session.stats.sent)
        rows = len(screen.items)
    return {"sent": sent, "rows": rows, "minimum": minimum_calls(kind, rows)}


# -- 1b. GetMetricData calls while watching the services pane -------------------------------------------------------
async def metric_calls_per_minute(
    target: AwsTarget, cluster: str, minutes: int = 2, every: float = 20.0
) -> dict[str, Any]:
    """GetMetricData requests (the session's request stats) while the services pane of `cluster` is watched for
    `minutes` minutes of the app's clock, refreshed every `every` seconds of it (each refresh lists and describes
    every service again, seconds of the emulator's time at 2,000); beside the least GetMetricData allows for the
    rows on screen: two queries a row, 500 queries a call, once a minute."""
    clock = [dt.datetime.now(dt.UTC)]
    app = EcsApp(target, AppOptions(refresh=3600.0, cluster=cluster, clock=lambda: clock[0]))
    async with app.run_test(size=SIZE):
        await until(lambda: isinstance(app.screen, ServicesScreen) and pane(app).updated_at is not None, 300)
        screen = app.screen
        assert isinstance(screen, ServicesScreen) and screen.poller is not None
        await until(lambda: bool(screen.utilisation), 60)
        visible = len([key for key in screen.table.visible_keys() if key in screen.items])
        app.session.stats.sent.clear()
        for _ in range(round(minutes * 60 / every)):
            clock[0] += dt.timedelta(seconds=every)
            before = screen.poller.fetch_count
            screen.action_refresh_now()
            await until(lambda done=before: screen.poller is not None and screen.poller.fetch_count > done, 300)
        sent = app.session.stats.sent["GetMetricData"]
        rows = len(screen.items)
    return {"rows": rows, "visible": visible, "per_minute": sent / minutes, "minimum": math.ceil(visible * 2 / 500)}


def metrics_section(result: dict[str, Any]) -> tuple[str, str]:
    row = [
        f"{result['rows']} services",
        result["visible"],
        f"{result['per_minute']:.2f}",
        f"⌈{result['visible']} x 2 / 500⌉ = {result['minimum']}",
        "yes" if result["per_minute"] == result["minimum"] else "no",
    ]
    return (
        "GetMetricData calls per minute watching the services pane",
        table(["cluster", "rows on screen", "calls per minute", "least the API allows", "minimal"], [row])
        + "\n\nThe pane refreshes every 20 s of the app's clock for two minutes; the CPU and Mem columns ask "
        "CloudWatch for the rows on screen only (CPUUtilization and MemoryUtilization, 500 queries a "
        "GetMetricData), at most once a minute. Counted from the session's request stats.",
    )


# -- 2. Launch under latency and throttling ------------------------------------------------------------------------
def lower_bound(
    pages: int, describes: int, first_batches: int, list_rtt: float, describe_rtt: float, share: float
) -> tuple[float, float]:
    """Earliest first screenful and all-described times that round trips and the client's bucket allow.

    List pages go one after another (each needs the previous nextToken); every describe goes as soon as a
    token is there, with no limit on concurrency. Tokens: the "service read" bucket at `share`. A round
    trip is the injected latency plus the server's own time for that operation (measured).
    """
    category = ECS_THROTTLE_CATEGORIES["service read"]
    capacity, rate = category.burst * share, category.sustained * share
    tokens, clock = capacity, 0.0

    def take(at: float) -> float:
        nonlocal tokens, clock
        tokens = min(capacity, tokens + (at - clock) * rate)
        clock = at
        if tokens >= 1.0:
            tokens -= 1.0
            return at
        clock = at + (1.0 - tokens) / rate
        tokens = 0.0
        return clock

    t = 0.0
    for _ in range(pages):
        t = take(t) + list_rtt
    starts = [take(t) for _ in range(describes)]
    return starts[first_batches - 1] + describe_rtt, starts[-1] + describe_rtt


def server_time(endpoint_url: str) -> dict[str, float]:
    """Median time the emulator takes to answer a ListServices page and a DescribeServices of ten, with no
    latency injected: a client cannot get an answer sooner than that, whatever it does."""
    from ecstui.emulator.seed import client

    ecs = client("ecs", endpoint_url, REGION)
    first = ecs.list_services(cluster=LARGE_CLUSTER, maxResults=100)
    names = [arn.rsplit("/", 1)[-1] for arn in first["serviceArns"]]
    timings: dict[str, list[float]] = {"ListServices": [], "DescribeServices": []}
    token = first.get("nextToken")
    for round_ in range(7):
        started = time.perf_counter()
        page = ecs.list_services(cluster=LARGE_CLUSTER, maxResults=100, **({"nextToken": token} if token else {}))
        timings["ListServices"].append(time.perf_counter() - started)
        token = page.get("nextToken")
        started = time.perf_counter()
        ecs.describe_services(cluster=LARGE_CLUSTER, services=names[round_ * 10 : round_ * 10 + 10])
        timings["DescribeServices"].append(time.perf_counter() - started)
    return {op: statistics.median(values) for op, values in timings.items()}


LAUNCH_ROUNDS = 5  # launches timed to the first screenful (the median is reported); one more runs to the end


def _spawn(*args: str) -> tuple[float, dict[str, Any]]:
    """Run bench/launch.py; when it was started (wall clock) and what it printed."""
    spawned = time.time()
    child = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "launch.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if child.returncode != 0:
        raise RuntimeError(child.stderr)
    return spawned, json.loads(child.stdout.strip().splitlines()[-1])


def launch_timing(endpoint_url: str, server: EmulatorServer) -> dict[str, Any]:
    """`ecstui --cluster` on the large cluster, in processes of their own (the emulator keeps this one's CPU), timed
    from the command: the median of LAUNCH_ROUNDS launches to the first screenful (one of them goes on until every
    service is described). Each starts with full buckets on both sides (a new client, the emulator's refilled)."""
    base = server_time(endpoint_url)
    ready = []
    for _ in range(LAUNCH_ROUNDS):
        spawned, out = _spawn("--client-ready", endpoint_url)
        ready.append(out["client_ready_wall"] - spawned)
    server.faults.configure(latency_ms=LATENCY_MS, throttle=True)
    firsts: list[float] = []
    for _ in range(LAUNCH_ROUNDS - 1):
        server.faults.refill()
        time.sleep(1.0)
        spawned, out = _spawn("--first-only", endpoint_url)
        firsts.append(out["first_screen_wall"] - spawned)
    server.faults.refill()
    server.faults.log.clear()
    time.sleep(1.0)
    spawned, result = _spawn(endpoint_url)
    result["sent"] = Counter(result["sent"])
    result["first_screens"] = [*firsts, result["first_screen_wall"] - spawned]
    result["first_screen"] = statistics.median(result["first_screens"])
    result["all_described"] = result.pop("all_described_wall") - spawned
    result["client_ready"] = statistics.median(ready)
    pages, describes = math.ceil(result["services"] / 100), math.ceil(result["services"] / 10)
    list_rtt = LATENCY_MS / 1000 + base["ListServices"]
    describe_rtt = LATENCY_MS / 1000 + base["DescribeServices"]
    bound_first, bound_all = lower_bound(
        pages, describes, math.ceil(result["visible"] / 10), list_rtt, describe_rtt, DEFAULT_SHARE
    )
    result.update(
        bound_first=bound_first,
        bound_all=bound_all,
        floor_first=result["client_ready"] + bound_first,
        floor_all=result["client_ready"] + bound_all,
        pages=pages,
        describes=describes,
        server_ms={op: seconds * 1000 for op, seconds in base.items()},
    )
    return result


# -- 3. The same fetch without ecstui ------------------------------------------------------------------------------
def boto3_loop(endpoint_url: str) -> tuple[float, int, int]:
    """What a user's script does: every ListServices page, then DescribeServices ten at a time, in turn."""
    from ecstui.emulator.seed import client

    ecs = client("ecs", endpoint_url, REGION)
    started = time.perf_counter()
    arns: list[str] = []
    token: str | None = None
    calls = 0
    while True:
        page = ecs.list_services(cluster=LARGE_CLUSTER, maxResults=100, **({"nextToken": token} if token else {}))
        calls += 1
        arns += page["serviceArns"]
        token = page.get("nextToken")
        if not token:
            break
    described = 0
    for i in range(0, len(arns), 10):
        described += len(ecs.describe_services(cluster=LARGE_CLUSTER, services=arns[i : i + 10])["services"])
        calls += 1
    return time.perf_counter() - started, described, calls


def lazy_ecs_fetch(endpoint_url: str) -> tuple[float, int] | str:
    """lazy-ecs's own service listing (ServiceService.get_service_info) with a boto3 client on the emulator."""
    try:
        from lazy_ecs.features.service.service import ServiceService  # type: ignore[import-not-found]
    except ImportError as exc:
        return f"lazy-ecs is not installed ({exc}); `pip install -e '.[bench]'`"
    from ecstui.emulator.seed import client

    ecs = client("ecs", endpoint_url, REGION)
    started = time.perf_counter()
    services = ServiceService(ecs).get_service_info(LARGE_CLUSTER)
    return time.perf_counter() - started, len(services)


# -- 4. The UI with 5,000 rows (in a child process, so its memory is the app's alone) ----------------------------
def ui_child(endpoint_url: str) -> dict[str, Any]:
    return asyncio.run(_ui_child(endpoint_url))


async def _ui_child(endpoint_url: str) -> dict[str, Any]:
    target = AwsTarget(region=REGION, endpoint_url=endpoint_url)
    session = AwsSession(target)
    all_tasks = await EcsReader(session).tasks(LARGE_CLUSTER)
    await session.close()
    result: dict[str, Any] = {"tasks": len(all_tasks), "rss_after_fetch_mb": _maxrss_mb(), "rounds": UI_ROUNDS}
    # A short pass of both sizes first: the first app of a process fills Rich's and Textual's caches (styles,
    # cell widths), which would count against whichever size is measured first.
    for rows in (50, len(all_tasks)):
        await _measure_ui(target, all_tasks[:rows], rounds=3)
    for rows in (50, len(all_tasks)):
        result[str(rows)] = await _measure_ui(target, all_tasks[:rows], rounds=UI_ROUNDS)
        result[f"rss_after_{rows}_mb"] = _maxrss_mb()
    result["maxrss_mb"] = _maxrss_mb()
    return result


def _maxrss_mb() -> float:
    """Peak resident memory of this process since it started. Linux's VmHWM, not ru_maxrss: a child forked from
    the benchmark (which holds the emulator) inherits the parent's peak in ru_maxrss across exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


UI_ROUNDS = 30
UI_WINDOW = 0.05  # seconds of CPU counted after each change: the frame that shows it comes within 1/60 s


class _GivenTasks(TasksScreen):
    """The cluster's tasks pane, fed a fixed listing: the same screen and table, no fetch in the way."""

    frames_drawn = 0  # by any instance (one is on screen at a time)

    def __init__(self, cluster: str, listing: list[Task]) -> None:
        self.listing = listing
        super().__init__(cluster, None)

    async def fetch_keys(self) -> None:
        return None  # the fixed listing whole, through fetch(): not the progressive load of a real listing

    async def fetch(self) -> Sequence[Task]:
        return self.listing

    def _compositor_refresh(self) -> None:
        # Headless, Textual renders a frame's changed lines and then skips encoding them for the terminal; a
        # terminal would get them encoded, so that is done here as well and counted with the rest.
        app = self.app
        if self is not app.screen or app.is_inline:
            super()._compositor_refresh()
            return
        update = self._compositor.render_update(screen_stack=app._background_screens)
        if update is not None:
            update.render_segments(app.console)
            _GivenTasks.frames_drawn += 1
        self._dirty_widgets.clear()


def _flipped(task: Task) -> Task:
    """The task with one field changed, as the next refresh would parse it."""
    return dataclasses.replace(task, last_status="DEACTIVATING" if task.last_status == "RUNNING" else "RUNNING")


async def _cpu_after(change: Callable[[], object] | None, frames: list[int] | None = None) -> float:
    """CPU time of the app's thread from a change until its frame is on screen: the change itself, the messages
    and idle work it sets off (DataTable measures on idle), layout, rendering the lines that changed and encoding
    them. The app runs on this thread and its event loop; the window is long enough for the frame (Textual paints
    at most 1/60 s after a refresh) and sleeping is not CPU time. Garbage collection is done before the window,
    not in it: a collection's cost depends on every object the process holds, not on the change."""
    gc.collect()
    await asyncio.sleep(0.03)  # timers made late by the collection fire before the window
    gc.disable()
    try:
        before = _GivenTasks.frames_drawn
        started = time.thread_time()
        if change is not None:
            change()
        await asyncio.sleep(UI_WINDOW)
        cpu = time.thread_time() - started
        if frames is not None:
            frames.append(_GivenTasks.frames_drawn - before)
        return cpu
    finally:
        gc.enable()


async def _measure_ui(target: AwsTarget, tasks: list[Task], rounds: int) -> dict[str, float]:
    app = EcsApp(target, AppOptions(refresh=3600.0, triage_at_start=False))
    async with app.run_test(size=SIZE) as pilot:
        screen = _GivenTasks(LARGE_CLUSTER, tasks)
        await app.push_screen(screen)
        await until(lambda: screen.updated_at is not None, 60)
        await pilot.pause(0.2)
        table = screen.table
        table.move_cursor(row=len(tasks) // 2)
        await pilot.pause(0.1)
        idle: list[float] = []
        prepares: list[float] = []
        applies: list[float] = []
        frames: list[int] = []
        current = tasks
        step = max(1, len(tasks) // max(1, len(tasks) // 100))  # 1% of the rows (at least one)
        for round_ in range(rounds + 1):
            # A refresh parses new objects for every task; 1% of them differ in one field.
            fresh = [dataclasses.replace(task) for task in current]
            for index in range(round_ % step, len(fresh), step):
                fresh[index] = _flipped(fresh[index])
            current = fresh
            started = time.perf_counter()
            refresh = screen._prepare(fresh)  # at the end of the fetch: which rows differ from the table's
            prepares.append(time.perf_counter() - started)
            applies.append(await _cpu_after(lambda refresh=refresh: screen._apply(refresh), frames))  # type: ignore[misc]
            idle.append(await _cpu_after(None))
        # The same with a single row changed (the row under the cursor, so a frame shows it): what a refresh
        # costs apart from the number of rows that changed.
        singles: list[float] = []
        middle = len(tasks) // 2
        for _ in range(rounds + 1):
            fresh = list(current)
            fresh[middle] = _flipped(fresh[middle])
            current = fresh
            refresh = screen._prepare(fresh)
            singles.append(await _cpu_after(lambda refresh=refresh: screen._apply(refresh)))  # type: ignore[misc]
        keys: list[float] = []
        for press in range(rounds + 1):
            keys.append(await _cpu_after(table.action_cursor_down if press % 2 == 0 else table.action_cursor_up))
    # The first round of each fills caches; the median of the rest is the steady cost, less what the app spends
    # in the same window with nothing changed (timers).
    baseline = statistics.median(idle)

    def steady(samples: list[float]) -> float:
        return max(0.0, statistics.median(samples[1:]) - baseline)

    return {
        "prepare": statistics.median(prepares[1:]),
        "apply": steady(applies),
        "single": steady(singles),
        "key": steady(keys),
        "idle": baseline,
        "frames_per_apply": statistics.mean(frames[1:]),
    }


# -- the run ------------------------------------------------------------------------------------------------------
def machine() -> list[tuple[str, str]]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    return [
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("Python", platform.python_version()),
        ("OS", platform.platform()),
        (
            "packages",
            ", ".join(f"{p} {version(p)}" for p in ("textual", "aiobotocore", "boto3", "moto", "lazy-ecs")),
        ),
        ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        # Other work on the machine slows every figure; the load says how busy it was.
        ("load average at the start (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in os.getloadavg())),
    ]


def calls_row(name: str, pane_name: str, result: dict[str, Any]) -> list[object]:
    sent, minimum = result["sent"], result["minimum"]
    fmt = lambda c: ", ".join(f"{op} {n}" for op, n in sorted(c.items()))  # noqa: E731
    return [name, pane_name, result["rows"], fmt(sent), fmt(minimum), "yes" if sent == minimum else "no"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--ui-child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only",
        choices=["metrics", "startup", "watching"],
        help="run one part and print it (docs are not written, but startup writes its own section)",
    )
    parser.add_argument("--minutes", type=float, default=8.0, help="--only watching: minutes watched (app's clock)")
    args = parser.parse_args()
    if args.ui_child:
        print(json.dumps(ui_child(args.ui_child)))
        return 0
    if args.only == "metrics":
        return metrics_only(args.services)
    if args.only == "startup":
        import startup  # bench/startup.py, beside this script

        return startup.main([])
    if args.only == "watching":
        return watching_only(args.services, args.tasks, args.minutes)

    from ecstui.emulator.seed import seed_large, seed_scale
    from ecstui.emulator.server import EmulatorServer
    from ecstui.emulator.simulator import Simulator

    begun = time.perf_counter()
    server = EmulatorServer()
    url = server.start()
    server.seed_ids(7)
    target = AwsTarget(region=REGION, endpoint_url=url)
    print(f"Seeding {SMALL_CLUSTER} and {LARGE_CLUSTER} ({args.services} services, {args.tasks} tasks)…", flush=True)
    simulator = Simulator(server, region=REGION, seed=7, chaos=False)
    seed_scale(url, REGION)
    simulator.warm_start()
    simulator.stop()
    seeded = time.perf_counter()
    seed_large(url, REGION, services=args.services, tasks=args.tasks)
    print(f"  seeded in {time.perf_counter() - seeded:.0f}s", flush=True)

    print("API calls per refresh…", flush=True)
    calls = [
        calls_row("39 services", "services", asyncio.run(calls_per_refresh(target, SMALL_CLUSTER, None, "services"))),
        calls_row(
            "39 services", "tasks of svc-00", asyncio.run(calls_per_refresh(target, SMALL_CLUSTER, "svc-00", "tasks"))
        ),
        calls_row(
            f"{args.services} services",
            "services",
            asyncio.run(calls_per_refresh(target, LARGE_CLUSTER, None, "services")),
        ),
        calls_row(
            f"{args.services} services",
            "all tasks of the cluster",
            asyncio.run(calls_per_refresh(target, LARGE_CLUSTER, None, "tasks")),
        ),
    ]

    print("ECS calls a minute while watching…", flush=True)
    watching = watching_section(target, minutes=8.0)

    print("GetMetricData calls per minute on the services pane…", flush=True)
    metrics = metrics_section(asyncio.run(metric_calls_per_minute(target, LARGE_CLUSTER)))

    print(f"Launch with {LATENCY_MS:.0f} ms latency and throttling…", flush=True)
    launch = launch_timing(url, server)

    print("The same fetch with a boto3 loop and with lazy-ecs…", flush=True)
    server.faults.refill()
    boto_seconds, boto_described, boto_calls = boto3_loop(url)
    server.faults.refill()
    lazy = lazy_ecs_fetch(url)
    server.faults.configure(latency_ms=0.0, throttle=False)

    print("The UI with 50 and 5,000 task rows (child process)…", flush=True)
    child = subprocess.run(
        [sys.executable, __file__, "--ui-child", url], capture_output=True, text=True, check=False, timeout=600
    )
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        return 1
    ui = json.loads(child.stdout.strip().splitlines()[-1])
    server.stop()

    print("The log pane with 1,000 and 100,000 lines…", flush=True)
    log_pane = log_pane_figures()

    # -- report -----------------------------------------------------------------------------------------------------
    share = DEFAULT_SHARE
    category = ECS_THROTTLE_CATEGORIES["service read"]
    n = launch["services"]
    sections: list[tuple[str, str]] = []
    sections.append(
        (
            "API calls per refresh",
            table(["cluster", "pane", "rows", "sent in one refresh", "minimum the API allows", "minimal"], calls),
        )
    )
    sections.append(watching)
    sections.append(metrics)
    launch_rows = [
        [
            f"first screenful ({launch['visible']} rows described), median of {len(launch['first_screens'])}",
            s(launch["first_screen"]),
            s(launch["bound_first"]),
            f"{launch['first_screen'] / launch['bound_first']:.2f}x",
            s(launch["floor_first"]),
            f"{launch['first_screen'] / launch['floor_first']:.2f}x",
        ],
        [
            f"all {n} services described",
            s(launch["all_described"]),
            s(launch["bound_all"]),
            f"{launch['all_described'] / launch['bound_all']:.2f}x",
            s(launch["floor_all"]),
            f"{launch['all_described'] / launch['floor_all']:.2f}x",
        ],
    ]
    server_ms = launch["server_ms"]
    formula = (
        f"Lower bound: a round trip is the {LATENCY_MS:.0f} ms injected plus the emulator's own time, measured "
        f"just before with no latency (median: ListServices page {server_ms['ListServices']:.1f} ms, "
        f"DescribeServices of ten {server_ms['DescribeServices']:.1f} ms). ListServices pages go one after another "
        f"(each needs the previous nextToken), so the first screenful needs {launch['pages']} list round trips and "
        f"one describe round trip. Every call spends a token of the client's 'service read' bucket: burst "
        f"{category.burst} x share {share} = {category.burst * share:.0f}, refill {category.sustained}/s x {share} = "
        f"{category.sustained * share:.0f}/s; {launch['pages']} + {launch['describes']} calls need "
        f"{launch['bound_all']:.2f} s (computed by simulating the bucket, with unlimited concurrency). Sent: "
        + ", ".join(f"{op} {c}" for op, c in sorted(launch["sent"].items()))
        + f"; throttled by the emulator: {launch['throttled']}.\n\nEach launch is `ecstui --endpoint-url URL "
        f"--region {REGION} --cluster {LARGE_CLUSTER}` through the command's own code (bench/launch.py runs "
        "ecstui.cli.main with the app headless), in a process of its own, timed from when the benchmark starts "
        "that process (the emulator runs in the benchmark's). First screenfuls: "
        + ", ".join(s(value) for value in launch["first_screens"])
        + ". The last column adds what no client can skip before its first request: Python starting, importing "
        f"aiobotocore and creating an ECS client, {s(launch['client_ready'])} here (median of {LAUNCH_ROUNDS} "
        "processes doing only that)."
    )
    sections.append(
        (
            f"Launch on {n} services, {LATENCY_MS:.0f} ms latency, AWS throttling on "
            f"(headless app, {SIZE[0]}x{SIZE[1]})",
            table(
                [
                    "from the command until",
                    "measured",
                    "round trips and tokens allow",
                    "ratio",
                    "with Python and a client",
                    "ratio",
                ],
                launch_rows,
            )
            + "\n\n"
            + formula,
        )
    )
    compare = [
        ["ecstui: first screenful", s(launch["first_screen"]), "1.00x (reference)", ""],
        ["ecstui: all services described", s(launch["all_described"]), "1.00x (reference)", ""],
        [
            f"boto3 loop, sequential ({boto_calls} calls, {boto_described} services)",
            s(boto_seconds),
            f"{boto_seconds / launch['first_screen']:.1f}x",
            f"{boto_seconds / launch['all_described']:.2f}x",
        ],
    ]
    if isinstance(lazy, tuple):
        compare.append(
            [
                f"lazy-ecs ServiceService.get_service_info ({lazy[1]} services)",
                s(lazy[0]),
                f"{lazy[0] / launch['first_screen']:.1f}x",
                f"{lazy[0] / launch['all_described']:.2f}x",
            ]
        )
        lazy_note = ""
    else:
        compare.append(["lazy-ecs", "could not run", "", ""])
        lazy_note = f"\n\nlazy-ecs could not run here: {lazy}"
    sections.append(
        (
            f"The same fetch of {n} services without ecstui (same server, same latency and throttling)",
            table(
                ["client", "time", "vs ecstui first screenful", "vs ecstui all described"],
                compare,
            )
            + "\n\nThe loops are timed from their first request, ecstui from its command. The loops have nothing "
            "to show until they end. ecstui spends only its share "
            f"({share:.0%}) of the account's bucket, leaving the rest to deploys and autoscaling, so the whole "
            "listing takes longer than a loop that spends the bucket alone; what is on screen comes first." + lazy_note,
        )
    )
    small, large = ui["50"], ui[str(ui["tasks"])]

    def ui_row(what: str, key: str) -> list[object]:
        return [what, ms(small[key]), ms(large[key]), f"{large[key] / small[key]:.2f}x"]

    ui_rows = [
        ui_row("a refresh in which 1% of rows changed", "apply"),
        ui_row("a refresh in which one row changed (the row under the cursor)", "single"),
        ui_row("a key press (cursor down or up)", "key"),
        ui_row("in the fetch step: compare the fetched listing with the table (O(rows), beside the parse)", "prepare"),
    ]
    sections.append(
        (
            "The UI with 50 and 5,000 task rows",
            table([f"CPU time, medians of {ui['rounds']} rounds", "50 rows", f"{ui['tasks']} rows", "ratio"], ui_rows)
            + "\n\nThe first three lines are the app's own work from the change until its frame is drawn: the screen's "
            "apply (editing only the rows that changed), the messages and idle work it sets off, layout, rendering "
            "the changed lines and encoding them for the terminal, measured as the CPU time of the app's thread "
            f"(sleeping is not counted) in the {UI_WINDOW * 1000:.0f} ms after the change, less the same window "
            f"with nothing changed ({ms(small['idle'])} and {ms(large['idle'])}: timers). Garbage collection runs "
            "before each window, not in it. Frames drawn in the window after a 1% refresh, on average: "
            f"{small['frames_per_apply']:.2f} at 50 rows (the changed row is on screen) and "
            f"{large['frames_per_apply']:.2f} at {ui['tasks']} rows (most changed rows are out of view, and a change "
            "out of view draws nothing; the title's age ticks once a second). The last line runs at the end of a "
            "fetch, which parses every item anyway: it compares each with what the table holds, one signature a row."
            + f"\n\nPeak resident memory of the app process with {ui['tasks']} tasks loaded: "
            f"{ui['maxrss_mb']:.0f} MB (VmHWM; the emulator runs in another process). The peak so far after "
            f"fetching the {ui['tasks']} tasks: {ui['rss_after_fetch_mb']:.0f} MB; after the 50-row measure: "
            f"{ui['rss_after_50_mb']:.0f} MB.",
        )
    )

    sections.append(log_pane)

    total = time.perf_counter() - begun
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench` (`bench/run.py`) against the embedded AWS (moto behind the AWS-limits layer) in "
        "the same process; this file is written by the script. Every figure below is measured in one run.",
        "",
        *(f"- {key}: {value}" for key, value in machine()),
        f"- whole run: {total:.0f} s",
        "",
    ]
    for title, body in sections:
        lines += [f"## {title}", "", body, ""]
        print(f"\n{title}\n{body}")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text("\n".join(lines))
    print(f"\nWritten to {args.output} in {total:.0f} s.")
    return 0


def metrics_only(services: int) -> int:
    """`--only metrics`: seed the large cluster (no tasks: the figure depends on the rows on screen) and measure."""
    from ecstui.emulator.seed import seed_large
    from ecstui.emulator.server import EmulatorServer

    server = EmulatorServer()
    url = server.start()
    print(f"Seeding {LARGE_CLUSTER} ({services} services)…", flush=True)
    seed_large(url, REGION, services=services, tasks=0)
    title, body = metrics_section(
        asyncio.run(metric_calls_per_minute(AwsTarget(region=REGION, endpoint_url=url), LARGE_CLUSTER))
    )
    server.stop()
    print(f"\n{title}\n{body}")
    return 0


def watching_section(target: AwsTarget, minutes: float) -> tuple[str, str]:
    """ECS calls a minute watching the services pane, the whole cluster's tasks and the clusters (each beside the
    floor that keeps its screen fresh), and what the triage badge adds."""
    from watching import badge_cost, badge_line, ecs_calls_while_watching, watching_table

    results = []
    for kind in ("services", "tasks", "clusters"):
        print(f"  the {kind} pane, {minutes:g} minutes of its clock…", flush=True)
        results.append(asyncio.run(ecs_calls_while_watching(target, LARGE_CLUSTER, kind, minutes)))
    print("  one check of the triage badge…", flush=True)
    badge = asyncio.run(badge_cost(target))
    body = (
        watching_table(results)
        + "\n\nThe app's and the sweep's clocks are moved by the refresh interval at each refresh (bench/watching.py), "
        "so minutes of watching take only their round trips. The floor is the rows on screen ÷ the describe batch "
        "(10 services, 100 tasks a call) at every refresh, plus the background sweep's budget (sweep_calls_per_minute, "
        "which also re-reads the listing); a pane that is not swept (clusters) lists and describes everything.\n\n"
        + badge_line(badge)
    )
    return ("ECS calls a minute while watching (refresh every 5 s, 160x45)", body)


def watching_only(services: int, tasks: int, minutes: float) -> int:
    """`--only watching`: the watching section alone, printed (docs/benchmarks.md is not written)."""
    from ecstui.emulator.seed import seed_large
    from ecstui.emulator.server import EmulatorServer

    server = EmulatorServer()
    url = server.start()
    print(f"Seeding {LARGE_CLUSTER} ({services} services, {tasks} tasks)…", flush=True)
    seed_large(url, REGION, services=services, tasks=tasks)
    title, body = watching_section(AwsTarget(region=REGION, endpoint_url=url), minutes)
    server.stop()
    print(f"\n## {title}\n\n{body}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
