"""The one shape every mutating dialog has: inputs, an inline error, Cancel/Confirm, one request in flight.

Bad input is caught before anything is sent and said inline; a failed AWS call shows AWS's message and
leaves the dialog open with what the user typed; Confirm is disabled while the request is in flight, so an
action cannot be sent twice.

Every text a dialog shows goes through the text door (`inert`). An input prefilled with a value from AWS
(`prefilled`, `fill`) holds the value's visible form, since an ESC in it would reach the terminal, and is
marked: read back unchanged (`read`), it gives the value exactly as AWS holds it; edited but still holding
the stand-ins (``␛``, ``⟨U+202E⟩``), it is refused with a sentence, so that neither the control characters
are emitted nor a changed value is sent without the user seeing it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from ecstui.aws.actions import UncertainOutcome
from ecstui.aws.errors import AwsError, said_in_a_dialog, to_aws_error
from ecstui.aws.validation import Invalid
from ecstui.ui.inert import inert, notify_inert, shows_stand_ins, visible

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

R = TypeVar("R")


class Invalidity(Exception):
    """Raised by `validate` with a sentence for the user; nothing is sent."""


def checked(value: R | Invalid) -> R:
    """A validation result, or Invalidity carrying its message."""
    if isinstance(value, Invalid):
        raise Invalidity(str(value))
    return value


class ActionDialog(ModalScreen[R | None], Generic[R]):
    """Subclasses compose their inputs in `compose_body`, check them in `validate`, and send in `perform`."""

    title_text = "Action"
    confirm_label = "Confirm"
    confirm_variant: str = "primary"
    destructive = False

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "confirm", "Confirm", id="dialog.confirm", show=False),
    ]

    # The title is docked at the top and the error, status and buttons at the bottom, so that whatever the body
    # holds and however small the terminal (80x24), they stay on screen: the body takes the rows between them
    # (max-height 100% is what the docks leave) and scrolls. An error appearing takes its rows from the body,
    # so it is read without scrolling. The body's rule names the whole path so that it outranks a dialog's own
    # `#dialog-body { max-height: 65vh }` (from before the docks): a body taller than the rows left would run
    # under the buttons, out of reach of its scrollbar.
    DEFAULT_CSS = """
    ActionDialog { align: center middle; }
    ActionDialog > #dialog { width: 100; max-width: 95%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1; }
    ActionDialog.destructive > #dialog { border: thick $error; }
    ActionDialog #dialog-title { dock: top; text-style: bold; padding: 0 0 1 0; }
    ActionDialog > #dialog > #dialog-body { height: auto; max-height: 100%; }
    ActionDialog #dialog-footer { dock: bottom; height: auto; }
    ActionDialog #dialog-error { color: $error; text-style: bold; height: auto; max-height: 6; display: none; }
    ActionDialog #dialog-error.shown { display: block; }
    ActionDialog #dialog-status { color: $text-muted; height: auto; }
    ActionDialog #dialog-buttons { height: 3; align-horizontal: right; }
    ActionDialog #dialog-buttons Button { margin-left: 2; }
    ActionDialog .field-label { padding-top: 1; color: $text-muted; }
    ActionDialog Input.unprintable { border: tall $warning; }
    """

    UNPRINTABLE_NOTE = (
        "The value from AWS holds characters that cannot be shown; they are drawn as ␛, ␇, ⟨U+202E⟩… "
        "Left as it is, the value is kept exactly; to change it, type it anew without them."
    )

    def __init__(self) -> None:
        super().__init__(classes="destructive" if self.destructive else "")
        self.sending = False
        self.attempts = 0
        # Inputs prefilled with a value that could not be shown as it is: their id -> the value from AWS.
        self._unprintable: dict[str, str] = {}

    @property
    def ecs_app(self) -> EcsApp:
        return cast("EcsApp", self.app)

    # -- for subclasses --------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield from ()

    def validate(self) -> Any:
        """Read and check the inputs; raise Invalidity with a sentence. Returns what `perform` needs."""
        return None

    def perform(self, values: Any) -> Awaitable[R]:
        raise NotImplementedError

    def describe_success(self, result: R) -> str:
        return f"{self.title_text}: done."

    # -- shape -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(inert(self.title_text), id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                yield from self.compose_body()
            with Vertical(id="dialog-footer"):
                yield Static("", id="dialog-error")
                yield Static("", id="dialog-status")
                with Horizontal(id="dialog-buttons"):
                    yield Button("Cancel", id="dialog-cancel")
                    yield Button(
                        inert(self.confirm_label), id="dialog-confirm", variant=cast(Any, self.confirm_variant)
                    )

    def on_mount(self) -> None:
        # Textual also runs the on_mount of every subclass that defines one; they should not call this one.
        self.initial_focus().focus()

    def initial_focus(self) -> Widget:
        """Where the cursor starts: the first input, else the confirm button."""
        first = next(iter(self.query(Input)), None)
        return first if first is not None else self.query_one("#dialog-confirm", Button)

    # -- inputs holding values from AWS --------------------------------------------------------
    def prefilled(self, value: object, *, id: str, **options: Any) -> Input:
        """An Input holding a value from AWS (None as empty), shown as its visible form."""
        box = Input(id=id, **options)
        self._hold(box, id, "" if value is None else str(value))
        return box

    def fill(self, box: Input, value: object) -> None:
        """Put a value from AWS into an existing input, as `prefilled` does."""
        self._hold(box, box.id or "", "" if value is None else str(value))

    def _hold(self, box: Input, id: str, original: str) -> None:
        shown = visible(original)
        if shown != original:
            self._unprintable[id] = original
            box.add_class("unprintable")
            box.tooltip = self.UNPRINTABLE_NOTE
        else:
            self._unprintable.pop(id, None)
            box.remove_class("unprintable")
            box.tooltip = None
        box.value = shown

    def read(self, id: str, what: str | None = None) -> str:
        """An input's value: for one prefilled from AWS and left as it was, the value exactly as AWS holds it."""
        value = self.query_one(f"#{id}", Input).value
        original = self._unprintable.get(id)
        if original is None:
            return value
        if value == visible(original):
            return original
        if shows_stand_ins(value):
            raise Invalidity(f"{what or id}: {self.UNPRINTABLE_NOTE}")
        return value

    def show_error(self, message: str) -> None:
        error = self.query_one("#dialog-error", Static)
        error.update(inert(f"✗ {message}", multiline=True))
        error.add_class("shown")

    def show_load_error(self, exc: BaseException) -> None:
        """A read the dialog needs failed: said once, since nothing in a dialog reads again by itself."""
        self.show_error(said_in_a_dialog(to_aws_error(exc), "close the dialog (Esc) and open it again to retry."))

    def clear_error(self) -> None:
        self.query_one("#dialog-error", Static).remove_class("shown")

    def set_status(self, message: str) -> None:
        self.query_one("#dialog-status", Static).update(inert(message))

    # -- flow --------------------------------------------------------------------------------
    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        if not self.sending:
            self.dismiss(None)

    @on(Button.Pressed, "#dialog-confirm")
    def action_confirm(self) -> None:
        if self.sending:
            return  # one request in flight at a time: no double submission
        try:
            values = self.validate()
        except Invalidity as problem:
            self.show_error(str(problem))
            return
        self.clear_error()
        self.sending = True
        self.query_one("#dialog-confirm", Button).disabled = True
        self.set_status("Sending…")
        self._send(values)

    @on(Input.Submitted)
    def _enter_confirms(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    @work(exclusive=True, group="dialog-send", exit_on_error=False)
    async def _send(self, values: Any) -> None:
        self.attempts += 1
        try:
            result = await self.perform(values)
        except Exception as exc:
            error: AwsError = to_aws_error(exc)
            if isinstance(error, UncertainOutcome):
                said = await self._read_back(error)
            else:
                # Nothing resends a failed change by itself: say so, and keep what was typed for Confirm.
                said = said_in_a_dialog(error, "what you typed is kept; Confirm sends it again.")
            self.sending = False
            self.query_one("#dialog-confirm", Button).disabled = False
            self.set_status("")
            self.show_error(said)
            return
        self.sending = False
        notify_inert(self.ecs_app, self.describe_success(result), timeout=6)
        self.ecs_app.refresh_current_pane()
        self.dismiss(result)

    async def _read_back(self, error: UncertainOutcome) -> str:
        """After a change whose answer was lost: read the resource back and say its state, rather than invite a
        blind resend (the pane underneath is refreshed too). Confirm then reads "Send again"."""
        said = error.message
        if error.read_back is not None:
            self.set_status("The answer was lost: reading it back…")
            try:
                said += " " + await error.read_back()
            except Exception as exc:
                said += f" Reading it back failed too: {to_aws_error(exc).message}"
        self.query_one("#dialog-confirm", Button).label = "Send again"
        self.ecs_app.refresh_current_pane()
        return said


class ConfirmDialog(ActionDialog[R]):
    """A yes/no question for one action; with `type_to_confirm`, the name must be typed exactly."""

    def __init__(
        self,
        title: str,
        question: str,
        action: Any,
        *,
        confirm_label: str = "Confirm",
        type_to_confirm: str | None = None,
        destructive: bool = False,
        success: str | None = None,
    ) -> None:
        self.title_text = title
        self.question = question
        self.action_callable = action
        self.confirm_label = confirm_label
        self.type_to_confirm = type_to_confirm
        self.destructive = destructive
        self.confirm_variant = "error" if destructive else "primary"
        self.success = success
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Static(inert(self.question, multiline=True))
        if self.type_to_confirm:
            yield Static(inert(f"Type {self.type_to_confirm!r} to confirm:"), classes="field-label")
            yield Input(id="confirm-name", placeholder=visible(self.type_to_confirm))

    def validate(self) -> Any:
        if self.type_to_confirm:
            typed = self.query_one("#confirm-name", Input).value.strip()
            if typed != self.type_to_confirm:
                raise Invalidity(f"Type {self.type_to_confirm!r} exactly to confirm (you typed {typed!r}).")
        return None

    def perform(self, values: Any) -> Awaitable[R]:
        return cast(Awaitable[R], self.action_callable())

    def describe_success(self, result: R) -> str:
        return self.success or f"{self.title_text}: done."
