"""Stopping a task, with the reason ECS records on it."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Static

from ecstui.aws.models import Task
from ecstui.aws.validation import parse_stop_reason
from ecstui.ui.dialogs.base import ActionDialog, Invalidity, checked
from ecstui.ui.inert import inert


class StopTaskDialog(ActionDialog[Task]):
    confirm_label = "Stop task"
    confirm_variant = "error"
    destructive = True

    def __init__(self, cluster: str, task: Task, *, type_to_confirm: bool) -> None:
        self.cluster = cluster
        self.ecs_task = task
        self.type_to_confirm = type_to_confirm
        self.title_text = f"Stop task {task.id}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        service = self.ecs_task.service_name
        consequence = (
            f"Service {service} will start a replacement." if service else "Nothing will replace it (no service)."
        )
        yield Static(
            inert(
                f"Stop {self.ecs_task.id} ({self.ecs_task.task_definition}, {self.ecs_task.last_status}). {consequence}"
            )
        )
        yield Static("Reason (recorded on the task, up to 255 characters):", classes="field-label")
        yield Input("Stopped from ecstui", id="reason", select_on_focus=True)
        if self.type_to_confirm:
            yield Static(inert(f"Production profile: type {self.ecs_task.id[:8]!r} to confirm:"), classes="field-label")
            yield Input("", id="confirm-name")

    def validate(self) -> str:
        reason = checked(parse_stop_reason(self.query_one("#reason", Input).value))
        if self.type_to_confirm:
            typed = self.query_one("#confirm-name", Input).value.strip()
            if typed != self.ecs_task.id[:8]:
                raise Invalidity(f"Type {self.ecs_task.id[:8]!r} exactly to confirm.")
        return reason

    def perform(self, values: Any) -> Awaitable[Task]:
        return self.ecs_app.actions.stop_task(self.cluster, self.ecs_task.arn, str(values))

    def describe_success(self, result: Task) -> str:
        return f"Task {result.id}: stop requested ({result.desired_status})."
