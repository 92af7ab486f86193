"""A malformed 200 is an error, like throttling: every read the app makes, against every way an answer breaks.

Unparseable JSON or XML, a body cut short by a closed connection, an answer without its top-level member: each
raises AwsError(kind="malformed") naming the operation, never reads as an empty list ("Services [0]").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiobotocore.config import AioConfig

from ecstui.aws.answers import EXPECTED_MEMBERS
from ecstui.aws.errors import AwsError
from ecstui.aws.fetch import EcsReader
from ecstui.aws.load_balancing import LoadBalancingReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import MalformedAnswer, MalformedKind
from ecstui.emulator.server import EmulatorServer
from tests.ui.conftest import shared_demo_account

__all__ = ["shared_demo_account"]  # the fixture, imported to be found here

Read = Callable[[EcsReader, LoadBalancingReader], Awaitable[Any]]


async def _payments_target_groups(ecs: EcsReader, lb: LoadBalancingReader) -> Any:
    service = await ecs.service("prod", "payments")
    assert service is not None
    return await lb.for_service(service, await ecs.tasks("prod", "payments"))


async def _payments_task_definition(ecs: EcsReader, lb: LoadBalancingReader) -> Any:
    service = await ecs.service("prod", "payments")
    assert service is not None
    return await ecs.task_definition(service.task_definition_arn)


# (signing name, operation, a read of the app that sends it)
READS: list[tuple[str, str, Read]] = [
    ("ecs", "ListClusters", lambda ecs, lb: ecs.clusters()),
    ("ecs", "DescribeClusters", lambda ecs, lb: ecs.clusters()),
    ("ecs", "ListServices", lambda ecs, lb: ecs.services("prod")),
    ("ecs", "DescribeServices", lambda ecs, lb: ecs.services("prod")),
    ("ecs", "ListTasks", lambda ecs, lb: ecs.tasks("prod", "payments")),
    ("ecs", "DescribeTasks", lambda ecs, lb: ecs.tasks("prod", "payments")),
    ("ecs", "DescribeTaskDefinition", _payments_task_definition),
    ("ecs", "ListTaskDefinitions", lambda ecs, lb: ecs.task_definition_families()),
    ("ecs", "ListTaskDefinitionFamilies", lambda ecs, lb: ecs.task_definition_families("INACTIVE")),
    ("ecs", "ListContainerInstances", lambda ecs, lb: ecs.container_instances("batch")),
    ("ecs", "DescribeContainerInstances", lambda ecs, lb: ecs.container_instances("batch")),
    ("elasticloadbalancing", "DescribeTargetGroups", _payments_target_groups),
    ("elasticloadbalancing", "DescribeLoadBalancers", _payments_target_groups),
    ("elasticloadbalancing", "DescribeListeners", _payments_target_groups),
    ("elasticloadbalancing", "DescribeRules", _payments_target_groups),
    ("elasticloadbalancing", "DescribeTargetHealth", _payments_target_groups),
    ("elasticloadbalancing", "DescribeTargetGroups", lambda ecs, lb: lb.all_target_groups()),
]
KINDS: list[MalformedKind] = ["bad_json", "bad_xml", "truncated", "missing_member"]
SERVICE_NAMES = {"ecs": "ECS", "elasticloadbalancing": "Elastic Load Balancing"}


@pytest.fixture
def account(shared_demo_account: AwsTarget, emulator_server: EmulatorServer) -> Iterator[AwsTarget]:
    # Nothing here changes the account: it is seeded once and shared; only the faults are this test's.
    yield shared_demo_account
    emulator_server.faults.reset()


def _one_attempt(session: AwsSession) -> AwsSession:
    # botocore retries a cut connection three times with backoff; one attempt shows the same error, faster.
    session._config = session._config.merge(AioConfig(retries={"mode": "standard", "total_max_attempts": 1}))
    return session


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("service", "operation", "read"), READS, ids=[f"{r[1]}-{i}" for i, r in enumerate(READS)])
async def test_a_malformed_answer_to_any_read_is_a_malformed_error_naming_the_operation(
    account: AwsTarget, emulator_server: EmulatorServer, service: str, operation: str, read: Read, kind: MalformedKind
) -> None:
    async with _one_attempt(AwsSession(account)) as session:
        ecs, lb = EcsReader(session), LoadBalancingReader(session)
        emulator_server.faults.inject(operation, MalformedAnswer(kind), rate=1.0, service=service)
        with pytest.raises(AwsError) as caught:
            await read(ecs, lb)

    error = caught.value
    assert emulator_server.faults.log.injected[operation] >= 1
    assert (error.kind, error.operation) == ("malformed", operation), error.message
    assert error.message.startswith(f"{SERVICE_NAMES[service]} returned an answer ecstui could not read ({operation}: ")
    assert error.retryable


async def test_a_missing_member_is_named_and_a_body_that_is_not_json_is_quoted(
    account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    async with AwsSession(account) as session:
        reader = EcsReader(session)
        emulator_server.faults.inject("DescribeServices", MalformedAnswer("missing_member", "services"), count=1)
        with pytest.raises(AwsError) as missing:
            await reader.services("prod")
        emulator_server.faults.inject("ListServices", MalformedAnswer("bad_xml"), count=1)
        with pytest.raises(AwsError) as not_json:
            await reader.services("prod")
        # The next answers are whole again: the same read works.
        assert len(await reader.services("prod")) > 1

    assert missing.value.message == "ECS returned an answer ecstui could not read (DescribeServices: no 'services')."
    assert not_json.value.message == (
        "ECS returned an answer ecstui could not read "
        "(ListServices: not JSON: 'Service temporarily unavailable. Please …')."
    )


async def test_an_answer_that_only_lacks_a_member_it_may_omit_still_reads(
    account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    # `failures` is not always there; only the members the app reads are required.
    emulator_server.faults.inject("DescribeServices", MalformedAnswer("missing_member", "failures"), rate=1.0)
    async with AwsSession(account) as session:
        assert len(await EcsReader(session).services("prod")) > 1


def test_every_read_the_app_makes_has_its_expected_members() -> None:
    checked = {(service, operation) for service, operations in EXPECTED_MEMBERS.items() for operation in operations}
    signing_to_botocore = {"ecs": "ecs", "elasticloadbalancing": "elbv2"}
    for service, operation, _ in READS:
        assert (signing_to_botocore[service], operation) in checked


@pytest.mark.parametrize(
    ("operation", "body", "why"),
    [
        ("ListServices", b'{"serviceArns": [1, {"a": 2}]}', "'serviceArns' not in the shape expected"),
        ("DescribeServices", b'{"services": [1, "web"], "failures": []}', "not in the shape expected"),
        ("DescribeServices", b'{"services": {"web": {}}}', "not in the shape expected"),
        ("ListServices", b"[1, 2]", "not in the shape expected"),
        ("ListServices", b"null", "not in the shape expected"),
        ("ListServices", b"", "an empty answer"),
    ],
)
async def test_a_well_formed_answer_of_the_wrong_shape_is_malformed_too(
    account: AwsTarget, emulator_server: EmulatorServer, operation: str, body: bytes, why: str
) -> None:
    emulator_server.faults.inject(operation, MalformedAnswer("body", body=body), rate=1.0)
    async with AwsSession(account) as session:
        with pytest.raises(AwsError) as caught:
            await EcsReader(session).services("prod")
    assert caught.value.kind == "malformed"
    assert caught.value.message == f"ECS returned an answer ecstui could not read ({operation}: {why})."
