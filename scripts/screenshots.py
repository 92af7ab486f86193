"""Regenerate screenshots/*.svg from the embedded demo, so the README shows the real app.

Run with `make screenshots` (or `.venv/bin/python scripts/screenshots.py`).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecstui.aws.session import AwsTarget  # noqa: E402
from ecstui.emulator.demo import Demo  # noqa: E402
from ecstui.ui.app import AppOptions, EcsApp  # noqa: E402
from ecstui.ui.screens.base import ListScreen  # noqa: E402
from ecstui.ui.screens.detail import DetailScreen  # noqa: E402

SIZE = (140, 36)
OUT = ROOT / "screenshots"
Step = Callable[[Pilot[None]], Awaitable[None]]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(200):
        screen = pilot.app.screen
        if isinstance(screen, ListScreen) and screen.updated_at is not None:
            break
        if isinstance(screen, DetailScreen) and screen.updated_at is not None:
            break
        if not isinstance(screen, ListScreen | DetailScreen):
            break
        await pilot.pause(0.05)
    await pilot.pause(0.2)


def keys(*names: str) -> Step:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press(*names)
        await settle(pilot)

    return run


def select(name: str) -> Step:
    async def run(pilot: Pilot[None]) -> None:
        screen: Any = pilot.app.screen
        for key in screen.items:
            first = screen.table.get_row(key)[0]
            if getattr(first, "plain", first) == name:
                screen.table.select_key(key)
                break
        await pilot.pause()

    return run


def wait_for_triage() -> Step:
    async def run(pilot: Pilot[None]) -> None:
        from ecstui.ui.screens.triage import TriageScreen

        for _ in range(400):
            if isinstance(pilot.app.screen, TriageScreen):
                break
            await pilot.pause(0.05)
        await settle(pilot)

    return run


VIEWS: dict[str, tuple[dict[str, Any], tuple[Step, ...]]] = {
    "triage": ({"triage_at_start": True}, (wait_for_triage(),)),
    "clusters": ({}, ()),
    "services": ({"cluster": "prod"}, ()),
    "tasks": ({"cluster": "prod"}, (select("web"), keys("enter"))),
    "task": ({"cluster": "prod", "service": "api"}, (keys("enter"),)),
    "stopped-tasks": ({"cluster": "prod", "service": "payments"}, (keys("S"),)),
    "task-definition": ({}, (keys("colon", *"taskdefs", "enter"), select("api"), keys("enter"), keys("enter"))),
    "instances": ({"cluster": "batch"}, (keys("colon", *"instances", "enter"),)),
    "help": ({"cluster": "prod"}, (keys("question_mark"),)),
    "service": ({"cluster": "prod"}, (select("cart"), keys("v"))),
    "targets": ({}, (keys("colon", *"targets", "enter"),)),
}


async def shoot(target: AwsTarget, name: str, options: dict[str, Any], steps: tuple[Step, ...]) -> Path:
    settings: dict[str, Any] = {"demo": True, "triage_at_start": False, **options}
    app = EcsApp(target, AppOptions(**settings))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for step in steps:
            await step(pilot)
        await pilot.pause(0.3)
        path = OUT / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"ecstui — {name}"))
    return path


def main() -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo")
    os.environ.pop("AWS_PROFILE", None)
    OUT.mkdir(exist_ok=True)
    demo = Demo()
    endpoint = demo.start()
    try:
        target = AwsTarget(region=demo.region, endpoint_url=endpoint)
        for name, (options, steps) in VIEWS.items():
            print(asyncio.run(shoot(target, name, options, steps)).relative_to(ROOT))
    finally:
        demo.stop()


if __name__ == "__main__":
    main()
