"""Keys in the order they were typed: a key that arrives while the one before it is still at work waits its turn.

Textual hands each key to the widget focused when the app dequeues it; the key's binding runs only once it
has bubbled back up to the app, and the `focus()` or `push_screen` that binding asks for takes effect later
still. Keys a terminal delivers in one read (a paste, a fast typist over SSH) were therefore all handed to the
widget focused before the first of them ran, and fired that pane's bindings: `/srv` opened the scale dialog
instead of filtering. The gate dispatches a key only once the one before it has done its work (it has been
through every node on its way, its bindings have run, the focus they moved has moved, the screen they opened
is mounted and has set its own focus), so a burst reaches the input its first key opened, in order.

Keys held while a dialog opened are dropped rather than handed to it: they were typed before it was shown, so
they cannot be an answer to it (`r⏎` must not confirm a restart nobody read). A screen that is itself an
input to type into (the `:` command line) says so by being a `TakesTypeAhead`, and gets them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from ecstui.ui.inert import notify_inert

TypedEvent = events.Key | events.Paste

# A key whose way through the app never ends (a node closed with the key still in its queue) must not hold the
# keyboard forever: after this long, the next key goes anyway. Not shorter: a key's work can include a screen's
# mount awaiting its first answer, and on a loaded machine (or a slow link) that took more than a second, after
# which the keys behind it went to the screen it was leaving (1 s failed the burst tests under load; 5 s passed).
STUCK_AFTER = 5.0
# Screens that keep changing (a dialog that keeps focusing something) are taken as settled after this many
# turns of every queue on the screen.
MAX_SETTLE_ROUNDS = 50


def _has_work(node: MessagePump) -> bool:
    """Whether a node has messages it has not handled yet.

    Its queue's size is not all of it: Textual takes the next message off the queue early (to see whether it
    replaces the one in hand) and runs `call_next` callbacks after the message in hand. Both are private to
    Textual (8.2); read defensively, so that a Textual without them only makes the gate less patient.
    """
    return (
        node.message_queue_size > 0
        or getattr(node, "_pending_message", None) is not None
        or bool(getattr(node, "_next_callbacks", None))
    )


def _parked(node: MessagePump) -> bool:
    """Whether a node is provably idle: nothing queued, and its loop waiting for the next message.

    Such a node has nothing to give a turn to, so the gate asks nothing of it: a callback queued on every node of
    a dialog of a hundred widgets, round after round, was most of what a key cost (tens of thousands of messages
    for a form filled in). A node with an empty queue is not idle while one of its handlers is still at work (a
    mount awaiting its first answer); only a loop parked on its queue's event is. Read defensively (Textual 8.2
    and asyncio's private fields): without them, no node is taken as idle, and every one gets its turn as before.
    """
    if _has_work(node):
        return False
    event = getattr(getattr(node, "_message_queue", None), "ready_event", None)
    return bool(getattr(event, "_waiters", None)) and not event.is_set()  # type: ignore[union-attr]


class TakesTypeAhead:
    """A modal screen that is an input to type into: keys typed while it opens are meant for it (`:`)."""


@dataclass(frozen=True, slots=True)
class _Held:
    event: TypedEvent
    received_on: Screen[Any]  # the screen on top when the key arrived: what the user was looking at


class KeyGate:
    """Dispatches keys (and pastes) one at a time; `receive` every one the terminal delivers."""

    def __init__(self, app: App[Any], dispatch: Callable[[TypedEvent], Awaitable[None]]) -> None:
        self._app = app
        self._dispatch = dispatch
        self._held: deque[_Held] = deque()
        self._busy = False
        self._generation = 0  # which dispatch the callbacks in flight belong to
        self._stuck: asyncio.TimerHandle | None = None
        self.dropped = 0  # keys typed before a dialog was shown, not given to it (for the curious and the tests)

    async def receive(self, event: TypedEvent) -> None:
        if self._busy or self._held:
            self._held.append(_Held(event, self._app.screen))
            return
        await self._run(event)

    async def _run(self, event: TypedEvent) -> None:
        app = self._app
        self._busy = True
        self._generation += 1
        generation = self._generation
        screen = app.screen  # the key is handed to a widget of this screen, and bubbles up through it
        try:
            await self._dispatch(event)
        finally:  # whatever happened to this key, the next one must not wait for ever
            self._stuck = asyncio.get_running_loop().call_later(STUCK_AFTER, self._done, generation)
            self._settle(generation, screen, MAX_SETTLE_ROUNDS)

    def _state(self) -> tuple[object, ...]:
        screen = self._app.screen
        return (screen, screen.is_mounted, self._app.focused, len(list(screen.walk_children(Widget))))

    def _settle(self, generation: int, dispatched_on: Screen[Any], rounds: int) -> None:
        """Give every queue on the screen a turn (as Textual's pilot does), until a turn ends with nothing left
        in any of them and nothing changed: the key and whatever it set off have run their course.

        The screen the key went to counts too when the key replaced it: what opened the new one may still be
        on its way up through the old one.
        """
        if generation != self._generation:
            return
        app = self._app
        state = self._state()
        nodes: list[MessagePump] = [app, *app.screen.walk_children(with_self=True)]
        if dispatched_on is not app.screen and dispatched_on.is_running:
            nodes += dispatched_on.walk_children(with_self=True)
        turning: list[MessagePump] = []  # the nodes whose queues still run (a closing one refuses the call)

        def one_done() -> None:
            turning.pop()
            if turning:
                return
            quiet = not any(_has_work(node) for node in nodes if node.is_running)
            if (quiet and self._state() == state) or rounds <= 1:
                self._done(generation)
            else:
                self._settle(generation, dispatched_on, rounds - 1)

        # The app always gets a turn: the key's own handling, which called this, ends only then.
        busy = [node for node in nodes if node is app or not _parked(node)]
        turning.extend(node for node in busy if node.call_later(one_done))
        if not turning:
            self._done(generation)

    def _done(self, generation: int) -> None:
        if generation != self._generation or not self._busy:
            return
        self._busy = False
        if self._stuck is not None:
            self._stuck.cancel()
            self._stuck = None
        if self._held and not self._app.call_later(self._next):
            self._held.clear()  # the app is closing

    async def _next(self) -> None:
        dropped = 0
        while self._held and not self._busy:
            held = self._held.popleft()
            if self._unseen_dialog(held):
                dropped += 1
                continue
            await self._run(held.event)
        if dropped:
            self.dropped += dropped
            keys = "key" if dropped == 1 else "keys"
            notify_inert(
                self._app,
                f"Ignored {dropped} {keys} typed before this dialog opened: it takes only what is typed once shown.",
                severity="warning",
                timeout=4,
            )

    def _unseen_dialog(self, held: _Held) -> bool:
        """Whether the key would go to a dialog that opened after it was typed."""
        screen = self._app.screen
        return (
            screen is not held.received_on
            and isinstance(screen, ModalScreen)
            and not isinstance(screen, TakesTypeAhead)
        )
