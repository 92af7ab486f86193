"""The footer: the view's own keys first, then the keys every view has, and `? more` when they do not all fit.

Textual's Footer lists keys from the focused widget up to the app and cuts the line at the terminal's edge; at
80 columns the keys that say what this view does (Scale, Restart…) went behind Refresh, Back and Filter, which
every view has. A screen names its generic actions in `generic_keys` (the app's own keys are generic anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The key that opens the full list of keys, shown as `? more` in place of what did not fit.
MORE_KEY = "question_mark"


@dataclass(frozen=True, slots=True)
class _Shown:
    """One key as the footer draws it: the footer is redrawn only when one of these changes."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    classes: str = ""


class KeyFooter(Footer):
    """A one-line footer whose first keys are the view's own, in the order the view declares them."""

    def __init__(self) -> None:
        super().__init__()
        self._composed: tuple[_Shown, ...] | None = None

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._composed = self._plan(self._width())
        for shown in self._composed:
            key = FooterKey(
                shown.key,
                shown.display,
                shown.description,
                shown.action,
                disabled=not shown.enabled,
                tooltip=shown.tooltip,
                classes=shown.classes,
            )
            yield key if shown.classes else key.data_bind(compact=Footer.compact)

    def bindings_changed(self, screen: Screen[object]) -> None:
        # Textual's footer rebuilds its keys on every change of focus or bindings (each key a widget to mount and
        # style): a form's tab, a table's cursor, each asked for it. Only a change in what is drawn does here.
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        # The plan is made for the current width: a resize that changes what fits changes it.
        if self._composed is None or self._plan(self._width()) != self._composed:
            await self.recompose()

    def _plan(self, width: int) -> tuple[_Shown, ...]:
        active = self.screen.active_bindings
        generic: frozenset[str] = getattr(self.screen, "generic_keys", frozenset())
        own: list[tuple[Binding, bool, str]] = []
        shared: list[tuple[Binding, bool, str]] = []
        seen: set[str] = set()
        for namespace, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen or binding.key == self.app.COMMAND_PALETTE_BINDING:
                continue
            seen.add(binding.action)
            generic_key = isinstance(namespace, App) or binding.action in generic
            (shared if generic_key else own).append((binding, enabled, tooltip))
        room = width - self._palette_width()
        shown = [
            _Shown(
                binding.key, self.app.get_key_display(binding), binding.description, binding.action, enabled, tooltip
            )
            for binding, enabled, tooltip in self._that_fit([*own, *shared], room)
        ]
        return (*shown, *self._palette(active))

    def _that_fit(self, keys: list[tuple[Binding, bool, str]], room: int) -> Iterable[tuple[Binding, bool, str]]:
        """The keys in order while they fit; when some do not, `? more` at the end (room kept for it)."""
        if sum(self._key_width(binding) for binding, _, _ in keys) <= room:
            return keys
        more = Binding(MORE_KEY, "help", "more")
        room -= self._key_width(more)
        shown: list[tuple[Binding, bool, str]] = []
        for binding, enabled, tooltip in keys:
            if binding.action == "help":
                continue  # `? more` stands for it
            room -= self._key_width(binding)
            if room < 0:
                break
            shown.append((binding, enabled, tooltip))
        shown.append((more, True, "Every key of this view"))
        return shown

    def _key_width(self, binding: Binding) -> int:
        # As FooterKey draws it: " key " then "description " (compact: "key description" and a margin).
        key = cell_len(self.app.get_key_display(binding))
        return key + cell_len(binding.description) + (2 if self.compact else 3)

    def _palette(self, active: dict[str, ActiveBinding]) -> Iterable[_Shown]:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return
        found = active.get(self.app.COMMAND_PALETTE_BINDING)
        if found is None:
            return
        _node, binding, enabled, _tooltip = found
        yield _Shown(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            enabled,
            binding.tooltip or binding.description,
            classes="-command-palette",
        )

    def _palette_width(self) -> int:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return 0
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        # Its border, its padding and its key.
        return 0 if found is None else self._key_width(found.binding) + 2

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready:
            self.call_after_refresh(self._recompose_if_changed)
