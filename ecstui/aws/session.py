"""One aiobotocore session with long-lived clients for one account, region and endpoint."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.loaders import Loader, create_loader

from ecstui.aws.answers import check_answer, name_unreadable_answer
from ecstui.aws.errors import THROTTLE_CODES, AwsError, to_aws_error
from ecstui.aws.ratelimit import DEFAULT_SHARE, EcsRateLimiter

if TYPE_CHECKING:
    from types_aiobotocore_application_autoscaling import ApplicationAutoScalingClient
    from types_aiobotocore_cloudwatch import CloudWatchClient
    from types_aiobotocore_ec2 import EC2Client
    from types_aiobotocore_ecs import ECSClient
    from types_aiobotocore_elbv2 import ElasticLoadBalancingv2Client
    from types_aiobotocore_logs import CloudWatchLogsClient


@dataclass(frozen=True)
class AwsTarget:
    """Where ecstui points: a profile, a region, an endpoint (AWS itself when None)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    read_only: bool = False
    # The share of each ECS throttling bucket ecstui may use (see ecstui.aws.ratelimit.DEFAULT_SHARE).
    rate_share: float = DEFAULT_SHARE
    # Seconds to wait for an answer to start, per attempt (botocore makes up to four). ECS answers in well under a
    # second; a request still unanswered after this is hung, and four of them must not hold a pane for minutes.
    read_timeout: float = 10.0


@dataclass
class RequestStats:
    """Every HTTP request sent (retries included), by operation, and how many were throttled."""

    sent: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    last_throttle_at: float | None = None

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def add(self, other: RequestStats) -> None:
        """Count another session's requests as this one's (the launch listing's, sent on a thread of its own)."""
        self.sent.update(other.sent)
        self.throttled.update(other.throttled)
        if other.last_throttle_at is not None:
            self.last_throttle_at = max(self.last_throttle_at or other.last_throttle_at, other.last_throttle_at)


_loader_guard = threading.Lock()
_loaders: dict[str | None, Loader] = {}


def shared_data_loader(data_path: str | None) -> Loader:
    """One botocore data loader per search path for the whole process.

    A new session loads and parses botocore's model of each service again (about 0.1 s for ECS) before its
    first client exists. At launch three sessions make ECS clients (the credential check, the launch listing on
    its thread, the app), and every test makes an app: they share the parsed models instead. The models are
    read-only once loaded; a load racing on two threads at worst loads twice.
    """
    with _loader_guard:
        loader = _loaders.get(data_path)
        if loader is None:
            loader = _loaders[data_path] = create_loader(data_path)
        return loader


def _service_and_operation(event_name: str) -> tuple[str, str]:
    # "before-send.ecs.ListServices" -> ("ecs", "ListServices")
    parts = event_name.split(".")
    return (parts[1], parts[-1]) if len(parts) >= 3 else ("", parts[-1])


class AwsSession:
    """Owns the clients for one target; open once, share everywhere, close on exit."""

    def __init__(self, target: AwsTarget, limiter: EcsRateLimiter | None = None) -> None:
        self.target = target
        # Every ECS request, retries included, waits for a token: each attempt spends one of AWS's.
        self.limiter = limiter if limiter is not None else EcsRateLimiter(target.rate_share)
        self._session = AioSession(profile=target.profile) if target.profile else AioSession()
        try:
            data_path = self._session.get_config_variable("data_path")
        except Exception:  # a profile that does not exist: said where a client is made (missing_configuration)
            pass
        else:
            self._session.register_component("data_loader", shared_data_loader(data_path))
        self._stack = AsyncExitStack()
        self._clients: dict[str, Any] = {}
        # Whether the credentials carry a session token (SSO, an assumed role); known once a client exists.
        self.temporary_credentials: bool | None = None
        self._client_lock = asyncio.Lock()
        self.stats = RequestStats()
        self._session.register("before-send", self._wait_for_token)
        self._session.register("before-send", self._count_request)
        self._session.register("needs-retry", self._count_throttle)
        # A 200 without what the answer always holds, or one that cannot be parsed, is an error (see answers).
        self._session.register("after-call", check_answer)
        self._session.register(
            "after-call-error", functools.partial(name_unreadable_answer, read_timeout=target.read_timeout)
        )
        # standard mode: exponential backoff with jitter, retrying throttles and transient errors.
        self._config = AioConfig(
            retries={"mode": "standard", "total_max_attempts": 4},
            connect_timeout=5,
            read_timeout=target.read_timeout,
            max_pool_connections=32,
            # Local endpoints (the demo, moto) cannot resolve host-prefixed names like data.logs...
            inject_host_prefix=target.endpoint_url is None,
        )
        # A plain-HTTP endpoint (the demo's emulator) has no certificate to check: not loading the CA bundle for
        # each client's connector saves a CA file parse per client. HTTPS endpoints (AWS) keep botocore's default.
        endpoint = (target.endpoint_url or "").lower()
        self._verify: bool | None = False if endpoint.startswith("http://") else None

    @property
    def region(self) -> str | None:
        region = self.target.region or self._session.get_config_variable("region")
        return str(region) if region else None

    def error_from(self, exc: BaseException) -> AwsError:
        """`to_aws_error` with what this session knows: its endpoint, its profile, whether its keys are temporary."""
        return to_aws_error(
            exc,
            endpoint=self.target.endpoint_url,
            profile=self.profile_in_use,
            temporary_credentials=self.temporary_credentials,
        )

    @property
    def profile_in_use(self) -> str | None:
        """The profile named by --profile or AWS_PROFILE; None when credentials come from elsewhere."""
        try:
            profile = self.target.profile or self._session.get_config_variable("profile")
        except Exception:
            return self.target.profile
        return str(profile) if profile else None

    @property
    def profile_name(self) -> str:
        return self.target.profile or str(self._session.get_config_variable("profile") or "default")

    async def _wait_for_token(self, event_name: str, **_: Any) -> None:
        # aiobotocore awaits coroutine handlers; returning None lets the request go out.
        service, operation = _service_and_operation(event_name)
        await self.limiter.wait(operation, service)

    def _count_request(self, event_name: str, **_: Any) -> None:
        # event_name: "before-send.ecs.ListServices"
        self.stats.sent[event_name.rsplit(".", 1)[-1]] += 1

    def _count_throttle(self, event_name: str, response: Any = None, **_: Any) -> None:
        if not response or not isinstance(response, tuple) or len(response) < 2:
            return
        parsed = response[1] or {}
        code = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        if code in THROTTLE_CODES:
            self.stats.throttled[event_name.rsplit(".", 1)[-1]] += 1
            self.stats.last_throttle_at = time.monotonic()
            service, operation = _service_and_operation(event_name)
            self.limiter.on_throttle(operation, service)

    async def _client(self, service: str, region: str | None = None) -> Any:
        # A client for another region than the session's is kept under "<service>@<region>".
        key = service if region is None or region == self.region else f"{service}@{region}"
        async with self._client_lock:
            client = self._clients.get(key)
            if client is None:
                try:
                    creator = self._session.create_client(
                        service,  # type: ignore[call-overload]
                        region_name=region or self.region,
                        endpoint_url=self.target.endpoint_url,
                        config=self._config,
                        verify=self._verify,
                    )
                    client = await self._stack.enter_async_context(creator)
                except Exception as exc:
                    raise self.error_from(exc) from exc
                self._clients[key] = client
                await self._note_credentials()
            return client

    async def _note_credentials(self) -> None:
        if self.temporary_credentials is not None:
            return
        try:
            # Resolved already for the client just made: the session hands back the same object.
            credentials = await self._session.get_credentials()
            frozen = await credentials.get_frozen_credentials() if credentials is not None else None
        except Exception:  # said by the request that needs them
            return
        if frozen is not None:
            self.temporary_credentials = bool(frozen.token)

    async def ecs(self) -> ECSClient:
        client: ECSClient = await self._client("ecs")
        return client

    async def ecs_no_retry(self) -> ECSClient:
        """An ECS client that sends each request exactly once, for calls that are unsafe to repeat.

        botocore's standard mode retries timeouts, dropped connections and 5xx answers. For a call that is
        not idempotent (RegisterTaskDefinition) that can register two revisions when the first request
        succeeded but its answer was lost; the caller retries such calls itself, only when AWS refused them.
        """
        client: ECSClient = await self._no_retry_client("ecs")
        return client

    async def _no_retry_client(self, service: str) -> Any:
        async with self._client_lock:
            client: Any = self._clients.get(f"{service}:no-retry")
            if client is None:
                config = self._config.merge(AioConfig(retries={"mode": "standard", "total_max_attempts": 1}))
                try:
                    creator = self._session.create_client(
                        service,  # type: ignore[call-overload]
                        region_name=self.region,
                        endpoint_url=self.target.endpoint_url,
                        config=config,
                    )
                    client = await self._stack.enter_async_context(creator)
                except Exception as exc:
                    raise self.error_from(exc) from exc
                self._clients[f"{service}:no-retry"] = client
        return client

    async def elbv2(self) -> ElasticLoadBalancingv2Client:
        client: ElasticLoadBalancingv2Client = await self._client("elbv2")
        return client

    async def logs(self, region: str | None = None) -> CloudWatchLogsClient:
        """CloudWatch Logs of the session's region, or of `region` (a container's awslogs-region may differ)."""
        client: CloudWatchLogsClient = await self._client("logs", region)
        return client

    async def cloudwatch(self) -> CloudWatchClient:
        client: CloudWatchClient = await self._client("cloudwatch")
        return client

    async def ec2(self) -> EC2Client:
        client: EC2Client = await self._client("ec2")
        return client

    # No type stubs for IAM and Auto Scaling are installed (types-aiobotocore-iam, -autoscaling): Any.
    async def iam(self) -> Any:
        """IAM is global: its endpoint is the same whatever the region; the client signs for this one."""
        return await self._client("iam")

    async def iam_no_retry(self) -> Any:
        """An IAM client that sends each request once (CreateRole is not idempotent; see ecs_no_retry)."""
        return await self._no_retry_client("iam")

    # No stubs for SSM (types-aiobotocore-ssm): Any. ECS Exec's port forwards are SSM sessions.
    async def ssm(self) -> Any:
        return await self._client("ssm")

    async def autoscaling(self) -> Any:
        return await self._client("autoscaling")

    async def application_autoscaling(self) -> ApplicationAutoScalingClient:
        client: ApplicationAutoScalingClient = await self._client("application-autoscaling")
        return client

    # No stubs for EventBridge Scheduler and EventBridge (types-aiobotocore-scheduler, -events): Any.
    async def scheduler(self) -> Any:
        return await self._client("scheduler")

    async def events(self) -> Any:
        return await self._client("events")

    async def no_retry(self, service: str) -> Any:
        """A client of `service` (botocore's name: "elbv2", "scheduler"…) that sends each request once, for
        calls that are unsafe to repeat (see ecs_no_retry)."""
        return await self._no_retry_client(service)

    # No stubs for STS (types-aiobotocore-sts): Any. Which account the credentials are of (see ecstui.aws.account).
    async def sts(self) -> Any:
        return await self._client("sts")

    async def credentials_problem(self) -> str | None:
        """A sentence saying why this session's credentials cannot be used (an expired SSO session, a profile
        that does not exist, none at all), or None when they resolve. Nothing is sent to ECS."""
        try:
            credentials = await self._session.get_credentials()
            if credentials is None:
                return "No AWS credentials found for " + (
                    f"profile {self.profile_in_use}." if self.profile_in_use else "this session."
                )
            await credentials.get_frozen_credentials()
        except Exception as exc:
            return to_aws_error(exc, profile=self.profile_in_use).message
        return None

    async def missing_configuration(self) -> str | None:
        """A sentence saying what stops ecstui from reaching AWS (no credentials, no region), or None."""
        if not self.region:
            return "No AWS region is set: pass --region or set AWS_REGION (or try `ecstui --demo`)."
        try:
            credentials = await self._session.get_credentials()
        except Exception as exc:
            return f"{to_aws_error(exc, profile=self.profile_in_use).message} (Or try `ecstui --demo`.)"
        if credentials is None:
            return (
                "No AWS credentials found: set AWS_PROFILE, pass --profile, or run `aws configure` "
                "(or try `ecstui --demo`, which needs none)."
            )
        return None

    async def close(self) -> None:
        await self._stack.aclose()
        self._clients.clear()

    async def __aenter__(self) -> AwsSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


__all__ = ["AwsError", "AwsSession", "AwsTarget", "RequestStats"]
