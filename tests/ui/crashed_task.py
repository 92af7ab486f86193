"""The demo's crash-looping task, as the task-pane tests and snapshots open it."""

from __future__ import annotations

from typing import Any

from ecstui.aws.session import AwsTarget
from tests.conftest import boto_client


def newest_stopped_task(target: AwsTarget, emulator: Any, cluster: str = "batch", service: str = "email-sender") -> str:
    """The ARN of the service's newest task that has fully stopped (read over HTTP, as a user's console would)."""
    ecs = boto_client(emulator, "ecs")
    arns = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
    stopped = [t for t in tasks if t.get("group") == f"service:{service}" and t.get("lastStatus") == "STOPPED"]
    assert stopped, f"no stopped task of {service}"
    return str(max(stopped, key=lambda t: (t["stoppedAt"], t["taskArn"]))["taskArn"])
