"""The CloudWatch Logs limits moto does not keep: page sizes and how many streams and groups one read may name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecstui.emulator.wire import AwsRequest, json_error

Rejection = tuple[str, list[tuple[str, str]], bytes]

# CloudWatch Logs API Reference: GetLogEvents and FilterLogEvents `limit` 1..10,000; FilterLogEvents
# logStreamNames 1..100 items, and not together with logStreamNamePrefix; StartLiveTail logGroupIdentifiers
# 1..10 items, logStreamNames 1..100 items (and, like logStreamNamePrefixes, only with a single group).
LIMITS: dict[str, tuple[tuple[str, int], ...]] = {
    "GetLogEvents": (("limit", 10_000),),
    "FilterLogEvents": (("limit", 10_000), ("logStreamNames", 100)),
    "StartLiveTail": (("logGroupIdentifiers", 10), ("logStreamNames", 100), ("logStreamNamePrefixes", 100)),
}


def _too_big(field: str, value: Any, most: int) -> str | None:
    if isinstance(value, list):
        if 1 <= len(value) <= most:
            return None
        return f"Member must have length between 1 and {most}"
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= most:
        return None
    return f"Member must have value between 1 and {most}"


def check_logs_request(request: AwsRequest, violation: Callable[[str], None]) -> Rejection | None:
    """AWS's refusal of a CloudWatch Logs request that breaks a limit (noted as a violation), or None."""
    if request.service != "logs" or request.json_body is None:
        return None
    body = request.json_body
    for field, most in LIMITS.get(request.operation, ()):
        if field not in body:
            continue
        broken = _too_big(field, body[field], most)
        if broken is not None:
            violation(f"{request.operation} with {field}={body[field]!r:.60} ({broken})")
            return json_error(
                400,
                "InvalidParameterException",
                f"1 validation error detected: Value at '{field}' failed to satisfy constraint: {broken}",
            )
    if request.operation == "FilterLogEvents" and body.get("logStreamNames") and body.get("logStreamNamePrefix"):
        violation("FilterLogEvents with both logStreamNames and logStreamNamePrefix")
        return json_error(
            400, "InvalidParameterException", "You cannot specify both logStreamNames and logStreamNamePrefix."
        )
    groups = body.get("logGroupIdentifiers") or []
    named = body.get("logStreamNames") or body.get("logStreamNamePrefixes")
    if request.operation == "StartLiveTail" and named and len(groups) != 1:
        violation("StartLiveTail naming streams in more than one log group")
        return json_error(
            400,
            "InvalidParameterException",
            "logStreamNames and logStreamNamePrefixes can only be used with a single log group.",
        )
    return None
