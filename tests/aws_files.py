"""AWS config and credentials files of every kind of profile, written for one test (AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE point at them; HOME too, so that no SSO token cache of the machine's is read)."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFIG = """
[default]
region = us-east-1

[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-1

[profile legacy-sso]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Admin

[profile deployer]
role_arn = arn:aws:iam::444455556666:role/deploy
source_profile = default
region = eu-central-1

[profile on-ec2]
role_arn = arn:aws:iam::444455556666:role/ops
credential_source = Ec2InstanceMetadata

[profile vault]
credential_process = /usr/local/bin/vault-aws

[profile keys-only]
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""

CREDENTIALS = """
[default]
aws_access_key_id = testing
aws_secret_access_key = testing

[keys-only]
aws_access_key_id = testing
aws_secret_access_key = testing
"""


@pytest.fixture
def aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config").write_text(CONFIG)
    (tmp_path / "credentials").write_text(CREDENTIALS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path
