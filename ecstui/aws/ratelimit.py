"""A client-side token bucket per throttling category of each AWS service ecstui calls, so that it uses only a share
of the account's quota (the rest belongs to the deploy pipelines and everything else calling the same account)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ThrottleCategory:
    """One ECS API action category: a token bucket shared by its operations, per account and region."""

    name: str
    burst: int  # bucket maximum capacity
    sustained: float  # bucket refill per second
    operations: frozenset[str]


def _category(name: str, burst: int, sustained: float, operations: str) -> ThrottleCategory:
    return ThrottleCategory(name, burst, sustained, frozenset(operations.split()))


# Every category of "Request throttling for the Amazon ECS API" (ECS API Reference; the same in all regions):
# name, bucket maximum capacity (burst), refill per second (sustained), operations. The page spells
# "UpdateContainerInstancesStates"; the API operation is UpdateContainerInstancesState.
ECS_THROTTLE_CATEGORIES: dict[str, ThrottleCategory] = {
    c.name: c
    for c in (
        _category(
            "cluster modify",
            20,
            1,
            "CreateCluster DeleteCluster PutClusterCapacityProviders UpdateCluster UpdateClusterSettings",
        ),
        _category("cluster read", 50, 20, "DescribeClusters ListClusters"),
        _category("task definition modify", 20, 1, "DeregisterTaskDefinition RegisterTaskDefinition"),
        _category(
            "task definition read",
            50,
            20,
            "DescribeTaskDefinition ListTaskDefinitions ListTaskDefinitionFamilies",
        ),
        _category("task definition deletion", 5, 1, "DeleteTaskDefinitions"),
        _category(
            "capacity provider modify",
            10,
            1,
            "CreateCapacityProvider DeleteCapacityProvider UpdateCapacityProvider",
        ),
        _category("capacity provider read", 50, 20, "DescribeCapacityProviders"),
        _category("tag modify", 20, 10, "TagResource UntagResource"),
        _category("tag read", 50, 20, "ListTagsForResource"),
        _category("setting modify", 10, 1, "DeleteAccountSetting PutAccountSetting PutAccountSettingDefault"),
        _category("setting read", 50, 20, "ListAccountSettings"),
        _category(
            "cluster resource modify",
            100,
            40,
            "DeleteAttributes DeregisterContainerInstance ExecuteCommand PutAttributes RunTask "
            "StartTask StopTask UpdateContainerAgent UpdateContainerInstancesState",
        ),
        _category(
            "cluster resource read",
            100,
            20,
            "DescribeContainerInstances DescribeTasks ListAttributes ListContainerInstances ListTasks",
        ),
        _category(
            "agent modify",
            200,
            120,
            "RegisterContainerInstance SubmitAttachmentStateChanges SubmitContainerStateChange SubmitTaskStateChange",
        ),
        _category("service modify", 50, 5, "CreateService DeleteService UpdateService"),
        _category("service read", 100, 20, "DescribeServices ListServices"),
        _category("service deployment", 50, 20, "DescribeServiceDeployments ListServiceDeployments"),
        _category("service revision", 50, 20, "DescribeServiceRevisions"),
        _category("task protection", 200, 80, "UpdateTaskProtection GetTaskProtection"),
        _category("cluster service resource read", 10, 1, "ListServicesByNamespace"),
    )
}


def ecs_category(
    operation: str, categories: Mapping[str, ThrottleCategory] = ECS_THROTTLE_CATEGORIES
) -> ThrottleCategory | None:
    """The throttling category of an ECS operation, or None for one ECS does not list."""
    for category in categories.values():
        if operation in category.operations:
            return category
    return None


# The other services ecstui calls, by botocore's event name of the service (its service id, hyphenated: the
# name `before-send.<service>.<Operation>` carries). Each service's categories end with one that has no
# operations: every operation not listed falls into it, so nothing new goes out unmetered. Where AWS publishes
# token buckets, those are the numbers; where it publishes requests per second (TPS) only, burst = sustained =
# the TPS; where it publishes nothing, a figure below what the similar services publish, and said so.
def _service_category(name: str, burst: int, sustained: float, operations: str = "") -> ThrottleCategory:
    return ThrottleCategory(name, burst, sustained, frozenset(operations.split()))


SERVICE_THROTTLE_CATEGORIES: dict[str, tuple[ThrottleCategory, ...]] = {
    # "Request throttling for the ELB API" (ELB user guide): ELB API version 2 has its own buckets; non-mutating
    # (Describe*) 40 tokens, refilled 10 a second. Mutating actions are lower there; 20 and 2 stays below them.
    "elastic-load-balancing-v2": (
        _service_category(
            "elbv2 describe",
            40,
            10,
            "DescribeLoadBalancers DescribeListeners DescribeRules DescribeTargetGroups DescribeTargetHealth "
            "DescribeTags DescribeLoadBalancerAttributes DescribeTargetGroupAttributes DescribeListenerAttributes",
        ),
        _service_category("elbv2 modify", 20, 2),
    ),
    # "Request throttling for the Amazon EC2 API" (EC2 developer guide): non-mutating actions 100 tokens,
    # refilled 20 a second; mutating actions 200 and 5 a second (ecstui only reads EC2).
    "ec2": (
        _service_category(
            "ec2 describe",
            100,
            20,
            "DescribeVpcs DescribeSubnets DescribeSecurityGroups DescribeRouteTables DescribeInternetGateways "
            "DescribeNetworkInterfaces DescribeInstances DescribeLaunchTemplates DescribeLaunchTemplateVersions",
        ),
        _service_category("ec2 modify", 200, 5),
    ),
    # IAM publishes no request rates ("IAM and AWS STS quotas" lists object counts only), and its endpoint is
    # global: every region's callers of the account share it. Kept well below ELB's figures.
    "iam": (
        _service_category(
            "iam read",
            20,
            5,
            "ListRoles GetRole ListAttachedRolePolicies ListRolePolicies ListEntitiesForPolicy SimulatePrincipalPolicy",
        ),
        _service_category("iam modify", 10, 1),
    ),
    # Amazon EC2 Auto Scaling's API Reference says it throttles ("API request rate") without the numbers; the
    # same 40 and 10 as ELB's Describe*, the sibling service that publishes them.
    "auto-scaling": (
        _service_category("autoscaling describe", 40, 10, "DescribeAutoScalingGroups DescribeAutoScalingInstances"),
        _service_category("autoscaling modify", 10, 1),
    ),
    # Application Auto Scaling publishes no request rates either; its Describe* are also what the service's own
    # scaling and the console call, so a share of a small bucket.
    "application-auto-scaling": (
        _service_category(
            "app autoscaling describe",
            40,
            10,
            "DescribeScalableTargets DescribeScalingPolicies DescribeScheduledActions DescribeScalingActivities",
        ),
        _service_category("app autoscaling modify", 10, 1),
    ),
    # "Quotas for EventBridge Scheduler": CreateSchedule, DeleteSchedule, GetSchedule, ListSchedules and
    # UpdateSchedule 50 requests per second each (the other APIs 10).
    "scheduler": (
        _service_category("scheduler read", 50, 50, "GetSchedule ListSchedules"),
        _service_category("scheduler modify", 50, 50, "CreateSchedule DeleteSchedule UpdateSchedule"),
        _service_category("scheduler other", 10, 10),
    ),
    # "Amazon EventBridge quotas": the rule and target APIs are limited per account and region at 50 requests per
    # second for reads (DescribeRule, ListRules, ListTargetsByRule, ListRuleNamesByTarget); writes less in some
    # regions, so 10.
    "eventbridge": (
        _service_category("events read", 50, 50, "DescribeRule ListRules ListTargetsByRule ListRuleNamesByTarget"),
        _service_category("events modify", 10, 10),
    ),
    # "AWS Systems Manager endpoints and quotas" lists Session Manager's APIs without a rate ecstui can rely on;
    # sessions are started one at a time by a person (a port forward, a shell's end), so small buckets: 3 a
    # second for the session calls, 5 for anything else of SSM.
    "ssm": (
        _service_category("ssm sessions", 3, 3, "StartSession TerminateSession ResumeSession"),
        _service_category("ssm other", 5, 5),
    ),
    # "CloudWatch Logs quotas": GetLogEvents and FilterLogEvents 25 TPS, DescribeLogStreams 25, DescribeLogGroups
    # 10, StartLiveTail 10, CreateLogGroup 5; PutLogEvents (the tasks' own, not ecstui's) 5,000.
    "cloudwatch-logs": (
        _service_category("logs read", 25, 25, "GetLogEvents FilterLogEvents DescribeLogStreams"),
        _service_category("logs describe groups", 10, 10, "DescribeLogGroups StartLiveTail"),
        _service_category("logs modify", 5, 5),
    ),
    # "CloudWatch service quotas": GetMetricData 50 TPS, ListMetrics 25, DescribeAlarms 9, PutMetricAlarm and
    # DeleteAlarms 3.
    "cloudwatch": (
        _service_category("cloudwatch metrics", 50, 50, "GetMetricData"),
        _service_category("cloudwatch alarms", 9, 9, "DescribeAlarms DescribeAlarmsForMetric ListMetrics"),
        _service_category("cloudwatch modify", 3, 3),
    ),
}


def service_category(
    operation: str, service: str, categories: Mapping[str, Sequence[ThrottleCategory]] = SERVICE_THROTTLE_CATEGORIES
) -> ThrottleCategory | None:
    """The category of an operation of a service other than ECS: its own, else the service's catch-all; None
    for a service ecstui does not meter."""
    listed = categories.get(service)
    if not listed:
        return None
    for category in listed:
        if operation in category.operations:
            return category
    catch_all = [category for category in listed if not category.operations]
    return catch_all[0] if catch_all else None


# Why half: the account's buckets are shared by everything that calls ECS in that region, among them the
# deploy pipelines (UpdateService, DescribeServices while waiting for a rollout) and Application Auto
# Scaling (DescribeServices, UpdateService). A console that drains a bucket makes a deploy fail or an
# autoscaling step wait. Half leaves the other half to them and still lets ecstui list and describe 2,000
# services (20 ListServices pages, 200 DescribeServices) in about 17 s: 50 calls at once, then 10 a second.
DEFAULT_SHARE = 0.5

_EPSILON = 1e-9

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Work nobody is looking at (the start-up triage sweep) runs at a lower share than what is on screen: under
# background_requests(), a call takes a token only from the upper half of its bucket and never queues ahead of
# the calls on screen, so those always find at least half the bucket. Tasks copy the context when they are made,
# so every request a background sweep fans out into is background too.
_BACKGROUND: contextvars.ContextVar[bool] = contextvars.ContextVar("ecstui_background_requests", default=False)


@contextmanager
def background_requests() -> Iterator[None]:
    """Within this context (and the tasks started in it), AWS calls use the buckets' background share."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


def in_background() -> bool:
    return _BACKGROUND.get()


@dataclass(frozen=True)
class CategoryStatus:
    """One category as the status line and the :stats view see it."""

    name: str
    share: float  # of AWS's sustained rate in use now (the configured share, lowered after throttles)
    granted: int
    throttles: int
    last_throttle_at: float | None


@dataclass
class _CategoryState:
    category: ThrottleCategory
    tokens: float
    updated_at: float
    factor: float = 1.0  # AIMD multiplier of the configured share
    last_decrease_at: float | None = None
    last_throttle_at: float | None = None
    granted: int = 0
    background_granted: int = 0  # of `granted`, those taken under background_requests()
    throttles: int = 0
    # Waiters queue per event loop (an asyncio.Lock belongs to one); the launch's listing runs on a loop of its
    # own, on its own thread, and spends the same tokens (the limiter's guard makes each take atomic).
    queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = field(
        default_factory=weakref.WeakKeyDictionary
    )

    def queue(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self.queues.get(loop)
        if lock is None:
            lock = self.queues.setdefault(loop, asyncio.Lock())
        return lock


class EcsRateLimiter:
    """Token buckets at `share` of each category's burst and sustained rate (ECS's and the other services'),
    backing off on throttles.

    Waiters of one category are served in arrival order (one asyncio.Lock per category; only the head
    sleeps, for exactly as long as its token takes to arrive). On a throttle the category's refill rate is
    halved (at most once per `decrease_interval`, since a burst of throttles is one signal) down to
    `min_factor` of the configured rate, and grows back linearly by `recovery_per_second` of it.

    The bucket's size stays: tokens only accumulate at the lowered rate, so a burst is what a quiet spell
    earned. Nor are tokens taken away on a throttle: botocore already waits (with jitter) before a retry,
    and emptying the bucket as well would double the wait of every user action that meets one throttle.
    """

    def __init__(
        self,
        share: float = DEFAULT_SHARE,
        *,
        categories: Mapping[str, ThrottleCategory] = ECS_THROTTLE_CATEGORIES,
        service_categories: Mapping[str, Sequence[ThrottleCategory]] = SERVICE_THROTTLE_CATEGORIES,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        min_factor: float = 0.125,
        recovery_per_second: float = 0.05,
        decrease_interval: float = 1.0,
        recent_seconds: float = 10.0,
    ) -> None:
        if not 0.0 < share <= 1.0:
            raise ValueError(f"share must be within (0, 1], not {share}")
        self.share = share
        self.categories = categories
        self.service_categories = service_categories
        self._clock = clock
        self._sleep = sleep
        self.min_factor = min_factor
        self.recovery_per_second = recovery_per_second
        self.decrease_interval = decrease_interval
        self.recent_seconds = recent_seconds
        self._states: dict[str, _CategoryState] = {}
        # Token arithmetic may run on two threads at once (the launch listing's and the UI's): one at a time.
        self._guard = threading.Lock()

    def _state(self, operation: str, service: str) -> _CategoryState | None:
        if service == "ecs":
            category = ecs_category(operation, self.categories)
        else:
            category = service_category(operation, service, self.service_categories)
        if category is None:
            return None
        state = self._states.get(category.name)
        if state is None:
            with self._guard:
                state = self._states.get(category.name)
                if state is None:
                    state = _CategoryState(category, tokens=self._capacity(category), updated_at=self._clock())
                    self._states[category.name] = state
        return state

    def _capacity(self, category: ThrottleCategory) -> float:
        # Never below one token, or a tiny share of a small bucket would never grant anything.
        return max(1.0, category.burst * self.share)

    def _rate(self, state: _CategoryState) -> float:
        return state.category.sustained * self.share * state.factor

    def _refresh(self, state: _CategoryState, now: float) -> None:
        elapsed = max(0.0, now - state.updated_at)
        # Refill at the rate in force since the last refresh; the factor only grows in between, so this
        # never grants more than the bucket allowed.
        state.tokens = min(self._capacity(state.category), state.tokens + elapsed * self._rate(state))
        if state.factor < 1.0:
            state.factor = min(1.0, state.factor + elapsed * self.recovery_per_second)
        state.updated_at = now

    async def wait(self, operation: str, service: str = "ecs") -> None:
        """Return when one request of `operation` may be sent; at once for operations without a category."""
        state = self._state(operation, service)
        if state is None:
            return
        if _BACKGROUND.get():
            await self._wait_in_background(state)
            return
        async with state.queue():
            while True:
                with self._guard:
                    self._refresh(state, self._clock())
                    # The tolerance absorbs rounding: a wait for 1e-16 of a token would not move a float clock.
                    if state.tokens >= 1.0 - _EPSILON:
                        state.tokens -= 1.0
                        state.granted += 1
                        return
                    delay = (1.0 - state.tokens) / self._rate(state)
                # Re-checked after the sleep: a throttle meanwhile lowers the rate.
                await self._sleep(delay)

    async def _wait_in_background(self, state: _CategoryState) -> None:
        # Not in the category's queue: a background waiter holding it while the bucket refills past half would
        # make every call on screen wait behind it. It takes a token only while the bucket stays above half (a
        # full one, for a bucket too small to halve) and no call on screen is waiting for one.
        floor = min(self._capacity(state.category), self._capacity(state.category) / 2 + 1.0)
        while True:
            with self._guard:
                self._refresh(state, self._clock())
                foreground_waiting = any(lock.locked() for lock in list(state.queues.values()))
                if state.tokens >= floor - _EPSILON and not foreground_waiting:
                    state.tokens -= 1.0
                    state.granted += 1
                    state.background_granted += 1
                    return
                delay = max(floor - state.tokens, 1.0) / self._rate(state)
            await self._sleep(delay)

    @asynccontextmanager
    async def acquire(self, operation: str, service: str = "ecs") -> AsyncIterator[None]:
        await self.wait(operation, service)
        yield

    def on_throttle(self, operation: str, service: str = "ecs") -> None:
        """AWS throttled a request of `operation`: its bucket is empty, so slow the whole category down."""
        state = self._state(operation, service)
        if state is None:
            return
        with self._guard:
            now = self._clock()
            self._refresh(state, now)
            state.throttles += 1
            state.last_throttle_at = now
            if state.last_decrease_at is None or now - state.last_decrease_at >= self.decrease_interval:
                state.factor = max(self.min_factor, state.factor / 2.0)
                state.last_decrease_at = now

    def background_granted(self) -> int:
        """Calls let through under background_requests() so far, over every category."""
        with self._guard:
            return sum(state.background_granted for state in self._states.values())

    def status(self) -> list[CategoryStatus]:
        """Every category used so far, slowest first."""
        result = []
        with self._guard:
            now = self._clock()
            states = list(self._states.values())
            for state in states:
                self._refresh(state, now)
        for state in states:
            result.append(
                CategoryStatus(
                    state.category.name,
                    self.share * state.factor,
                    state.granted,
                    state.throttles,
                    state.last_throttle_at,
                )
            )
        return sorted(result, key=lambda s: (s.share, s.name))

    @property
    def throttled_recently(self) -> bool:
        now = self._clock()
        return any(
            s.last_throttle_at is not None and now - s.last_throttle_at < self.recent_seconds
            for s in list(self._states.values())
        )

    @property
    def backing_off(self) -> bool:
        """Some category runs below the configured share because AWS throttled it."""
        return any(s.share < self.share for s in self.status())

    def status_line(self) -> str | None:
        """A short sentence for the status line while AWS throttles or ecstui is backing off, else None."""
        slowed = [s for s in self.status() if s.share < self.share]
        if not slowed and not self.throttled_recently:
            return None
        if not slowed:
            return "AWS is throttling ecstui's calls; ecstui retries."
        slowest = slowed[0]
        more = f" (+{len(slowed) - 1} more)" if len(slowed) > 1 else ""
        quota = "the ECS quota" if slowest.name in self.categories else "its quota"
        return f"AWS throttling: {slowest.name} calls slowed to {slowest.share:.0%} of {quota}{more}."
