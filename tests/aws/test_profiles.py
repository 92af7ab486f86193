"""The profiles of the AWS config files as botocore reads them, with their kind and region; ECS's regions."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecstui.aws.profiles import Profile, ecs_regions, read_profiles
from ecstui.aws.session import AwsSession, AwsTarget
from tests.aws_files import aws_files

__all__ = ["aws_files"]


def test_every_profile_of_both_files_with_its_kind_and_region(aws_files: Path) -> None:
    assert read_profiles() == [
        Profile("default", "static", "us-east-1"),  # region from config, keys from credentials
        Profile("deployer", "assume-role", "eu-central-1"),
        Profile("keys-only", "static", "eu-west-1"),
        Profile("legacy-sso", "sso", None),
        Profile("on-ec2", "assume-role", None),
        Profile("sso-dev", "sso", "eu-west-1"),
        Profile("vault", "process", None),
    ]


def test_no_config_files_no_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-credentials"))
    assert read_profiles() == []


def test_regions_where_ecs_runs_the_current_one_first() -> None:
    regions = ecs_regions("eu-west-1")
    assert regions[0] == "eu-west-1"
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(regions)
    assert len(regions) == len(set(regions))


@pytest.mark.parametrize("profile", ["sso-dev", "legacy-sso"])
async def test_an_sso_profile_without_a_session_says_how_to_renew_it(aws_files: Path, profile: str) -> None:
    session = AwsSession(AwsTarget(profile=profile, region="us-east-1"))
    problem = await session.credentials_problem()
    await session.close()
    assert problem == f"The SSO session of profile {profile} has expired: run `aws sso login --profile {profile}`."


async def test_static_keys_have_no_problem(aws_files: Path) -> None:
    session = AwsSession(AwsTarget(profile="keys-only", region="us-east-1"))
    assert await session.credentials_problem() is None
    await session.close()


async def test_a_profile_that_does_not_exist_is_said(aws_files: Path) -> None:
    session = AwsSession(AwsTarget(profile="nope", region="us-east-1"))
    problem = await session.credentials_problem()
    assert problem is not None and "nope" in problem
