"""The log pane against the emulator: a task's own stream, a service's tasks merged by time, following without
repeats, the keys (search, wrap, timestamps, range, pattern, save, copy), the where sentences, and the errors."""

from __future__ import annotations

import os
import stat
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import ACCESS_DENIED
from ecstui.emulator.hostile import LEAK_MARKERS
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.logs import LogPatternDialog, LogRangeDialog, SaveLogDialog
from ecstui.ui.screens.logs import LogsScreen, LogTarget
from ecstui.ui.widgets.log_view import LogView
from tests.conftest import boto_client
from tests.demo_account import FIXED_NOW, wall_clock_at
from tests.ui.conftest import loaded, make_app, wait_until
from tests.ui.test_hostile_data import RecordingDriver

PATIENCE = 60.0  # two cores shared with other test runs
CLUSTER, SERVICE = "prod", "recommendations"  # two tasks, one container each


def running_tasks(emulator: EmulatorServer, service: str = SERVICE, cluster: str = CLUSTER) -> list[dict[str, Any]]:
    ecs = boto_client(emulator, "ecs")
    arns = ecs.list_tasks(cluster=cluster, desiredStatus="RUNNING")["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns[:100])["tasks"]
    found = [t for t in tasks if t.get("group") == f"service:{service}" and t["lastStatus"] == "RUNNING"]
    return sorted(found, key=lambda t: t["taskArn"])


def stream_of(task: dict[str, Any], container: str = SERVICE) -> str:
    return f"ecs/{container}/{task['taskArn'].rsplit('/', 1)[-1]}"


def put_events(
    emulator: EmulatorServer, stream: str, *events: tuple[datetime, str], group: str = f"/ecs/{SERVICE}"
) -> None:
    logs = boto_client(emulator, "logs")
    if not logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=stream)["logStreams"]:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    # The events are stamped near FIXED_NOW; CloudWatch Logs refuses events older than 14 days by its clock, so the
    # emulator's clock is held at the newest of them (the tests would otherwise fail two weeks after FIXED_NOW).
    with wall_clock_at(max(at for at, _ in events)):
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": int(at.timestamp() * 1000), "message": message} for at, message in events],
        )


def moving_clock() -> Callable[[], datetime]:
    """FIXED_NOW, moving on from the test's start: following reads up to now, so now must pass."""
    began = time.monotonic()
    return lambda: FIXED_NOW + timedelta(seconds=time.monotonic() - began)


def logs_screen(app: EcsApp) -> LogsScreen:
    screen = app.screen
    assert isinstance(screen, LogsScreen), screen
    return screen


async def open_logs(pilot: Pilot[None], *, task_arn: str | None = None, service: str | None = None) -> LogsScreen:
    app = pilot.app
    assert isinstance(app, EcsApp)
    app.open_logs(CLUSTER, task_arn=task_arn, service=service)
    await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.loaded, PATIENCE)
    return logs_screen(app)


def header(screen: LogsScreen) -> str:
    """The title, the detail line and the status line, as one string."""
    return "  ".join(part.plain for part in (screen._title(), screen._detail(), screen._status()))


def shown(widget: Any) -> str:
    """What a Static shows, in plain text."""
    return str(getattr(widget.content, "plain", widget.content))


def shown_rows(view: LogView) -> list[str]:
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


# -- which lines ------------------------------------------------------------------------------------------------------


async def test_a_task_shows_its_own_stream_and_never_another_tasks(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    mine, other = running_tasks(emulator_server)[:2]
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=mine["taskArn"])
        view = screen.view
        assert view.line_count > 0
        assert {line.stream for line in view.lines} == {stream_of(mine)}
        assert {line.task_id for line in view.lines} == {mine["taskArn"].rsplit("/", 1)[-1]}
        # What reached AWS names this task's stream only.
        asked = [c.get("logStreamName") for c in emulator_server.log.calls("GetLogEvents")]
        asked += [n for c in emulator_server.log.calls("FilterLogEvents") for n in c.get("logStreamNames", [])]
        assert stream_of(mine) in asked and stream_of(other) not in asked
        assert f"/ecs/{SERVICE} / {stream_of(mine)}" in header(screen)


async def test_a_services_tasks_are_merged_in_time_order_each_tagged_and_coloured(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    tasks = running_tasks(emulator_server)
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, service=SERVICE)
        view = screen.view
        lines = view.lines
        assert {line.stream for line in lines} == {stream_of(t) for t in tasks}
        assert [line.timestamp for line in lines] == sorted(line.timestamp for line in lines)
        calls = emulator_server.log.calls("FilterLogEvents")
        assert calls and all(len(call["logStreamNames"]) <= 100 for call in calls)
        await pilot.pause()
        colours: dict[str, set[str]] = {}
        for y in range(view.size.height):
            for segment in view.render_line(y):
                for task in tasks:
                    short = task["taskArn"].rsplit("/", 1)[-1][:8]
                    if segment.text.startswith(short) and segment.style and segment.style.color:
                        colours.setdefault(short, set()).add(segment.style.color.name)
        assert len(colours) == len(tasks)  # every task's lines are on screen, tagged
        assert len({frozenset(c) for c in colours.values()}) == len(tasks)  # and each in its own colour
        assert "2 running tasks" in header(screen)


async def test_following_appends_new_lines_once_across_reconnects(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    task = running_tasks(emulator)[0]
    clock = moving_clock()
    app = make_app(demo_account, clock=clock)
    app.logs.poll_interval = 0.2
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        view = screen.view
        held = view.line_count
        await wait_until(pilot, lambda: screen.follow_handle is not None, PATIENCE)
        for round_ in range(3):
            put_events(emulator, stream_of(task), *((clock(), f"new line {round_}.{n}") for n in range(3)))
            await wait_until(
                pilot, lambda r=round_: any(f"new line {r}.2" == ln.message for ln in view.lines), PATIENCE
            )
        new = [line.message for line in view.lines if line.message.startswith("new line")]
        assert new == [f"new line {r}.{n}" for r in range(3) for n in range(3)]
        identities = Counter(line.identity for line in view.lines)
        assert max(identities.values()) == 1
        assert view.line_count == held + 9
        assert screen.follow_handle is not None and screen.follow_handle.reconnects >= 1  # the emulator's tail ends
        assert view.following and "● following" in header(screen)
        # Scrolling up pauses: new lines are counted, not scrolled to; End follows again.
        put_events(emulator, stream_of(task), *((clock(), f"filler {n}") for n in range(50)))
        await wait_until(pilot, lambda: view.lines[-1].message == "filler 49", PATIENCE)
        await pilot.press("home")
        put_events(emulator, stream_of(task), (clock(), "while paused"))
        await wait_until(pilot, lambda: view.new_while_paused >= 1, PATIENCE)
        assert "paused: 1 new line " in header(screen)
        assert not any("while paused" in row for row in shown_rows(view))
        await pilot.press("end")
        await pilot.pause()
        assert view.following and any("while paused" in row for row in shown_rows(view))


# -- keys --------------------------------------------------------------------------------------------------------------


async def test_search_wrap_and_timestamps_from_the_keyboard(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    task = running_tasks(emulator_server)[0]
    app = make_app(shared_demo_account)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        view = screen.view
        matching = [line for line in view.lines if "GET" in line.message]
        assert len(matching) >= 2
        await pilot.press("slash", *"get", "enter")
        await pilot.pause()
        assert f"{len(matching)}/{len(matching)}" in header(screen)
        assert view.cursor_line == matching[-1]
        await pilot.press("N")
        assert view.cursor_line == matching[-2] and f"{len(matching) - 1}/{len(matching)}" in header(screen)
        await pilot.press("n")
        assert view.cursor_line == matching[-1]
        rows_before = view.total_rows
        assert shown_rows(view)[0][:2].isdigit()  # a timestamp first
        await pilot.press("t")
        await pilot.pause()
        assert not shown_rows(view)[0][:2].isdigit()
        await pilot.press("w")
        await pilot.pause()
        assert view.wrap and view.total_rows >= rows_before
        await pilot.press("escape")  # clears the search first
        assert view.search_term == "" and isinstance(app.screen, LogsScreen)


async def test_a_filter_pattern_is_sent_to_aws_and_the_lines_read_again(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    task = running_tasks(emulator_server)[0]
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, LogPatternDialog))
        await pilot.press(*"healthz", "enter")
        await wait_until(pilot, lambda: app.screen is screen and screen.loaded and screen.pattern == "healthz")
        sent = [call for call in emulator_server.log.calls("FilterLogEvents") if call.get("filterPattern")]
        assert sent and sent[-1]["filterPattern"] == "healthz"
        assert sent[-1]["logStreamNames"] == [stream_of(task)]
        shown_lines = screen.view.lines
        assert shown_lines and all("healthz" in line.message for line in shown_lines)
        assert "filter healthz" in header(screen)


async def test_a_bad_custom_range_says_why_sends_nothing_and_keeps_what_was_typed(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    task = running_tasks(emulator_server)[0]
    app = make_app(shared_demo_account)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_logs(pilot, task_arn=task["taskArn"])
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LogRangeDialog))
        dialog = app.screen
        before = sum(emulator_server.log.counts[op] for op in ("GetLogEvents", "FilterLogEvents"))
        dialog.query_one("#range-start").value = "yesterday-ish"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.click("#dialog-confirm")
        await pilot.pause()
        error = shown(dialog.query_one("#dialog-error"))
        assert "'yesterday-ish' is neither a time" in error
        assert dialog.query_one("#range-start").value == "yesterday-ish"  # type: ignore[attr-defined]
        dialog.query_one("#range-start").value = "-10m"  # type: ignore[attr-defined]
        dialog.query_one("#range-end").value = "-20m"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "must come after the start" in shown(dialog.query_one("#dialog-error"))
        assert app.screen is dialog
        after = sum(emulator_server.log.counts[op] for op in ("GetLogEvents", "FilterLogEvents"))
        assert after == before


async def test_a_custom_range_that_ends_reads_it_and_does_not_follow(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    task = running_tasks(emulator_server)[0]
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LogRangeDialog))
        app.screen.query_one("#range-start").value = "-40m"  # type: ignore[attr-defined]
        app.screen.query_one("#range-end").value = "-10m"  # type: ignore[attr-defined]
        await pilot.click("#dialog-confirm")
        await wait_until(pilot, lambda: app.screen is screen and screen.loaded and screen.time_range.kind == "custom")
        assert all(
            FIXED_NOW - timedelta(minutes=40) <= line.timestamp <= FIXED_NOW - timedelta(minutes=10)
            for line in screen.view.lines
        )
        assert screen.follow_handle is None and "a past range, not followed" in header(screen)


async def test_save_writes_the_lines_to_a_file_only_the_user_can_read_and_asks_before_replacing(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    task = running_tasks(emulator_server)[0]
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    app = make_app(shared_demo_account)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        for attempt in range(2):
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, SaveLogDialog))
            dialog = app.screen
            assert dialog.query_one("#save-path").value == f"./{task_id}-{SERVICE}.log"  # type: ignore[attr-defined]
            await pilot.press("enter")
            if attempt == 1:
                await pilot.pause()
                assert "exists: Replace overwrites it" in shown(dialog.query_one("#dialog-error"))
                await pilot.press("enter")
            await wait_until(pilot, lambda: app.screen is screen)
        saved = tmp_path / f"{task_id}-{SERVICE}.log"
        assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
        written = saved.read_text().splitlines()
        assert len(written) == screen.view.line_count
        assert written[-1].endswith(screen.view.lines[-1].message)
        assert os.listdir(tmp_path) == [saved.name]  # no temporary file left


async def test_copy_takes_the_line_under_the_cursor_as_shown(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    task = running_tasks(emulator_server)[0]
    app = make_app(shared_demo_account)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        await pilot.press("up", "y")
        line = screen.view.cursor_line
        assert line is not None and copied == [screen.view.shown_text(line)] and line.message in copied[0]
        await pilot.press("Y")
        assert copied[-1].count("\n") == screen.view.line_count - 1


# -- what cannot be read -----------------------------------------------------------------------------------------------


async def test_containers_without_logs_in_cloudwatch_say_where_they_are_never_an_error(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    ecs = boto_client(emulator, "ecs")
    service = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    app_container = {k: v for k, v in definition["containerDefinitions"][0].items() if k != "logConfiguration"}
    splunk = {
        "name": "shipper",
        "image": "busybox",
        "essential": False,
        "memory": 64,
        "logConfiguration": {"logDriver": "splunk", "options": {"splunk-url": "https://splunk.example:8088"}},
    }
    keep = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu", "memory")
    registered = ecs.register_task_definition(
        **{k: definition[k] for k in keep if k in definition}, containerDefinitions=[app_container, splunk]
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=registered)
    step = FIXED_NOW
    new: list[dict[str, Any]] = []
    for _ in range(8):
        step += timedelta(seconds=20)
        simulator.step(step)
        new = [t for t in running_tasks(emulator) if t["taskDefinitionArn"] == registered]
        if new:
            break
    assert new, "the simulator started no task of the new revision"
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=new[0]["taskArn"])
        note = shown(screen.query_one("#logs-note"))
        assert "This container has no log configuration." in note
        assert not screen.query_one("#pane-error").has_class("shown") and screen.error is None
        await pilot.press("c")
        await wait_until(pilot, lambda: screen.container == "shipper" and screen.loaded)
        assert "Logs go to Splunk (https://splunk.example:8088)." in shown(screen.query_one("#logs-note"))
        assert screen.error is None and screen.view.line_count == 0


async def test_access_denied_says_which_permission_and_the_lines_stay(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    task = running_tasks(emulator)[0]
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        held = screen.view.line_count
        assert held > 0
        for operation in ("GetLogEvents", "FilterLogEvents", "StartLiveTail"):
            emulator.faults.inject(operation, ACCESS_DENIED, rate=1.0, service="logs")
        screen.loaded = False
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.loaded and screen.error is not None, PATIENCE)
        banner = shown(screen.query_one("#pane-error"))
        assert "logs:GetLogEvents" in banner and "The lines already shown stay." in banner
        assert screen.view.line_count == held


async def test_a_stopped_task_shows_its_last_lines_and_is_not_followed(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    ecs = boto_client(emulator, "ecs")
    task = running_tasks(emulator)[0]
    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="test")
    for seconds in (10, 20, 30, 40):
        simulator.step(FIXED_NOW + timedelta(seconds=seconds))  # the task goes through STOPPING to STOPPED
    stopped = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"][0]
    assert stopped["lastStatus"] == "STOPPED"
    end = stopped["stoppedAt"]
    put_events(
        emulator,
        stream_of(task),
        (end - timedelta(seconds=1), "Error: boom"),
        (end - timedelta(milliseconds=900), "    at main (/app/index.js:1:1)"),
        (end - timedelta(milliseconds=800), "Node.js v20.11.1"),
    )
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        assert screen.stopped
        assert screen.view.lines[-1].message == "Node.js v20.11.1"
        # The cursor is on the line that says why, not on the trailer after it.
        cursor = screen.view.cursor_line
        assert cursor is not None and cursor.message == "Error: boom"
        assert screen.follow_handle is None and "task: its last lines, not followed" in header(screen)
        assert emulator.log.counts["StartLiveTail"] == 0


async def test_a_stopped_task_that_ecs_has_forgotten_still_shows_its_last_lines(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    from moto.ecs.models import ecs_backends

    ecs = boto_client(emulator, "ecs")
    task = running_tasks(emulator)[0]
    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="test")
    for seconds in (10, 20, 30, 40):
        simulator.step(FIXED_NOW + timedelta(seconds=seconds))
    end = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"][0]["stoppedAt"]
    put_events(emulator, stream_of(task), (end - timedelta(seconds=1), "Error: boom"))
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(pilot, lambda: loaded(app), PATIENCE)
        seen = await app.reader.task(CLUSTER, task["taskArn"])
        assert seen is not None and seen.last_status == "STOPPED"
        # ECS stops listing a stopped task (an hour on, or sooner under a crash loop's newer ones); its stream stays.
        with emulator.lock:
            for tasks in ecs_backends["123456789012"]["us-east-1"].tasks.values():
                tasks.pop(task["taskArn"], None)
        assert await app.reader.task(CLUSTER, task["taskArn"]) is None
        app.open_logs(CLUSTER, task_arn=task["taskArn"], seen_task=seen)
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.loaded, PATIENCE)
        screen = logs_screen(app)
        assert [line.message for line in screen.view.lines][-1:] == ["Error: boom"]
        assert "not found" not in shown(screen.query_one("#pane-error"))


# -- hostile lines -----------------------------------------------------------------------------------------------------


async def test_hostile_log_lines_are_drawn_inert(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    task = running_tasks(emulator)[0]
    hostile = (
        "\x1b]52;c;SE9TVElMRQ==\x07 \x1b]0;PWNED-TITLE\x07 \x1b[2J\x1b[31mred "
        "[link=https://evil.example]LINK[/link] [@click=app.quit]CLICK[/] \u202eexe\u200b"
    )
    put_events(emulator, stream_of(task), (FIXED_NOW - timedelta(seconds=5), hostile))
    app = make_app(demo_account)
    app.driver_class = RecordingDriver
    async with app.run_test(headless=False, size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        await pilot.pause()
        await pilot.pause()
        driver = app._driver
        assert isinstance(driver, RecordingDriver)
        written = driver.written_since(0)
        leaks = [what for what, marker in LEAK_MARKERS.items() if marker in written]
        assert not leaks
        rows = shown_rows(screen.view)
        assert any(
            "␛]52;c;SE9TVElMRQ==␇ ␛]0;PWNED-TITLE␇ ␛[2J␛[31mred [link=https://evil.example]LINK[/link]" in r
            for r in rows
        )
        assert any("[@click=app.quit]CLICK[/] ⟨U+202E⟩exe⟨U+200B⟩" in r for r in rows)
        await pilot.click(LogView, offset=(100, screen.view.size.height - 1))
        assert app.is_running and not app._exit


# -- the l key ---------------------------------------------------------------------------------------------------------


async def test_l_opens_the_logs_of_a_task_row_the_task_pane_a_service_row_and_the_service_view(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    app = make_app(shared_demo_account, cluster=CLUSTER)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(pilot, lambda: loaded(app), PATIENCE)
        services: Any = app.screen
        assert services.table.select_key(next(k for k, s in services.items.items() if s.name == SERVICE))
        await pilot.press("l")
        screen = await opened(pilot)
        assert screen.target == LogTarget(CLUSTER, service=SERVICE)
        await pilot.press("escape", "v")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ServiceDetailScreen" and loaded(app), PATIENCE)
        await pilot.press("l")
        assert (await opened(pilot)).target == LogTarget(CLUSTER, service=SERVICE)
        await pilot.press("escape", "t")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TasksScreen" and loaded(app), PATIENCE)
        tasks: Any = app.screen
        task_arn = tasks.selected.arn
        await pilot.press("l")
        assert (await opened(pilot)).target == LogTarget(CLUSTER, task_arn=task_arn)
        await pilot.press("escape", "enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TaskDetailScreen" and loaded(app), PATIENCE)
        await pilot.press("l")
        assert (await opened(pilot)).target == LogTarget(CLUSTER, task_arn=task_arn)


async def opened(pilot: Pilot[None]) -> LogsScreen:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.loaded, PATIENCE)
    return logs_screen(app)  # type: ignore[arg-type]


async def test_a_services_pane_follows_the_task_that_replaces_a_stopped_one(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LogsScreen, "sources_every", 0.5)
    before = running_tasks(emulator)
    clock = moving_clock()
    app = make_app(demo_account, clock=clock)
    app.logs.poll_interval = 0.2
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, service=SERVICE)
        await wait_until(pilot, lambda: screen.follow_handle is not None, PATIENCE)
        boto_client(emulator, "ecs").stop_task(cluster=CLUSTER, task=before[0]["taskArn"], reason="replaced")
        replacement: list[dict[str, Any]] = []
        for _ in range(20):
            simulator.step(clock())
            replacement = [t for t in running_tasks(emulator) if t["taskArn"] not in {b["taskArn"] for b in before}]
            if replacement:
                break
            await pilot.pause(0.2)
        assert replacement, "the simulator started no replacement"
        new_id = replacement[0]["taskArn"].rsplit("/", 1)[-1]
        put_events(emulator, stream_of(replacement[0]), (clock(), "the replacement speaks"))
        await wait_until(pilot, lambda: any(line.task_id == new_id for line in screen.view.lines), PATIENCE)
        assert any(line.message == "the replacement speaks" for line in screen.view.lines)
        assert max(Counter(line.identity for line in screen.view.lines).values()) == 1


async def test_a_preset_range_is_read_as_soon_as_it_is_chosen(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    task = running_tasks(emulator_server)[0]
    app = make_app(shared_demo_account)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LogRangeDialog))
        await pilot.pause()
        await pilot.press("up", "enter")  # from "Last hour" to "Last 5 minutes"
        await wait_until(pilot, lambda: app.screen is screen and screen.loaded, PATIENCE)
        assert screen.time_range.label == "last 5 min"
        starts = [call["startTime"] for call in emulator_server.log.calls("GetLogEvents") if "startTime" in call]
        assert starts[-1] == int((FIXED_NOW - timedelta(minutes=5)).timestamp() * 1000)


async def test_the_pane_reads_at_most_what_it_holds_in_bounded_pages_and_says_when_the_range_holds_more(
    demo_account: AwsTarget, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ecstui.ui.screens.logs as logs_module

    monkeypatch.setattr(logs_module, "READ_LIMIT", 4)
    task = running_tasks(emulator)[0]
    put_events(emulator, stream_of(task), *((FIXED_NOW - timedelta(seconds=60 - n), f"burst {n}") for n in range(30)))
    app = make_app(demo_account, log_lines=10)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_logs(pilot, task_arn=task["taskArn"])
        limits = [call["limit"] for call in emulator.log.calls("GetLogEvents") if call.get("startFromHead")]
        assert limits and max(limits) <= 4
        assert screen.view.line_count <= 10
        assert screen.truncated_at is not None and "more than 10 lines in the range" in header(screen)
