"""The autoscaling pane's dialogs: min/max, a target value, add/delete a policy or a scheduled action, suspend."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Select, Static

from ecstui.aws.service_scaling import (
    MAXIMUM_TASKS,
    METRIC_CHOICES,
    MINIMUM_TASKS,
    NewScheduledAction,
    TargetTrackingPlan,
    capacity_problem,
    parse_target_value,
    policy_name,
    scheduled_action_problem,
)
from ecstui.aws.service_scaling_reader import ScalableTarget, ScalingPolicy, ScheduledAction
from ecstui.aws.validation import Invalid
from ecstui.ui.dialogs.base import ActionDialog, Invalidity, checked
from ecstui.ui.inert import inert, visible

# Fields side by side with a one-line label above each: the dialogs keep their buttons on an 80x24 screen.
COMPACT_CSS = """
    .scaling-row { height: auto; }
    .scaling-cell { width: 1fr; height: auto; }
    .scaling-label { color: $text-muted; height: 1; }
"""


def _field(label: str, widget: Input | Select[str]) -> Vertical:
    return Vertical(Static(label, classes="scaling-label"), widget, classes="scaling-cell")


def _refused(problem: Invalid | None) -> None:
    if problem is not None:
        raise Invalidity(str(problem))


class CapacityDialog(ActionDialog[None]):
    """New min and max of a service's scalable target (its desired count is kept within them)."""

    confirm_label = "Save"
    DEFAULT_CSS = COMPACT_CSS

    def __init__(self, target: ScalableTarget, desired: int | None) -> None:
        self.target = target
        self.desired = desired
        self.title_text = f"Min and max of {target.cluster}/{target.service}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        t = self.target
        desired = f", desired {self.desired}" if self.desired is not None else ""
        now = f"Now: {t.minimum} to {t.maximum} tasks{desired}"
        yield Static(inert(now + ". AAS keeps the desired count within min and max."))
        yield Horizontal(
            _field("Minimum tasks (0 to 5000)", Input(str(t.minimum), id="scaling-min", select_on_focus=True)),
            _field("Maximum tasks (0 to 5000)", Input(str(t.maximum), id="scaling-max", select_on_focus=True)),
            classes="scaling-row",
        )

    def validate(self) -> tuple[int, int]:
        minimum = checked(MINIMUM_TASKS.parse(self.query_one("#scaling-min", Input).value))
        maximum = checked(MAXIMUM_TASKS.parse(self.query_one("#scaling-max", Input).value))
        _refused(capacity_problem(minimum, maximum))
        if (minimum, maximum) == (self.target.minimum, self.target.maximum):
            raise Invalidity(f"{self.target.service} already scales from {minimum} to {maximum}; nothing to change.")
        return minimum, maximum

    def perform(self, values: Any) -> Awaitable[None]:
        minimum, maximum = values
        return self.ecs_app.scaling_actions.set_capacity(self.target.resource_id, minimum, maximum)

    def describe_success(self, result: None) -> str:
        return f"{self.target.service}: new min and max sent."


def _policy_options(policies: Sequence[ScalingPolicy]) -> list[tuple[str, str]]:
    return [(visible(f"{p.name}: {p.describe()}"), p.name) for p in policies]


class TargetValueDialog(ActionDialog[None]):
    """A target-tracking policy's new target value (the rest of the policy is sent as AWS holds it)."""

    confirm_label = "Save"

    def __init__(self, target: ScalableTarget, policies: Sequence[ScalingPolicy]) -> None:
        self.target = target
        self.policies = [p for p in policies if p.policy_type == "TargetTrackingScaling"]
        self.title_text = f"Target value of {target.service}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        first = self.policies[0]
        yield Static("Policy:", classes="field-label")
        yield Select(_policy_options(self.policies), value=first.name, allow_blank=False, id="scaling-policy")
        yield Static("New target value:", classes="field-label")
        yield Input(f"{first.target:g}" if first.target is not None else "", id="scaling-target", select_on_focus=True)

    def _policy(self) -> ScalingPolicy:
        name = self.query_one("#scaling-policy", Select).value
        return next((p for p in self.policies if p.name == name), self.policies[0])

    def validate(self) -> tuple[ScalingPolicy, float]:
        policy = self._policy()
        metric = policy.metric if policy.metric in ("cpu", "memory", "requests") else "requests"
        value = checked(parse_target_value(self.query_one("#scaling-target", Input).value, metric or "requests"))
        if value == policy.target:
            raise Invalidity(f"{policy.name} already tracks {value:g}; nothing to change.")
        return policy, value

    def perform(self, values: Any) -> Awaitable[None]:
        policy, value = values
        return self.ecs_app.scaling_actions.set_target_value(policy.ref(), value)

    def describe_success(self, result: None) -> str:
        return f"{self._policy().name}: new target value sent."


class AddPolicyDialog(ActionDialog[str]):
    """A target-tracking policy on average CPU or memory (ALB requests need the target group's label: they are
    offered when the service is created behind a load balancer)."""

    title_text = "Add a target-tracking policy"
    confirm_label = "Add policy"
    DEFAULT_CSS = COMPACT_CSS

    def __init__(self, target: ScalableTarget) -> None:
        self.target = target
        self.title_text = f"Add a target-tracking policy to {target.service}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        options = [(METRIC_CHOICES[m], m) for m in ("cpu", "memory")]
        yield Horizontal(
            _field("Track", Select(options, value="cpu", allow_blank=False, id="policy-metric")),
            _field("Target value (%)", Input("70", id="policy-target", select_on_focus=True)),
            classes="scaling-row",
        )
        yield _field(
            "Policy name (empty: <service>-<metric>-target-tracking)",
            Input("", placeholder=policy_name(self.target.service, "cpu"), id="policy-name"),
        )
        yield Checkbox("Disable scale-in (the policy only adds tasks)", False, id="policy-no-scale-in")

    def validate(self) -> tuple[str, TargetTrackingPlan]:
        metric = self.query_one("#policy-metric", Select).value
        metric = metric if metric in ("cpu", "memory") else "cpu"
        value = checked(parse_target_value(self.query_one("#policy-target", Input).value, str(metric)))
        name = self.query_one("#policy-name", Input).value.strip() or policy_name(self.target.service, str(metric))
        if len(name) > 256 or any(c in name for c in ":/|") or not name.isprintable():
            raise Invalidity("A policy's name is 1 to 256 printable characters without ':', '/' or '|'.")
        plan = TargetTrackingPlan(
            metric="memory" if metric == "memory" else "cpu",
            target=value,
            disable_scale_in=self.query_one("#policy-no-scale-in", Checkbox).value,
        )
        return name, plan

    def perform(self, values: Any) -> Awaitable[str]:
        name, plan = values
        return self.ecs_app.scaling_actions.put_target_tracking(self.target.resource_id, name, plan)

    def describe_success(self, result: str) -> str:
        return f"{self.target.service}: policy added."


class DeletePolicyDialog(ActionDialog[None]):
    title_text = "Delete a scaling policy"
    confirm_label = "Delete policy"
    confirm_variant = "error"
    destructive = True

    def __init__(self, target: ScalableTarget, policies: Sequence[ScalingPolicy]) -> None:
        self.target = target
        self.policies = list(policies)
        self.title_text = f"Delete a scaling policy of {target.service}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Static("Policy to delete (its alarms go with it):", classes="field-label")
        options = _policy_options(self.policies)
        yield Select(options, value=self.policies[0].name, allow_blank=False, id="delete-policy")

    def validate(self) -> str:
        return str(self.query_one("#delete-policy", Select).value)

    def perform(self, values: Any) -> Awaitable[None]:
        return self.ecs_app.scaling_actions.delete_policy(self.target.resource_id, str(values))

    def describe_success(self, result: None) -> str:
        return f"{self.target.service}: policy {self.validate()} deleted."


class ScheduledActionDialog(ActionDialog[None]):
    """A scheduled action: at its schedule (in its time zone), min and/or max change."""

    confirm_label = "Add scheduled action"
    DEFAULT_CSS = COMPACT_CSS

    def __init__(self, target: ScalableTarget) -> None:
        self.target = target
        self.title_text = f"Schedule min/max of {target.service}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Horizontal(
            _field("Name", Input("", placeholder="nightly-scale-down", id="scheduled-name")),
            _field("Time zone (empty: UTC)", Input("", placeholder="Europe/Paris", id="scheduled-zone")),
            classes="scaling-row",
        )
        yield _field(
            "Schedule  at(yyyy-mm-ddThh:mm:ss) | rate(1 day) | cron(6 fields)",
            Input("", placeholder="cron(0 22 * * ? *)", id="scheduled-schedule"),
        )
        yield Horizontal(
            _field("New minimum (empty: unchanged)", Input(str(self.target.minimum), id="scheduled-min")),
            _field("New maximum (empty: unchanged)", Input(str(self.target.maximum), id="scheduled-max")),
            classes="scaling-row",
        )

    def validate(self) -> NewScheduledAction:
        minimum = checked(MINIMUM_TASKS.parse_optional(self.query_one("#scheduled-min", Input).value))
        maximum = checked(MAXIMUM_TASKS.parse_optional(self.query_one("#scheduled-max", Input).value))
        action = NewScheduledAction(
            name=self.query_one("#scheduled-name", Input).value,
            schedule=self.query_one("#scheduled-schedule", Input).value,
            time_zone=self.query_one("#scheduled-zone", Input).value.strip() or None,
            minimum=minimum,
            maximum=maximum,
        )
        _refused(scheduled_action_problem(action))
        return action

    def perform(self, values: Any) -> Awaitable[None]:
        return self.ecs_app.scaling_actions.put_scheduled_action(self.target.resource_id, values)

    def describe_success(self, result: None) -> str:
        return f"{self.target.service}: scheduled action added."


class DeleteScheduledActionDialog(ActionDialog[None]):
    title_text = "Delete a scheduled action"
    confirm_label = "Delete scheduled action"
    confirm_variant = "error"
    destructive = True

    def __init__(self, target: ScalableTarget, actions: Sequence[ScheduledAction]) -> None:
        self.target = target
        self.actions = list(actions)
        self.title_text = f"Delete a scheduled action of {target.service}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        options = [(visible(f"{a.name}: {a.schedule} {a.time_zone or 'UTC'}"), a.name) for a in self.actions]
        yield Static("Scheduled action to delete:", classes="field-label")
        yield Select(options, value=self.actions[0].name, allow_blank=False, id="delete-scheduled")

    def validate(self) -> str:
        return str(self.query_one("#delete-scheduled", Select).value)

    def perform(self, values: Any) -> Awaitable[None]:
        return self.ecs_app.scaling_actions.delete_scheduled_action(self.target.resource_id, str(values))

    def describe_success(self, result: None) -> str:
        return f"{self.target.service}: scheduled action {self.validate()} deleted."


__all__ = [
    "AddPolicyDialog",
    "CapacityDialog",
    "DeletePolicyDialog",
    "DeleteScheduledActionDialog",
    "ScheduledActionDialog",
    "TargetValueDialog",
]
