"""`:autoscaling`: every auto-scaled ECS service of the region, with its policies, schedules and recent activity.

A row per scalable target (min, max, desired, suspended, policies); below the table the selected target's
policies, scheduled actions and recent scaling activities. The region's targets and policies are read in pages
of 50; desired counts by one DescribeServices per 10 scaled services; the detail only for the selected row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Static

from ecstui.aws.errors import AwsError
from ecstui.aws.service_scaling_reader import ScalableTarget, ScalingPolicy, TargetDetail
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.dialogs.scaling import (
    AddPolicyDialog,
    CapacityDialog,
    DeletePolicyDialog,
    DeleteScheduledActionDialog,
    ScheduledActionDialog,
    TargetValueDialog,
)
from ecstui.ui.format import BAD, DIM, GOOD, WARN, timestamp
from ecstui.ui.inert import inert, notify_inert
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.one_line import OneLine
from ecstui.ui.widgets.resource_table import Cell, Column, ResourceTable

# Activities shown under the table: the most recent ones (DescribeScalingActivities answers newest first).
ACTIVITIES_SHOWN = 8


@dataclass(frozen=True)
class ScalingRow:
    target: ScalableTarget
    desired: int | None
    running: int | None
    policies: tuple[ScalingPolicy, ...]

    @property
    def key(self) -> str:
        return self.target.resource_id


def _policy_summary(policies: Sequence[ScalingPolicy]) -> str:
    if not policies:
        return "no policy"
    parts = []
    for p in policies:
        if p.policy_type == "TargetTrackingScaling":
            what = {"cpu": "CPU", "memory": "memory", "requests": "requests"}.get(p.metric or "", p.metric or "?")
            unit = "%" if p.metric in ("cpu", "memory") else ""
            parts.append(f"{what} {p.target:g}{unit}" if p.target is not None else what)
        elif p.policy_type == "StepScaling":
            parts.append("steps")
        else:
            parts.append(p.policy_type)
    return ", ".join(parts)


class AutoScalingScreen(ListScreen[ScalingRow]):
    kind = "Auto scaling"
    columns = (
        Column("service", "Cluster/service", priority=Priority.IDENTITY),
        Column("min", "Min", priority=Priority.ESSENTIAL),
        Column("max", "Max", priority=Priority.ESSENTIAL),
        Column("desired", "Desired", priority=Priority.ESSENTIAL),
        Column("running", "Running", priority=Priority.ESSENTIAL),
        Column("state", "State"),
        Column("policies", "Policies"),
    )
    sort_column = "service"

    BINDINGS = [
        Binding("m", "capacity", "Min/max", id="autoscaling.capacity"),
        Binding("t", "target_value", "Target value", id="autoscaling.target"),
        Binding("p", "add_policy", "Add policy", id="autoscaling.add_policy"),
        Binding("P", "delete_policy", "Delete policy", id="autoscaling.delete_policy"),
        Binding("c", "add_scheduled", "Schedule", id="autoscaling.add_scheduled"),
        Binding("C", "delete_scheduled", "Delete schedule", id="autoscaling.delete_scheduled"),
        Binding("z", "suspend", "Suspend/resume", id="autoscaling.suspend"),
        Binding("v", "view", "Service", id="autoscaling.view"),
    ]

    DEFAULT_CSS = """
    AutoScalingScreen ResourceTable { height: 1fr; }
    AutoScalingScreen #scaling-detail { height: 1fr; border-top: solid $accent; padding: 0 1; }
    """

    def __init__(self, filter_text: str = "") -> None:
        self.initial_filter = filter_text
        self.details: dict[str, TargetDetail] = {}
        self._fetched_detail: tuple[str, TargetDetail] | None = None
        super().__init__()

    def compose(self) -> ComposeResult:
        yield from self.compose_context()
        with Vertical():
            yield OneLine(self._title_text(), id="pane-title")
            yield Static("", id="pane-error")
            yield Input(placeholder="filter: type to narrow rows, enter to keep, escape to clear", id="pane-filter")
            yield ResourceTable(self.columns, sort_column=self.sort_column, id="pane-table")
            with VerticalScroll(id="scaling-detail"):
                yield Static("", id="scaling-detail-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.initial_filter:
            self.table.set_filter(self.initial_filter)

    def subject(self) -> str:
        return f"ECS services of {self.ecs_app.session.region or 'the region'}"

    async def fetch(self) -> Sequence[ScalingRow]:
        scaling = self.ecs_app.scaling
        targets = await scaling.targets()
        policies = await scaling.policies()
        by_resource: dict[str, list[ScalingPolicy]] = defaultdict(list)
        for policy in policies:
            by_resource[policy.resource_id].append(policy)
        by_cluster: dict[str, list[str]] = defaultdict(list)
        for target in targets:
            by_cluster[target.cluster].append(target.service)
        counts: dict[str, tuple[int, int]] = {}
        for cluster, names in by_cluster.items():
            try:
                services = await self.ecs_app.reader.describe_services(cluster, names)
            except AwsError:
                continue  # a cluster gone or unreadable: its rows show no desired count rather than no rows
            for service in services:
                counts[f"service/{cluster}/{service.name}"] = (service.desired, service.running)
        rows = [
            ScalingRow(
                t,
                counts.get(t.resource_id, (None, None))[0],
                counts.get(t.resource_id, (None, None))[1],
                tuple(by_resource.get(t.resource_id, ())),
            )
            for t in targets
        ]
        # The selected row's detail comes with the listing, so the two are shown together.
        chosen = self.table.selected_key if self.is_mounted else None
        if chosen is None or chosen not in {r.key for r in rows}:
            chosen = self._first_shown(rows)
        self._fetched_detail = (chosen, await scaling.detail(chosen)) if chosen is not None else None
        return rows

    def _first_shown(self, rows: Sequence[ScalingRow]) -> str | None:
        text = self.table.filter_text.lower() if self.is_mounted else self.initial_filter.lower()
        shown = [r for r in rows if not text or text in f"{r.target.cluster}/{r.target.service}".lower()]
        return min(shown, key=lambda r: (r.target.cluster, r.target.service)).key if shown else None

    def _apply(self, result: object) -> None:
        super()._apply(result)
        if self._fetched_detail is not None:
            resource, detail = self._fetched_detail
            self.details[resource] = detail
        self._render_detail()

    def action_refresh_now(self) -> None:
        # ctrl+r asks AWS again, not the reader's few-second cache (which spares the pane's polls and its dialogs).
        self.ecs_app.scaling.forget()
        super().action_refresh_now()

    def row_key(self, item: ScalingRow) -> str:
        return item.key

    def row_cells(self, item: ScalingRow) -> tuple[Cell, ...]:
        t = item.target
        state = t.suspended.describe()
        desired = "-" if item.desired is None else str(item.desired)
        at_edge = item.desired is not None and item.desired >= t.maximum
        return (
            Text(f"{t.cluster}/{t.service}", style="bold"),
            str(t.minimum),
            str(t.maximum),
            Text(desired, style=WARN if at_edge else ""),
            "-" if item.running is None else str(item.running),
            Text(state, style=WARN if t.suspended.any else GOOD),
            _policy_summary(item.policies),
        )

    def open_item(self, item: ScalingRow) -> None:
        self.ecs_app.open_tasks(item.target.cluster, item.target.service)

    # -- detail of the selected target ----------------------------------------------------------
    @on(DataTable.RowHighlighted, "#pane-table")
    def _selection_moved(self, event: DataTable.RowHighlighted) -> None:
        item = self.selected
        if item is None:
            return
        self._render_detail()
        if item.key not in self.details:
            self._load_detail(item.key)

    @work(exclusive=True, group="scaling-detail", exit_on_error=False)
    async def _load_detail(self, resource: str) -> None:
        try:
            self.details[resource] = await self.ecs_app.scaling.detail(resource)
        except AwsError as exc:
            notify_inert(self, f"Reading the scaling of {resource} failed: {exc.message}", severity="warning")
            return
        self._render_detail()

    def _render_detail(self) -> None:
        box = self.query_one("#scaling-detail-text", Static)
        item = self.selected
        if item is None:
            box.update(Text("No auto-scaled ECS service here. Services get auto scaling when created (n).", style=DIM))
            return
        box.update(self.detail_text(item, self.details.get(item.key)))

    def detail_text(self, item: ScalingRow, detail: TargetDetail | None) -> Text:
        t = item.target
        text = Text()
        text.append_text(inert(f"{t.cluster}/{t.service}", "bold"))
        text.append(f"  min {t.minimum}  max {t.maximum}  desired {item.desired if item.desired is not None else '-'}")
        text.append(f"  {t.suspended.describe()}", style=WARN if t.suspended.any else GOOD)
        text.append("\nPolicies", style="bold")
        if not item.policies:
            text.append("  none: nothing moves the desired count but scheduled actions (p adds one)", style=DIM)
        for policy in item.policies:
            text.append("\n  ")
            text.append_text(inert(policy.name, "cyan"))
            text.append("  ")
            text.append_text(inert(policy.describe()))
        text.append("\nScheduled actions", style="bold")
        if detail is None:
            text.append("  loading…", style=DIM)
            return text
        if not detail.scheduled_actions:
            text.append("  none (c adds one)", style=DIM)
        for action in detail.scheduled_actions:
            text.append("\n  ")
            text.append_text(inert(action.name, "cyan"))
            text.append("  ")
            text.append_text(inert(action.schedule))
            text.append_text(inert(f" {action.time_zone or 'UTC'}", DIM))
            text.append(f"  min {'-' if action.minimum is None else action.minimum}")
            text.append(f" max {'-' if action.maximum is None else action.maximum}")
        text.append("\nRecent activities", style="bold")
        if not detail.activities:
            text.append("  none yet", style=DIM)
        for activity in detail.activities[:ACTIVITIES_SHOWN]:
            text.append(f"\n  {timestamp(activity.started_at)}  ", style=DIM)
            ok = activity.status == "Successful"
            text.append_text(inert(activity.status, GOOD if ok else BAD if activity.status == "Failed" else WARN))
            text.append("  ")
            text.append_text(inert(activity.description))
            text.append("\n    cause: ", style=DIM)
            text.append_text(inert(activity.cause, DIM))
            if activity.status_message and not ok:
                text.append("\n    ")
                text.append_text(inert(activity.status_message, BAD))
        return text

    # -- actions --------------------------------------------------------------------------------
    def _chosen(self, what: str) -> ScalingRow | None:
        item = self.selected
        if item is None:
            notify_inert(self, "No auto-scaled service is selected.", severity="warning")
            return None
        return item if self.ecs_app.can_mutate(what) else None

    def action_capacity(self) -> None:
        if (item := self._chosen("editing min and max")) is not None:
            self.app.push_screen(CapacityDialog(item.target, item.desired))

    def action_target_value(self) -> None:
        if (item := self._chosen("editing a target value")) is None:
            return
        if not any(p.policy_type == "TargetTrackingScaling" for p in item.policies):
            notify_inert(self, f"{item.target.service} has no target-tracking policy: p adds one.", severity="warning")
            return
        self.app.push_screen(TargetValueDialog(item.target, item.policies))

    def action_add_policy(self) -> None:
        if (item := self._chosen("adding a policy")) is not None:
            self.app.push_screen(AddPolicyDialog(item.target))

    def action_delete_policy(self) -> None:
        if (item := self._chosen("deleting a policy")) is None:
            return
        if not item.policies:
            notify_inert(self, f"{item.target.service} has no scaling policy.", severity="warning")
            return
        self.app.push_screen(DeletePolicyDialog(item.target, item.policies))

    def action_add_scheduled(self) -> None:
        if (item := self._chosen("scheduling min and max")) is not None:
            self.app.push_screen(ScheduledActionDialog(item.target))

    def action_delete_scheduled(self) -> None:
        if (item := self._chosen("deleting a scheduled action")) is None:
            return
        detail = self.details.get(item.key)
        if detail is None or not detail.scheduled_actions:
            notify_inert(self, f"{item.target.service} has no scheduled action.", severity="warning")
            return
        self.app.push_screen(DeleteScheduledActionDialog(item.target, detail.scheduled_actions))

    def action_suspend(self) -> None:
        if (item := self._chosen("suspending scaling")) is None:
            return
        t = item.target
        resume = t.suspended.any
        actions = self.ecs_app.scaling_actions
        question = (
            f"Resume the auto scaling of {t.service}: its policies and scheduled actions act again."
            if resume
            else f"Suspend the auto scaling of {t.service}: no policy scales it in or out and no scheduled action "
            f"runs until it is resumed (min {t.minimum} and max {t.maximum} are kept)."
        )
        self.app.push_screen(
            ConfirmDialog(
                f"{'Resume' if resume else 'Suspend'} scaling of {t.service}",
                question,
                lambda: actions.set_suspended(t.resource_id, not resume),
                confirm_label="Resume" if resume else "Suspend",
                success=f"{t.service}: auto scaling {'resumed' if resume else 'suspended'}.",
            )
        )

    def action_view(self) -> None:
        if (item := self.selected) is not None:
            self.ecs_app.open_service(item.target.cluster, item.target.service)

    def palette_commands(self) -> list[PaletteCommand]:
        item = self.selected
        if item is None:
            return []
        name = item.target.service
        return [
            PaletteCommand(f"Min/max of {name}", "Edit the scalable target's capacity", self.action_capacity),
            PaletteCommand(f"Target value of {name}", "Edit a target-tracking policy", self.action_target_value),
            PaletteCommand(f"Add a policy to {name}", "Target tracking on CPU or memory", self.action_add_policy),
            PaletteCommand(f"Schedule min/max of {name}", "A scheduled action", self.action_add_scheduled),
            PaletteCommand(f"Suspend or resume {name}", "Its policies and scheduled actions", self.action_suspend),
        ]


__all__ = ["AutoScalingScreen", "ScalingRow"]
