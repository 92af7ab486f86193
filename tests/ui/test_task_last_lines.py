"""A stopped task's pane shows its last log lines: the crash's own words, read once; inert; an error in one
sentence with the rest of the pane intact."""

from __future__ import annotations

from datetime import timedelta

from ecstui.aws.session import AwsTarget
from ecstui.emulator import log_sim
from ecstui.emulator.faults import ACCESS_DENIED, THROTTLING
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.screens.task_detail import TaskDetailScreen
from tests.demo_account import FIXED_NOW, REGION
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until
from tests.ui.crashed_task import newest_stopped_task


async def _open(app: object, pilot: object, arn: str) -> TaskDetailScreen:
    app.open_task("batch", arn)  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, TaskDetailScreen))  # type: ignore[arg-type,attr-defined]
    await wait_loaded(pilot)  # type: ignore[arg-type]
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, TaskDetailScreen)
    return screen


async def test_a_crashed_task_shows_its_last_lines_read_once(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    arn = newest_stopped_task(shared_demo_account, emulator_server)
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        emulator_server.log.clear()
        screen = await _open(app, pilot, arn)
        body = text_of(screen.body)
        overview = next(line for line in body.splitlines() if line.lstrip().startswith("Last log line "))
        assert overview.split(maxsplit=3)[3].rstrip() == "Error: Cannot find module 'express'"
        assert "Last log lines (UTC)" in body and "Node.js v20.11.1" in body and "more stack frames" in body
        await screen.fetch()  # what the next refresh does: the stopped task's lines are not read again
    assert len(emulator_server.log.calls("GetLogEvents")) == 1


async def test_unreadable_logs_are_one_sentence_and_the_pane_stays(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    arn = newest_stopped_task(demo_account, emulator)
    emulator.faults.inject("GetLogEvents", ACCESS_DENIED, rate=1.0, service="logs")
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await _open(app, pilot, arn)
        body = text_of(screen.body)
        asked = len(emulator.log.calls("GetLogEvents")) + emulator.faults.log.injected["GetLogEvents"]
        await screen.fetch()  # the next refresh: a denial is not asked again
        assert len(emulator.log.calls("GetLogEvents")) + emulator.faults.log.injected["GetLogEvents"] == asked
    assert "⚠ Access denied for GetLogEvents" in body and "needs the IAM permission logs:GetLogEvents." in body
    assert "Networking and security" in body and "Containers" in body


async def test_a_hostile_log_line_stays_inert(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    arn = newest_stopped_task(demo_account, emulator)
    task_id = arn.rsplit("/", 1)[-1]
    hostile = "\x1b]52;c;ZWNobyBwd25lZA==\x07 \x1b[2J[bold red]boom[/] [@click=app.quit]x[/] \u202egnp.exe"
    with emulator.lock:
        log_sim.write(
            REGION, "/ecs/email-sender", f"ecs/email-sender/{task_id}", FIXED_NOW + timedelta(hours=1), [hostile]
        )
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await _open(app, pilot, arn)
        body = text_of(screen.body)
        rendered = "".join(segment.text for segment in app.console.render(screen.body))
    assert "\x1b" not in rendered and "\x07" not in rendered and "\u202e" not in rendered
    assert "␛]52;c;ZWNobyBwd25lZA==␇" in body and "[bold red]boom[/]" in body and "[@click=app.quit]x[/]" in body
    assert "⟨U+202E⟩gnp.exe" in body


async def test_throttled_logs_are_read_again_at_the_next_refresh(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    arn = newest_stopped_task(demo_account, emulator)
    emulator.faults.inject("GetLogEvents", THROTTLING, count=4, service="logs")  # every attempt botocore makes
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await _open(app, pilot, arn)
        assert "AWS is throttling GetLogEvents" in text_of(screen.body)
        data = await screen.fetch()
        assert data is not None
        screen._apply(data)
        assert "Error: Cannot find module 'express'" in text_of(screen.body)
