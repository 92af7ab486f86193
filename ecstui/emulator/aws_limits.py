"""WSGI middleware that makes moto keep the API limits that real AWS keeps.

moto returns every item of a list in one response and accepts describes of any size. Real ECS pages
lists (ListServices 10 by default, 100 at most) and rejects a DescribeServices of more than 10 names.
A console tested against plain moto can silently drop the 11th service and never know; behind this
layer it cannot. Likewise EC2's DescribeVpcs, DescribeSubnets, DescribeSecurityGroups and
DescribeRouteTables, which moto answers whole whatever MaxResults says, are paged here; IAM's ListRoles
and Auto Scaling's DescribeAutoScalingGroups, which moto pages itself, get AWS's bounds on the page size.
"""

from __future__ import annotations

import base64
import json
import threading
import xml.etree.ElementTree as ET
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends
from moto.utilities.aws_headers import gen_amzn_requestid_long

from ecstui.emulator import exec_api, iam_entities, scaling_api
from ecstui.emulator.elb_limits import elb_limited
from ecstui.emulator.logs_limits import check_logs_request
from ecstui.emulator.metrics_api import metrics_limited
from ecstui.emulator.wire import (
    JSON_CONTENT_TYPE,
    AwsRequest,
    WSGIEnviron,
    collect,
    json_error,
    parse_request,
    replace_body,
)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class ListLimit:
    result_key: str
    default_page: int
    max_page: int


# From the ECS API reference (maxResults of each List* operation).
ECS_LIST_LIMITS: dict[str, ListLimit] = {
    "ListClusters": ListLimit("clusterArns", 100, 100),
    "ListServices": ListLimit("serviceArns", 10, 100),
    "ListTasks": ListLimit("taskArns", 100, 100),
    "ListContainerInstances": ListLimit("containerInstanceArns", 100, 100),
    "ListTaskDefinitions": ListLimit("taskDefinitionArns", 100, 100),
    "ListTaskDefinitionFamilies": ListLimit("families", 100, 100),
}

# Operation -> (request field holding the names, how many one call may hold).
ECS_DESCRIBE_LIMITS: dict[str, tuple[str, int]] = {
    "DescribeServices": ("services", 10),
    "DescribeTasks": ("tasks", 100),
    "DescribeContainerInstances": ("containerInstances", 100),
    "DescribeClusters": ("clusters", 100),
    "DescribeCapacityProviders": ("capacityProviders", 100),
}


@dataclass(frozen=True)
class QueryPageLimit:
    """A paged query-protocol (XML) list: where its items are, and the bounds of its page-size parameter."""

    list_element: str  # the child of the answer's root that holds the items ("subnetSet")
    min_page: int
    max_page: int
    size_parameter: str = "MaxResults"


# From the EC2 API reference: MaxResults 5..1000 (DescribeRouteTables 5..100); without it, everything.
EC2_PAGE_LIMITS: dict[str, QueryPageLimit] = {
    "DescribeVpcs": QueryPageLimit("vpcSet", 5, 1000),
    "DescribeSubnets": QueryPageLimit("subnetSet", 5, 1000),
    "DescribeSecurityGroups": QueryPageLimit("securityGroupInfo", 5, 1000),
    "DescribeRouteTables": QueryPageLimit("routeTableSet", 5, 100),
}

# JSON and REST-JSON lists that moto pages itself, with AWS's bounds on the page size: (service, operation) ->
# (page-size field, least, most). ListSchedules MaxResults 1..100; EventBridge's Limit 1..100.
JSON_PAGE_SIZE_BOUNDS: dict[tuple[str, str], tuple[str, int, int]] = {
    ("scheduler", "ListSchedules"): ("MaxResults", 1, 100),
    ("events", "ListRuleNamesByTarget"): ("Limit", 1, 100),
    ("events", "ListTargetsByRule"): ("Limit", 1, 100),
    ("events", "ListRules"): ("Limit", 1, 100),
}

# (service, operation) -> (page-size parameter, least, most) for the lists moto pages itself but without
# bounds (ListRoles MaxItems 1..1000, default 100; DescribeAutoScalingGroups MaxRecords 1..100, default 50:
# above 100 moto failed with HTTP 500 where AWS answers ValidationError).
QUERY_PAGE_SIZE_BOUNDS: dict[tuple[str, str], tuple[str, int, int]] = {
    ("iam", "ListRoles"): ("MaxItems", 1, 1000),
    ("autoscaling", "DescribeAutoScalingGroups"): ("MaxRecords", 1, 100),
}


def xml_error(status: int, code: str, message: str, *, ec2: bool) -> tuple[str, list[tuple[str, str]], bytes]:
    """An error as the query protocol words it (EC2's own shape, or the ErrorResponse of IAM and the others)."""
    text = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if ec2:
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{text}</Message></Error></Errors>"
            "<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
        )
    else:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{text}</Message></Error>"
            "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        )
    payload = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()
    headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))]
    return f"{status} {'Bad Request' if status == 400 else 'Error'}", headers, payload


def _request_fields(request: AwsRequest) -> dict[str, Any]:
    """A JSON request's body; a query-protocol request's form fields ("MaxResults": "50", "Filter.1.Name": ...)."""
    if request.json_body is not None:
        return dict(request.json_body)
    if request.body and request.operation:
        return {key: values[0] for key, values in parse_qs(request.body.decode("utf-8", "replace")).items()}
    return {}


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class RequestLog:
    """Every request that reached the emulator, by operation, and every limit a client broke."""

    counts: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)
    bodies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, request: AwsRequest) -> None:
        with self._lock:
            self.counts[request.operation] += 1
            self.bodies.append((request.operation, _request_fields(request)))

    def violation(self, message: str) -> None:
        with self._lock:
            self.violations.append(message)

    def calls(self, operation: str) -> list[dict[str, Any]]:
        """The JSON bodies of every call of one operation, oldest first."""
        with self._lock:
            return [body for op, body in self.bodies if op == operation]

    def clear(self) -> None:
        with self._lock:
            self.counts.clear()
            self.violations.clear()
            self.bodies.clear()


class ListingCache:
    """Full listings taken on the first page of a paged list call, kept for the tokens of the pages after it.

    A paged list call asks moto for the whole listing once, on its first page; the tokens it hands out name
    that listing, so later pages are slices of it and cost no moto call. A listing therefore reads as it was
    when its first page was served: an item made or deleted between pages neither shifts the pages (no item
    repeated or skipped) nor appears in them. Bounded: the least recently used listings are dropped past
    `max_listings` listings or `max_items` items in all; a token whose listing was dropped is still honoured,
    as before this cache, by its offset into a fresh listing.
    """

    def __init__(self, max_listings: int = 64, max_items: int = 250_000) -> None:
        self.max_listings = max_listings
        self.max_items = max_items
        self._listings: OrderedDict[int, list[Any]] = OrderedDict()
        self._items = 0
        self._next_id = 1
        self._lock = threading.Lock()

    def put(self, items: list[Any]) -> int:
        with self._lock:
            listing_id = self._next_id
            self._next_id += 1
            self._listings[listing_id] = items
            self._items += len(items)
            while self._listings and (len(self._listings) > self.max_listings or self._items > self.max_items):
                _, dropped = self._listings.popitem(last=False)
                self._items -= len(dropped)
            return listing_id

    def get(self, listing_id: int) -> list[Any] | None:
        with self._lock:
            items = self._listings.get(listing_id)
            if items is not None:
                self._listings.move_to_end(listing_id)
            return items

    def clear(self) -> None:
        with self._lock:
            self._listings.clear()
            self._items = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._listings)


def page_xml_listing(
    parent: ET.Element,
    holder: ET.Element,
    marker: str,
    namespace: str,
    token: PageToken | None,
    page_size: int,
    scope: dict[str, Any],
    listings: ListingCache,
) -> None:
    """Cut moto's whole XML listing in `holder` down to the page `token` asks for, and put the marker of the next
    page (EC2's nextToken, ELB's NextMarker) in `parent` when there is one."""
    fresh = list(holder)
    listing_id = token.listing if token is not None else None
    # Later pages come from the listing taken on the first, so nothing shifts between pages (see ListingCache).
    items = listings.get(listing_id) if listing_id is not None else None
    if items is None:
        items, listing_id = fresh, None
    offset = token.offset if token is not None else 0
    for child in fresh:
        holder.remove(child)
    holder.extend(items[offset : offset + page_size])
    for old in [child for child in parent if _local(child.tag) == marker]:
        parent.remove(old)
    if offset + page_size < len(items):
        if listing_id is None:
            listing_id = listings.put(items)
        element = ET.SubElement(parent, f"{{{namespace}}}{marker}" if namespace else marker)
        element.text = encode_token(offset + page_size, scope, listing_id)


@dataclass(frozen=True)
class PageToken:
    offset: int
    listing: int | None  # the ListingCache entry this token pages through


def _scope(request: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in sorted(request.items()) if k not in ("nextToken", "maxResults")})


def encode_token(offset: int, request: dict[str, Any], listing: int | None = None) -> str:
    # The token names the request it belongs to, so a token replayed with other filters is refused,
    # as AWS refuses it.
    data: dict[str, Any] = {"o": offset, "s": _scope(request)}
    if listing is not None:
        data["l"] = listing
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def decode_token(token: str, request: dict[str, Any]) -> PageToken | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = int(data["o"])
        listing = data.get("l")
        listing = None if listing is None else int(listing)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if data.get("s") != _scope(request) or offset < 0:
        return None
    return PageToken(offset, listing)


class AwsLimitsMiddleware:
    """Pages ECS list calls with nextToken and rejects oversize describes, as ECS does."""

    def __init__(
        self, app: WSGIApp, log: RequestLog, lock: threading.RLock, listings: ListingCache | None = None
    ) -> None:
        self.app = app
        self.log = log
        # One lock around every request and every simulator step: moto's backends are not thread-safe.
        self.lock = lock
        self.listings = listings if listings is not None else ListingCache()

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        request = parse_request(environ)
        self.log.record(request)
        if (answer := exec_api.handle(environ, request, self.log.violation, self.lock)) is not None:
            return exec_api.respond(start_response, answer)  # ECS Exec, SSM sessions: moto has neither
        if request.service == "ecs" and request.json_body is not None:
            rejected = self._check_describe(request) or self._check_awsvpc_subnets(environ, request)
            if rejected is not None:
                status, headers, payload = rejected
                start_response(status, headers)
                return [payload]
            limit = ECS_LIST_LIMITS.get(request.operation)
            if limit is not None:
                return self._paged(environ, start_response, request.operation, request.json_body, limit)
        if (logs_refusal := check_logs_request(request, self.log.violation)) is not None:
            status, headers, payload = logs_refusal
            start_response(status, headers)
            return [payload]
        if request.service == "application-autoscaling":  # AAS's page sizes and paging, scaling activities
            answer = scaling_api.handle(environ, request, self._ask_moto, self.log.violation, self.lock)
            if answer is not None:
                return scaling_api.respond(start_response, answer)
        json_bounds = JSON_PAGE_SIZE_BOUNDS.get((request.service, request.operation))
        if json_bounds is not None and request.json_body is not None:
            rejected = self._check_json_page_size(request, *json_bounds)
            if rejected is not None:
                status, headers, payload = rejected
                start_response(status, headers)
                return [payload]
        if request.json_body is None and request.body:
            if request.service == "ec2" and request.operation in EC2_PAGE_LIMITS:
                return self._query_paged(environ, start_response, request, EC2_PAGE_LIMITS[request.operation])
            bounds = QUERY_PAGE_SIZE_BOUNDS.get((request.service, request.operation))
            if bounds is not None:
                rejected = self._check_page_size(request, *bounds)
                if rejected is not None:
                    status, headers, payload = rejected
                    start_response(status, headers)
                    return [payload]
        if (elb := elb_limited(self, environ, start_response, request)) is not None:  # ELBv2's pages and batches
            return elb
        if request.service == "iam" and request.operation == "ListEntitiesForPolicy":  # moto lacks it
            with self.lock:
                status, headers, payload = iam_entities.list_entities_for_policy(request.body)
            start_response(status, headers)
            return [payload]
        if (metrics := metrics_limited(self, environ, start_response, request)) is not None:  # GetMetricData's
            return metrics
        with self.lock:
            return [collect(self.app(environ, start_response))]

    def _check_describe(self, request: AwsRequest) -> tuple[str, list[tuple[str, str]], bytes] | None:
        spec = ECS_DESCRIBE_LIMITS.get(request.operation)
        if spec is None or request.json_body is None:
            return None
        key, most = spec
        names = request.json_body.get(key) or []
        if len(names) <= most:
            return None
        self.log.violation(f"{request.operation} with {len(names)} {key} (at most {most})")
        return json_error(
            400,
            "InvalidParameterException",
            f"{key} can have at most {most} items.",
        )

    def _check_awsvpc_subnets(
        self, environ: WSGIEnviron, request: AwsRequest
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        # ECS refuses a service of an awsvpc task definition without subnets; moto stored it, and it then sat
        # at 0 running with no events, since nothing can place a task nowhere.
        body = request.json_body
        if request.operation not in ("CreateService", "UpdateService") or body is None:
            return None
        config = body.get("networkConfiguration")
        if request.operation == "UpdateService" and config is None:
            return None  # the service keeps the network it has
        network_mode = self._network_mode(environ, body)
        if network_mode != "awsvpc":
            return None
        awsvpc = (config or {}).get("awsvpcConfiguration") if isinstance(config, dict) else None
        if not isinstance(awsvpc, dict):
            message = "Network Configuration must be provided when networkMode 'awsvpc' is specified."
        elif not awsvpc.get("subnets"):
            message = "subnets can not be empty."
        else:
            return None
        return json_error(400, "InvalidParameterException", message)

    def _network_mode(self, environ: WSGIEnviron, body: dict[str, Any]) -> str | None:
        scope = str(environ.get("HTTP_AUTHORIZATION", "")).split("Credential=", 1)[-1].split("/")
        region = scope[2] if len(scope) > 3 else "us-east-1"
        with self.lock:
            try:
                backend = ecs_backends[DEFAULT_ACCOUNT_ID][region]
                definition = body.get("taskDefinition")
                if not definition:
                    service = backend._get_service(body.get("cluster") or "default", str(body.get("service")))
                    definition = service.task_definition
                mode = backend.describe_task_definition(str(definition)).network_mode
            except Exception:  # whatever moto cannot find, it refuses itself
                return None
        return str(mode) if mode else None

    def _paged(
        self,
        environ: WSGIEnviron,
        start_response: StartResponse,
        operation: str,
        body: dict[str, Any],
        limit: ListLimit,
    ) -> Iterable[bytes]:
        max_results = body.get("maxResults")
        if max_results is not None and not (isinstance(max_results, int) and 1 <= max_results <= limit.max_page):
            self.log.violation(f"{operation} with maxResults={max_results} (at most {limit.max_page})")
            status, headers, payload = json_error(
                400, "InvalidParameterException", f"maxResults must be between 1 and {limit.max_page}."
            )
            start_response(status, headers)
            return [payload]
        token: PageToken | None = None
        if body.get("nextToken"):
            token = decode_token(str(body["nextToken"]), body)
            if token is None:
                status, headers, payload = json_error(
                    400, "InvalidParameterException", "Invalid token: the nextToken is not valid."
                )
                start_response(status, headers)
                return [payload]
        page_size = max_results or limit.default_page

        items = self.listings.get(token.listing) if token is not None and token.listing is not None else None
        if items is not None and token is not None:
            # A later page of a listing taken on its first page: a slice of it, no moto call. The request id
            # is drawn from moto's seeded random stream as moto would have drawn it.
            with self.lock:
                request_id = gen_amzn_requestid_long()
            listing_id: int | None = token.listing
            status = "200 OK"
            headers = [("x-amzn-RequestId", request_id), ("Access-Control-Allow-Origin", "*")]
        else:
            status, moto_headers, raw = self._ask_moto(environ)
            if not status.startswith("200"):
                start_response(status, moto_headers)
                return [raw]
            full = json.loads(raw or b"{}")
            items = list(full.get(limit.result_key) or [])
            listing_id = None
            headers = _without_length_and_type(moto_headers)

        offset = token.offset if token is not None else 0
        result: dict[str, Any] = {limit.result_key: items[offset : offset + page_size]}
        if offset + page_size < len(items):
            if listing_id is None:
                listing_id = self.listings.put(items)
            result["nextToken"] = encode_token(offset + page_size, body, listing_id)
        payload = json.dumps(result).encode()
        headers += [("Content-Type", JSON_CONTENT_TYPE), ("Content-Length", str(len(payload)))]
        start_response(status, headers)
        return [payload]

    def _check_json_page_size(
        self, request: AwsRequest, parameter: str, least: int, most: int
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        value = (request.json_body or {}).get(parameter)
        if value is None:
            return None
        try:
            size: int | None = int(value)
        except (TypeError, ValueError):
            size = None
        if size is not None and least <= size <= most:
            return None
        self.log.violation(f"{request.operation} with {parameter}={value} ({least}..{most})")
        return json_error(
            400,
            "ValidationException",
            f"1 validation error detected: Value '{value}' at '{parameter}' failed to satisfy constraint: "
            f"Member must have value between {least} and {most}",
        )

    def _check_page_size(
        self, request: AwsRequest, parameter: str, least: int, most: int
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        form = parse_qs(request.body.decode("utf-8", "replace"))
        values = form.get(parameter)
        if not values:
            return None
        try:
            size = int(values[0])
        except ValueError:
            size = None
        if size is not None and least <= size <= most:
            return None
        self.log.violation(f"{request.operation} with {parameter}={values[0]} ({least}..{most})")
        return xml_error(
            400,
            "ValidationError",
            f"1 validation error detected: Value '{values[0]}' at '{parameter[0].lower()}{parameter[1:]}' failed "
            f"to satisfy constraint: Member must have value between {least} and {most}",
            ec2=False,
        )

    def _query_paged(
        self, environ: WSGIEnviron, start_response: StartResponse, request: AwsRequest, limit: QueryPageLimit
    ) -> Iterable[bytes]:
        """Page an EC2 Describe* as EC2 does when MaxResults is given; without it, moto's whole answer."""
        form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        sizes = form.pop(limit.size_parameter, None)
        tokens = form.pop("NextToken", None)
        if sizes is None:
            if tokens:
                # A token without MaxResults: EC2 would page on with its default; ours covers the same scope.
                sizes = [str(limit.max_page)]
            else:
                with self.lock:
                    return [collect(self.app(environ, start_response))]
        try:
            page_size: int | None = int(sizes[0])
        except ValueError:
            page_size = None
        if page_size is None or not limit.min_page <= page_size <= limit.max_page:
            self.log.violation(
                f"{request.operation} with {limit.size_parameter}={sizes[0]} ({limit.min_page}..{limit.max_page})"
            )
            status, headers, payload = xml_error(
                400,
                "InvalidParameterValue",
                f"Value ( {sizes[0]} ) for parameter maxResults is invalid. Expecting a value between "
                f"{limit.min_page} and {limit.max_page}.",
                ec2=True,
            )
            start_response(status, headers)
            return [payload]
        scope: dict[str, Any] = {key: sorted(values) for key, values in form.items() if key != "Version"}
        token: PageToken | None = None
        if tokens and tokens[0]:
            token = decode_token(tokens[0], scope)
            if token is None:
                status, headers, payload = xml_error(
                    400, "InvalidParameterValue", "The token provided is invalid.", ec2=True
                )
                start_response(status, headers)
                return [payload]

        # moto is asked for the whole listing (without the paging parameters, which it ignores or mishandles).
        replace_body(environ, urlencode(form, doseq=True).encode())
        status, moto_headers, raw = self._ask_moto(environ)
        if not status.startswith("200"):
            start_response(status, moto_headers)
            return [raw]
        root = ET.fromstring(raw)
        namespace = _namespace(root.tag)
        holder = next((child for child in root if _local(child.tag) == limit.list_element), None)
        if holder is None:
            holder = ET.SubElement(root, f"{{{namespace}}}{limit.list_element}" if namespace else limit.list_element)
        page_xml_listing(root, holder, "nextToken", namespace, token, page_size, scope, self.listings)
        payload = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
            root, encoding="utf-8", xml_declaration=False, default_namespace=namespace or None
        )
        headers = _without_length_and_type(moto_headers)
        headers += [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))]
        start_response(status, headers)
        return [payload]

    def _ask_moto(self, environ: WSGIEnviron) -> tuple[str, list[tuple[str, str]], bytes]:
        """moto's whole answer to the request (status, headers, body), under the emulator's lock."""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = status
            captured["headers"] = headers
            return lambda _data: None

        with self.lock:
            raw = collect(self.app(environ, capture))
        return str(captured.get("status", "500 INTERNAL SERVER ERROR")), list(captured.get("headers", [])), raw


def _without_length_and_type(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """moto's headers for an answer whose body is rewritten (its length and type are set anew)."""
    return [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-type")]
