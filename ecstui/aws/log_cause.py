"""The one log line that says why a container died: picked from its last lines, past stack frames and trailers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

# A line that names a failure: "Error: Cannot find module 'express'", "panic: runtime error: ...",
# "ModuleNotFoundError: No module named 'x'", "Exception in thread "main" java.lang...", "FATAL: ...".
_ERROR_WORDS: Final = re.compile(
    r"(\b\w*(Error|Exception|Errno)\b|\bpanic:|\bfatal\b|\bFATAL\b|\bCRITICAL\b|\bTraceback\b|\bSegmentation fault\b"
    r"|\bKilled\b|\bcannot\b|\bfailed\b|\bunable to\b)",
    re.IGNORECASE,
)
# Lines after the error that say nothing about it: Node's version trailer, the closing brace of an error object,
# "Require stack:" and its "- /path" lines, Python's "Traceback (most recent call last):" header.
_TRAILER: Final = re.compile(
    r"^(Node\.js v[\d.]+|[{}\[\]()^,;\s]*|Require stack:|- .*|Traceback \(most recent call last\):"
    r"|goroutine \d+ \[.*\]:|\[signal .*\]|created by .*|exit status \d+)$"
)
# How many of the last lines are searched for the error: a stack trace of Node or Java is about a dozen lines.
SEARCHED_LINES: Final = 40
MAX_LENGTH: Final = 200


def _frame(line: str) -> bool:
    """A stack frame or continuation: indented ("    at ...", '  File "..."', "\t/src/x.go:12") or Go's
    "main.f(...)" call lines."""
    return line[:1] in (" ", "\t") or bool(re.match(r"^[\w./*()-]+\(.*\)$", line.strip()))


def cause_line(messages: Sequence[str]) -> str | None:
    """The line of `messages` (oldest first) most likely to say why the process ended, trimmed; None if all blank.

    The last error-like line among the last lines that is not a stack frame or trailer; failing that, the last
    line that is neither; failing that, the last non-blank line.
    """
    lines = [line for text in messages for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    recent = lines[-SEARCHED_LINES:]
    plain = [line for line in recent if not _frame(line) and not _TRAILER.match(line.strip())]
    errors = [line for line in plain if _ERROR_WORDS.search(line)]
    chosen = (errors or plain or lines)[-1].strip()
    return chosen if len(chosen) <= MAX_LENGTH else chosen[: MAX_LENGTH - 1] + "\u2026"
