"""The demo and scale seeds build the account the demo shows, and it starts converged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ecstui.emulator.seed import seed_demo, seed_scale, start_bad_rollouts
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import BEHAVIOUR_TAG, BEHAVIOURS, Simulator
from tests.conftest import boto_client


@pytest.fixture
def sim(emulator: EmulatorServer) -> Iterator[Simulator]:
    simulator = Simulator(emulator, chaos=False)
    yield simulator
    simulator.stop()


def all_services(ecs: Any, cluster: str) -> list[dict[str, Any]]:
    arns = [a for p in ecs.get_paginator("list_services").paginate(cluster=cluster) for a in p["serviceArns"]]
    found: list[dict[str, Any]] = []
    for i in range(0, len(arns), 10):
        found += ecs.describe_services(cluster=cluster, services=arns[i : i + 10], include=["TAGS"])["services"]
    return found


def test_the_demo_account_is_believable_and_starts_converged(
    ecs: Any, emulator: EmulatorServer, sim: Simulator
) -> None:
    seed_demo(emulator.endpoint_url)
    sim.warm_start()
    start_bad_rollouts(emulator.endpoint_url)
    for _ in range(4):
        sim.step()
    clusters = ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"], include=["SETTINGS"])["clusters"]
    assert len(clusters) >= 3
    assert sum(c["runningTasksCount"] for c in clusters) >= 60
    services = [s for c in clusters for s in all_services(ecs, c["clusterName"])]
    assert len(services) >= 12
    assert sum(s["desiredCount"] for s in services) >= 60
    assert sum(c["registeredContainerInstancesCount"] for c in clusters) >= 3
    behaviours = {t["value"] for s in services for t in s.get("tags", []) if t["key"] == BEHAVIOUR_TAG}
    assert behaviours == set(BEHAVIOURS)
    healthy = [s for s in services if not any(t["key"] == BEHAVIOUR_TAG for t in s.get("tags", []))]
    assert all(s["runningCount"] == s["desiredCount"] for s in healthy)
    assert all(s["events"] for s in services)
    cart = next(s for s in services if s["serviceName"] == "cart")
    assert cart["deployments"][0]["rolloutState"] == "IN_PROGRESS" and len(cart["deployments"]) == 2
    elbv2 = boto_client(emulator, "elbv2")
    kinds = {lb["Type"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]}
    assert {"application", "network"} <= kinds
    api = next(s for s in services if s["serviceName"] == "api" and s["clusterArn"].endswith("/prod"))
    health = elbv2.describe_target_health(TargetGroupArn=api["loadBalancers"][0]["targetGroupArn"])
    assert [d["TargetHealth"]["State"] for d in health["TargetHealthDescriptions"]] == ["healthy"] * 8
    family = ecs.describe_task_definition(taskDefinition=api["taskDefinition"])["taskDefinition"]
    assert family["revision"] >= 2
    app = family["containerDefinitions"][0]
    assert app["secrets"] and app["logConfiguration"]["logDriver"] == "awslogs" and app["healthCheck"]


def test_the_scale_cluster_has_39_services_and_one_of_230_tasks(
    ecs: Any, emulator: EmulatorServer, sim: Simulator
) -> None:
    seed_scale(emulator.endpoint_url)
    sim.warm_start(steps=6)
    services = all_services(ecs, "scale-39")
    assert len(services) == 39
    arns = [
        a
        for p in ecs.get_paginator("list_tasks").paginate(cluster="scale-39", serviceName="svc-00")
        for a in p["taskArns"]
    ]
    assert len(arns) == 230
    described = [
        t for i in range(0, 230, 100) for t in ecs.describe_tasks(cluster="scale-39", tasks=arns[i : i + 100])["tasks"]
    ]
    assert {t["group"] for t in described} == {"service:svc-00"}
    assert {t["lastStatus"] for t in described} == {"RUNNING"}
    assert next(s for s in services if s["serviceName"] == "svc-00")["runningCount"] == 230
