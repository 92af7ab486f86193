"""The account of a session: its id from STS, its alias from IAM, read once; a failure says "account ?"."""

from __future__ import annotations

from ecstui.aws.account import Account, AccountReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import ACCESS_DENIED
from ecstui.emulator.server import EmulatorServer
from tests.conftest import boto_client


async def test_the_account_id_and_its_alias(target: AwsTarget, emulator: EmulatorServer) -> None:
    boto_client(emulator, "iam").create_account_alias(AccountAlias="acme-prod")
    async with AwsSession(target) as session:
        account = await AccountReader(session).read()
    assert account == Account("123456789012", "acme-prod")
    assert account.label == "account 123456789012 (acme-prod)"


async def test_read_once_then_kept(target: AwsTarget, emulator: EmulatorServer) -> None:
    async with AwsSession(target) as session:
        reader = AccountReader(session)
        assert reader.known is None
        first = await reader.read()
        sent = session.stats.total
        assert await reader.read() is first
        assert session.stats.total == sent
    assert first.label == "account 123456789012"  # no alias set: the id alone


async def test_denied_says_account_unknown_and_raises_nothing(target: AwsTarget, emulator: EmulatorServer) -> None:
    emulator.faults.inject("GetCallerIdentity", ACCESS_DENIED, rate=1.0, service="sts")
    emulator.faults.inject("ListAccountAliases", ACCESS_DENIED, rate=1.0, service="iam")
    async with AwsSession(target) as session:
        account = await AccountReader(session).read()
    assert account == Account(None, None)
    assert account.label == "account ?"


async def test_the_id_without_the_alias_when_iam_is_denied(target: AwsTarget, emulator: EmulatorServer) -> None:
    emulator.faults.inject("ListAccountAliases", ACCESS_DENIED, rate=1.0, service="iam")
    async with AwsSession(target) as session:
        account = await AccountReader(session).read()
    assert account.label == "account 123456789012"
