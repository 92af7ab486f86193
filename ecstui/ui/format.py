"""How values read on screen: ages, counts, statuses with colour, so a broken thing stands out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text

from ecstui.ui.inert import inert

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


GOOD = "green"
WARN = "yellow"
BAD = "bold red"
DIM = "dim"

STATUS_STYLES: dict[str, str] = {
    # tasks
    "RUNNING": GOOD,
    "PROVISIONING": WARN,
    "PENDING": WARN,
    "ACTIVATING": WARN,
    "DEACTIVATING": "dark_orange",
    "STOPPING": "dark_orange",
    "DEPROVISIONING": "dark_orange",
    "STOPPED": "red",
    # clusters, services, instances, task definitions
    "ACTIVE": GOOD,
    "DRAINING": WARN,
    "INACTIVE": DIM,
    "PROVISIONING_FAILED": BAD,
    "DELETE_IN_PROGRESS": DIM,
    "REGISTERING": WARN,
    "DEREGISTERING": WARN,
    "REGISTRATION_FAILED": BAD,
    # health and rollouts
    "HEALTHY": GOOD,
    "UNHEALTHY": BAD,
    "UNKNOWN": DIM,
    "COMPLETED": GOOD,
    "IN_PROGRESS": WARN,
    "FAILED": BAD,
    "PRIMARY": GOOD,
}


def status_text(status: str | None) -> Text:
    if not status:
        return Text("-", style=DIM)
    return inert(status, STATUS_STYLES.get(status.upper(), ""))


def count_text(running: int, desired: int, pending: int = 0) -> Text:
    """'3/3' in green, '1/3' in red: a service below its desired count is the first thing to see."""
    style = GOOD if running >= desired else (WARN if running + pending >= desired else BAD)
    if desired == 0 and running == 0:
        style = DIM
    return Text(f"{running}/{desired}", style=style)


def age(when: datetime | None, now: datetime) -> str:
    """'42s', '5m', '3h', '12d': how long ago, short enough for a table column."""
    if when is None:
        return "-"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = int((now - when).total_seconds())
    if seconds < 0:
        seconds = 0
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def timestamp(when: datetime | None) -> str:
    if when is None:
        return "-"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def dash(value: object | None) -> str:
    return "-" if value is None or value == "" else str(value)
