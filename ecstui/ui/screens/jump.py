"""`:`: a k9s-style command line that jumps to a kind of resource."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from ecstui.ui.inert import inert
from ecstui.ui.key_order import TakesTypeAhead

# Each kind with the aliases an operator may type.
JUMP_TARGETS: dict[str, tuple[str, ...]] = {
    "clusters": ("clusters", "cluster", "cl", "c"),
    "services": ("services", "service", "svc", "s"),
    "tasks": ("tasks", "task", "t"),
    "taskdefs": ("taskdefs", "taskdef", "td", "task-definitions"),
    "instances": ("instances", "instance", "ci", "i", "container-instances"),
}
JUMP_TARGETS["audit"] = ("audit",)
JUMP_TARGETS["targets"] = ("targets", "target", "tg", "target-groups")
JUMP_TARGETS["triage"] = ("triage", "problems", "broken")
JUMP_TARGETS["stats"] = ("stats", "requests")
JUMP_TARGETS["autoscaling"] = ("autoscaling", "as", "scaling", "auto-scaling")
JUMP_TARGETS["schedules"] = ("schedules", "schedule", "sched", "cron")
JUMP_TARGETS["sessions"] = ("sessions", "session", "forwards", "port-forwards")
JUMP_TARGETS["profile"] = ("profile", "profiles", "ctx", "context")
JUMP_TARGETS["region"] = ("region", "regions")


def resolve_jump(text: str) -> str | None:
    word = text.strip().lstrip(":").strip().lower()
    for kind, aliases in JUMP_TARGETS.items():
        if word in aliases:
            return kind
    return None


class JumpScreen(TakesTypeAhead, ModalScreen[str | None]):
    """Keys typed in the same burst as `:` are its text: the app holds them until the input has focus."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="jump.cancel")]

    DEFAULT_CSS = """
    JumpScreen { align: center bottom; background: $background 0%; }
    JumpScreen Input { dock: bottom; width: 100%; border: tall $accent; }
    JumpScreen #jump-error { dock: bottom; height: 1; color: $error; padding: 0 1; margin-bottom: 3; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="jump-error")
        yield Input(
            placeholder=":clusters  :services  :tasks  :taskdefs  :instances",
            suggester=SuggestFromList(list(JUMP_TARGETS), case_sensitive=False),
            id="jump-input",
        )

    AUTO_FOCUS = "#jump-input"

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        kind = resolve_jump(event.value)
        if kind is None:
            self.query_one("#jump-error", Static).update(
                inert(f"Unknown view {event.value.strip()!r}: try " + ", ".join(f":{k}" for k in JUMP_TARGETS))
            )
            return
        self.dismiss(kind)

    def action_cancel(self) -> None:
        self.dismiss(None)
