"""The `:profile` and `:region` pickers over the clusters pane, at 160x45 and 80x24.

Update after an intended change with `pytest tests/snapshots --snapshot-update`, and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecstui.aws.session import AwsTarget
from tests.snapshots.test_snapshots import SnapCompare, press, snap_at
from tests.ui.conftest import make_app

CONFIG = """
[default]
region = us-east-1

[profile platform-sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-1

[profile deployer]
role_arn = arn:aws:iam::444455556666:role/deploy
source_profile = default
region = eu-central-1

[profile vault]
credential_process = /usr/local/bin/vault-aws

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""


@pytest.fixture
def aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").write_text(CONFIG)
    (tmp_path / "credentials").write_text("[default]\naws_access_key_id = a\naws_secret_access_key = b\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


def test_profile_picker(
    snap_compare: SnapCompare, shared_demo_account: AwsTarget, aws_config: None, size: tuple[int, int]
) -> None:
    snap_at(snap_compare, size, make_app(shared_demo_account), press("colon", *"profile", "enter"))


def test_region_picker(snap_compare: SnapCompare, shared_demo_account: AwsTarget, size: tuple[int, int]) -> None:
    snap_at(snap_compare, size, make_app(shared_demo_account), press("colon", *"region", "enter"), press(*"eu"))
