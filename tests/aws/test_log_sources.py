"""Where each container's logs are, from its logConfiguration: awslogs streams per task, other drivers said."""

from __future__ import annotations

import pytest

from ecstui.aws.logs import task_log_sources
from ecstui.aws.models import Container, ContainerDefinition, Task, TaskDefinition

TASK = Task(
    arn="arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef",
    id="0123456789abcdef0123456789abcdef",
    cluster_arn="arn:aws:ecs:us-east-1:123456789012:cluster/prod",
    task_definition_arn="arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
    last_status="RUNNING",
    desired_status="RUNNING",
    containers=(Container(name="web", runtime_id="4f1c2b9e" * 8),),
)


def definition(*containers: ContainerDefinition) -> TaskDefinition:
    return TaskDefinition(
        arn=TASK.task_definition_arn, family="web", revision=3, status="ACTIVE", containers=containers
    )


def container(name: str = "web", driver: str | None = "awslogs", **options: str) -> ContainerDefinition:
    return ContainerDefinition(name=name, image="web:1", log_driver=driver, log_options=tuple(options.items()))


def test_awslogs_streams_are_named_by_prefix_container_and_task_in_definition_order() -> None:
    sources = task_log_sources(
        TASK,
        definition(
            container("web", **{"awslogs-group": "/ecs/web", "awslogs-stream-prefix": "ecs"}),
            container(
                "sidecar", **{"awslogs-group": "/ecs/side", "awslogs-stream-prefix": "x", "awslogs-region": "eu-west-1"}
            ),
        ),
    )
    assert [(s.container, s.group, s.stream, s.region, s.readable) for s in sources] == [
        ("web", "/ecs/web", f"ecs/web/{TASK.id}", None, True),
        ("sidecar", "/ecs/side", f"x/sidecar/{TASK.id}", "eu-west-1", True),
    ]
    assert sources[0].group_arn == "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web"
    assert sources[1].group_arn == "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/side"


def test_awslogs_without_a_prefix_reads_the_stream_named_by_the_docker_id() -> None:
    (source,) = task_log_sources(TASK, definition(container("web", **{"awslogs-group": "/ecs/web"})))
    assert source.stream == "4f1c2b9e" * 8 and source.readable
    assert source.where.startswith("awslogs without awslogs-stream-prefix: the stream is named by the container's")
    (unknown,) = task_log_sources(TASK, definition(container("other", **{"awslogs-group": "/ecs/web"})))
    assert not unknown.readable and "ECS names streams by container ID" in unknown.where


@pytest.mark.parametrize(
    ("driver", "options", "where"),
    [
        (None, {}, "This container has no log configuration."),
        ("splunk", {"splunk-url": "https://hec.example.com:8088"}, "Logs go to Splunk (https://hec.example.com:8088)."),
        (
            "awsfirelens",
            {"Name": "cloudwatch_logs", "log_group_name": "/fl/web", "log_stream_prefix": "fb-"},
            "Logs go through FireLens to CloudWatch Logs, /fl/web (streams fb-web-firelens-<task id>).",
        ),
        ("awsfirelens", {"Name": "datadog"}, "Logs go through FireLens to datadog."),
        ("fluentd", {"fluentd-address": "10.0.0.5:24224"}, "Logs go to Fluentd (10.0.0.5:24224)."),
        ("json-file", {}, "Logs stay on the container instance (json-file driver: `docker logs` on the instance)."),
        ("none", {}, "Logging is off for this container (logDriver none)."),
    ],
)
def test_other_drivers_and_none_say_where_the_logs_go(driver: str | None, options: dict[str, str], where: str) -> None:
    (source,) = task_log_sources(TASK, definition(container("web", driver, **options)))
    assert not source.readable and source.where == where and source.driver == driver


def test_a_stopped_task_without_readable_logs_says_where_they_are_instead() -> None:
    from dataclasses import replace

    from ecstui.aws.logs import crashed_sources, no_lines_reason

    stopped = replace(
        TASK,
        last_status="STOPPED",
        desired_status="STOPPED",
        stop_code="EssentialContainerExited",
        containers=(Container(name="web", exit_code=1), Container(name="proxy", exit_code=0)),
    )
    splunk = definition(container("web", "splunk", **{"splunk-url": "https://hec:8088"}), container("proxy", None))
    assert [s.container for s in crashed_sources(stopped, splunk)] == ["web"]  # the one that failed, not the sidecar
    assert no_lines_reason(stopped, crashed_sources(stopped, splunk)) == "Logs go to Splunk (https://hec:8088)."
    none = definition(container("web", None))
    assert no_lines_reason(stopped, crashed_sources(stopped, none)) == "This container has no log configuration."
