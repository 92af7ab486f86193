"""Whatever text AWS holds, what ecstui draws of it is printable characters, in the cells it was measured at.

Arbitrary unicode (controls of C0 and C1, DEL, whole escape sequences, bidi overrides and isolates, zero-width
characters, lone surrogates, wide CJK and combining characters) goes through the text door (`visible`, `inert`,
`make_inert`), through every row renderer of the list panes (a model to the cells their table holds), through the
detail views' renderers, and through ResourceTable's own cell drawing; none of what comes out may hold a character
that a terminal would act on or that would disguise a name, and a one-line cell must stay one line, as wide as
Rich measured it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.control import strip_control_codes
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual._context import active_app
from textual.app import App, ComposeResult

from ecstui.aws.audit import AuditEntry
from ecstui.aws.load_balancing import ListenerRule, TargetGroupView, TargetHealth
from ecstui.aws.models import (
    Cluster,
    Container,
    ContainerDefinition,
    ContainerInstance,
    Deployment,
    MountPoint,
    NetworkConfig,
    Secret,
    Service,
    ServiceEvent,
    Task,
    TaskDefinition,
    TaskDefinitionFamily,
    Volume,
)
from ecstui.aws.session import AwsTarget
from ecstui.aws.stopped_tasks import StopCauseGroup
from ecstui.aws.triage import Problem
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.task_definition import environment_text
from ecstui.ui.inert import inert, make_inert, visible
from ecstui.ui.screens.audit import AuditRow, AuditScreen
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.instances import InstancesScreen
from ecstui.ui.screens.service_detail import ServiceView, render_service
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.targets import TargetRow, TargetsScreen
from ecstui.ui.screens.task_definition_detail import render_task_definition
from ecstui.ui.screens.task_definitions import FamiliesScreen, RevisionsScreen
from ecstui.ui.screens.task_detail import TaskContext, render_task
from ecstui.ui.screens.tasks import TasksScreen
from ecstui.ui.screens.triage import TriageScreen
from ecstui.ui.traffic import render_stop_causes, render_target_groups, stop_causes_line
from ecstui.ui.widgets.resource_table import Column, ResourceTable, Row, display_width, inert_cells

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# Characters a terminal acts on, or that make one name look like another.
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
SEQUENCES = [
    "\x1b]52;c;SE9TVElMRQ==\x07",  # OSC 52: write the clipboard
    "\x1b]0;owned\x07",  # OSC 0: retitle the window
    "\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b[2J\x1b[H",  # CSI: clear the screen
    "\x1b[31;1m",
    "\x9b2J",  # C1 CSI
    "\x1bP1$r\x1b\\",  # DCS
    "\x1b_payload\x1b\\",  # APC
    "\x1bc",  # reset
    "[@click=app.quit]quit[/]",
    "[link=https://example.com]x[/link]",
    "[bold red on white]restyle",
    "\u202eevil\u202c",
    "\u2066iso\u2069",
    "pay\u200bments",
    "\ufeffbom",
    "日本語サービス",
    "e\u0301\u0301",
    "\ud800lone",
    "tab\there",
    "line\nbreak",
    "cr\rlf",
    "\x00\x7f\x85\x9f",
]
hostile = st.lists(
    st.one_of(
        st.characters(exclude_categories=()),  # every code point, surrogates and controls included
        st.characters(max_codepoint=0xA0),
        st.sampled_from(sorted(BIDI | ZERO_WIDTH)),
        st.sampled_from(SEQUENCES),
    ),
    max_size=12,
).map("".join)

CONSOLE = Console(width=160, color_system="truecolor", force_terminal=True, legacy_windows=False, highlight=False)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_shows_only_printable(text: str, *, multiline: bool = False) -> None:
    for char in text:
        if multiline and char == "\n":
            continue
        code = ord(char)
        assert code >= 0x20, f"C0 control U+{code:04X} in {text!r}"
        assert not 0x7F <= code <= 0x9F, f"DEL or C1 control U+{code:04X} in {text!r}"
        assert char not in BIDI, f"bidi control U+{code:04X} in {text!r}"
        assert char not in ZERO_WIDTH, f"zero-width U+{code:04X} in {text!r}"
        assert not 0xD800 <= code <= 0xDFFF, f"surrogate U+{code:04X} in {text!r}"
        assert char.isprintable(), f"unprintable U+{code:04X} in {text!r}"


def assert_segments_inert(segments: Iterator[Segment] | list[Segment]) -> None:
    for segment in segments:
        assert not segment.control, segment
        assert_shows_only_printable(segment.text, multiline=True)


def assert_one_line_cell(cell: Text) -> None:
    """Printable, one line, and drawn exactly as wide as Rich measures it."""
    assert_shows_only_printable(cell.plain)
    width = cell.cell_len
    assert Measurement.get(CONSOLE, CONSOLE.options.update_width(width + 10), cell).maximum == width
    lines = CONSOLE.render_lines(cell, CONSOLE.options.update(width=max(width, 1), no_wrap=True), pad=False)
    assert len(lines) == (1 if width else len(lines)) and len(lines) <= 1, (cell, lines)  # empty: no line at all
    drawn = lines[0] if lines else []
    assert sum(cell_len(segment.text) for segment in drawn) == width
    assert_segments_inert(drawn)


def assert_renders_inert(renderable: RenderableType) -> None:
    assert_segments_inert(list(CONSOLE.render(renderable)))


# -- the door ---------------------------------------------------------------------------------------------------


@FAST
@given(hostile)
def test_visible_leaves_only_printable_characters(value: str) -> None:
    assert_shows_only_printable(visible(value))
    assert_shows_only_printable(visible(value, multiline=True), multiline=True)
    assert visible(visible(value)) == visible(value)  # already shown: unchanged


@FAST
@given(hostile, st.sampled_from(["", "bold", "red on white", "dim"]))
def test_inert_is_one_printable_line_as_wide_as_measured(value: str, style: str) -> None:
    cell = inert(value, style)
    assert cell.plain == visible(value)
    assert not cell.spans
    assert_one_line_cell(cell)


@FAST
@given(st.lists(st.tuples(hostile, st.sampled_from(["", "bold", "red", "italic cyan"])), max_size=5))
def test_make_inert_keeps_every_piece_styled_as_it_was(pieces: list[tuple[str, str]]) -> None:
    text = Text()
    for value, style in pieces:
        text.append(value, style=style)
    made = make_inert(text)
    assert made.plain == visible(text.plain, multiline=True)
    assert_shows_only_printable(made.plain, multiline=True)
    offset = 0
    for value, style in pieces:
        shown = visible(strip_control_codes(value), multiline=True)  # what Text kept of it
        for at in range(offset, offset + len(shown)):
            assert made.get_style_at_offset(CONSOLE, at) == CONSOLE.get_style(style or "none"), (value, style)
        offset += len(shown)
    one_line = make_inert(text, multiline=False)
    assert_one_line_cell(one_line)
    assert_renders_inert(made)


# -- the panes' row renderers -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_context() -> Iterator[EcsApp]:
    """Screens read the app (its clock) when they make cells: an app made current, never run."""
    app = EcsApp(AwsTarget(region="us-east-1", endpoint_url="http://127.0.0.1:9"))
    token = active_app.set(app)
    yield app
    active_app.reset(token)


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:ecs:us-east-1:123456789012:{kind}/{name}"


def models(s: str) -> dict[str, Any]:
    """Every model a pane shows, each text field carrying `s` (a different variant per field)."""
    tg_arn = f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{s}/abc"
    target = TargetHealth(s + "1", 80, "unhealthy", s + "r", s + "d", s + "az", _arn("task", f"prod/{s}"))
    rule = ListenerRule("arn:l", 80, s, s + "p", (s,), weight=3)
    group = TargetGroupView(
        tg_arn, s, s, 80, s, s + "hc", ("arn:lb",), (s + "lb",), (s + "dns",), s, (rule,), (target,)
    )
    deployment = Deployment(s, "PRIMARY", _arn("task-definition", f"{s}:3"), 2, 1, 1, 1, s, s + "why", s)
    service = Service(
        _arn("service", f"prod/{s}"),
        s + "svc",
        _arn("cluster", s),
        s + "ACTIVE",
        3,
        1,
        1,
        _arn("task-definition", f"{s}:3"),
        launch_type=s,
        scheduling_strategy=s,
        deployments=(deployment,),
        events=(ServiceEvent(s, NOW, s + " unhealthy"),),
        network=NetworkConfig((s,), (s,), True),
        created_at=NOW - timedelta(hours=3),
    )
    container = Container(s + "c", s + "img", s, 137, s + "reason", s, ())
    task = Task(
        _arn("task", f"prod/{s}"),
        s + "id",
        _arn("cluster", s),
        _arn("task-definition", f"{s}:3"),
        s + "RUNNING",
        "STOPPED",
        health_status=s,
        launch_type=s,
        capacity_provider=s,
        availability_zone=s,
        private_ip=s,
        public_ip=s,
        eni_id=s,
        subnet_id=s,
        group=f"service:{s}",
        started_by=s,
        container_instance_arn=_arn("container-instance", s),
        cpu=s,
        memory=s,
        started_at=NOW - timedelta(minutes=5),
        stopped_at=NOW,
        stop_code=s,
        stopped_reason=s + "stop",
        containers=(container,),
    )
    definition_container = ContainerDefinition(
        s + "c",
        s + "img",
        False,
        environment=((s + "N", s + "V"),),
        secrets=(Secret(s, s + "from"),),
        mount_points=(MountPoint(s, s, True),),
        command=(s, s),
        entry_point=(s,),
        log_driver=s,
        log_options=((s, s),),
        health_check=(s,),
    )
    definition = TaskDefinition(
        _arn("task-definition", f"{s}:3"),
        s + "fam",
        3,
        s,
        (definition_container,),
        cpu=s,
        memory=s,
        network_mode=s,
        requires_compatibilities=(s,),
        task_role_arn=s,
        execution_role_arn=s,
        volumes=(Volume(s, s, s),),
    )
    return {
        "cluster": Cluster(_arn("cluster", s), s + "name", s, (s, s), container_insights=s, container_instances=2),
        "service": service,
        "task": task,
        "definition": definition,
        "instance": ContainerInstance(_arn("container-instance", s), s, s, False, s, s, 1024, 2048, 512, 0, 1, 0),
        "group": group,
        "target": target,
        "problem": Problem(0, "crash loop", s, s, tg_arn, s + "summary", s + "cause", NOW),  # type: ignore[arg-type]
        "audit": AuditEntry(NOW, s, s, s, s, {s: s, "desiredCount": 3}, {"desiredCount": 1}, s),
        "causes": (StopCauseGroup("OutOfMemoryError", 3, NOW, s, (137,), (s,), True),),  # type: ignore[arg-type]
    }


def pane_rows(s: str) -> Iterator[tuple[str, tuple[Text, ...]]]:
    """Each pane's cells for the models of `s`, as its table holds them."""
    m = models(s)
    yield "clusters", inert_cells(ClustersScreen().row_cells(m["cluster"]))
    services = ServicesScreen(s)
    yield "services", inert_cells(services.row_cells(m["service"]))
    yield "services placeholder", inert_cells(services.placeholder_cells(m["service"].arn))
    for service in (None, s):
        tasks = TasksScreen(s, service)
        yield "tasks", inert_cells(tasks.row_cells(m["task"]))
        tasks.desired_status = "STOPPED"
        yield "stopped tasks", inert_cells(tasks.row_cells(m["task"]))
    yield "instances", inert_cells(InstancesScreen(s).row_cells(m["instance"]))
    yield "targets", inert_cells(TargetsScreen().row_cells(TargetRow(m["group"], m["target"])))
    yield "targets (none)", inert_cells(TargetsScreen().row_cells(TargetRow(m["group"], None)))
    yield "families", inert_cells(FamiliesScreen().row_cells(TaskDefinitionFamily(s)))
    yield "revisions", inert_cells(RevisionsScreen(s).row_cells(m["definition"]))
    yield "triage", inert_cells(TriageScreen().row_cells(m["problem"]))
    yield "audit", inert_cells(AuditScreen().row_cells(AuditRow(1, m["audit"])))


@FAST
@given(hostile)
def test_every_pane_row_is_one_printable_line_per_cell(app_context: EcsApp, value: str) -> None:
    for pane, cells in pane_rows(value):
        for cell in cells:
            assert isinstance(cell, Text), pane
            assert_one_line_cell(cell)
            assert display_width(cell) == cell.cell_len


@FAST
@given(hostile)
def test_every_detail_view_renders_only_printable_text(app_context: EcsApp, value: str) -> None:
    m = models(value)
    context = TaskContext(m["service"], (m["group"],), ((m["group"], m["target"]),), (m["task"],), None)
    assert_renders_inert(render_task(m["task"], m["definition"], NOW, context))
    assert_renders_inert(render_task(m["task"], None, NOW, TaskContext(load_balancing_error=value)))
    assert_renders_inert(render_task_definition(m["definition"]))
    view = ServiceView(m["service"], (m["task"],), (m["task"],), m["causes"], (m["group"],))
    assert_renders_inert(render_service(view, NOW, value))
    assert_renders_inert(render_service(view, NOW, ""))
    assert_renders_inert(render_service(ServiceView(m["service"], (), (), (), (), value), NOW))
    assert_renders_inert(render_target_groups((m["group"],), NOW))
    assert_renders_inert(render_stop_causes(m["causes"], NOW))
    assert_one_line_cell(stop_causes_line(m["causes"], NOW))


@FAST
@given(hostile)
def test_an_environment_prefilled_for_editing_is_one_printable_line_a_variable(value: str) -> None:
    text = environment_text([{"name": value + "N", "value": value}, {"name": "B", "value": value}])
    assert_shows_only_printable(text, multiline=True)
    assert len(text.splitlines()) == 2


# -- ResourceTable's own drawing ------------------------------------------------------------------------------------


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable([Column("a", "A"), Column("b", "B")], id="table")


async def test_resource_table_draws_any_cell_as_printable_segments_at_its_measured_width() -> None:
    app = _TableApp()
    async with app.run_test(size=(200, 20)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        padding = table.cell_padding

        @FAST
        @given(hostile, st.sampled_from(["", "bold", "red"]))
        def check(value: str, style: str) -> None:
            # One str cell and one Text cell, as a pane hands them over; drawn the table's own way (its quick
            # one-line path where it applies, DataTable's otherwise), at the width the table measures.
            table.sync([Row("row", (value, Text(value, style=style)))])
            for column in range(2):
                held = table.get_cell_at((0, column))
                assert isinstance(held, Text)
                width = display_width(held) + 2 * padding
                table._kept_cells.clear()
                table._update_count += 1
                lines = table._render_cell(0, column, table.rich_style, width)
                assert len(lines) == 1, (value, lines)
                assert sum(cell_len(segment.text) for segment in lines[0]) == width, (value, lines)
                assert_segments_inert(lines[0])

        check()
