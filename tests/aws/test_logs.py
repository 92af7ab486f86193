"""LogReader against the emulator: each task's own stream, merged service reads, filter patterns, follow without
repeats across reconnects, and each error in one sentence."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ecstui.aws.errors import AwsError
from ecstui.aws.log_follow import LogFollow
from ecstui.aws.logs import LogLine, LogReader, LogSource
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import ACCESS_DENIED, THROTTLING
from ecstui.emulator.server import EmulatorServer
from tests.conftest import boto_client

GROUP = "/ecs/web"
ACCOUNT = "123456789012"
# moto keeps only events of the last 14 days: these tests write around the real clock.
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)


def source(task_id: str, container: str = "web", group: str = GROUP) -> LogSource:
    return LogSource(
        container,
        task_id,
        "awslogs",
        group,
        f"ecs/{container}/{task_id}",
        "us-east-1",
        group_arn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}",
    )


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Writer:
    """Writes events into the emulator's log streams over HTTP, as the awslogs driver would."""

    def __init__(self, emulator: EmulatorServer) -> None:
        self.logs = boto_client(emulator, "logs")
        self.groups: set[str] = set()

    def put(self, src: LogSource, *events: tuple[datetime, str]) -> None:
        assert src.group and src.stream
        if src.group not in self.groups:
            self.logs.create_log_group(logGroupName=src.group)
            self.groups.add(src.group)
        with contextlib.suppress(self.logs.exceptions.ResourceAlreadyExistsException):
            self.logs.create_log_stream(logGroupName=src.group, logStreamName=src.stream)
        self.logs.put_log_events(
            logGroupName=src.group,
            logStreamName=src.stream,
            logEvents=[{"timestamp": ms(at), "message": message} for at, message in events],
        )


@pytest.fixture
def writer(emulator: EmulatorServer) -> Writer:
    return Writer(emulator)


async def _read(target: AwsTarget, sources: list[LogSource], **kwargs: Any) -> list[LogLine]:
    async with AwsSession(target) as session:
        return await LogReader(session).read(sources, **kwargs)


async def test_a_task_reads_its_own_stream_never_the_group_newest(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer
) -> None:
    mine, other = source("aaaa1111"), source("bbbb2222")
    writer.put(mine, (NOW, "mine 1"), (NOW + timedelta(seconds=1), "mine 2"))
    writer.put(other, (NOW + timedelta(seconds=5), "other, newer"))
    emulator.log.clear()
    lines = await _read(target, [mine], start=NOW - timedelta(minutes=5), end=None)
    assert [line.message for line in lines] == ["mine 1", "mine 2"]
    assert {line.task_id for line in lines} == {"aaaa1111"}
    calls = emulator.log.calls("GetLogEvents")
    assert calls and all(call["logStreamName"] == "ecs/web/aaaa1111" for call in calls)
    assert calls[0]["startFromHead"] is True and calls[0]["startTime"] == ms(NOW - timedelta(minutes=5))
    assert len({line.event_id for line in lines}) == 2


async def test_a_stream_longer_than_one_call_is_paged_with_the_forward_token(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer
) -> None:
    mine = source("aaaa1111")
    for batch in range(3):  # PutLogEvents takes 10,000 events at most
        writer.put(mine, *((NOW + timedelta(milliseconds=batch * 5000 + i), f"{batch}-{i}") for i in range(5000)))
    emulator.log.clear()
    lines = await _read(target, [mine], start=NOW, end=None, limit=12_000)
    assert len(lines) == 12_000 and lines[-1].message == "2-1999"
    limits = [call["limit"] for call in emulator.log.calls("GetLogEvents")]
    assert limits == [10_000, 2_000] and not emulator.log.violations


async def test_a_service_merges_its_tasks_streams_in_time_order_100_streams_a_call(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer
) -> None:
    sources = [source(f"{n:08x}") for n in range(130)]
    for n, src in enumerate(sources):
        writer.put(src, (NOW + timedelta(seconds=130 - n), f"task {n}"))
    writer.put(source("ffffffff"), (NOW, "not one of the service's tasks"))
    emulator.log.clear()
    lines = await _read(target, sources, start=NOW - timedelta(minutes=1), end=None)
    assert [line.message for line in lines] == [f"task {n}" for n in reversed(range(130))]
    assert [line.timestamp for line in lines] == sorted(line.timestamp for line in lines)
    assert lines[0].task_id == f"{129:08x}"
    calls = emulator.log.calls("FilterLogEvents")
    assert [len(call["logStreamNames"]) for call in calls] == [100, 30]
    assert not emulator.log.violations


async def test_a_filter_pattern_is_sent_to_aws(target: AwsTarget, writer: Writer, emulator: EmulatorServer) -> None:
    mine = source("aaaa1111")
    writer.put(mine, (NOW, "GET /healthz 200"), (NOW + timedelta(seconds=1), "ERROR database timeout"))
    emulator.log.clear()
    lines = await _read(target, [mine], start=NOW, end=None, pattern="ERROR")
    assert [line.message for line in lines] == ["ERROR database timeout"]
    assert emulator.log.calls("FilterLogEvents")[0]["filterPattern"] == "ERROR"


async def test_a_container_without_log_configuration_reads_nothing_and_sends_nothing(
    target: AwsTarget, emulator: EmulatorServer
) -> None:
    none = LogSource("web", "aaaa1111", None, where="This container has no log configuration.")
    assert not none.readable
    emulator.log.clear()
    assert await _read(target, [none], start=None, end=None) == []
    assert not emulator.log.bodies


@pytest.mark.parametrize(
    ("operation", "pattern", "permission"),
    [("GetLogEvents", None, "logs:GetLogEvents"), ("FilterLogEvents", "ERROR", "logs:FilterLogEvents")],
)
async def test_access_denied_names_the_permission(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer, operation: str, pattern: str | None, permission: str
) -> None:
    mine = source("aaaa1111")
    writer.put(mine, (NOW, "hello"))
    emulator.faults.inject(operation, ACCESS_DENIED, count=1, service="logs")
    with pytest.raises(AwsError) as raised:
        await _read(target, [mine], start=NOW, end=None, pattern=pattern)
    assert raised.value.kind == "denied" and permission in raised.value.message


async def test_a_missing_group_says_why_in_one_sentence(target: AwsTarget) -> None:
    with pytest.raises(AwsError) as raised:
        await _read(target, [source("aaaa1111", group="/ecs/x")], start=None, end=None)
    assert raised.value.message == (
        "The log group /ecs/x does not exist in us-east-1: the container may never have started, "
        "or awslogs-create-group is off."
    )


async def test_throttling_that_outlasts_the_retries_is_one_sentence(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer
) -> None:
    mine = source("aaaa1111")
    writer.put(mine, (NOW, "hello"))
    emulator.faults.inject("GetLogEvents", THROTTLING, count=4, service="logs")
    with pytest.raises(AwsError) as raised:
        await _read(target, [mine], start=NOW, end=None)
    assert raised.value.kind == "throttled"
    assert raised.value.message == "AWS is throttling GetLogEvents (ThrottlingException); ecstui backs off and retries."


async def _collect(follow: LogFollow, want: int, between: Callable[[int], None]) -> list[LogLine]:
    """Iterate until `want` lines arrived; `between(n)` runs after each batch (n: batches so far)."""
    got: list[LogLine] = []

    async def run() -> None:
        batches = 0
        async for batch in follow:
            got.extend(batch)
            batches += 1
            between(batches)
            if len(got) >= want:
                return

    try:
        await asyncio.wait_for(run(), 60.0)  # generous: the machine is loaded
    finally:
        await follow.close()
    return got


def _writes(writer: Writer, src: LogSource, start: int) -> Callable[[int], None]:
    def write(batch: int) -> None:
        if batch <= 3:  # three more writes of two lines, each after a batch arrived
            n = start + 2 * (batch - 1)
            at = NOW + timedelta(seconds=n)
            writer.put(src, (at, f"line {n}"), (at, f"line {n + 1}"))

    return write


@pytest.mark.parametrize("pattern", [None, "line"])
async def test_polling_hands_out_every_line_once(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer, pattern: str | None
) -> None:
    mine = source("aaaa1111")
    writer.put(mine, (NOW, "line 0"), (NOW, "line 1"))
    async with AwsSession(target) as session:
        reader = LogReader(session, poll_interval=0.05, live_tail=False)
        follow = reader.follow([mine], start=NOW - timedelta(minutes=1), pattern=pattern)
        lines = await _collect(follow, 8, _writes(writer, mine, 2))
    assert follow.mode == "polling"
    assert [line.message for line in lines] == [f"line {n}" for n in range(8)]
    operation = "FilterLogEvents" if pattern else "GetLogEvents"
    assert emulator.log.calls(operation) and not emulator.log.calls("StartLiveTail")


async def test_live_tail_reconnects_without_repeating_or_losing_a_line(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer
) -> None:
    # The emulator's StartLiveTail sends everything in one update and ends the stream: each end is a reconnect.
    mine, sibling = source("aaaa1111"), source("bbbb2222")
    writer.put(mine, (NOW, "line 0"), (NOW, "line 1"))
    writer.put(source("cccc3333"), (NOW, "another task's line"))
    writes = _writes(writer, mine, 2)
    async with AwsSession(target) as session:
        follow = LogReader(session, poll_interval=0.05).follow([mine, sibling], start=NOW - timedelta(minutes=1))
        lines = await _collect(follow, 8, writes)
    assert follow.mode == "live tail" and follow.reconnects >= 1
    assert [line.message for line in lines] == [f"line {n}" for n in range(8)]
    assert Counter(line.event_id for line in lines).most_common(1)[0][1] == 1
    tails = emulator.log.calls("StartLiveTail")
    assert tails and tails[0]["logStreamNames"] == ["ecs/web/aaaa1111", "ecs/web/bbbb2222"]


async def test_live_tail_denied_falls_back_to_polling(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer
) -> None:
    mine = source("aaaa1111")
    writer.put(mine, (NOW, "line 0"), (NOW, "line 1"))
    emulator.faults.inject("StartLiveTail", ACCESS_DENIED, count=1, service="logs")
    async with AwsSession(target) as session:
        follow = LogReader(session, poll_interval=0.05).follow([mine], start=NOW - timedelta(minutes=1))
        lines = await _collect(follow, 8, _writes(writer, mine, 2))
    assert follow.mode == "polling" and follow.note and "logs:StartLiveTail" in follow.note
    assert [line.message for line in lines] == [f"line {n}" for n in range(8)]


async def test_following_backs_off_on_throttling_and_goes_on(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer
) -> None:
    mine = source("aaaa1111")
    writer.put(mine, (NOW, "line 0"), (NOW, "line 1"))
    async with AwsSession(target) as session:
        follow = LogReader(session, poll_interval=0.05, live_tail=False).follow([mine], start=NOW - timedelta(1))
        throttled = False

        def throttle_then_write(batch: int) -> None:
            nonlocal throttled
            if batch == 1:
                emulator.faults.inject("GetLogEvents", THROTTLING, count=4, service="logs")
                throttled = True
            _writes(writer, mine, 2)(batch)

        lines = await _collect(follow, 8, throttle_then_write)
    assert throttled and [line.message for line in lines] == [f"line {n}" for n in range(8)]
    assert emulator.faults.log.injected["GetLogEvents"] == 4


async def test_a_container_logging_to_another_region_is_read_there(target: AwsTarget, emulator: EmulatorServer) -> None:
    import boto3

    logs = boto3.client("logs", endpoint_url=emulator.endpoint_url, region_name="eu-west-1")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="ecs/web/aaaa1111")
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="ecs/web/aaaa1111",
        logEvents=[{"timestamp": ms(NOW), "message": "from Ireland"}],
    )
    there = LogSource("web", "aaaa1111", "awslogs", GROUP, "ecs/web/aaaa1111", "eu-west-1")
    assert [line.message for line in await _read(target, [there], start=None, end=None)] == ["from Ireland"]
    with pytest.raises(AwsError) as raised:  # the session's own region has no such group
        await _read(target, [source("aaaa1111")], start=None, end=None)
    assert raised.value.kind == "not_found"


@pytest.mark.parametrize("live_tail", [True, False])
async def test_following_from_now_hands_out_only_what_is_written_after(
    target: AwsTarget, writer: Writer, emulator: EmulatorServer, live_tail: bool
) -> None:
    mine = source("aaaa1111")
    writer.put(mine, (NOW - timedelta(minutes=1), "history"))
    emulator.log.clear()
    async with AwsSession(target) as session:
        reader = LogReader(session, poll_interval=0.05, live_tail=live_tail, clock=lambda: NOW)
        follow = reader.follow([mine], start=None)
        collecting = asyncio.create_task(_collect(follow, 6, _writes(writer, mine, 2)))
        first = "FilterLogEvents" if live_tail else "GetLogEvents"  # the follow has found where "now" is
        async with asyncio.timeout(60):
            while not emulator.log.calls(first):  # noqa: ASYNC110 (the log is filled on the server thread)
                await asyncio.sleep(0.02)
        writer.put(mine, (NOW, "line 0"), (NOW, "line 1"))
        lines = await collecting
    assert [line.message for line in lines] == [f"line {n}" for n in range(6)]
