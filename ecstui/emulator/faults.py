"""WSGI middleware that makes the emulator behave like a busy AWS: latency, ECS throttling, injected errors, outages."""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from ecstui.aws.ratelimit import ECS_THROTTLE_CATEGORIES, ThrottleCategory, ecs_category, service_category
from ecstui.emulator.aws_limits import StartResponse, WSGIApp
from ecstui.emulator.wire import AwsRequest, WSGIEnviron, collect, json_error, parse_request

OutageMode = Literal["unavailable", "reset"]
# How a 200 answer can be broken on its way (a proxy, a cut connection, a service bug): see MalformedAnswer.
MalformedKind = Literal["bad_json", "bad_xml", "truncated", "missing_member", "body"]


@dataclass(frozen=True)
class AwsErrorSpec:
    """An error AWS answers with: HTTP status, error code, message."""

    status: int
    code: str
    message: str


THROTTLING = AwsErrorSpec(400, "ThrottlingException", "Rate exceeded")
ACCESS_DENIED = AwsErrorSpec(400, "AccessDeniedException", "User is not authorized to perform this action.")
SERVICE_UNAVAILABLE = AwsErrorSpec(503, "ServiceUnavailableException", "Service Unavailable")
INTERNAL_FAILURE = AwsErrorSpec(500, "InternalFailure", "The request processing has failed.")
# ECS's own name for a failure on its side.
SERVER_EXCEPTION = AwsErrorSpec(500, "ServerException", "Internal error.")


@dataclass(frozen=True)
class MalformedAnswer:
    """A 200 answer AWS would never give, made from the real one (the request does reach moto).

    - "bad_json": the first half of the real answer, with a matching Content-Length (a proxy that cut it);
      for the query protocol this is unclosed XML.
    - "bad_xml": a body that is no markup at all (a proxy's plain-text page), whatever the protocol.
    - "truncated": the first half of the real answer, announced with the full Content-Length, and then the
      connection closes (a connection cut mid-answer).
    - "missing_member": the real answer without its top-level member `member` (every member when None).
    - "body": `body` instead of the real answer (a well-formed answer of the wrong shape, say).
    """

    kind: MalformedKind
    member: str | None = None
    body: bytes = b""


@dataclass(frozen=True)
class Hang:
    """Hold the request `seconds` before passing it on (a describe that hangs); `Faults.release_hangs` ends it."""

    seconds: float


@dataclass(frozen=True)
class DropAfterApplying:
    """Carry the request out, then close the connection without answering (a connection lost mid-request)."""


Fault = AwsErrorSpec | MalformedAnswer | Hang | DropAfterApplying


@dataclass(frozen=True)
class FaultConfig:
    """What the emulator does to every request; the default does nothing.

    `latency_ms` is a round trip added to each AWS request (moto answers in a few ms; a real region from
    a laptop takes 30-150 ms). `throttle` applies ECS's per-category token buckets (`buckets`, by category
    name) per region, as ECS does per account and region, and CloudWatch Logs' published quotas to its reads.
    `seed` makes injected error rates repeatable.
    """

    latency_ms: float = 0.0
    throttle: bool = False
    buckets: dict[str, ThrottleCategory] = field(default_factory=lambda: dict(ECS_THROTTLE_CATEGORIES))
    seed: int = 0


@dataclass
class Injection:
    """Answer `error` to calls of one operation ("*" for every operation) of one service.

    `error` is an AWS error, a malformed 200 answer (MalformedAnswer), a hang (Hang) or a connection closed once
    the request was carried out (DropAfterApplying).

    `service` is the SigV4 signing name: "ecs", "logs", "elasticloadbalancing", "monitoring" (CloudWatch).

    `count` answers the next N calls with the error; `rate` answers each call with the error with that
    probability. With both, the count is used up first and the rate applies after it. `after` lets that many
    matching calls through first (after=1: the second page of a listing fails, the first does not).
    """

    service: str
    operation: str
    error: Fault
    count: int = 0
    rate: float = 0.0
    after: int = 0

    def matches(self, request: AwsRequest) -> bool:
        return request.service == self.service and self.operation in ("*", request.operation)


@dataclass
class FaultLog:
    """What the fault layer did, by operation, so tests can assert it.

    `attempts` counts every AWS request that arrived (retries included); the RequestLog behind this layer
    counts only those that reached moto, so for a mutating call it is the number of times it took effect.
    """

    attempts: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)
    unavailable: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, counter: Counter[str], operation: str) -> None:
        with self._lock:
            counter[operation] += 1

    def clear(self) -> None:
        with self._lock:
            for counter in (self.attempts, self.throttled, self.injected, self.unavailable):
                counter.clear()

    @property
    def total_faults(self) -> int:
        with self._lock:
            return sum(self.throttled.values()) + sum(self.injected.values()) + sum(self.unavailable.values())


@dataclass
class _Bucket:
    capacity: float
    refill_per_second: float
    tokens: float
    updated_at: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated_at) * self.refill_per_second)
        self.updated_at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(frozen=True)
class _Decision:
    error: AwsErrorSpec | None = None
    reset: bool = False
    delay_seconds: float = 0.0
    malformed: MalformedAnswer | None = None
    hang_seconds: float = 0.0
    drop_after_applying: bool = False


class Faults:
    """The fault settings of one emulator, changed at runtime from tests or the CLI (thread-safe)."""

    def __init__(
        self,
        config: FaultConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._initial = config or FaultConfig()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.log = FaultLog()
        self._config = self._initial
        self._rng = random.Random(self._initial.seed)
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._injections: list[Injection] = []
        self._down_until: float | None = None
        self._outage_mode: OutageMode = "unavailable"
        self._suspended = 0
        self._release = threading.Event()

    @property
    def config(self) -> FaultConfig:
        with self._lock:
            return self._config

    def configure(self, **changes: Any) -> FaultConfig:
        """Change fields of the FaultConfig (latency_ms=50, throttle=True, ...); returns the new config."""
        with self._lock:
            self._config = replace(self._config, **changes)
            if "seed" in changes:
                self._rng = random.Random(self._config.seed)
            if "buckets" in changes or "throttle" in changes:
                self._buckets.clear()
            return self._config

    def set_latency(self, milliseconds: float) -> None:
        self.configure(latency_ms=max(0.0, milliseconds))

    def set_throttling(self, enabled: bool) -> None:
        self.configure(throttle=enabled)

    def inject(
        self,
        operation: str,
        error: Fault = THROTTLING,
        *,
        count: int = 0,
        rate: float = 0.0,
        service: str = "ecs",
        after: int = 0,
    ) -> Injection:
        """Answer calls of `operation` ("*": any) of `service` with `error` (an AWS error, a MalformedAnswer or a
        Hang), for the next `count` calls and/or with probability `rate`."""
        if count < 0 or after < 0 or not 0.0 <= rate <= 1.0:
            raise ValueError("count and after must be >= 0 and rate within [0, 1]")
        injection = Injection(service, operation, error, count, rate, after)
        with self._lock:
            self._injections.append(injection)
        return injection

    def clear_injections(self) -> None:
        with self._lock:
            self._injections.clear()
        self.release_hangs()

    def release_hangs(self) -> None:
        """Let every request held by a Hang go on now (later hangs hold again)."""
        with self._lock:
            released, self._release = self._release, threading.Event()
        released.set()

    def hold(self, seconds: float) -> None:
        """Wait `seconds`, or less if release_hangs is called meanwhile."""
        with self._lock:
            release = self._release
        release.wait(seconds)

    def take_down(self, seconds: float, mode: OutageMode = "unavailable") -> None:
        """Fail every AWS request for `seconds`.

        "unavailable" answers HTTP 503 ServiceUnavailable: what a regional AWS impairment looks like, since
        the endpoint's load balancers keep accepting connections while the service behind them fails;
        botocore classifies it as a retryable server error. "reset" closes the connection without an
        answer: what a network failure between the client and AWS looks like (ConnectionClosedError).
        """
        with self._lock:
            self._down_until = self._clock() + seconds
            self._outage_mode = mode

    def bring_up(self) -> None:
        with self._lock:
            self._down_until = None

    @property
    def is_down(self) -> bool:
        with self._lock:
            return self._down_until is not None and self._clock() < self._down_until

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Let every request through untouched and uncounted inside the block (seeding the demo through
        the endpoint must not wait on the buckets and latency it sets up for the app)."""
        with self._lock:
            self._suspended += 1
        try:
            yield
        finally:
            with self._lock:
                self._suspended -= 1

    def refill(self) -> None:
        """Fill every throttle bucket, as after a long quiet spell."""
        with self._lock:
            self._buckets.clear()

    def reset(self) -> None:
        """Back to the configuration this object was made with: no injections, no outage, full buckets, empty log."""
        with self._lock:
            self._config = self._initial
            self._rng = random.Random(self._initial.seed)
            self._buckets.clear()
            self._injections.clear()
            self._down_until = None
        self.release_hangs()
        self.log.clear()

    def decide(self, request: AwsRequest, region: str) -> _Decision:
        """What happens to one AWS request; counts it in the log."""
        operation = request.operation or "?"
        with self._lock:
            if self._suspended:
                return _Decision()
        self.log.add(self.log.attempts, operation)
        with self._lock:
            config = self._config
            delay = config.latency_ms / 1000.0
            now = self._clock()
            if self._down_until is not None and now < self._down_until:
                outage_error = None if self._outage_mode == "reset" else SERVICE_UNAVAILABLE
                decision = _Decision(outage_error, reset=self._outage_mode == "reset", delay_seconds=delay)
                counter = self.log.unavailable
            elif (injected := self._injected(request)) is not None:
                decision, counter = _decision_for(injected, delay), self.log.injected
            elif (
                config.throttle
                and request.service in ("ecs", "logs")
                and not self._take_token(config, request, region, now)
            ):
                decision, counter = _Decision(THROTTLING, delay_seconds=delay), self.log.throttled
            else:
                return _Decision(delay_seconds=delay)
        self.log.add(counter, operation)
        return decision

    def _injected(self, request: AwsRequest) -> Fault | None:
        for injection in self._injections:
            if not injection.matches(request):
                continue
            if injection.after > 0:
                injection.after -= 1
                continue
            if injection.count > 0:
                injection.count -= 1
                return injection.error
            if injection.rate > 0.0 and self._rng.random() < injection.rate:
                return injection.error
        return None

    def _take_token(self, config: FaultConfig, request: AwsRequest, region: str, now: float) -> bool:
        if request.service == "logs":
            # CloudWatch Logs' own quotas (GetLogEvents and FilterLogEvents 25 a second, StartLiveTail 10, ...).
            category = service_category(request.operation, "cloudwatch-logs")
        else:
            category = ecs_category(request.operation, config.buckets)
        if category is None:
            return True
        key = (region, category.name)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(float(category.burst), float(category.sustained), float(category.burst), now)
            self._buckets[key] = bucket
        return bucket.take(now)

    def pause(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)


def _decision_for(fault: Fault, delay: float) -> _Decision:
    if isinstance(fault, MalformedAnswer):
        return _Decision(malformed=fault, delay_seconds=delay)
    if isinstance(fault, Hang):
        return _Decision(hang_seconds=fault.seconds, delay_seconds=delay)
    if isinstance(fault, DropAfterApplying):
        return _Decision(drop_after_applying=True, delay_seconds=delay)
    return _Decision(fault, delay_seconds=delay)


def faults_from_flags(latency_ms: float = 0.0, throttle: bool = False, seed: int = 0) -> Faults:
    """The faults behind `ecstui --demo --latency MS --throttle`."""
    return Faults(FaultConfig(latency_ms=max(0.0, latency_ms), throttle=throttle, seed=seed))


def _signing_scope(environ: WSGIEnviron) -> tuple[str, str]:
    """The region and signing name of a SigV4-signed request ("us-east-1", "ecs"), or empty strings."""
    # "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request, ..."
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    try:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        return scope[2], scope[3]
    except IndexError:
        return "", ""


def _cbor_text(value: str) -> bytes:
    data = value.encode()
    size = len(data)
    if size < 24:
        return bytes([0x60 + size]) + data
    if size < 256:
        return bytes([0x78, size]) + data
    return bytes([0x79]) + size.to_bytes(2, "big") + data


def error_response(environ: WSGIEnviron, error: AwsErrorSpec) -> tuple[str, list[tuple[str, str]], bytes]:
    """The error in the wire protocol the request used, so botocore reads its code whatever the service."""
    status, headers, payload = json_error(error.status, error.code, error.message)
    rpc_v2_cbor = "/operation/" in str(environ.get("PATH_INFO", ""))  # CloudWatch
    if environ.get("HTTP_X_AMZ_TARGET") and not rpc_v2_cbor:
        return status, headers, payload
    request_id = "00000000-0000-0000-0000-000000000000"
    if rpc_v2_cbor:
        payload = bytes([0xA2]) + _cbor_text("__type") + _cbor_text(error.code)
        payload += _cbor_text("message") + _cbor_text(error.message)
        content_type = "application/cbor"
        headers = [("smithy-protocol", "rpc-v2-cbor")]
    else:  # query protocol (ELBv2, EC2) answers XML
        kind = "Sender" if error.status < 500 else "Receiver"
        payload = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        content_type = "text/xml"
        headers = []
    headers += [
        ("Content-Type", content_type),
        ("Content-Length", str(len(payload))),
        ("x-amzn-RequestId", request_id),
    ]
    return status, headers, payload


def _without_member(body: bytes, member: str | None) -> bytes:
    """The answer without its top-level member (JSON), or without that element of its Result (query XML)."""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        return json.dumps({} if member is None else {k: v for k, v in answer.items() if k != member}).encode()
    root = ElementTree.fromstring(body)
    for result in root:
        if not result.tag.endswith("Result"):
            continue
        for child in list(result):
            if member is None or child.tag.rsplit("}", 1)[-1] == member:
                result.remove(child)
    return ElementTree.tostring(root)


class FaultsMiddleware:
    """Applies a Faults object to every AWS request before it reaches the AWS-limits layer and moto."""

    def __init__(self, app: WSGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        # moto's own control API (reset, seed, state manager) is the test harness, not AWS.
        if str(environ.get("PATH_INFO", "")).startswith("/moto-api"):
            return self.app(environ, start_response)
        request = parse_request(environ)
        region, signing_name = _signing_scope(environ)
        if signing_name:
            # The signing name names every service the same way whatever its protocol (CloudWatch's
            # rpc-v2-cbor requests carry an X-Amz-Target the wire parser does not know).
            request = replace(request, service=signing_name)
        decision = self.faults.decide(request, region)
        # Sleeping in the request's own thread (the server is threaded) delays this caller only.
        self.faults.pause(decision.delay_seconds)
        if decision.reset:
            self._drop_connection(environ)
            start_response("500 Connection Reset", [("Content-Length", "0"), ("Connection", "close")])
            return []
        if decision.error is not None:
            status, headers, payload = error_response(environ, decision.error)
            start_response(status, headers)
            return [payload]
        if decision.hang_seconds:
            self.faults.hold(decision.hang_seconds)
        if decision.malformed is not None:
            return self._malformed(environ, start_response, decision.malformed)
        if decision.drop_after_applying:
            collect(self.app(environ, lambda *_: lambda data: None))
            self._drop_connection(environ)
            start_response("500 Connection Reset", [("Content-Length", "0"), ("Connection", "close")])
            return []
        return self.app(environ, start_response)

    def _malformed(self, environ: WSGIEnviron, start_response: StartResponse, fault: MalformedAnswer) -> list[bytes]:
        answered: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
            answered["status"], answered["headers"] = status, headers
            return lambda data: None

        body = collect(self.app(environ, keep))
        status = str(answered.get("status", "200 OK"))
        headers = [(k, v) for k, v in answered.get("headers", []) if k.lower() != "content-length"]
        if not status.startswith("2"):  # moto refused it: that answer is not the 200 this fault breaks
            start_response(status, [*headers, ("Content-Length", str(len(body)))])
            return [body]
        announced = None
        if fault.kind == "bad_json":
            body = body[: len(body) // 2]
        elif fault.kind == "bad_xml":
            body = b"Service temporarily unavailable. Please try again later."
        elif fault.kind == "truncated":
            announced, body = len(body), body[: len(body) // 2]
        elif fault.kind == "body":
            body = fault.body
        else:
            body = _without_member(body, fault.member)
        # werkzeug closes the connection after every answer: a body shorter than announced ends there.
        start_response(status, [*headers, ("Content-Length", str(announced if announced is not None else len(body)))])
        return [body]

    @staticmethod
    def _drop_connection(environ: WSGIEnviron) -> None:
        connection = environ.get("werkzeug.socket")
        if connection is None:
            return
        # Already gone is as good as closed.
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
