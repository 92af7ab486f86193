"""Every failure of a read reaches the caller as an AwsError that says what went wrong."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from aiobotocore.config import AioConfig

from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.load_balancing import LoadBalancingReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import AwsErrorSpec
from ecstui.emulator.server import EmulatorServer


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens here once the probe is closed


def _impatient(session: AwsSession) -> AwsSession:
    # AwsTarget has no retry or timeout settings; the session's own (4 attempts with backoff) would make this
    # test take seconds, so the clients it creates get one attempt and a short connect timeout instead.
    session._config = session._config.merge(AioConfig(retries={"total_max_attempts": 1}, connect_timeout=1))
    return session


async def test_an_unreachable_endpoint_is_a_readable_unreachable_error_quickly() -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    async with _impatient(AwsSession(AwsTarget(region="us-east-1", endpoint_url=endpoint))) as session:
        reader = EcsReader(session)
        with pytest.raises(AwsError) as caught:
            await reader.clusters()
        with pytest.raises(AwsError) as caught_describe:
            await reader.describe_services("prod", ["web"])

    assert time.monotonic() - started < 5
    for error in (caught.value, caught_describe.value):
        assert error.kind == "unreachable" and error.retryable
        assert endpoint in error.message
        assert type(error) is AwsError  # not a botocore or aiohttp exception
    assert caught.value.__cause__ is not None  # the original is kept for debugging


async def test_a_streamed_read_fails_as_an_aws_error_too() -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    async with _impatient(AwsSession(AwsTarget(region="us-east-1", endpoint_url=endpoint))) as session:
        with pytest.raises(AwsError) as caught:
            async for _batch in EcsReader(session).stream_services("prod", ["a", "b"]):
                pass
    assert caught.value.kind == "unreachable"


async def test_a_missing_cluster_is_none_for_one_thing_and_a_named_not_found_error_for_a_list(
    target: AwsTarget,
) -> None:
    async with AwsSession(target) as session:
        reader = EcsReader(session)
        assert await reader.service("ghost", "web") is None
        assert await reader.task("ghost", "arn:aws:ecs:us-east-1:123456789012:task/ghost/abc") is None
        for read in (reader.services, reader.service_arns, reader.tasks):
            with pytest.raises(AwsError) as caught:
                await read("ghost")
            assert (caught.value.kind, caught.value.code) == ("not_found", "ClusterNotFoundException")
            assert "ghost" in caught.value.message


async def test_a_server_failure_is_an_aws_error_of_kind_server(
    ecs: Any, emulator: EmulatorServer, target: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    ecs.create_cluster(clusterName="prod")
    monkeypatch.setattr(EC2ContainerServiceBackend, "list_services", broken)
    async with AwsSession(target) as session:
        session._config = session._config.merge(AioConfig(retries={"total_max_attempts": 1}))
        with pytest.raises(AwsError) as caught:
            await EcsReader(session).services("prod")
    assert caught.value.kind == "server"


@pytest.fixture
def ops_profile(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """A named profile with (fake) keys of its own, as an operator's ~/.aws would have."""
    (tmp_path / "config").write_text("[profile ops]\nregion = us-east-1\n")
    (tmp_path / "credentials").write_text("[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return "ops"


@pytest.mark.parametrize(
    ("service", "operation", "code"),
    [
        ("ecs", "ListClusters", "ExpiredTokenException"),
        ("ecs", "ListClusters", "ExpiredToken"),
        ("ecs", "ListClusters", "RequestExpired"),
        ("elasticloadbalancing", "DescribeTargetGroups", "ExpiredToken"),
    ],
)
async def test_expired_credentials_are_said_as_such_with_how_to_refresh_them_for_the_profile_in_use(
    emulator: EmulatorServer, ops_profile: str, service: str, operation: str, code: str
) -> None:
    emulator.faults.inject(
        operation,
        AwsErrorSpec(400, code, "The security token included in the request is expired"),
        rate=1.0,
        service=service,
    )
    target = AwsTarget(profile=ops_profile, region="us-east-1", endpoint_url=emulator.endpoint_url)
    async with AwsSession(target) as session:
        with pytest.raises(AwsError) as caught:
            if service == "ecs":
                await EcsReader(session).clusters()
            else:
                await LoadBalancingReader(session).all_target_groups()

    error = caught.value
    assert error.kind == "credentials" and error.code == code
    assert error.message.startswith(f"The AWS credentials of profile ops have expired ({operation}: {code}).")
    assert "`aws sso login --profile ops`" in error.message
    assert "IAM" not in error.message and "denied" not in error.message.lower()


@pytest.mark.parametrize("code", ["InvalidClientTokenId", "UnrecognizedClientException"])
@pytest.mark.parametrize("temporary", [True, False])
async def test_credentials_aws_does_not_recognise_are_expired_when_temporary_and_never_a_permissions_problem(
    emulator: EmulatorServer, ops_profile: str, tmp_path: Any, code: str, temporary: bool
) -> None:
    keys = "[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    (tmp_path / "credentials").write_text(keys + ("aws_session_token = testing\n" if temporary else ""))
    emulator.faults.inject(
        "ListClusters", AwsErrorSpec(403, code, "The security token included in the request is invalid."), rate=1.0
    )
    target = AwsTarget(profile=ops_profile, region="us-east-1", endpoint_url=emulator.endpoint_url)
    async with AwsSession(target) as session:
        with pytest.raises(AwsError) as caught:
            await EcsReader(session).clusters()
    error = caught.value
    assert error.kind == "credentials"
    if temporary:  # a session token AWS does not know has expired
        assert error.message == (
            f"The temporary AWS credentials of profile ops have expired (ListClusters: {code}). Refresh them: "
            "`aws sso login --profile ops` (or refresh the profile's role or keys), then ctrl+r."
        )
    else:
        assert error.message.startswith(f"AWS did not recognise the access key of profile ops (ListClusters: {code}")
        assert "`aws sts get-caller-identity --profile ops`" in error.message
    assert "IAM permission" not in error.message


async def test_access_denied_names_the_iam_permission_the_call_needs(
    emulator: EmulatorServer, target: AwsTarget
) -> None:
    emulator.faults.inject(
        "DescribeTargetGroups",
        AwsErrorSpec(403, "AccessDenied", "User is not authorized"),
        rate=1.0,
        service="elasticloadbalancing",
    )
    async with AwsSession(target) as session:
        with pytest.raises(AwsError) as caught:
            await LoadBalancingReader(session).all_target_groups()
    assert caught.value.kind == "denied"
    assert caught.value.message == (
        "Access denied for DescribeTargetGroups: User is not authorized. "
        "This profile needs the IAM permission elasticloadbalancing:DescribeTargetGroups."
    )
