"""The emulator keeps ECS's paging and batch limits, so tests can catch what plain moto hides."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecstui.emulator.server import EmulatorServer


def _make_services(ecs: Any, count: int) -> None:
    ecs.create_cluster(clusterName="big")
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "a", "image": "nginx", "memory": 64}])
    for i in range(count):
        ecs.create_service(cluster="big", serviceName=f"svc-{i:03d}", taskDefinition="web", desiredCount=0)


def test_list_services_returns_ten_a_page_by_default_with_a_next_token(ecs: Any) -> None:
    _make_services(ecs, 25)
    first = ecs.list_services(cluster="big")
    assert len(first["serviceArns"]) == 10
    assert first["nextToken"]
    pages = list(ecs.get_paginator("list_services").paginate(cluster="big"))
    assert [len(p["serviceArns"]) for p in pages] == [10, 10, 5]
    names = {arn.rsplit("/", 1)[-1] for p in pages for arn in p["serviceArns"]}
    assert len(names) == 25


def test_max_results_above_the_api_maximum_is_refused(ecs: Any, emulator: EmulatorServer) -> None:
    _make_services(ecs, 3)
    with pytest.raises(ClientError) as caught:
        ecs.list_services(cluster="big", maxResults=101)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert emulator.log.violations


def test_describe_services_of_eleven_names_is_refused_and_logged(ecs: Any, emulator: EmulatorServer) -> None:
    _make_services(ecs, 11)
    with pytest.raises(ClientError) as caught:
        ecs.describe_services(cluster="big", services=[f"svc-{i:03d}" for i in range(11)])
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert emulator.log.violations == ["DescribeServices with 11 services (at most 10)"]
    ok = ecs.describe_services(cluster="big", services=[f"svc-{i:03d}" for i in range(10)])
    assert len(ok["services"]) == 10


def test_a_token_from_another_request_is_refused(ecs: Any) -> None:
    _make_services(ecs, 12)
    token = ecs.list_services(cluster="big")["nextToken"]
    ecs.create_cluster(clusterName="other")
    with pytest.raises(ClientError):
        ecs.list_services(cluster="other", nextToken=token)


def test_delete_cluster_is_refused_while_services_are_active(ecs: Any) -> None:
    _make_services(ecs, 1)
    with pytest.raises(ClientError) as caught:
        ecs.delete_cluster(cluster="big")
    assert caught.value.response["Error"]["Code"] == "ClusterContainsServicesException"
