"""The emulator's CloudWatch Logs: the 14 days judged on its own clock, streams bounded without breaking a
poller's tokens, FilterLogEvents interleaved, StartLiveTail on the group its ARN names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ecstui.emulator import log_sim
from ecstui.emulator.server import EmulatorServer
from tests.conftest import boto_client
from tests.demo_account import FIXED_NOW, REGION, wall_clock_at


def _messages(answer: dict[str, Any]) -> list[str]:
    return [event["message"] for event in answer["events"]]


def test_events_are_judged_old_on_the_emulators_clock_not_the_machines(emulator: EmulatorServer) -> None:
    logs = boto_client(emulator, "logs")
    logs.create_log_group(logGroupName="/ecs/web")
    logs.create_log_stream(logGroupName="/ecs/web", logStreamName="s")
    long_ago = FIXED_NOW - timedelta(days=40)  # older than 14 days by the machine's clock, whatever its date
    with wall_clock_at(long_ago + timedelta(minutes=1)):
        logs.put_log_events(
            logGroupName="/ecs/web",
            logStreamName="s",
            logEvents=[{"timestamp": int(long_ago.timestamp() * 1000), "message": "then"}],
        )
    # The simulator writes at its own now, even when the machine's clock is weeks past it.
    with wall_clock_at(FIXED_NOW + timedelta(days=30)), emulator.lock:
        log_sim.write(REGION, "/ecs/web", "s", FIXED_NOW, ["now"])
    answer = logs.get_log_events(logGroupName="/ecs/web", logStreamName="s", startFromHead=True)
    assert _messages(answer) == ["then", "now"]


def test_a_poller_neither_skips_nor_repeats_while_the_stream_is_trimmed(emulator: EmulatorServer) -> None:
    logs = boto_client(emulator, "logs")
    with emulator.lock:
        log_sim.write(REGION, "/ecs/web", "s", FIXED_NOW, [f"a{n}" for n in range(1_900)])
    first = logs.get_log_events(logGroupName="/ecs/web", logStreamName="s", startFromHead=True)
    token = first["nextForwardToken"]
    with emulator.lock:  # past MAX_EVENTS: the oldest go
        log_sim.write(REGION, "/ecs/web", "s", FIXED_NOW + timedelta(seconds=5), [f"b{n}" for n in range(200)])
    second = logs.get_log_events(logGroupName="/ecs/web", logStreamName="s", nextToken=token)
    assert _messages(second) == [f"b{n}" for n in range(200)]
    third = logs.get_log_events(logGroupName="/ecs/web", logStreamName="s", nextToken=second["nextForwardToken"])
    assert third["events"] == [] and third["nextForwardToken"] == second["nextForwardToken"]
    assert len(emulator_events(emulator)) == log_sim.KEEP_EVENTS


def emulator_events(emulator: EmulatorServer) -> list[Any]:
    from moto.logs.models import logs_backends

    with emulator.lock:
        return list(logs_backends["123456789012"][REGION].groups["/ecs/web"].streams["s"].events)


def test_filter_log_events_interleaves_streams_by_time(emulator: EmulatorServer) -> None:
    with emulator.lock:
        log_sim.write(REGION, "/ecs/web", "a", FIXED_NOW + timedelta(seconds=2), ["a late"])
        log_sim.write(REGION, "/ecs/web", "a", FIXED_NOW + timedelta(seconds=3), ["a later"])
        log_sim.write(REGION, "/ecs/web", "b", FIXED_NOW, ["b early"])
    answer = boto_client(emulator, "logs").filter_log_events(logGroupName="/ecs/web", logStreamNames=["a", "b"])
    assert _messages(answer) == ["b early", "a late", "a later"]


def test_a_live_tail_reads_the_group_its_arn_names(emulator: EmulatorServer) -> None:
    with emulator.lock:
        log_sim.write(REGION, "/ecs/web", "s", FIXED_NOW, ["web"])
        log_sim.write(REGION, "/ecs/api", "s", FIXED_NOW, ["api"])
    import boto3
    from botocore.config import Config

    # Local endpoints cannot take StartLiveTail's host prefix ("stream-").
    logs = boto3.client(
        "logs", endpoint_url=emulator.endpoint_url, region_name=REGION, config=Config(inject_host_prefix=False)
    )
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web"
    answer = logs.start_live_tail(logGroupIdentifiers=[arn], logStreamNames=["s"])
    results = [
        r for event in answer["responseStream"] for r in event.get("sessionUpdate", {}).get("sessionResults", [])
    ]
    assert [r["message"] for r in results] == ["web"]


def test_a_group_keeps_its_most_recently_written_streams(emulator: EmulatorServer) -> None:
    with emulator.lock:
        for n in range(log_sim.MAX_STREAMS + 1):
            log_sim.write(REGION, "/ecs/web", f"s{n}", FIXED_NOW + timedelta(seconds=n), ["x"])
        log_sim.write(REGION, "/ecs/web", "newest", FIXED_NOW + timedelta(hours=1), ["y"])
    names = {s["logStreamName"] for s in _all_streams(emulator)}
    assert len(names) == log_sim.KEEP_STREAMS + 1 and "newest" in names and "s0" not in names
    assert f"s{log_sim.MAX_STREAMS}" in names


def _all_streams(emulator: EmulatorServer) -> list[dict[str, Any]]:
    logs = boto_client(emulator, "logs")
    return [
        s
        for page in logs.get_paginator("describe_log_streams").paginate(logGroupName="/ecs/web")
        for s in page["logStreams"]
    ]


def test_a_task_that_starts_and_crashes_in_one_instant_reads_its_lines_in_the_order_it_wrote_them(
    emulator: EmulatorServer,
) -> None:
    # On a slow machine the simulator's steps run back to back: the crash's last words, stamped just before `now`,
    # would otherwise land among the start lines written a few milliseconds earlier.
    with emulator.lock:
        log_sim.write(REGION, "/ecs/mailer", "s", FIXED_NOW, log_sim.node_start("mailer"))
        crash = log_sim.node_missing_module()
        log_sim.write(REGION, "/ecs/mailer", "s", FIXED_NOW + timedelta(milliseconds=5 - len(crash)), crash)
    logs = boto_client(emulator, "logs")
    answer = logs.get_log_events(logGroupName="/ecs/mailer", logStreamName="s", startFromHead=True)
    assert _messages(answer) == log_sim.node_start("mailer") + crash
    stamps = [event["timestamp"] for event in answer["events"]]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
