"""Rich tables and groups for the detail views whose every piece of text is drawn as its characters.

Rich reads a str cell, a str title and a str header as markup (`[@click=app.quit]` in an image name would become
a clickable action) and draws ESC and other controls as they are. These are the only Table and Group the UI uses
(a test checks that no other module imports Rich's own): a str given to them is outside data and goes through
`inert`, a Text keeps its styles and has its unprintable characters made visible (`make_inert`), at the boundary,
so that a detail view built carelessly is still safe.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ecstui.ui.inert import inert, make_inert


def inert_part(part: RenderableType) -> RenderableType:
    """A piece of a table or group made safe: str through `inert`, Text through `make_inert`; other renderables
    (nested tables and groups, which are these classes) as they are."""
    if isinstance(part, str):
        return inert(part)
    if isinstance(part, Text):
        return make_inert(part)
    return part


def _inert_line(text: str | Text, style: Any = "") -> Text:
    """A title or a line of a group: inert, and ending its line as Rich's own Text does (`inert` makes cells,
    which end nowhere)."""
    line = make_inert(text) if isinstance(text, Text) else inert(text, style)
    if line.end != "\n":
        line = line.copy()
        line.end = "\n"
    return line


class InertTable(Table):
    """A Rich Table whose title, caption, headers and cells are made inert as they are given."""

    def __init__(
        self, *headers: str, title: str | Text | None = None, caption: str | Text | None = None, **options: Any
    ) -> None:
        # Rich styles a str title with title_style (a Text it draws as it is): the inert Text carries that style.
        title_style = options.get("title_style") or "table.title"
        caption_style = options.get("caption_style") or "table.caption"
        super().__init__(
            title=None if title is None else _inert_line(title, title_style),
            caption=None if caption is None else _inert_line(caption, caption_style),
            **options,
        )
        for header in headers:
            self.add_column(header)

    def add_column(self, header: RenderableType = "", *args: Any, **options: Any) -> None:
        super().add_column(inert_part(header), *args, **options)

    def add_row(self, *renderables: RenderableType | None, style: Any = None, end_section: bool = False) -> None:
        cells = (None if part is None else inert_part(part) for part in renderables)
        super().add_row(*cells, style=style, end_section=end_section)


class KvTable(InertTable):
    """A detail view's "field  value" table: labels are ours, values are Text (data through `inert`)."""

    def field(self, label: str | Text, value: Text) -> None:
        self.add_row(label, value)


def kv_table(title: str | Text) -> KvTable:
    table = KvTable(title=title, title_justify="left", title_style="bold", show_header=False, box=None, pad_edge=False)
    table.add_column("field", style="dim", no_wrap=True)
    table.add_column("value")
    return table


def inert_group(*parts: RenderableType) -> Group:
    """A Rich Group of these parts, each Text (or str) among them made inert."""
    return Group(*(_inert_line(part) if isinstance(part, (str, Text)) else part for part in parts))


__all__ = ["InertTable", "KvTable", "inert_group", "inert_part", "kv_table"]
