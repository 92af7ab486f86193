"""Where each container's logs are, read from its task definition's logConfiguration (no AWS call)."""

from __future__ import annotations

from dataclasses import dataclass

from ecstui.aws.models import ContainerDefinition, Task, TaskDefinition


@dataclass(frozen=True)
class LogSource:
    """Where one container's logs are."""

    container: str
    task_id: str | None  # None for a service-wide source built from several
    driver: str | None  # "awslogs", "awsfirelens", "splunk", None (no logConfiguration)
    group: str | None = None  # awslogs only
    stream: str | None = None  # awslogs: "<prefix>/<container>/<task id>"
    region: str | None = None  # awslogs-region (None = the session's)
    where: str = ""  # one sentence for other drivers, no configuration, or an awslogs stream that cannot be named
    # The log group's ARN (StartLiveTail names groups by ARN), when the task's ARN gave the account.
    group_arn: str | None = None

    @property
    def readable(self) -> bool:
        return self.driver == "awslogs" and bool(self.group) and bool(self.stream)


def _arn_parts(arn: str) -> tuple[str, str, str] | None:
    """(partition, region, account) of an ARN, or None for something that is not one."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[1], parts[3], parts[4]


def _awslogs(task: Task, definition: ContainerDefinition, options: dict[str, str]) -> LogSource:
    group = options.get("awslogs-group")
    region = options.get("awslogs-region")
    prefix = options.get("awslogs-stream-prefix")
    arn_parts = _arn_parts(task.arn)
    group_arn = None
    if group and arn_parts is not None:
        partition, task_region, account = arn_parts
        group_arn = f"arn:{partition}:logs:{region or task_region}:{account}:log-group:{group}"
    if not group:
        return LogSource(
            definition.name,
            task.id,
            "awslogs",
            region=region,
            where="awslogs without awslogs-group: ECS refuses to start such a container, so it has no logs.",
        )
    if prefix:
        stream = f"{prefix}/{definition.name}/{task.id}"
        return LogSource(definition.name, task.id, "awslogs", group, stream, region, group_arn=group_arn)
    # Without a prefix the awslogs driver (Docker's) names the stream by the container's Docker ID, which ECS
    # reports as the container's runtimeId; Fargate refuses a task definition without the prefix.
    runtime_id = next((c.runtime_id for c in task.containers if c.name == definition.name and c.runtime_id), None)
    if runtime_id:
        return LogSource(
            definition.name,
            task.id,
            "awslogs",
            group,
            runtime_id,
            region,
            where=(
                f"awslogs without awslogs-stream-prefix: the stream is named by the container's Docker ID "
                f"({runtime_id}), in {group}."
            ),
            group_arn=group_arn,
        )
    return LogSource(
        definition.name,
        task.id,
        "awslogs",
        group,
        None,
        region,
        where=(
            f"awslogs without awslogs-stream-prefix: ECS names streams by container ID (the Docker ID on the "
            f"instance), and this container has none yet, so no stream in {group} can be told to be this task's."
        ),
        group_arn=group_arn,
    )


def _firelens(name: str, options: dict[str, str]) -> str:
    output = options.get("Name") or options.get("name")
    if not output:
        return "Logs go through FireLens (awsfirelens) to a destination set in the log router's own configuration."
    if output in ("cloudwatch", "cloudwatch_logs"):
        group = options.get("log_group_name") or "a log group"
        prefix = options.get("log_stream_prefix")
        stream = f" (streams {prefix}{name}-firelens-<task id>)" if prefix else ""
        return f"Logs go through FireLens to CloudWatch Logs, {group}{stream}."
    if output in ("firehose", "kinesis_firehose"):
        return f"Logs go through FireLens to Kinesis Data Firehose ({options.get('delivery_stream', 'a stream')})."
    if output == "kinesis_streams":
        return f"Logs go through FireLens to Kinesis Data Streams ({options.get('stream', 'a stream')})."
    if output == "s3":
        return f"Logs go through FireLens to S3 ({options.get('bucket', 'a bucket')})."
    if output in ("es", "opensearch"):
        return f"Logs go through FireLens to OpenSearch ({options.get('Host', 'a domain')})."
    return f"Logs go through FireLens to {output}."


def _other_driver(driver: str, options: dict[str, str]) -> str:
    if driver == "splunk":
        return f"Logs go to Splunk ({options.get('splunk-url', 'the configured HTTP Event Collector')})."
    if driver == "fluentd":
        return f"Logs go to Fluentd ({options.get('fluentd-address', 'localhost:24224')})."
    if driver == "gelf":
        return f"Logs go to a GELF endpoint ({options.get('gelf-address', 'configured on the instance')})."
    if driver == "syslog":
        return f"Logs go to syslog ({options.get('syslog-address', 'on the container instance')})."
    if driver == "journald":
        return "Logs go to the container instance's journald (journalctl on the instance)."
    if driver in ("json-file", "local"):
        return f"Logs stay on the container instance ({driver} driver: `docker logs` on the instance)."
    if driver == "none":
        return "Logging is off for this container (logDriver none)."
    return f"Logs go to the {driver} log driver, outside CloudWatch Logs."


def container_log_source(task: Task, definition: ContainerDefinition) -> LogSource:
    """Where one container of one task writes its logs."""
    options = dict(definition.log_options)
    driver = definition.log_driver
    if driver is None:
        return LogSource(definition.name, task.id, None, where="This container has no log configuration.")
    if driver == "awslogs":
        return _awslogs(task, definition, options)
    if driver == "awsfirelens":
        return LogSource(definition.name, task.id, driver, where=_firelens(definition.name, options))
    return LogSource(definition.name, task.id, driver, where=_other_driver(driver, options))


def task_log_sources(task: Task, definition: TaskDefinition) -> list[LogSource]:
    """One source per container of the task, in the definition's order."""
    return [container_log_source(task, container) for container in definition.containers]
