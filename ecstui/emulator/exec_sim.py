"""ECS Exec in the simulated account: the ExecuteCommandAgent ECS runs beside each container of a task started
with enableExecuteCommand, and the task-role permissions the demo's exec-enabled services have (or lack)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ecstui.emulator.exec_api import EXEC_AGENT, SSM_MESSAGES_ACTIONS

# The demo's exec-enabled services whose task role lacks the ssmmessages actions: the shell's readiness check
# has a missing piece to explain, and ExecuteCommand fails as it does on AWS then (TargetNotConnectedException).
ROLES_WITHOUT_SSM_MESSAGES = frozenset({"payments-task"})


def set_agents(task: Any, status: str, now: datetime | None = None) -> None:
    """Give each container of an exec-enabled task its ExecuteCommandAgent in `status` (PENDING, RUNNING,
    STOPPED), as ECS reports it in DescribeTasks' containers[].managedAgents; other tasks have none."""
    if not getattr(task, "enable_execute_command", False):
        return
    for container in task.containers or []:
        agent: dict[str, Any] = {"name": EXEC_AGENT, "lastStatus": status}
        if status == "RUNNING" and now is not None:
            agent["lastStartedAt"] = now
        container.managed_agents = [agent]


def grant_exec_channels(iam: Any, role_names: list[str]) -> None:
    """The inline policy AWS's ECS Exec guide gives task roles (the four ssmmessages actions), on each role but
    those in ROLES_WITHOUT_SSM_MESSAGES."""
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(SSM_MESSAGES_ACTIONS), "Resource": "*"}],
        }
    )
    for name in role_names:
        if name not in ROLES_WITHOUT_SSM_MESSAGES:
            iam.put_role_policy(RoleName=name, PolicyName="ecs-exec-channels", PolicyDocument=document)


__all__ = ["ROLES_WITHOUT_SSM_MESSAGES", "grant_exec_channels", "set_agents"]
