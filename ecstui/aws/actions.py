"""Every change ecstui makes to ECS: checked, refused when read-only, sent once, audited."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from ecstui.aws.answers import NO_ANSWER
from ecstui.aws.audit import OK, AuditEntry, AuditLog, definition_for_audit
from ecstui.aws.capacity_providers import attached_to_cluster, created_for_cluster
from ecstui.aws.errors import THROTTLE_CODES, AwsError, ReadOnlyError
from ecstui.aws.models import (
    CapacityProviderStrategyItem,
    Cluster,
    ContainerInstance,
    Service,
    Task,
    TaskDefinition,
    short_name,
)
from ecstui.aws.parse import (
    cluster_from_api,
    container_instance_from_api,
    service_from_api,
    task_definition_from_api,
    task_from_api,
)
from ecstui.aws.session import AwsSession
from ecstui.aws.validation import (
    MAX_DESIRED_COUNT,
    Invalid,
    parse_cluster_name,
    parse_desired_count,
    parse_service_name,
    parse_stop_reason,
    task_definition_problems,
)

if TYPE_CHECKING:
    from types_aiobotocore_ecs.literals import ContainerInstanceStatusType

T = TypeVar("T")

RUN_TASK_BATCH = 10  # RunTask starts at most 10 tasks a call.
CONTAINER_INSTANCE_BATCH = 10  # UpdateContainerInstancesState takes at most 10 instances.
DELETE_TASK_DEFINITIONS_BATCH = 10  # DeleteTaskDefinitions takes at most 10 revisions.
DESCRIBE_SERVICES_BATCH = 10


class RunTaskError(AwsError):
    """RunTask failed part of the way: `started` holds the tasks that did start (stop them or keep them)."""

    def __init__(self, message: str, started: list[Task], *, code: str | None = None) -> None:
        super().__init__(message, kind="invalid", code=code, operation="RunTask")
        self.started = started


ReadBack = Callable[[], Awaitable[str]]


class UncertainOutcome(AwsError):
    """A change was sent and its answer lost (the connection dropped, no answer came in time, the answer could not
    be read): it may have been applied. Sending it again blindly could apply it twice, or undo someone else's.

    `read_back`, when there is one, reads the resource again and says its state now, in a sentence.
    """

    def __init__(self, message: str, read_back: ReadBack | None, *, operation: str, code: str | None) -> None:
        super().__init__(message, kind="uncertain", code=code, operation=operation)
        self.read_back = read_back


def _why_the_answer_was_lost(exc: BaseException, operation: str) -> str | None:
    """How a sent change lost its answer, as the start of a sentence; None when the request was never sent."""
    if isinstance(exc, ConnectionClosedError):
        # Connection refused is EndpointConnectionError: that request never left, and says "Cannot reach".
        return f"The connection dropped after {operation} was sent: the change may have been applied"
    if isinstance(exc, ReadTimeoutError) or (isinstance(exc, AwsError) and exc.code == NO_ANSWER):
        return f"{operation} was sent and no answer came in time: the change may have been applied"
    if isinstance(exc, AwsError) and exc.kind == "malformed":
        return f"{operation} was sent and its answer could not be read: the change was probably applied"
    return None


def standalone_tasks(tasks: Sequence[Task], services: Sequence[Service]) -> list[Task]:
    """The tasks that want to run and no service of the cluster started: those a teardown stops by itself.

    A service's tasks are in the group "service:<name>" (and ECS starts them as "ecs-svc/<deployment>"): scaling
    the service to 0 stops them. Everything else was started by hand (RunTask) or by a schedule, and nothing but
    the teardown's StopTask will stop it.
    """
    groups = {f"service:{service.name}" for service in services}
    return [
        task
        for task in tasks
        if task.desired_status == "RUNNING"
        and task.group not in groups
        and not (task.started_by or "").startswith("ecs-svc/")
    ]


@dataclass(frozen=True, slots=True)
class TeardownStep:
    """One finished step of a cluster teardown: `done` of `total` steps, described in a sentence."""

    done: int
    total: int
    description: str


@dataclass
class _Call:
    """What the audit records of a mutation; the body fills in `before` once it has looked."""

    action: str
    target: str
    parameters: dict[str, Any]
    before: dict[str, Any] | None = None
    # Actions that change the same thing share one in-flight slot (a scale and an undo of it).
    exclusive_as: str | None = None


class EcsActions:
    """The mutating ECS calls behind ecstui's action keys. Each raises AwsError when it fails."""

    # Backoff between attempts of a call retried only on throttling (seconds; doubled each attempt, jittered).
    throttle_backoff = 0.5
    throttle_attempts = 5
    # A teardown waits for the cluster's tasks to stop before deleting it: how often it looks, and how long.
    teardown_poll_seconds = 2.0
    teardown_wait_limit = 600.0

    def __init__(self, session: AwsSession, audit: AuditLog | None = None) -> None:
        self.session = session
        self.audit = audit
        self._in_flight: set[tuple[str, str]] = set()

    # -- guards ---------------------------------------------------------------------------------------

    def in_flight(self, action: str, target: str) -> bool:
        """True while the same action on the same target has been sent and not yet answered."""
        return (action, target) in self._in_flight

    def _refuse_if_read_only(self, action: str) -> None:
        if self.session.target.read_only:
            raise ReadOnlyError(action.replace("_", " "))

    @contextmanager
    def _exclusive(self, action: str, target: str) -> Iterator[None]:
        key = (action, target)
        if key in self._in_flight:
            raise AwsError(
                f"{action.replace('_', ' ').capitalize()} of {target} is already in progress; wait for its answer.",
                kind="invalid",
            )
        self._in_flight.add(key)
        try:
            yield
        finally:
            self._in_flight.discard(key)

    def _audit(self, call: _Call, result: str) -> None:
        if self.audit is None:
            return
        self.audit.record(
            profile=self.session.profile_name,
            region=self.session.region,
            action=call.action,
            target=call.target,
            parameters=call.parameters,
            before=call.before,
            result=result,
        )

    async def _mutate(self, call: _Call, body: Callable[[_Call], Awaitable[T]]) -> T:
        """Run one mutation: at most one in flight per (action, target), audited whatever the outcome."""
        with self._exclusive(call.exclusive_as or call.action, call.target):
            try:
                result = await body(call)
            except BaseException as exc:
                if isinstance(exc, asyncio.CancelledError):
                    # The request may or may not have reached AWS; say so rather than guess.
                    self._audit(call, "cancelled before AWS answered")
                    raise
                if not isinstance(exc, Exception):
                    raise
                error = self._error(exc)
                self._audit(call, error.message)
                raise error from exc
            self._audit(call, OK)
            return result

    def _error(self, exc: BaseException) -> AwsError:
        return self.session.error_from(exc)

    async def _send(self, request: Awaitable[T]) -> T:
        try:
            return await request
        except Exception as exc:
            raise self._error(exc) from exc

    def _change_error(self, exc: BaseException, operation: str, read_back: ReadBack | None) -> AwsError:
        """The error of a change that failed: UncertainOutcome when it was sent and its answer lost."""
        why = _why_the_answer_was_lost(exc, operation)
        if why is None:
            return self._error(exc)
        then = (
            "ecstui read it back; check its state before sending it again."
            if read_back is not None
            else "Refresh to see whether it was before sending it again."
        )
        code = exc.code if isinstance(exc, AwsError) else type(exc).__name__
        return UncertainOutcome(f"{why}. {then}", read_back, operation=operation, code=code)

    async def _send_change(self, operation: str, request: Awaitable[T], read_back: ReadBack | None = None) -> T:
        """Send one mutating request; a lost answer is an UncertainOutcome (with how to read the resource back)."""
        try:
            return await request
        except Exception as exc:
            raise self._change_error(exc, operation, read_back) from exc

    def _service_read_back(self, cluster: str, service: str) -> ReadBack:
        async def read_back() -> str:
            try:
                current = await self._describe_service(cluster, service)
            except AwsError as exc:
                if exc.kind == "not_found":
                    return f"Now: service {service} is not active in {cluster} (deleted, or never created)."
                raise
            deployments = current.get("deployments") or []
            task_definition = short_name(str(current.get("taskDefinition") or "-"))
            return (
                f"Now: {service} wants {current.get('desiredCount')} tasks ({current.get('runningCount')} running, "
                f"{current.get('pendingCount')} pending), task definition {task_definition}"
                f", {len(deployments)} deployment{'s' if len(deployments) != 1 else ''}."
            )

        return read_back

    def _task_read_back(self, cluster: str, task_arn: str) -> ReadBack:
        async def read_back() -> str:
            ecs = await self.session.ecs()
            response = await self._send(ecs.describe_tasks(cluster=cluster, tasks=[task_arn]))
            found = response.get("tasks", [])
            if not found:
                return f"Now: task {short_name(task_arn)} is not found in {cluster}."
            task = found[0]
            return (
                f"Now: task {short_name(task_arn)} is {task.get('lastStatus')} "
                f"(desired {task.get('desiredStatus')})"
                + (f", stopping because: {task['stoppedReason']}" if task.get("stoppedReason") else "")
                + "."
            )

        return read_back

    def _family_read_back(self, family: str) -> ReadBack:
        async def read_back() -> str:
            ecs = await self.session.ecs()
            response = await self._send(
                ecs.list_task_definitions(familyPrefix=family, status="ACTIVE", sort="DESC", maxResults=10)
            )
            newest = [arn for arn in response.get("taskDefinitionArns", []) if short_name(arn).split(":")[0] == family]
            if not newest:
                return f"Now: family {family} has no active revision."
            return f"Now: the newest active revision of {family} is {short_name(newest[0])}."

        return read_back

    async def _send_retrying_throttles_only(
        self, make_request: Callable[[], Awaitable[T]], operation: str, read_back: ReadBack | None = None
    ) -> T:
        """Send through a no-retry client; resend only when AWS answered 'throttled'.

        A throttled request was refused before it did anything, so resending it cannot create a second
        revision; a timeout or a 5xx says nothing about whether it took effect, so it is reported instead.
        """
        for attempt in range(self.throttle_attempts):
            try:
                return await make_request()
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code not in THROTTLE_CODES or attempt == self.throttle_attempts - 1:
                    raise self._error(exc) from exc
            except Exception as exc:
                raise self._change_error(exc, operation, read_back) from exc
            await asyncio.sleep(random.uniform(0, self.throttle_backoff * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _describe_service(self, cluster: str, service: str) -> dict[str, Any]:
        ecs = await self.session.ecs()
        response = await self._send(ecs.describe_services(cluster=cluster, services=[service]))
        found = [s for s in response.get("services", []) if s.get("status") != "INACTIVE"]
        if not found:
            raise AwsError(f"Service {service} not found in cluster {cluster}.", kind="not_found")
        return dict(found[0])

    # -- services -------------------------------------------------------------------------------------

    async def scale_service(self, cluster: str, service: str, desired: int | str) -> Service:
        """Set a service's desired count; the audit keeps the count it had, so the scale can be undone."""
        self._refuse_if_read_only("scale_service")
        count = _checked(parse_desired_count(desired))
        return await self._scale(cluster, service, count, action="scale_service")

    async def _scale(
        self, cluster: str, service: str, count: int, *, action: str, expected: int | None = None, **extra: Any
    ) -> Service:
        parameters = {"cluster": cluster, "service": service, "desiredCount": count}
        call = _Call(action, f"{cluster}/{service}", parameters, exclusive_as="scale_service")
        call.parameters.update(extra)

        async def body(call: _Call) -> Service:
            current = await self._describe_service(cluster, service)
            call.before = {"desiredCount": current.get("desiredCount")}
            if expected is not None and current.get("desiredCount") != expected:
                # The operator decided on what they saw; someone changed it since: decide again, do not guess.
                raise AwsError(
                    f"{service} now wants {current.get('desiredCount')} tasks, not the {expected} you saw: it was "
                    "scaled again meanwhile, by someone else. Nothing was sent.",
                    kind="invalid",
                )
            ecs = await self.session.ecs()
            response = await self._send_change(
                "UpdateService",
                ecs.update_service(cluster=cluster, service=service, desiredCount=count),
                self._service_read_back(cluster, service),
            )
            return service_from_api(response["service"])

        return await self._mutate(call, body)

    async def undo_scale(self, entry: AuditEntry, *, expected: int | None = None) -> Service:
        """Restore the desired count a logged scale replaced (itself logged, so it can be undone in turn).

        With `expected` (the desired count the operator was shown when they chose to undo), nothing is sent
        unless the service still wants exactly that many: an undo never overwrites a change it was not shown.
        """
        self._refuse_if_read_only("undo_scale")
        if entry.action not in ("scale_service", "undo_scale") or not entry.ok:
            raise AwsError("Only a successful scale can be undone.", kind="invalid")
        previous = (entry.before or {}).get("desiredCount")
        cluster = entry.parameters.get("cluster")
        service = entry.parameters.get("service")
        if not isinstance(previous, int) or not isinstance(cluster, str) or not isinstance(service, str):
            raise AwsError("This audit entry does not record the desired count before the scale.", kind="invalid")
        if entry.profile != self.session.profile_name or (entry.region or None) != self.session.region:
            raise AwsError(
                f"That scale was made with profile {entry.profile} in {entry.region}; "
                f"this session is {self.session.profile_name} in {self.session.region}.",
                kind="invalid",
            )
        count = _checked(parse_desired_count(previous))
        return await self._scale(
            cluster, service, count, action="undo_scale", expected=expected, undoes=entry.time.isoformat()
        )

    async def restart_service(self, cluster: str, service: str) -> Service:
        """Force a new deployment: every task is replaced with the same task definition."""
        self._refuse_if_read_only("restart_service")
        call = _Call("restart_service", f"{cluster}/{service}", {"cluster": cluster, "service": service})

        async def body(call: _Call) -> Service:
            ecs = await self.session.ecs()
            response = await self._send_change(
                "UpdateService",
                ecs.update_service(cluster=cluster, service=service, forceNewDeployment=True),
                self._service_read_back(cluster, service),
            )
            return service_from_api(response["service"])

        return await self._mutate(call, body)

    async def update_service(
        self, cluster: str, service: str, task_definition_arn: str, desired: int | str | None = None
    ) -> Service:
        """Roll a service onto another task definition revision, optionally with a new desired count."""
        self._refuse_if_read_only("update_service")
        count = None if desired is None else _checked(parse_desired_count(desired))
        if not task_definition_arn:
            raise AwsError("Choose a task definition revision.", kind="invalid")
        parameters: dict[str, Any] = {"cluster": cluster, "service": service, "taskDefinition": task_definition_arn}
        if count is not None:
            parameters["desiredCount"] = count
        call = _Call("update_service", f"{cluster}/{service}", parameters)

        async def body(call: _Call) -> Service:
            current = await self._describe_service(cluster, service)
            call.before = {"taskDefinition": current.get("taskDefinition"), "desiredCount": current.get("desiredCount")}
            ecs = await self.session.ecs()
            response = await self._send_change(
                "UpdateService", ecs.update_service(**parameters), self._service_read_back(cluster, service)
            )
            return service_from_api(response["service"])

        return await self._mutate(call, body)

    async def delete_service(self, cluster: str, service: str) -> Service:
        """Delete a service whose desired count is 0 (scale it to 0 first; ecstui never forces a delete)."""
        self._refuse_if_read_only("delete_service")
        call = _Call("delete_service", f"{cluster}/{service}", {"cluster": cluster, "service": service})

        async def body(call: _Call) -> Service:
            current = await self._describe_service(cluster, service)
            desired = int(current.get("desiredCount") or 0)
            call.before = {"desiredCount": desired, "taskDefinition": current.get("taskDefinition")}
            if desired > 0:
                raise AwsError(
                    f"Service {service} still wants {desired} task{'s' if desired != 1 else ''}: "
                    "scale it to 0 before deleting it.",
                    kind="invalid",
                )
            ecs = await self.session.ecs()
            response = await self._send_change(
                "DeleteService",
                ecs.delete_service(cluster=cluster, service=service),
                self._service_read_back(cluster, service),
            )
            return service_from_api(response["service"])

        return await self._mutate(call, body)

    async def create_service(
        self,
        cluster: str,
        name: str,
        task_definition_arn: str,
        desired: int | str,
        *,
        launch_type: str | None = None,
        capacity_provider_strategy: Sequence[CapacityProviderStrategyItem] = (),
        subnets: Sequence[str] = (),
        security_groups: Sequence[str] = (),
        assign_public_ip: bool = False,
        target_group_arn: str | None = None,
        container_name: str | None = None,
        container_port: int | None = None,
        load_balancers: Sequence[Mapping[str, Any]] = (),
        circuit_breaker: bool = False,
    ) -> Service:
        """Create a service; a clientToken makes botocore's retries of it safe.

        `load_balancers` is CreateService's loadBalancers as given (LoadBalancerActions.prepare builds it);
        `circuit_breaker` turns on the deployment circuit breaker with rollback: a deployment whose tasks keep
        failing stops and rolls back instead of replacing tasks forever.
        """
        self._refuse_if_read_only("create_service")
        service_name = _checked(parse_service_name(name))
        count = _checked(parse_desired_count(desired))
        if not task_definition_arn:
            raise AwsError("Choose a task definition revision.", kind="invalid")
        parameters: dict[str, Any] = {
            "cluster": cluster,
            "serviceName": service_name,
            "taskDefinition": task_definition_arn,
            "desiredCount": count,
        }
        parameters.update(_compute(launch_type, capacity_provider_strategy))
        parameters.update(_network(subnets, security_groups, assign_public_ip))
        if target_group_arn:
            if not container_name or container_port is None:
                raise AwsError("A target group needs the container name and port it sends traffic to.", kind="invalid")
            parameters["loadBalancers"] = [
                {"targetGroupArn": target_group_arn, "containerName": container_name, "containerPort": container_port}
            ]
        if load_balancers:
            parameters["loadBalancers"] = [*parameters.get("loadBalancers", []), *(dict(lb) for lb in load_balancers)]
        if circuit_breaker:
            parameters["deploymentConfiguration"] = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
        call = _Call("create_service", f"{cluster}/{service_name}", parameters)

        async def body(call: _Call) -> Service:
            ecs = await self.session.ecs()
            # CreateService is idempotent only with a clientToken (ECS returns the service it created for a
            # repeated token); the model does not mark it auto-filled, so ecstui sends one (at most 36 chars).
            response = await self._send_change(
                "CreateService",
                ecs.create_service(**parameters, clientToken=str(uuid.uuid4())),
                self._service_read_back(cluster, service_name),
            )
            return service_from_api(response["service"])

        return await self._mutate(call, body)

    # -- task definitions -----------------------------------------------------------------------------

    async def register_task_definition(self, definition: Mapping[str, Any]) -> TaskDefinition:
        """Register a new revision, sent exactly once unless AWS answers 'throttled'.

        RegisterTaskDefinition takes no idempotency token: repeating a request whose answer was lost
        registers a second revision. So it goes through a client without retries.
        """
        self._refuse_if_read_only("register_task_definition")
        problems = task_definition_problems(dict(definition))
        if problems:
            raise AwsError(" ".join(problems), kind="invalid", operation="RegisterTaskDefinition")
        family = str(definition.get("family"))
        # Environment values and secret sources stay out of the log (definition_for_audit): names and counts only.
        call = _Call("register_task_definition", family, {"definition": definition_for_audit(definition)})

        async def body(call: _Call) -> TaskDefinition:
            ecs = await self.session.ecs_no_retry()
            response = await self._send_retrying_throttles_only(
                lambda: ecs.register_task_definition(**definition),
                "RegisterTaskDefinition",
                self._family_read_back(family),
            )
            registered = task_definition_from_api(response["taskDefinition"])
            call.parameters["registered"] = registered.arn
            return registered

        return await self._mutate(call, body)

    async def deregister_task_definition(self, arn: str) -> TaskDefinition:
        self._refuse_if_read_only("deregister_task_definition")
        call = _Call("deregister_task_definition", short_name(arn), {"taskDefinition": arn})

        async def body(call: _Call) -> TaskDefinition:
            ecs = await self.session.ecs()
            response = await self._send_change(
                "DeregisterTaskDefinition", ecs.deregister_task_definition(taskDefinition=arn)
            )
            return task_definition_from_api(response["taskDefinition"])

        return await self._mutate(call, body)

    async def delete_task_definitions(self, arns: Sequence[str]) -> list[TaskDefinition]:
        """Delete INACTIVE revisions, 10 a call; stops at the first call that fails or reports failures."""
        self._refuse_if_read_only("delete_task_definitions")
        if not arns:
            raise AwsError("Choose at least one inactive revision to delete.", kind="invalid")
        target = ",".join(short_name(a) for a in arns[:3]) + (f" (+{len(arns) - 3})" if len(arns) > 3 else "")
        call = _Call("delete_task_definitions", target, {"taskDefinitions": list(arns)})

        async def body(call: _Call) -> list[TaskDefinition]:
            ecs = await self.session.ecs()
            deleted: list[TaskDefinition] = []
            for batch in _batches(list(arns), DELETE_TASK_DEFINITIONS_BATCH):
                response = await self._send_change(
                    "DeleteTaskDefinitions", ecs.delete_task_definitions(taskDefinitions=batch)
                )
                deleted.extend(task_definition_from_api(td) for td in response.get("taskDefinitions", []))
                _raise_failures(response.get("failures", []), "DeleteTaskDefinitions")
            return deleted

        return await self._mutate(call, body)

    # -- tasks ----------------------------------------------------------------------------------------

    async def stop_task(self, cluster: str, task_arn: str, reason: str = "") -> Task:
        self._refuse_if_read_only("stop_task")
        checked_reason = _checked(parse_stop_reason(reason))
        parameters: dict[str, Any] = {"cluster": cluster, "task": task_arn}
        if checked_reason:
            parameters["reason"] = checked_reason
        call = _Call("stop_task", f"{cluster}/{short_name(task_arn)}", parameters)

        async def body(call: _Call) -> Task:
            ecs = await self.session.ecs()
            response = await self._send_change(
                "StopTask", ecs.stop_task(**parameters), self._task_read_back(cluster, task_arn)
            )
            return task_from_api(response["task"])

        return await self._mutate(call, body)

    async def run_task(
        self,
        cluster: str,
        task_definition_arn: str,
        count: int = 1,
        *,
        launch_type: str | None = None,
        capacity_provider_strategy: Sequence[CapacityProviderStrategyItem] = (),
        subnets: Sequence[str] = (),
        security_groups: Sequence[str] = (),
        assign_public_ip: bool = False,
        started_by: str | None = None,
    ) -> list[Task]:
        """Start `count` tasks, 10 a RunTask call (its limit), each call with its own idempotency token."""
        self._refuse_if_read_only("run_task")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_DESIRED_COUNT:
            raise AwsError(f"Run 1 to {MAX_DESIRED_COUNT:,} tasks, not {count!r}.", kind="invalid")
        if not task_definition_arn:
            raise AwsError("Choose a task definition revision.", kind="invalid")
        common: dict[str, Any] = {"cluster": cluster, "taskDefinition": task_definition_arn}
        common.update(_compute(launch_type, capacity_provider_strategy))
        common.update(_network(subnets, security_groups, assign_public_ip))
        if started_by:
            common["startedBy"] = started_by
        call = _Call("run_task", f"{cluster}/{short_name(task_definition_arn)}", {**common, "count": count})

        async def body(call: _Call) -> list[Task]:
            ecs = await self.session.ecs()
            started: list[Task] = []
            remaining = count
            while remaining > 0:
                batch = min(remaining, RUN_TASK_BATCH)
                # clientToken makes a retried RunTask start its tasks once; botocore would fill one in, but
                # naming it here keeps each batch distinct and the retries of one batch identical.
                try:
                    response = await self._send_change(
                        "RunTask", ecs.run_task(**common, count=batch, clientToken=uuid.uuid4().hex)
                    )
                except AwsError as exc:
                    if not started:
                        raise
                    call.parameters["started"] = [t.arn for t in started]
                    raise RunTaskError(f"{exc.message} ({len(started)} of {count} started)", started) from exc
                started.extend(task_from_api(t) for t in response.get("tasks", []))
                failures = response.get("failures", [])
                if failures:
                    reasons = "; ".join(_failure_text(f) for f in failures[:3])
                    call.parameters["started"] = [t.arn for t in started]
                    raise RunTaskError(f"RunTask failed: {reasons} ({len(started)} of {count} started)", started)
                remaining -= batch
            call.parameters["started"] = [t.arn for t in started]
            return started

        return await self._mutate(call, body)

    # -- clusters -------------------------------------------------------------------------------------

    async def create_cluster(
        self,
        name: str,
        capacity_providers: Sequence[str] = (),
        container_insights: str | None = None,
        default_capacity_provider_strategy: Sequence[CapacityProviderStrategyItem] = (),
    ) -> Cluster:
        """Create a cluster; container_insights is "enabled", "disabled", "enhanced" or None (account default)."""
        self._refuse_if_read_only("create_cluster")
        cluster_name = _checked(parse_cluster_name(name))
        parameters: dict[str, Any] = {"clusterName": cluster_name}
        if capacity_providers:
            parameters["capacityProviders"] = list(capacity_providers)
        if default_capacity_provider_strategy:
            parameters["defaultCapacityProviderStrategy"] = _strategy(default_capacity_provider_strategy)
        if container_insights is not None:
            if container_insights not in ("enabled", "disabled", "enhanced"):
                raise AwsError("Container Insights is enabled, disabled or enhanced.", kind="invalid")
            parameters["settings"] = [{"name": "containerInsights", "value": container_insights}]
        call = _Call("create_cluster", cluster_name, parameters)

        async def body(call: _Call) -> Cluster:
            ecs = await self.session.ecs()
            response = await self._send_change("CreateCluster", ecs.create_cluster(**parameters))
            return cluster_from_api(response["cluster"])

        return await self._mutate(call, body)

    async def delete_cluster(self, cluster: str) -> Cluster:
        """Delete a cluster; ECS refuses while it has services (use teardown_cluster)."""
        self._refuse_if_read_only("delete_cluster")
        call = _Call("delete_cluster", cluster, {"cluster": cluster})

        async def body(call: _Call) -> Cluster:
            ecs = await self.session.ecs()
            response = await self._send_change("DeleteCluster", ecs.delete_cluster(cluster=cluster))
            return cluster_from_api(response["cluster"])

        return await self._mutate(call, body)

    async def teardown_cluster(self, cluster: str) -> AsyncIterator[TeardownStep]:
        """Tear a cluster down in the order ECS allows, yielding each step as it is done.

        Scale every service to 0, delete every service, wait for the cluster's tasks to stop (stopping the
        standalone ones that nothing else will stop), deregister its container instances, detach the capacity
        providers ecstui created for it, delete the cluster, then delete those providers (ECS refuses to delete a
        provider a cluster still holds). ECS refuses DeleteCluster while services are active, tasks are running
        or container instances are registered. The first failure raises its AwsError and nothing after it is sent.
        """
        self._refuse_if_read_only("teardown_cluster")
        with self._exclusive("teardown_cluster", cluster):
            services = await self._active_services(cluster)
            instances = await self._container_instance_arns(cluster)
            ecs = await self.session.ecs()
            attached = await attached_to_cluster(ecs, self._send, cluster)
            created = await created_for_cluster(ecs, self._send, cluster, attached)
            to_scale = [s for s in services if int(s.get("desiredCount") or 0) > 0]
            total = len(to_scale) + len(services) + 1 + (1 if instances else 0) + 1 + (2 if created else 0)
            done = 0
            for service in to_scale:
                await self._scale(cluster, str(service["serviceName"]), 0, action="scale_service")
                done += 1
                yield TeardownStep(done, total, f"Scaled {service['serviceName']} to 0.")
            for service in services:
                await self.delete_service(cluster, str(service["serviceName"]))
                done += 1
                yield TeardownStep(done, total, f"Deleted service {service['serviceName']}.")
            async for waiting in self._tasks_stopped(cluster):
                yield TeardownStep(done, total, waiting)
            done += 1
            yield TeardownStep(done, total, f"No task is running in {cluster}.")
            if instances:
                await self._deregister_instances(cluster, instances)
                done += 1
                yield TeardownStep(
                    done,
                    total,
                    f"Deregistered {len(instances)} container instance(s); their EC2 instances keep running "
                    "(terminate them or scale their Auto Scaling group to 0).",
                )
            if created:
                await self._detach_capacity_providers(cluster, attached, created)
                done += 1
                yield TeardownStep(done, total, f"Detached capacity provider(s) {', '.join(created)}.")
            await self.delete_cluster(cluster)
            done += 1
            yield TeardownStep(done, total, f"Deleted cluster {cluster}.")
            if created:
                await self._delete_capacity_providers(created)
                done += 1
                yield TeardownStep(
                    done,
                    total,
                    f"Deleted capacity provider(s) {', '.join(created)}, which ecstui created for {cluster} "
                    "(their Auto Scaling groups stay).",
                )

    async def _detach_capacity_providers(self, cluster: str, attached: Sequence[str], created: Sequence[str]) -> None:
        # The cluster keeps the others (Fargate's, one attached by hand) until it is deleted; the default strategy
        # goes, since ECS refuses one that names a provider the cluster no longer holds.
        keep = [name for name in attached if name not in created]
        parameters: dict[str, Any] = {
            "cluster": cluster,
            "capacityProviders": keep,
            "defaultCapacityProviderStrategy": [],
        }
        call = _Call("detach_capacity_providers", cluster, dict(parameters, detached=list(created)))

        async def body(call: _Call) -> None:
            ecs = await self.session.ecs()
            await self._send_change("PutClusterCapacityProviders", ecs.put_cluster_capacity_providers(**parameters))

        await self._mutate(call, body)

    async def _delete_capacity_providers(self, names: Sequence[str]) -> None:
        for name in names:
            call = _Call("delete_capacity_provider", name, {"capacityProvider": name})

            async def body(call: _Call, name: str = name) -> None:
                ecs = await self.session.ecs()
                await self._send_change("DeleteCapacityProvider", ecs.delete_capacity_provider(capacityProvider=name))

            await self._mutate(call, body)

    async def _running_task_arns(self, cluster: str) -> list[str]:
        ecs = await self.session.ecs()
        arns: list[str] = []
        try:
            async for page in ecs.get_paginator("list_tasks").paginate(cluster=cluster, desiredStatus="RUNNING"):
                arns.extend(page.get("taskArns", []))
        except Exception as exc:
            raise self._error(exc) from exc
        return arns

    async def _tasks_stopped(self, cluster: str) -> AsyncIterator[str]:
        """Wait until no task of the cluster wants to run, stopping standalone tasks once; yields progress."""
        stopped_standalone = False
        waited = 0.0
        while True:
            running = await self._running_task_arns(cluster)
            if not running:
                # ECS refuses DeleteCluster until the stopping tasks have reached STOPPED too.
                running = await self._still_stopping(cluster)
                if not running:
                    return
                stopped_standalone = True  # these are already on their way down
            if not stopped_standalone:
                # Services are gone, so what still wants to run was started by hand (RunTask) or a schedule.
                for arn in running:
                    await self.stop_task(cluster, arn, "Cluster teardown from ecstui")
                stopped_standalone = True
                yield f"Stopped {len(running)} standalone task(s)."
                continue
            if waited >= self.teardown_wait_limit:
                raise AwsError(
                    f"{len(running)} task(s) of {cluster} still want to run after {waited:.0f}s; "
                    "the cluster was not deleted.",
                    kind="invalid",
                )
            yield f"Waiting for {len(running)} task(s) to stop…"
            await asyncio.sleep(self.teardown_poll_seconds)
            waited += self.teardown_poll_seconds

    async def _still_stopping(self, cluster: str) -> list[str]:
        """Tasks told to stop that have not reached STOPPED yet."""
        ecs = await self.session.ecs()
        arns: list[str] = []
        try:
            async for page in ecs.get_paginator("list_tasks").paginate(cluster=cluster, desiredStatus="STOPPED"):
                arns.extend(page.get("taskArns", []))
        except Exception as exc:
            raise self._error(exc) from exc
        stopping: list[str] = []
        for batch in _batches(arns, 100):  # DescribeTasks takes 100 at most
            response = await self._send(ecs.describe_tasks(cluster=cluster, tasks=batch))
            stopping.extend(t["taskArn"] for t in response.get("tasks", []) if t.get("lastStatus") != "STOPPED")
        return stopping

    async def _container_instance_arns(self, cluster: str) -> list[str]:
        ecs = await self.session.ecs()
        arns: list[str] = []
        try:
            async for page in ecs.get_paginator("list_container_instances").paginate(cluster=cluster):
                arns.extend(page.get("containerInstanceArns", []))
        except Exception as exc:
            raise self._error(exc) from exc
        return arns

    async def _deregister_instances(self, cluster: str, arns: Sequence[str]) -> None:
        call = _Call("deregister_container_instances", cluster, {"cluster": cluster, "containerInstances": list(arns)})

        async def body(call: _Call) -> None:
            ecs = await self.session.ecs()
            for arn in arns:
                # force: their tasks have stopped; without it ECS refuses while any task is still recorded.
                await self._send_change(
                    "DeregisterContainerInstance",
                    ecs.deregister_container_instance(cluster=cluster, containerInstance=arn, force=True),
                )

        await self._mutate(call, body)

    async def _active_services(self, cluster: str) -> list[dict[str, Any]]:
        ecs = await self.session.ecs()
        arns: list[str] = []
        try:
            async for page in ecs.get_paginator("list_services").paginate(cluster=cluster):
                arns.extend(page.get("serviceArns", []))
        except Exception as exc:
            raise self._error(exc) from exc
        services: list[dict[str, Any]] = []
        for batch in _batches(arns, DESCRIBE_SERVICES_BATCH):
            response = await self._send(ecs.describe_services(cluster=cluster, services=batch))
            services.extend(dict(s) for s in response.get("services", []) if s.get("status") == "ACTIVE")
        return services

    # -- container instances --------------------------------------------------------------------------

    async def drain_container_instances(self, cluster: str, arns: Sequence[str]) -> list[ContainerInstance]:
        """Set instances DRAINING: ECS moves their service tasks elsewhere and places no new ones."""
        return await self._set_instances_state(cluster, arns, "DRAINING", "drain_container_instances")

    async def reactivate_container_instances(self, cluster: str, arns: Sequence[str]) -> list[ContainerInstance]:
        return await self._set_instances_state(cluster, arns, "ACTIVE", "reactivate_container_instances")

    async def _set_instances_state(
        self, cluster: str, arns: Sequence[str], status: ContainerInstanceStatusType, action: str
    ) -> list[ContainerInstance]:
        self._refuse_if_read_only(action)
        if not arns:
            raise AwsError("Choose at least one container instance.", kind="invalid")
        target = f"{cluster}/" + ",".join(short_name(a) for a in arns[:3]) + ("..." if len(arns) > 3 else "")
        call = _Call(action, target, {"cluster": cluster, "containerInstances": list(arns), "status": status})

        async def body(call: _Call) -> list[ContainerInstance]:
            ecs = await self.session.ecs()
            updated: list[ContainerInstance] = []
            for batch in _batches(list(arns), CONTAINER_INSTANCE_BATCH):
                response = await self._send_change(
                    "UpdateContainerInstancesState",
                    ecs.update_container_instances_state(
                        cluster=cluster,
                        containerInstances=batch,
                        status=status,
                    ),
                )
                updated.extend(container_instance_from_api(ci) for ci in response.get("containerInstances", []))
                _raise_failures(response.get("failures", []), "UpdateContainerInstancesState")
            return updated

        return await self._mutate(call, body)


# -- request building ---------------------------------------------------------------------------------


def _checked(result: T | Invalid) -> T:
    if isinstance(result, Invalid):
        raise AwsError(result.message, kind="invalid")
    return result


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _strategy(items: Sequence[CapacityProviderStrategyItem]) -> list[dict[str, Any]]:
    return [{"capacityProvider": i.capacity_provider, "weight": i.weight, "base": i.base} for i in items]


def _compute(launch_type: str | None, strategy: Sequence[CapacityProviderStrategyItem]) -> dict[str, Any]:
    # ECS takes a launch type or a capacity provider strategy, never both; neither means the cluster default.
    if launch_type and strategy:
        raise AwsError("Choose a launch type or a capacity provider strategy, not both.", kind="invalid")
    if launch_type:
        return {"launchType": launch_type}
    if strategy:
        return {"capacityProviderStrategy": _strategy(strategy)}
    return {}


def _network(subnets: Sequence[str], security_groups: Sequence[str], assign_public_ip: bool) -> dict[str, Any]:
    if not subnets:
        if security_groups:
            raise AwsError("Security groups apply only with subnets (awsvpc network mode).", kind="invalid")
        return {}
    return {
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": list(subnets),
                "securityGroups": list(security_groups),
                "assignPublicIp": "ENABLED" if assign_public_ip else "DISABLED",
            }
        }
    }


def _failure_text(failure: Mapping[str, Any]) -> str:
    parts = [str(failure.get(k)) for k in ("arn", "reason", "detail") if failure.get(k)]
    return ": ".join(parts) or "unknown failure"


def _raise_failures(failures: Sequence[Mapping[str, Any]], operation: str) -> None:
    if failures:
        reasons = "; ".join(_failure_text(f) for f in failures[:3])
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        raise AwsError(f"{operation} failed: {reasons}{more}", kind="invalid", operation=operation)


__all__ = ["EcsActions", "ReadBack", "RunTaskError", "TeardownStep", "UncertainOutcome", "standalone_tasks"]
