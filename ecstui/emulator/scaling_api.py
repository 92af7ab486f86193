"""Application Auto Scaling as AWS answers it, in front of moto: page sizes, paging, and scaling activities.

moto answers DescribeScalableTargets with a broken NextToken, DescribeScheduledActions unpaged, takes any
MaxResults and any number of ResourceIds, and does not implement DescribeScalingActivities. Here every
Describe* takes MaxResults 1..50 and ResourceIds up to 50, as AAS does, and is paged with a NextToken; the
activities are the ones the scaling simulator (scaling_sim) recorded on moto's backend.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.core.models import DEFAULT_ACCOUNT_ID

from ecstui.emulator.wire import AwsRequest, WSGIEnviron, json_answer, json_error, replace_body

StartResponse = Callable[..., Any]
Answer = tuple[str, list[tuple[str, str]], bytes]

PAGE_MAX = 50
RESOURCE_IDS_MAX = 50
# Operation -> the key of its items in the answer.
PAGED: dict[str, str] = {
    "DescribeScalableTargets": "ScalableTargets",
    "DescribeScalingPolicies": "ScalingPolicies",
    "DescribeScheduledActions": "ScheduledActions",
    "DescribeScalingActivities": "ScalingActivities",
}


def activities_of(backend: Any) -> list[dict[str, Any]]:
    """The scaling activities recorded on an AAS backend (kept there, so resets and snapshots carry them)."""
    found: list[dict[str, Any]] | None = getattr(backend, "_ecstui_activities", None)
    if found is None:
        found = []
        backend._ecstui_activities = found
    return found


def backend_for(region: str) -> Any:
    return applicationautoscaling_backends[DEFAULT_ACCOUNT_ID][region]


def _region(environ: WSGIEnviron) -> str:
    scope = str(environ.get("HTTP_AUTHORIZATION", "")).split("Credential=", 1)[-1].split("/")
    return scope[2] if len(scope) > 3 else "us-east-1"


def _scope(body: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in sorted(body.items()) if k not in ("NextToken", "MaxResults")})


def _token(offset: int, body: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "s": _scope(body)}).encode()).decode()


def _offset(token: str, body: dict[str, Any]) -> int | None:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = int(decoded["o"])
    except (ValueError, KeyError, TypeError):
        return None
    return offset if decoded.get("s") == _scope(body) and offset >= 0 else None


def handle(
    environ: WSGIEnviron,
    request: AwsRequest,
    ask_moto: Callable[[WSGIEnviron], Answer],
    violation: Callable[[str], None],
    lock: Any,
) -> Answer | None:
    """The answer to an AAS Describe*, or None to let moto answer the request as it is."""
    key = PAGED.get(request.operation)
    body = request.json_body
    if request.operation == "DeregisterScalableTarget" and body is not None:
        return _deregister(environ, body, ask_moto, lock)
    if key is None or body is None:
        return None
    size = body.get("MaxResults")
    if size is not None and not (isinstance(size, int) and 1 <= size <= PAGE_MAX):
        violation(f"{request.operation} with MaxResults={size} (1..{PAGE_MAX})")
        return json_error(400, "ValidationException", f"MaxResults must be between 1 and {PAGE_MAX}.")
    ids = body.get("ResourceIds") or []
    if len(ids) > RESOURCE_IDS_MAX:
        violation(f"{request.operation} with {len(ids)} ResourceIds (at most {RESOURCE_IDS_MAX})")
        return json_error(400, "ValidationException", f"ResourceIds can have at most {RESOURCE_IDS_MAX} items.")
    offset = 0
    if body.get("NextToken"):
        found = _offset(str(body["NextToken"]), body)
        if found is None:
            return json_error(400, "InvalidNextTokenException", "The NextToken is not valid.")
        offset = found
    if request.operation == "DescribeScalingActivities":
        with lock:
            items = [a for a in activities_of(backend_for(_region(environ))) if _matches(a, body)]
        items.reverse()  # newest first, as recorded (same-second activities too)
        items.sort(key=lambda a: float(a.get("StartTime") or 0), reverse=True)
    else:
        # moto's whole answer: no token, a page larger than anything it holds.
        whole = {k: v for k, v in body.items() if k != "NextToken"} | {"MaxResults": 10**6}
        replace_body(environ, json.dumps(whole).encode())
        status, headers, raw = ask_moto(environ)
        if not status.startswith("200"):
            return status, headers, raw
        items = list(json.loads(raw or b"{}").get(key) or [])
    page = size or PAGE_MAX
    result: dict[str, Any] = {key: items[offset : offset + page]}
    if offset + page < len(items):
        result["NextToken"] = _token(offset + page, body)
    return json_answer(result)


def _deregister(
    environ: WSGIEnviron, body: dict[str, Any], ask_moto: Callable[[WSGIEnviron], Answer], lock: Any
) -> Answer:
    # AWS deletes the target's policies and scheduled actions with it; moto keeps them.
    from ecstui.emulator.scaling_sim import forget_deregistered

    answer = ask_moto(environ)
    if answer[0].startswith("200"):
        with lock:
            forget_deregistered(_region(environ), str(body.get("ResourceId")), str(body.get("ScalableDimension")))
    return answer


def _matches(activity: dict[str, Any], body: dict[str, Any]) -> bool:
    for field in ("ServiceNamespace", "ResourceId", "ScalableDimension"):
        if body.get(field) and activity.get(field) != body[field]:
            return False
    return True


def respond(start_response: StartResponse, answer: Answer) -> Iterable[bytes]:
    status, headers, payload = answer
    start_response(status, headers)
    return [payload]


__all__ = ["activities_of", "backend_for", "handle", "respond"]
