"""The emulator's speed-ups answer exactly what moto's own code answers, on the same state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from moto.ecs.exceptions import ServiceNotFoundException
from moto.ecs.models import ecs_backends

from ecstui.aws.session import AwsTarget
from ecstui.emulator import speedups
from ecstui.emulator.server import ACCOUNT_ID, EmulatorServer
from ecstui.emulator.speedups import memo_arn
from tests.conftest import REGION, boto_client


def _answer(call: Callable[[], Any]) -> Any:
    try:
        result = call()
    except Exception as error:  # an error is an answer too: compare its type and message
        return ("raised", type(error).__name__, str(error))
    if isinstance(result, dict):
        result = {k: v for k, v in result.items() if k != "ResponseMetadata"}
    return result


def assert_same_answers(calls: dict[str, Callable[[], Any]]) -> None:
    fast = {name: _answer(call) for name, call in calls.items()}
    with speedups.disabled():
        slow = {name: _answer(call) for name, call in calls.items()}
    for name in calls:
        assert fast[name] == slow[name], name


def _ecs_calls(ecs: Any) -> dict[str, Callable[[], Any]]:
    calls: dict[str, Callable[[], Any]] = {
        "list_clusters": lambda: ecs.list_clusters(),
        "task_definitions": lambda: ecs.list_task_definitions(maxResults=100),
        "families": lambda: ecs.list_task_definition_families(maxResults=100),
        "task_definition": lambda: ecs.describe_task_definition(taskDefinition="api", include=["TAGS"]),
        "missing_cluster": lambda: ecs.list_services(cluster="no-such-cluster"),
    }
    clusters = ecs.describe_clusters(clusters=["prod", "batch", "staging"])["clusters"]
    calls["describe_clusters"] = lambda: ecs.describe_clusters(
        clusters=["prod", "batch", "staging", "nope"], include=["SETTINGS", "STATISTICS", "TAGS"]
    )
    for cluster in (c["clusterName"] for c in clusters):
        services = ecs.list_services(cluster=cluster, maxResults=100)["serviceArns"]
        tasks = ecs.list_tasks(cluster=cluster, maxResults=100)["taskArns"]
        stopped = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED", maxResults=100)["taskArns"]
        assert tasks, cluster
        ids = [arn.rsplit("/", 1)[-1] for arn in tasks]
        calls.update(
            {
                f"{cluster}/list_services": lambda c=cluster: ecs.list_services(cluster=c, maxResults=100),
                f"{cluster}/list_services_ec2": lambda c=cluster: ecs.list_services(
                    cluster=c, launchType="EC2", maxResults=100
                ),
                f"{cluster}/describe_services": lambda c=cluster, s=services[:10]: ecs.describe_services(
                    cluster=c, services=s
                ),
                f"{cluster}/describe_services_tags": lambda c=cluster, s=services[:10]: ecs.describe_services(
                    cluster=c, services=[*s[:9], "no-such-service"], include=["TAGS"]
                ),
                f"{cluster}/list_tasks": lambda c=cluster: ecs.list_tasks(cluster=c, maxResults=100),
                f"{cluster}/describe_tasks": lambda c=cluster, t=tasks[:100]: ecs.describe_tasks(cluster=c, tasks=t),
                f"{cluster}/describe_tasks_by_id": lambda c=cluster, t=ids[:30]: ecs.describe_tasks(
                    cluster=c, tasks=[*t, "no-such-task"], include=["TAGS"]
                ),
                f"{cluster}/describe_stopped": lambda c=cluster, t=stopped[:100]: ecs.describe_tasks(
                    cluster=c, tasks=t or ["none"]
                ),
                f"{cluster}/instances": lambda c=cluster: ecs.list_container_instances(cluster=c),
            }
        )
        instances = ecs.list_container_instances(cluster=cluster)["containerInstanceArns"]
        if instances:
            calls[f"{cluster}/describe_instances"] = lambda c=cluster, i=instances: ecs.describe_container_instances(
                cluster=c, containerInstances=i
            )
    return calls


def test_ecs_reads_answer_as_moto_answers(emulator: EmulatorServer, demo_account: AwsTarget) -> None:
    assert_same_answers(_ecs_calls(boto_client(emulator, "ecs")))


def test_reads_of_other_services_answer_as_moto_answers(emulator: EmulatorServer, demo_account: AwsTarget) -> None:
    elbv2 = boto_client(emulator, "elbv2")
    logs = boto_client(emulator, "logs")
    ec2 = boto_client(emulator, "ec2")
    groups = [g["TargetGroupArn"] for g in elbv2.describe_target_groups()["TargetGroups"]]
    balancers = [b["LoadBalancerArn"] for b in elbv2.describe_load_balancers()["LoadBalancers"]]
    calls: dict[str, Callable[[], Any]] = {
        "load_balancers": lambda: elbv2.describe_load_balancers(),
        "target_groups": lambda: elbv2.describe_target_groups(),
        "log_groups": lambda: logs.describe_log_groups(),
        "subnets": lambda: ec2.describe_subnets(),
        "security_groups": lambda: ec2.describe_security_groups(),
    }
    for arn in groups:
        calls[f"health {arn}"] = lambda a=arn: elbv2.describe_target_health(TargetGroupArn=a)
    for arn in balancers:
        calls[f"listeners {arn}"] = lambda a=arn: elbv2.describe_listeners(LoadBalancerArn=a)
    assert_same_answers(calls)


def test_service_lookup_finds_what_the_scan_finds(emulator: EmulatorServer, demo_account: AwsTarget) -> None:
    backend = ecs_backends[ACCOUNT_ID][REGION]
    services = list(backend.services.values())
    assert len(services) > 10
    asks = [(s.cluster_name, s.name) for s in services] + [(s.cluster_name, s.arn) for s in services]
    asks += [(f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:cluster/{s.cluster_name}", s.name) for s in services]
    # The same name in another cluster, an ARN of another cluster, nothing at all.
    asks += [("staging", "checkout"), ("prod", services[-1].arn.replace("staging", "prod")), ("prod", "nope")]
    for cluster, wanted in asks:
        found: list[Any] = []
        for lookup in (speedups._get_service, speedups._original_get_service):
            try:
                found.append(lookup(backend, cluster, wanted))
            except ServiceNotFoundException:
                found.append("not found")
        assert found[0] is found[1] or found[0] == found[1] == "not found", (cluster, wanted)


def test_describe_tasks_matches_what_moto_matches(emulator: EmulatorServer, demo_account: AwsTarget) -> None:
    backend = ecs_backends[ACCOUNT_ID][REGION]
    tasks = [(cluster, arn) for cluster, by_arn in backend.tasks.items() for arn in by_arn]
    assert len(tasks) > 50
    arns = [arn for _, arn in tasks]
    ids = [arn.rsplit("/", 1)[-1] for arn in arns]
    asks = [
        arns[:100],
        ids[:40],
        [f"task/{ids[3]}", f"prod/{ids[7]}", f"{ids[9]}-and-more", f"x{ids[11]}", ids[12][:-1], "nope"],
        arns[-5:] + ids[:5],  # tasks of other clusters than the one named: moto lists them too
        [arns[0], arns[0], ids[0]],  # repeats: moto answers once
    ]
    for ask in asks:
        fast = speedups._describe_tasks(backend, "prod", ask)
        slow = speedups._original_describe_tasks(backend, "prod", ask)
        assert [id(t) for t in fast] == [id(t) for t in slow]
    with pytest.raises(Exception) as fast_error:
        speedups._describe_tasks(backend, "prod", [])
    with pytest.raises(Exception) as slow_error:
        speedups._original_describe_tasks(backend, "prod", [])
    assert type(fast_error.value) is type(slow_error.value)


def test_listed_arns_follow_the_long_arn_setting_as_moto_builds_them(
    emulator: EmulatorServer, demo_account: AwsTarget
) -> None:
    ecs = boto_client(emulator, "ecs")
    backend = ecs_backends[ACCOUNT_ID][REGION]

    def listed() -> tuple[list[str], list[str]]:
        tasks = ecs.list_tasks(cluster="prod", maxResults=100)["taskArns"]
        services = ecs.list_services(cluster="prod", maxResults=100)["serviceArns"]
        return tasks, services

    def built() -> tuple[list[str], list[str]]:
        running = [t for t in backend.tasks["prod"].values() if t.desired_status == "RUNNING"]
        services = sorted(s.arn for s in backend.services.values() if s.cluster_name == "prod")
        return [t.task_arn for t in running], services

    long_tasks, long_services = listed()
    assert (long_tasks, long_services) == built()
    assert long_tasks[0].count("/") == 2 and long_services[0].count("/") == 2  # task/<cluster>/<id>
    ecs.put_account_setting(name="taskLongArnFormat", value="disabled")
    ecs.put_account_setting(name="serviceLongArnFormat", value="disabled")
    short_tasks, short_services = listed()
    assert (short_tasks, short_services) == built()
    assert short_tasks[0].count("/") == 1 and short_services[0].count("/") == 1
    ecs.put_account_setting(name="taskLongArnFormat", value="enabled")
    ecs.put_account_setting(name="serviceLongArnFormat", value="enabled")
    assert listed() == (long_tasks, long_services)
    task = next(iter(backend.tasks["prod"].values()))
    assert memo_arn(task, "task_arn", True) == task.task_arn


def test_reset_leaves_moto_as_its_own_reset_leaves_it(emulator: EmulatorServer) -> None:
    import urllib.request

    def fill() -> None:
        boto_client(emulator, "ecs").create_cluster(clusterName="gone")
        boto_client(emulator, "ec2").create_vpc(CidrBlock="10.1.0.0/16")
        boto_client(emulator, "iam").create_role(RoleName="gone", AssumeRolePolicyDocument="{}")
        boto_client(emulator, "logs").create_log_group(logGroupName="/gone")

    def after_reset() -> dict[str, Any]:
        emulator.seed_ids(7)  # the default VPC and its subnets are made afresh, from moto's random stream
        ec2 = boto_client(emulator, "ec2")
        return {
            "clusters": _answer(lambda: boto_client(emulator, "ecs").list_clusters()),
            "vpcs": _answer(lambda: ec2.describe_vpcs()),
            "subnets": _answer(lambda: ec2.describe_subnets()),
            "groups": _answer(lambda: ec2.describe_security_groups()),
            "roles": _answer(lambda: boto_client(emulator, "iam").list_roles()),
            "log groups": _answer(lambda: boto_client(emulator, "logs").describe_log_groups()),
        }

    fill()
    emulator.reset()
    fast = after_reset()
    fill()
    request = urllib.request.Request(f"{emulator.endpoint_url}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10):
        pass
    assert after_reset() == fast
    assert fast["clusters"] == {"clusterArns": []} and len(fast["vpcs"]["Vpcs"]) == 1  # only the default VPC


def test_the_action_lookup_finds_the_methods_moto_lists() -> None:
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.ec2.responses import EC2Response
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.elbv2.responses import ELBV2Response
    from moto.logs.responses import LogsResponse

    for clazz in (EC2ContainerServiceResponse, ELBV2Response, EC2Response, LogsResponse, CloudWatchResponse):
        listed = set(speedups._original_method_names(clazz))
        names = speedups._method_names(clazz)
        assert "describe_services" in listed or "describe_load_balancers" in listed or len(listed) > 10
        for name in [*dir(clazz), "no_such_action", "", "__class__", "dispatch", "_get_param"]:
            assert (name in names) == (name in listed), (clazz, name)
