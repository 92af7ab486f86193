"""The hostile seed writes its payloads through the API as real AWS would accept them, and they come back intact."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ecstui.emulator.hostile import (
    CLUSTER,
    FAMILY,
    HOSTILE,
    ROLLOUT,
    WEB,
    XML_HOSTILE,
    seed_hostile,
    stir_hostile,
)
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.conftest import boto_client


@pytest.fixture
def sim(emulator: EmulatorServer) -> Iterator[Simulator]:
    simulator = Simulator(emulator, chaos=False)
    yield simulator
    simulator.stop()


def test_every_free_field_comes_back_as_the_payload_and_names_keep_aws_rules(
    ecs: Any, emulator: EmulatorServer, sim: Simulator
) -> None:
    seed_hostile(emulator.endpoint_url)
    sim.warm_start()
    stir_hostile(emulator.endpoint_url, sim)

    app = ecs.describe_task_definition(taskDefinition=FAMILY)["taskDefinition"]["containerDefinitions"][0]
    assert app["image"].endswith(HOSTILE) and app["command"][-1] == HOSTILE and app["entryPoint"] == [HOSTILE]
    assert {"name": "VALUE", "value": HOSTILE} in app["environment"]
    assert app["healthCheck"]["command"][-1] == HOSTILE and app["dockerLabels"] == {HOSTILE: HOSTILE}
    assert app["user"] == HOSTILE and app["logConfiguration"]["options"]["tag"] == HOSTILE

    stopped = ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"]
    reasons = {t.get("stoppedReason") for t in ecs.describe_tasks(cluster=CLUSTER, tasks=stopped)["tasks"]}
    assert HOSTILE in reasons  # StopTask's reason, as the user wrote it
    assert any(HOSTILE in (reason or "") and "CannotPullContainerError" in reason for reason in reasons)
    running = ecs.describe_tasks(cluster=CLUSTER, tasks=ecs.list_tasks(cluster=CLUSTER)["taskArns"])["tasks"]
    assert f"service:{HOSTILE}" in {t.get("group") for t in running}

    services = ecs.describe_services(cluster=CLUSTER, services=[WEB, ROLLOUT])["services"]
    web = next(s for s in services if s["serviceName"] == WEB)
    assert any(HOSTILE in e["message"] for e in web["events"])
    assert HOSTILE in web["deployments"][0]["rolloutStateReason"]

    elbv2 = boto_client(emulator, "elbv2")
    group = elbv2.describe_target_groups(Names=["hostile-web"])["TargetGroups"][0]
    assert group["HealthCheckPath"].endswith(XML_HOSTILE)
    health = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]
    assert any(XML_HOSTILE in h["TargetHealth"].get("Description", "") for h in health)

    # Names follow ECS's own pattern: nothing hostile could be written there.
    containers = ecs.describe_task_definition(taskDefinition=FAMILY)["taskDefinition"]["containerDefinitions"]
    names = [CLUSTER, WEB, ROLLOUT, FAMILY, *(c["name"] for c in containers)]
    assert all(name.replace("-", "").replace("_", "").isalnum() and name.isascii() for name in names)
