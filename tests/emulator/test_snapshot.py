"""A restored snapshot of the emulated account continues exactly as the account it was taken from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.ecs import models as ecs_models

from ecstui.aws.session import AwsTarget
from ecstui.emulator import scheduler_hooks, snapshot
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.conftest import REGION, boto_client

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


def _without_metadata(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_metadata(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_without_metadata(v) for v in value]
    return value


def everything(emulator: EmulatorServer) -> dict[str, Any]:
    """What the account holds, as the API describes it."""
    ecs = boto_client(emulator, "ecs")
    elbv2 = boto_client(emulator, "elbv2")
    logs = boto_client(emulator, "logs")
    seen: dict[str, Any] = {"clusters": ecs.describe_clusters(clusters=["prod", "batch", "staging"])}
    for cluster in ("prod", "batch", "staging"):
        names = ecs.list_services(cluster=cluster, maxResults=100)["serviceArns"]
        seen[f"{cluster}/services"] = ecs.describe_services(cluster=cluster, services=names[:10], include=["TAGS"])
        for status in ("RUNNING", "STOPPED"):
            arns = ecs.list_tasks(cluster=cluster, desiredStatus=status, maxResults=100)["taskArns"]
            if arns:
                seen[f"{cluster}/{status}"] = ecs.describe_tasks(cluster=cluster, tasks=arns)
    for group in elbv2.describe_target_groups()["TargetGroups"]:
        seen[group["TargetGroupName"]] = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
    seen["log groups"] = logs.describe_log_groups()
    return _without_metadata(seen)


def go_on(emulator: EmulatorServer, sim: Simulator) -> dict[str, Any]:
    """Change the account the way tests do (new ids, simulator decisions), then describe it."""
    ecs = boto_client(emulator, "ecs")
    ecs.update_service(cluster="prod", service="web", desiredCount=12)
    ecs.update_service(cluster="prod", service="api", forceNewDeployment=True)
    for i in range(3):
        sim.step(NOW + timedelta(seconds=5 * (i + 1)))
    return everything(emulator)


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # UpdateService stamps deployments with the wall clock (the simulator's hooks, and moto itself on a forced
    # new deployment); both runs must see the same one.
    monkeypatch.setattr(scheduler_hooks, "utcnow", lambda: NOW)
    monkeypatch.setattr(ecs_models, "utcnow", lambda: NOW)


def test_a_restored_account_continues_as_the_saved_one_would_have(
    emulator: EmulatorServer, demo_account: AwsTarget, simulator: Simulator, fixed_clock: None
) -> None:
    saved = snapshot.take(emulator, simulator)
    at_save = everything(emulator)
    original = go_on(emulator, simulator)
    assert original != at_save  # going on did change something
    snapshot.restore(emulator, saved, simulator)  # the simulator's own state goes back too (its random numbers)
    assert everything(emulator) == at_save
    assert go_on(emulator, simulator) == original
    snapshot.restore(emulator, saved, simulator)  # and what that restore's user changed is gone again
    assert everything(emulator) == at_save


def test_restore_empties_what_was_there_and_wants_simulator_state_only_if_saved(emulator: EmulatorServer) -> None:
    ecs = boto_client(emulator, "ecs")
    ecs.create_cluster(clusterName="kept")
    saved = snapshot.take(emulator)
    ecs.create_cluster(clusterName="dropped")
    snapshot.restore(emulator, saved)
    assert [arn.rsplit("/", 1)[-1] for arn in ecs.list_clusters()["clusterArns"]] == ["kept"]
    sim = Simulator(emulator, region=REGION)
    try:
        with pytest.raises(ValueError):
            snapshot.restore(emulator, saved, sim)
    finally:
        sim.stop()
