"""A big listing's refresh costs what is on screen: the rows in view described, the rest left to the sweep."""

from __future__ import annotations

from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT_ID
from moto.ecs.models import ecs_backends

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import Hang
from ecstui.emulator.scheduler_hooks import recompute_cluster
from ecstui.emulator.seed import LARGE_CLUSTER, seed_large
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.screens.services import ServicesScreen
from tests.conftest import boto_client
from tests.ui.conftest import REGION, make_app, text_of, wait_loaded, wait_until
from tests.ui.test_views import title

SERVICES = 230  # above the sweep's threshold of 200, small enough to seed in a second


def described_names(emulator: EmulatorServer) -> list[str]:
    return [name.rsplit("/", 1)[-1] for call in emulator.log.calls("DescribeServices") for name in call["services"]]


def watching(emulator: EmulatorServer, **options: Any) -> EcsApp:
    seed_large(emulator.endpoint_url, REGION, services=SERVICES, tasks=0)
    target = AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url)
    # A sweep budget of one call a minute: within a test, the sweep describes nothing, so every describe seen
    # is the refresh's own.
    settings: dict[str, Any] = {"cluster": LARGE_CLUSTER, "sweep_seconds": 3600.0, "sweep_calls_per_minute": 1}
    return make_app(target, **(settings | options))


async def services_pane(pilot: Any) -> ServicesScreen:
    await wait_loaded(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ServicesScreen)
    assert len(screen.items) == SERVICES
    return screen


async def refreshed(pilot: Any, screen: ListScreen[Any]) -> None:
    assert screen.poller is not None
    before = screen.poller.fetch_count
    screen.poller.refresh_now()
    await wait_until(pilot, lambda: screen.poller is not None and screen.poller.fetch_count > before)


def row_text(screen: ServicesScreen, name: str) -> str:
    key = next(key for key, item in screen.items.items() if item.name == name)
    return " ".join(text_of(cell).strip() for cell in screen.table.get_row(key))


async def test_each_refresh_describes_the_rows_on_screen_only_and_rows_scrolled_into_view_at_once(
    emulator: EmulatorServer,
) -> None:
    app = watching(emulator)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await services_pane(pilot)
        in_view = [screen.items[key].name for key in screen.table.visible_keys()]
        ecs = boto_client(emulator, "ecs")
        ecs.update_service(cluster=LARGE_CLUSTER, service=in_view[3], desiredCount=7)
        ecs.update_service(cluster=LARGE_CLUSTER, service="svc-0200", desiredCount=7)  # far off screen
        emulator.log.clear()
        for _ in range(3):
            await refreshed(pilot, screen)
        names = described_names(emulator)
        calls = -(-len(in_view) // 10)
        # Each refresh: the rows in view, in whole calls of ten (their neighbours fill the last one); no re-list.
        assert emulator.log.counts["DescribeServices"] == 3 * calls
        assert set(in_view) <= set(names) and len(names) == 3 * calls * 10
        assert "svc-0200" not in names
        assert emulator.log.counts["ListServices"] == 0
        assert "7/7" in row_text(screen, in_view[3])
        assert "others swept" in title(app)
        # Scrolled into view: described at once, not at the next refresh; the rows left behind are not.
        cycles = screen.poller.fetch_count if screen.poller else 0
        emulator.log.clear()
        await pilot.press("G")  # the last row
        await wait_until(pilot, lambda: "svc-0229" in described_names(emulator))
        assert screen.poller is not None and screen.poller.fetch_count == cycles
        assert "svc-0000" not in described_names(emulator)
    assert emulator.log.violations == []


async def test_new_and_deleted_services_appear_once_the_sweep_re_reads_the_listing(emulator: EmulatorServer) -> None:
    app = watching(emulator, sweep_seconds=60.0, sweep_calls_per_minute=30)  # the defaults
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await services_pane(pilot)
        assert screen.sweep.listed_at is not None
        loaded_at = screen.sweep.listed_at
        clock = [loaded_at]
        screen.sweep_clock = lambda: clock[0]  # type: ignore[method-assign]
        ecs = boto_client(emulator, "ecs")
        template = ecs.describe_services(cluster=LARGE_CLUSTER, services=["svc-0001"])["services"][0]
        ecs.create_service(
            cluster=LARGE_CLUSTER,
            serviceName="svc-9999",
            taskDefinition=template["taskDefinition"],
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=template["networkConfiguration"],
        )
        ecs.delete_service(cluster=LARGE_CLUSTER, service="svc-0150", force=True)  # far off screen
        clock[0] = loaded_at + 30
        await refreshed(pilot, screen)
        names = {item.name for item in screen.items.values()}
        assert "svc-9999" not in names and "svc-0150" in names  # within the sweep: neither re-listed nor swept
        emulator.log.clear()
        states: Any = app.session.limiter._states.values()
        background_before = sum(state.background_granted for state in states)
        clock[0] = loaded_at + 61  # a sweep later
        await refreshed(pilot, screen)
        # The re-list and the sweep's describes went at the background share of the buckets.
        assert sum(state.background_granted for state in states) - background_before >= 3 + 10
        names = {item.name for item in screen.items.values()}
        assert "svc-9999" in names and "svc-0150" not in names
        assert screen.table.total_count == SERVICES
        assert emulator.log.counts["ListServices"] == 3  # 230 services, 100 a page
        # The minute's budget of 30 calls, less the three pages, sweeps every row.
        assert emulator.log.counts["DescribeServices"] <= 27
        assert len(set(described_names(emulator))) == SERVICES + 1
    assert emulator.log.violations == []


async def test_the_first_page_is_described_and_drawn_while_the_pages_after_it_are_read(
    emulator: EmulatorServer,
) -> None:
    app = watching(emulator)
    recompute_cluster(ecs_backends[ACCOUNT_ID][REGION], LARGE_CLUSTER)  # activeServicesCount, as ECS keeps it
    emulator.faults.inject("ListServices", Hang(60.0), count=1, after=1)  # the second page waits
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.table.row_count >= 100)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        assert emulator.log.counts["ListServices"] == 1  # the listing has not ended
        assert "ACTIVE" in row_text(screen, "svc-0000")  # described, not a placeholder
        assert "Services [230]" in title(app)  # the cluster's activeServicesCount, until the listing ends
        emulator.faults.release_hangs()
        await wait_loaded(pilot)
        assert len(screen.items) == SERVICES
        assert "Services [230]" in title(app)
        # The first page is not described twice.
        assert described_names(emulator).count("svc-0000") == 1
    assert emulator.log.violations == []
