"""Regenerate screenshots/*.svg from the embedded demo, so the README shows the real app.

Run with `make screenshots` (or `.venv/bin/python scripts/screenshots.py [NAME ...]` for some of them).
"""

from __future__ import annotations

import asyncio
import html
import os
import re
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
from ecstui.ui.widgets.picker import Picker  # noqa: E402

SIZE = (140, 36)
SMALL = (80, 24)  # the SSH case: the dialogs must still fit
OUT = ROOT / "screenshots"
Step = Callable[[Pilot[None]], Awaitable[None]]


LOADING = ("loading…", "looking…")


def screen_text(pilot: Pilot[None]) -> str:
    """What the screen shows, as text (the SVG export without its markup)."""
    svg = pilot.app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg.replace("</text>", "\n")))


def still_loading(pilot: Pilot[None]) -> bool:
    screen = pilot.app.screen
    if isinstance(screen, ListScreen | DetailScreen) and screen.updated_at is None:
        return True
    # A dialog's pickers and Selects fill in asynchronously: wait for every one (shown or scrolled off).
    if any(getattr(picker, "_state", None) == "loading…" for picker in screen.query(Picker)):
        return True
    text = screen_text(pilot)
    return any(word in text for word in LOADING)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(400):
        if not still_loading(pilot):
            break
        await pilot.pause(0.05)
    else:
        print(f"  still loading: {type(pilot.app.screen).__name__}", file=sys.stderr)
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


def select_containing(*texts: str) -> Step:
    """Put the cursor on the first row whose cells hold every one of `texts` (a triage row: service and problem)."""

    async def run(pilot: Pilot[None]) -> None:
        screen: Any = pilot.app.screen
        for key in screen.items:
            row = " ".join(str(getattr(cell, "plain", cell)) for cell in screen.table.get_row(key))
            if all(text in row for text in texts):
                screen.table.select_key(key)
                break
        await pilot.pause()

    return run


def focus(selector: str) -> Step:
    """Put the focus on one field of a dialog (where tabbing would bring it), scrolling it into view."""

    async def run(pilot: Pilot[None]) -> None:
        widget = pilot.app.screen.query_one(selector)
        widget.focus()
        await pilot.pause()

    return run


def scroll_to(selector: str, top: bool = True) -> Step:
    """Scroll a dialog's body so that the widget is at its top (or, not top, just into view: at its bottom)."""

    async def run(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        screen.query_one("#dialog-body").scroll_to_widget(screen.query_one(selector), animate=False, top=top)
        await pilot.pause(0.2)

    return run


def wait(what: Callable[[Any], bool], limit: float = 20.0) -> Step:
    """Wait until `what(screen)` holds (something the dialog reads in the background), then settle."""

    async def run(pilot: Pilot[None]) -> None:
        for _ in range(int(limit / 0.05)):
            try:
                if what(pilot.app.screen):
                    break
            except Exception:  # not there yet (the dialog still mounting)
                pass
            await pilot.pause(0.05)
        else:
            print(f"  gave up waiting on {type(pilot.app.screen).__name__}", file=sys.stderr)
        await settle(pilot)

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


def service_form_loaded(dialog: Any) -> bool:
    from textual.widgets import Select

    from ecstui.ui.dialogs.create_service import CreateServiceDialog
    from ecstui.ui.dialogs.service_network import ServiceNetworkFields

    if not isinstance(dialog, CreateServiceDialog):
        return False
    fields = dialog.query_one(ServiceNetworkFields)
    revision = dialog.query_one("#revision", Select).value
    return revision in dialog.definitions and bool(fields.subnets.choices) and bool(fields.security_groups.choices)


def schedule_form_loaded(dialog: Any) -> bool:
    return bool(dialog.query_one("#schedule-cluster", Picker).choices) and (
        dialog.offer_role or bool(dialog.query_one("#schedule-role", Picker).choices)
    )


def delete_offer_read(dialog: Any) -> bool:
    status = dialog.query_one("#cleanup-status")
    return "looking" not in str(status.render())


def logs_read(screen: Any) -> bool:
    return bool(getattr(screen, "loaded", False))


def readiness_read(dialog: Any) -> bool:
    return "Readiness check" in screen_text_of(dialog)


def screen_text_of(widget: Any) -> str:
    return " ".join(str(static.render()) for static in widget.query("Static"))


# The task-definition form: family, then 8 tabs (runs-on, OS, arch, CPU, memory, task role, execution role) to the
# first container's name, its image, and (two tabs on) its ports.
TASK_DEFINITION_FORM: tuple[Step, ...] = (
    keys("colon", *"td", "enter"),
    keys("n"),
    wait(lambda form: form.query_one("#execution-role", Picker).value is not None),
    keys(*"taskDef1"),
    keys(*["tab"] * 8),
    keys(*"node-app", "tab"),
    keys(*"public.ecr.aws/docker/library/node:20-alpine", "tab", "tab"),
    keys(*"3000"),
)

# On prod, `n`: the new-service form; a new internet-facing ALB and auto scaling chosen (the Select and the
# checkbox focused as tab would; the form is too tall for one screen, so two shots: load balancing, then the end).
CREATE_SERVICE: tuple[Step, ...] = (
    select("prod"),
    keys("n"),
    wait(service_form_loaded),
    focus("#lb-mode"),
    keys("enter", "down", "down", "enter"),
    wait(lambda dialog: dialog.query_one("#lb-mode").value == "new"),
    focus("#scaling-enabled"),
    keys("space"),
    wait(lambda dialog: dialog.query_one("#scaling-enabled").value),
)

SCHEDULE_DIALOG: tuple[Step, ...] = (
    keys("colon", *"sched", "enter"),
    keys("n"),
    wait(schedule_form_loaded),
    keys(*"nightly-walk"),
)

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
    # The whole walk: a cluster, a task definition, a service behind an ALB with auto scaling, schedules, cleanup.
    "create-cluster": ({}, (keys("c"), keys(*"walk"))),
    "task-definition-form": ({}, TASK_DEFINITION_FORM),
    "task-definition-preview": ({}, (*TASK_DEFINITION_FORM, keys("ctrl+s"))),
    "create-service-load-balancing": ({}, (*CREATE_SERVICE, scroll_to("LoadBalancingFields"))),
    "create-service": ({}, (*CREATE_SERVICE, scroll_to("ScalingFields", top=False))),
    "autoscaling": ({}, (keys("colon", *"as", "enter"),)),
    "schedules": ({}, (keys("colon", *"sched", "enter"),)),
    "schedule-dialog": ({}, SCHEDULE_DIALOG),
    # api scales automatically: the dialog offers to remove its scalable target too.
    "delete-service": ({"cluster": "prod"}, (select("api"), keys("ctrl+d"), wait(delete_offer_read))),
    # Why it is failing: a crash-looping service's stopped task in its own words, a service's logs merged,
    # its charts, and the shell's readiness check.
    "last-log-lines": (
        {"triage_at_start": True},
        (wait_for_triage(), select_containing("email-sender", "below desired"), keys("enter")),
    ),
    "logs-stopped-task": (
        {"triage_at_start": True},
        (
            wait_for_triage(),
            select_containing("email-sender", "below desired"),
            keys("enter"),
            keys("l"),
            wait(logs_read),
        ),
    ),
    "logs-service": ({"cluster": "prod"}, (select("auth"), keys("l"), wait(logs_read))),
    "service-charts": ({"cluster": "prod"}, (select("api"), keys("v"), keys("m"))),
    "shell-readiness": ({"cluster": "prod", "service": "api"}, (keys("s"), wait(readiness_read))),
}

# The same dialogs at 80x24, the SSH case.
SMALL_VIEWS = ("create-service", "task-definition-form", "schedule-dialog", "logs-stopped-task", "shell-readiness")


async def shoot(
    target: AwsTarget,
    name: str,
    options: dict[str, Any],
    steps: tuple[Step, ...],
    size: tuple[int, int] = SIZE,
) -> Path:
    settings: dict[str, Any] = {"demo": True, "triage_at_start": False, **options}
    app = EcsApp(target, AppOptions(**settings))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for step in steps:
            await step(pilot)
        await settle(pilot)
        await pilot.pause(0.3)
        if any(word in screen_text(pilot) for word in LOADING):
            raise SystemExit(f"{name}: the screen still shows loading")
        suffix = "" if size == SIZE else f"-{size[0]}x{size[1]}"
        path = OUT / f"{name}{suffix}.svg"
        path.write_text(app.export_screenshot(title=f"ecstui — {name}{suffix}"))
    return path


def main() -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo")
    os.environ.pop("AWS_PROFILE", None)
    OUT.mkdir(exist_ok=True)
    demo = Demo()
    endpoint = demo.start()
    try:
        target = AwsTarget(region=demo.region, endpoint_url=endpoint)
        only = set(sys.argv[1:])  # names to regenerate; all when none
        for name, (options, steps) in VIEWS.items():
            if only and name not in only:
                continue
            print(asyncio.run(shoot(target, name, options, steps)).relative_to(ROOT))
            if name in SMALL_VIEWS:
                print(asyncio.run(shoot(target, name, options, steps, SMALL)).relative_to(ROOT))
    finally:
        demo.stop()


if __name__ == "__main__":
    main()
