"""`?`: every key of the view underneath, with what it does and the id that remaps it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ecstui.ui.inert import inert

KEY_NAMES = {
    "question_mark": "?",
    "colon": ":",
    "slash": "/",
    "escape": "esc",
    "enter": "enter",
}


def key_label(key: str) -> str:
    return KEY_NAMES.get(key, key)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help.close2"),
        Binding("q", "dismiss", "Close", show=False, id="help.close3"),
    ]

    # At 80x24 a table of 30 rows ran past the box, its last rows out of sight and out of the cursor's reach:
    # the table takes the rows the screen has (75vh, with the box's title and border) and scrolls.
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 90%; border: thick $accent;
        background: $surface; }
    HelpScreen #help-title { padding: 0 1; text-style: bold; }
    HelpScreen DataTable { height: auto; max-height: 75vh; }
    """

    def __init__(self, view: str, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.view = view
        self.rows = bindings

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(inert(f"Keys of {self.view}  (esc closes)"), id="help-title")
            yield DataTable(cursor_type="row", id="help-table")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Does", "Id")
        # Keys and descriptions may come from the config's keymap: cells are Text (a DataTable reads a str as markup).
        for key, description, binding_id in self.rows:
            table.add_row(inert(key), inert(description), inert(binding_id))
        table.focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
