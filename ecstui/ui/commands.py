"""The command palette (ctrl+p): the actions that fit the current view and its selected row, and the jumps."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, NamedTuple, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp


class PaletteCommand(NamedTuple):
    """One palette entry: reads as .title / .help / .run, and unpacks as (title, help, callback)."""

    title: str
    help: str
    run: Callable[[], object]


class ViewCommands(Provider):
    """Asks the view under the palette for `palette_commands()`, and adds the jumps that work everywhere."""

    def _commands(self) -> list[PaletteCommand]:
        from ecstui.ui.screens.jump import JUMP_TARGETS

        app = cast("EcsApp", self.app)
        screen = self.screen
        commands: list[PaletteCommand] = []
        provider = getattr(screen, "palette_commands", None)
        if callable(provider):
            commands.extend(cast(list[PaletteCommand], provider()))
        for kind in JUMP_TARGETS:
            commands.append(PaletteCommand(f"Go to {kind}", f":{kind}", partial(app.jump, kind)))
        return commands

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.run, help=command.help)
