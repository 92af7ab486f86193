"""`ecstui --endpoint-url URL --region us-east-1 --cluster large-2000`, run headless and timed, for bench/run.py.

The command's own path (ecstui.cli.main: arguments, the launch listing, the preflight check, importing and
building the UI), with the app run headless instead of in the terminal, so the benchmark sees when the first
screenful of described services is there, and when all are. Run as `python bench/launch.py [--first-only] URL`
(or `--client-ready URL`, see client_ready); prints one JSON line. Wall-clock
times are printed as time.time() so the parent can count from when it started this process.
"""

from __future__ import annotations

import time

MAIN_WALL = time.time()  # Python has started (the parent knows when it spawned it)

import asyncio  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

REGION = "us-east-1"
LARGE_CLUSTER = "large-2000"  # as ecstui.emulator.seed.LARGE_CLUSTER
SIZE = (140, 36)  # the terminal the headless app runs in (rows on screen: about 30)


async def until(condition: Callable[[], bool], limit: float, step: float = 0.005) -> None:
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"gave up after {limit:.0f}s")
        await asyncio.sleep(step)


async def _headless(app: EcsApp, out: dict[str, Any]) -> None:
    from ecstui.ui.screens.services import ServicesScreen

    out["app_built_wall"] = time.time()
    async with app.run_test(size=SIZE):

        def screenful() -> bool:
            screen = app.screen
            if not isinstance(screen, ServicesScreen) or not screen.table.row_count:
                return False
            # Full: as many described rows as the table has lines for (or every service, if fewer).
            table = screen.table
            lines = table.lines_in_view
            keys = table.visible_keys()
            wanted = min(lines, len(screen.items) + len(screen.placeholder_keys))
            return lines > 0 and len(keys) >= wanted and all(key in screen.items for key in keys)

        await until(screenful, 120)
        out["first_screen_wall"] = time.time()
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        out["visible"] = len(screen.table.visible_keys())
        if out["first_only"]:
            return
        await until(lambda: screen.updated_at is not None, 300, step=0.02)
        out["all_described_wall"] = time.time()
        out["services"] = len(screen.items)
        out["sent"] = dict(app.session.stats.sent)
        out["throttled"] = sum(app.session.stats.throttled.values())


def main(url: str, first_only: bool = False) -> dict[str, Any]:
    from ecstui import cli

    out: dict[str, Any] = {"main_wall": MAIN_WALL, "first_only": first_only}
    argv = ["--endpoint-url", url, "--region", REGION, "--cluster", LARGE_CLUSTER, "--refresh", "3600"]
    code = cli.main(argv, run_app=lambda app: asyncio.run(_headless(app, out)))
    if code != 0:
        raise SystemExit(code)
    return out


def client_ready(url: str) -> dict[str, float]:
    """How soon any aiobotocore client can send its first request: Python started, aiobotocore imported, an ECS
    client created (the floor under a launch, before the first round trip)."""
    from aiobotocore.session import AioSession

    async def create() -> None:
        async with AioSession().create_client("ecs", region_name=REGION, endpoint_url=url):
            pass

    asyncio.run(create())
    return {"main_wall": MAIN_WALL, "client_ready_wall": time.time()}


if __name__ == "__main__":
    if sys.argv[1] == "--client-ready":
        print(json.dumps(client_ready(sys.argv[2])))
    elif sys.argv[1] == "--first-only":
        print(json.dumps(main(sys.argv[2], first_only=True)))
    else:
        print(json.dumps(main(sys.argv[1])))
