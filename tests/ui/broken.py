"""The demo account at a moment when all four demo faults show at once, including a target failing its checks."""

from __future__ import annotations

import pytest

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from tests.conftest import boto_client
from tests.ui.conftest import FIXED_NOW


def unhealthy_targets(emulator: EmulatorServer, group: str = "prod-payments") -> int:
    elbv2 = boto_client(emulator, "elbv2")
    arn = elbv2.describe_target_groups(Names=[group])["TargetGroups"][0]["TargetGroupArn"]
    health = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    return sum(1 for item in health if item["TargetHealth"]["State"] == "unhealthy")


@pytest.fixture
def broken_account(demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator) -> AwsTarget:
    """The payments target fails its health checks a few simulator steps after the demo account converges."""
    for _ in range(20):
        if unhealthy_targets(emulator):
            break
        simulator.step(FIXED_NOW)
    assert unhealthy_targets(emulator), "the simulator never failed a payments target"
    emulator.log.clear()
    return demo_account
