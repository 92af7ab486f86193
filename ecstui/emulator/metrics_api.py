"""GetMetricData as CloudWatch answers it, with its limits, over moto's datapoints and the simulator's series.

moto answers GetMetricData whatever its size (more than 500 queries, any MaxDatapoints), never pages it with a
NextToken, and looks up each query by scanning every datapoint of the account once per period: a day of a demo's
metrics took it seconds a query. Here the request is checked as CloudWatch checks it (500 queries a call, ids
`^[a-z][a-zA-Z0-9_]*$` and unique, EndTime after StartTime, MaxDatapoints, default 100,800), answered from an index
(moto's own datapoints, put by PutMetricData, and the compact series the simulator publishes, see SeriesStore),
and paged by MaxDatapoints with a NextToken that names its request. Periods start at StartTime rounded down to the
minute; a period without datapoints is absent from the answer (CloudWatch has no zeros for "no data").

Only the JSON wire protocol is read (botocore sends CloudWatch JSON 1.0 when it may choose: `protocols` lists
smithy-rpc-v2-cbor first but botocore prefers json); a CBOR request goes to moto as before.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import threading
from array import array
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from moto.core.models import DEFAULT_ACCOUNT_ID

from ecstui.emulator.wire import AwsRequest, WSGIEnviron, json_answer, json_error

if TYPE_CHECKING:
    from ecstui.emulator.aws_limits import AwsLimitsMiddleware, StartResponse

MAX_QUERIES = 500
DEFAULT_MAX_DATAPOINTS = 100_800
QUERY_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
STATS = ("Average", "Sum", "Minimum", "Maximum", "SampleCount")
CONTENT_TYPE = "application/x-amz-json-1.0"

SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]  # namespace, metric, sorted dimensions


def series_key(namespace: str, metric: str, dimensions: Iterable[tuple[str, str]]) -> SeriesKey:
    return (namespace, metric, tuple(sorted(dimensions)))


class SeriesStore:
    """The simulator's datapoints: per series an array of (epoch seconds, sum, min, max, count), time order.

    Kept on moto's CloudWatch backend (so snapshots and resets carry it) as arrays of doubles: a day of the demo's
    series pickles in milliseconds, where as many moto MetricDatum objects took a tenth of a second to restore."""

    def __init__(self) -> None:
        self.series: dict[SeriesKey, array[float]] = {}

    def put(self, key: SeriesKey, when: datetime, total: float, low: float, high: float, count: float) -> None:
        self.series.setdefault(key, array("d")).extend((when.timestamp(), total, low, high, count))

    def put_value(self, key: SeriesKey, when: datetime, value: float, weight: float = 1.0) -> None:
        """One value; `weight` > 1 for a datapoint that stands for that many minutes' datapoints (history)."""
        self.put(key, when, value * weight, value, value, weight)

    def points(self, key: SeriesKey) -> array[float]:
        return self.series.get(key, array("d"))

    def first(self, key: SeriesKey) -> float | None:
        """The time of a series' oldest datapoint (epoch seconds), None for a series without any."""
        data = self.series.get(key)
        return data[0] if data else None

    def downsample(self, key: SeriesKey, slot_of: Callable[[float], float | None]) -> None:
        """Merge the datapoints of one series into coarser ones, as CloudWatch's retention does: `slot_of(time)`
        is the time of the datapoint a point is merged into (its own to keep it, None to drop it). A merged
        datapoint keeps its sum, minimum, maximum and sample count, so Average, Sum, Minimum and Maximum over
        a period that covers it stay what they were."""
        data = self.series.get(key)
        if data is None:
            return
        merged: dict[float, list[float]] = {}
        for index in range(0, len(data), 5):
            slot = slot_of(data[index])
            if slot is None:
                continue
            total, low, high, count = data[index + 1 : index + 5]
            kept = merged.get(slot)
            if kept is None:
                merged[slot] = [total, low, high, count]
            else:
                kept[0] += total
                kept[1] = min(kept[1], low)
                kept[2] = max(kept[2], high)
                kept[3] += count
        fresh = array("d")
        for slot in sorted(merged):
            fresh.append(slot)
            fresh.extend(merged[slot])
        if fresh:
            self.series[key] = fresh
        else:
            del self.series[key]

    @property
    def datapoints(self) -> int:
        return sum(len(data) // 5 for data in self.series.values())


def cloudwatch_backend(region: str) -> Any:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[str(DEFAULT_ACCOUNT_ID)][region]


def store_of(backend: Any) -> SeriesStore:
    store: SeriesStore | None = getattr(backend, "_ecstui_series", None)
    if store is None:
        store = SeriesStore()
        backend._ecstui_series = store
    return store


_index_lock = threading.Lock()
_moto_index: dict[int, tuple[tuple[int, int], dict[SeriesKey, list[tuple[float, float, float, float, float]]]]] = {}


def _epoch(when: Any) -> float:
    if isinstance(when, datetime):
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    return float(when)


def _moto_points(backend: Any) -> dict[SeriesKey, list[tuple[float, float, float, float, float]]]:
    """moto's own datapoints (PutMetricData) by series, rebuilt when its list changed."""
    data = backend.metric_data
    version = (id(data), len(data))
    with _index_lock:
        cached = _moto_index.get(id(backend))
        if cached is not None and cached[0] == version:
            return cached[1]
        index: dict[SeriesKey, list[tuple[float, float, float, float, float]]] = {}
        for datum in list(data):
            key = series_key(datum.namespace, datum.name, ((d.name, d.value) for d in datum.dimensions))
            when = _epoch(datum.timestamp)
            if hasattr(datum, "value"):
                value = float(datum.value)
                index.setdefault(key, []).append((when, value, value, value, 1.0))
            else:
                index.setdefault(key, []).append(
                    (when, float(datum.sum), float(datum.min), float(datum.max), float(datum.sample_count))
                )
        _moto_index.clear()  # one backend at a time is asked (a reset or restore makes a new one)
        _moto_index[id(backend)] = (version, index)
        return index


def _statistic(stat: str, total: float, low: float, high: float, count: float) -> float:
    if stat == "Sum":
        return total
    if stat == "Minimum":
        return low
    if stat == "Maximum":
        return high
    if stat == "SampleCount":
        return count
    return total / count if count else math.nan


def _series(backend: Any, query: dict[str, Any], start: float, end: float) -> tuple[list[float], list[float]] | str:
    """The query's (timestamps, values) oldest first, or a sentence saying what is wrong with it."""
    stat_spec = query.get("MetricStat")
    if not isinstance(stat_spec, dict):
        return "Only MetricStat queries are supported by the emulator."
    metric = stat_spec.get("Metric") or {}
    stat = str(stat_spec.get("Stat") or "")
    period = stat_spec.get("Period")
    if stat not in STATS:
        return f"The statistic {stat} is not one the emulator computes ({', '.join(STATS)})."
    if not isinstance(period, int) or period <= 0 or (period >= 60 and period % 60) or (period < 60 and 60 % period):
        return f"The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60, not {period}."
    dims = ((str(d.get("Name")), str(d.get("Value"))) for d in metric.get("Dimensions") or [])
    key = series_key(str(metric.get("Namespace")), str(metric.get("MetricName")), dims)
    buckets: dict[int, list[float]] = {}

    def add(when: float, total: float, low: float, high: float, count: float) -> None:
        if not start <= when < end:
            return
        slot = int((when - start) // period)
        kept = buckets.get(slot)
        if kept is None:
            buckets[slot] = [total, low, high, count]
        else:
            kept[0] += total
            kept[1] = min(kept[1], low)
            kept[2] = max(kept[2], high)
            kept[3] += count

    data = store_of(backend).points(key)
    for index in range(0, len(data), 5):
        add(data[index], data[index + 1], data[index + 2], data[index + 3], data[index + 4])
    for point in _moto_points(backend).get(key, ()):
        add(*point)
    slots = sorted(buckets)
    values = [_statistic(stat, *buckets[slot]) for slot in slots]
    return [start + slot * period for slot in slots], values


def _scope(body: dict[str, Any]) -> str:
    wanted = {k: v for k, v in body.items() if k not in ("NextToken",)}
    return hashlib.sha256(json.dumps(wanted, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _token(offset: int, body: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "s": _scope(body)}).encode()).decode()


def _offset(token: str, body: dict[str, Any]) -> int | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError):
        return None
    return offset if data.get("s") == _scope(body) and offset >= 0 else None


def _invalid(log: Callable[[str], None] | None, message: str, code: str = "InvalidParameterValue") -> Any:
    if log is not None:
        log(f"GetMetricData: {message}")
    return json_error(400, code, message)


def answer(body: dict[str, Any], region: str, violation: Callable[[str], None] | None = None) -> Any:
    """(status, headers, payload) of a GetMetricData request."""
    queries = body.get("MetricDataQueries")
    if not isinstance(queries, list) or not queries:
        return _invalid(None, "The parameter MetricDataQueries is required.", "MissingParameter")
    if len(queries) > MAX_QUERIES:
        return _invalid(violation, f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}.")
    ids = [str(q.get("Id")) for q in queries if isinstance(q, dict)]
    bad = next((qid for qid in ids if not QUERY_ID.match(qid)), None)
    if bad is not None or len(ids) != len(queries):
        return _invalid(violation, f"The value {bad} for parameter MetricDataQueries.member.Id is not valid.")
    if len(set(ids)) != len(ids):
        return _invalid(violation, "The values for parameter Id in MetricDataQueries are not unique.")
    try:
        start = math.floor(_epoch(body["StartTime"]) / 60) * 60.0  # rounded down to the minute, as CloudWatch does
        end = _epoch(body["EndTime"])
    except (KeyError, TypeError, ValueError):
        return _invalid(None, "The parameters StartTime and EndTime are required.", "MissingParameter")
    if end <= start:
        return _invalid(violation, "The parameter EndTime must be greater than StartTime.")
    most = body.get("MaxDatapoints", DEFAULT_MAX_DATAPOINTS)
    if not isinstance(most, int) or most < 1:
        return _invalid(violation, f"The value {most} for parameter MaxDatapoints is not valid.")
    offset = 0
    if body.get("NextToken"):
        found = _offset(str(body["NextToken"]), body)
        if found is None:
            return _invalid(violation, "The parameter NextToken is not valid.")
        offset = found
    descending = body.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    backend = cloudwatch_backend(region)
    series: list[tuple[str, str, list[float], list[float]]] = []
    for query in queries:
        found_series = _series(backend, query, start, end)
        if isinstance(found_series, str):
            return _invalid(violation, found_series)
        times, values = found_series
        if descending:
            times.reverse()
            values.reverse()
        stat_spec = query.get("MetricStat") or {}
        label = query.get("Label") or f"{(stat_spec.get('Metric') or {}).get('MetricName')}"
        series.append((str(query["Id"]), str(label), times, values))
    # One page holds `most` datapoints, taken query after query; a query cut off reads PartialData.
    results = []
    position = 0
    budget = most
    for qid, label, times, values in series:
        first = max(0, offset - position)
        take = max(0, min(len(times) - first, budget))
        page_times, page_values = times[first : first + take], values[first : first + take]
        budget -= take
        position += len(times)
        complete = first + take >= len(times)
        if take or complete or first < len(times):
            results.append(
                {
                    "Id": qid,
                    "Label": label,
                    "Timestamps": page_times,
                    "Values": page_values,
                    "StatusCode": "Complete" if complete else "PartialData",
                }
            )
    total = sum(len(times) for _, _, times, _ in series)
    answer_body: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if offset + most < total:
        answer_body["NextToken"] = _token(offset + most, body)
    return json_answer(answer_body, CONTENT_TYPE)


def metrics_limited(
    middleware: AwsLimitsMiddleware, environ: WSGIEnviron, start_response: StartResponse, request: AwsRequest
) -> Iterable[bytes] | None:
    """The answer to a GetMetricData (JSON), or None for every other request."""
    if request.operation != "GetMetricData" or request.json_body is None:
        return None
    scope = str(environ.get("HTTP_AUTHORIZATION", "")).split("Credential=", 1)[-1].split("/")
    region = scope[2] if len(scope) > 3 else "us-east-1"
    with middleware.lock:
        status, headers, payload = answer(request.json_body, region, middleware.log.violation)
    start_response(status, headers)
    return [payload]


__all__ = ["SeriesStore", "answer", "cloudwatch_backend", "metrics_limited", "series_key", "store_of"]
