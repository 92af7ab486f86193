"""A one-line text widget that is rewritten often (a pane's title, the status line) at the cost of that line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ecstui.ui.inert import make_inert


class OneLine(Static):
    """Static.update lays the whole screen out again (a Static's height follows its text); a one-line widget's
    size cannot change, so a new text repaints just the line, and the same text again (the title's "updated 3s
    ago", the status line's ticks) costs nothing. A layout every second redrew every widget on screen."""

    DEFAULT_CSS = """
    OneLine { height: 1; }
    """

    def __init__(self, text: Text | None = None, *, id: str | None = None, classes: str | None = None) -> None:
        # A title names AWS resources: it takes Text (never a str, which Static reads as markup) and draws its
        # unprintable characters as stand-ins, on one line.
        line = make_inert(text, multiline=False) if text is not None else Text()
        super().__init__(line, id=id, classes=classes)
        self._line: Text = line

    def show(self, text: Text) -> None:
        line = make_inert(text, multiline=False)
        if line == self._line:
            return
        self._line = line
        self.update(line, layout=False)
