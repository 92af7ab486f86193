"""A series of numbers as a one-line sparkline of Unicode blocks (the services pane's last hour of CPU and memory)."""

from __future__ import annotations

import math
from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"
GAP = " "  # a minute without data: drawn as nothing, never as the lowest block (which would read as ~0)
# The least range a sparkline spans: a service steady at 40% ± 1 must not look like it swings from floor to ceiling.
MIN_SPAN = 10.0


def resample(values: Sequence[float | None], width: int) -> list[float | None]:
    """`values` squeezed (or kept) into at most `width` slots, each the mean of the values it covers (None if
    it covers none); the newest values end up at the right."""
    if width <= 0:
        return []
    if len(values) <= width:
        return list(values)
    slots: list[float | None] = []
    for slot in range(width):
        first = slot * len(values) // width
        last = (slot + 1) * len(values) // width
        present = [v for v in values[first:last] if v is not None and math.isfinite(v)]
        slots.append(sum(present) / len(present) if present else None)
    return slots


def sparkline(values: Sequence[float | None], width: int, *, span: float = MIN_SPAN) -> str:
    """`values` (oldest first, None for a gap) as at most `width` blocks, scaled between their own minimum and
    maximum (but over at least `span`), the lowest block for the minimum and the full block for the maximum."""
    slots = resample(values, width)
    present = [v for v in slots if v is not None and math.isfinite(v)]
    if not present:
        return GAP * len(slots)
    low = min(present)
    high = max(max(present), low + span)
    scale = (len(BLOCKS) - 1) / (high - low)
    return "".join(
        GAP if v is None or not math.isfinite(v) else BLOCKS[min(len(BLOCKS) - 1, round((v - low) * scale))]
        for v in slots
    )


__all__ = ["BLOCKS", "GAP", "resample", "sparkline"]
