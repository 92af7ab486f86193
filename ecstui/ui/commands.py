"""The command palette (ctrl+p): the actions that fit the current view and its selected row, and the jumps."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, NamedTuple, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from ecstui.ui.inert import visible

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
        commands.append(
            PaletteCommand(
                "New task definition",
                "From scratch: family, size, roles, containers; preview the JSON; register",
                app.new_task_definition,
            )
        )
        for kind in JUMP_TARGETS:
            verb = "Switch" if kind in ("profile", "region") else "Go to"
            commands.append(PaletteCommand(f"{verb} {kind}", f":{kind}", partial(app.jump, kind)))
        return commands

    # Titles and help name resources ("Scale <service>"), and the palette reads a str prompt, a str help and
    # Matcher.highlight's candidate as markup: each is given as Content of its visible characters instead.
    async def discover(self) -> Hits:
        for command in self._commands():
            title = Content(visible(command.title))
            yield DiscoveryHit(title, command.run, text=command.title, help=_help(command.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            title = visible(command.title)
            score, offsets = matcher.fuzzy_search.match(matcher.query, title)
            if score > 0:
                prompt = Content(title)
                for offset in offsets:
                    if not title[offset].isspace():
                        prompt = prompt.stylize(matcher.match_style, offset, offset + 1)
                yield Hit(score, prompt, command.run, text=command.title, help=_help(command.help))


def _help(text: str) -> str:
    # The palette passes help through Content.from_markup, which returns a Content unchanged: typed as str there.
    return cast(str, Content(visible(text)))
