"""The chart widget: missing periods blank (never drawn as 0), the target line, notes, and labels from AWS inert."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from ecstui.aws.metrics import Chart, Series, ServiceCharts
from ecstui.ui.widgets.metric_chart import TARGET_LINE, ChartGrid, ChartView, format_value, nice_ceiling

END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
START = END - timedelta(hours=1)


def drawn(renderable: object, width: int = 80) -> str:
    console = Console(width=width, color_system=None, file=io.StringIO())
    segments = list(console.render(renderable, console.options.update_width(width)))
    return "".join(segment.text for segment in segments)


def minutes(*values: float | None) -> Series:
    points = tuple((START + timedelta(minutes=i), v) for i, v in enumerate(values) if v is not None)
    return Series("average", points)


def test_a_period_without_data_is_a_blank_column_and_the_target_a_dotted_line() -> None:
    values: list[float | None] = [50.0] * 60
    values[30] = None
    chart = Chart("CPU utilisation", "%", (minutes(*values),), target=80.0)
    text = drawn(ChartView(chart, START, END, 60), width=70)
    rows = text.splitlines()
    plot = [row.split("│", 1)[1] for row in rows if "│" in row]
    bottom = plot[-1]
    assert bottom.count(" ") >= 1 and "█" in bottom, "the minute without data is drawn"
    gap = bottom.index(" ")
    assert all(row[gap] in (" ", TARGET_LINE) for row in plot)
    assert any(TARGET_LINE in row for row in plot) and "target 80%" in rows[0]


def test_a_chart_without_datapoints_or_with_a_note_says_so() -> None:
    empty = drawn(ChartView(Chart("Target 5xx", "errors", (Series("tg"),)), START, END, 60))
    assert "No data in this range" in empty
    noted = drawn(ChartView(Chart("Running tasks", "tasks", note="Needs Container Insights."), START, END, 60))
    assert "Needs Container Insights." in noted


def test_labels_from_aws_are_drawn_as_their_characters() -> None:
    hostile = Series("[bold]tg[/bold]\x1b[31mred", ((START, 5.0),))
    charts = ServiceCharts(1, 60, START, END, (Chart("Requests per target", "requests", (hostile,)),))
    for width in (80, 160):
        text = drawn(ChartGrid(charts), width=width)
        assert "\x1b" not in text
        assert "[bold]tg[/bold]" in text


def test_values_and_scales_read_as_an_operator_expects() -> None:
    assert format_value(42.4, "%") == "42%"
    assert format_value(0.18, "s") == "180ms" and format_value(1.25, "s") == "1.25s"
    assert format_value(1234, "requests") == "1.2k" and format_value(3, "errors") == "3"
    assert nice_ceiling(63, "%") == 100.0 and nice_ceiling(37, "%") == 50.0 and nice_ceiling(0.27, "s") == 0.5
