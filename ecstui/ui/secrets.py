"""Plain environment values whose names say they are secret (DB_PASSWORD, API_TOKEN) are shown masked until revealed.

AWS's own examples put MYSQL_ROOT_PASSWORD in plain `environment`; whoever looks over the operator's shoulder, or
at a screenshot, should not read it. Which names count is a regular expression from the config file
(`secret_env_pattern`), searched case-insensitively anywhere in the name. A masked value keeps nothing of itself,
not even its length. Editors show the mask too, and put the real value back when it is left as the mask.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.events import ScreenSuspend

from ecstui.config import DEFAULT_SECRET_ENV_PATTERN
from ecstui.ui.inert import inert

MASK = "••••••"
REVEAL_BINDING = Binding("ctrl+t", "toggle_secrets", "Show secrets", id="secrets.reveal")


@dataclass(frozen=True)
class SecretNames:
    """Says whether an environment variable's name marks its value as secret."""

    pattern: re.Pattern[str]

    @classmethod
    def from_pattern(cls, pattern: str = DEFAULT_SECRET_ENV_PATTERN) -> SecretNames:
        return cls(re.compile(pattern, re.IGNORECASE))

    def __call__(self, name: object) -> bool:
        return isinstance(name, str) and self.pattern.search(name) is not None


def env_value(name: str, value: str, is_secret: Callable[[object], bool], revealed: bool) -> Text:
    """An environment value to show: the mask for a secret one (unless revealed), inert text in any case."""
    if is_secret(name) and not revealed:
        return Text(MASK, style="dim")
    return inert(value)


def masked_definition(
    definition: Mapping[str, Any], is_secret: Callable[[object], bool], *, compared_to: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A copy of a task definition with every secret-named environment value masked.

    With `compared_to` (the revision it is compared with, in a diff), a secret value that differs from that
    revision's reads "MASK (changed)", one that is new reads "MASK (new)": a review still shows that it changed.
    """
    masked = copy.deepcopy(dict(definition))
    before = _environments(compared_to) if compared_to is not None else None
    for container_name, environment in _container_environments(masked):
        for item in environment:
            name = item.get("name")
            if not is_secret(name) or "value" not in item:
                continue
            shown = MASK
            if before is not None:
                old = before.get((container_name, name))
                if old is None:
                    shown = f"{MASK} (new)"
                elif old != item["value"]:
                    shown = f"{MASK} (changed)"
            item["value"] = shown
    return masked


def unmasked_definition(
    edited: Mapping[str, Any], original: Mapping[str, Any], is_secret: Callable[[object], bool]
) -> dict[str, Any]:
    """The edited definition with every value still reading MASK given back its value in `original`."""
    restored = copy.deepcopy(dict(edited))
    values = _environments(original)
    for container_name, environment in _container_environments(restored):
        for item in environment:
            key = (container_name, item.get("name"))
            if item.get("value") == MASK and key in values and is_secret(item.get("name")):
                item["value"] = values[key]
    return restored


def _container_environments(definition: Mapping[str, Any]) -> list[tuple[object, list[dict[str, Any]]]]:
    containers = definition.get("containerDefinitions")
    found: list[tuple[object, list[dict[str, Any]]]] = []
    for container in containers if isinstance(containers, list) else []:
        if isinstance(container, dict) and isinstance(container.get("environment"), list):
            found.append((container.get("name"), [e for e in container["environment"] if isinstance(e, dict)]))
    return found


def _environments(definition: Mapping[str, Any]) -> dict[tuple[object, object], Any]:
    return {
        (container_name, item.get("name")): item.get("value")
        for container_name, environment in _container_environments(definition)
        for item in environment
    }


def readable_mask(json_text: str) -> str:
    """JSON text (ensure_ascii, so no control or bidi character is written raw) with the mask's bullets as
    themselves rather than \\u2022 escapes."""
    return json_text.replace("\\u2022", "\u2022")


class RevealsSecrets:
    """For a screen or dialog that shows environment values: a key toggles them, and leaving it hides them again.

    The class using it defines `show_secrets_changed()`, which redraws what depends on `secrets_revealed`.
    """

    secrets_revealed: bool = False

    def show_secrets_changed(self) -> None:
        raise NotImplementedError

    def action_toggle_secrets(self) -> None:
        self.secrets_revealed = not self.secrets_revealed
        self.show_secrets_changed()

    def on_screen_suspend(self, event: ScreenSuspend) -> None:
        # Per view: another screen on top (or going back) hides them again.
        if self.secrets_revealed:
            self.secrets_revealed = False
            self.show_secrets_changed()


__all__ = [
    "DEFAULT_SECRET_ENV_PATTERN",
    "MASK",
    "REVEAL_BINDING",
    "RevealsSecrets",
    "SecretNames",
    "env_value",
    "masked_definition",
    "readable_mask",
    "unmasked_definition",
]
