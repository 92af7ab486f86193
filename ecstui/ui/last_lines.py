"""A stopped task's last log lines in its pane: the crash's own words, or where its logs are, or why they could not
be read; every line through the text door."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from ecstui.aws.errors import AwsError
from ecstui.aws.log_cause import cause_line
from ecstui.aws.logs import LogLine, crashed_sources, no_lines_reason
from ecstui.aws.models import Task, TaskDefinition
from ecstui.ui.format import BAD, DIM, WARN
from ecstui.ui.inert import inert
from ecstui.ui.tables import inert_group

if TYPE_CHECKING:
    from ecstui.aws.logs import LogReader

# Lines read, and lines shown after stack frames are folded: about ten fit an 80x24 pane with its overview.
READ_LINES = 20
SHOWN_LINES = 10
FRAMES_KEPT = 2  # of a run of stack frames, the first ones (where it failed) stay; the rest are counted


@dataclass(frozen=True)
class LastLines:
    """What the pane shows of a stopped task's logs: its lines, or one sentence saying why there are none."""

    lines: tuple[LogLine, ...] = ()
    cause: str | None = None  # the line that says why (see log_cause)
    note: str | None = None  # where the logs are instead, or why the task wrote none
    error: str | None = None  # why they could not be read
    retry: bool = False  # the error may pass (throttling, an outage): read again at the next refresh
    streams: tuple[str, ...] = ()


def wants_last_lines(task: Task) -> bool:
    """A task that has stopped (or is stopping with its containers exited): its last words are worth a read."""
    return task.desired_status == "STOPPED" and (
        task.last_status == "STOPPED" or any(c.exit_code is not None for c in task.containers)
    )


async def read_last_lines(logs: LogReader, task: Task, definition: TaskDefinition) -> LastLines:
    sources = crashed_sources(task, definition)
    streams = tuple(f"{s.group}  {s.stream}" for s in sources if s.readable)
    reason = no_lines_reason(task, sources)
    if reason is not None:
        return LastLines(note=reason)
    try:
        lines = await logs.last_lines(task, definition, count=READ_LINES)
    except AwsError as error:
        return LastLines(error=error.message, retry=error.retryable, streams=streams)
    if not lines:
        return LastLines(note="The container wrote nothing to its log stream.", streams=streams)
    return LastLines(tuple(lines), cause_line([line.message for line in lines]), streams=streams)


def _is_frame(message: str) -> bool:
    stripped = message.lstrip()
    return message[:1] in (" ", "\t") and (stripped.startswith(("at ", "File ", "/")) or message[:1] == "\t")


def fold_frames(lines: Sequence[LogLine]) -> list[LogLine | int]:
    """The lines with each run of stack frames past its first FRAMES_KEPT replaced by how many were left out."""
    folded: list[LogLine | int] = []
    run = 0
    for line in lines:
        if _is_frame(line.message):
            run += 1
            if run > FRAMES_KEPT:
                if isinstance(folded[-1], int):
                    folded[-1] += 1
                else:
                    folded.append(1)
                continue
        else:
            run = 0
        folded.append(line)
    return folded


def render_last_lines(last: LastLines, several_containers: bool = False) -> RenderableType:
    title = Text("Last log lines (UTC)", style="bold")
    if last.streams:
        title.append("  ")
        title.append_text(inert(", ".join(last.streams), DIM))
    if last.error:
        return inert_group(title, inert(f"⚠ {last.error}", BAD))
    if last.note:
        return inert_group(title, inert(last.note, DIM))
    rows: list[RenderableType] = [title]
    if last.cause:
        rows.append(Text.assemble(("why  ", DIM), inert(last.cause, BAD)))
    shown = fold_frames(last.lines)[-SHOWN_LINES:]
    for item in shown:
        if isinstance(item, int):
            rows.append(Text(f"        … {item} more stack frame{'s' if item != 1 else ''}", style=DIM))
            continue
        row = Text.assemble((item.timestamp.strftime("%H:%M:%S") + "  ", DIM))
        if several_containers and item.container:
            row.append_text(inert(f"{item.container}  ", WARN))
        # The message exactly as the container wrote it, made inert; it wraps (Rich folds long words too).
        row.append_text(inert(item.message))
        rows.append(row)
    return inert_group(*rows)
