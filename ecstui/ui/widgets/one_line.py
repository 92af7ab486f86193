"""A one-line text widget that is rewritten often (a pane's title, the status line) at the cost of that line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class OneLine(Static):
    """Static.update lays the whole screen out again (a Static's height follows its text); a one-line widget's
    size cannot change, so a new text repaints just the line, and the same text again (the title's "updated 3s
    ago", the status line's ticks) costs nothing. A layout every second redrew every widget on screen."""

    DEFAULT_CSS = """
    OneLine { height: 1; }
    """

    def __init__(self, text: Text | str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(text, id=id, classes=classes)
        self._line: Text | str = text

    def show(self, text: Text | str) -> None:
        if text == self._line:
            return
        self._line = text
        self.update(text, layout=False)
