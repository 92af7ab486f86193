"""RoleReader and RoleActions: the roles ECS tasks may assume, the execution role, and creating ecsTaskExecutionRole."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from ecstui.aws.actions import UncertainOutcome
from ecstui.aws.audit import OK, AuditLog
from ecstui.aws.errors import AwsError, ReadOnlyError
from ecstui.aws.iam_roles import (
    EXECUTION_ROLE_NAME,
    EXECUTION_ROLE_POLICY_ARN,
    LIST_ROLES_PAGE,
    RoleActions,
    RoleReader,
    trusts,
)
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import AwsErrorSpec, DropAfterApplying, MalformedAnswer
from ecstui.emulator.server import EmulatorServer
from tests.conftest import boto_client


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _trust(*services: str, action: Any = "sts:AssumeRole") -> str:
    principal: Any = services[0] if len(services) == 1 else list(services)
    statement = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": action}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def iam(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "iam")


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


@pytest.fixture
async def session(target: AwsTarget) -> AsyncIterator[AwsSession]:
    async with AwsSession(target) as session:
        yield session


@pytest.fixture
def many_roles(iam: Any) -> set[str]:
    """150 roles: every fifth trusts ECS tasks (some with a list of principals), the rest Lambda or EC2."""
    trusting = set()
    for i in range(150):
        name = f"role-{i:03d}"
        if i % 5 == 0:
            document = (
                _trust("ecs-tasks.amazonaws.com") if i % 10 else _trust("ec2.amazonaws.com", "ecs-tasks.amazonaws.com")
            )
            trusting.add(name)
        else:
            document = _trust("lambda.amazonaws.com" if i % 2 else "ec2.amazonaws.com")
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)
    return trusting


async def test_task_roles_are_the_roles_trusting_ecs_tasks_read_over_every_page_of_list_roles(
    session: AwsSession, emulator: EmulatorServer, many_roles: set[str]
) -> None:
    emulator.log.clear()
    roles = await RoleReader(session, page_size=100).task_roles()

    assert {r.name for r in roles} == many_roles and len(roles) == 30
    assert [r.name for r in roles] == sorted(many_roles)
    assert roles[0].arn == "arn:aws:iam::123456789012:role/role-000" and roles[0].path == "/"
    # 100 + 50: the second page is read because the first said IsTruncated with a Marker.
    calls = emulator.log.calls("ListRoles")
    assert len(calls) == 2 and all(call["MaxItems"] == "100" for call in calls)
    assert "Marker" not in calls[0] and "Marker" in calls[1]


async def test_list_roles_asks_for_pages_within_iams_limit(
    session: AwsSession, emulator: EmulatorServer, many_roles: set[str]
) -> None:
    emulator.log.clear()
    assert len(await RoleReader(session).task_roles()) == 30
    assert [call["MaxItems"] for call in emulator.log.calls("ListRoles")] == [str(LIST_ROLES_PAGE)]
    assert not emulator.log.violations


def test_a_trust_policy_is_read_as_a_dict_as_json_text_or_url_encoded_json() -> None:
    document = _trust("ecs-tasks.amazonaws.com")
    assert trusts(json.loads(document)) and trusts(document) and trusts(quote(document))
    assert trusts(_trust("ecs-tasks.amazonaws.com", action=["sts:TagSession", "sts:AssumeRole"]))
    assert not trusts(_trust("ecs.amazonaws.com"))  # the ECS service itself, not its tasks
    assert not trusts(_trust("ecs-tasks.amazonaws.com", action="sts:AssumeRoleWithWebIdentity"))
    denied = json.loads(document)
    denied["Statement"][0]["Effect"] = "Deny"
    assert not trusts(denied)
    assert not trusts("not a policy") and not trusts(None)


async def test_an_execution_role_is_one_trusting_ecs_tasks_with_the_managed_policy_attached(
    session: AwsSession, emulator: EmulatorServer, iam: Any
) -> None:
    iam.create_role(RoleName="app-task", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    iam.create_role(RoleName="pull-images", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    iam.attach_role_policy(RoleName="pull-images", PolicyArn=EXECUTION_ROLE_POLICY_ARN)
    # The policy on a role ECS tasks cannot assume does not make it an execution role.
    iam.create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=_trust("lambda.amazonaws.com"))
    iam.attach_role_policy(RoleName="lambda-exec", PolicyArn=EXECUTION_ROLE_POLICY_ARN)
    reader = RoleReader(session)

    assert [r.name for r in await reader.task_roles()] == ["app-task", "pull-images"]
    assert [r.name for r in await reader.execution_roles()] == ["pull-images"]
    assert await reader.has_execution_role()
    # One paged ListEntitiesForPolicy for the account, not a ListAttachedRolePolicies per role.
    assert [c["PolicyArn"] for c in emulator.log.calls("ListEntitiesForPolicy")] == [EXECUTION_ROLE_POLICY_ARN]
    assert emulator.log.counts["ListAttachedRolePolicies"] == 0


async def test_where_list_entities_for_policy_is_denied_each_roles_attachments_are_read_instead(
    session: AwsSession, emulator: EmulatorServer, iam: Any
) -> None:
    iam.create_role(RoleName="app-task", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    iam.create_role(RoleName="pull-images", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    iam.attach_role_policy(RoleName="pull-images", PolicyArn=EXECUTION_ROLE_POLICY_ARN)
    denied = AwsErrorSpec(403, "AccessDenied", "User is not authorized to perform: iam:ListEntitiesForPolicy")
    emulator.faults.inject("ListEntitiesForPolicy", denied, rate=1.0, service="iam")

    assert [r.name for r in await RoleReader(session).execution_roles()] == ["pull-images"]
    assert emulator.faults.log.injected["ListEntitiesForPolicy"] == 1  # asked once, denied, not retried
    assert {c["RoleName"] for c in emulator.log.calls("ListAttachedRolePolicies")} == {"app-task", "pull-images"}


def test_the_emulator_answers_list_entities_for_policy_paged_as_iam_does(emulator: EmulatorServer, iam: Any) -> None:
    for name in ("a-role", "b-role", "c-role", "not-attached"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    for name in ("a-role", "b-role", "c-role"):
        iam.attach_role_policy(RoleName=name, PolicyArn=EXECUTION_ROLE_POLICY_ARN)
    first = iam.list_entities_for_policy(PolicyArn=EXECUTION_ROLE_POLICY_ARN, EntityFilter="Role", MaxItems=2)
    assert [r["RoleName"] for r in first["PolicyRoles"]] == ["a-role", "b-role"] and first["IsTruncated"]
    rest = iam.list_entities_for_policy(
        PolicyArn=EXECUTION_ROLE_POLICY_ARN, EntityFilter="Role", MaxItems=2, Marker=first["Marker"]
    )
    assert [r["RoleName"] for r in rest["PolicyRoles"]] == ["c-role"] and not rest["IsTruncated"]
    with pytest.raises(Exception, match="NoSuchEntity"):
        iam.list_entities_for_policy(PolicyArn="arn:aws:iam::123456789012:policy/none")
    with pytest.raises(Exception, match="MaxItems"):
        iam.list_entities_for_policy(PolicyArn=EXECUTION_ROLE_POLICY_ARN, MaxItems=1001)


async def test_a_role_named_ecs_task_execution_role_counts_without_reading_its_policies(
    session: AwsSession, emulator: EmulatorServer, iam: Any
) -> None:
    iam.create_role(RoleName=EXECUTION_ROLE_NAME, AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    emulator.log.clear()
    assert await RoleReader(session).has_execution_role()
    assert emulator.log.counts["ListAttachedRolePolicies"] == 0


async def test_without_an_execution_role_the_account_has_none(session: AwsSession, iam: Any) -> None:
    iam.create_role(RoleName="app-task", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    reader = RoleReader(session)
    assert await reader.execution_roles() == [] and not await reader.has_execution_role()


async def test_roles_are_cached_until_they_expire_or_are_forgotten(
    session: AwsSession, emulator: EmulatorServer, iam: Any
) -> None:
    iam.create_role(RoleName="one", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    clock = FakeClock()
    reader = RoleReader(session, ttl=300.0, clock=clock)
    emulator.log.clear()
    assert len(await reader.task_roles()) == 1
    await reader.execution_roles()

    def reads() -> tuple[int, int]:
        return emulator.log.counts["ListRoles"], emulator.log.counts["ListEntitiesForPolicy"]

    assert reads() == (1, 1)
    iam.create_role(RoleName="two", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    clock.now += 299.0
    assert len(await reader.task_roles()) == 1
    await reader.execution_roles()
    assert reads() == (1, 1)  # nothing sent

    clock.now += 2.0
    assert len(await reader.task_roles()) == 2
    iam.create_role(RoleName="three", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    reader.forget()
    assert len(await reader.task_roles()) == 3
    assert emulator.log.counts["ListRoles"] == 3


async def test_creating_the_execution_role_trusts_ecs_tasks_attaches_the_managed_policy_and_is_audited(
    session: AwsSession, emulator: EmulatorServer, iam: Any, audit: AuditLog
) -> None:
    reader = RoleReader(session)
    assert not await reader.has_execution_role()  # cached: "none"
    emulator.log.clear()

    role = await RoleActions(session, audit, roles=reader).create_task_execution_role()

    assert role.name == EXECUTION_ROLE_NAME and role.arn.endswith(":role/ecsTaskExecutionRole")
    [created] = emulator.log.calls("CreateRole")
    assert created["RoleName"] == EXECUTION_ROLE_NAME
    assert trusts(json.loads(created["AssumeRolePolicyDocument"]))
    [attached] = emulator.log.calls("AttachRolePolicy")
    assert (attached["RoleName"], attached["PolicyArn"]) == (EXECUTION_ROLE_NAME, EXECUTION_ROLE_POLICY_ARN)
    policies = iam.list_attached_role_policies(RoleName=EXECUTION_ROLE_NAME)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in policies] == [EXECUTION_ROLE_POLICY_ARN]
    # The reader's cache was dropped: the new role is seen at once.
    assert [r.name for r in await reader.execution_roles()] == [EXECUTION_ROLE_NAME]
    [entry] = audit.entries()
    assert (entry.action, entry.target, entry.result) == ("create_task_execution_role", EXECUTION_ROLE_NAME, OK)
    assert entry.parameters["policyArn"] == EXECUTION_ROLE_POLICY_ARN


async def test_creating_the_execution_role_in_read_only_sends_nothing(
    target: AwsTarget, emulator: EmulatorServer, audit: AuditLog
) -> None:
    read_only = AwsTarget(region=target.region, endpoint_url=target.endpoint_url, read_only=True)
    emulator.log.clear()
    async with AwsSession(read_only) as session:
        with pytest.raises(ReadOnlyError) as caught:
            await RoleActions(session, audit).create_task_execution_role()
    assert caught.value.kind == "read_only" and "create task execution role was not sent" in caught.value.message
    assert emulator.log.counts.total() == 0
    assert audit.entries() == []


async def test_creating_an_execution_role_that_exists_is_refused_once_and_audited(
    session: AwsSession, emulator: EmulatorServer, iam: Any, audit: AuditLog
) -> None:
    iam.create_role(RoleName=EXECUTION_ROLE_NAME, AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    emulator.log.clear()
    with pytest.raises(AwsError) as caught:
        await RoleActions(session, audit).create_task_execution_role()
    assert caught.value.kind == "invalid" and caught.value.code == "EntityAlreadyExists"
    assert emulator.log.counts["CreateRole"] == 1 and emulator.log.counts["AttachRolePolicy"] == 0
    [entry] = audit.entries()
    assert entry.result == caught.value.message


async def test_a_create_role_whose_answer_is_lost_is_not_sent_again_and_can_be_read_back(
    session: AwsSession, emulator: EmulatorServer, audit: AuditLog
) -> None:
    emulator.faults.inject("CreateRole", DropAfterApplying(), count=1, service="iam")
    emulator.log.clear()
    with pytest.raises(UncertainOutcome) as caught:
        await RoleActions(session, audit).create_task_execution_role()
    # botocore would have resent it (and IAM answered EntityAlreadyExists, hiding that the first one worked).
    assert emulator.log.counts["CreateRole"] == 1 and emulator.log.counts["AttachRolePolicy"] == 0
    assert caught.value.read_back is not None
    assert await caught.value.read_back() == f"Now: role {EXECUTION_ROLE_NAME} exists, with no policy attached."
    assert audit.entries()[0].result == caught.value.message


async def test_a_list_roles_answer_without_its_roles_is_an_error_not_an_account_without_roles(
    session: AwsSession, emulator: EmulatorServer, iam: Any
) -> None:
    iam.create_role(RoleName="app-task", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
    emulator.faults.inject("ListRoles", MalformedAnswer("missing_member", "Roles"), count=1, service="iam")
    with pytest.raises(AwsError) as caught:
        await RoleReader(session).task_roles()
    assert caught.value.kind == "malformed" and "IAM" in caught.value.message
