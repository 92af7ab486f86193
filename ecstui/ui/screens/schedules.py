"""`:schedules`: every Scheduler schedule and EventBridge rule that starts tasks in a cluster of the region."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from ecstui.aws.models import Task
from ecstui.aws.resource_ref import ResourceRef, rule_ref, schedule_ref
from ecstui.aws.schedule_expression import Rate, describe, when_text
from ecstui.aws.schedules import ScheduledTask
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.format import DIM, GOOD, WARN, age
from ecstui.ui.inert import make_inert, notify_inert
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.one_line import OneLine
from ecstui.ui.widgets.resource_table import Cell, Column, ResourceTable


@dataclass(frozen=True)
class ScheduleRow:
    """A schedule and the tasks it started most recently (newest first)."""

    schedule: ScheduledTask
    runs: tuple[Task, ...]


def _run_text(task: Task, now: datetime) -> str:
    started = task.created_at or task.started_at
    text = f"{task.id[:8]} {task.last_status.lower()}"
    return f"{text} {age(started, now)} ago" if started else text


def _next_text(schedule: ScheduledTask, now: datetime) -> Text | str:
    upcoming = schedule.next_run(now)
    if upcoming is not None:
        return when_text(upcoming, schedule.time_zone)
    expression = schedule.expression
    if schedule.enabled and isinstance(expression, Rate):
        # A rule's rate counts from when it was created, which EventBridge does not say.
        return f"within {describe(expression).removeprefix('every ')}"
    return Text("-", style=DIM)


class SchedulesScreen(ListScreen[ScheduleRow], ResourceKeys):
    kind = "Scheduled tasks"
    columns = (
        Column("name", "Name", priority=Priority.IDENTITY),
        Column("kind", "Kind"),
        Column("when", "When", priority=Priority.ESSENTIAL),
        Column("state", "State", priority=Priority.ESSENTIAL),
        Column("next", "Next run"),
        Column("taskdef", "Task definition", priority=Priority.DETAIL),
        Column("cluster", "Cluster", priority=Priority.DETAIL),
        Column("last", "Last run"),
    )
    sort_column = "name"

    BINDINGS = [
        Binding("n", "new", "New", id="schedules.new"),
        Binding("e", "edit", "Edit", id="schedules.edit"),
        Binding("t", "toggle_enabled", "Enable/disable", id="schedules.toggle"),
        Binding("R", "run_now", "Run now", id="schedules.run_now"),
        Binding("ctrl+d", "delete", "Delete", id="schedules.delete"),
    ]

    DEFAULT_CSS = """
    SchedulesScreen #schedule-detail { height: auto; max-height: 9; padding: 0 1; border-top: solid $primary; }
    """

    def compose(self) -> ComposeResult:
        yield from self.compose_context()
        with Vertical():
            yield OneLine(self._title_text(), id="pane-title")
            yield Static("", id="pane-error")
            yield Input(placeholder="filter: type to narrow rows, enter to keep, escape to clear", id="pane-filter")
            yield ResourceTable(self.columns, sort_column=self.sort_column, id="pane-table")
            yield Static("", id="schedule-detail")
        yield KeyFooter()

    def subject(self) -> str:
        return "Scheduler schedules and EventBridge rules targeting a cluster"

    async def fetch(self) -> Sequence[ScheduleRow]:
        app = self.ecs_app
        clusters = [cluster.arn for cluster in await app.reader.clusters()]
        schedules = await app.schedules.scheduled_tasks(clusters)
        runs = await asyncio.gather(*(app.schedules.last_runs(s) for s in schedules))
        return [ScheduleRow(s, tuple(r)) for s, r in zip(schedules, runs, strict=True)]

    def row_key(self, item: ScheduleRow) -> str:
        return item.schedule.key

    def row_cells(self, item: ScheduleRow) -> tuple[Cell, ...]:
        schedule = item.schedule
        now = self.ecs_app.clock()
        state = Text(schedule.state.lower(), style=GOOD if schedule.enabled else WARN)
        return (
            Text(schedule.name, style="bold"),
            schedule.kind,
            schedule.in_words(),
            state,
            _next_text(schedule, now),
            schedule.target.task_definition,
            schedule.target.cluster,
            _run_text(item.runs[0], now) if item.runs else Text("never", style=DIM),
        )

    def _apply(self, result: object) -> None:
        super()._apply(result)
        self._update_detail()

    @on(DataTable.RowHighlighted, "#pane-table")
    def _show_detail(self, event: DataTable.RowHighlighted) -> None:
        self._update_detail()

    def _update_detail(self) -> None:
        item = self.selected
        detail = self.query_one("#schedule-detail", Static)
        if item is None:
            detail.update(Text("No schedule targets a cluster of this region. n creates one.", style=DIM))
            return
        schedule, target = item.schedule, item.schedule.target
        now = self.ecs_app.clock()
        text = Text()
        text.append(f"{schedule.name}", style="bold")
        text.append(f"  {schedule.expression_text}  ({schedule.time_zone})", style="cyan")
        if schedule.description:
            text.append(f"  {schedule.description}", style=DIM)
        network = ", ".join(target.subnets) or "no subnets (bridge/host network)"
        if target.security_groups:
            network += "; " + ", ".join(target.security_groups)
        if target.assign_public_ip:
            network += "; public IP"
        text.append(
            f"\nruns {target.task_count} x {target.task_definition} on {target.cluster} ({target.compute})"
            f" as {target.role_arn or 'no role'}\nnetwork {network}"
        )
        runs = item.runs
        text.append("\nlast runs ", style=DIM)
        if not runs:
            text.append("none yet (ECS keeps stopped tasks about an hour)", style=DIM)
        for task in runs:
            started = task.created_at or task.started_at
            text.append(f"\n  {task.id}  {task.last_status}" + (f"  {age(started, now)} ago" if started else ""))
            if task.stopped_reason:
                text.append(f"  {task.stopped_reason}", style=DIM)
        detail.update(make_inert(text))

    # -- keys ----------------------------------------------------------------------------------------
    def open_item(self, item: ScheduleRow) -> None:
        if not item.runs:
            notify_inert(self, f"{item.schedule.name} has started no task that ECS still lists.", severity="warning")
            return
        self.ecs_app.open_task(item.schedule.target.cluster, item.runs[0].arn)

    def action_new(self) -> None:
        if not self.ecs_app.can_mutate("creating a schedule"):
            return
        from ecstui.ui.dialogs.schedule import ScheduleDialog

        self.app.push_screen(ScheduleDialog(cluster=self.ecs_app.context_cluster))

    def action_edit(self) -> None:
        item = self.selected
        if item is None or not self.ecs_app.can_mutate("editing a schedule"):
            return
        from ecstui.ui.dialogs.schedule import ScheduleDialog

        self.app.push_screen(ScheduleDialog(existing=item.schedule))

    def action_toggle_enabled(self) -> None:
        item = self.selected
        if item is None:
            return
        schedule = item.schedule
        verb = "disabling" if schedule.enabled else "enabling"
        if not self.ecs_app.can_mutate(f"{verb} a schedule"):
            return
        actions = self.ecs_app.schedule_actions
        if schedule.enabled:
            question = (
                f"Disable {schedule.kind} {schedule.name}? It starts no task until it is enabled again (t); "
                "runs it would have made meanwhile are not made up."
            )
        else:
            question = f"Enable {schedule.kind} {schedule.name}? It next runs {self._next_words(schedule, True)}."
        self.app.push_screen(
            ConfirmDialog(
                f"{'Disable' if schedule.enabled else 'Enable'} {schedule.name}",
                question,
                lambda: actions.set_enabled(schedule, not schedule.enabled),
                confirm_label="Disable" if schedule.enabled else "Enable",
                success=f"{schedule.name} is {'disabled' if schedule.enabled else 'enabled'}.",
            )
        )

    def _next_words(self, schedule: ScheduledTask, enabled: bool) -> str:
        from dataclasses import replace

        upcoming = replace(schedule, state="ENABLED" if enabled else schedule.state).next_run(self.ecs_app.clock())
        return when_text(upcoming, schedule.time_zone) if upcoming else "never"

    def action_run_now(self) -> None:
        item = self.selected
        if item is None or not self.ecs_app.can_mutate("running a schedule's task"):
            return
        schedule, target = item.schedule, item.schedule.target
        actions = self.ecs_app.schedule_actions
        self.app.push_screen(
            ConfirmDialog(
                f"Run {schedule.name} now",
                f"Start {target.task_count} task{'s' if target.task_count != 1 else ''} of {target.task_definition} "
                f"in {target.cluster} now, with the schedule's parameters (RunTask, startedBy {schedule.started_by})? "
                "The schedule itself is unchanged.",
                lambda: actions.run_now(schedule),
                confirm_label="Run now",
                success=f"Started {schedule.name}'s task{'s' if target.task_count != 1 else ''}.",
            )
        )

    def action_delete(self) -> None:
        item = self.selected
        if item is None or not self.ecs_app.can_mutate("deleting a schedule"):
            return
        schedule = item.schedule
        actions = self.ecs_app.schedule_actions
        what = (
            f"Delete Scheduler schedule {schedule.name} (group {schedule.group_name})?"
            if schedule.kind == "scheduler"
            else f"Remove the ECS target of rule {schedule.name}, and the rule itself when no other target is left?"
        )
        self.app.push_screen(
            ConfirmDialog(
                f"Delete {schedule.name}",
                f"{what} Tasks it started keep running. This cannot be undone.",
                lambda: actions.delete(schedule),
                confirm_label="Delete",
                destructive=True,
                type_to_confirm=schedule.name if self.ecs_app.needs_typed_confirmation else None,
                success=f"Deleted {schedule.name}.",
            )
        )

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [PaletteCommand("New schedule", "A scheduled task: cron, rate or once (n)", self.action_new)]
        item = self.selected
        if item is None:
            return commands
        name = item.schedule.name
        toggle = "Disable" if item.schedule.enabled else "Enable"
        commands += [
            PaletteCommand(f"Edit {name}", "Expression, time zone, task and network (e)", self.action_edit),
            PaletteCommand(f"{toggle} {name}", "Turn the schedule on or off (t)", self.action_toggle_enabled),
            PaletteCommand(f"Run {name} now", "RunTask with its parameters (R)", self.action_run_now),
            PaletteCommand(f"Delete {name}", "Delete the schedule (ctrl+d)", self.action_delete),
        ]
        return commands

    def selected_ref(self) -> ResourceRef | None:
        item = self.selected
        if item is None:
            return None
        schedule, region = item.schedule, self.session_region
        if schedule.kind == "rule":
            return rule_ref(schedule.arn, schedule.name, schedule.event_bus, region)
        return schedule_ref(schedule.arn, schedule.name, schedule.group_name, region)
