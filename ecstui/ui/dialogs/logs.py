"""The log pane's dialogs: the time range to read, the CloudWatch filter pattern, and saving the lines to a file."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from ecstui.aws.errors import AwsError
from ecstui.ui.dialogs.base import ActionDialog, Invalidity
from ecstui.ui.inert import inert
from ecstui.ui.log_range import LAST_5_MINUTES, LAST_HOUR, SINCE_START, RangeError, TimeRange, custom_range

# FilterLogEvents' filterPattern and StartLiveTail's logEventFilterPattern: at most 1,024 characters.
MAX_PATTERN = 1024


class LogRangeDialog(ActionDialog[TimeRange]):
    """`r`: which time range the pane reads. Nothing is read until a valid range is chosen."""

    title_text = "Time range of the logs"
    confirm_label = "Read"

    def __init__(self, current: TimeRange, now: Callable[[], datetime], *, task_started: bool) -> None:
        super().__init__()
        self.current = current
        self.now = now
        self._settled = False
        # "Since the task started" only for one task (a service's tasks started at different times).
        self.choices: list[tuple[str, TimeRange | None]] = [
            ("Last 5 minutes", LAST_5_MINUTES),
            ("Last hour", LAST_HOUR),
            *((("Since the task started", SINCE_START),) if task_started else ()),
            ("Custom: from start to end, below", None),
        ]

    def compose_body(self) -> ComposeResult:
        chosen = next((i for i, (_, r) in enumerate(self.choices) if r == self.current), len(self.choices) - 1)
        with RadioSet(id="range-choice"):
            for index, (label, _) in enumerate(self.choices):
                yield RadioButton(inert(label), value=index == chosen)
        custom = self.current if self.current.kind == "custom" else None
        yield Static(
            "Start and end: a time in UTC (2026-12-02T04:30, 04:30 today) or relative to now (-30m, -2h, -1d); "
            "an empty end, or now, follows new lines.",
            classes="field-label",
        )
        yield Input(
            custom.start.strftime("%Y-%m-%dT%H:%M:%S") if custom and custom.start else "",
            placeholder="start, e.g. -30m",
            id="range-start",
        )
        yield Input(
            custom.end.strftime("%Y-%m-%dT%H:%M:%S") if custom and custom.end else "",
            placeholder="end, e.g. now",
            id="range-end",
        )

    def initial_focus(self) -> Widget:
        return self.query_one(RadioSet)

    def on_mount(self) -> None:
        # The arrows start from the range shown now (Textual's RadioSet starts from none until one is pressed).
        self.query_one(RadioSet)._selected = self._pressed()
        # The buttons' initial values post Changed too: only what the user presses from now on acts.
        self.call_after_refresh(self._settle)

    def _settle(self) -> None:
        self._settled = True

    @on(RadioSet.Changed, "#range-choice")
    def _chosen(self, event: RadioSet.Changed) -> None:
        # A preset is read at once (r, a move, enter); the custom range is typed below it first.
        if not self.is_mounted or event.index < 0:
            return
        if self.choices[event.index][1] is not None and self._settled:
            self.action_confirm()
        elif self.choices[event.index][1] is None and self._settled and not isinstance(self.focused, Input):
            self.query_one("#range-start", Input).focus()

    @on(Input.Changed, "#range-start, #range-end")
    def _typing_is_custom(self, event: Input.Changed) -> None:
        # Typing a start or an end means a custom range: it is chosen for the user.
        if event.value.strip():
            buttons = list(self.query(RadioButton))
            buttons[-1].value = True

    def validate(self) -> TimeRange:
        pressed = self._pressed()
        preset = self.choices[pressed][1] if 0 <= pressed < len(self.choices) else None
        if preset is not None:
            return preset
        try:
            return custom_range(
                self.query_one("#range-start", Input).value, self.query_one("#range-end", Input).value, self.now()
            )
        except RangeError as problem:
            raise Invalidity(str(problem)) from None

    def _pressed(self) -> int:
        return next((i for i, button in enumerate(self.query(RadioButton)) if button.value), -1)

    def perform(self, values: Any) -> Awaitable[TimeRange]:
        return _done(values)

    def describe_success(self, result: TimeRange) -> str:
        return f"Reading the logs of the {result.label}." if result.kind == "last" else f"Reading {result.label}."


class LogPatternDialog(ActionDialog[str]):
    """`p`: a CloudWatch Logs filter pattern, sent to AWS with every read and follow (empty: every line)."""

    title_text = "Filter pattern"
    confirm_label = "Filter"

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose_body(self) -> ComposeResult:
        yield Static(
            'CloudWatch Logs filter pattern, applied by AWS: ERROR, ?ERROR ?WARN (either), "exact phrase", '
            '-healthz (not), { $.level = "error" } for JSON. Empty shows every line.',
            classes="field-label",
        )
        yield self.prefilled(self.current, id="pattern", placeholder="e.g. ?ERROR ?Exception")

    def validate(self) -> str:
        pattern = self.read("pattern", "The pattern").strip()
        if len(pattern) > MAX_PATTERN:
            raise Invalidity(f"The pattern is {len(pattern)} characters long; CloudWatch takes at most {MAX_PATTERN}.")
        if pattern.count('"') % 2:
            raise Invalidity('The pattern opens a quoted phrase (") that it does not close.')
        return pattern

    def perform(self, values: Any) -> Awaitable[str]:
        return _done(values)

    def describe_success(self, result: str) -> str:
        return "Filter pattern cleared: every line." if not result else "Reading the lines that match the pattern."


@dataclass(frozen=True)
class SavedLog:
    path: Path
    lines: int


class SaveLogDialog(ActionDialog[SavedLog]):
    """`ctrl+s`: the lines held, written to a file readable by the user alone (0600); an existing file is replaced
    only after a second Save on the same path."""

    title_text = "Save the logs to a file"
    confirm_label = "Save"

    def __init__(self, default_path: str, lines: Callable[[], Sequence[str]]) -> None:
        super().__init__()
        self.default_path = default_path
        self.lines = lines
        self._replace: Path | None = None  # the existing file the user has been told about

    def compose_body(self) -> ComposeResult:
        yield Static(
            "File (relative to the directory ecstui was started in); every line held, oldest first, with ISO "
            "times, as AWS holds it:",
            classes="field-label",
        )
        yield self.prefilled(self.default_path, id="save-path")

    @on(Input.Changed, "#save-path")
    def _another_path(self) -> None:
        if self._replace is not None:
            self._replace = None
            self.query_one("#dialog-confirm", Button).label = "Save"

    def validate(self) -> Path:
        typed = self.read("save-path", "The file").strip()
        if not typed:
            raise Invalidity("Type the file to write.")
        path = Path(os.path.expanduser(typed))
        if path.is_dir():
            raise Invalidity(f"{typed} is a directory: name a file in it.")
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise Invalidity(f"The directory {folder} does not exist.")
        if path.exists() and self._replace != path.resolve():
            self._replace = path.resolve()
            self.query_one("#dialog-confirm", Button).label = "Replace"
            raise Invalidity(f"{typed} exists: Replace overwrites it, or type another name.")
        return path

    def perform(self, values: Any) -> Awaitable[SavedLog]:
        return asyncio.to_thread(write_private, Path(values), list(self.lines()))

    def describe_success(self, result: SavedLog) -> str:
        return f"Saved {result.lines:,} lines to {result.path} (readable by you only)."


def write_private(path: Path, lines: Sequence[str]) -> SavedLog:
    """Write `lines` to `path` with mode 0600: into a new file in the same directory, renamed over the path, so
    that a file being replaced is never left half written nor readable by others for a moment."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")  # 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8", errors="replace", newline="\n") as out:
                for line in lines:
                    out.write(line)
                    out.write("\n")
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise AwsError(f"Could not write {path}: {error.strerror or error}.", kind="other") from error
    return SavedLog(path, len(lines))


async def _done(value: Any) -> Any:
    return value


__all__ = ["MAX_PATTERN", "LogPatternDialog", "LogRangeDialog", "SaveLogDialog", "SavedLog", "write_private"]
