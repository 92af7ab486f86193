"""The full API object of one resource, re-read with its own describe call, for the raw view (`J`).

Each kind is read with the call whose answer is the resource as AWS holds it (tags included where the call can
add them); the answer is returned as JSON-ready data: timestamps become ISO 8601 strings and the response's
metadata is dropped. A resource that no longer exists reads as None.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ecstui.aws.errors import AwsError
from ecstui.aws.models import short_name
from ecstui.aws.resource_ref import ResourceRef
from ecstui.aws.session import AwsSession

RawObject = dict[str, Any]


def json_ready(value: Any) -> Any:
    """An API answer with every value JSON can write: datetimes as ISO 8601, bytes as base64, Decimals as numbers."""
    if isinstance(value, dict):
        return {str(key): json_ready(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return float(value)
    return value


def _first(answer: Any, key: str) -> RawObject | None:
    items = answer.get(key) or []
    return json_ready(items[0]) if items else None


class RawReader:
    """Reads one resource's whole API object; failures as AwsError."""

    def __init__(self, session: AwsSession) -> None:
        self.session = session

    async def read(self, ref: ResourceRef) -> RawObject | None:
        try:
            return await self._readers()[ref.kind](ref)
        except KeyError:
            raise AwsError(f"ecstui has no raw view of a {ref.kind.replace('-', ' ')}.", kind="invalid") from None
        except AwsError:
            raise
        except Exception as exc:
            error = self.session.error_from(exc)
            if error.kind == "not_found":
                return None
            raise error from exc

    def _readers(self) -> dict[str, Callable[[ResourceRef], Awaitable[RawObject | None]]]:
        return {
            "cluster": self._cluster,
            "service": self._service,
            "task": self._task,
            "task-definition": self._task_definition,
            "task-definition-family": self._task_definition,  # its latest ACTIVE revision
            "container-instance": self._container_instance,
            "target-group": self._target_group,
            "load-balancer": self._load_balancer,
            "log-group": self._log_group,
            "schedule": self._schedule,
            "rule": self._rule,
        }

    async def _cluster(self, ref: ResourceRef) -> RawObject | None:
        ecs = await self.session.ecs()
        answer = await ecs.describe_clusters(
            clusters=[ref.arn or ref.name], include=["ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"]
        )
        return _first(answer, "clusters")

    async def _service(self, ref: ResourceRef) -> RawObject | None:
        ecs = await self.session.ecs()
        answer = await ecs.describe_services(
            cluster=ref.cluster or "", services=[ref.arn or ref.name], include=["TAGS"]
        )
        return _first(answer, "services")

    async def _task(self, ref: ResourceRef) -> RawObject | None:
        ecs = await self.session.ecs()
        answer = await ecs.describe_tasks(cluster=ref.cluster or "", tasks=[ref.arn or ref.name], include=["TAGS"])
        return _first(answer, "tasks")

    async def _task_definition(self, ref: ResourceRef) -> RawObject | None:
        ecs = await self.session.ecs()
        answer = await ecs.describe_task_definition(taskDefinition=ref.arn or ref.name, include=["TAGS"])
        raw: RawObject = json_ready(answer)
        return raw if raw.get("taskDefinition") else None

    async def _container_instance(self, ref: ResourceRef) -> RawObject | None:
        ecs = await self.session.ecs()
        answer = await ecs.describe_container_instances(
            cluster=ref.cluster or "", containerInstances=[ref.arn or ref.name], include=["TAGS"]
        )
        return _first(answer, "containerInstances")

    async def _target_group(self, ref: ResourceRef) -> RawObject | None:
        elbv2 = await self.session.elbv2()
        answer = await elbv2.describe_target_groups(TargetGroupArns=[ref.arn])
        return _first(answer, "TargetGroups")

    async def _load_balancer(self, ref: ResourceRef) -> RawObject | None:
        elbv2 = await self.session.elbv2()
        answer = await elbv2.describe_load_balancers(LoadBalancerArns=[ref.arn])
        return _first(answer, "LoadBalancers")

    async def _log_group(self, ref: ResourceRef) -> RawObject | None:
        logs = await self.session.logs(ref.region or None)
        answer = await logs.describe_log_groups(logGroupNamePrefix=ref.name, limit=50)
        return next((json_ready(g) for g in answer.get("logGroups", []) if g.get("logGroupName") == ref.name), None)

    async def _schedule(self, ref: ResourceRef) -> RawObject | None:
        scheduler = await self.session.scheduler()
        answer = await scheduler.get_schedule(Name=ref.name, GroupName=ref.group or "default")
        raw: RawObject = json_ready(answer)
        return raw

    async def _rule(self, ref: ResourceRef) -> RawObject | None:
        # A rule's ECS task is one of its targets: the raw object is the rule with every target of it.
        events = await self.session.events()
        bus = ref.group or "default"
        name = ref.name or short_name(ref.arn)
        rule: RawObject = json_ready(await events.describe_rule(Name=name, EventBusName=bus))
        targets = await events.list_targets_by_rule(Rule=name, EventBusName=bus, Limit=100)
        rule["Targets"] = json_ready(targets.get("Targets", []))
        return rule
