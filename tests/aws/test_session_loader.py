"""Every session of the process reads botocore's service models once (a new session would parse them again)."""

from __future__ import annotations

import pytest

from ecstui.aws.session import AwsSession, AwsTarget


def test_sessions_share_one_data_loader() -> None:
    first = AwsSession(AwsTarget(region="us-east-1"))
    second = AwsSession(AwsTarget(region="eu-west-1", endpoint_url="http://127.0.0.1:1"))
    loader = first._session.get_component("data_loader")
    assert second._session.get_component("data_loader") is loader


async def test_a_missing_profile_is_still_reported_where_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    session = AwsSession(AwsTarget(profile="no-such-profile-here", region="us-east-1"))
    problem = await session.missing_configuration()
    assert problem is not None and "no-such-profile-here" in problem


async def test_only_an_https_endpoint_has_its_certificate_checked() -> None:
    """The demo's plain-HTTP emulator has no certificate: its clients load no CA bundle. AWS's keep the check."""
    local = AwsSession(AwsTarget(region="us-east-1", endpoint_url="http://127.0.0.1:1"))
    aws = AwsSession(AwsTarget(region="us-east-1"))
    try:
        local_ecs, aws_ecs = await local.ecs(), await aws.ecs()  # building a client sends nothing
        assert local_ecs._endpoint.http_session._verify is False
        assert aws_ecs._endpoint.http_session._verify not in (False, None)
    finally:
        await local.close()
        await aws.close()
