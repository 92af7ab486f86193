"""The services besides ECS (ELB, EC2, IAM, Auto Scaling, Scheduler, EventBridge, Logs, CloudWatch, SSM) are metered
too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ecstui.aws.ratelimit import SERVICE_THROTTLE_CATEGORIES, EcsRateLimiter, service_category
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.faults import THROTTLING, Faults
from ecstui.emulator.server import EmulatorServer
from tests.aws.test_ratelimit import FakeClock, _grant_times

# botocore's event names of the services ecstui calls: the keys the limiter must know.
EVERY_SERVICE_ECSTUI_CALLS = {
    "elastic-load-balancing-v2",
    "ec2",
    "iam",
    "auto-scaling",
    "application-auto-scaling",
    "scheduler",
    "eventbridge",
    "cloudwatch-logs",
    "cloudwatch",
    "ssm",
}


def test_every_service_ecstui_calls_has_buckets_and_a_catch_all() -> None:
    assert set(SERVICE_THROTTLE_CATEGORIES) == EVERY_SERVICE_ECSTUI_CALLS
    names = [c.name for categories in SERVICE_THROTTLE_CATEGORIES.values() for c in categories]
    assert len(names) == len(set(names)), "a category name says which service it meters"
    for service in EVERY_SERVICE_ECSTUI_CALLS:
        # An operation nobody listed yet still spends a token of its service.
        assert service_category("SomeFutureOperation", service) is not None
    assert service_category("DescribeSubnets", "ec2") == service_category("DescribeVpcs", "ec2")
    assert service_category("DescribeSubnets", "ec2").name == "ec2 describe"  # type: ignore[union-attr]
    assert service_category("GetLogEvents", "cloudwatch-logs").burst == 25  # type: ignore[union-attr]
    assert service_category("DescribeAutoScalingGroups", "unknown-service") is None


async def test_a_new_services_bucket_holds_its_share_and_refills_at_its_rate() -> None:
    clock = FakeClock()
    limiter = EcsRateLimiter(0.5, clock=clock, sleep=clock.sleep)

    async def grants(operation: str, service: str, count: int) -> list[float]:
        times: list[float] = []
        for _ in range(count):
            await limiter.wait(operation, service)
            times.append(clock.now - start)
        return times

    start = clock.now
    # ELB Describe*: 40 tokens, 10 a second; half of it is 20 at once, then 5 a second.
    elb = await grants("DescribeTargetHealth", "elastic-load-balancing-v2", 22)
    assert elb[:20] == [0.0] * 20
    assert elb[20:] == pytest.approx([0.2, 0.4])
    # Another service's bucket is its own: EC2's Describe* is still full.
    start = clock.now
    assert await grants("DescribeSubnets", "ec2", 50) == [0.0] * 50
    granted = {s.name: s.granted for s in limiter.status()}
    assert granted == {"elbv2 describe": 22, "ec2 describe": 50}


async def test_a_throttle_of_another_service_slows_only_its_category() -> None:
    clock = FakeClock()
    limiter = EcsRateLimiter(0.5, clock=clock, sleep=clock.sleep)
    await _grant_times(limiter, clock, ["DescribeServices"])
    await limiter.wait("ListSchedules", "scheduler")
    limiter.on_throttle("ListSchedules", "scheduler")
    shares = {s.name: s.share for s in limiter.status()}
    assert shares == {"scheduler read": pytest.approx(0.25), "service read": pytest.approx(0.5)}
    assert limiter.status_line() == "AWS throttling: scheduler read calls slowed to 25% of its quota."


@pytest.fixture
def faults(emulator: EmulatorServer) -> Iterator[Faults]:
    yield emulator.faults
    emulator.faults.reset()


async def test_the_session_meters_auto_scaling_requests_and_backs_off_on_their_throttles(
    emulator: EmulatorServer, target: AwsTarget, faults: Faults
) -> None:
    faults.inject("DescribeAutoScalingGroups", THROTTLING, count=1, service="autoscaling")
    async with AwsSession(target) as session:
        client = await session.autoscaling()
        await client.describe_auto_scaling_groups(MaxRecords=10)  # botocore retried the throttled one
        await (await session.ec2()).describe_vpcs()
        status = {s.name: s for s in session.limiter.status()}
    assert session.stats.throttled["DescribeAutoScalingGroups"] == 1
    assert status["autoscaling describe"].granted == 2  # each attempt spends a token
    assert status["autoscaling describe"].throttles == 1
    assert status["autoscaling describe"].share < 0.5  # halved, recovering since
    assert status["ec2 describe"].granted == 1
