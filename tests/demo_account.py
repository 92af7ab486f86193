"""The demo's account as tests start from it: seeded once per test process with every timestamp fixed, then
restored for each test (moto's backends, moto's random stream and the simulator's state)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from ecstui.emulator import scheduler_hooks, snapshot
from ecstui.emulator.seed import seed_demo, start_bad_rollouts
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator

FIXED_NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
REGION = "us-east-1"


_demo_snapshot: list[snapshot.Snapshot] = []


def demo_snapshot(emulator: EmulatorServer, simulator: Simulator) -> snapshot.Snapshot:
    """The demo account as the first test of this process seeded it (with `simulator`, on a reset emulator)."""
    if not _demo_snapshot:
        emulator.reset()
        emulator.seed_ids(42)
        # The bad rollouts are shipped 20 minutes before FIXED_NOW.
        with wall_clock_at(FIXED_NOW - timedelta(minutes=20)):
            seed_demo(emulator.endpoint_url, REGION)
            simulator.warm_start(now=FIXED_NOW)
            start_bad_rollouts(emulator.endpoint_url, REGION)
            for _ in range(4):
                simulator.step(FIXED_NOW)
        _demo_snapshot.append(snapshot.take(emulator, simulator))
    return _demo_snapshot[0]


@contextmanager
def wall_clock_at(moment: datetime) -> Iterator[None]:
    """The emulator's wall clock (what UpdateService and CreateService stamp deployments with) held at `moment`.

    Tests render ages against FIXED_NOW; a stamp taken from the real clock while seeding made snapshots depend
    on the hour they ran (and on how near the machine's clock was to FIXED_NOW).
    """
    real = scheduler_hooks.utcnow
    scheduler_hooks.utcnow = lambda: moment
    try:
        yield
    finally:
        scheduler_hooks.utcnow = real
