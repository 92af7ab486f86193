"""Where the user has been: a jump (`:` views, `!`, enter into a resource) puts its view on top of the one it was
made from, so esc goes back there; `[` goes back as esc does (without clearing a filter) and `]` goes forward
again, as in k9s. At most MAX_BACK views are kept under the current one and MAX_FORWARD ahead of it."""

from __future__ import annotations

from itertools import count
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

MAX_BACK = 20
MAX_FORWARD = 10
# The stack's bottom: Textual's default screen, then the root pane (the clusters, or the pane a launch opened on).
_BOTTOM = 2

_names = count()


class ViewHistory:
    def __init__(self, app: EcsApp) -> None:
        self.app = app
        # (the view `[` left, the view it went back to): `]` only goes forward from where `[` landed, so a stale
        # entry never lands the user somewhere they did not come from.
        self._forward: list[tuple[Screen[Any], Screen[Any], str]] = []

    @property
    def back_count(self) -> int:
        return max(0, len(self.app.screen_stack) - _BOTTOM)

    @property
    def forward_count(self) -> int:
        return len(self._forward)

    def went_to(self) -> None:
        """A view was pushed by a jump: forget what lay ahead and keep at most MAX_BACK views underneath."""
        self._drop_forward(len(self._forward))
        # Textual has no call to take a screen out of the middle of its stack; the list is the stack itself.
        stack: list[Screen[Any]] = self.app._screen_stack
        while len(stack) > _BOTTOM + 1 + MAX_BACK:
            oldest = stack.pop(_BOTTOM)
            self.app.call_later(oldest.remove)

    def back(self) -> bool:
        """Leave the current view for the one under it, remembering it for `]`; False at the root."""
        if len(self.app.screen_stack) <= _BOTTOM:
            return False
        leaving = self.app.screen
        under = self.app.screen_stack[-2]
        # Installed, a popped screen is kept (Textual removes one that is in no stack and not installed).
        name = f"history-forward-{next(_names)}"
        self.app.install_screen(leaving, name)
        self._forward.append((leaving, under, name))
        if len(self._forward) > MAX_FORWARD:
            self._drop_forward(len(self._forward) - MAX_FORWARD)
        self.app.pop_screen()
        return True

    def forward(self) -> bool:
        """Go back to the view `[` left; False when there is none to go to from here."""
        if not self._forward:
            return False
        screen, under, name = self._forward[-1]
        if under is not self.app.screen:
            self._drop_forward(len(self._forward))  # the user went elsewhere since: that way forward is gone
            return False
        self._forward.pop()
        # Uninstalled first (Textual refuses to uninstall a screen in the stack): back in it, it is removed as any
        # other when popped.
        self.app.uninstall_screen(name)
        self.app.push_screen(screen)
        return True

    def forget(self) -> None:
        """Drop every view kept for `]` (a profile or region switch: they belong to the old account)."""
        self._drop_forward(len(self._forward))

    def _drop_forward(self, how_many: int) -> None:
        dropped, self._forward = self._forward[:how_many], self._forward[how_many:]
        for screen, _, name in dropped:
            self.app.uninstall_screen(name)
            self.app.call_later(screen.remove)
