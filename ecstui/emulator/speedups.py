"""Faster equivalents of moto code paths whose cost grows with the size of the account or of the response.

The emulator's own time pollutes any benchmark that injects AWS-like latency, and tests pay it on every call.
Each patch here answers exactly what the code it replaces answers (tests/emulator/test_speedups.py runs both on
the same state and compares); only the work done to find the answer changes. Applied once per process by
`apply_speedups()`, before any request.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.core import responses as core_responses
from moto.core import serialize as core_serialize
from moto.core.base_backend import BackendDict, BaseBackend, backend_lock
from moto.core.constants import MISSING
from moto.core.model_instances import reset_model_data
from moto.core.utils import get_value as moto_get_value
from moto.ecs import models as ecs_models
from moto.ecs.exceptions import InvalidParameterException
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.utilities.aws_headers import gen_amzn_requestid_long

_applied = False
_MEMO_LIMIT = 50_000

# --- moto's response serializer ----------------------------------------------------------------------------

_original_possible_keys = core_serialize.XFormedAttributePicker.get_possible_keys
_original_get_value = core_serialize.ResponseSerializer.get_value
_possible_keys_memo: dict[tuple[Any, ...], tuple[str, ...]] = {}
_transform_memo: dict[tuple[tuple[str, ...], str], str | None] = {}


def _memo_key(picker: Any, obj: Any, key: str, shape: Any) -> tuple[Any, ...]:
    # Which names an attribute may go by depends only on these (see _possible_keys); TypeError if unhashable.
    memo_key = (
        tuple(picker.alias_providers),
        type(obj),
        getattr(obj, "Meta", None),
        key,
        shape,
        getattr(shape, "parent", None),
    )
    return memo_key


def _possible_keys(self: Any, context: Any) -> Iterable[str]:
    # For every attribute of every object it serialises, moto works out which names the attribute may go by
    # (aliases from the class name, the shape's name and parent, botocore's snake_case...): most of the time
    # of a DescribeServices. The answer depends only on the alias providers, the object's class (and its Meta),
    # the key, the shape and the shape's parent, so it is worked out once per combination. The shapes come
    # from botocore's cached service models and the memo's keys keep them alive, so identity is stable.
    memo_key = _memo_key(self, context.obj, context.key, context.shape)
    try:
        keys = _possible_keys_memo.get(memo_key)
    except TypeError:  # something unhashable: no memo
        return tuple(_original_possible_keys(self, context))
    if keys is None:
        keys = tuple(_original_possible_keys(self, context))
        if len(_possible_keys_memo) < _MEMO_LIMIT:
            _possible_keys_memo[memo_key] = keys
    return keys


def _transform_path(paths: tuple[str, ...], key_path: str) -> str | None:
    # AttributePicker applies the first transformer (in the dict's order) whose path ends the attribute's key
    # path. Which path that is depends on the paths alone; the function under it is read afresh each time,
    # since moto rewrites them per request (include=["TAGS"] swaps the one for tags).
    memo_key = (paths, key_path)
    try:
        return _transform_memo[memo_key]
    except KeyError:
        pass
    found = next((path for path in paths if key_path.endswith(path)), None)
    if len(_transform_memo) < _MEMO_LIMIT:
        _transform_memo[memo_key] = found
    return found


def _serializer_get_value(self: Any, value: Any, key: str, shape: Any) -> Any:
    # ResponseSerializer.get_value + XFormedAttributePicker.__call__, without building a context object and a
    # generator per attribute: the same names tried in the same order, the same transformer applied.
    picker = self._value_picker
    if type(picker) is not core_serialize.XFormedAttributePicker:
        return _original_get_value(self, value, key, shape)
    memo_key = _memo_key(picker, value, key, shape)
    try:
        keys = _possible_keys_memo.get(memo_key)
    except TypeError:  # something unhashable: no memo
        return _original_get_value(self, value, key, shape)
    if keys is None:
        context = core_serialize.AttributePickerContext(
            obj=value,
            key=key,
            shape=shape,
            operation_model=self.operation_model,
            service_model=self.operation_model.service_model,
            key_path=".".join(self.path),
        )
        keys = tuple(_original_possible_keys(picker, context))
        if len(_possible_keys_memo) < _MEMO_LIMIT:
            _possible_keys_memo[memo_key] = keys
    indexable = hasattr(value, "__getitem__")
    for possible_key in keys:
        # moto.core.utils.get_value(value, possible_key, MISSING), inlined.
        if "." in possible_key:
            found = moto_get_value(value, possible_key, MISSING)
        elif indexable:
            try:
                found = value[possible_key]
            except (KeyError, IndexError, TypeError, AttributeError):
                found = MISSING
        else:
            found = getattr(value, possible_key, MISSING)
        if found is not MISSING:
            break
    else:
        found = None
    transformers = picker.response_transformers
    if transformers:
        path = _transform_path(tuple(transformers), f"{'.'.join(self.path)}.{key}")
        if path is not None:
            found = transformers[path](found)
    return found


_original_json_list = core_serialize.BaseJSONSerializer._serialize_type_list


def _serialize_json_list(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
    # A list of plain strings (every ARN listing) serialises item by item through moto's generic machinery,
    # and each item comes out as itself: str() of a str, under its own key or, failing that, the item as given.
    # So such a list is copied as it is; anything else (enums, structures, numbers) goes the generic way.
    member = shape.member
    if getattr(member, "type_name", None) == "string" and all(type(item) is str for item in value):
        self._default_serialize(serialized, list(value), shape, key)
        return
    _original_json_list(self, serialized, value, shape, key)


_original_enrich_response = core_responses.BaseResponse._enrich_response


def _enrich_response(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
    # moto stamps the request id into XML bodies with a regular expression that it runs over every body, JSON
    # included; over a listing of 5,000 ARNs that search costs more than building the listing. A body without
    # the tag is left as the substitution would leave it, and the request id is drawn as before (it comes from
    # moto's seeded random stream, so skipping it would change every id made after).
    if isinstance(body, str) and "<RequestId>" not in body:
        if "status" in headers:
            headers["status"] = str(headers["status"])
        gen_amzn_requestid_long(headers)
        return headers, body
    return _original_enrich_response(headers, body)


# --- moto's request dispatcher -----------------------------------------------------------------------------

_original_method_names = core_responses.method_names_from_class  # type: ignore[attr-defined]


class _FunctionNames:
    """What `name in method_names_from_class(cls)` answers, without listing every member of the class.

    moto lists the plain functions of the response class (inspect.getmembers over dir(): hundreds of names) on
    every request, only to test whether the action is one of them. getmembers keeps a name whose
    getattr(cls, name) is a function, so that is the test.
    """

    def __init__(self, clazz: object) -> None:
        self.clazz = clazz

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and inspect.isfunction(getattr(self.clazz, name, None))


def _method_names(clazz: object) -> Any:
    return _FunctionNames(clazz)


class FastDispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend each Host header maps to.

    moto answers that question afresh on every request by listing its package directory and testing each
    entry with a stat (some 180 system calls a request); the answer depends on the host alone.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._backend_for_host: dict[str | None, Any] = {}
        self._memo_lock = threading.Lock()

    def get_backend_for_host(self, host: str | None) -> Any:
        with self._memo_lock:
            if host in self._backend_for_host:
                return self._backend_for_host[host]
        backend = super().get_backend_for_host(host)
        with self._memo_lock:
            if len(self._backend_for_host) < 1024:
                self._backend_for_host[host] = backend
        return backend


# --- ECS backend -------------------------------------------------------------------------------------------


def memo_arn(obj: Any, attribute: str, long_format: bool) -> str:
    """`obj.<attribute>` (a task's task_arn, a service's arn), remembered per ARN format.

    moto builds an ECS ARN anew on every read, looking the long-ARN account setting and an environment
    variable up each time: most of the cost of listing thousands of them. The ARN depends on that format and
    on what never changes after creation (partition, region, account, cluster, name or id), so a listing asks
    the backend for the format once and each object keeps its ARN for that format.
    """
    memo: tuple[str, bool, str] | None = obj.__dict__.get("_ecstui_arn")
    if memo is not None and memo[0] == attribute and memo[1] is long_format:
        return memo[2]
    arn = str(getattr(obj, attribute))
    obj._ecstui_arn = (attribute, long_format, arn)
    return arn


_original_list_services = ecs_models.EC2ContainerServiceBackend.list_services


def _list_services(
    self: Any, cluster_str: str, scheduling_strategy: str | None = None, launch_type: str | None = None
) -> list[str]:
    # moto's list_services, line for line, with the ARN format looked up once for the whole listing.
    cluster = self._get_cluster(cluster_str)
    long_format = bool(self.enable_long_arn_for_name(name="serviceLongArnFormat"))
    service_arns = []
    for key, service in self.services.items():
        if cluster.name + ":" not in key:
            continue
        if scheduling_strategy is not None and service.scheduling_strategy != scheduling_strategy:
            continue
        if launch_type is not None and service.launch_type != launch_type:
            continue
        service_arns.append(memo_arn(service, "arn", long_format))
    return sorted(service_arns)


_original_get_service = ecs_models.EC2ContainerServiceBackend._get_service
_original_describe_tasks = ecs_models.EC2ContainerServiceBackend.describe_tasks


def _get_service(self: Any, cluster_str: str, service_str: str) -> Any:
    # moto scans every service of the region and builds each one's ARN to find one by name: O(services) for
    # every UpdateService, and O(services^2) to seed a large cluster. Services are keyed "<cluster>:<name>",
    # so the one asked for is looked up, checked the way moto checks it, and the scan is only the fallback
    # (so a miss still raises what moto raises).
    cluster = self._get_cluster(cluster_str)
    service = self.services.get(f"{cluster.name}:{service_str.split('/')[-1]}")
    if (
        service is not None
        and service.cluster_name == cluster.name
        and (service.name == service_str or service.arn == service_str)
    ):
        return service
    return _original_get_service(self, cluster_str, service_str)


def _describe_tasks(self: Any, cluster_str: str, tasks: list[str]) -> list[Any]:
    # moto's DescribeTasks tests every task of every cluster against every requested string (is the task id a
    # substring of it?): 500,000 substring tests for 100 tasks out of 5,000. The same test, made once per task
    # with a set: the substrings of the requested strings that are as long as the task id. Matches come back
    # in moto's order (every cluster's tasks in creation order), each advanced as moto advances it.
    self._get_cluster(cluster_str)
    if not tasks:
        raise InvalidParameterException("Tasks cannot be empty.")
    requested = [str(item) for item in tasks]
    windows: dict[int, set[str]] = {}

    def substrings(length: int) -> set[str]:
        found = windows.get(length)
        if found is None:
            found = {text[i : i + length] for text in requested for i in range(len(text) - length + 1)}
            windows[length] = found
        return found

    response = []
    for cluster_tasks in self.tasks.values():
        for task_arn, task in cluster_tasks.items():
            task_id = task_arn.split("/")[-1]
            # moto: task_arn in tasks, or task.task_arn in tasks, or the id is a substring of a requested
            # string. Either ARN ends with the id, so the third test implies the first two.
            if task_id in substrings(len(task_id)):
                task.advance()
                response.append(task)
    return response


def reset_backends() -> None:
    """moto's /moto-api/reset, without first re-initialising every backend it then throws away.

    moto resets each backend in use (running its __init__ again: the EC2 default VPC and images, IAM's managed
    policies in every partition...) and then drops them all, so the next request builds new ones: about 0.1 s a
    reset, paid by every test. Here they are only dropped; a backend class with its own reset (S3 closes files,
    Batch stops threads) still gets it. The caller holds the emulator's lock.
    """
    with backend_lock:
        for backend_dict in BackendDict._instances:  # type: ignore[misc]
            for per_account in dict.values(backend_dict):
                for backend in dict.values(per_account):
                    if type(backend).reset is not BaseBackend.reset:
                        backend.reset()
            backend_dict.clear()
        BackendDict._instances.clear()  # type: ignore[misc]
    reset_model_data()
    moto_api_backend.__init__(moto_api_backend.region_name, moto_api_backend.account_id)  # type: ignore[misc]


def _patches() -> list[tuple[Any, str, Any, Any]]:
    """(owner, attribute, moto's original, the faster equivalent) for every patch."""
    return [
        (core_serialize.XFormedAttributePicker, "get_possible_keys", _original_possible_keys, _possible_keys),
        (core_serialize.ResponseSerializer, "get_value", _original_get_value, _serializer_get_value),
        (core_serialize.BaseJSONSerializer, "_serialize_type_list", _original_json_list, _serialize_json_list),
        (core_responses, "method_names_from_class", _original_method_names, _method_names),
        (
            core_responses.BaseResponse,
            "_enrich_response",
            staticmethod(_original_enrich_response),
            staticmethod(_enrich_response),
        ),
        (ecs_models.EC2ContainerServiceBackend, "_get_service", _original_get_service, _get_service),
        (ecs_models.EC2ContainerServiceBackend, "describe_tasks", _original_describe_tasks, _describe_tasks),
        (ecs_models.EC2ContainerServiceBackend, "list_services", _original_list_services, _list_services),
    ]


def apply_speedups() -> None:
    global _applied
    if _applied:
        return
    for owner, name, _original, faster in _patches():
        setattr(owner, name, faster)
    _applied = True


@contextmanager
def disabled() -> Iterator[None]:
    """moto's own code paths for the duration (tests compare the answers of both on the same state)."""
    global _applied
    was_applied = _applied
    for owner, name, original, _faster in _patches():
        setattr(owner, name, original)
    _applied = False
    try:
        yield
    finally:
        if was_applied:
            apply_speedups()
