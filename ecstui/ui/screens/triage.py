"""`:triage`: what is broken right now across every cluster, worst first; enter goes to the broken thing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from ecstui.aws.load_balancing import target_group_name
from ecstui.aws.models import short_name
from ecstui.aws.triage import SEVERITY_LABELS, Problem, Progress, TriageReport, find_problems
from ecstui.aws.triage_logs import with_log_causes
from ecstui.aws.triage_problem import worst_first
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.format import BAD, DIM, WARN, age, dash, timestamp
from ecstui.ui.inert import inert, make_inert
from ecstui.ui.screens.base import ListScreen, Refresh
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.one_line import OneLine
from ecstui.ui.widgets.ranked_table import Rank, RankedTable
from ecstui.ui.widgets.resource_table import Cell, Column

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

SEVERITY_RANK: dict[str, int] = {label: level for level, label in SEVERITY_LABELS.items()}
SEVERITY_STYLE: dict[str, str] = {"critical": BAD, "error": BAD, "warning": WARN, "info": "cyan"}


def severity_rank(label: str) -> int:
    return SEVERITY_RANK.get(label.strip().lower(), len(SEVERITY_RANK))


def where(item: Problem) -> str:
    """'prod / payments', 'batch / family:nightly-report', 'batch / i-0abc': unique per resource."""
    name = item.service or item.label
    return item.cluster + (f" / {name}" if name else "")


async def read_problems(app: EcsApp, on_progress: Progress | None = None) -> TriageReport:
    """The triage as the app shows it (the pane and the top bar's badge alike): the configured grace for
    rollouts, since never moving back (the app's memory), causes from the crashed containers' logs."""
    report = await find_problems(
        app.reader, app.load_balancing, now=app.clock(), rollout_grace=app.rollout_grace, on_progress=on_progress
    )
    report = app.triage_memory.remember(report)
    return await with_log_causes(report, app.logs, app.reader)


class TriageScreen(ListScreen[Problem]):
    kind = "Triage"

    DEFAULT_CSS = """
    TriageScreen #triage-detail { height: auto; padding: 0 1; border-top: solid $panel; }
    """
    # The cause before the details: "why" is what an on-call engineer reads a row for.
    columns = (
        Column("severity", "Severity", priority=Priority.ESSENTIAL),
        Column("where", "Cluster / service", priority=Priority.IDENTITY),
        Column("kind", "Problem", priority=Priority.ESSENTIAL),
        Column("since", "Since"),
        Column("cause", "Cause"),
        Column("summary", "Details", priority=Priority.DETAIL),
    )
    sort_column = "severity"

    def __init__(self, report: TriageReport | None = None) -> None:
        # At start the app has just found these; show them at once rather than after a second look.
        self.initial_report = report
        self.partial_errors: tuple[str, ...] = report.errors if report is not None else ()
        # Each row's place in the data layer's order (severity, failures, since, key): the table sorts by it.
        self.positions: dict[str, int] = {}
        super().__init__()

    def compose(self) -> ComposeResult:
        # As ListScreen's, with a table that sorts severities by how bad they are rather than alphabetically.
        yield from self.compose_context()
        with Vertical():
            yield OneLine(self._title_text(), id="pane-title")
            yield Static("", id="pane-error")
            yield Input(placeholder="filter: type to narrow rows, enter to keep, escape to clear", id="pane-filter")
            yield RankedTable(
                self.columns, {"severity": self._worst_first()}, sort_column=self.sort_column, id="pane-table"
            )
            yield Static("", id="triage-detail")
        yield KeyFooter()

    def _worst_first(self) -> Rank:
        # Sorting by severity is the data layer's order (it knows failures and since, which cells only abbreviate).
        return Rank(
            ("severity", "where"),
            lambda v: (severity_rank(v[0]), self.positions.get(v[1], len(self.positions)), v[1]),
        )

    def on_mount(self) -> None:
        if self.initial_report is not None:
            self._apply(list(self.initial_report.problems))

    def subject(self) -> str:
        if self.updated_at is not None and not self.items:
            # Only a triage that could check every part may say so; otherwise the banner says what it could not.
            return "nothing found in the parts checked" if self.partial_errors else "nothing is broken"
        return "every cluster, worst first"

    async def fetch(self) -> Sequence[Problem]:
        report = await read_problems(self.ecs_app)
        self.partial_errors = report.errors
        return list(report.problems)

    def _apply(self, result: object) -> None:
        listed = result.items.values() if isinstance(result, Refresh) else result
        if isinstance(listed, Iterable):
            ordered = sorted((p for p in listed if isinstance(p, Problem)), key=worst_first)
            self.positions = {where(p): index for index, p in enumerate(ordered)}
        super()._apply(result)
        self._update_detail()
        if self.partial_errors:
            # A part that could not be checked is not "nothing broken there": say which, above the list.
            banner = self.query_one("#pane-error", Static)
            banner.update(inert("⚠ Not checked: " + "; ".join(self.partial_errors), "bold", multiline=True))
            banner.add_class("shown")

    def row_key(self, item: Problem) -> str:
        # One row per resource, whatever its problem today: the row stays put while the problem changes.
        return item.key

    def row_cells(self, item: Problem) -> tuple[Cell, ...]:
        style = SEVERITY_STYLE.get(item.severity_label, "")
        return (
            Text(item.severity_label, style=style),
            Text(where(item), style="bold"),
            item.kind,
            age(item.since, self.ecs_app.clock()),
            Text(dash(item.cause), style=style if item.cause else DIM),
            item.summary,
        )

    @on(DataTable.RowHighlighted, "#pane-table")
    def _show_detail(self, event: DataTable.RowHighlighted) -> None:
        self._update_detail()

    def _update_detail(self) -> None:
        item = self.selected
        detail = self.query_one("#triage-detail", Static)
        if item is None:
            detail.update("")
            return
        text = Text()
        text.append(item.summary, style="bold")
        text.append("\ncause  ", style=DIM)
        text.append(item.cause or "-", style=SEVERITY_STYLE.get(item.severity_label, ""))
        for fact in item.facts:
            text.append("\nalso   ", style=DIM)
            text.append(fact)
        if item.since is not None:
            text.append(f"\nsince  {timestamp(item.since)} ({age(item.since, self.ecs_app.clock())} ago)", style=DIM)
        text.append(f"\nenter  {self.destination(item)}", style=DIM)
        detail.update(make_inert(text))

    def destination(self, item: Problem) -> str:
        arn = item.resource_arn or ""
        if ":task/" in arn:
            return f"opens task {short_name(arn)}"
        if ":targetgroup/" in arn:
            return f"opens the targets of {target_group_name(arn)}"
        if ":container-instance/" in arn:
            return f"opens the container instances of {item.cluster}"
        return f"opens service {item.service}" if item.service else f"opens the services of {item.cluster}"

    def open_item(self, item: Problem) -> None:
        app = self.ecs_app
        arn = item.resource_arn or ""
        if ":task/" in arn:
            app.open_task(item.cluster, arn)
        elif ":targetgroup/" in arn:
            app.open_targets(target_group_name(arn))
        elif ":container-instance/" in arn:
            app.open_instances(item.cluster)
        elif item.service:
            app.open_service(item.cluster, item.service)
        else:
            app.open_services(item.cluster)

    def palette_commands(self) -> list[PaletteCommand]:
        item = self.selected
        if item is None:
            return []
        return [
            PaletteCommand(f"Go to {short_name(item.resource_arn or item.cluster)}", item.summary, self.action_open)
        ]
