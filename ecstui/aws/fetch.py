"""EcsReader: every read of ECS the UI needs, paged and batched within AWS's limits, failures as AwsError.

Cost of each read, in requests (n = items; lists page at their API maximum, describes batch at theirs):
- clusters():                   ceil(n/100) ListClusters + ceil(n/100) DescribeClusters
- services(cluster):            ceil(n/100) ListServices + ceil(n/10) DescribeServices
- tasks(cluster, service):      ceil(n/100) ListTasks    + ceil(n/100) DescribeTasks
- container_instances(cluster): ceil(n/100) ListContainerInstances + ceil(n/100) DescribeContainerInstances
- task_definition(x):           one DescribeTaskDefinition per revision per reader (cached; see task_definition_cache)
Describes run concurrently; at most `concurrency` requests are in flight per reader, whichever method sent them.

For very large clusters (thousands of services) the UI need not wait for `services()`: `service_arns()` costs
ceil(n/100) calls and gives every name at once (sorted), then `describe_services(cluster, names_on_screen)` or
`stream_services(cluster, names)` describes what is visible first, ten to a call.

A cluster that does not exist: getters of one thing (`service`, `task`) return None; listers of a cluster's
contents raise AwsError(kind="not_found", code="ClusterNotFoundException"), because an empty list would say
"this cluster is empty" when it is gone. A service that does not exist has no tasks: `tasks()` returns [].
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from botocore.exceptions import ClientError

from ecstui.aws.batching import (
    DESCRIBE_CLUSTERS_BATCH,
    DESCRIBE_CONTAINER_INSTANCES_BATCH,
    DESCRIBE_SERVICES_BATCH,
    DESCRIBE_TASKS_BATCH,
    LIST_CLUSTERS_PAGE,
    LIST_CONTAINER_INSTANCES_PAGE,
    LIST_SERVICES_PAGE,
    LIST_TASK_DEFINITION_FAMILIES_PAGE,
    LIST_TASK_DEFINITIONS_PAGE,
    LIST_TASKS_PAGE,
    all_pages,
    batches,
    run_all,
    unique,
)
from ecstui.aws.errors import AwsError
from ecstui.aws.models import (
    Cluster,
    ContainerInstance,
    Service,
    Task,
    TaskDefinition,
    TaskDefinitionFamily,
    short_name,
)
from ecstui.aws.parse import (
    cluster_from_api,
    container_instance_from_api,
    service_from_api,
    task_definition_from_api,
    task_from_api,
)
from ecstui.aws.read_errors import reads_aws as _reads_aws
from ecstui.aws.session import AwsSession
from ecstui.aws.task_definition_cache import TaskDefinitionCache, family_of, revision_key

if TYPE_CHECKING:
    from types_aiobotocore_ecs import ECSClient
    from types_aiobotocore_ecs.literals import (
        DesiredStatusType,
        TaskDefinitionFamilyStatusType,
        TaskDefinitionStatusType,
    )
    from types_aiobotocore_ecs.type_defs import (
        DescribeServicesResponseTypeDef,
        FailureTypeDef,
        ListClustersRequestTypeDef,
        ListContainerInstancesRequestTypeDef,
        ListServicesRequestTypeDef,
        ListTaskDefinitionFamiliesRequestTypeDef,
        ListTaskDefinitionsRequestTypeDef,
        ListTasksRequestTypeDef,
    )

log = logging.getLogger(__name__)
# The most values one EC2 filter takes (DescribeNetworkInterfaces, for the public IPs of task ENIs).
DESCRIBE_NETWORK_INTERFACES_FILTER = 200
# How many ENIs' public IPs a reader remembers (5,000 tasks on screen fit four times over).
PUBLIC_IPS_KEPT = 20_000

P = ParamSpec("P")
R = TypeVar("R")

DESIRED_STATUSES = ("RUNNING", "PENDING", "STOPPED")
TASK_DEFINITION_STATUSES = ("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS")
TASK_DEFINITION_FAMILY_STATUSES = ("ACTIVE", "INACTIVE", "ALL")


def _error_code(exc: BaseException) -> str | None:
    if isinstance(exc, AwsError):
        return exc.code
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "") or None
    return None


@contextmanager
def _cluster_must_exist(cluster: str) -> Iterator[None]:
    # ECS says only "Cluster not found."; the operator needs to know which one, and that it may be gone.
    try:
        yield
    except (ClientError, AwsError) as exc:
        if _error_code(exc) != "ClusterNotFoundException":
            raise
        operation = exc.operation if isinstance(exc, AwsError) else exc.operation_name
        raise AwsError(
            f"Cluster {short_name(cluster)!r} was not found: it may have been deleted, or it is in another region.",
            kind="not_found",
            code="ClusterNotFoundException",
            operation=operation,
        ) from exc


def _note_failures(operation: str, failures: Sequence[FailureTypeDef] | None) -> None:
    # MISSING is the normal answer for something deleted between list and describe; anything else is worth a log
    # line, but one bad item must not cost the operator the whole list.
    for failure in failures or ():
        if failure.get("reason") != "MISSING":
            log.warning(
                "%s failure for %s: %s %s",
                operation,
                failure.get("arn"),
                failure.get("reason"),
                failure.get("detail", ""),
            )


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise AwsError(f"{what} must be one of {', '.join(allowed)}, not {value!r}.", kind="invalid")


class EcsReader:
    """Reads ECS for one session. Share one reader: its semaphore and task-definition cache are per reader."""

    def __init__(self, session: AwsSession, *, concurrency: int = 8) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.session = session
        self.concurrency = concurrency
        self._in_flight = asyncio.Semaphore(concurrency)
        self.task_definition_cache = TaskDefinitionCache()
        # ENI -> its public IP ("" for none), for the ENIs of running tasks: ECS assigns a task's public IP when it
        # attaches the ENI and it stays until the task stops, so a refresh asks EC2 only about ENIs it has not seen.
        self._public_ips: dict[str, str] = {}

    async def _call(self, request: Callable[[], Awaitable[R]]) -> R:
        """Send one request, waiting for a free slot first. The request is built only once the slot is ours."""
        async with self._in_flight:
            return await request()

    async def _ecs(self) -> ECSClient:
        return await self.session.ecs()

    def _error(self, exc: BaseException) -> AwsError:
        return self.session.error_from(exc)

    # --- clusters -----------------------------------------------------------------------------------------------

    @_reads_aws
    async def cluster_arns(self) -> list[str]:
        ecs = await self._ecs()

        async def page(token: str | None) -> Any:
            request: ListClustersRequestTypeDef = {"maxResults": LIST_CLUSTERS_PAGE}
            if token:
                request["nextToken"] = token
            return await self._call(lambda: ecs.list_clusters(**request))

        return unique(await all_pages(page, "clusterArns"))

    @_reads_aws
    async def clusters(self) -> list[Cluster]:
        """Every cluster of the region, with statistics and settings (Container Insights), sorted by name."""
        ecs = await self._ecs()
        arns = await self.cluster_arns()

        async def describe(batch: Sequence[str]) -> list[Cluster]:
            response = await self._call(
                lambda: ecs.describe_clusters(clusters=list(batch), include=["STATISTICS", "SETTINGS", "TAGS"])
            )
            _note_failures("DescribeClusters", response.get("failures"))
            return [cluster_from_api(item) for item in response.get("clusters", [])]

        described = await run_all(describe(batch) for batch in batches(arns, DESCRIBE_CLUSTERS_BATCH))
        return sorted((cluster for batch in described for cluster in batch), key=lambda c: c.name)

    # --- services -----------------------------------------------------------------------------------------------

    @_reads_aws
    async def service_arns(self, cluster: str, on_first_page: Callable[[list[str]], object] | None = None) -> list[str]:
        """Every service ARN of the cluster, sorted by service name: the cheap first step for big clusters.

        `on_first_page` is given the first page's ARNs (sorted by name) as soon as it arrives, if pages follow it,
        while they are read: a caller can describe and show those rows meanwhile (each page waits for the last)."""
        ecs = await self._ecs()

        async def page(token: str | None) -> Any:
            request: ListServicesRequestTypeDef = {"cluster": cluster, "maxResults": LIST_SERVICES_PAGE}
            if token:
                request["nextToken"] = token
            answer = await self._call(lambda: ecs.list_services(**request))
            if token is None and on_first_page is not None and answer.get("nextToken"):
                on_first_page(sorted(unique(str(arn) for arn in answer.get("serviceArns") or []), key=short_name))
            return answer

        with _cluster_must_exist(cluster):
            arns = unique(await all_pages(page, "serviceArns"))
        return sorted(arns, key=short_name)

    @_reads_aws
    async def active_services_count(self, cluster: str) -> int | None:
        """The cluster's activeServicesCount (one DescribeClusters): what a listing will count, before it ends."""
        ecs = await self._ecs()
        response = await self._call(lambda: ecs.describe_clusters(clusters=[cluster]))
        found = [cluster_from_api(item) for item in response.get("clusters", [])]
        return found[0].active_services if found else None

    async def _describe_service_batch(self, ecs: ECSClient, cluster: str, batch: Sequence[str]) -> list[Service]:
        response: DescribeServicesResponseTypeDef = await self._call(
            lambda: ecs.describe_services(cluster=cluster, services=list(batch))
        )
        _note_failures("DescribeServices", response.get("failures"))
        return [service_from_api(item) for item in response.get("services", [])]

    @_reads_aws
    async def describe_services(self, cluster: str, names: Sequence[str]) -> list[Service]:
        """The named services (names or ARNs), ten a call, concurrently; in the order asked, missing ones left out."""
        wanted = unique(names)
        if not wanted:
            return []
        ecs = await self._ecs()
        with _cluster_must_exist(cluster):
            described = await run_all(
                self._describe_service_batch(ecs, cluster, batch) for batch in batches(wanted, DESCRIBE_SERVICES_BATCH)
            )
        return [service for batch in described for service in batch]

    async def stream_services(self, cluster: str, names: Sequence[str]) -> AsyncIterator[list[Service]]:
        """Describe the named services and yield each batch of (up to) ten as soon as it arrives.

        Batches are sent in the order of `names` (put what is on screen first), at most `concurrency` at a
        time, and yielded in the order they complete. Stopping early cancels what has not been sent.
        """
        wanted = unique(names)
        if not wanted:
            return
        try:
            ecs = await self._ecs()
        except Exception as exc:
            raise self._error(exc) from exc
        pending = [
            asyncio.ensure_future(self._describe_service_batch(ecs, cluster, batch))
            for batch in batches(wanted, DESCRIBE_SERVICES_BATCH)
        ]
        try:
            for next_batch in asyncio.as_completed(pending):
                try:
                    with _cluster_must_exist(cluster):
                        batch_services = await next_batch
                except Exception as exc:
                    raise self._error(exc) from exc
                yield batch_services
        finally:
            for future in pending:
                future.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    @_reads_aws
    async def services(self, cluster: str) -> list[Service]:
        """Every service of the cluster, described, sorted by name.

        INACTIVE (deleted) services are left out: ECS stops listing them, but some endpoints (moto) still do.
        """
        described = await self.describe_services(cluster, await self.service_arns(cluster))
        return sorted((s for s in described if s.status != "INACTIVE"), key=lambda s: s.name)

    @_reads_aws
    async def service(self, cluster: str, name: str) -> Service | None:
        """One service (name or ARN), or None when it or its cluster does not exist."""
        try:
            found = await self.describe_services(cluster, [name])
        except AwsError as exc:
            if exc.code == "ClusterNotFoundException":
                return None
            raise
        return found[0] if found else None

    # --- tasks --------------------------------------------------------------------------------------------------

    @_reads_aws
    async def task_arns(self, cluster: str, service: str | None = None, desired_status: str = "RUNNING") -> list[str]:
        """Task ARNs of the cluster (of one service when given) with that desired status; [] for no such service."""
        _check(desired_status, DESIRED_STATUSES, "desired_status")
        ecs = await self._ecs()

        async def page(token: str | None) -> Any:
            request: ListTasksRequestTypeDef = {
                "cluster": cluster,
                "desiredStatus": cast("DesiredStatusType", desired_status),
                "maxResults": LIST_TASKS_PAGE,
            }
            if service:
                request["serviceName"] = short_name(service)
            if token:
                request["nextToken"] = token
            return await self._call(lambda: ecs.list_tasks(**request))

        try:
            with _cluster_must_exist(cluster):
                return unique(await all_pages(page, "taskArns"))
        except (ClientError, AwsError) as exc:
            if service and _error_code(exc) == "ServiceNotFoundException":
                return []
            raise

    @_reads_aws
    async def describe_tasks(self, cluster: str, arns: Sequence[str]) -> list[Task]:
        """The given tasks, a hundred to a call, concurrently; in the order asked, missing ones left out."""
        wanted = unique(arns)
        if not wanted:
            return []
        ecs = await self._ecs()

        async def describe(batch: Sequence[str]) -> list[Task]:
            response = await self._call(lambda: ecs.describe_tasks(cluster=cluster, tasks=list(batch)))
            _note_failures("DescribeTasks", response.get("failures"))
            return [task_from_api(item) for item in response.get("tasks", [])]

        with _cluster_must_exist(cluster):
            described = await run_all(describe(batch) for batch in batches(wanted, DESCRIBE_TASKS_BATCH))
        return await self._with_public_ips([task for batch in described for task in batch])

    async def _with_public_ips(self, tasks: list[Task]) -> list[Task]:
        """The tasks with the public IPs of their ENIs: DescribeTasks never reports one, the ENI holds it.

        One DescribeNetworkInterfaces per 200 ENIs (the most values an EC2 filter takes; a filter, unlike
        NetworkInterfaceIds, leaves out an ENI deleted meanwhile instead of failing the call). The public IP is an
        extra: without ec2:DescribeNetworkInterfaces, or when EC2 fails, the tasks are shown without it.
        """
        wanted = unique(t.eni_id for t in tasks if t.eni_id and t.public_ip is None and t.last_status != "STOPPED")
        enis = [eni for eni in wanted if eni not in self._public_ips]
        if not enis:
            return self._add_public_ips(tasks)
        try:
            ec2 = await self.session.ec2()

            async def read(batch: Sequence[str]) -> dict[str, str]:
                filters: Any = [{"Name": "network-interface-id", "Values": list(batch)}]
                response = await self._call(lambda: ec2.describe_network_interfaces(Filters=filters))
                found: dict[str, str] = {}
                for nic in response.get("NetworkInterfaces") or []:
                    public_ip = (nic.get("Association") or {}).get("PublicIp")
                    if nic.get("NetworkInterfaceId") and public_ip:
                        found[str(nic["NetworkInterfaceId"])] = str(public_ip)
                return found

            read_ips = await run_all(read(batch) for batch in batches(enis, DESCRIBE_NETWORK_INTERFACES_FILTER))
        except Exception as exc:  # see the docstring: shown without public IPs
            log.debug("public IPs of %d task ENIs not read: %s", len(enis), exc)
            return tasks
        public_ips = {eni: ip for found in read_ips for eni, ip in found.items()}
        settled = {t.eni_id for t in tasks if t.eni_id and t.last_status == "RUNNING"}
        if len(self._public_ips) > PUBLIC_IPS_KEPT:
            self._public_ips.clear()  # ENIs of tasks long gone; the ones on screen are read again once
        for eni in enis:
            # A task still starting may not have its IP yet: only a running task's answer (IP or none) is final.
            if eni in public_ips or eni in settled:
                self._public_ips[eni] = public_ips.get(eni, "")
        return self._add_public_ips(tasks, public_ips)

    def _add_public_ips(self, tasks: list[Task], fresh: dict[str, str] | None = None) -> list[Task]:
        known = {**self._public_ips, **(fresh or {})}
        return [
            dataclasses.replace(t, public_ip=known[t.eni_id]) if t.eni_id and known.get(t.eni_id) else t for t in tasks
        ]

    @_reads_aws
    async def tasks(self, cluster: str, service: str | None = None, desired_status: str = "RUNNING") -> list[Task]:
        """The cluster's tasks (a service's when given) with that desired status, described, sorted by task id."""
        described = await self.describe_tasks(cluster, await self.task_arns(cluster, service, desired_status))
        if service:
            # ListTasks filters by service on AWS, but an endpoint that ignores serviceName must not leak other
            # services' tasks into this one: a service's tasks are exactly those of its group.
            group = f"service:{short_name(service)}"
            described = [task for task in described if task.group == group]
        return sorted(described, key=lambda t: t.id)

    @_reads_aws
    async def task(self, cluster: str, task_arn: str) -> Task | None:
        """One task (ARN or id), or None when it or its cluster does not exist."""
        try:
            found = await self.describe_tasks(cluster, [task_arn])
        except AwsError as exc:
            if exc.code == "ClusterNotFoundException":
                return None
            raise
        wanted_id = short_name(task_arn)
        return next((task for task in found if task.id == wanted_id), None)

    # --- task definitions ---------------------------------------------------------------------------------------

    async def _describe_task_definition(self, arn_or_family_revision: str) -> TaskDefinition:
        ecs = await self._ecs()
        response = await self._call(lambda: ecs.describe_task_definition(taskDefinition=arn_or_family_revision))
        return task_definition_from_api(cast("dict[str, Any]", response.get("taskDefinition", {})))

    @_reads_aws
    async def task_definition(self, arn_or_family_revision: str, *, refresh: bool = False) -> TaskDefinition:
        """One revision ('family:revision' or ARN; a bare family means its latest ACTIVE revision).

        Served from the cache after the first describe; `refresh=True` describes again (after a deregister).
        """
        if refresh:
            self.task_definition_cache.forget(arn_or_family_revision)
        return await self.task_definition_cache.get_or_describe(arn_or_family_revision, self._describe_task_definition)

    def forget_task_definition(self, arn_or_family_revision: str) -> None:
        """Drop one revision from the cache, so the next read describes it (call after deregistering it)."""
        self.task_definition_cache.forget(arn_or_family_revision)

    async def _task_definition_arns(self, status: str, family: str | None) -> list[str]:
        ecs = await self._ecs()

        async def page(token: str | None) -> Any:
            request: ListTaskDefinitionsRequestTypeDef = {
                "status": cast("TaskDefinitionStatusType", status),
                "sort": "DESC",
                "maxResults": LIST_TASK_DEFINITIONS_PAGE,
            }
            if family:
                request["familyPrefix"] = family
            if token:
                request["nextToken"] = token
            return await self._call(lambda: ecs.list_task_definitions(**request))

        arns = unique(await all_pages(page, "taskDefinitionArns"))
        if family:
            # familyPrefix is a prefix: "web" also lists "web-worker".
            arns = [arn for arn in arns if family_of(arn) == family]
        self.task_definition_cache.observe_listing(status, arns, families=[family] if family else None)
        return arns

    @_reads_aws
    async def task_definition_revision_arns(self, family: str, status: str = "ACTIVE") -> list[str]:
        """The family's revision ARNs with that status, newest first (one paged list, nothing described)."""
        _check(status, TASK_DEFINITION_STATUSES, "status")
        arns = await self._task_definition_arns(status, family)
        return sorted(arns, key=lambda arn: _revision_number(arn), reverse=True)

    @_reads_aws
    async def task_definition_revisions(
        self, family: str, status: str = "ACTIVE", *, limit: int | None = None
    ) -> list[TaskDefinition]:
        """The family's revisions with that status, newest first, described (from the cache where possible).

        `limit` describes only the newest few: a family can hold hundreds of revisions.
        """
        arns = await self.task_definition_revision_arns(family, status)
        if limit is not None:
            arns = arns[: max(limit, 0)]
        return await run_all(self.task_definition(arn) for arn in arns)

    @_reads_aws
    async def task_definition_families(self, status: str = "ACTIVE") -> list[TaskDefinitionFamily]:
        """Task definition families, sorted by name, with their latest ACTIVE revision and ACTIVE revision count.

        ACTIVE: one paged ListTaskDefinitions(ACTIVE) gives the families and their revisions together.
        INACTIVE / ALL: ListTaskDefinitionFamilies names them; for ALL the ACTIVE revisions are listed as well.
        """
        _check(status, TASK_DEFINITION_FAMILY_STATUSES, "status")
        active: dict[str, list[str]] = {}
        if status in ("ACTIVE", "ALL"):
            for arn in await self._task_definition_arns("ACTIVE", None):
                active.setdefault(family_of(arn), []).append(arn)
        names = set(active) if status == "ACTIVE" else set(await self._family_names(status))
        families = []
        for name in sorted(names):
            revisions = active.get(name, [])
            latest = max(revisions, key=_revision_number) if revisions else None
            families.append(
                TaskDefinitionFamily(name=name, latest_revision_arn=latest, active_revisions=len(revisions))
            )
        return families

    async def _family_names(self, status: str) -> list[str]:
        ecs = await self._ecs()

        async def page(token: str | None) -> Any:
            request: ListTaskDefinitionFamiliesRequestTypeDef = {
                "status": cast("TaskDefinitionFamilyStatusType", status),
                "maxResults": LIST_TASK_DEFINITION_FAMILIES_PAGE,
            }
            if token:
                request["nextToken"] = token
            return await self._call(lambda: ecs.list_task_definition_families(**request))

        return unique(await all_pages(page, "families"))

    # --- container instances -------------------------------------------------------------------------------------

    @_reads_aws
    async def container_instances(self, cluster: str) -> list[ContainerInstance]:
        """Every container instance registered to the cluster, described, sorted by EC2 instance id."""
        ecs = await self._ecs()

        async def page(token: str | None) -> Any:
            request: ListContainerInstancesRequestTypeDef = {
                "cluster": cluster,
                "maxResults": LIST_CONTAINER_INSTANCES_PAGE,
            }
            if token:
                request["nextToken"] = token
            return await self._call(lambda: ecs.list_container_instances(**request))

        async def describe(batch: Sequence[str]) -> list[ContainerInstance]:
            response = await self._call(
                lambda: ecs.describe_container_instances(cluster=cluster, containerInstances=list(batch))
            )
            _note_failures("DescribeContainerInstances", response.get("failures"))
            return [container_instance_from_api(item) for item in response.get("containerInstances", [])]

        with _cluster_must_exist(cluster):
            arns = unique(await all_pages(page, "containerInstanceArns"))
            described = await run_all(describe(batch) for batch in batches(arns, DESCRIBE_CONTAINER_INSTANCES_BATCH))
        return sorted((ci for batch in described for ci in batch), key=lambda ci: (ci.ec2_instance_id or "", ci.arn))


def _revision_number(arn: str) -> int:
    key = revision_key(arn)
    return int(key.rsplit(":", 1)[1]) if key else -1


__all__ = ["EcsReader"]
