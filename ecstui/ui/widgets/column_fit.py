"""Which columns a table shows in the width it has: the least important go first, the name last.

At 80 columns a pane cannot show every column; a table that scrolls sideways hides what matters (Rollout, Age)
behind what does not (a task definition ARN). Each column says how much it matters; this decides, as a pure
function of the columns' natural widths and the room, what each is drawn at.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Protocol


class Priority(IntEnum):
    """How much a column matters; a higher value is dropped first."""

    IDENTITY = 0  # what the row is (its name): truncated, and dropped only when nothing else is left
    ESSENTIAL = 1  # its state (status, running/desired, rollout): kept before the name is cut short
    USEFUL = 2  # age, counts
    DETAIL = 3  # what the detail view shows anyway (task definition, launch type, ARNs)


class Prioritised(Protocol):
    @property
    def priority(self) -> Priority: ...

    @property
    def min_width(self) -> int: ...


def fit_columns(columns: Sequence[Prioritised], widths: Sequence[int], available: int, padding: int = 2) -> list[int]:
    """The content width to draw each column at (0: not shown) so that the row fits in `available` cells.

    `widths` are the columns' natural content widths; each shown column also takes `padding` cells. Columns go
    from the lowest priority up, the rightmost of a priority first, except that the rightmost column shown is cut at
    the edge (down to its `min_width`, with an ellipsis) where that is enough; before any essential column goes,
    identity columns are cut short (down to their `min_width`); identity columns go last of all.
    """
    shown = list(widths)

    def total() -> int:
        return sum(width + padding for width in shown if width > 0)

    if total() <= available:
        return shown
    order = sorted(
        (index for index, column in enumerate(columns) if column.priority != Priority.IDENTITY),
        key=lambda index: (-columns[index].priority, -index),
    )
    identity = [index for index, column in enumerate(columns) if column.priority == Priority.IDENTITY]
    for index in order:
        if columns[index].priority == Priority.ESSENTIAL and _shorten(identity, columns, shown, total() - available):
            return shown
        if _cut_at_the_edge(index, columns, shown, total() - available):
            return shown
        shown[index] = 0
        if total() <= available:
            return _widen(identity, widths, shown, available - total())
    # Only identity columns are left: cut them to what there is, then drop them from the right.
    for index in reversed(identity):
        excess = total() - available
        if excess <= 0:
            break
        if shown[index] - excess >= 1:
            shown[index] -= excess
        else:
            shown[index] = 0
    return shown


def _cut_at_the_edge(index: int, columns: Sequence[Prioritised], shown: list[int], excess: int) -> bool:
    """The rightmost column shown, too wide only by itself (a long stop reason, an error message): cut at the
    table's edge with an ellipsis, down to its min_width, rather than dropped whole; True if that did it."""
    if any(width > 0 for width in shown[index + 1 :]) or shown[index] - excess < columns[index].min_width:
        return False
    shown[index] -= excess
    return True


def _shorten(identity: list[int], columns: Sequence[Prioritised], shown: list[int], excess: int) -> bool:
    """Cut identity columns (rightmost first, none below its min_width) by `excess` cells; True if that did it."""
    for index in reversed(identity):
        if excess <= 0:
            break
        room = shown[index] - max(1, min(columns[index].min_width, shown[index]))
        cut = min(room, excess)
        shown[index] -= cut
        excess -= cut
    return excess <= 0


def _widen(identity: list[int], widths: Sequence[int], shown: list[int], spare: int) -> list[int]:
    """Give cells freed by a dropped column back to identity columns cut short, up to their natural width."""
    for index in identity:
        grow = min(spare, widths[index] - shown[index])
        if grow > 0:
            shown[index] += grow
            spare -= grow
    return shown
