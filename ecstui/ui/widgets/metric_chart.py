"""Charts of CloudWatch series drawn with block characters, sized to the width they are given.

The first series of a chart is drawn as bars of eighth blocks (▁▂▃▄▅▆▇█), every other one as a marker (·) at its
level, and a scaling target as a dotted line (┈) across. A period without data is a blank column: no data is never
drawn as 0. Labels (target group names come from AWS) go through the text door; nothing is read as markup.
Two charts stand side by side when there is room for both at a readable width (ChartGrid).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import datetime

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from ecstui.aws.metrics import Chart, Series, ServiceCharts
from ecstui.ui.inert import inert
from ecstui.ui.sparkline import BLOCKS
from ecstui.ui.tables import InertTable

HEIGHT = 5  # rows of plot per chart
# Under SIDE_BY_SIDE_WIDTH the charts stand one under the other: lower, and without the axis rule, so that an 80x24
# terminal shows three of them at once.
COMPACT_HEIGHT = 3
SIDE_BY_SIDE_WIDTH = 110  # from this width on, two charts a row
SERIES_STYLES = ("cyan", "magenta", "green", "blue", "bright_yellow")
TARGET_STYLE = "yellow"
MARKER = "·"
TARGET_LINE = "┈"


def format_value(value: float, unit: str) -> str:
    """A value as a chart labels it: '42%', '180ms', '1.25s', '1.2k', '3'."""
    if unit == "%":
        return f"{value:.0f}%"
    if unit == "s":
        return f"{value * 1000:.0f}ms" if value < 1 else f"{value:.2f}s"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def nice_ceiling(value: float, unit: str) -> float:
    """The top of the scale: a round number at or above `value` (100 for a percentage that nears it)."""
    if value <= 0:
        return 1.0
    if unit == "%" and value > 50:
        return 100.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def columns_of(series: Series, start: datetime, period: int, slots: int, width: int) -> list[float | None]:
    """The series' value in each of `width` columns covering `slots` periods from `start` (mean of the periods a
    column covers; None where none of them has data)."""
    by_slot: dict[int, float] = {}
    for when, value in series.points:
        slot = int((when - start).total_seconds() // period)
        if 0 <= slot < slots:
            by_slot[slot] = value
    result: list[float | None] = []
    for column in range(width):
        first = column * slots // width
        last = max(first + 1, (column + 1) * slots // width)
        present = [by_slot[s] for s in range(first, last) if s in by_slot]
        result.append(sum(present) / len(present) if present else None)
    return result


class ChartView:
    """One chart as Rich renders it: a title line with the latest values, the plot with its scale, the time axis."""

    def __init__(
        self, chart: Chart, start: datetime, end: datetime, period: int, height: int = HEIGHT, *, rule: bool = True
    ) -> None:
        self.chart = chart
        self.start = start
        self.end = end
        self.period = period
        self.height = height
        self.rule = rule

    def title(self) -> Text:
        chart = self.chart
        text = Text(chart.title, style="bold")
        for index, series in enumerate(chart.series):
            if series.latest is None:
                continue
            text.append("  ")
            text.append_text(inert(format_value(series.latest, chart.unit), SERIES_STYLES[index % len(SERIES_STYLES)]))
            if series.label:
                text.append(" ")
                text.append_text(inert(series.label, "dim"))
        if chart.target is not None:
            text.append(f"  {TARGET_LINE} target {format_value(chart.target, chart.unit)}", style=TARGET_STYLE)
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(20, options.max_width)
        title = self.title()
        title.truncate(width, overflow="ellipsis")
        yield title
        if self.chart.note:
            yield inert(self.chart.note, "dim")
            return
        if not any(series.points for series in self.chart.series):
            yield Text("No data in this range (CloudWatch has no datapoints for it).", style="dim")
            return
        yield from self._plot(width)

    def _plot(self, width: int) -> Iterator[Segment | Text]:
        chart = self.chart
        slots = max(1, round((self.end - self.start).total_seconds() / self.period))
        present = [v for s in chart.series for _, v in s.points]
        top = nice_ceiling(max([*present, chart.target or 0.0]) * 1.05, chart.unit)
        axis = max(len(format_value(top, chart.unit)), len(format_value(0, chart.unit))) + 1
        plot_width = max(8, width - axis - 1)
        columns = [columns_of(s, self.start, self.period, slots, plot_width) for s in chart.series]
        eighths = self.height * 8
        target_row = None
        if chart.target is not None:
            target_row = min(self.height - 1, int(chart.target / top * self.height))
        for row in range(self.height - 1, -1, -1):
            label = format_value(top, chart.unit) if row == self.height - 1 else ""
            if row == 0:
                label = format_value(0, chart.unit)
            yield Segment(label.rjust(axis - 1) + " ", Style(dim=True))
            yield Segment("│", Style(dim=True))
            for x in range(plot_width):
                yield self._cell(columns, x, row, top, eighths, target_row)
            yield Segment.line()
        if self.rule:
            yield Segment(" " * axis + "└" + "─" * plot_width, Style(dim=True))
            yield Segment.line()
        yield self._time_axis(axis + 1, plot_width)

    def _cell(
        self, columns: Sequence[list[float | None]], x: int, row: int, top: float, eighths: int, target_row: int | None
    ) -> Segment:
        first = columns[0][x] if columns else None
        if first is not None:
            filled = round(max(0.0, first) / top * eighths)
            full_rows, part = divmod(filled, 8)
            if row < full_rows:
                return Segment(BLOCKS[-1], Style(color=SERIES_STYLES[0]))
            if row == full_rows and part:
                return Segment(BLOCKS[part - 1], Style(color=SERIES_STYLES[0]))
        for index, series in enumerate(columns[1:], start=1):
            value = series[x]
            if value is not None and min(self.height - 1, int(value / top * self.height)) == row:
                return Segment(MARKER, Style(color=SERIES_STYLES[index % len(SERIES_STYLES)]))
        if target_row == row:
            return Segment(TARGET_LINE, Style(color=TARGET_STYLE))
        return Segment(" ")

    def _time_axis(self, indent: int, width: int) -> Text:
        hours = (self.end - self.start).total_seconds() / 3600
        left = f"-{hours:.0f}h"
        middle = f"-{hours * 30:.0f}m" if hours < 2 else f"-{hours / 2:.0f}h"
        right = "now"
        line = [" "] * width
        for position, label in ((0, left), (width // 2 - len(middle) // 2, middle), (width - len(right), right)):
            for offset, char in enumerate(label):
                if 0 <= position + offset < width:
                    line[position + offset] = char
        return Text(" " * indent + "".join(line), style="dim")


class ChartGrid:
    """The service view's charts, two to a row where the width allows, else one under the other."""

    def __init__(self, charts: ServiceCharts) -> None:
        self.charts = charts

    def views(self, *, compact: bool = False) -> list[ChartView]:
        c = self.charts
        height = COMPACT_HEIGHT if compact else HEIGHT
        return [ChartView(chart, c.start, c.end, c.period, height, rule=not compact) for chart in c.charts]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width < SIDE_BY_SIDE_WIDTH:
            yield from self.views(compact=True)
            return
        views = self.views()
        grid = InertTable(show_header=False, box=None, pad_edge=False, padding=(0, 2, 1, 0), expand=True)
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        for index in range(0, len(views), 2):
            pair = views[index : index + 2]
            grid.add_row(pair[0], pair[1] if len(pair) > 1 else Text(""))
        yield grid


__all__ = ["ChartGrid", "ChartView", "columns_of", "format_value", "nice_ceiling"]
