"""The demo account in the emulator, driven step by step, for the load-balancing and triage tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator import snapshot
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.demo_account import FIXED_NOW, REGION, demo_snapshot

STEP = timedelta(seconds=5)


def seed_demo_account(emulator: EmulatorServer, simulator: Simulator) -> AwsTarget:
    """The demo's account converged at FIXED_NOW with its broken services already broken, every stamp fixed (the
    same account the UI tests start from)."""
    snapshot.restore(emulator, demo_snapshot(emulator, simulator), simulator)
    emulator.log.clear()
    return AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url)


def step_until(
    simulator: Simulator, condition: Callable[[], bool], start: datetime = FIXED_NOW, limit: int = 40
) -> datetime:
    """Step the simulator (5 s of simulated time a step) until `condition` holds; the time it holds at."""
    now = start
    for _ in range(limit):
        with simulator.server.lock:
            if condition():
                return now
        now += STEP
        simulator.step(now)
    raise AssertionError(f"the simulator never reached {condition} in {limit} steps")


def target_states(simulator: Simulator, target_group_name: str) -> list[str]:
    """What DescribeTargetHealth would say of the group's targets, read from the simulator's side."""
    group = next(tg for tg in simulator.elbv2.target_groups.values() if tg.name == target_group_name)
    return [state for state, _, _ in getattr(group, "_ecstui_health", {}).values()]


def deployments(simulator: Simulator, cluster: str, service: str) -> list[dict[str, Any]]:
    return list(simulator.ecs.services[f"{cluster}:{service}"].deployments)


def spy(client: Any, method: str) -> list[dict[str, Any]]:
    """Record the parameters of every call of one client method (ELBv2 is a query protocol: the emulator's request
    log keeps no body for it)."""
    calls: list[dict[str, Any]] = []
    original = getattr(client, method)

    async def recording(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return await original(**kwargs)

    setattr(client, method, recording)
    return calls


async def spy_elbv2(session: AwsSession, *methods: str) -> dict[str, list[dict[str, Any]]]:
    elbv2 = await session.elbv2()
    return {method: spy(elbv2, method) for method in methods}
