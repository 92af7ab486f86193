"""The JSON a new task definition registers, shown before it is sent, editable here or in $EDITOR; then Register."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TextArea

from ecstui.aws.models import TaskDefinition
from ecstui.aws.validation import Invalid, parse_task_definition_json
from ecstui.ui.dialogs.base import ActionDialog, Invalidity
from ecstui.ui.dialogs.task_definition_json import EditorUnavailable, edit_externally, editor_command, shown_json
from ecstui.ui.inert import shows_stand_ins
from ecstui.ui.secrets import REVEAL_BINDING, RevealsSecrets, masked_definition, readable_mask, unmasked_definition


def _dumps(definition: dict[str, Any]) -> str:
    return readable_mask(json.dumps(definition, indent=2, default=str)) + "\n"


def _object(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


class TaskDefinitionPreviewDialog(RevealsSecrets, ActionDialog[TaskDefinition]):
    """RegisterTaskDefinition's request as JSON; ctrl+s registers what the text holds once it checks out.

    Secret-named environment values read as the mask (ctrl+t shows them); one left as the mask is registered
    with the value the form gave it, so masking never changes what is sent. Escape goes back to the form.
    """

    confirm_label = "Register"

    BINDINGS = [Binding("ctrl+o", "open_editor", "Open in $EDITOR", id="taskdefs.preview_editor"), REVEAL_BINDING]

    DEFAULT_CSS = """
    TaskDefinitionPreviewDialog > #dialog { width: 110; }
    TaskDefinitionPreviewDialog #preview-json { height: 40vh; }
    """

    def __init__(self, request: dict[str, Any]) -> None:
        self.request = request  # what the form built: the values masked ones come back from
        self.title_text = f"Register {request.get('family', '')}: the JSON sent to ECS"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        hint = "ctrl+s registers it; edit it here"
        hint += ", or ctrl+o in $EDITOR" if editor_command() is not None else " ($EDITOR is not set)"
        hint += "; ctrl+t shows secret values; escape goes back to the form."
        yield Static(Text(hint, style="dim"))
        text = _dumps(masked_definition(self.request, self.ecs_app.secret_names))
        # tab and escape leave the text (a code editor's would indent and refocus): escape goes back to the form.
        yield TextArea.code_editor(text, language="json", id="preview-json", soft_wrap=False, tab_behavior="focus")

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#preview-json", TextArea)

    def on_mount(self) -> None:
        self.call_after_refresh(self.text_area.focus)

    def show_secrets_changed(self) -> None:
        current = _object(self.text_area.text)
        if current is None:
            self.secrets_revealed = not self.secrets_revealed
            self.show_error("The JSON does not parse: fix it first, then show or hide the secret values.")
            return
        secrets = self.ecs_app.secret_names
        self.request = unmasked_definition(current, self.request, secrets)
        shown = self.request if self.secrets_revealed else masked_definition(self.request, secrets)
        self.text_area.load_text(_dumps(shown))

    def validate(self) -> Any:
        text = self.text_area.text
        if shows_stand_ins(text):
            raise Invalidity(
                "The text holds characters that cannot be shown (drawn as ␛, ⟨U+…⟩): remove them (JSON writes a "
                "control character in a value as \\u001b)."
            )
        parsed = parse_task_definition_json(text)
        if isinstance(parsed, Invalid):
            if parsed.line is not None:
                self.text_area.cursor_location = (parsed.line - 1, max((parsed.column or 1) - 1, 0))
            raise Invalidity(str(parsed))
        return unmasked_definition(parsed, self.request, self.ecs_app.secret_names)

    def perform(self, values: Any) -> Awaitable[TaskDefinition]:
        # RegisterTaskDefinition is not idempotent: actions sends it once (resent only when throttled).
        return self.ecs_app.actions.register_task_definition(values)

    def describe_success(self, result: TaskDefinition) -> str:
        return f"Registered {result.label}."

    def action_open_editor(self) -> None:
        if self.sending:
            return
        try:
            edited = edit_externally(self.app, self.text_area.text)
        except EditorUnavailable as problem:
            self.show_error(f"{problem} The text here is kept.")
            return
        self.text_area.load_text(shown_json(edited))
        self.clear_error()


__all__ = ["TaskDefinitionPreviewDialog"]
