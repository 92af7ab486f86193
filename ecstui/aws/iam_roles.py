"""The account's roles ECS tasks may assume (task and execution roles), and creating ecsTaskExecutionRole."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import unquote

from ecstui.aws.actions import EcsActions, ReadBack, _Call
from ecstui.aws.audit import AuditLog
from ecstui.aws.batching import run_all
from ecstui.aws.errors import AwsError
from ecstui.aws.parse import _objs, _str
from ecstui.aws.read_errors import reads_aws
from ecstui.aws.session import AwsSession
from ecstui.aws.ttl_cache import SLOW_CHANGING_TTL, TtlCache

ECS_TASKS_PRINCIPAL: Final = "ecs-tasks.amazonaws.com"
EXECUTION_ROLE_NAME: Final = "ecsTaskExecutionRole"
EXECUTION_ROLE_POLICY_ARN: Final = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
# The trust policy the ECS console gives ecsTaskExecutionRole.
EXECUTION_ROLE_TRUST: Final[Mapping[str, Any]] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "", "Effect": "Allow", "Principal": {"Service": ECS_TASKS_PRINCIPAL}, "Action": "sts:AssumeRole"}
    ],
}
# The role EventBridge rules and Scheduler schedules start ECS tasks as, as the ECS console names it.
EVENTS_ROLE_NAME: Final = "ecsEventsRole"
EVENTS_ROLE_POLICY_ARN: Final = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceEventsRole"
EVENTS_PRINCIPALS: Final = ("events.amazonaws.com", "scheduler.amazonaws.com")
EVENTS_ROLE_TRUST: Final[Mapping[str, Any]] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": list(EVENTS_PRINCIPALS)}, "Action": "sts:AssumeRole"}],
}
# ListRoles' MaxItems is 1..1000; IAM may still answer fewer with IsTruncated, so the Marker is always followed.
LIST_ROLES_PAGE: Final = 1000
LIST_ATTACHED_POLICIES_PAGE: Final = 1000
LIST_ENTITIES_PAGE: Final = 1000  # ListEntitiesForPolicy MaxItems: 1..1000
# ListAttachedRolePolicies for many roles at once would spend IAM's account-wide request quota in a burst.
ATTACHMENT_READS_AT_ONCE: Final = 4


@dataclass(frozen=True, slots=True)
class TaskRole:
    """A role whose trust policy lets ECS tasks assume it."""

    name: str
    arn: str
    path: str
    description: str | None
    created_at: datetime | None


def policy_document(value: Any) -> Mapping[str, Any] | None:
    """A policy document as IAM hands it back: a dict (botocore decodes it), JSON text, or URL-encoded JSON text."""
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str):
        return None
    for text in (value, unquote(value)):
        try:
            parsed = json.loads(text)
        except ValueError:
            continue
        return parsed if isinstance(parsed, Mapping) else None
    return None


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _allows_assume_role(action: Any) -> bool:
    return any(a in ("sts:AssumeRole", "sts:*", "*") for a in _listed(action) if isinstance(a, str))


def trusts(document: Any, service: str = ECS_TASKS_PRINCIPAL) -> bool:
    """Whether a trust policy allows `service` to assume the role (an Allow of sts:AssumeRole to that principal)."""
    policy = policy_document(document)
    if policy is None:
        return False
    for statement in _listed(policy.get("Statement")):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if not _allows_assume_role(statement.get("Action")):
            continue
        principal = statement.get("Principal")
        if isinstance(principal, Mapping) and service in _listed(principal.get("Service")):
            return True
    return False


def _role_from_api(d: Mapping[str, Any]) -> TaskRole:
    created = d.get("CreateDate")
    return TaskRole(
        name=_str(d.get("RoleName")) or "",
        arn=_str(d.get("Arn")) or "",
        path=_str(d.get("Path")) or "/",
        description=_str(d.get("Description")),
        created_at=created if isinstance(created, datetime) else None,
    )


class RoleReader:
    """Reads the account's IAM roles for the task-definition pickers, every page, cached for minutes.

    Cost of `task_roles()`, cold: ceil(roles/1000) ListRoles; of `execution_roles()`, one ListAttachedRolePolicies
    more per role that trusts ecs-tasks. Within `ttl` seconds nothing. IAM is global: one reader serves every
    region. Call `forget()` after ecstui creates a role (RoleActions does).
    """

    def __init__(
        self,
        session: AwsSession,
        *,
        page_size: int = LIST_ROLES_PAGE,
        ttl: float = SLOW_CHANGING_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= page_size <= LIST_ROLES_PAGE:
            raise ValueError(f"page_size must be within 1..{LIST_ROLES_PAGE}")
        self.session = session
        self.page_size = page_size
        self._cache = TtlCache(ttl, clock)
        self._attachment_reads = asyncio.Semaphore(ATTACHMENT_READS_AT_ONCE)

    def forget(self) -> None:
        """Drop every cached answer (after a role was created or changed)."""
        self._cache.clear()

    async def _marker_pages(self, operation: Any, result_key: str, **request: Any) -> list[Mapping[str, Any]]:
        items: list[Mapping[str, Any]] = []
        marker: str | None = None
        seen: set[str] = set()
        while True:
            page_request = dict(request)
            if marker:
                page_request["Marker"] = marker
            response = await operation(**page_request)
            items.extend(_objs(response.get(result_key)))
            marker = _str(response.get("Marker")) if response.get("IsTruncated") else None
            # A marker handed back twice would loop forever.
            if not marker or marker in seen:
                return items
            seen.add(marker)

    async def _all_roles(self) -> list[Mapping[str, Any]]:
        async def load() -> list[Mapping[str, Any]]:
            iam = await self.session.iam()
            return await self._marker_pages(iam.list_roles, "Roles", MaxItems=self.page_size)

        found: list[Mapping[str, Any]] = await self._cache.get_or_load(("roles",), load)
        return found

    async def _trusting_roles(self, service: str = ECS_TASKS_PRINCIPAL) -> list[Mapping[str, Any]]:
        return [role for role in await self._all_roles() if trusts(role.get("AssumeRolePolicyDocument"), service)]

    @reads_aws
    async def roles_trusting(self, *services: str) -> list[TaskRole]:
        """Every role that one of `services` may assume (e.g. scheduler.amazonaws.com for a schedule's target)."""
        found = {
            role["Arn"]: _role_from_api(role)
            for service in services
            for role in await self._trusting_roles(service)
            if role.get("Arn")
        }
        return sorted(found.values(), key=lambda r: (r.name.lower(), r.arn))

    @reads_aws
    async def task_roles(self) -> list[TaskRole]:
        """Every role that ecs-tasks.amazonaws.com may assume, by name."""
        roles = [_role_from_api(d) for d in await self._trusting_roles()]
        return sorted(roles, key=lambda r: (r.name.lower(), r.arn))

    async def _attached_policy_arns(self, role_name: str) -> frozenset[str]:
        async def load() -> frozenset[str]:
            iam = await self.session.iam()
            async with self._attachment_reads:
                policies = await self._marker_pages(
                    iam.list_attached_role_policies,
                    "AttachedPolicies",
                    RoleName=role_name,
                    MaxItems=LIST_ATTACHED_POLICIES_PAGE,
                )
            return frozenset(arn for p in policies if (arn := _str(p.get("PolicyArn"))))

        found: frozenset[str] = await self._cache.get_or_load(("attached", role_name), load)
        return found

    @reads_aws
    async def execution_roles(self) -> list[TaskRole]:
        """The task roles fit to be execution roles: AmazonECSTaskExecutionRolePolicy attached, or named
        ecsTaskExecutionRole (as the console names the one it creates), by name."""
        roles = await self.task_roles()
        named = [role for role in roles if role.name == EXECUTION_ROLE_NAME]
        others = [role for role in roles if role.name != EXECUTION_ROLE_NAME]
        attached_to = await self._roles_with_execution_policy()
        if attached_to is not None:
            fit = named + [role for role in others if role.name in attached_to]
        else:
            attached = await run_all(self._attached_policy_arns(role.name) for role in others)
            pairs = zip(others, attached, strict=True)
            fit = named + [role for role, arns in pairs if EXECUTION_ROLE_POLICY_ARN in arns]
        return sorted(fit, key=lambda r: (r.name.lower(), r.arn))

    async def _roles_with_execution_policy(self) -> frozenset[str] | None:
        """The names of the roles AmazonECSTaskExecutionRolePolicy is attached to, in one paged ListEntitiesForPolicy
        (a call per role otherwise: on an account of 150 roles, a minute within IAM's read rate). None when that is
        denied (a policy allowing iam:ListAttachedRolePolicies but not iam:ListEntitiesForPolicy): the caller then
        reads each role's attachments."""

        async def load() -> frozenset[str] | None:
            iam = await self.session.iam()
            try:
                entities = await self._marker_pages(
                    iam.list_entities_for_policy,
                    "PolicyRoles",
                    PolicyArn=EXECUTION_ROLE_POLICY_ARN,
                    EntityFilter="Role",
                    MaxItems=LIST_ENTITIES_PAGE,
                )
            except Exception as exc:
                error = self.session.error_from(exc)
                if error.code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
                    return None
                raise error from exc
            return frozenset(name for e in entities if (name := _str(e.get("RoleName"))))

        found: frozenset[str] | None = await self._cache.get_or_load(("execution policy entities",), load)
        return found

    @reads_aws
    async def has_execution_role(self) -> bool:
        """Whether the account has an execution role; when not, the task-definition form offers to create one."""
        if any(role.name == EXECUTION_ROLE_NAME for role in await self.task_roles()):
            return True  # found without reading any role's attachments
        return bool(await self.execution_roles())


class RoleActions(EcsActions):
    """IAM changes under EcsActions' rules: refused in read-only before a request is built, one in flight,
    audited, and never sent twice blindly (CreateRole goes through a client that does not retry)."""

    def __init__(self, session: AwsSession, audit: AuditLog | None = None, roles: RoleReader | None = None) -> None:
        super().__init__(session, audit)
        self.roles = roles

    def _role_read_back(self, name: str) -> ReadBack:
        async def read_back() -> str:
            iam = await self.session.iam()
            try:
                await self._send(iam.get_role(RoleName=name))
            except AwsError as exc:
                if exc.kind == "not_found":
                    return f"Now: role {name} does not exist."
                raise
            attached = await self._send(iam.list_attached_role_policies(RoleName=name))
            names = [str(p.get("PolicyName")) for p in attached.get("AttachedPolicies", [])]
            return f"Now: role {name} exists, with " + (", ".join(names) if names else "no policy") + " attached."

        return read_back

    async def create_task_execution_role(self) -> TaskRole:
        """Create ecsTaskExecutionRole as the ECS console does: trusted by ecs-tasks.amazonaws.com, with AWS's
        managed AmazonECSTaskExecutionRolePolicy attached (pull images from ECR, write logs)."""
        return await self._create_service_role(
            "create_task_execution_role",
            EXECUTION_ROLE_NAME,
            EXECUTION_ROLE_TRUST,
            EXECUTION_ROLE_POLICY_ARN,
            "Allows ECS tasks to call AWS services on your behalf.",
            {"trustedService": ECS_TASKS_PRINCIPAL},
        )

    async def create_events_role(self) -> TaskRole:
        """Create ecsEventsRole as the ECS console does for scheduled tasks: trusted by EventBridge and Scheduler,
        with AWS's managed AmazonEC2ContainerServiceEventsRole attached (RunTask, and passing the task's roles)."""
        return await self._create_service_role(
            "create_events_role",
            EVENTS_ROLE_NAME,
            EVENTS_ROLE_TRUST,
            EVENTS_ROLE_POLICY_ARN,
            "Allows EventBridge and EventBridge Scheduler to run ECS tasks on your behalf.",
            {"trustedServices": list(EVENTS_PRINCIPALS)},
        )

    async def _create_service_role(
        self,
        action: str,
        name: str,
        trust_policy: Mapping[str, Any],
        policy_arn: str,
        description: str,
        trusted: dict[str, Any],
    ) -> TaskRole:
        """CreateRole with a trust policy, then attach one AWS-managed policy: the roles the ECS console offers."""
        self._refuse_if_read_only(action)
        trust = json.dumps(trust_policy)
        policy_name = policy_arn.rsplit("/", 1)[-1]
        call = _Call(action, name, {"roleName": name, **trusted, "policyArn": policy_arn})

        async def body(call: _Call) -> TaskRole:
            once = await self.session.iam_no_retry()
            read_back = self._role_read_back(name)
            try:
                # Not idempotent: a second CreateRole after a lost answer would fail with EntityAlreadyExists
                # and hide that the first one worked. Resent only when IAM throttled it (refused, nothing done).
                created = await self._send_retrying_throttles_only(
                    lambda: once.create_role(RoleName=name, AssumeRolePolicyDocument=trust, Description=description),
                    "CreateRole",
                    read_back,
                )
            finally:
                if self.roles is not None:
                    self.roles.forget()
            iam = await self.session.iam()
            try:
                # Attaching a policy twice leaves it attached once: botocore's retries are safe here.
                await self._send_change(
                    "AttachRolePolicy", iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn), read_back
                )
            except AwsError as exc:
                exc.message = f"Role {name} was created, but {policy_name} was not attached: {exc.message}"
                exc.args = (exc.message,)
                raise
            finally:
                if self.roles is not None:
                    self.roles.forget()
            return _role_from_api(created.get("Role") or {})

        return await self._mutate(call, body)


__all__ = [
    "ECS_TASKS_PRINCIPAL",
    "EVENTS_PRINCIPALS",
    "EVENTS_ROLE_NAME",
    "EVENTS_ROLE_POLICY_ARN",
    "EXECUTION_ROLE_NAME",
    "EXECUTION_ROLE_POLICY_ARN",
    "RoleActions",
    "RoleReader",
    "TaskRole",
    "policy_document",
    "trusts",
]
