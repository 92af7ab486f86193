"""Answers that are not what AWS gives (malformed, hung, denied) keep what the pane showed and say what is wrong."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from textual.widgets import Button, Input, Static

from ecstui.aws.session import AwsTarget
from ecstui.aws.triage import find_problems
from ecstui.emulator.faults import AwsErrorSpec, DropAfterApplying, Hang, MalformedAnswer
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.service import ScaleDialog
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.tasks import TasksScreen
from ecstui.ui.screens.triage import TriageScreen
from ecstui.ui.widgets.resource_table import plain
from tests.ui.broken import broken_account
from tests.ui.conftest import FIXED_NOW, make_app, text_of, wait_loaded, wait_until

__all__ = ["broken_account"]


def banner_text(screen: ListScreen[Any]) -> str:
    banner = screen.query_one("#pane-error", Static)
    return str(banner.render()) if "shown" in banner.classes else ""


def title_text(screen: ListScreen[Any]) -> str:
    return text_of(screen._title_text())


async def test_a_malformed_describe_keeps_the_rows_and_says_what_ecs_answered(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen) and len(screen.items) == 9
        emulator.faults.inject("DescribeServices", MalformedAnswer("missing_member", "services"), rate=1.0)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.last_error is not None)

        assert len(screen.items) == 9 and screen.table.row_count == 9
        assert "Services [9]" in title_text(screen)
        message = " ".join(banner_text(screen).split())
        assert "ECS returned an answer ecstui could not read (DescribeServices: no 'services')." in message
        assert "Showing the last data received." in message

        # The listing itself broken the same way: still the last rows, never "Services [0]".
        emulator.faults.clear_injections()
        emulator.faults.inject("ListServices", MalformedAnswer("bad_json"), rate=1.0)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "ListServices" in banner_text(screen))
        assert len(screen.items) == 9 and "Services [9]" in title_text(screen)
        emulator.faults.clear_injections()


async def test_triage_never_says_nothing_is_broken_while_a_part_could_not_be_checked(
    target: AwsTarget, ecs: Any, emulator: EmulatorServer
) -> None:
    ecs.create_cluster(clusterName="quiet")
    emulator.faults.inject("ListServices", MalformedAnswer("missing_member"), rate=1.0)

    app = make_app(target, triage_at_start=True)
    async with app.run_test(size=(140, 36)) as pilot:
        report = await find_problems(app.reader, app.load_balancing, now=FIXED_NOW)
        assert report.problems == () and not report.ok
        assert report.errors == (
            "quiet: services: ECS returned an answer ecstui could not read (ListServices: no 'serviceArns').",
        )
        # At start, what could not be checked is worth opening on, as a problem is.
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen), 20)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        await wait_until(pilot, lambda: "Not checked" in banner_text(screen))
        assert "nothing is broken" not in title_text(screen)
        assert "quiet: services: ECS returned an answer ecstui could not read" in " ".join(banner_text(screen).split())

        # Refreshed: still not "nothing is broken".
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.poller is not None and screen.poller.fetch_count >= 1)
        assert "nothing is broken" not in title_text(screen)
        assert "Not checked" in banner_text(screen)
    emulator.faults.clear_injections()


async def test_while_describe_services_hangs_the_listed_names_show_at_once_and_the_hang_ends_in_a_sentence(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    # Every DescribeServices hangs; each attempt gives up after a second (the default is 10 s; AWS answers in ms).
    emulator.faults.inject("DescribeServices", Hang(120), rate=1.0)
    app = make_app(dataclasses.replace(demo_account, read_timeout=1.0), cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        started = asyncio.get_running_loop().time()
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.table.row_count == 9)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        # The names, each with "…" for what is still being described, well before any describe has answered.
        assert asyncio.get_running_loop().time() - started < 5
        assert emulator.log.counts["DescribeServices"] == 0
        row = [plain(cell) for cell in screen.table.get_row_at(0)]
        assert row[0] == "api" and set(row[1:]) == {"…"}
        assert screen.placeholder_keys and "described 0/9" in title_text(screen)

        # Four attempts of a second each, with botocore's backoff between them: a readable sentence, not minutes.
        await wait_until(pilot, lambda: screen.last_error is not None, 30)
        assert asyncio.get_running_loop().time() - started < 30
        message = " ".join(banner_text(screen).split())
        assert "ECS did not answer DescribeServices in time (each of botocore's tries waited 1 s)" in message
        assert screen.table.row_count == 9  # the names stay
        assert "described" not in title_text(screen)

        emulator.faults.clear_injections()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.last_error is None and screen.updated_at is not None, 20)
        assert len(screen.items) == 9 and not screen.placeholder_keys
        assert plain(screen.table.get_row_at(0)[1]) == "ACTIVE"


async def test_with_describe_target_health_denied_the_tasks_pane_says_why_target_health_is_unknown(
    broken_account: AwsTarget, emulator: EmulatorServer
) -> None:
    emulator.faults.inject(
        "DescribeTargetHealth",
        AwsErrorSpec(
            403, "AccessDenied", "User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth"
        ),
        rate=1.0,
        service="elasticloadbalancing",
    )
    app = make_app(broken_account, cluster="prod", service="payments")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        await wait_until(pilot, lambda: any(c.key == "targets" for c in screen.columns) and screen.table.row_count > 0)
        index = [c.key for c in screen.columns].index("targets")
        cells = {plain(screen.table.get_row_at(i)[index]) for i in range(screen.table.row_count)}
        assert cells == {"?"}
        # Said once, on the screen, in one sentence naming the permission.
        said = [str(w.render()) for w in screen.query(Static) if w.display and "TargetHealth" in str(w.render())]
        assert said == [
            (
                "⚠ Target health shows ? because this profile may not call elasticloadbalancing:DescribeTargetHealth: "
                "grant it that IAM permission to see it; the tasks are listed as usual."
            )
        ]
        note = screen.query_one("#target-health-note", Static)
        # The rest of the pane works: the tasks are there, no error banner, and a refresh keeps it so.
        assert screen.table.row_count == len(screen.items) >= 1 and screen.last_error is None
        emulator.faults.clear_injections()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "shown" not in note.classes)
        cells = {plain(screen.table.get_row_at(i)[index]) for i in range(screen.table.row_count)}
        assert "?" not in cells


async def test_a_scale_whose_connection_drops_shows_the_count_read_back_instead_of_could_not_connect(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        assert screen.table.select_key(next(k for k, s in screen.items.items() if s.name == "web"))
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, ScaleDialog)
        # ECS applies the scale; the connection is gone before its answer.
        emulator.faults.inject("UpdateService", DropAfterApplying(), rate=1.0)
        dialog.query_one("#desired", Input).value = "12"
        await pilot.press("enter")
        error = dialog.query_one("#dialog-error", Static)
        await wait_until(pilot, lambda: "shown" in error.classes and not dialog.sending, 30)
        emulator.faults.clear_injections()

        said = str(error.render())
        assert said.startswith(
            "✗ The connection dropped after UpdateService was sent: the change may have been applied. "
            "ecstui read it back; check its state before sending it again. "
            "Now: web wants 12 tasks ("  # as read back: the scale was applied
        )
        assert "Cannot reach" not in said
        assert app.screen is dialog  # left open, with the state, not dismissed as done
        assert str(dialog.query_one("#dialog-confirm", Button).label) == "Send again"


async def test_a_large_listing_whose_first_describes_hang_still_shows_every_listed_name(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above the threshold the first load waits for the first screenful before adding the other rows; a hang
    # there must not keep them all off the screen.
    monkeypatch.setattr(ServicesScreen, "progressive_threshold", 2)
    emulator.faults.inject("DescribeServices", Hang(120), rate=1.0)
    app = make_app(dataclasses.replace(demo_account, read_timeout=30.0), cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.table.row_count == 9)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        assert emulator.log.counts["DescribeServices"] == 0  # none answered: the names came from the listing
        assert "described 0/9" in title_text(screen)
        emulator.faults.clear_injections()  # lets the held describes through
        await wait_until(pilot, lambda: screen.updated_at is not None, 20)
        assert len(screen.items) == 9 and not screen.placeholder_keys
