"""UI fixtures: a seeded, simulated account with every timestamp fixed, and an app whose clock is frozen."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterator

import pytest
from rich.console import Console
from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.emulator import snapshot
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.app import AppOptions, EcsApp
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.screens.detail import DetailScreen
from tests.demo_account import FIXED_NOW, REGION, demo_snapshot

SNAPSHOT_SIZE = (140, 36)


@pytest.fixture
def simulator(emulator: EmulatorServer) -> Iterator[Simulator]:
    sim = Simulator(emulator, region=REGION, seed=7, chaos=True)
    yield sim
    sim.stop()


@pytest.fixture
def demo_account(emulator: EmulatorServer, simulator: Simulator) -> AwsTarget:
    """The demo's account, converged at FIXED_NOW, with its broken services already broken.

    Seeded once per test process and saved; every test gets its own restore of it (moto's backends, moto's
    random stream and the simulator's state), so it goes on exactly as a freshly seeded one would.
    """
    snapshot.restore(emulator, demo_snapshot(emulator, simulator), simulator)
    emulator.log.clear()
    return AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url)


_shared_seed: dict[str, int] = {}


@pytest.fixture
def shared_demo_account(emulator_server: EmulatorServer) -> AwsTarget:
    """The same account as `demo_account`, for tests that only read: seeded once and reused until another
    test resets the emulator. A test that changes anything must use `demo_account`."""
    if _shared_seed.get("generation") != emulator_server.generation:
        simulator = Simulator(emulator_server, region=REGION, seed=7, chaos=True)
        try:
            snapshot.restore(emulator_server, demo_snapshot(emulator_server, simulator))
        finally:
            simulator.stop()
        _shared_seed["generation"] = emulator_server.generation
    emulator_server.log.clear()
    return AwsTarget(region=REGION, endpoint_url=emulator_server.endpoint_url)


def make_app(target: AwsTarget, **options: object) -> EcsApp:
    """An app with a frozen clock and a refresh long enough that tests decide when data is fetched."""
    # Triage at start is off so each test starts where it says; tests of triage turn it on.
    settings: dict[str, object] = {
        "refresh": 3600.0,
        "demo": True,
        "clock": lambda: FIXED_NOW,
        "triage_at_start": False,
        "triage_badge_interval": None,  # no background triage: tests count requests; the badge's tests turn it on
    }
    settings.update(options)
    return EcsApp(target, AppOptions(**settings))  # type: ignore[arg-type]


def loaded(app: EcsApp) -> bool:
    screen = app.screen
    if isinstance(screen, ListScreen):
        return screen.updated_at is not None or screen.last_error is not None
    if isinstance(screen, DetailScreen):
        return screen.updated_at is not None
    return True


def text_of(renderable: object) -> str:
    """What a Rich renderable reads as, in plain text."""
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], limit: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.05)
    await pilot.pause()


async def wait_loaded(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, EcsApp)
    await wait_until(pilot, lambda: loaded(app))
