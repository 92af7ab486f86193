"""Snapshot tests use the UI tests' seeded demo account; Input cursors are steady while the screenshot is taken."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.ui.conftest import demo_account, shared_demo_account, simulator

__all__ = ["demo_account", "shared_demo_account", "simulator"]

# New screens and dialogs are snapshotted at both sizes: a full terminal, and the 80x24 of an SSH session, where
# every dialog must scroll and keep its buttons on screen.
SIZES = {"160x45": (160, 45), "80x24": (80, 24)}


@pytest.fixture(params=sorted(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    """Run a snapshot test once per size (the SVG's name carries the size)."""
    return SIZES[request.param]


RunBefore = Callable[[Pilot[Any]], Awaitable[None] | None]


@pytest.fixture
def snap_compare(snap_compare: Callable[..., bool]) -> Callable[..., bool]:
    """pytest-textual-snapshot's snap_compare, with every Input's cursor made steady once `run_before` is done.

    A focused Input blinks its cursor every half second from the last key press; a screenshot taken later than
    that (on a busy machine the waits before it can take longer) caught it off. Not blinking, it is shown. And
    the screenshot waits for scrolling animations to end.
    """

    def compare(app: Any, *args: Any, run_before: RunBefore | None = None, **kwargs: Any) -> bool:
        async def run_before_then_steady(pilot: Pilot[Any]) -> None:
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            for screen in pilot.app.screen_stack:
                for box in screen.query(Input):
                    box.cursor_blink = False
            # A focus that scrolled a dialog's body animates the scroll: taken mid-way, the scrollbar's thumb
            # stood where a loaded machine happened to leave it.
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()

        return snap_compare(app, *args, run_before=run_before_then_steady, **kwargs)

    return compare
