"""The auto-scaling part of a service form: a checkbox, then min, max, the metric tracked and its target value.

Embedded by the create-service dialog (and used alone by the autoscaling pane's dialogs). `read()` gives the
plan, None when auto scaling is off, or raises Invalidity with one sentence; what was typed stays.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select

from ecstui.aws.service_scaling import (
    MAXIMUM_TASKS,
    METRIC_CHOICES,
    MINIMUM_TASKS,
    MetricName,
    ServiceScalingPlan,
    TargetTrackingPlan,
    capacity_problem,
    parse_target_value,
)
from ecstui.aws.validation import Invalid
from ecstui.ui.dialogs.base import Invalidity, checked

# The console's default: keep the average CPU of the service's tasks near 70 %.
DEFAULT_TARGETS: dict[str, str] = {"cpu": "70", "memory": "70", "requests": "1000"}


class ScalingFields(Vertical):
    """Off by default; on, the service gets a scalable target (min..max) and a target-tracking policy.

    The resource label of the ALB-requests metric is not known until the load balancer exists: `read()` leaves
    it None and the service dialog fills it in from what load balancing prepared (dataclasses.replace).
    """

    DEFAULT_CSS = """
    ScalingFields { height: auto; }
    ScalingFields #scaling-settings { height: auto; display: none; }
    ScalingFields.on #scaling-settings { display: block; }
    ScalingFields Horizontal { height: auto; }
    ScalingFields .scaling-cell { width: 1fr; height: auto; }
    ScalingFields Label { color: $text-muted; padding-top: 1; }
    """

    def __init__(self, *, desired: int = 1, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desired = max(desired, 0)
        self.requests_available = False

    def _metric_options(self) -> list[tuple[str, str]]:
        metrics = ["cpu", "memory"] + (["requests"] if self.requests_available else [])
        return [(METRIC_CHOICES[m], m) for m in metrics]

    def compose(self) -> ComposeResult:
        yield Checkbox("Auto scale the tasks", False, id="scaling-enabled")
        with Vertical(id="scaling-settings"):
            with Horizontal():
                with Vertical(classes="scaling-cell"):
                    yield Label("Minimum tasks")
                    yield Input(str(max(self.desired, 1)), id="scaling-min")
                with Vertical(classes="scaling-cell"):
                    yield Label("Maximum tasks")
                    yield Input(str(max(self.desired * 2, 2)), id="scaling-max")
            with Horizontal():
                with Vertical(classes="scaling-cell"):
                    yield Label("Track")
                    yield Select(self._metric_options(), value="cpu", allow_blank=False, id="scaling-metric")
                with Vertical(classes="scaling-cell"):
                    yield Label("Target value")
                    yield Input(DEFAULT_TARGETS["cpu"], id="scaling-target")

    @property
    def enabled(self) -> bool:
        return self.query_one("#scaling-enabled", Checkbox).value

    @on(Checkbox.Changed, "#scaling-enabled")
    def _toggle(self, event: Checkbox.Changed) -> None:
        self.set_class(event.value, "on")

    @on(Select.Changed, "#scaling-metric")
    def _metric_changed(self, event: Select.Changed) -> None:
        # A default target that still stands follows the metric (70 % CPU is no request count).
        box = self.query_one("#scaling-target", Input)
        if box.value in DEFAULT_TARGETS.values() and isinstance(event.value, str):
            box.value = DEFAULT_TARGETS[event.value]

    def set_requests_available(self, available: bool) -> None:
        """Offer ALB requests per target only while the service will be behind an Application Load Balancer."""
        if available == self.requests_available:
            return
        self.requests_available = available
        select: Select[str] = self.query_one("#scaling-metric", Select)
        current = select.value
        select.set_options(self._metric_options())
        select.value = current if isinstance(current, str) and (available or current != "requests") else "cpu"

    def read(self) -> ServiceScalingPlan | None:
        """The plan, None when off; Invalidity with one sentence when min, max or the target is not right."""
        if not self.enabled:
            return None
        minimum = checked(MINIMUM_TASKS.parse(self.query_one("#scaling-min", Input).value))
        maximum = checked(MAXIMUM_TASKS.parse(self.query_one("#scaling-max", Input).value))
        problem: Invalid | None = capacity_problem(minimum, maximum)
        if problem is not None:
            raise Invalidity(str(problem))
        metric_value = self.query_one("#scaling-metric", Select).value
        metric: MetricName = metric_value if metric_value in ("cpu", "memory", "requests") else "cpu"
        if metric == "requests" and not self.requests_available:
            raise Invalidity("Tracking ALB requests per target needs the service behind an Application Load Balancer.")
        target = checked(parse_target_value(self.query_one("#scaling-target", Input).value, metric))
        return ServiceScalingPlan(minimum, maximum, TargetTrackingPlan(metric=metric, target=target))


__all__ = ["ScalingFields"]
