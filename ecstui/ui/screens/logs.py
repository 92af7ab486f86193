"""The log pane: one task's container, a service's running tasks merged by time, or a stopped task's last lines.

What it reads is bounded: a time range, in reads of READ_LIMIT lines, at most what the view holds (100,000 by
default); then, unless the task has stopped or the range ends, it follows new lines (StartLiveTail, or polling,
as the reader decides). Errors say one sentence above the lines, which stay.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, Static

from ecstui.aws.errors import AwsError, to_aws_error
from ecstui.aws.log_cause import cause_line
from ecstui.aws.logs import LogFollow, LogLine, LogSource, crashed_sources, no_lines_reason, task_log_sources
from ecstui.aws.models import Task, TaskDefinition, short_name
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.logs import LogPatternDialog, LogRangeDialog, SaveLogDialog
from ecstui.ui.format import DIM, WARN
from ecstui.ui.inert import inert, make_inert, notify_inert, visible
from ecstui.ui.log_range import LAST_HOUR, SINCE_START, TimeRange
from ecstui.ui.screens.base import LiveScreen
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.log_view import DEFAULT_MAX_LINES, LogView, iso_line
from ecstui.ui.widgets.one_line import OneLine

# Lines per read (LogReader.read's limit): the pane reads a range in such pages, up to what the view holds.
READ_LIMIT = 10_000
# Where a follow starts before the last line read: events reach CloudWatch Logs late, and lines read twice in the
# overlap are dropped by identity.
OVERLAP = timedelta(seconds=30)
# A stopped task's stream: a little after it stopped (the last lines are flushed as the container exits).
AFTER_STOP = timedelta(minutes=2)
# Errors a later attempt may cure (a group not yet created by a task still starting, throttling, the network).
RETRYABLE = frozenset({"throttled", "unreachable", "server", "not_found", "malformed", "other"})
MAX_BACKOFF = 60.0
# A task with these statuses, told to stop, has stopped its containers or is stopping them.
ENDING = frozenset({"DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"})


@dataclass(frozen=True)
class LogTarget:
    """Whose logs: a task (and a container of it), or a service's running tasks."""

    cluster: str
    task_arn: str | None = None
    service: str | None = None
    container: str | None = None
    # The task as the pane that opened this one last read it. A stopped task is final, and ECS stops listing it
    # about an hour after it stopped (a crash-looping service's sooner, under the stopped tasks it keeps) while
    # its log stream stays: its logs are then still read from this.
    seen_task: Task | None = field(default=None, compare=False)


class LogsScreen(LiveScreen):
    kind = "Logs"

    BINDINGS = [
        Binding("slash", "search", "Search", id="logs.search"),
        Binding("c", "next_container", "Container", id="logs.container"),
        Binding("r", "time_range", "Range", id="logs.range"),
        Binding("p", "pattern", "Filter", id="logs.pattern"),
        Binding("y", "copy_line", "Copy", id="logs.copy"),
        Binding("Y", "copy_shown", "Copy all/matches", show=False, id="logs.copy_shown"),
        Binding("ctrl+s", "save", "Save", id="logs.save"),
    ]
    keys_while_typing: ClassVar[frozenset[str]] = frozenset({"back"})
    # Seconds between reads of a service's running tasks while its logs are followed.
    sources_every: ClassVar[float] = 30.0

    DEFAULT_CSS = """
    LogsScreen #pane-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    LogsScreen #logs-detail { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    LogsScreen #pane-error { height: auto; padding: 0 1; background: $error 30%; display: none; }
    LogsScreen #pane-error.shown { display: block; }
    LogsScreen #logs-note { height: auto; padding: 0 1; color: $warning; display: none; }
    LogsScreen #logs-note.shown { display: block; }
    LogsScreen #logs-search { display: none; height: 3; }
    LogsScreen #logs-search.shown { display: block; }
    LogsScreen #logs-status { height: 1; padding: 0 1; background: $boost; }
    LogsScreen #logs-status.empty { display: none; }
    """

    def __init__(self, target: LogTarget, *, max_lines: int = DEFAULT_MAX_LINES) -> None:
        super().__init__()
        self.target = target
        self.max_lines = max_lines
        self.ecs_task: Task | None = None
        self.definition: TaskDefinition | None = None
        self.sources: list[LogSource] = []  # every container's (a task) or every running task's (a service)
        self.container: str | None = target.container  # None for a service: every container
        self.time_range: TimeRange = LAST_HOUR
        self.pattern = ""
        self.loaded = False  # the first read has ended (lines, a sentence, or an error)
        self.truncated_at: datetime | None = None  # a range with more lines than the pane holds: read up to here
        self.error: AwsError | None = None
        self.notes: list[str] = []
        self.follow_handle: LogFollow | None = None
        self._failures = 0
        self._retry_timer: Timer | None = None
        self._container_chosen = target.container is not None
        self._shown_detail: Text | None = None

    # -- what is shown --------------------------------------------------------------------------------------------
    @property
    def is_service(self) -> bool:
        return self.target.task_arn is None

    @property
    def stopped(self) -> bool:
        """The task has stopped, or is on its way out (its essential container exited): its stream is ending."""
        task = self.ecs_task
        if task is None:
            return False
        return task.last_status == "STOPPED" or (task.desired_status == "STOPPED" and task.last_status in ENDING)

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def chosen_sources(self) -> list[LogSource]:
        if self.container is None:
            return list(self.sources)
        return [source for source in self.sources if source.container == self.container]

    def container_names(self) -> list[str]:
        return list(dict.fromkeys(source.container for source in self.sources))

    @property
    def follows(self) -> bool:
        return self.time_range.follows and not self.stopped and any(s.readable for s in self.chosen_sources())

    def compose(self) -> ComposeResult:
        yield from self.compose_context()
        yield OneLine(self._title(), id="pane-title")
        yield Static(Text("loading…", style=DIM), id="logs-detail")
        yield Static("", id="pane-error")
        yield Static("", id="logs-note")
        yield Input(
            placeholder="search the lines held: enter finds, n / N next / previous, esc closes", id="logs-search"
        )
        yield LogView(self.max_lines, show_tags=self.is_service)
        yield OneLine(Text(""), id="logs-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.view.focus()
        self.set_interval(1.0, self._update_header, name="logs header")
        if self.is_service:
            self.set_interval(self.sources_every, self._sources_tick, name="logs sources")
        self.reload()

    async def on_unmount(self) -> None:
        await self._stop_following()

    # -- reading ------------------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the range again (a new range, pattern or container, ctrl+r, a retry) and follow from its end."""
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        self._load()

    def action_refresh_now(self) -> None:
        self._failures = 0
        self.reload()

    @work(group="logs-load", exclusive=True, exit_on_error=False, description="read the logs")
    async def _load(self) -> None:
        await self._stop_following()
        try:
            await self._resolve_sources()
            chosen = self.chosen_sources()
            readable = [source for source in chosen if source.readable]
            self.notes = self._where_notes(chosen)
            self._show_notes()
            if not readable:
                self.view.clear()
                self._settled(None)
                return
            lines = await self._read(readable)
        except Exception as exc:  # every failure becomes one sentence in this pane
            self._failed(to_aws_error(exc))
            return
        view = self.view
        view.show_tags = self.is_service
        view.tag_containers = self.is_service and self.container is None and len(self.container_names()) > 1
        view.assign_colours(dict.fromkeys(s.task_id for s in readable if s.task_id))
        view.replace(lines)
        if self.stopped:
            self._point_at_cause(lines)
        self._settled(None)
        if self.follows:
            self._follow(readable, self._follow_start(lines), lines)

    async def _resolve_sources(self) -> None:
        app = self.ecs_app
        if self.is_service:
            assert self.target.service is not None
            self.sources = await app.logs.service_sources(self.target.cluster, self.target.service)
            names = self.container_names()
            if self.container is not None and self.container not in names:
                self.container = None
            if not self._container_chosen and len(names) > 1:
                # The first container of the definition is the application; sidecars (an agent, a proxy) are a
                # press of c away, as is every container merged.
                self.container = names[0]
            self._container_chosen = True
            return
        assert self.target.task_arn is not None
        task = await app.reader.task(self.target.cluster, self.target.task_arn)
        if task is None:  # forgotten by ECS: a stopped task as last read is final, and its stream is still there
            known = self.ecs_task or self.target.seen_task
            task = known if known is not None and known.last_status == "STOPPED" else None
        if task is None:
            raise AwsError(
                f"Task {short_name(self.target.task_arn)} is not found in {self.target.cluster}: ECS forgets "
                "stopped tasks about an hour after they stop.",
                kind="not_found",
            )
        definition = await app.reader.task_definition(task.task_definition_arn)
        first_time = self.ecs_task is None
        self.ecs_task, self.definition = task, definition
        self.sources = task_log_sources(task, definition)
        if first_time and self.stopped and self.time_range == LAST_HOUR:
            self.time_range = SINCE_START  # a stopped task: its whole life, to its last lines
        if self.container not in self.container_names():
            self.container = self._default_container(task, definition)

    def _default_container(self, task: Task, definition: TaskDefinition) -> str | None:
        """The container a pane of a task opens on: for a stopped task the one whose exit stopped it, else the first
        whose logs can be read, else the first."""
        if task.last_status == "STOPPED":
            crashed = crashed_sources(task, definition)
            if crashed:
                return crashed[0].container
        readable = [source for source in self.sources if source.readable]
        if readable:
            return readable[0].container
        return self.sources[0].container if self.sources else None

    def _where_notes(self, chosen: Sequence[LogSource]) -> list[str]:
        """Sentences for what cannot be read (another driver, no configuration), once each: never an error."""
        if not chosen:
            return ["This task definition has no containers." if not self.is_service else self._no_tasks()]
        notes: list[str] = []
        unreadable = [source for source in chosen if not source.readable]
        if self.ecs_task is not None and self.stopped:
            reason = no_lines_reason(self.ecs_task, chosen)
            if reason is not None:
                return [reason]
        if len(unreadable) == len(chosen):
            for where in dict.fromkeys(source.where for source in unreadable):
                notes.append(where or "This container's logs are not in CloudWatch Logs.")
            return notes
        for container, where in dict.fromkeys((source.container, source.where) for source in unreadable):
            notes.append(f"{container}: {where}")
        return notes

    def _no_tasks(self) -> str:
        return (
            f"{self.target.service} has no running task: no logs to follow. Its stopped tasks' logs are in the "
            "tasks pane (S lists them, l opens one's)."
        )

    def _window(self) -> tuple[datetime | None, datetime]:
        now = self.ecs_app.clock()
        task = self.ecs_task
        started = (task.started_at or task.created_at) if task is not None else None
        start, end = self.time_range.window(now, started)
        if task is not None and self.stopped:
            stopped = task.stopped_at or task.stopping_at
            if stopped is not None and self.time_range.follows:
                end = stopped + AFTER_STOP  # its stream ends there (whatever the local clock says)
            if start is not None and self.time_range.kind == "since_start":
                start -= timedelta(seconds=5)  # a container's first lines are stamped as it starts
        return start, end

    async def _read(self, sources: Sequence[LogSource]) -> list[LogLine]:
        """The range's lines in pages of READ_LIMIT (each page from the last line of the one before) until the range
        is read or the view would be full: bounded, and the newest kept (the view drops the oldest)."""
        start, end = self._window()
        self.truncated_at = None
        lines: list[LogLine] = []
        cursor = start
        pages = max(1, self.max_lines // READ_LIMIT)
        for _ in range(pages):
            page = await self.ecs_app.logs.read(
                sources, start=cursor, end=end, pattern=self.pattern or None, limit=READ_LIMIT
            )
            lines.extend(page)
            if len(page) < READ_LIMIT:
                return lines
            if page[-1].timestamp == cursor:
                break  # more than a page of lines in one millisecond: nothing later can be asked for
            cursor = page[-1].timestamp
        self.truncated_at = lines[-1].timestamp if lines else None
        return lines

    def _point_at_cause(self, lines: Sequence[LogLine]) -> None:
        """A stopped task's pane opens with the cursor on the line that says why it stopped (what triage and the
        task pane quote), its stack frames below it on screen."""
        cause = cause_line([line.message for line in lines])
        if not cause:
            return
        wanted = cause.rstrip("\u2026")
        for index in range(len(lines) - 1, -1, -1):
            if wanted in lines[index].message:
                self.view.point_at(lines[index])
                return

    def _follow_start(self, lines: Sequence[LogLine]) -> datetime:
        _, end = self._window()
        newest = lines[-1].timestamp if lines else end
        return min(newest, end) - OVERLAP

    # -- following ----------------------------------------------------------------------------------------------
    def _follow(self, sources: Sequence[LogSource], start: datetime, overlap: Sequence[LogLine]) -> None:
        self.run_worker(
            self._follow_loop(list(sources), start, list(overlap)),
            group="logs-follow",
            exclusive=True,
            exit_on_error=False,
            description="follow the logs",
        )

    async def _follow_loop(self, sources: list[LogSource], start: datetime, overlap: list[LogLine]) -> None:
        # Lines read already in the overlap (by identity: the same event read by GetLogEvents, FilterLogEvents and
        # StartLiveTail has a different id in each) are not shown twice.
        held = Counter(line.identity for line in overlap if line.timestamp >= start)
        backoff = 2.0
        while True:
            follow = self.ecs_app.logs.follow(sources, start=start, pattern=self.pattern or None)
            self.follow_handle = follow
            self._update_header()
            try:
                async for batch in follow:
                    fresh = []
                    for line in batch:
                        if held and held[line.identity] > 0:
                            held[line.identity] -= 1
                            continue
                        fresh.append(line)
                    self.view.append(fresh)
                    if self.error is not None:
                        self._settled(None)
                    backoff = 2.0
                return
            except AwsError as error:
                self._show_error(error, backoff if error.kind in RETRYABLE and error.kind != "not_found" else None)
                if error.kind not in RETRYABLE or error.kind == "not_found":
                    return
            finally:
                await follow.close()
                if self.follow_handle is follow:
                    self.follow_handle = None
                self._update_header()
            await asyncio.sleep(backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)
            # Again from just before the newest line shown; what was shown since then is not shown twice.
            newest = self.view.last_timestamp or start
            start = max(start, newest - OVERLAP)
            held = Counter(line.identity for line in self.view.lines_since(start))

    async def _stop_following(self) -> None:
        self.workers.cancel_group(self, "logs-follow")
        handle, self.follow_handle = self.follow_handle, None
        if handle is not None:
            with contextlib.suppress(Exception):
                await handle.close()

    def _sources_tick(self) -> None:
        """A service's tasks come and go (a crash loop replaces them every minute): every `sources_every`, while
        it follows, its running tasks are read again and the follow moves to the new set."""
        if self.loaded and self.time_range.follows and not self.workers_in("logs-load"):
            self._recheck_sources()

    def workers_in(self, group: str) -> bool:
        return any(worker.group == group and not worker.is_finished for worker in self.workers)

    @work(group="logs-sources", exclusive=True, exit_on_error=False, description="a service's running tasks")
    async def _recheck_sources(self) -> None:
        assert self.target.service is not None
        try:
            sources = await self.ecs_app.logs.service_sources(self.target.cluster, self.target.service)
        except AwsError:
            return  # the next check tries again; the follow goes on with the tasks it has
        before = {s.stream for s in self.chosen_sources() if s.readable}
        self.sources = sources
        chosen = [s for s in self.chosen_sources() if s.readable]
        self.notes = self._where_notes(self.chosen_sources())
        self._show_notes()
        self._update_header()
        if {s.stream for s in chosen} == before or not chosen:
            return
        self.view.assign_colours(dict.fromkeys(s.task_id for s in chosen if s.task_id))
        # From before the last check: a task started since then has written its first lines meanwhile.
        start = (self.view.last_timestamp or self.ecs_app.clock()) - timedelta(seconds=self.sources_every) - OVERLAP
        await self._stop_following()
        self._follow(chosen, start, self.view.lines_since(start))

    # -- errors -------------------------------------------------------------------------------------------------
    def _failed(self, error: AwsError) -> None:
        self._failures += 1
        retry = None
        # A stopped task's stream is complete: a missing group or stream will not appear by waiting.
        if error.kind in RETRYABLE and not (self.stopped and error.kind == "not_found"):
            retry = min(MAX_BACKOFF, 2.0 * 2 ** min(self._failures, 5))
            self._retry_timer = self.set_timer(retry, self.reload, name="logs retry")
        self.loaded = True
        self._show_error(error, retry)

    def _show_error(self, error: AwsError, retry_in: float | None) -> None:
        self.error = error
        banner = self.query_one("#pane-error", Static)
        held = " The lines already shown stay." if self.view.line_count else ""
        again = f" Retrying in {retry_in:.0f}s." if retry_in is not None else " ctrl+r tries again."
        banner.update(inert(f"⚠ {error.message}{held}{again}", "bold", multiline=True))
        banner.add_class("shown")
        self._update_header()

    def _settled(self, error: AwsError | None) -> None:
        self.loaded = True
        self.error = error
        self._failures = 0
        self.query_one("#pane-error", Static).remove_class("shown")
        self._update_header()

    def _show_notes(self) -> None:
        note = self.query_one("#logs-note", Static)
        if self.notes:
            note.update(inert("\n".join(self.notes), multiline=True))
            note.add_class("shown")
        else:
            note.remove_class("shown")

    # -- the header ---------------------------------------------------------------------------------------------
    def _title(self) -> Text:
        target = self.target
        text = Text("Logs  ")
        if self.is_service:
            text.append(f"{target.cluster} / {target.service}", style="cyan")
            tasks = len({s.task_id for s in self.sources if s.task_id})
            text.append(f"  {tasks} running task{'s' if tasks != 1 else ''}", style="")
        else:
            service = self.ecs_task.service_name if self.ecs_task is not None else target.service
            task_id = short_name(target.task_arn or "")[:8]  # the stream on the line below names it in full
            where = f"{target.cluster} / {service} / {task_id}" if service else f"{target.cluster} / {task_id}"
            text.append(where, style="cyan")
        names = self.container_names()
        if self.container is not None:
            at = f" ({names.index(self.container) + 1}/{len(names)}, c switches)" if len(names) > 1 else ""
            text.append(f"  container {self.container}{at}", style="bold")
        elif len(names) > 1:
            text.append(f"  all {len(names)} containers (c picks one)", style="bold")
        return text

    def _detail(self) -> Text:
        """Range, filter, state and mode, lines held, then where they come from (last: it is the longest)."""
        sep = "  ·  "
        text = Text(self.time_range.label)
        if self.pattern:
            text.append(sep)
            text.append("filter ")
            text.append(self.pattern, style="magenta")
        text.append(sep)
        text.append_text(self._state())
        follow = self.follow_handle
        if follow is not None:
            text.append(f" ({follow.mode})")
        text.append(f"{sep}{self.view.line_count:,} lines")
        readable = [s for s in self.chosen_sources() if s.readable]
        if len(readable) == 1:
            source = readable[0]
            stream = source.stream or ""
            if self.size.width < 120 and source.task_id and source.task_id in stream:
                stream = stream.replace(source.task_id, source.task_id[:8] + "…")  # in full on a wide screen
            text.append(f"{sep}{source.group} / {stream}")
            if source.region and source.region != self.ecs_app.session.region:
                text.append(f" ({source.region})")
        elif readable:
            groups = list(dict.fromkeys(str(s.group) for s in readable))
            text.append(f"{sep}{', '.join(groups)} / {len(readable)} streams")
        if self.truncated_at is not None:
            text.append(
                f"{sep}more than {self.max_lines:,} lines in the range: read up to "
                f"{self.truncated_at.strftime('%H:%M:%S')} (narrow it with r or p)",
                style=WARN,
            )
        if follow is not None and follow.backing_off:
            text.append(f"{sep}{follow.backing_off}", style=WARN)
        elif follow is not None and follow.note:
            text.append(f"{sep}{follow.note}", style=DIM)
        return text

    def _state(self) -> Text:
        if not self.loaded:
            return Text("reading…", style=DIM)
        if self.stopped and self.ecs_task is not None:
            status = self.ecs_task.last_status.lower()
            return Text(f"■ {status} task: its last lines, not followed", style="bold")
        if not self.time_range.follows:
            return Text("■ a past range, not followed", style="bold")
        if not any(s.readable for s in self.chosen_sources()):
            return Text("nothing to follow", style=DIM)
        if self.follow_handle is None and self.error is not None:
            return Text("✗ not following", style="bold red")
        view = self.view
        if view.following:
            return Text("● following", style="bold green")
        return Text(f"❚❚ paused: {_lines(view.new_while_paused)}", style="bold yellow")

    def _status(self) -> Text:
        view = self.view
        text = Text()
        if self.loaded and self.follows and not view.following:
            text.append(f"❚❚ paused: {_lines(view.new_while_paused)}  (End or f follows)", style="bold yellow")
        elif self.loaded and self.follows and self.follow_handle is not None:
            text.append("● following", style="bold green")
            text.append("  (↑, PgUp or the wheel pause)", style=DIM)
        position = view.match_position
        if position is not None:
            if text.plain:
                text.append("   ")
            at, count = position
            text.append("search ", style=DIM)
            text.append(view.search_term, style="bold")
            if not count:
                text.append("  no match", style=WARN)
            else:
                text.append(f"  {at}/{count}" if at else f"  {count} matches", style="bold")
            if count:
                text.append("  (n / N)", style=DIM)
        return text

    def _update_header(self) -> None:
        if not self.is_mounted:
            return
        self.query_one("#pane-title", OneLine).show(self._title())
        detail = make_inert(self._detail(), multiline=False)
        if detail != self._shown_detail:
            # Static.update lays the screen out again: only when the text changed, not on every line that arrives.
            self._shown_detail = detail
            self.query_one("#logs-detail", Static).update(detail)
        status = self._status()
        bar = self.query_one("#logs-status", OneLine)
        bar.show(status)
        bar.set_class(not status.plain, "empty")

    @on(LogView.StateChanged)
    def _view_changed(self, event: LogView.StateChanged) -> None:
        self._update_header()

    @on(LogView.NotJson)
    def _not_json(self, event: LogView.NotJson) -> None:
        notify_inert(self, "The line under the cursor holds no JSON.", severity="warning", timeout=3)

    # -- keys ---------------------------------------------------------------------------------------------------
    def action_search(self) -> None:
        box = self.query_one("#logs-search", Input)
        box.value = self.view.search_term
        box.add_class("shown")
        box.focus()

    @on(Input.Submitted, "#logs-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.view.search(event.value)
        self._close_search()

    def _close_search(self) -> None:
        self.query_one("#logs-search", Input).remove_class("shown")
        self.view.focus()
        self._update_header()

    def action_back(self) -> None:
        box = self.query_one("#logs-search", Input)
        if box.has_focus:
            self._close_search()
            return
        if self.view.search_term:
            self.view.search("")
            self._update_header()
            return
        super().action_back()

    def action_next_container(self) -> None:
        names = self.container_names()
        if len(names) < 2:
            notify_inert(self, "This task has one container." if not self.is_service else "One container only.")
            return
        cycle: list[str | None] = [*([None] if self.is_service else []), *names]
        at = cycle.index(self.container) if self.container in cycle else -1
        self.container = cycle[(at + 1) % len(cycle)]
        self.loaded = False
        self._update_header()
        self.reload()

    def action_time_range(self) -> None:
        self.app.push_screen(
            LogRangeDialog(self.time_range, self.ecs_app.clock, task_started=not self.is_service), self._range_chosen
        )

    def _range_chosen(self, chosen: TimeRange | None) -> None:
        if chosen is not None:
            self.time_range = chosen
            self.loaded = False
            self.reload()

    def action_pattern(self) -> None:
        self.app.push_screen(LogPatternDialog(self.pattern), self._pattern_chosen)

    def _pattern_chosen(self, chosen: str | None) -> None:
        if chosen is not None:
            self.pattern = chosen
            self.loaded = False
            self.reload()

    def action_copy_line(self) -> None:
        line = self.view.cursor_line
        if line is None:
            notify_inert(self, "No line to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(self.view.shown_text(line))
        notify_inert(self, "Copied the line under the cursor.", timeout=3)

    def action_copy_shown(self) -> None:
        view = self.view
        only_matches = bool(view.search_term)
        text, count = view.copy_text(only_matches=only_matches)
        if not count:
            notify_inert(self, "No line to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        what = "matching the search" if only_matches else "held"
        partial = f" (the newest {count:,}: the most a terminal's clipboard takes; ctrl+s saves all)"
        held = len(view.search_matches()) if only_matches else view.line_count
        notify_inert(self, f"Copied {count:,} lines {what}" + (partial if count < held else "."), timeout=4)

    def action_save(self) -> None:
        view = self.view
        if not view.line_count:
            notify_inert(self, "No lines to save.", severity="warning")
            return
        tagged = self.is_service
        lines = list(view.lines)
        # The dialog says where it wrote; the lines are those held when it opened.
        self.app.push_screen(SaveLogDialog(self.default_file(), lambda: [iso_line(line, tag=tagged) for line in lines]))

    def default_file(self) -> str:
        container = self.container or "all"
        if self.is_service:
            name = f"{self.target.service}-{container}"
        else:
            name = f"{short_name(self.target.task_arn or '')}-{container}"
        # The name comes from AWS: only what a file name can hold safely.
        safe = "".join(char if char.isalnum() or char in "-_." else "_" for char in visible(name))
        return f"./{safe}.log"

    def palette_commands(self) -> list[PaletteCommand]:
        return [
            PaletteCommand(
                "Time range of the logs", "5 min, 1 h, since the task started, or custom", self.action_time_range
            ),
            PaletteCommand("Filter pattern", "A CloudWatch Logs filter pattern, applied by AWS", self.action_pattern),
            PaletteCommand("Save the logs", "Every line held, to a file (0600)", self.action_save),
            PaletteCommand("Next container", "Switch to the task's next container", self.action_next_container),
        ]


def _lines(count: int) -> str:
    return f"{count:,} new line{'' if count == 1 else 's'}"


__all__ = ["LogTarget", "LogsScreen"]
