"""`:profile` and `:region`: pick another AWS profile or region; the app switches to it (EcsApp.switch_to).

Nothing here changes AWS: these pickers only say where to look next. A choice is made with enter (the picker
takes the highlighted line), escape keeps the current target.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ecstui.aws.profiles import ecs_regions, read_profiles
from ecstui.ui.inert import inert
from ecstui.ui.widgets.picker import Choice, Picker


class SwitchPickerDialog(ModalScreen[str | None]):
    """A title, one picker and a line of help; dismissed with the chosen id (None on escape)."""

    title_text = "Switch"
    what = "choice"
    help_text = "type to filter · up/down · enter switches · escape keeps the current one"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="switch.cancel")]

    DEFAULT_CSS = """
    SwitchPickerDialog { align: center middle; }
    SwitchPickerDialog > #switch { width: 90; max-width: 95%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1; }
    SwitchPickerDialog #switch-title { text-style: bold; padding: 0 0 1 0; }
    SwitchPickerDialog #switch-help { color: $text-muted; padding: 1 0 0 0; }
    """

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="switch"):
            title = Text(f"{self.title_text} (now: ", style="bold")
            title.append_text(inert(self.current or "none", "bold"))
            title.append(")")
            yield Static(title, id="switch-title")
            yield Picker(what=self.what, id="switch-picker")
            yield Static(self.help_text, id="switch-help")

    def choices(self) -> list[Choice]:
        raise NotImplementedError

    def on_mount(self) -> None:
        picker = self.query_one(Picker)
        choices = self.choices()
        if not choices:
            picker.show_error(self.empty_text())
        else:
            picker.set_choices(choices)
        picker.focus()

    def empty_text(self) -> str:
        return f"no {self.what}s"

    @on(Picker.Changed)
    def _chosen(self, event: Picker.Changed) -> None:
        event.stop()
        chosen = event.selected[0] if event.selected else None
        self.dismiss(chosen if chosen != self.current else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ProfilePickerDialog(SwitchPickerDialog):
    """The profiles of AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE: name, kind of credentials, region."""

    title_text = "Switch profile"
    what = "profile"

    def choices(self) -> list[Choice]:
        return [
            Choice(p.name, p.name, f"{p.kind}  {p.region or '(default region)'}")
            for p in sorted(read_profiles(), key=lambda p: p.name != self.current)
        ]

    def empty_text(self) -> str:
        return "No profiles in the AWS config files (AWS_CONFIG_FILE, ~/.aws/config): run `aws configure`."


class RegionPickerDialog(SwitchPickerDialog):
    """The regions ECS runs in, from botocore's endpoint data, the current one first."""

    title_text = "Switch region"
    what = "region"

    def choices(self) -> list[Choice]:
        return [Choice(r, r, "current" if r == self.current else "") for r in ecs_regions(self.current)]


__all__ = ["ProfilePickerDialog", "RegionPickerDialog", "SwitchPickerDialog"]
