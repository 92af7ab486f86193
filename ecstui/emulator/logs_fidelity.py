"""Corrections that make moto's CloudWatch Logs answer as CloudWatch Logs does where ecstui's log reads depend on it.

- GetLogEvents tokens name a position in the stream (after or before one event), not an index: moto's indices
  shift when old events go (the emulator bounds each stream), which would skip or repeat lines for a poller.
- FilterLogEvents always interleaves streams by time (AWS ignores `interleaved` since 2019; moto did not).
- StartLiveTail finds the group its ARN names (moto took the last group of the region whatever the ARN).
- The 14 days an event may be old are counted on the emulator's clock (scheduler_hooks.utcnow, which tests hold
  at their fixed moment), not the machine's, so tests written at a fixed date go on passing after it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.logs import models as logs_models
from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException

from ecstui.emulator import scheduler_hooks

_applied = False
_LAST = 10**19  # an event id above every real one: "after every event of that millisecond"

Key = tuple[int, int]  # (timestamp ms, moto's event id): the order of a stream's events


def _emulator_now() -> datetime:
    # moto works in naive UTC datetimes; the emulator's clock is aware.
    return scheduler_hooks.utcnow().astimezone(UTC).replace(tzinfo=None)


def _token(direction: str, key: Key) -> str:
    return f"{direction}/{key[0]:020d}/{key[1]:020d}"


def _parse(token: str) -> tuple[str, Key]:
    try:
        direction, timestamp, event_id = token.split("/")
        if direction not in ("f", "b"):
            raise ValueError(direction)
        return direction, (int(timestamp), int(event_id))
    except ValueError:
        raise InvalidParameterException("The specified nextToken is invalid.") from None


def _get_log_events(
    self: Any,
    start_time: int | None,
    end_time: int | None,
    limit: int | None,
    next_token: str | None,
    start_from_head: bool | None,
) -> tuple[list[dict[str, Any]], str, str]:
    limit = int(limit or 10_000)
    events = sorted(
        (
            event
            for event in self.events
            if not (start_time and event.timestamp < start_time) and not (end_time and event.timestamp > end_time)
        ),
        key=lambda event: (event.timestamp, event.event_id),
    )
    keys = [(int(e.timestamp), int(e.event_id)) for e in events]
    if next_token:
        direction, at = _parse(next_token)
        if direction == "f":
            page = [e for e, k in zip(events, keys, strict=True) if k > at][:limit]
        else:
            page = [e for e, k in zip(events, keys, strict=True) if k < at][-limit:]
    else:
        direction, at = ("f", (int(start_time or 0) - 1, _LAST)) if start_from_head else ("b", (2**62, _LAST))
        page = events[:limit] if start_from_head else events[-limit:]
    if not page:
        # Nothing there: the same token comes back (as AWS does), so a poller asks again from the same place.
        forward = next_token if next_token and direction == "f" else _token("f", at)
        backward = next_token if next_token and direction == "b" else _token("b", at)
        return [], backward, forward
    first, last = page[0], page[-1]
    return (
        [event.to_response_dict() for event in page],
        _token("b", (int(first.timestamp), int(first.event_id))),
        _token("f", (int(last.timestamp), int(last.event_id))),
    )


_original_filter = logs_models.LogGroup.filter_log_events


def _filter_log_events(self: Any, *args: Any, **kwargs: Any) -> Any:
    # Always interleaved, as AWS answers (the argument is the last positional one, or a keyword).
    if "interleaved" in kwargs:
        kwargs["interleaved"] = True
    elif len(args) >= 8:  # (group name, stream names, start, end, limit, token, pattern, interleaved)
        args = (*args[:7], True, *args[8:])
    return _original_filter(self, *args, **kwargs)


def _find_live_tail_log_group(self: Any, log_group_identifier: str) -> Any:
    wanted = log_group_identifier.removesuffix(":*")
    for group in self.groups.values():
        if str(group.arn).removesuffix(":*") == wanted or group.name == wanted:
            return group
    raise ResourceNotFoundException("The specified log group does not exist.")


def apply_logs_fidelity() -> None:
    global _applied
    if _applied:
        return
    logs_models.LogStream.get_log_events = _get_log_events  # type: ignore[method-assign,assignment]
    logs_models.LogGroup.filter_log_events = _filter_log_events  # type: ignore[method-assign]
    logs_models.LogsBackend._find_live_tail_log_group = _find_live_tail_log_group  # type: ignore[method-assign]
    logs_models.utcnow = _emulator_now  # type: ignore[attr-defined]
    _applied = True
