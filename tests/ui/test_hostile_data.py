"""Text from AWS is shown, never obeyed: every pane and dialog over the hostile account, checked in the bytes the
app writes to the terminal.

The account (ecstui.emulator.hostile) carries Rich markup, Textual action links and terminal escape sequences in
every field its users may write. For each screen the test checks, over what Textual's driver wrote while the
screen was shown (not only the screen model):
- no escape sequence of the data reached the terminal (OSC 52, OSC 0, OSC 8 links, DCS, APC, 8-bit CSI, bidi
  override, zero-width space);
- the data is shown literally: ``[@click=app.quit]CLICK[/]`` and ``␛]52;c;SE9TVElMRQ==␇`` can be read on screen;
- nothing runs: no cell carries the data's actions or links, clicking where the data's links would be does not
  quit, save a screenshot or open a screen, and no change is sent to AWS.
Every finding is collected, so one run lists everything that leaks where.
"""

from __future__ import annotations

import glob
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from textual._compositor import LayoutUpdate
from textual.command import CommandPalette
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import AwsErrorSpec
from ecstui.emulator.hostile import CLUSTER, FAMILY, HOSTILE, LEAK_MARKERS, ROLLOUT, WEB
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ActionDialog
from ecstui.ui.inert import visible
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.screens.detail import DetailScreen
from ecstui.ui.screens.tasks import TasksScreen
from tests.ui.conftest import loaded, make_app, text_of, wait_until
from tests.ui.hostile import hostile_account, hostile_audit_log

__all__ = ["hostile_account"]

SIZE = (160, 45)
PATIENCE = 60.0  # two cores shared with other test runs: slow is not wrong

# What must be readable: a string, or the forms it may take.
Shown = str | tuple[str, ...]

# How the payload reads once made inert (ecstui.ui.inert.visible).
CLICK_SHOWN = "[@click=app.quit]CLICK[/]"
# (Up to the BEL that ends it: BEL only rings, and a table may drop it.)
OSC52_SHOWN = visible("\x1b]52;c;SE9TVElMRQ==")  # "␛]52;c;SE9TVElMRQ=="
TITLE_SHOWN = visible("\x1b]0;PWNED-TITLE\x07")
MARKUP_SHOWN = "[bold red]MARKUP[/]"
LINK_SHOWN = "[link=https://evil.example]LINK[/link]"
BIDI_SHOWN = visible("\u202e")  # "⟨U+202E⟩"
# An escape drawn as JSON writes it ("\u001b"): shown, and inert, too.
OSC52_AS_JSON = "\\u001b]52;c;SE9TVElMRQ=="
EVERYTHING = (CLICK_SHOWN, OSC52_SHOWN, MARKUP_SHOWN, LINK_SHOWN, TITLE_SHOWN, BIDI_SHOWN)

# The payload's own actions; the app's own clickable parts (footer keys) carry others.
HOSTILE_ACTIONS = ("quit", "screenshot")
PWNED = "/tmp/pwned*"

MUTATIONS = (
    "CreateCluster",
    "DeleteCluster",
    "CreateService",
    "UpdateService",
    "DeleteService",
    "StopTask",
    "RunTask",
    "RegisterTaskDefinition",
    "DeregisterTaskDefinition",
    "DeleteTaskDefinitions",
    "UpdateContainerInstancesState",
)


class RecordingDriver(HeadlessDriver):
    """The headless driver, except that the app draws to it as to a terminal: every string written is kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output: list[str] = []
        self.deliveries: list[str] = []  # files the app asked to save (the screenshot action)

    @property
    def is_headless(self) -> bool:
        return False  # Textual writes frames only to a driver that is not headless

    def write(self, data: str) -> None:
        self.output.append(data)

    def deliver_binary(self, binary: Any, *, save_path: Path, **details: Any) -> None:
        # A screenshot action run from the data is recorded rather than saved: a failing run leaves no file.
        self.deliveries.append(str(save_path))

    def written_since(self, mark: int) -> str:
        return "".join(self.output[mark:])


@dataclass
class Walk:
    """Visits screens of one running app and collects what is wrong on each."""

    pilot: Pilot[None]
    pwned_before: set[str]
    findings: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    mark: int = 0

    @property
    def app(self) -> EcsApp:
        app = self.pilot.app
        assert isinstance(app, EcsApp)
        return app

    @property
    def driver(self) -> RecordingDriver:
        driver = self.app._driver
        assert isinstance(driver, RecordingDriver)
        return driver

    @property
    def quit(self) -> bool:
        """The app quit, or was asked to (see hostile_app)."""
        return bool(self.app._exit) or bool(getattr(self.app, "quit_requests", 0)) or self.crashed

    @property
    def crashed(self) -> bool:
        return self.app._exception is not None

    def found(self, finding: str) -> None:
        self.findings.append(finding)
        # Also printed: if the app fails before the final assertion, pytest still shows what was found until then.
        print(finding, file=sys.__stdout__, flush=True)

    def begin(self) -> None:
        """What the driver writes from here on belongs to the next screen checked."""
        self.mark = len(self.driver.output)

    async def settle(self, condition: Callable[[], bool] = lambda: True) -> None:
        await wait_until(self.pilot, lambda: self.quit or (condition() and loaded(self.app)), PATIENCE)
        # Two rounds of idle: the data's frame is composed, then written to the driver.
        await self.pilot.pause()
        await self.pilot.pause()

    async def check(self, name: str, expected: tuple[Shown, ...] = (), click: bool = False) -> None:
        """Check the screen shown now, page by page if it scrolls; every one of `expected` must be readable on one
        of its pages; `click` clicks where the data's links would be."""
        self.visited.append(name)
        if self.quit:
            self.found(f"{name}: not reached, the app had {'crashed' if self.crashed else 'quit'}")
            return
        pages = [await self.look(name, click)]
        scroll = self.app.screen.query_one("#detail-scroll") if isinstance(self.app.screen, DetailScreen) else None
        while scroll is not None and scroll.scroll_y < scroll.max_scroll_y and len(pages) < 10:
            scroll.scroll_page_down(animate=False)
            await self.pilot.pause()
            await self.pilot.pause()
            pages.append(await self.look(f"{name} (page {len(pages) + 1})", click))
        text = "\n".join(pages)
        for fragment in expected:
            forms = (fragment,) if isinstance(fragment, str) else fragment
            if not any(form in text for form in forms):
                self.found(f"{name}: {forms[0]!r} is not shown literally")

    async def look(self, name: str, click: bool) -> str:
        """Check what was written since the last look and what is drawn now; the text on screen."""
        written = self.driver.written_since(self.mark)
        for what, marker in LEAK_MARKERS.items():
            if marker in written:
                at = written.index(marker)
                self.found(f"{name}: {what} written to the terminal: …{written[max(0, at - 30) : at + 30]!r}…")
        lines, segments = screen_content(self.app)
        for action in clickable_actions(segments):
            self.found(f"{name}: the data became clickable: {action}")
        if click:
            await self.click_the_links(name, lines)
        self.begin()
        return "\n".join(lines)

    async def click_the_links(self, name: str, lines: list[str]) -> None:
        screen = self.app.screen
        for word in ("CLICK", "SHOT", "SAVE", "LINK"):
            places = [(line.find(word), y) for y, line in enumerate(lines) if word in line]
            for x, y in places[:4]:
                at = f"clicking {word!r} at ({x + 1}, {y})"
                deliveries = len(self.driver.deliveries)
                await self.pilot.click(offset=(x + 1, y))
                await self.pilot.pause()
                if self.quit:
                    self.found(f"{name}: {at} quit the app")
                    self.app.quit_requests = 0  # type: ignore[attr-defined]
                for path in self.driver.deliveries[deliveries:]:
                    self.found(f"{name}: {at} saved a screenshot at {path}")
                if self.app.screen is not screen:
                    self.found(f"{name}: {at} opened {type(self.app.screen).__name__}")
                    await self.pilot.press("escape")
                    await self.pilot.pause()

    async def open(self, name: str, action: Callable[[], object], kind: type[Screen[Any]] | None = None) -> bool:
        """Run `action` (a key press or a navigation) and wait for the screen it opens; False if none opened."""
        before = self.app.screen
        self.begin()
        result = action()
        if inspect.isawaitable(result):
            await result
        try:
            await self.settle(
                lambda: self.app.screen is not before and (kind is None or isinstance(self.app.screen, kind))
            )
        except AssertionError:
            said = ""
            if isinstance(self.app.screen, ActionDialog):
                error = self.app.screen.query_one("#dialog-error", Static)
                said = f", which says {text_of(error.render()).strip()!r}" if error.has_class("shown") else ""
            self.found(f"{name}: did not open (now on {type(self.app.screen).__name__}{said})")
            return False
        if self.crashed:
            self.found(f"{name}: the app crashed: {self.app._exception!r}")
        return not self.quit

    async def close(self) -> None:
        """Escape out of a dialog, back to the pane under it."""
        if self.quit:
            return
        under = self.app.screen_stack[-2]
        # A text area takes the first escape (it lets go of the focus); the dialog takes the next.
        for _ in range(3):
            await self.pilot.press("escape")
            await self.pilot.pause()
            if self.quit or self.app.screen is under:
                break
        await wait_until(self.pilot, lambda: self.quit or self.app.screen is under, PATIENCE)
        self.begin()


def screen_content(app: EcsApp) -> tuple[list[str], list[Segment]]:
    """The lines of text on screen (dialogs over their panes, as drawn) and every segment drawn."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)
    lines: list[str] = []
    segments: list[Segment] = []
    for line in update.strips:
        drawn = [segment for strip in line for segment in strip]
        segments += drawn
        lines.append("".join(segment.text for segment in drawn))
    return lines, segments


def clickable_actions(segments: list[Segment]) -> list[str]:
    """The payload's actions and links that a click on the drawn screen would follow."""
    found: list[str] = []
    for segment in segments:
        style = segment.style
        if style is None:
            continue
        action = str(style.meta.get("@click", "")) if style.meta else ""
        if any(word in action for word in HOSTILE_ACTIONS) and action not in found:
            found.append(action)
        if style.link and "evil.example" in style.link and style.link not in found:
            found.append(style.link)
    return found


@pytest.fixture
def pwned_before() -> Iterator[set[str]]:
    """The files like those the data's `screenshot('/tmp/pwned.svg')` would save that were there before the test;
    any other is removed after it."""
    before = set(glob.glob(PWNED))
    yield before
    for path in sorted(set(glob.glob(PWNED)) - before):
        os.unlink(path)


def new_pwned_files(before: set[str]) -> list[str]:
    return sorted(set(glob.glob(PWNED)) - before)


def mutations(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in MUTATIONS if emulator.log.counts[op]}


def hostile_app(target: AwsTarget, tmp_path: Path) -> EcsApp:
    app = make_app(target, audit_path=str(hostile_audit_log(tmp_path / "audit.jsonl")))
    app.driver_class = RecordingDriver
    # A quit asked for by a click on the data is counted instead of ending the app, so the walk goes on and
    # reports every screen (App.run_action finds the action on the instance).
    app.quit_requests = 0  # type: ignore[attr-defined]

    async def count_quit() -> None:
        app.quit_requests += 1  # type: ignore[attr-defined]

    app.action_quit = count_quit  # type: ignore[method-assign]
    return app


def select(screen: Screen[Any], matches: Callable[[Any], bool]) -> None:
    assert isinstance(screen, ListScreen)
    assert screen.table.select_key(next(key for key, item in screen.items.items() if matches(item)))


def report(walk: Walk, sent: dict[str, int]) -> list[str]:
    findings = list(walk.findings)
    if walk.quit:
        findings.append("the app quit during the walk")
    for what, marker in LEAK_MARKERS.items():
        if marker in walk.driver.written_since(0) and not any(what in f for f in findings):
            findings.append(f"between screens: {what} written to the terminal")
    findings += [f"a file was saved at {path}" for path in new_pwned_files(walk.pwned_before)]
    if sent:
        findings.append(f"changes were sent to AWS: {sent}")
    return findings


# -- the panes -----------------------------------------------------------------------------------------------


async def test_every_pane_shows_hostile_text_as_text_and_runs_nothing(
    hostile_account: AwsTarget,
    emulator: EmulatorServer,
    tmp_path: Path,
    pwned_before: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = hostile_app(hostile_account, tmp_path)
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        walk = Walk(pilot, pwned_before)
        await walk.settle()
        await walk.check("clusters")

        if await walk.open("services", lambda: app.open_services(CLUSTER)):
            await walk.check("services")
        if await walk.open("tasks of web", lambda: app.open_tasks(CLUSTER, WEB), TasksScreen):
            await walk.check("tasks of web")
            await pilot.press("S")
            await walk.settle(lambda: isinstance(app.screen, TasksScreen) and app.screen.desired_status == "STOPPED")
            await walk.check("stopped tasks of web", (CLICK_SHOWN, OSC52_SHOWN))
            stopped = next(
                (t for t in app.screen.items.values() if t.stopped_reason == HOSTILE),  # type: ignore[attr-defined]
                None,
            )
            assert stopped is not None, "the task stopped with the hostile reason is not listed"
            if await walk.open("task stopped with a hostile reason", lambda: app.open_task(CLUSTER, stopped.arn)):
                await walk.check("task stopped with a hostile reason", EVERYTHING, click=True)
        # The cluster's tasks include the one RunTask started in the group "service:" + payload.
        if await walk.open("all tasks of the cluster", lambda: app.open_tasks(CLUSTER, None), TasksScreen):
            await walk.check("all tasks of the cluster", (CLICK_SHOWN,))
            grouped = next(t for t in app.screen.items.values() if t.group == f"service:{HOSTILE}")  # type: ignore[attr-defined]
            if await walk.open("task of a hostile group", lambda: app.open_task(CLUSTER, grouped.arn)):
                await walk.check("task of a hostile group", (CLICK_SHOWN, OSC52_SHOWN), click=True)
        if await walk.open("service web", lambda: app.open_service(CLUSTER, WEB), DetailScreen):
            await walk.check("service web", (CLICK_SHOWN, OSC52_SHOWN), click=True)
        if await walk.open("service rollout", lambda: app.open_service(CLUSTER, ROLLOUT), DetailScreen):
            await walk.check("service rollout", (CLICK_SHOWN, OSC52_SHOWN), click=True)
        if await walk.open("targets", lambda: app.jump("targets")):
            await walk.check("targets", (CLICK_SHOWN,))
        if await walk.open("task definitions", lambda: app.jump("taskdefs")):
            await walk.check("task definitions")
        if await walk.open("revisions", lambda: app.open_revisions(FAMILY)):
            await walk.check("revisions")
        revision = next(iter(app.screen.items.values()), None) if isinstance(app.screen, ListScreen) else None
        if revision is not None and await walk.open("task definition", lambda: app.open_task_definition(revision.arn)):
            await walk.check("task definition", EVERYTHING, click=True)
        app.context_cluster = CLUSTER
        if await walk.open("instances", lambda: app.jump("instances")):
            await walk.check("instances")
        if await walk.open("triage", lambda: app.jump("triage")):
            await walk.check("triage", (CLICK_SHOWN,))
        if await walk.open("audit", lambda: app.jump("audit")):
            await walk.check("audit", (CLICK_SHOWN,))
        if await walk.open("stats", lambda: app.jump("stats")):
            await walk.check("stats")
        if await walk.open("help", lambda: pilot.press("question_mark")):
            await walk.check("help")
            await walk.close()
        # AWS's error messages are outside text too (they quote what they refuse).
        emulator.faults.inject("DescribeServices", AwsErrorSpec(400, "AccessDeniedException", HOSTILE), count=100)
        if await walk.open("services whose describe fails", lambda: app.open_services(CLUSTER)):
            await walk.check("services whose describe fails", (CLICK_SHOWN, OSC52_SHOWN), click=True)
        emulator.faults.clear_injections()
        # Last: the palette lists this task's service, whose name is the payload.
        if await walk.open("task of a hostile group", lambda: app.open_task(CLUSTER, grouped.arn)) and await walk.open(
            "command palette", lambda: pilot.press("ctrl+p"), CommandPalette
        ):
            await walk.check("command palette", (CLICK_SHOWN,))
            await walk.close()
        findings = report(walk, mutations(emulator))
    assert not findings, "\n".join(findings)


# -- the dialogs ---------------------------------------------------------------------------------------------


async def test_every_dialog_shows_hostile_text_as_text_and_runs_nothing(
    hostile_account: AwsTarget,
    emulator: EmulatorServer,
    tmp_path: Path,
    pwned_before: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = hostile_app(hostile_account, tmp_path)
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        walk = Walk(pilot, pwned_before)
        await walk.settle()

        async def dialog(name: str, key: str, expected: tuple[Shown, ...] = ()) -> None:
            if await walk.open(name, lambda: pilot.press(key), ActionDialog):
                await walk.check(name, expected, click=True)
                await walk.close()

        select(app.screen, lambda c: c.name == CLUSTER)
        await dialog("create cluster", "c")
        await dialog("create service", "n")
        await dialog("delete cluster", "ctrl+d")

        if await walk.open("services", lambda: app.open_services(CLUSTER)):
            select(app.screen, lambda s: s.name == WEB)
            if await walk.open("scale", lambda: pilot.press("s"), ActionDialog):
                await walk.check("scale", click=True)
                app.screen.query_one("#desired", Input).value = "3"
                emulator.faults.inject(
                    "UpdateService", AwsErrorSpec(400, "InvalidParameterException", HOSTILE), count=1
                )
                await pilot.press("ctrl+s")
                await walk.settle(lambda: app.screen.query_one("#dialog-error", Static).has_class("shown"))
                await walk.check("scale refused by AWS", (CLICK_SHOWN, OSC52_SHOWN), click=True)
                emulator.faults.clear_injections()
                await walk.close()
            await dialog("restart", "r")
            await dialog("update revision", "u")
            await dialog("delete service", "ctrl+d")
        if await walk.open("tasks of web", lambda: app.open_tasks(CLUSTER, WEB), TasksScreen):
            await dialog("stop task", "x")
        # The rollout's new deployment cannot start: rolling back to the running one is offered.
        if await walk.open("service rollout", lambda: app.open_service(CLUSTER, ROLLOUT), DetailScreen):
            await dialog("roll back", "b")
        if await walk.open("revisions", lambda: app.open_revisions(FAMILY)):
            await dialog("run task", "R")
            await dialog("deregister", "ctrl+d")
            await dialog("JSON view", "e", (CLICK_SHOWN, (OSC52_SHOWN, OSC52_AS_JSON)))
            if await walk.open("new revision form", lambda: pilot.press("n"), ActionDialog):
                await walk.check("new revision form", (CLICK_SHOWN,), click=True)
                form = app.screen
                image = form.query_one("#image-0", Input)
                image.value = "public.ecr.aws/hostile/web:v2"
                # The form reads one KEY=VALUE a line, and the payload's name holds '=': keep only the other variable
                # (as the form shows it: what is typed here is not what is tested).
                environment = form.query_one("#env-0", TextArea)
                kept = [line for line in environment.text.splitlines() if line.startswith("VALUE=")]
                environment.text = "\n".join(kept)
                if await walk.open("review of the new revision", lambda: pilot.press("ctrl+s"), ActionDialog):
                    await walk.check("review of the new revision", (CLICK_SHOWN,), click=True)
                    await walk.close()
                await walk.close()
        app.context_cluster = CLUSTER
        if await walk.open("instances", lambda: app.jump("instances")):
            await dialog("drain", "D")
        if await walk.open("audit", lambda: app.jump("audit")):
            select(app.screen, lambda row: row.entry.action == "scale_service" and row.entry.ok)
            await dialog("undo scale", "u")
        findings = report(walk, mutations(emulator))
    assert not findings, "\n".join(findings)
