"""The limits layer refuses CloudWatch Logs reads that real AWS refuses (moto accepts them)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecstui.emulator.server import EmulatorServer
from tests.conftest import boto_client


@pytest.mark.parametrize(
    ("operation", "request_fields"),
    [
        ("get_log_events", {"logGroupName": "/ecs/web", "logStreamName": "s", "limit": 10_001}),
        ("filter_log_events", {"logGroupName": "/ecs/web", "limit": 10_001}),
        ("filter_log_events", {"logGroupName": "/ecs/web", "logStreamNames": [f"s{n}" for n in range(101)]}),
        ("filter_log_events", {"logGroupName": "/ecs/web", "logStreamNames": ["s"], "logStreamNamePrefix": "s"}),
    ],
)
def test_oversize_log_reads_are_refused(emulator: EmulatorServer, operation: str, request_fields: Any) -> None:
    logs = boto_client(emulator, "logs")
    logs.create_log_group(logGroupName="/ecs/web")
    with pytest.raises(ClientError) as raised:
        getattr(logs, operation)(**request_fields)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert emulator.log.violations


def test_a_live_tail_of_more_than_ten_groups_is_refused(emulator: EmulatorServer) -> None:
    import asyncio

    from ecstui.aws.session import AwsSession, AwsTarget

    async def tail() -> None:
        async with AwsSession(AwsTarget(region="us-east-1", endpoint_url=emulator.endpoint_url)) as session:
            logs = await session.logs()
            groups = [f"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/g{n}" for n in range(11)]
            await logs.start_live_tail(logGroupIdentifiers=groups)

    with pytest.raises(ClientError) as raised:
        asyncio.run(tail())
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert emulator.log.violations == [
        "StartLiveTail with logGroupIdentifiers="
        + repr([f"arn:aws:logs:us-east-1:123456789012:log-group:/ecs/g{n}" for n in range(11)])[:60]
        + " (Member must have length between 1 and 10)"
    ]


def test_a_burst_of_log_reads_beyond_the_quota_is_throttled(emulator: EmulatorServer) -> None:
    import boto3
    from botocore.config import Config

    logs = boto3.client(
        "logs",
        endpoint_url=emulator.endpoint_url,
        region_name="us-east-1",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    logs.create_log_group(logGroupName="/ecs/web")
    logs.create_log_stream(logGroupName="/ecs/web", logStreamName="s")
    emulator.faults.set_throttling(True)
    try:
        codes = []
        for _ in range(200):  # GetLogEvents: 25 a second; even a slow machine empties the bucket
            try:
                logs.get_log_events(logGroupName="/ecs/web", logStreamName="s")
                codes.append(None)
            except ClientError as exc:
                codes.append(exc.response["Error"]["Code"])
    finally:
        emulator.faults.reset()
    assert codes.index("ThrottlingException") >= 25 and set(codes) == {None, "ThrottlingException"}
