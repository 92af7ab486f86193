"""How long the emulator itself takes per request on a large cluster (not a test: run it, read the figures).

    .venv/bin/python -m tests.emulator.overhead [--services 2000] [--tasks 5000]

Seeds cluster "large-2000" (`seed_large`), then times boto3 calls against the in-process emulator, no injected
latency: "server" is the time inside the emulator's WSGI stack, "client" the whole call as boto3 sees it. The
machine's load average is printed too: on a shared machine, compare runs made at similar load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

from ecstui.emulator.seed import LARGE_CLUSTER, client, seed_large
from ecstui.emulator.server import EmulatorServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=5000)
    args = parser.parse_args()

    server = EmulatorServer()
    url = server.start()
    started = time.perf_counter()
    seed_large(url, services=args.services, tasks=args.tasks)
    print(f"seed_large({args.services} services, {args.tasks} tasks): {time.perf_counter() - started:.1f} s")

    server_times: list[float] = []
    assert server._server is not None
    inner = server._server.app

    def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        begin = time.perf_counter()
        body = list(inner(environ, start_response))
        server_times.append(time.perf_counter() - begin)
        return body

    server._server.app = timed
    ecs = client("ecs", url, "us-east-1")

    def pages(operation: str, key: str) -> list[str]:
        items: list[str] = []
        request: dict[str, Any] = {"cluster": LARGE_CLUSTER, "maxResults": 100}
        while True:
            page = getattr(ecs, operation)(**request)
            items += page[key]
            if not page.get("nextToken"):
                return items
            request["nextToken"] = page["nextToken"]

    names = [f"svc-{i:04d}" for i in range(args.services)]
    task_arns = pages("list_tasks", "taskArns")
    cursor = {"services": 0, "tasks": 0}

    def describe_services() -> None:
        i = cursor["services"]
        cursor["services"] = (i + 10) % len(names)
        ecs.describe_services(cluster=LARGE_CLUSTER, services=names[i : i + 10])

    def describe_tasks() -> None:
        i = cursor["tasks"]
        cursor["tasks"] = (i + 100) % len(task_arns)
        ecs.describe_tasks(cluster=LARGE_CLUSTER, tasks=task_arns[i : i + 100])

    def measure(name: str, call: Callable[[], Any], repeat: int) -> None:
        server_times.clear()
        client_times = []
        for _ in range(repeat):
            begin = time.perf_counter()
            call()
            client_times.append(time.perf_counter() - begin)
        ms = [t * 1000 for t in server_times]
        per_call = sum(client_times) * 1000 / len(ms)
        print(
            f"{name:38s} server ms: first {ms[0]:6.1f}  median {statistics.median(ms):6.1f}  "
            f"mean {statistics.mean(ms):6.1f}  max {max(ms):6.1f} | client ms/call {per_call:6.1f}  ({len(ms)} calls)"
        )

    print(f"load average before: {os.getloadavg()}")
    measure("ListServices, every page of 100", lambda: pages("list_services", "serviceArns"), 3)
    measure(
        "ListServices, first page of 100",
        lambda: ecs.list_services(cluster=LARGE_CLUSTER, maxResults=100),
        20,
    )
    measure("DescribeServices, 10 names", describe_services, 100)
    measure("ListTasks, every page of 100", lambda: pages("list_tasks", "taskArns"), 2)
    measure("ListTasks, first page of 100", lambda: ecs.list_tasks(cluster=LARGE_CLUSTER, maxResults=100), 20)
    measure("ListTasks serviceName=svc-0000", lambda: ecs.list_tasks(cluster=LARGE_CLUSTER, serviceName="svc-0000"), 30)
    measure("DescribeTasks, 100 ARNs", describe_tasks, 20)
    measure("ListClusters", lambda: ecs.list_clusters(), 50)
    print(f"load average after: {os.getloadavg()}")
    server.stop()


if __name__ == "__main__":
    main()
