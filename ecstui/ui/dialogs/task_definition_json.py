"""Editing a task definition's full JSON: in $VISUAL/$EDITOR, or in an editor inside the app."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.widgets import Button, Static, TextArea

from ecstui.aws.models import TaskDefinition
from ecstui.aws.validation import Invalid, parse_task_definition_json, registrable_definition
from ecstui.ui.dialogs.base import Invalidity
from ecstui.ui.dialogs.task_definition import RevisionEditDialog
from ecstui.ui.inert import inert, shows_stand_ins, visible
from ecstui.ui.secrets import (
    REVEAL_BINDING,
    RevealsSecrets,
    masked_definition,
    readable_mask,
    unmasked_definition,
)

# An editor run without a terminal (headless, e.g. under test) must not hang the app forever.
HEADLESS_EDITOR_TIMEOUT = 120.0


class EditorUnavailable(Exception):
    """The external editor is not configured, could not start, or failed; the in-app editor takes over."""


def editor_command() -> list[str] | None:
    """$VISUAL, else $EDITOR, split as a shell would ('code --wait' is two words); None when neither is set."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            return shlex.split(value)
    return None


def definition_json(definition: TaskDefinition, secrets: Callable[[object], bool] = lambda name: False) -> str:
    """What is offered for editing: exactly what RegisterTaskDefinition would be sent for an identical revision,
    but for secret-named environment values, which read as the mask (JsonEditDialog puts them back)."""
    return _dumps(masked_definition(registrable_definition(definition.raw), secrets))


def _dumps(definition: dict[str, Any]) -> str:
    return readable_mask(json.dumps(definition, indent=2, default=str)) + "\n"


def _object(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def shown_json(text: str) -> str:
    """Text from an editor as the in-app editor shows it: line breaks kept, every other unprintable character
    drawn as its stand-in (␛, ⟨U+202E⟩), never emitted; `JsonEditDialog` then refuses to register while any
    stand-in is left, rather than register the stand-ins in place of what the file held."""
    return visible(text.replace("\r\n", "\n"), multiline=True)


def edit_externally(app: App[Any], text: str) -> str:
    """Hand the terminal to the user's editor on a temporary file holding `text`; return what it holds after."""
    command = editor_command()
    if command is None:
        raise EditorUnavailable("Neither $VISUAL nor $EDITOR is set.")
    # The definition holds environment values, often secrets: the file is the user's alone (0600) in a directory
    # that is theirs alone (0700, as mkdtemp makes it), created exclusively, and removed with it afterwards.
    with tempfile.TemporaryDirectory(prefix="ecstui-") as directory:
        os.chmod(directory, 0o700)
        path = Path(directory) / "task-definition.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)  # exactly 0600 whatever the umask: the editor must be able to write it back
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        failure: OSError | subprocess.SubprocessError | None = None
        returncode = 0
        try:
            with app.suspend():
                # Caught inside the block: an exception escaping it would leave the app suspended.
                try:
                    returncode = subprocess.run([*command, str(path)], check=False).returncode
                except (OSError, subprocess.SubprocessError) as exc:
                    failure = exc
        except SuspendNotSupported:
            # No terminal to hand over: run it without one, so a scripted editor still works.
            try:
                returncode = subprocess.run(
                    [*command, str(path)],
                    check=False,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=HEADLESS_EDITOR_TIMEOUT,
                ).returncode
            except (OSError, subprocess.SubprocessError) as exc:
                failure = exc
        if failure is not None:
            raise EditorUnavailable(f"{command[0]} could not run: {failure}")
        if returncode != 0:
            raise EditorUnavailable(f"{command[0]} exited with status {returncode}.")
        return path.read_text(encoding="utf-8")


class JsonEditDialog(RevealsSecrets, RevisionEditDialog):
    """The full JSON in a TextArea; with `review_at_once` (after $EDITOR), it checks it straight away.

    Secret-named environment values read as the mask until revealed (ctrl+t); a value left as the mask keeps
    the value it had (`secret_source`), so masking never changes what is registered.
    """

    BINDINGS = [Binding("ctrl+o", "open_editor", "Open in $EDITOR", id="taskdefs.open_editor"), REVEAL_BINDING]

    DEFAULT_CSS = """
    JsonEditDialog > #dialog { width: 120; }
    JsonEditDialog #dialog-body { max-height: 65vh; }
    JsonEditDialog #json { height: 50vh; }
    JsonEditDialog #open-editor { margin-top: 1; }
    """

    def __init__(
        self, source: TaskDefinition, text: str | None = None, *, review_at_once: bool = False, note: str = ""
    ) -> None:
        super().__init__(source)
        self.title_text = f"Edit the JSON of {source.label} into a new revision"
        self.initial_text = shown_json(text) if text is not None else definition_json(source)
        self.review_at_once = review_at_once
        self.note = note

    def _mask_initial_text(self) -> str:
        """The text to show, masked; and where masked values come back from: the revision, then the text given."""
        secrets = self.ecs_app.secret_names
        self.secret_source: dict[str, Any] = registrable_definition(self.source.raw)
        given = _object(self.initial_text)
        if given is None:
            return self.initial_text  # not JSON: shown as it is, to be fixed
        self.secret_source = unmasked_definition(given, self.secret_source, secrets)
        return _dumps(masked_definition(self.secret_source, secrets))

    def show_secrets_changed(self) -> None:
        current = _object(self.text_area.text)
        if current is None:
            self.secrets_revealed = not self.secrets_revealed
            self.show_error("The JSON does not parse: fix it first, then show or hide the secret values.")
            return
        secrets = self.ecs_app.secret_names
        self.secret_source = unmasked_definition(current, self.secret_source, secrets)
        shown = self.secret_source if self.secrets_revealed else masked_definition(self.secret_source, secrets)
        self.text_area.load_text(_dumps(shown))

    def compose_body(self) -> ComposeResult:
        hint = "ctrl+s checks it and shows the diff; ctrl+t shows or hides secret values; escape cancels."
        if editor_command() is not None:
            hint += " ctrl+o opens it in $EDITOR again."
        if self.note:
            yield Static(inert(self.note, "yellow"), id="json-note")
        yield Static(Text(hint, style="dim"))
        yield TextArea.code_editor(self._mask_initial_text(), language="json", id="json", soft_wrap=False)
        if editor_command() is not None:
            yield Button("Open in $EDITOR", id="open-editor")

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#json", TextArea)

    def on_mount(self) -> None:
        # After the base class's own on_mount, which focuses the first Input (there is none here).
        self.call_after_refresh(self.text_area.focus)
        if self.review_at_once:
            self.call_after_refresh(self.action_confirm)

    def build(self) -> dict[str, Any]:
        if shows_stand_ins(self.text_area.text):
            raise Invalidity(
                "The text holds characters that cannot be shown (drawn as ␛, ⟨U+…⟩), from the editor's file: "
                "remove them (JSON writes a control character in a value as \\u001b)."
            )
        parsed = parse_task_definition_json(self.text_area.text)
        if isinstance(parsed, Invalid):
            if parsed.line is not None:
                # Put the cursor where the parser stopped, so the fix starts there.
                self.text_area.cursor_location = (parsed.line - 1, max((parsed.column or 1) - 1, 0))
            raise Invalidity(str(parsed))
        return unmasked_definition(parsed, self.secret_source, self.ecs_app.secret_names)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "open-editor":
            event.stop()
            self.action_open_editor()

    def action_open_editor(self) -> None:
        if self.sending:
            return
        try:
            edited = edit_externally(self.app, self.text_area.text)
        except EditorUnavailable as problem:
            self.show_error(f"{problem} The text here is kept.")
            return
        self.text_area.load_text(shown_json(edited))
        self.action_confirm()


__all__ = ["EditorUnavailable", "JsonEditDialog", "definition_json", "edit_externally", "editor_command"]
