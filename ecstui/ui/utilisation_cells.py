"""The services pane's CPU and Mem cells: the latest % and, where the terminal is wide, the last hour's sparkline."""

from __future__ import annotations

from rich.text import Text

from ecstui.aws.metrics import Series, ServiceUtilisation
from ecstui.ui.format import DIM
from ecstui.ui.sparkline import sparkline

SPARK_WIDTH = 12  # an hour of minutes, five a block
# Below this many columns the sparklines are dropped first, so Name, Status and Running/Desired stay on screen.
WIDE_ENOUGH = 140
RECENT_MINUTES = 5

NOT_READ = Text("…", style=DIM)  # not read yet
NO_DATA = Text("—", style=DIM)  # read: CloudWatch has no datapoint (no running task, or metrics off)
UNREADABLE = Text("?", style=DIM)  # the read failed (the pane's note says why)


def utilisation_cell(
    figures: ServiceUtilisation | None, series: Series | None, *, wide: bool, failed: bool = False
) -> Text:
    """'42% ▂▃▅▆▇▆▅▄▃▂▃▄' (wide) or '42%'; '…' before the first read, '—' without data, '?' after an error."""
    if figures is None or series is None:
        return UNREADABLE if failed else NOT_READ
    minutes = figures.minutes(series)
    # The figure of now: a datapoint of the last few minutes (CloudWatch's newest minute can lag); an older one
    # belongs to a service that stopped running, which shows as no data.
    recent = [value for value in minutes[-RECENT_MINUTES:] if value is not None]
    latest = recent[-1] if recent else None
    if latest is None:
        return NO_DATA
    style = "bold red" if latest >= 90 else "yellow" if latest >= 75 else ""
    cell = Text(f"{latest:.0f}%".rjust(4), style=style)
    if wide:
        cell.append(" ")
        cell.append(sparkline(minutes, SPARK_WIDTH), style="cyan")
    return cell


__all__ = ["NOT_READ", "NO_DATA", "SPARK_WIDTH", "UNREADABLE", "WIDE_ENOUGH", "utilisation_cell"]
