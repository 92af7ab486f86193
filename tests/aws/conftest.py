"""Fixtures of the data-layer tests that read the demo's account: its simulator, and the account seeded by it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.aws.demo_state import seed_demo_account
from tests.demo_account import REGION


@pytest.fixture
def simulator(emulator: EmulatorServer) -> Iterator[Simulator]:
    sim = Simulator(emulator, region=REGION, seed=7, chaos=True)
    yield sim
    sim.stop()


@pytest.fixture
def demo(emulator: EmulatorServer, simulator: Simulator) -> AwsTarget:
    """The demo's account (see demo_state.seed_demo_account)."""
    return seed_demo_account(emulator, simulator)
