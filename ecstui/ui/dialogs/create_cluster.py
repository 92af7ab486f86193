"""The create-cluster dialog: a name, its compute (Fargate, Fargate Spot, EC2 capacity from an Auto Scaling group),
the default strategy, and Container Insights.

EC2 capacity attaches one of the account's Auto Scaling groups through a capacity provider named
`<cluster>-<group>`; ecstui launches no instances, so the group (with its launch template) must exist first,
and the dialog says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable
from typing import Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Select, Static

from ecstui.aws.autoscaling_groups import AutoScalingGroup
from ecstui.aws.capacity_providers import capacity_provider_name
from ecstui.aws.cluster_capacity import TARGET_CAPACITY, Ec2Capacity, NewCluster, new_cluster_problem
from ecstui.aws.errors import AwsError
from ecstui.aws.models import CapacityProviderStrategyItem as Item
from ecstui.aws.models import Cluster
from ecstui.aws.validation import parse_cluster_name
from ecstui.ui.dialogs.base import ActionDialog, Invalidity, checked
from ecstui.ui.inert import inert
from ecstui.ui.widgets.picker import Choice, Picker

OUT_OF_SCOPE_NOTE: Final = (
    "ecstui launches no instances: create the Auto Scaling group with its launch template first; ecstui attaches it."
)
# The default strategy's choices, by key; which are offered depends on the compute chosen.
_FARGATE, _SPOT, _MIX, _EC2, _NONE = "fargate", "spot", "fargate-then-spot", "ec2", "none"


def group_detail(group: AutoScalingGroup) -> str:
    """'2 instances · min 1, max 4, desired 2 · template web-lt (v$Default) · scale-in protected'."""
    parts = [f"{group.instances} instance{'s' if group.instances != 1 else ''}", group.sizes]
    parts.append(group.launches or "launches nothing (no launch template)")
    if group.new_instances_protected_from_scale_in:
        parts.append("scale-in protected")
    return " · ".join(parts)


class CreateClusterDialog(ActionDialog[Cluster]):
    """Name, compute and its default strategy, Container Insights -> CreateCapacityProvider, CreateCluster,
    PutClusterCapacityProviders."""

    title_text = "Create cluster"
    confirm_label = "Create"

    DEFAULT_CSS = """
    CreateClusterDialog #providers { height: auto; }
    CreateClusterDialog #providers Checkbox { margin-right: 1; }
    CreateClusterDialog #ec2-capacity { height: auto; display: none; padding-left: 1;
        border-left: tall $accent-darken-2; }
    CreateClusterDialog #scaling-row { height: auto; }
    CreateClusterDialog #scaling-row > Checkbox { width: auto; }
    CreateClusterDialog #target-capacity { width: 12; }
    CreateClusterDialog #target-label { padding: 1 1 0 2; color: $text-muted; width: auto; }
    CreateClusterDialog .note { color: $text-muted; height: auto; }
    """

    def __init__(self, existing: set[str] | None = None) -> None:
        super().__init__()
        self.existing = existing or set()
        self.groups: dict[str, AutoScalingGroup] = {}
        self._offered: list[str] = [_FARGATE, _NONE]  # the strategies offered, by key

    # -- shape -----------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static("Name (letters, numbers, hyphens, underscores):", classes="field-label")
        yield Input(id="cluster-name", placeholder="e.g. payments-prod")
        yield Static("Compute:", classes="field-label")
        yield Horizontal(
            Checkbox("FARGATE", True, id="cp-FARGATE"),
            Checkbox("FARGATE_SPOT", False, id="cp-FARGATE_SPOT"),
            Checkbox("EC2 (Auto Scaling)", False, id="cp-EC2"),
            id="providers",
        )
        with Vertical(id="ec2-capacity"):
            yield Static(inert(OUT_OF_SCOPE_NOTE), classes="note")
            yield Static("Auto Scaling group:", classes="field-label")
            yield Picker(what="Auto Scaling group", id="asg")
            with Horizontal(id="scaling-row"):
                yield Checkbox("Managed scaling", True, id="managed-scaling")
                yield Static("target capacity %:", id="target-label")
                yield Input("100", id="target-capacity", restrict=r"[0-9]*", max_length=3)
            yield Checkbox(
                "Managed termination protection",
                False,
                id="termination-protection",
                disabled=True,
            )
            yield Static("", id="provider-name", classes="note")
        yield Static("Default capacity provider strategy:", classes="field-label")
        yield Select[str](self._strategy_options(), value=_FARGATE, allow_blank=False, id="strategy")
        yield Static("Monitoring:", classes="field-label")
        yield Checkbox("Container Insights (CloudWatch metrics of the cluster, billed)", False, id="insights")

    def on_mount(self) -> None:
        self.initial_focus().focus()
        self.query_one("#asg", Picker).show_loading()
        self._load_groups()

    @work(exclusive=True, group="dialog-groups", exit_on_error=False)
    async def _load_groups(self) -> None:
        picker = self.query_one("#asg", Picker)
        try:
            groups = await self.ecs_app.autoscaling_groups.groups()
        except AwsError as error:
            picker.show_error(f"The Auto Scaling groups could not be read: {error.message}")
            return
        self.groups = {group.name: group for group in groups}
        picker.set_choices(Choice(g.name, g.name, group_detail(g)) for g in groups)

    # -- what is offered follows what is chosen -----------------------------------------------------
    def _checked(self, id: str) -> bool:
        return self.query_one(f"#{id}", Checkbox).value

    def _group(self) -> AutoScalingGroup | None:
        name = self.query_one("#asg", Picker).value
        return self.groups.get(name) if name else None

    def _ec2_provider(self) -> str:
        """The EC2 capacity provider's name as it will be, or its pattern while the cluster or group is missing."""
        group = self._group()
        name = self.query_one("#cluster-name", Input).value.strip()
        if not name or group is None:
            return f"{name or '<cluster>'}-{group.name if group else '<group>'}"
        return capacity_provider_name(name, group.name)

    def _strategy_options(self) -> list[tuple[Text, str]]:
        fargate = self._checked("cp-FARGATE") if self.is_mounted else True
        spot = self._checked("cp-FARGATE_SPOT") if self.is_mounted else False
        ec2 = self._checked("cp-EC2") if self.is_mounted else False
        options: list[tuple[str, str]] = []
        if fargate:
            options.append(("FARGATE", _FARGATE))
        if spot:
            options.append(("FARGATE_SPOT", _SPOT))
        if fargate and spot:
            options.append(("FARGATE for the first task, then 1 FARGATE to 3 FARGATE_SPOT", _MIX))
        if ec2:
            options.append((f"EC2: {self._ec2_provider() if self.is_mounted else ''}", _EC2))
        options.append(("None (each service and task says where it runs)", _NONE))
        return [(inert(label), key) for label, key in options]

    @on(Checkbox.Changed)
    @on(Input.Changed, "#cluster-name")
    @on(Picker.Changed, "#asg")
    def _compute_changed(self) -> None:
        # Set on the widget, not through a class: a class takes effect at the next styles update, and a tab
        # typed right after the space (a burst over SSH) would skip the fields it shows.
        self.query_one("#ec2-capacity").display = self._checked("cp-EC2")
        group = self._group()
        protection = self.query_one("#termination-protection", Checkbox)
        protectable = group is not None and group.new_instances_protected_from_scale_in
        protection.disabled = not (protectable and self._checked("managed-scaling"))
        if protection.disabled:
            protection.value = False
        self.query_one("#target-capacity", Input).disabled = not self._checked("managed-scaling")
        self.query_one("#provider-name", Static).update(
            inert(
                f"Capacity provider: {self._ec2_provider()} (deleted with the cluster). Termination protection needs "
                "a group that protects new instances from scale-in."
            )
        )
        strategy = self.query_one("#strategy", Select)
        was = strategy.value
        options = self._strategy_options()
        keys = [key for _, key in options]
        offered_before, self._offered = self._offered, keys
        strategy.set_options(options)
        # "None" was only a choice while nothing else was offered: the first compute chosen becomes the default.
        kept = was in keys and not (was == _NONE and offered_before == [_NONE])
        strategy.value = was if kept else keys[0]

    # -- reading -----------------------------------------------------------------------------------
    def _default_strategy(self, ec2_provider: str | None) -> tuple[Item, ...]:
        chosen = self.query_one("#strategy", Select).value
        if chosen == _FARGATE:
            return (Item("FARGATE", weight=1),)
        if chosen == _SPOT:
            return (Item("FARGATE_SPOT", weight=1),)
        if chosen == _MIX:
            return (Item("FARGATE", weight=1, base=1), Item("FARGATE_SPOT", weight=3))
        if chosen == _EC2 and ec2_provider:
            return (Item(ec2_provider, weight=1),)
        return ()

    def validate(self) -> NewCluster:
        name = checked(parse_cluster_name(self.query_one("#cluster-name", Input).value))
        if name in self.existing:
            # CreateCluster on an existing name answers with that cluster, as if it had made it.
            raise Invalidity(f"A cluster named {name!r} already exists.")
        ec2: Ec2Capacity | None = None
        if self._checked("cp-EC2"):
            group = self._group()
            if group is None:
                raise Invalidity("Choose the Auto Scaling group that gives the cluster its EC2 capacity.")
            if not group.arn:
                raise Invalidity(f"Auto Scaling group {group.name} came without its ARN: reopen the dialog.")
            managed = self._checked("managed-scaling")
            target = checked(TARGET_CAPACITY.parse(self.query_one("#target-capacity", Input).value)) if managed else 100
            ec2 = Ec2Capacity(
                group_name=group.name,
                group_arn=group.arn,
                managed_scaling=managed,
                target_capacity=target,
                managed_termination_protection=self._checked("termination-protection"),
                group_protects_new_instances=group.new_instances_protected_from_scale_in,
            )
        plan = NewCluster(
            name=name,
            fargate=self._checked("cp-FARGATE"),
            fargate_spot=self._checked("cp-FARGATE_SPOT"),
            ec2=ec2,
            container_insights="enabled" if self._checked("insights") else "disabled",
        )
        # The EC2 provider's name follows from the cluster's and the group's.
        plan = dataclasses.replace(plan, default_strategy=self._default_strategy(plan.ec2_provider))
        problem = new_cluster_problem(plan)
        if problem is not None:
            raise Invalidity(problem)
        return plan

    def perform(self, values: NewCluster) -> Awaitable[Cluster]:
        return self.ecs_app.cluster_capacity.create_cluster_with_capacity(values)

    def describe_success(self, result: Cluster) -> str:
        providers = ", ".join(result.capacity_providers) or "no capacity providers"
        return f"Created cluster {result.name} ({providers})."


__all__ = ["OUT_OF_SCOPE_NOTE", "CreateClusterDialog", "group_detail"]
