"""Reading and rewriting AWS wire-protocol requests inside WSGI middleware."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

WSGIEnviron = dict[str, Any]

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class AwsRequest:
    """What one request asks of which service, as far as the middleware needs to know."""

    service: str  # "ecs", "elbv2", "logs", ... ("" when not recognised)
    operation: str  # "ListServices", "DescribeTargetHealth", ... ("" when not recognised)
    body: bytes
    json_body: dict[str, Any] | None


_JSON_TARGET_PREFIXES = {
    "AmazonEC2ContainerServiceV20141113": "ecs",
    "Logs_20140328": "logs",
    "AWSEvents": "events",
    "AnyScaleFrontendService": "application-autoscaling",
    "AWSSecurityTokenServiceV20110615": "sts",
    "AmazonSSM": "ssm",
}


def read_body(environ: WSGIEnviron) -> bytes:
    """Read the request body and put an unread copy back, so the wrapped app can read it too."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    replace_body(environ, body)
    return body


def replace_body(environ: WSGIEnviron, body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def _service_from_auth(environ: WSGIEnviron) -> str:
    # SigV4: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/elasticloadbalancing/aws4_request"
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    try:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0]
        return scope.split("/")[3]
    except IndexError:
        return ""


# EventBridge Scheduler speaks REST-JSON: the operation is the method and the path, its fields the query and body.
_SCHEDULER_OPERATIONS = {
    ("GET", "schedules"): "ListSchedules",
    ("GET", "schedule"): "GetSchedule",
    ("POST", "schedule"): "CreateSchedule",
    ("PUT", "schedule"): "UpdateSchedule",
    ("DELETE", "schedule"): "DeleteSchedule",
}


def _rest_json_request(environ: WSGIEnviron, service: str, body: bytes) -> AwsRequest | None:
    path = str(environ.get("PATH_INFO", "")).strip("/").split("/")
    if service != "scheduler" or not path or path[0] != "schedules":
        return None
    resource = "schedules" if len(path) == 1 else "schedule"
    operation = _SCHEDULER_OPERATIONS.get((str(environ.get("REQUEST_METHOD", "GET")), resource), "")
    fields: dict[str, Any] = {k: v[0] for k, v in parse_qs(str(environ.get("QUERY_STRING", ""))).items()}
    if len(path) > 1:
        fields["Name"] = path[1]
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    if isinstance(parsed, dict):
        fields.update(parsed)
    return AwsRequest(service, operation, body, fields)


def parse_request(environ: WSGIEnviron) -> AwsRequest:
    body = read_body(environ)
    rest = _rest_json_request(environ, _service_from_auth(environ), body)
    if rest is not None:
        return rest
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target and "." in target:
        prefix, operation = target.split(".", 1)
        service = _JSON_TARGET_PREFIXES.get(prefix, prefix)
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = None
        return AwsRequest(service, operation, body, parsed if isinstance(parsed, dict) else None)
    path = str(environ.get("PATH_INFO", ""))
    if "/operation/" in path:  # rpc-v2-cbor (CloudWatch): /service/<svc>/operation/<Op>
        return AwsRequest(_service_from_auth(environ), path.rsplit("/", 1)[-1], body, None)
    if body and b"Action=" in body:  # query protocol (ELBv2, EC2)
        form = parse_qs(body.decode("utf-8", "replace"))
        action = form.get("Action", [""])[0]
        return AwsRequest(_service_from_auth(environ), action, body, None)
    return AwsRequest(_service_from_auth(environ), "", body, None)


def json_answer(
    payload: dict[str, Any], content_type: str = JSON_CONTENT_TYPE
) -> tuple[str, list[tuple[str, str]], bytes]:
    """A 200 answer of AWS's JSON protocols (for the APIs the emulator answers itself, in front of moto)."""
    data = json.dumps(payload, default=str).encode()
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(data))),
        ("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000"),
    ]
    return "200 OK", headers, data


def json_error(status: int, error_type: str, message: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """An error in the shape AWS's JSON protocol uses, which botocore turns into a ClientError."""
    payload = json.dumps({"__type": error_type, "message": message}).encode()
    reason = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable"}
    headers = [
        ("Content-Type", JSON_CONTENT_TYPE),
        ("Content-Length", str(len(payload))),
        ("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000"),
    ]
    return f"{status} {reason.get(status, 'Error')}", headers, payload


def collect(iterable: Iterable[bytes]) -> bytes:
    try:
        return b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
