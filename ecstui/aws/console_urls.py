"""The AWS console's address of a resource: pure string work, partition-aware (aws, aws-cn, aws-us-gov).

The console's paths are not an API and AWS changes them now and then; each is kept in one line here, with a
test, so a moved page is one edit.
"""

from __future__ import annotations

from urllib.parse import quote

from ecstui.aws.models import short_name
from ecstui.aws.resource_ref import ResourceRef

# Console host by partition. The commercial console is regional ("us-east-1.console.aws.amazon.com"); China
# and GovCloud have one host each and take the region from the query string.
_HOSTS = {
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}


def console_host(partition: str, region: str) -> str:
    host = _HOSTS.get(partition)
    if host is not None:
        return host
    return f"{region}.console.aws.amazon.com" if region else "console.aws.amazon.com"


def _part(value: str) -> str:
    """One path segment or fragment value, percent-encoded."""
    return quote(value, safe="")


def _console_escape(value: str) -> str:
    # The CloudWatch console's fragment routes encode twice and write "%" as "$25" ("/" becomes "$252F").
    return quote(quote(value, safe=""), safe="").replace("%", "$")


def console_url(ref: ResourceRef) -> str | None:
    """The console page of `ref`; None where ecstui knows of none (or lacks what the address needs)."""
    region = ref.region
    base = f"https://{console_host(ref.partition, region)}"
    query = f"?region={_part(region)}"
    cluster = _part(ref.cluster or "")
    match ref.kind:
        case "cluster":
            return f"{base}/ecs/v2/clusters/{_part(ref.name)}/services{query}"
        case "service" if ref.cluster:
            return f"{base}/ecs/v2/clusters/{cluster}/services/{_part(ref.name)}/health{query}"
        case "task" if ref.cluster:
            return f"{base}/ecs/v2/clusters/{cluster}/tasks/{_part(ref.name)}/configuration{query}"
        case "task-definition":
            family, _, revision = short_name(ref.arn or ref.name).rpartition(":")
            return f"{base}/ecs/v2/task-definitions/{_part(family)}/{_part(revision)}/containers{query}"
        case "task-definition-family":
            return f"{base}/ecs/v2/task-definitions/{_part(ref.name)}{query}"
        case "container-instance" if ref.cluster:
            return (
                f"{base}/ecs/v2/clusters/{cluster}/infrastructure/container-instances/{_part(ref.name)}"
                f"/configuration{query}"
            )
        case "target-group" if ref.arn:
            return f"{base}/ec2/home{query}#TargetGroup:targetGroupArn={_part(ref.arn)}"
        case "load-balancer" if ref.arn:
            return f"{base}/ec2/home{query}#LoadBalancer:loadBalancerArn={_part(ref.arn)}"
        case "log-group":
            return f"{base}/cloudwatch/home{query}#logsV2:log-groups/log-group/{_console_escape(ref.name)}"
        case "schedule":
            return f"{base}/scheduler/home{query}#schedules/{_part(ref.group or 'default')}/{_part(ref.name)}"
        case "rule":
            return f"{base}/events/home{query}#/eventbus/{_part(ref.group or 'default')}/rules/{_part(ref.name)}"
    return None
