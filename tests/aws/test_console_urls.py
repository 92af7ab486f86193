"""Console URLs of every kind of resource, in each partition: pure string work, so no AWS is needed."""

from __future__ import annotations

import pytest

from ecstui.aws.console_urls import console_host, console_url
from ecstui.aws.models import Cluster, ContainerInstance, Service, Task, TaskDefinition
from ecstui.aws.resource_ref import (
    ResourceRef,
    cluster_ref,
    container_instance_ref,
    load_balancer_ref,
    log_group_ref,
    parse_arn,
    rule_ref,
    schedule_ref,
    service_ref,
    target_group_ref,
    task_definition_family_ref,
    task_definition_ref,
    task_ref,
)

ACCOUNT = "123456789012"
ECS = f"arn:aws:ecs:eu-west-1:{ACCOUNT}"
HOST = "https://eu-west-1.console.aws.amazon.com"


def test_hosts_by_partition() -> None:
    assert console_host("aws", "eu-west-1") == "eu-west-1.console.aws.amazon.com"
    assert console_host("aws-cn", "cn-north-1") == "console.amazonaws.cn"
    assert console_host("aws-us-gov", "us-gov-west-1") == "console.amazonaws-us-gov.com"


def test_cluster() -> None:
    ref = cluster_ref(Cluster(f"{ECS}:cluster/prod", "prod", "ACTIVE"))
    assert console_url(ref) == f"{HOST}/ecs/v2/clusters/prod/services?region=eu-west-1"


def test_service() -> None:
    service = Service(f"{ECS}:service/prod/web", "web", f"{ECS}:cluster/prod", "ACTIVE", 1, 1, 0, "")
    assert console_url(service_ref(service)) == f"{HOST}/ecs/v2/clusters/prod/services/web/health?region=eu-west-1"


def test_task() -> None:
    task = Task(f"{ECS}:task/prod/abc123", "abc123", f"{ECS}:cluster/prod", "", "RUNNING", "RUNNING")
    ref = task_ref(task)
    assert (ref.kind, ref.name, ref.cluster) == ("task", "abc123", "prod")
    assert console_url(ref) == f"{HOST}/ecs/v2/clusters/prod/tasks/abc123/configuration?region=eu-west-1"


def test_task_definition_and_family() -> None:
    definition = TaskDefinition(f"{ECS}:task-definition/web:12", "web", 12, "ACTIVE")
    assert console_url(task_definition_ref(definition)) == (
        f"{HOST}/ecs/v2/task-definitions/web/12/containers?region=eu-west-1"
    )
    family = task_definition_family_ref("web", "eu-west-1")
    assert family.arn == ""  # a family has no ARN: y says so, Y copies the name
    assert console_url(family) == f"{HOST}/ecs/v2/task-definitions/web?region=eu-west-1"


def test_container_instance() -> None:
    instance = ContainerInstance(f"{ECS}:container-instance/batch/0f1e", "i-0abc", "ACTIVE", True)
    assert console_url(container_instance_ref(instance, "batch")) == (
        f"{HOST}/ecs/v2/clusters/batch/infrastructure/container-instances/0f1e/configuration?region=eu-west-1"
    )


def test_target_group_and_load_balancer_carry_their_encoded_arn() -> None:
    group = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:targetgroup/prod-web/4d12"
    assert console_url(target_group_ref(group, "prod-web")) == (
        f"{HOST}/ec2/home?region=eu-west-1#TargetGroup:targetGroupArn="
        f"arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A{ACCOUNT}%3Atargetgroup%2Fprod-web%2F4d12"
    )
    balancer = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/app/prod/50dc"
    assert console_url(load_balancer_ref(balancer, "prod")) == (
        f"{HOST}/ec2/home?region=eu-west-1#LoadBalancer:loadBalancerArn="
        f"arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A{ACCOUNT}%3Aloadbalancer%2Fapp%2Fprod%2F50dc"
    )


def test_log_group_is_escaped_as_the_cloudwatch_console_does() -> None:
    assert console_url(log_group_ref("/ecs/web", "eu-west-1")) == (
        f"{HOST}/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fweb"
    )


def test_schedule_and_rule() -> None:
    schedule = schedule_ref(f"arn:aws:scheduler:eu-west-1:{ACCOUNT}:schedule/default/nightly", "nightly", None)
    assert console_url(schedule) == f"{HOST}/scheduler/home?region=eu-west-1#schedules/default/nightly"
    rule = rule_ref(f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/drain", "drain", None)
    assert console_url(rule) == f"{HOST}/events/home?region=eu-west-1#/eventbus/default/rules/drain"


@pytest.mark.parametrize(
    ("partition", "region", "host"),
    [
        ("aws-cn", "cn-north-1", "https://console.amazonaws.cn"),
        ("aws-us-gov", "us-gov-west-1", "https://console.amazonaws-us-gov.com"),
    ],
)
def test_other_partitions_come_from_the_arn(partition: str, region: str, host: str) -> None:
    arn = f"arn:{partition}:ecs:{region}:{ACCOUNT}:service/prod/web"
    service = Service(arn, "web", f"arn:{partition}:ecs:{region}:{ACCOUNT}:cluster/prod", "ACTIVE", 1, 1, 0, "")
    ref = service_ref(service, region="us-east-1")  # the session's region does not override the ARN's
    assert (ref.partition, ref.region) == (partition, region)
    assert console_url(ref) == f"{host}/ecs/v2/clusters/prod/services/web/health?region={region}"


def test_names_are_percent_encoded() -> None:
    ref = ResourceRef("cluster", "", "a b/#?", "eu-west-1")
    assert console_url(ref) == f"{HOST}/ecs/v2/clusters/a%20b%2F%23%3F/services?region=eu-west-1"


def test_what_lacks_its_cluster_has_no_url() -> None:
    assert console_url(ResourceRef("service", "", "web", "eu-west-1")) is None


def test_parse_arn() -> None:
    parts = parse_arn(f"{ECS}:service/prod/web")
    assert parts is not None
    assert (parts.partition, parts.service, parts.region, parts.resource) == (
        "aws",
        "ecs",
        "eu-west-1",
        "service/prod/web",
    )
    assert parse_arn("web") is None
