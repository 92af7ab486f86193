"""A task definition view (immutable: fetched once) whose load failed retries with the normal backoff until it
loads, and its error line goes away once it has, by itself or by a manual refresh."""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import Static

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import ACCESS_DENIED, SERVICE_UNAVAILABLE
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.polling import MAX_BACKOFF_SECONDS
from ecstui.ui.screens.task_definition_detail import TaskDefinitionScreen
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

FAST = 0.2  # the app's refresh interval, so a retry with backoff comes within the test's patience


def latest_arn(emulator: EmulatorServer, family: str = "api") -> str:
    arn: str = boto_client(emulator, "ecs").describe_task_definition(taskDefinition=family)["taskDefinition"][
        "taskDefinitionArn"
    ]
    return arn


def banner(screen: TaskDefinitionScreen) -> str:
    error = screen.query_one("#pane-error", Static)
    # The whole text as one line of words (drawn, a long AWS message is cut or wrapped at the drawing's width).
    content = error.content
    said = content.plain if isinstance(content, Text) else text_of(error.render())
    return " ".join(said.split()) if error.has_class("shown") else ""


async def open_failing(app: EcsApp, pilot: object, emulator: EmulatorServer, arn: str) -> TaskDefinitionScreen:
    app.open_task_definition(arn)
    await wait_until(pilot, lambda: isinstance(app.screen, TaskDefinitionScreen))  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, TaskDefinitionScreen)
    await wait_until(pilot, lambda: bool(banner(screen)), 60)  # type: ignore[arg-type]
    assert screen.data is None
    return screen


async def test_a_task_definition_whose_load_failed_retries_by_itself_with_backoff_and_then_shows(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    arn = latest_arn(emulator)
    app = make_app(demo_account, refresh=FAST)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        emulator.faults.inject("DescribeTaskDefinition", SERVICE_UNAVAILABLE, count=10_000)
        screen = await open_failing(app, pilot, emulator, arn)
        said = banner(screen)
        seconds = re.search(r"Retrying in (\d+)s", said)
        assert seconds is not None, said
        # The backoff of any pane refreshing every FAST seconds (at most 2**6 times the interval), not the
        # minute's cap that an interval of 10**9 seconds gave, and not "Retrying in 1000000000s".
        assert int(seconds.group(1)) <= round(FAST * 2**6) < MAX_BACKOFF_SECONDS
        emulator.faults.clear_injections()
        # No key pressed: the view's own retry loads it, and the error line goes.
        await wait_until(pilot, lambda: screen.data is not None, 30)
        await pilot.pause()
        assert banner(screen) == ""
        assert "api" in text_of(screen.body)
        fetched = screen.poller.fetch_count if screen.poller else 0
        await pilot.pause(3 * FAST)
        assert screen.poller is not None and screen.poller.fetch_count == fetched  # loaded: immutable, not polled


async def test_a_manual_refresh_that_succeeds_clears_the_error_line(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    arn = latest_arn(emulator)
    app = make_app(demo_account)  # the tests' refresh is an hour: only the key brings the data
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        emulator.faults.inject("DescribeTaskDefinition", ACCESS_DENIED, count=10_000)
        screen = await open_failing(app, pilot, emulator, arn)
        seconds = re.search(r"Retrying in (\d+)s", banner(screen))
        # What the poller waits (backoff, at most a minute), not 1000000000s, nor the hour of the tests' refresh.
        assert seconds is not None and int(seconds.group(1)) <= MAX_BACKOFF_SECONDS, banner(screen)
        emulator.faults.clear_injections()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.data is not None, 60)
        await pilot.pause()
        assert banner(screen) == ""
