"""`:targets`: every target group's targets, unhealthy first; enter opens the task behind a target."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from ecstui.aws.load_balancing import TargetGroupView, TargetHealth
from ecstui.aws.resource_ref import ResourceRef, target_group_ref
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.format import BAD, DIM, dash
from ecstui.ui.inert import notify_inert
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.traffic import target_state_rank, target_state_text, task_id_of
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.one_line import OneLine
from ecstui.ui.widgets.ranked_table import Rank, RankedTable
from ecstui.ui.widgets.resource_table import Cell, Column


@dataclass(frozen=True)
class TargetRow:
    """One target of one group; a group with no targets is one row with `target` None, so it still shows."""

    group: TargetGroupView
    target: TargetHealth | None

    @property
    def key(self) -> str:
        if self.target is None:
            return self.group.arn
        return f"{self.group.arn}|{self.target.target_id}:{self.target.port}"


def cluster_of_task(task_arn: str) -> str | None:
    """'arn:aws:ecs:r:a:task/prod/abc' -> 'prod' (old-style ARNs without the cluster give None)."""
    parts = task_arn.split(":", 5)[-1].split("/")
    return parts[1] if len(parts) == 3 else None


# Unhealthy first, then by group and target, so a group's targets stay together within a state.
STATE_FIRST = Rank(("state", "group", "target", "port"), lambda v: (target_state_rank(v[0]), v[1], v[2], v[3]))


class TargetsScreen(ListScreen[TargetRow], ResourceKeys):
    kind = "Targets"
    columns = (
        Column("group", "Target group"),
        Column("lb", "Load balancer", priority=Priority.DETAIL),
        Column("target", "Target", priority=Priority.IDENTITY),
        Column("port", "Port"),
        Column("state", "State", priority=Priority.ESSENTIAL),
        Column("task", "Task"),
        Column("reason", "Reason"),
        Column("description", "Description", priority=Priority.DETAIL),
    )
    sort_column = "state"

    def __init__(self, filter_text: str = "") -> None:
        self.initial_filter = filter_text
        super().__init__()

    def compose(self) -> ComposeResult:
        # As ListScreen's, with a table that sorts states by how bad they are rather than alphabetically.
        yield from self.compose_context()
        with Vertical():
            yield OneLine(self._title_text(), id="pane-title")
            yield Static("", id="pane-error")
            yield Input(placeholder="filter: type to narrow rows, enter to keep, escape to clear", id="pane-filter")
            yield RankedTable(self.columns, {"state": STATE_FIRST}, sort_column=self.sort_column, id="pane-table")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.initial_filter:
            self.table.set_filter(self.initial_filter)

    def subject(self) -> str:
        return "all load balancers, unhealthy first"

    async def fetch(self) -> Sequence[TargetRow]:
        reader = self.ecs_app.reader
        # Targets are IPs and instance ports; every cluster's tasks are what turns them into tasks.
        clusters = [cluster.name for cluster in await reader.clusters()]
        tasks = await asyncio.gather(*(reader.tasks(name) for name in clusters))
        groups = await self.ecs_app.load_balancing.all_target_groups(dict(zip(clusters, tasks, strict=True)))
        rows: list[TargetRow] = []
        for group in groups:
            if not group.targets:
                rows.append(TargetRow(group, None))
            rows.extend(TargetRow(group, target) for target in group.targets)
        return rows

    def row_key(self, item: TargetRow) -> str:
        return item.key

    def row_cells(self, item: TargetRow) -> tuple[Cell, ...]:
        group, target = item.group, item.target
        lb = ", ".join(group.load_balancer_names) or "-"
        if target is None:
            empty = Text("-", style=DIM)
            return (group.name, lb, Text("no targets", style=DIM), empty, empty, empty, empty, empty)
        bad = target.state.startswith("unhealthy")
        return (
            Text(group.name, style="bold" if bad else ""),
            lb,
            target.target_id,
            dash(target.port),
            target_state_text(target.state),
            task_id_of(target.task_arn),
            Text(dash(target.reason), style=BAD if bad else ""),
            dash(target.description),
        )

    def open_item(self, item: TargetRow) -> None:
        task_arn = item.target.task_arn if item.target is not None else None
        cluster = cluster_of_task(task_arn) if task_arn else None
        if task_arn is None or cluster is None:
            notify_inert(self, "No ECS task owns this target.", severity="warning")
            return
        self.ecs_app.open_task(cluster, task_arn)

    def palette_commands(self) -> list[PaletteCommand]:
        item = self.selected
        if item is None or item.target is None or item.target.task_arn is None:
            return []
        return [
            PaletteCommand(
                f"Open task {task_id_of(item.target.task_arn)}", "The task behind this target", self.action_open
            )
        ]

    def selected_ref(self) -> ResourceRef | None:
        # A row is one target of a group: the keys act on the group (a target has no ARN of its own).
        item = self.selected
        return target_group_ref(item.group.arn, item.group.name, self.session_region) if item is not None else None
