"""A small dialog hosting LoadBalancingFields for tests, as the create-service dialog hosts it (part 3)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

import boto3
from textual.app import ComposeResult

from ecstui.aws.load_balancer_actions import LoadBalancingPlan, PreparedLoadBalancing
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.base import ActionDialog
from ecstui.ui.dialogs.load_balancing_fields import LoadBalancingFields
from tests.demo_account import REGION


class LoadBalancedServiceHost(ActionDialog[PreparedLoadBalancing]):
    """Puts service `service` of `cluster` behind what the fields say (prepare only; no service is created)."""

    title_text = "Load balancing (test host)"
    confirm_label = "Prepare"

    def __init__(
        self,
        cluster: str,
        service: str,
        vpc_id: str,
        subnets: Sequence[str],
        security_groups: Sequence[str],
        ports: Sequence[tuple[str, int]] = (("web", 8080),),
        network_mode: str = "awsvpc",
    ) -> None:
        self.cluster, self.service = cluster, service
        self.vpc_id, self.subnets, self.security_groups = vpc_id, subnets, security_groups
        self.ports, self.network_mode = ports, network_mode
        self.plans: list[LoadBalancingPlan | None] = []
        self.alb_changes: list[bool] = []
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield LoadBalancingFields(id="load-balancing")

    def on_mount(self) -> None:
        fields = self.query_one(LoadBalancingFields)
        fields.set_service_name(self.service)
        fields.set_containers(self.ports, self.network_mode)
        fields.set_network(self.vpc_id, self.subnets, self.security_groups)

    def on_load_balancing_fields_changed(self, event: LoadBalancingFields.Changed) -> None:
        self.alb_changes.append(event.uses_alb)

    def validate(self) -> LoadBalancingPlan | None:
        plan = self.query_one(LoadBalancingFields).read()
        self.plans.append(plan)
        return plan

    def perform(self, values: Any) -> Awaitable[PreparedLoadBalancing]:
        return self.ecs_app.load_balancer_actions.prepare(self.cluster, self.service, self.vpc_id, values)


def demo_network(emulator: EmulatorServer) -> tuple[str, list[str], list[str]]:
    """The demo VPC (the one prod-public is in), its public subnets and its ALB security group."""
    elbv2 = boto3.client("elbv2", endpoint_url=emulator.endpoint_url, region_name=REGION)
    ec2 = boto3.client("ec2", endpoint_url=emulator.endpoint_url, region_name=REGION)
    alb = elbv2.describe_load_balancers(Names=["prod-public"])["LoadBalancers"][0]
    subnets = sorted(zone["SubnetId"] for zone in alb["AvailabilityZones"])
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [alb["VpcId"]]}])["SecurityGroups"]
    tasks_sg = [g["GroupId"] for g in groups if g["GroupName"].endswith("-tasks")]
    return str(alb["VpcId"]), subnets, tasks_sg
