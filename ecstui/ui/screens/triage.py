"""`:triage`: what is broken right now across every cluster, worst first; enter goes to the broken thing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from ecstui.aws.errors import AwsError
from ecstui.aws.load_balancing import target_group_name
from ecstui.aws.models import short_name
from ecstui.aws.triage import KIND_ORDER, SEVERITY_LABELS, Problem, TriageReport, find_problems
from ecstui.aws.triage_logs import with_log_causes
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.format import BAD, DIM, WARN, age, dash, timestamp
from ecstui.ui.inert import inert, make_inert
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.one_line import OneLine
from ecstui.ui.widgets.ranked_table import Rank, RankedTable
from ecstui.ui.widgets.resource_table import Cell, Column

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

SEVERITY_RANK: dict[str, int] = {label: level for level, label in SEVERITY_LABELS.items()}
SEVERITY_STYLE: dict[str, str] = {"critical": BAD, "error": BAD, "warning": WARN}


def severity_rank(label: str) -> int:
    return SEVERITY_RANK.get(label.strip().lower(), len(SEVERITY_RANK))


# The data layer's order: severity, then the kind that explains the others, then where.
WORST_FIRST = Rank(
    ("severity", "kind", "where"), lambda v: (severity_rank(v[0]), KIND_ORDER.get(v[1], len(KIND_ORDER)), v[2])
)


async def find_start_problems(app: EcsApp) -> TriageReport | None:
    """What is broken, for the start screen; None when even the clusters cannot be read (their pane says why)."""
    try:
        report = await find_problems(app.reader, app.load_balancing, now=app.clock())
    except AwsError:
        return None
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
        super().__init__()

    def compose(self) -> ComposeResult:
        # As ListScreen's, with a table that sorts severities by how bad they are rather than alphabetically.
        yield from self.compose_context()
        with Vertical():
            yield OneLine(self._title_text(), id="pane-title")
            yield Static("", id="pane-error")
            yield Input(placeholder="filter: type to narrow rows, enter to keep, escape to clear", id="pane-filter")
            yield RankedTable(self.columns, {"severity": WORST_FIRST}, sort_column=self.sort_column, id="pane-table")
            yield Static("", id="triage-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.initial_report is not None:
            self._apply(list(self.initial_report.problems))

    def subject(self) -> str:
        if self.updated_at is not None and not self.items:
            # Only a triage that could check every part may say so; otherwise the banner says what it could not.
            return "nothing found in the parts checked" if self.partial_errors else "nothing is broken"
        return "every cluster, worst first"

    async def fetch(self) -> Sequence[Problem]:
        report = await find_problems(self.ecs_app.reader, self.ecs_app.load_balancing, now=self.ecs_app.clock())
        report = await with_log_causes(report, self.ecs_app.logs, self.ecs_app.reader)
        self.partial_errors = report.errors
        return list(report.problems)

    def _apply(self, result: object) -> None:
        super()._apply(result)
        self._update_detail()
        if self.partial_errors:
            # A part that could not be checked is not "nothing broken there": say which, above the list.
            banner = self.query_one("#pane-error", Static)
            banner.update(inert("⚠ Not checked: " + "; ".join(self.partial_errors), "bold", multiline=True))
            banner.add_class("shown")

    def row_key(self, item: Problem) -> str:
        # One problem per kind and service: the key outlives the task it points at, so the row stays put.
        return f"{item.kind}|{item.cluster}|{item.service or item.resource_arn}"

    def row_cells(self, item: Problem) -> tuple[Cell, ...]:
        where = item.cluster + (f" / {item.service}" if item.service else "")
        style = SEVERITY_STYLE.get(item.severity_label, "")
        return (
            Text(item.severity_label, style=style),
            Text(where, style="bold"),
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
