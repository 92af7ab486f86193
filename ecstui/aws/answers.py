"""What each answer ecstui reads must hold: an answer without it is an error ("malformed"), never an empty list.

botocore reads a 200 whose JSON body cannot be parsed as `{"message": body}`, which the operation's shape then
drops, and a member that is missing simply is not there: without this check both read as "nothing there"
(`Services [0]`, a triage with nothing broken). The query protocol (ELBv2) raises ResponseParserError for bad XML,
and a body cut short by a closed connection surfaces as ConnectionClosedError after botocore's retries. The
session registers `check_answer` on every client's "after-call" and `name_unreadable_answer` on "after-call-error",
so every call of every client, paginators included, is checked in this one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import aiohttp
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from botocore.parsers import ResponseParserError

from ecstui.aws.errors import REFRESH_RETRIES, AwsError

# The code of the AwsError for a request that was sent and not answered in time.
NO_ANSWER: Final = "NoAnswer"

# (botocore service name, operation) -> the top-level members its answer always has, even when empty.
# Every read the app makes, and the answers of mutations whose result it reads.
EXPECTED_MEMBERS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "ecs": {
        "ListClusters": ("clusterArns",),
        "DescribeClusters": ("clusters",),
        "ListServices": ("serviceArns",),
        "DescribeServices": ("services",),
        "ListTasks": ("taskArns",),
        "DescribeTasks": ("tasks",),
        "DescribeTaskDefinition": ("taskDefinition",),
        "ListTaskDefinitions": ("taskDefinitionArns",),
        "ListTaskDefinitionFamilies": ("families",),
        "ListContainerInstances": ("containerInstanceArns",),
        "DescribeContainerInstances": ("containerInstances",),
        "CreateService": ("service",),
        "UpdateService": ("service",),
        "DeleteService": ("service",),
        "StopTask": ("task",),
        "RunTask": ("tasks",),
        "RegisterTaskDefinition": ("taskDefinition",),
        "DeregisterTaskDefinition": ("taskDefinition",),
        "DeleteTaskDefinitions": ("taskDefinitions",),
        "CreateCluster": ("cluster",),
        "DeleteCluster": ("cluster",),
        "UpdateContainerInstancesState": ("containerInstances",),
    },
    "elbv2": {
        "DescribeTargetGroups": ("TargetGroups",),
        "DescribeLoadBalancers": ("LoadBalancers",),
        "DescribeListeners": ("Listeners",),
        "DescribeRules": ("Rules",),
        "DescribeTargetHealth": ("TargetHealthDescriptions",),
    },
    "ec2": {
        "DescribeVpcs": ("Vpcs",),
        "DescribeSubnets": ("Subnets",),
        "DescribeRouteTables": ("RouteTables",),
        "DescribeSecurityGroups": ("SecurityGroups",),
    },
    "iam": {
        "ListRoles": ("Roles",),
        "ListAttachedRolePolicies": ("AttachedPolicies",),
        "GetRole": ("Role",),
        "CreateRole": ("Role",),
    },
    "autoscaling": {
        "DescribeAutoScalingGroups": ("AutoScalingGroups",),
    },
}

SERVICE_NAMES: Final[Mapping[str, str]] = {
    "ecs": "ECS",
    "elbv2": "Elastic Load Balancing",
    "logs": "CloudWatch Logs",
    "cloudwatch": "CloudWatch",
    "ec2": "EC2",
    "iam": "IAM",
    "autoscaling": "Auto Scaling",
}


# botocore's hyphenated service ids (as in event names) -> its service names.
_SERVICE_IDS: Final[Mapping[str, str]] = {
    "ecs": "ecs",
    "elastic-load-balancing-v2": "elbv2",
    "cloudwatch-logs": "logs",
    "cloudwatch": "cloudwatch",
    "ec2": "ec2",
    "iam": "iam",
    "auto-scaling": "autoscaling",
}


def unreadable(service: str, operation: str, why: str) -> AwsError:
    """The error of an answer that could not be read: kind "malformed", said in one sentence."""
    who = SERVICE_NAMES.get(service, service or "AWS")
    return AwsError(
        f"{who} returned an answer ecstui could not read ({operation}: {why}).",
        kind="malformed",
        code="MalformedAnswer",
        operation=operation,
    )


def _snippet(body: bytes) -> str:
    text = body[:40].decode("utf-8", "replace")
    return repr(text + ("…" if len(body) > 40 else ""))


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


_PYTHON_TYPES: Final[Mapping[str, type | tuple[type, ...]]] = {
    "structure": Mapping,
    "list": list,
    "string": str,
    "integer": int,
    "long": int,
    "boolean": bool,
}


def _fits(value: Any, shape: Any) -> bool:
    """Whether a parsed member is of its shape's type, and so are its items (one level: cheap, even for 100 tasks).

    botocore copies JSON values into a string or structure member as they came: `[1, {"a": 2}]` for a list of
    ARNs, which the readers would quietly skip as "nothing there".
    """
    if shape is None:
        return True
    expected = _PYTHON_TYPES.get(shape.type_name)
    if expected is not None and not isinstance(value, expected):
        return False
    if shape.type_name == "list":
        item = _PYTHON_TYPES.get(shape.member.type_name)
        return item is None or all(isinstance(element, item) for element in value)
    return True


async def check_answer(http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any) -> None:
    """after-call: raise AwsError(kind="malformed") when a successful answer lacks a member it always has, or
    holds it in another shape than the operation's (see _fits)."""
    if model is None or http_response is None or getattr(http_response, "status_code", 500) >= 300:
        return
    service = str(model.service_model.service_name)
    operation = str(model.name)
    expected = EXPECTED_MEMBERS.get(service, {}).get(operation)
    if not expected:
        return
    missing = [member for member in expected if not isinstance(parsed, Mapping) or member not in parsed]
    if not missing:
        members = model.output_shape.members
        wrong = [member for member in expected if not _fits(parsed[member], members.get(member))]
        if wrong:
            raise unreadable(service, operation, ", ".join(repr(m) for m in wrong) + " not in the shape expected")
        return
    # Only now, on the rare bad answer, look at the body again: was it JSON at all?
    body = await http_response.content
    protocol = model.service_model.resolved_protocol
    if protocol.startswith("json") and body.strip() and not _is_json(body):
        raise unreadable(service, operation, f"not JSON: {_snippet(body)}")
    if not body.strip():
        raise unreadable(service, operation, "an empty answer")
    raise unreadable(service, operation, "no " + ", ".join(repr(m) for m in missing))


def name_unreadable_answer(
    event_name: str = "", exception: Any = None, *, read_timeout: float | None = None, **_: Any
) -> None:
    """after-call-error: an answer that could not be parsed, or was cut short, becomes AwsError(kind="malformed");
    a request that was sent and never answered (read timeout) an AwsError with code NO_ANSWER.

    Raising here replaces botocore's exception (after its retries), so the operation is named in the sentence.
    """
    if exception is None:
        return
    # "after-call-error.elastic-load-balancing-v2.DescribeTargetGroups"
    _event, service_id, operation_name = [*event_name.split(".", 2), "", ""][:3]
    service = _SERVICE_IDS.get(service_id, service_id)
    if isinstance(exception, ResponseParserError):
        what = "XML" if "XML" in str(exception) else "in the format expected"
        raise unreadable(service, operation_name, f"not valid {what}") from exception
    if isinstance(exception, ConnectionClosedError) and isinstance(
        exception.kwargs.get("error"), aiohttp.ClientPayloadError
    ):
        raise unreadable(service, operation_name, "the answer was cut short") from exception
    if isinstance(exception, AttributeError | TypeError | KeyError | ValueError):
        # botocore's parsers fail like this on a body of the wrong shape (`[1, 2]`, `null` for a JSON object).
        raise unreadable(service, operation_name, "not in the shape expected") from exception
    if isinstance(exception, ReadTimeoutError):
        who = SERVICE_NAMES.get(service, service or "AWS")
        each = f" (each of botocore's tries waited {read_timeout:g} s)" if read_timeout else ""
        raise AwsError(
            f"{who} did not answer {operation_name} in time{each}{REFRESH_RETRIES}",
            kind="unreachable",
            code=NO_ANSWER,
            operation=operation_name,
        ) from exception


__all__ = ["EXPECTED_MEMBERS", "NO_ANSWER", "check_answer", "name_unreadable_answer", "unreadable"]
