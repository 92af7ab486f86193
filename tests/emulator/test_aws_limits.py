"""The emulator keeps ECS's paging and batch limits, so tests can catch what plain moto hides."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecstui.emulator.aws_limits import ListingCache
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


def _all_pages(ecs: Any, operation: str, key: str, **request: Any) -> list[str]:
    pages = list(ecs.get_paginator(operation).paginate(**request))
    return [item for page in pages for item in page[key]]


def test_a_service_created_between_pages_does_not_shift_the_pages(ecs: Any, emulator: EmulatorServer) -> None:
    # AWS's tokens are opaque and promise no snapshot; what a caller can rely on is that an item present for the
    # whole paging comes back exactly once. The emulator pages through the listing taken on the first page, so
    # one created meanwhile (here sorting before the cursor, which used to repeat the last item of page one)
    # is neither listed twice nor shifts anything; the next full listing has it.
    _make_services(ecs, 25)
    before = _all_pages(ecs, "list_services", "serviceArns", cluster="big")
    first = ecs.list_services(cluster="big")
    ecs.create_service(cluster="big", serviceName="svc-000a", taskDefinition="web", desiredCount=0)
    second = ecs.list_services(cluster="big", nextToken=first["nextToken"], maxResults=5)
    rest = ecs.list_services(cluster="big", nextToken=second["nextToken"], maxResults=100)
    assert "nextToken" not in rest
    assert first["serviceArns"] + second["serviceArns"] + rest["serviceArns"] == before
    after = _all_pages(ecs, "list_services", "serviceArns", cluster="big")
    assert len(after) == 26 and any(arn.endswith("/svc-000a") for arn in after)


def _run_tasks(emulator: EmulatorServer, ecs: Any, count: int) -> None:
    from ecstui.emulator.seed import client, make_network

    net = make_network(client("ec2", emulator.endpoint_url, "us-east-1"), "us-east-1", cidr="10.70.0.0/16")
    ecs.create_cluster(clusterName="big")
    ecs.register_task_definition(
        family="job",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "a", "image": "busybox", "memory": 64}],
    )
    for _ in range(count // 10):
        ecs.run_task(
            cluster="big",
            taskDefinition="job",
            count=10,
            launchType="FARGATE",
            networkConfiguration={
                "awsvpcConfiguration": {"subnets": net.private_subnets, "securityGroups": [net.app_sg]}
            },
        )


def test_a_task_stopping_between_pages_neither_skips_nor_repeats_another(ecs: Any, emulator: EmulatorServer) -> None:
    # Stopped tasks leave the default listing (desiredStatus RUNNING). Paging by offset into a fresh listing
    # skipped as many other tasks as had stopped before the cursor; the listing the first page took does not.
    _run_tasks(emulator, ecs, 150)
    before = _all_pages(ecs, "list_tasks", "taskArns", cluster="big")
    assert len(before) == 150
    first = ecs.list_tasks(cluster="big")
    for arn in first["taskArns"][:5]:
        ecs.stop_task(cluster="big", task=arn)
    second = ecs.list_tasks(cluster="big", nextToken=first["nextToken"])
    assert "nextToken" not in second
    assert first["taskArns"] + second["taskArns"] == before
    assert len(_all_pages(ecs, "list_tasks", "taskArns", cluster="big")) == 145


def test_a_token_whose_listing_was_dropped_pages_by_offset_into_a_fresh_listing(
    ecs: Any, emulator: EmulatorServer
) -> None:
    _make_services(ecs, 25)
    first = ecs.list_services(cluster="big")
    emulator.listings.clear()  # as if evicted: the cache is bounded
    second = ecs.list_services(cluster="big", nextToken=first["nextToken"])
    assert second["serviceArns"] == _all_pages(ecs, "list_services", "serviceArns", cluster="big")[10:20]
    assert second["nextToken"]
    with pytest.raises(ClientError):
        ecs.list_services(cluster="big", nextToken="bm90IGEgdG9rZW4=")


def test_later_pages_come_with_a_request_id_and_the_json_content_type(ecs: Any) -> None:
    _make_services(ecs, 12)
    first = ecs.list_services(cluster="big")
    second = ecs.list_services(cluster="big", nextToken=first["nextToken"])
    meta = second["ResponseMetadata"]
    assert meta["RequestId"] and meta["RequestId"] != first["ResponseMetadata"]["RequestId"]
    assert meta["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    assert len(second["serviceArns"]) == 2


def test_the_listing_cache_keeps_the_most_recently_used_within_its_bounds() -> None:
    cache = ListingCache(max_listings=2, max_items=5)
    a = cache.put([1, 2])
    b = cache.put([3])
    assert cache.get(a) == [1, 2]  # a is now the most recently used
    c = cache.put([4])  # three listings: b, the least recently used, goes
    assert cache.get(b) is None and cache.get(a) == [1, 2] and cache.get(c) == [4]
    d = cache.put([5, 6, 7, 8, 9])  # too many listings and items: the oldest go until both bounds hold
    assert cache.get(a) is None and cache.get(c) is None and cache.get(d) == [5, 6, 7, 8, 9]
    assert len(cache) == 1
    cache.clear()
    assert cache.get(d) is None and len(cache) == 0
