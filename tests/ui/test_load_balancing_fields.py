"""LoadBalancingFields in a dialog: none / an existing load balancer's listener and target group / a new ALB, each
picked from the demo VPC, and what reached moto when the dialog was confirmed."""

from __future__ import annotations

from typing import Any

import boto3
from textual.pilot import Pilot
from textual.widgets import Input, Select

from ecstui.aws.load_balancer_actions import SERVICE_TAG, LoadBalancingPlan, NewTargetGroup
from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.load_balancing_fields import EXISTING, NEW_ALB, NEW_TARGET_GROUP, LoadBalancingFields
from ecstui.ui.widgets.picker import Picker
from tests.demo_account import REGION
from tests.ui.conftest import make_app, wait_loaded, wait_until
from tests.ui.load_balancing_host import LoadBalancedServiceHost, demo_network

ELB_CREATES = ("CreateTargetGroup", "CreateLoadBalancer", "CreateListener", "CreateRule", "ModifyListener")


def _elbv2(emulator: EmulatorServer) -> Any:
    return boto3.client("elbv2", endpoint_url=emulator.endpoint_url, region_name=REGION)


def _creates(emulator: EmulatorServer) -> list[str]:
    return [op for op, _ in emulator.log.bodies if op in ELB_CREATES]


async def _open(pilot: Pilot[None], emulator: EmulatorServer, **options: Any) -> LoadBalancedServiceHost:
    await wait_loaded(pilot)
    vpc, subnets, groups = demo_network(emulator)
    host = LoadBalancedServiceHost("prod", "node-app", vpc, subnets, groups, **options)
    pilot.app.push_screen(host)
    await wait_until(pilot, lambda: pilot.app.screen is host)
    picker = host.query_one("#lb-balancer", Picker)
    await wait_until(pilot, lambda: bool(picker.choices))
    return host


async def _choose(pilot: Pilot[None], host: LoadBalancedServiceHost, mode: str) -> None:
    host.query_one("#lb-mode", Select).value = mode
    await pilot.pause()


async def test_no_load_balancer_is_the_default_and_reads_as_none(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        host = await _open(pilot, emulator)
        fields = host.query_one(LoadBalancingFields)
        assert fields.read() is None and not fields.uses_alb()
        assert not host.query_one("#lb-existing").display or host.query_one("#lb-existing").has_class("hidden")


async def test_a_new_alb_is_named_after_the_service_and_created_in_the_chosen_subnets(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        host = await _open(pilot, emulator, ports=(("node-app", 3000),))
        await _choose(pilot, host, NEW_ALB)
        assert host.alb_changes[-1] is True
        assert host.query_one("#lb-tg-name", Input).value == "node-app-tg"
        assert host.query_one("#lb-alb-name", Input).value == "node-app-alb"
        assert host.query_one("#lb-tg-port", Input).value == "3000"
        emulator.log.clear()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not host, limit=30)
    assert _creates(emulator) == ["CreateTargetGroup", "CreateLoadBalancer", "CreateListener"]
    elbv2 = _elbv2(emulator)
    lb = elbv2.describe_load_balancers(Names=["node-app-alb"])["LoadBalancers"][0]
    _vpc, subnets, groups = demo_network(emulator)
    assert sorted(z["SubnetId"] for z in lb["AvailabilityZones"]) == subnets and lb["SecurityGroups"] == groups
    assert lb["Scheme"] == "internet-facing"
    tg = elbv2.describe_target_groups(Names=["node-app-tg"])["TargetGroups"][0]
    assert (tg["Port"], tg["TargetType"], tg["Protocol"], tg["HealthCheckPath"]) == (3000, "ip", "HTTP", "/")
    tags = elbv2.describe_tags(ResourceArns=[tg["TargetGroupArn"]])["TagDescriptions"][0]["Tags"]
    assert tags == [{"Key": SERVICE_TAG, "Value": "prod/node-app"}]


async def test_an_existing_alb_lists_its_listener_and_only_target_groups_of_ip_type_then_adds_a_rule(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        host = await _open(pilot, emulator)
        await _choose(pilot, host, EXISTING)
        balancers = host.query_one("#lb-balancer", Picker)
        assert {c.label for c in balancers.choices} == {"prod-public", "staging-internal", "batch-ingest"}
        balancers.filter.focus()
        await pilot.press(*"prod-public", "enter")
        listeners = host.query_one("#lb-listener", Picker)
        await wait_until(pilot, lambda: listeners.value is not None)
        assert [c.label for c in listeners.choices] == ["HTTP:80"]  # its only listener, chosen
        groups = host.query_one("#lb-target-group", Picker)
        listed = [c.label for c in groups.choices]
        assert listed[0] == "New target group" and groups.value == NEW_TARGET_GROUP
        # Fargate (ip) groups of the VPC only: not the EC2 services' instance groups, not the NLB's TCP one.
        assert "prod-api" in listed and "staging-web" not in listed and "batch-ingest" not in listed
        assert host.alb_changes[-1] is True
        emulator.log.clear()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not host, limit=30)
    assert _creates(emulator) == ["CreateTargetGroup", "CreateRule"]
    rule = emulator.log.calls("CreateRule")[0]
    assert rule["Conditions.member.1.PathPatternConfig.Values.member.1"] == "/node-app/*"


async def test_an_nlb_is_not_an_alb_and_its_new_target_group_is_tcp(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        host = await _open(pilot, emulator, network_mode="bridge")
        await _choose(pilot, host, EXISTING)
        balancers = host.query_one("#lb-balancer", Picker)
        nlb = next(c.id for c in balancers.choices if c.label == "batch-ingest")
        balancers.select([nlb])
        listeners = host.query_one("#lb-listener", Picker)
        await wait_until(pilot, lambda: listeners.value is not None)
        fields = host.query_one(LoadBalancingFields)
        assert not fields.uses_alb() and host.alb_changes[-1] is False
        # Instance targets under bridge, TCP behind an NLB: the demo's batch-ingest group is offered.
        assert "batch-ingest" in [c.label for c in host.query_one("#lb-target-group", Picker).choices]
        plan = fields.read()
    assert plan == LoadBalancingPlan(
        "web",
        8080,
        new_target_group=NewTargetGroup("node-app-tg", "TCP", 8080, "instance", None),
        listener_arn=listeners.value,
    )


async def test_a_bad_target_group_name_says_why_sends_nothing_and_keeps_what_was_typed(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        host = await _open(pilot, emulator)
        await _choose(pilot, host, NEW_ALB)
        name = host.query_one("#lb-tg-name", Input)
        name.value = "node_app.tg"
        emulator.log.clear()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is host
        error = str(host.query_one("#dialog-error").render())
        assert "only letters, digits and hyphens" in error
        assert name.value == "node_app.tg"
        port = host.query_one("#lb-tg-port", Input)
        name.value, port.value = "node-app-tg", "80000"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "1 to 65535" in str(host.query_one("#dialog-error").render())
    assert _creates(emulator) == []
    assert not [op for op, _ in emulator.log.bodies if op.startswith("Create")]


async def test_typed_names_survive_a_new_service_name(demo_account: AwsTarget, emulator: EmulatorServer) -> None:
    app = make_app(demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        host = await _open(pilot, emulator)
        await _choose(pilot, host, NEW_ALB)
        fields = host.query_one(LoadBalancingFields)
        host.query_one("#lb-tg-name", Input).value = "mine"
        fields.set_service_name("renamed")
        await pilot.pause()
        assert host.query_one("#lb-tg-name", Input).value == "mine"
        assert host.query_one("#lb-alb-name", Input).value == "renamed-alb"
