"""The demo's seed cache: a saved account comes back (every stored time moved to now); anything else reseeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecstui.emulator import seed_cache
from ecstui.emulator.demo import Demo
from ecstui.emulator.seed_cache import SeedCache
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.conftest import REGION, boto_client

LATER = timedelta(hours=3)


def small_account(emulator: EmulatorServer) -> tuple[datetime, int]:
    """A cluster with a service and a log line; returns the service's createdAt and the line's timestamp."""
    ecs = boto_client(emulator, "ecs")
    ecs.create_cluster(clusterName="kept")
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}])
    created = ecs.create_service(cluster="kept", serviceName="web", taskDefinition="web", desiredCount=0)
    logs = boto_client(emulator, "logs")
    logs.create_log_group(logGroupName="/ecs/web")
    logs.create_log_stream(logGroupName="/ecs/web", logStreamName="web/1")
    stamp = int(datetime.now(UTC).timestamp() * 1000)
    logs.put_log_events(
        logGroupName="/ecs/web", logStreamName="web/1", logEvents=[{"timestamp": stamp, "message": "up"}]
    )
    return created["service"]["createdAt"], stamp


def clusters(emulator: EmulatorServer) -> list[str]:
    return sorted(arn.rsplit("/", 1)[1] for arn in boto_client(emulator, "ecs").list_clusters()["clusterArns"])


def service_created_at(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "ecs").describe_services(cluster="kept", services=["web"])["services"][0]["createdAt"]


def log_timestamp(emulator: EmulatorServer) -> int:
    events = boto_client(emulator, "logs").get_log_events(logGroupName="/ecs/web", logStreamName="web/1")["events"]
    return int(events[0]["timestamp"])


def test_a_saved_account_comes_back_with_every_time_moved_forward_by_its_age(
    emulator: EmulatorServer, simulator: Simulator, tmp_path: Path
) -> None:
    created, stamp = small_account(emulator)
    simulator.tick = 41
    cache = SeedCache("key-1", tmp_path)
    cache.save(emulator, simulator)
    emulator.reset()
    simulator.tick = 0
    assert clusters(emulator) == []

    assert cache.load(emulator, simulator, now=datetime.now(UTC) + LATER)
    assert clusters(emulator) == ["kept"]
    assert simulator.tick == 41
    assert abs(service_created_at(emulator) - (created + LATER)) < timedelta(minutes=1)
    assert abs(log_timestamp(emulator) - (stamp + LATER.total_seconds() * 1000)) < 60_000


def test_no_file_is_a_miss(emulator: EmulatorServer, simulator: Simulator, tmp_path: Path) -> None:
    assert not SeedCache("key-1", tmp_path / "nothing-here").load(emulator, simulator)


def test_a_file_made_with_another_key_is_a_miss_and_leaves_the_account_alone(
    emulator: EmulatorServer, simulator: Simulator, tmp_path: Path
) -> None:
    small_account(emulator)
    SeedCache("old-code", tmp_path).save(emulator, simulator)
    emulator.reset()
    assert not SeedCache("new-code", tmp_path).load(emulator, simulator)
    assert clusters(emulator) == []


@pytest.mark.parametrize("damage", [b"", b"not a pickle at all", b"\x00" * 8 + b"junk"])
def test_a_corrupt_file_is_a_miss_and_saving_again_repairs_it(
    emulator: EmulatorServer, simulator: Simulator, tmp_path: Path, damage: bytes
) -> None:
    small_account(emulator)
    cache = SeedCache("key-1", tmp_path)
    cache.save(emulator, simulator)
    cache.path.write_bytes(cache.path.read_bytes()[:2000] if damage == b"" else damage)
    assert not cache.load(emulator, simulator)
    assert clusters(emulator) == ["kept"]  # a miss leaves the account as it was

    cache.save(emulator, simulator)
    emulator.reset()
    assert cache.load(emulator, simulator)
    assert clusters(emulator) == ["kept"]


def test_the_key_changes_with_the_emulator_code_moto_and_the_scenario(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "seed.py").write_text("SERVICES = 3\n", encoding="utf-8")
    monkeypatch.setattr(seed_cache, "EMULATOR_DIR", tmp_path)
    before = seed_cache.cache_key("demo", REGION, 7)
    assert seed_cache.cache_key("demo", REGION, 7) == before
    assert seed_cache.cache_key("hostile", REGION, 7) != before
    assert seed_cache.cache_key("demo", REGION, 8) != before

    (tmp_path / "seed.py").write_text("SERVICES = 4\n", encoding="utf-8")
    after_edit = seed_cache.cache_key("demo", REGION, 7)
    assert after_edit != before

    import moto

    monkeypatch.setattr(moto, "__version__", "0.0.1")
    assert seed_cache.cache_key("demo", REGION, 7) != after_edit


def test_the_demo_seeds_once_then_starts_from_the_cache_with_the_same_account(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    shown: list[list[str]] = []
    restored: list[bool] = []
    for _ in range(2):
        demo = Demo(simulate=False, cache_dir=tmp_path)
        demo.start()
        try:
            ecs = boto_client(demo.server, "ecs")
            arns = ecs.list_clusters()["clusterArns"]
            shown.append(sorted(arn for cluster in arns for arn in ecs.list_services(cluster=cluster)["serviceArns"]))
            restored.append(demo.restored_from_cache)
        finally:
            demo.stop()
    assert restored == [False, True]
    assert shown[0] and shown[1] == shown[0]
