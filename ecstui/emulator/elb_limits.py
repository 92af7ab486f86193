"""ELBv2's limits, kept in front of moto: Describe* lists paged by Marker with PageSize 1..400, and at most 20 names or
ARNs a call where ELB allows 20.

moto answers DescribeTargetGroups and DescribeListeners whole whatever PageSize says, pages DescribeLoadBalancers
and DescribeRules at 50 by default with no bound on PageSize, and takes any number of ARNs. A reader that forgets
the Marker, or asks for 1,000 a page, works against plain moto and loses load balancers against ELB.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs, urlencode

from ecstui.emulator.wire import AwsRequest, WSGIEnviron, replace_body

if TYPE_CHECKING:
    from ecstui.emulator.aws_limits import AwsLimitsMiddleware, StartResponse

SERVICE: Final = "elasticloadbalancing"
# Operation -> the element of its Result that holds the items (ELB API reference).
ELB_PAGED: Final[dict[str, str]] = {
    "DescribeLoadBalancers": "LoadBalancers",
    "DescribeTargetGroups": "TargetGroups",
    "DescribeListeners": "Listeners",
    "DescribeRules": "Rules",
}
ELB_PAGE_MAX: Final = 400
# (operation, list parameter) -> how many members one call may hold.
ELB_MEMBER_LIMITS: Final[dict[tuple[str, str], int]] = {
    ("DescribeLoadBalancers", "LoadBalancerArns"): 20,
    ("DescribeLoadBalancers", "Names"): 20,
    ("DescribeTags", "ResourceArns"): 20,
}
# What moto is asked for instead of a page: everything (it pages two of these itself, 50 by default).
_WHOLE: Final = "1000000"


def _members(form: dict[str, list[str]], parameter: str) -> int:
    prefix = f"{parameter}.member."
    return sum(1 for key in form if key.startswith(prefix))


def elb_limited(
    layer: AwsLimitsMiddleware, environ: WSGIEnviron, start_response: StartResponse, request: AwsRequest
) -> Iterable[bytes] | None:
    """The answer the limits layer gives an ELBv2 request, or None to hand it to moto as it is."""
    from ecstui.emulator.aws_limits import (
        _local,
        _namespace,
        _without_length_and_type,
        decode_token,
        page_xml_listing,
        xml_error,
    )

    if request.service != SERVICE or not request.body:
        return None
    form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    for (operation, parameter), most in ELB_MEMBER_LIMITS.items():
        if request.operation == operation and (count := _members(form, parameter)) > most:
            layer.log.violation(f"{operation} with {count} {parameter} (at most {most})")
            status, headers, payload = xml_error(
                400,
                "ValidationError",
                f"1 validation error detected: Value at '{parameter[0].lower()}{parameter[1:]}' failed to satisfy "
                f"constraint: Member must have length less than or equal to {most}",
                ec2=False,
            )
            start_response(status, headers)
            return [payload]
    list_element = ELB_PAGED.get(request.operation)
    if list_element is None:
        return None
    sizes = form.pop("PageSize", None)
    markers = form.pop("Marker", None)
    try:
        page_size = int(sizes[0]) if sizes else ELB_PAGE_MAX
    except ValueError:
        page_size = -1
    if not 1 <= page_size <= ELB_PAGE_MAX:
        layer.log.violation(f"{request.operation} with PageSize={sizes[0] if sizes else ''} (1..{ELB_PAGE_MAX})")
        status, headers, payload = xml_error(
            400,
            "ValidationError",
            f"1 validation error detected: Value '{sizes[0] if sizes else ''}' at 'pageSize' failed to satisfy "
            f"constraint: Member must have value between 1 and {ELB_PAGE_MAX}",
            ec2=False,
        )
        start_response(status, headers)
        return [payload]
    scope: dict[str, Any] = {key: sorted(values) for key, values in form.items() if key != "Version"}
    token = None
    if markers and markers[0]:
        token = decode_token(markers[0], scope)
        if token is None:
            status, headers, payload = xml_error(400, "ValidationError", "The marker is not valid.", ec2=False)
            start_response(status, headers)
            return [payload]

    moto_form = dict(form)
    if request.operation in ("DescribeLoadBalancers", "DescribeRules"):
        moto_form["PageSize"] = [_WHOLE]
    replace_body(environ, urlencode(moto_form, doseq=True).encode())
    status, moto_headers, raw = layer._ask_moto(environ)
    if not status.startswith("200"):
        start_response(status, moto_headers)
        return [raw]
    root = ET.fromstring(raw)
    namespace = _namespace(root.tag)

    def tag(name: str) -> str:
        return f"{{{namespace}}}{name}" if namespace else name

    result = next((child for child in root if _local(child.tag).endswith("Result")), None)
    if result is None:
        result = ET.SubElement(root, tag(f"{request.operation}Result"))
    holder = next((child for child in result if _local(child.tag) == list_element), None)
    if holder is None:
        holder = ET.SubElement(result, tag(list_element))
    page_xml_listing(result, holder, "NextMarker", namespace, token, page_size, scope, layer.listings)
    payload = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="utf-8", xml_declaration=False, default_namespace=namespace or None
    )
    headers = _without_length_and_type(moto_headers)
    headers += [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))]
    start_response(status, headers)
    return [payload]


__all__ = ["ELB_MEMBER_LIMITS", "ELB_PAGED", "ELB_PAGE_MAX", "elb_limited"]
