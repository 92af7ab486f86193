"""The hostile account (ecstui.emulator.hostile) as UI tests start from it: seeded once per process at FIXED_NOW,
restored for each test, with an audit log whose entries carry the same payloads."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ecstui.aws.audit import AuditLog
from ecstui.aws.session import AwsTarget
from ecstui.emulator import snapshot
from ecstui.emulator.hostile import HOSTILE, container_definitions, seed_hostile, stir_hostile
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.demo_account import FIXED_NOW, REGION, wall_clock_at

_hostile_snapshot: list[snapshot.Snapshot] = []


def hostile_snapshot(emulator: EmulatorServer, simulator: Simulator) -> snapshot.Snapshot:
    if not _hostile_snapshot:
        emulator.reset()
        emulator.seed_ids(42)
        with wall_clock_at(FIXED_NOW - timedelta(minutes=20)):
            seed_hostile(emulator.endpoint_url, REGION)
            simulator.warm_start(now=FIXED_NOW)
            stir_hostile(emulator.endpoint_url, simulator, REGION, now=FIXED_NOW)
        _hostile_snapshot.append(snapshot.take(emulator, simulator))
    return _hostile_snapshot[0]


@pytest.fixture
def hostile_account(emulator: EmulatorServer, simulator: Simulator) -> AwsTarget:
    snapshot.restore(emulator, hostile_snapshot(emulator, simulator), simulator)
    emulator.log.clear()
    return AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url)


def hostile_audit_log(path: Path) -> Path:
    """An audit log as ecstui would have written it after changes to the hostile account (the file is outside
    text too: another process, or a hand, may have written it)."""
    log = AuditLog(path)
    log.record(
        profile="default",
        region=REGION,
        action="register_task_definition",
        target="hostile-web",
        parameters={"containerDefinitions": container_definitions(REGION)},
        result=f"ClientException: {HOSTILE}",
    )
    log.record(
        profile="default",
        region=REGION,
        action="scale_service",
        target="hostile/web",
        parameters={"cluster": "hostile", "service": "web", "desiredCount": 3},
        # Scaled 1 -> 3 here, and the service wants 2 now: undo reads it and asks (a dialog to look at).
        before={"desiredCount": 1, "note": HOSTILE},
    )
    return path
