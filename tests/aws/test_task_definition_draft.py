"""A task definition from scratch: the request its draft builds, ECS's rules checked before sending, and copies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecstui.aws.actions import EcsActions
from ecstui.aws.audit import AuditLog
from ecstui.aws.errors import AwsError
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.aws.task_definition_draft import (
    ContainerDraft,
    DefaultAwsLogs,
    EnvironmentVariable,
    PortMappingDraft,
    SecretDraft,
    TaskDefinitionDraft,
    draft_from_revision,
    draft_problems,
    register_request,
)
from ecstui.aws.validation import registrable_definition, task_definition_problems
from ecstui.emulator.seed import DEMO_SERVICES, register_revisions
from ecstui.emulator.server import EmulatorServer
from tests.aws.test_actions import mutating
from tests.aws.test_actions_register import contains, without_read_only
from tests.conftest import REGION, boto_client

EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
NODE_APP = ContainerDraft(
    name="node-app",
    image="public.ecr.aws/docker/library/node:20-alpine",
    port_mappings=(PortMappingDraft(3000),),
)
# The walk's step 2: taskDef1 on Fargate, Linux on x86-64, awsvpc, 1 vCPU and 3 GB, one container on port 3000.
TASK_DEF_1 = TaskDefinitionDraft(
    family="taskDef1",
    compatibility="FARGATE",
    operating_system_family="LINUX",
    cpu_architecture="X86_64",
    network_mode="awsvpc",
    cpu=1024,
    memory=3072,
    execution_role_arn=EXECUTION_ROLE,
    containers=(NODE_APP,),
)
TASK_DEF_1_REQUEST = {
    "family": "taskDef1",
    "requiresCompatibilities": ["FARGATE"],
    "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
    "networkMode": "awsvpc",
    "cpu": "1024",
    "memory": "3072",
    "executionRoleArn": EXECUTION_ROLE,
    "containerDefinitions": [
        {
            "name": "node-app",
            "image": "public.ecr.aws/docker/library/node:20-alpine",
            "essential": True,
            "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/taskDef1",
                    "awslogs-region": REGION,
                    "awslogs-stream-prefix": "ecs",
                    "awslogs-create-group": "true",
                },
            },
        }
    ],
}


@pytest.fixture
async def actions(target: AwsTarget, tmp_path: Path) -> AsyncIterator[EcsActions]:
    async with AwsSession(target) as session:
        yield EcsActions(session, AuditLog(tmp_path / "audit.jsonl"))


def with_container(draft: TaskDefinitionDraft, **changes: Any) -> TaskDefinitionDraft:
    return replace(draft, containers=(replace(draft.containers[0], **changes),))


def test_the_walks_draft_builds_exactly_the_request_shown_before_registering() -> None:
    assert register_request(TASK_DEF_1, REGION) == TASK_DEF_1_REQUEST
    assert draft_problems(TASK_DEF_1, REGION) == []


async def test_the_walks_task_definition_registers_exactly_as_built(
    actions: EcsActions, emulator: EmulatorServer
) -> None:
    request = register_request(TASK_DEF_1, REGION)
    registered = await actions.register_task_definition(request)

    assert registered.label == "taskDef1:1"
    assert mutating(emulator) == {"RegisterTaskDefinition": 1}
    assert emulator.log.calls("RegisterTaskDefinition") == [TASK_DEF_1_REQUEST]  # the JSON shown is what was sent
    described = boto_client(emulator, "ecs").describe_task_definition(taskDefinition="taskDef1:1")["taskDefinition"]
    assert contains(registrable_definition(described), TASK_DEF_1_REQUEST)


# Each rule ECS applies, broken once: the sentence that says so (naming the field first) and nothing sent.
BROKEN_RULES = [
    ("a family with a space", replace(TASK_DEF_1, family="task def 1"), "family: A task definition family name"),
    ("an empty family", replace(TASK_DEF_1, family=""), "family: Enter a task definition family name."),
    ("a family too long", replace(TASK_DEF_1, family="t" * 256), "family: A task definition family name has at most"),
    (
        "a container name with a dot",
        with_container(TASK_DEF_1, name="node.app"),
        "containerDefinitions[0].name: A container name may hold only letters, numbers, hyphens and underscores",
    ),
    (
        "two containers of one name",
        replace(TASK_DEF_1, containers=(NODE_APP, replace(NODE_APP, port_mappings=()))),
        "containerDefinitions[1]: container name 'node-app' is used twice.",
    ),
    ("no image", with_container(TASK_DEF_1, image=""), "containerDefinitions[0]: a container needs an image."),
    (
        "no essential container",
        with_container(TASK_DEF_1, essential=False),
        "containerDefinitions: at least one container must be essential.",
    ),
    (
        "Fargate on bridge networking",
        replace(TASK_DEF_1, network_mode="bridge"),
        "networkMode: a Fargate task definition uses the awsvpc network mode, not bridge.",
    ),
    (
        "Fargate without task CPU",
        replace(TASK_DEF_1, cpu=None),
        "cpu: a Fargate task definition needs a task CPU value",
    ),
    (
        "Fargate without task memory",
        replace(TASK_DEF_1, memory=None),
        "memory: a Fargate task definition needs a task memory value",
    ),
    (
        "a Fargate CPU Fargate has not",
        replace(TASK_DEF_1, cpu=3072),
        "cpu: Fargate takes a task CPU of 256, 512, 1024, 2048, 4096, 8192, 16384 units, not 3072.",
    ),
    (
        "1 vCPU with 1 GB on Fargate",
        replace(TASK_DEF_1, memory=1024),
        "memory: Fargate does not take 1024 MiB with 1024 CPU units; with 1024 units, choose a memory of "
        "2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB.",
    ),
    (
        "Windows on Fargate with half a vCPU",
        replace(TASK_DEF_1, operating_system_family="WINDOWS_SERVER_2019_FULL", cpu=512, memory=1024),
        "cpu: Windows containers on Fargate need at least 1 vCPU: choose 1024, 2048, 4096 units, not 512.",
    ),
    (
        "ARM64 with Windows",
        replace(TASK_DEF_1, operating_system_family="WINDOWS_SERVER_2022_CORE", cpu_architecture="ARM64"),
        "runtimePlatform.cpuArchitecture: ARM64 runs only with the LINUX OS family, not WINDOWS_SERVER_2022_CORE.",
    ),
    (
        "a host port other than the container port under awsvpc",
        with_container(TASK_DEF_1, port_mappings=(PortMappingDraft(3000, host_port=80),)),
        "containerDefinitions[0].portMappings[0].hostPort: under the awsvpc network mode a host port is the "
        "container port (3000) or left unset, not 80.",
    ),
    (
        "a container port out of range",
        with_container(TASK_DEF_1, port_mappings=(PortMappingDraft(70000),)),
        "containerDefinitions[0].portMappings[0].containerPort: A container port is at most 65,535, not 70,000.",
    ),
    (
        "one port mapped twice",
        with_container(TASK_DEF_1, port_mappings=(PortMappingDraft(3000), PortMappingDraft(3000))),
        "containerDefinitions[0].portMappings[1]: container port 3000/tcp is mapped twice in this container.",
    ),
    (
        "a secret from S3",
        with_container(TASK_DEF_1, secrets=(SecretDraft("DB_PASSWORD", "arn:aws:s3:::bucket/password"),)),
        "containerDefinitions[0].secrets[0].valueFrom: 'arn:aws:s3:::bucket/pass…' is neither an SSM parameter",
    ),
    (
        "a container with more memory than the task",
        with_container(TASK_DEF_1, memory=4096),
        "containerDefinitions[0].memory: 4096 MiB is more than the task's memory of 3072 MiB.",
    ),
    (
        "containers with more CPU than the task",
        replace(TASK_DEF_1, containers=(replace(NODE_APP, cpu=512), replace(NODE_APP, name="sidecar", cpu=768))),
        "containerDefinitions: the containers' CPU adds up to 1280 units, more than the task's 1024.",
    ),
    (
        "a soft memory limit above the hard one",
        with_container(TASK_DEF_1, memory=512, memory_reservation=1024),
        "containerDefinitions[0].memoryReservation: a soft limit of 1024 MiB is above the container's memory limit",
    ),
    (
        "EC2 without task memory nor container memory",
        replace(TASK_DEF_1, compatibility="EC2", network_mode="bridge", cpu=None, memory=None),
        "containerDefinitions[0]: with no task memory, each container needs a memory or memoryReservation value",
    ),
    (
        "a network mode ECS has not",
        replace(TASK_DEF_1, compatibility="EC2", network_mode="nat"),
        "networkMode: 'nat' is not one of bridge, host, awsvpc, none.",
    ),
    (
        "more than 64 KiB",
        with_container(TASK_DEF_1, environment=(EnvironmentVariable("BLOB", "x" * 70_000),)),
        "This task definition is 70,",
    ),
]


@pytest.mark.parametrize(("draft", "says"), [case[1:] for case in BROKEN_RULES], ids=[c[0] for c in BROKEN_RULES])
async def test_a_broken_rule_is_said_in_one_sentence_and_nothing_is_sent(
    draft: TaskDefinitionDraft, says: str, actions: EcsActions, emulator: EmulatorServer
) -> None:
    problems = draft_problems(draft, REGION)
    assert len(problems) == 1 and problems[0].startswith(says), problems
    with pytest.raises(AwsError) as refused:
        await actions.register_task_definition(register_request(draft, REGION))
    assert str(refused.value).startswith(says)
    assert emulator.log.calls("RegisterTaskDefinition") == [] and mutating(emulator) == {}


def test_secrets_from_ssm_by_name_or_arn_and_from_secrets_manager_pass() -> None:
    secrets = (
        SecretDraft("FLAGS", "/prod/node-app/feature-flags"),
        SecretDraft("TOKEN", "api-token"),
        SecretDraft("KEY", "arn:aws:ssm:us-east-1:123456789012:parameter/prod/key"),
        SecretDraft("DB", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-Xy12Ab"),
        SecretDraft("DB_USER", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-Xy12Ab:username::"),
    )
    assert draft_problems(with_container(TASK_DEF_1, secrets=secrets), REGION) == []


# The Fargate table as AWS documents it ("Task CPU and memory", ECS developer guide; task-cpu-memory-error.html):
# CPU units -> (lowest memory, highest memory, step), MiB. Written out here apart from the code under test.
DOCUMENTED_FARGATE = {
    256: (512, 2048, None),  # 512, 1024, 2048
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
    8192: (16384, 61440, 4096),
    16384: (32768, 122880, 8192),
}


def documented_memory(cpu: int) -> list[int]:
    low, high, step = DOCUMENTED_FARGATE[cpu]
    return [512, 1024, 2048] if step is None else list(range(low, high + 1, step))


VALID_FARGATE = [(cpu, memory) for cpu in DOCUMENTED_FARGATE for memory in documented_memory(cpu)]


def fargate(cpu: int, memory: int) -> TaskDefinitionDraft:
    return replace(TASK_DEF_1, cpu=cpu, memory=memory)


@settings(max_examples=len(VALID_FARGATE), deadline=None)
@given(size=st.sampled_from(VALID_FARGATE))
def test_every_valid_fargate_size_passes(size: tuple[int, int]) -> None:
    assert draft_problems(fargate(*size), REGION) == []


@settings(max_examples=60, deadline=None)
@given(cpu=st.sampled_from(list(DOCUMENTED_FARGATE)), memory=st.integers(512, 130_000))
def test_any_other_fargate_memory_is_refused_with_the_valid_ones_listed(cpu: int, memory: int) -> None:
    valid = documented_memory(cpu)
    problems = draft_problems(fargate(cpu, memory), REGION)
    if memory in valid:
        assert problems == []
    else:
        assert problems == [
            f"memory: Fargate does not take {memory} MiB with {cpu} CPU units; with {cpu} units, choose a memory of "
            f"{', '.join(map(str, valid))} MiB."
        ]


@pytest.mark.parametrize(("cpu", "memory"), [(256, 3072), (512, 512), (2048, 4608), (8192, 18432), (16384, 36864)])
def test_a_few_invalid_fargate_sizes_are_refused(cpu: int, memory: int) -> None:
    [problem] = draft_problems(fargate(cpu, memory), REGION)
    assert problem.startswith(f"memory: Fargate does not take {memory} MiB with {cpu} CPU units")


def test_an_ec2_task_takes_any_size_in_range_and_containers_that_say_their_memory() -> None:
    draft = replace(
        TASK_DEF_1,
        compatibility="EC2",
        network_mode="bridge",
        cpu=None,
        memory=None,
        containers=(replace(NODE_APP, memory_reservation=256, port_mappings=(PortMappingDraft(3000, 0),)),),
    )
    assert draft_problems(draft, REGION) == []
    assert draft_problems(replace(draft, cpu=3072, memory=1000), REGION) == []


async def test_a_demo_revision_copied_into_a_new_family_registers_the_same_definition(
    actions: EcsActions, emulator: EmulatorServer
) -> None:
    ecs = boto_client(emulator, "ecs")
    web = next(spec for spec in DEMO_SERVICES if spec.family == "web")
    register_revisions(ecs, web, REGION)
    source = ecs.describe_task_definition(taskDefinition="web:3", include=["TAGS"])

    draft = draft_from_revision(source["taskDefinition"], family="web-copy", tags=source["tags"], region=REGION)
    request = register_request(draft, REGION)
    assert request == {**registrable_definition(source["taskDefinition"], source["tags"]), "family": "web-copy"}
    assert draft_problems(draft, REGION) == []
    emulator.log.clear()
    registered = await actions.register_task_definition(request)

    assert registered.label == "web-copy:1" and mutating(emulator) == {"RegisterTaskDefinition": 1}
    copy = ecs.describe_task_definition(taskDefinition="web-copy:1", include=["TAGS"])
    assert {**without_read_only(copy["taskDefinition"]), "family": "web"} == without_read_only(source["taskDefinition"])
    assert copy["tags"] == source["tags"]


def test_a_copy_of_a_definition_with_the_default_logs_logs_under_its_new_family() -> None:
    described = {**register_request(TASK_DEF_1, REGION), "revision": 1, "status": "ACTIVE"}
    copy = draft_from_revision(described, family="taskDef2", region=REGION)
    assert copy.containers[0].log_configuration == DefaultAwsLogs()
    options = register_request(copy, REGION)["containerDefinitions"][0]["logConfiguration"]["options"]
    assert options["awslogs-group"] == "/ecs/taskDef2"
    assert draft_from_revision(described, region=REGION) == TASK_DEF_1  # read back whole, it is the same draft


@pytest.mark.parametrize(
    ("cpu", "memory", "refused"),
    [("1 vCPU", "3 GB", False), ("1024", "3072", False), ("0.25 vcpu", "0.5GB", False), ("1 vCPU", "1 GB", True)],
)
def test_json_written_in_vcpu_and_gb_is_checked_as_ecs_converts_it(cpu: str, memory: str, refused: bool) -> None:
    request = {**TASK_DEF_1_REQUEST, "cpu": cpu, "memory": memory}
    problems = task_definition_problems(request)
    assert problems == (
        [
            "memory: Fargate does not take 1024 MiB with 1024 CPU units; with 1024 units, choose a memory "
            "of 2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB."
        ]
        if refused
        else []
    )


def test_every_demo_revision_is_one_ecs_would_register(emulator: EmulatorServer) -> None:
    # The demo seeds moto, which takes any size; an edit of a demo revision must not be refused for the seed's sake.
    ecs = boto_client(emulator, "ecs")
    for spec in DEMO_SERVICES:
        for arn in register_revisions(ecs, spec, REGION):
            described = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
            assert task_definition_problems(registrable_definition(described)) == [], arn
