"""Creating a service with everything picked from the account: VPC → subnets → security groups, public IP, circuit
breaker, auto scaling; each step checked by what reached moto, a failed step resumed without sending a done one
again."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Select, Static

from ecstui.aws.errors import ReadOnlyError
from ecstui.aws.network import Subnet
from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import ACCESS_DENIED, DropAfterApplying
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.base import ActionDialog
from ecstui.ui.dialogs.create_service import CreateServiceDialog
from ecstui.ui.dialogs.service_network import ServiceNetworkFields, public_ip_proposal
from ecstui.ui.screens.clusters import ClustersScreen
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

SIZE = (140, 40)
MUTATIONS = ("CreateService", "RegisterScalableTarget", "PutScalingPolicy")


def mutations(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in MUTATIONS if emulator.log.counts[op]}


def error_of(dialog: ActionDialog[Any]) -> str:
    error = dialog.query_one("#dialog-error", Static)
    # The whole sentence, not the lines the dialog's width shows.
    return str(error.render()) if error.has_class("shown") else ""


def new_cluster(emulator: EmulatorServer, name: str = "walk") -> None:
    """A cluster with no service yet, so the form proposes no network of its own (no template)."""
    boto_client(emulator, "ecs").create_cluster(clusterName=name, capacityProviders=["FARGATE", "FARGATE_SPOT"])
    emulator.log.clear()


def vpc_named(emulator: EmulatorServer, name: str) -> str:
    ec2 = boto_client(emulator, "ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


def subnets_of(emulator: EmulatorServer, vpc: str) -> dict[str, str]:
    """Subnet id -> Name tag (or id) of every subnet of the VPC, as moto holds them."""
    ec2 = boto_client(emulator, "ec2")
    found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    return {
        s["SubnetId"]: next((t["Value"] for t in s.get("Tags", []) if t["Key"] == "Name"), s["SubnetId"]) for s in found
    }


def groups_of(emulator: EmulatorServer, vpc: str) -> dict[str, str]:
    ec2 = boto_client(emulator, "ec2")
    found = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    return {g["GroupId"]: g["GroupName"] for g in found}


async def closes(pilot: Any, dialog: CreateServiceDialog, limit: float = 30.0) -> None:
    """Wait for the dialog to close; fail with its error when it stays open with one."""
    app = pilot.app
    await wait_until(
        pilot,
        lambda: not isinstance(app.screen, ModalScreen) or (error_of(dialog) != "" and not dialog.sending),
        limit=limit,
    )
    assert not isinstance(app.screen, ModalScreen), error_of(dialog)


async def open_dialog(pilot: Any, cluster: str = "walk") -> CreateServiceDialog:
    app = pilot.app
    await wait_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, ClustersScreen)
    assert screen.table.select_key(next(k for k, c in screen.items.items() if c.name == cluster))
    await pilot.pause()
    await pilot.press("n")
    dialog = app.screen
    assert isinstance(dialog, CreateServiceDialog)
    await wait_until(pilot, lambda: isinstance(dialog.query_one("#revision", Select).value, str))
    revision = dialog.query_one("#revision", Select).value
    await wait_until(pilot, lambda: revision in dialog.definitions)
    await wait_until(pilot, lambda: network(dialog).vpc.value is not None and bool(network(dialog).subnets.choices))
    return dialog


def network(dialog: CreateServiceDialog) -> ServiceNetworkFields:
    return dialog.query_one(ServiceNetworkFields)


async def type_into(pilot: Any, dialog: ActionDialog[Any], selector: str, text: str) -> None:
    box = dialog.query_one(selector, Input)
    box.focus()
    box.value = ""
    await pilot.press(*text)


async def choose_vpc(pilot: Any, dialog: CreateServiceDialog, typed: str, vpc: str) -> None:
    fields = network(dialog)
    await type_into(pilot, dialog, "#vpc-filter", typed)
    await pilot.press("enter")
    await wait_until(pilot, lambda: fields.vpc.value == vpc)
    await wait_until(pilot, lambda: bool(fields.subnets.choices) and all(s.vpc_id == vpc for s in known(fields)))


def known(fields: ServiceNetworkFields) -> list[Subnet]:
    return [fields.subnets_known[c.id] for c in fields.subnets.choices if c.id in fields.subnets_known]


async def test_an_awsvpc_service_gets_the_vpc_subnets_and_security_group_picked_by_typing(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    demo_vpc = vpc_named(emulator, "demo-vpc")
    default_vpc = boto_client(emulator, "ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])[
        "Vpcs"
    ][0]["VpcId"]
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        fields = network(dialog)
        # No service to copy from: the default VPC, and only its subnets and security groups are offered.
        assert fields.vpc.value == default_vpc
        assert {c.id for c in fields.subnets.choices} == set(subnets_of(emulator, default_vpc))
        await wait_until(pilot, lambda: bool(fields.security_groups.choices))
        assert {c.id for c in fields.security_groups.choices} == set(groups_of(emulator, default_vpc))

        await type_into(pilot, dialog, "#service-name", "walk-web")
        await type_into(pilot, dialog, "#desired", "2")
        await choose_vpc(pilot, dialog, "demo-vpc", demo_vpc)
        assert {c.id for c in fields.subnets.choices} == set(subnets_of(emulator, demo_vpc))
        await wait_until(
            pilot, lambda: {c.id for c in fields.security_groups.choices} == set(groups_of(emulator, demo_vpc))
        )
        await pilot.press("tab", *"public", "enter", "down", "enter")  # the first two public subnets
        await pilot.press("tab", *"demo-tasks", "enter")
        await pilot.pause()
        # Every chosen subnet routes to an internet gateway: a public IP is proposed, and why is said.
        assert dialog.query_one("#public-ip", Checkbox).value is True
        assert "every chosen subnet is public" in text_of(dialog.query_one("#public-ip-why", Static).render())
        revision = dialog.query_one("#revision", Select).value
        await pilot.press("ctrl+s")
        await closes(pilot, dialog)

    names = subnets_of(emulator, demo_vpc)
    groups = groups_of(emulator, demo_vpc)
    assert mutations(emulator) == {"CreateService": 1}
    [sent] = emulator.log.calls("CreateService")
    assert (sent["serviceName"], sent["desiredCount"], sent["taskDefinition"]) == ("walk-web", 2, revision)
    vpc_config = sent["networkConfiguration"]["awsvpcConfiguration"]
    assert [names[s] for s in vpc_config["subnets"]] == ["demo-public-a", "demo-public-b"]
    assert [groups[g] for g in vpc_config["securityGroups"]] == ["demo-tasks"]
    assert vpc_config["assignPublicIp"] == "ENABLED"
    assert sent["deploymentConfiguration"] == {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    created = boto_client(emulator, "ecs").describe_services(cluster="walk", services=["walk-web"])["services"][0]
    assert created["status"] == "ACTIVE"
    assert sorted(created["networkConfiguration"]["awsvpcConfiguration"]["subnets"]) == sorted(vpc_config["subnets"])


async def test_private_subnets_propose_no_public_ip_and_the_users_choice_stands(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    demo_vpc = vpc_named(emulator, "demo-vpc")
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        await choose_vpc(pilot, dialog, "demo-vpc", demo_vpc)
        await pilot.press("tab", *"public-a", "enter")
        await pilot.pause()
        public_ip = dialog.query_one("#public-ip", Checkbox)
        assert public_ip.value is True
        dialog.query_one("#subnets-filter", Input).value = ""
        await pilot.press(*"private-a", "enter")  # one private subnet among them: no public IP
        await pilot.pause()
        assert public_ip.value is False
        assert "is private" in text_of(dialog.query_one("#public-ip-why", Static).render())
        public_ip.focus()
        await pilot.press("space")  # the user wants one anyway
        await pilot.pause()
        dialog.query_one("#subnets-filter", Input).value = ""
        dialog.query_one("#subnets-filter", Input).focus()
        await pilot.press(*"private-b", "enter")  # a later choice of subnets does not undo the user's
        await pilot.pause()
        assert public_ip.value is True
    assert mutations(emulator) == {}


def test_the_public_ip_is_proposed_only_when_every_chosen_subnet_is_known_public() -> None:
    def subnet(id: str, public: bool) -> Subnet:
        return Subnet(id, "vpc-1", "us-east-1a", "10.0.0.0/24", None, 10, public, "rtb-1", False)

    known = {
        "subnet-a": subnet("subnet-a", True),
        "subnet-b": subnet("subnet-b", True),
        "subnet-p": subnet("subnet-p", False),
    }
    assert public_ip_proposal(["subnet-a", "subnet-b"], known)[0] is True
    assert public_ip_proposal(["subnet-a", "subnet-p"], known)[0] is False
    assert public_ip_proposal(["subnet-a", "subnet-zz"], known)[0] is False  # pasted, not listed: unknown
    assert public_ip_proposal([], known)[0] is False


async def test_the_subnets_picker_lists_every_subnet_of_a_vpc_over_several_pages(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    ec2 = boto_client(emulator, "ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.1.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "wide"}]}]
    )["Vpc"]["VpcId"]
    for n in range(120):
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{n}.0/24", AvailabilityZone=f"us-east-1{'abc'[n % 3]}")
    new_cluster(emulator)
    app = make_app(demo_account)
    app.network.page_size = 50  # EC2 pages at MaxResults; 50 makes 120 subnets three pages
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        fields = network(dialog)
        emulator.log.clear()
        await choose_vpc(pilot, dialog, "wide", vpc)
        await wait_until(pilot, lambda: len(fields.subnets.choices) == 120)
        pages = [c for c in emulator.log.calls("DescribeSubnets") if c.get("Filter.1.Value.1") == vpc]
        assert [p["MaxResults"] for p in pages] == ["50", "50", "50"]
        assert [("NextToken" in p) for p in pages] == [False, True, True]
        await pilot.press("tab", *"10.1.119.0", "enter")  # on the last page
        await pilot.press("tab", *"default", "enter")
        await type_into(pilot, dialog, "#service-name", "wide-web")
        await pilot.press("ctrl+s")
        await closes(pilot, dialog)
    [sent] = emulator.log.calls("CreateService")
    [subnet] = sent["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["CidrBlock"] == "10.1.119.0/24"
    # Subnets with no route to an internet gateway: no public IP proposed.
    assert sent["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert emulator.log.violations == []


async def test_bad_input_is_said_in_one_sentence_keeps_what_was_typed_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    demo_vpc = vpc_named(emulator, "demo-vpc")
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        await type_into(pilot, dialog, "#service-name", "walk-web")
        await choose_vpc(pilot, dialog, "demo-vpc", demo_vpc)
        revision = dialog.definitions[str(dialog.query_one("#revision", Select).value)]
        assert revision.network_mode == "awsvpc"
        # An awsvpc service without subnets: ECS refuses it, and so does the form.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "uses awsvpc networking: give at least one subnet" in error_of(dialog)
        # A subnet ID pasted and not taken (no enter): said, kept.
        await type_into(pilot, dialog, "#subnets-filter", "subnet-0123456789abcdef0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "holds 'subnet-0123456789abcdef0', which is not picked" in error_of(dialog)
        assert dialog.query_one("#subnets-filter", Input).value == "subnet-0123456789abcdef0"
        dialog.query_one("#subnets-filter", Input).value = ""
        await pilot.press(*"public-a", "enter")
        # Auto scaling with a minimum above its maximum.
        scaling = dialog.query_one("#scaling-enabled", Checkbox)
        scaling.focus()
        await pilot.press("space")
        await pilot.pause()
        await type_into(pilot, dialog, "#scaling-min", "5")
        await type_into(pilot, dialog, "#scaling-max", "3")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "5" in error_of(dialog) and "3" in error_of(dialog) and error_of(dialog).count(".") <= 2
        assert dialog.query_one("#scaling-min", Input).value == "5"
        assert app.screen is dialog
        assert network(dialog).subnets.selected != ()
    assert mutations(emulator) == {}


async def test_a_read_only_session_opens_no_form_and_its_create_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    app = make_app(dataclasses.replace(demo_account, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ClustersScreen)
        assert screen.table.select_key(next(k for k, c in screen.items.items() if c.name == "walk"))
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        # Refused before a request is built, also with the new parameters.
        with pytest.raises(ReadOnlyError):
            await app.actions.create_service(
                "walk",
                "walk-web",
                "arn:aws:ecs:us-east-1:123456789012:task-definition/api:3",
                1,
                subnets=["subnet-0123456789abcdef0"],
                circuit_breaker=True,
                load_balancers=[{"targetGroupArn": "arn:x", "containerName": "app", "containerPort": 80}],
            )
    assert mutations(emulator) == {}


async def fill_a_scaled_service(pilot: Any, dialog: CreateServiceDialog, emulator: EmulatorServer) -> None:
    await type_into(pilot, dialog, "#service-name", "walk-web")
    await type_into(pilot, dialog, "#desired", "2")
    await choose_vpc(pilot, dialog, "demo-vpc", vpc_named(emulator, "demo-vpc"))
    await pilot.press("tab", *"public-a", "enter")
    await pilot.press("tab", *"demo-tasks", "enter")
    dialog.query_one("#scaling-enabled", Checkbox).focus()
    await pilot.press("space")
    await pilot.pause()
    await type_into(pilot, dialog, "#scaling-min", "2")
    await type_into(pilot, dialog, "#scaling-max", "6")


async def test_a_failed_scaling_step_keeps_the_dialog_says_what_was_created_and_confirm_resumes_from_it(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    emulator.faults.inject("RegisterScalableTarget", ACCESS_DENIED, count=1, service="application-autoscaling")
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        await fill_a_scaled_service(pilot, dialog, emulator)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: error_of(dialog) != "" and not dialog.sending)
        said = error_of(dialog)
        assert "Created service walk-web." in said and "Setting up auto scaling failed" in said
        assert "Confirm resumes from this step" in said
        assert "✓ Created service walk-web." in text_of(dialog.query_one("#create-progress", Static).render())
        assert app.screen is dialog
        await pilot.press("ctrl+s")
        await closes(pilot, dialog)
        assert any("It auto scales" in n.message for n in app._notifications)

    # The service once; the scaling sent again after its failure (the refused one never reached moto), then its
    # policy.
    assert emulator.log.counts["CreateService"] == 1
    assert emulator.log.counts["RegisterScalableTarget"] == 1
    assert emulator.log.counts["PutScalingPolicy"] == 1
    aas = boto_client(emulator, "application-autoscaling")
    [target] = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=["service/walk/walk-web"])[
        "ScalableTargets"
    ]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 6)
    [policy] = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/walk/walk-web")[
        "ScalingPolicies"
    ]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert config["TargetValue"] == 70.0


async def test_a_create_service_whose_answer_was_lost_is_read_back_and_not_sent_again(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    # Every attempt (botocore's retries too) is carried out and its answer lost.
    emulator.faults.inject("CreateService", DropAfterApplying(), count=1000)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        await fill_a_scaled_service(pilot, dialog, emulator)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: error_of(dialog) != "" and not dialog.sending, limit=90)
        assert app.screen is dialog
        sent = emulator.log.counts["CreateService"]
        assert sent >= 1 and emulator.log.counts["RegisterScalableTarget"] == 0
        emulator.faults.clear_injections()
        await pilot.press("ctrl+s")
        await closes(pilot, dialog)
    # The service was there (read back): not created again; the next step went on.
    assert emulator.log.counts["CreateService"] == sent
    assert emulator.log.counts["RegisterScalableTarget"] == 1
    services = boto_client(emulator, "ecs").list_services(cluster="walk")["serviceArns"]
    assert [arn.rsplit("/", 1)[-1] for arn in services] == ["walk-web"]


# -- behind a load balancer ------------------------------------------------------------------------------------


ELB_MUTATIONS = ("CreateTargetGroup", "CreateLoadBalancer", "CreateListener", "CreateRule")


async def fill_a_balanced_service(pilot: Any, dialog: CreateServiceDialog, emulator: EmulatorServer) -> None:
    """walk-web, 2 tasks in two public subnets behind a new internet-facing ALB, auto scaled 2..6."""
    await fill_a_scaled_service(pilot, dialog, emulator)
    fields = network(dialog)
    dialog.query_one("#subnets-filter", Input).value = ""
    dialog.query_one("#subnets-filter", Input).focus()
    await pilot.press(*"public-b", "enter")  # an ALB needs subnets in two zones
    await wait_until(pilot, lambda: len(fields.subnets.selected) == 2)
    mode = dialog.query_one("#lb-mode", Select)
    mode.focus()
    await pilot.press("enter", "down", "down", "enter")  # "New internet-facing ALB"
    await wait_until(pilot, lambda: mode.value == "new")
    await wait_until(pilot, lambda: dialog.query_one("#lb-tg-name", Input).value == "walk-web-tg")


def elb_calls(emulator: EmulatorServer) -> list[str]:
    return [op for op, _ in emulator.log.bodies if op in (*ELB_MUTATIONS, *MUTATIONS)]


async def test_a_service_behind_a_new_alb_is_created_in_order_and_tracks_alb_requests_per_target(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        await fill_a_balanced_service(pilot, dialog, emulator)
        # Behind an ALB, requests per target can be tracked.
        metric = dialog.query_one("#scaling-metric", Select)
        await wait_until(pilot, lambda: "requests" in [value for _, value in metric._options])
        metric.value = "requests"
        await pilot.pause()
        await type_into(pilot, dialog, "#scaling-target", "500")
        await pilot.press("ctrl+s")
        await closes(pilot, dialog)
        assert any("address that stays" in n.message for n in app._notifications)

    assert elb_calls(emulator) == [
        "CreateTargetGroup",
        "CreateLoadBalancer",
        "CreateListener",
        "CreateService",
        "RegisterScalableTarget",
        "PutScalingPolicy",
    ]
    elbv2 = boto_client(emulator, "elbv2")
    [group] = elbv2.describe_target_groups(Names=["walk-web-tg"])["TargetGroups"]
    [balancer] = elbv2.describe_load_balancers(Names=["walk-web-alb"])["LoadBalancers"]
    assert group["TargetType"] == "ip"
    [sent] = emulator.log.calls("CreateService")
    [wired] = sent["loadBalancers"]
    assert wired["targetGroupArn"] == group["TargetGroupArn"]
    assert (wired["containerName"], wired["containerPort"]) == (
        dialog.definitions[sent["taskDefinition"]].containers[0].name,
        group["Port"],
    )
    [policy] = boto_client(emulator, "application-autoscaling").describe_scaling_policies(
        ServiceNamespace="ecs", ResourceId="service/walk/walk-web"
    )["ScalingPolicies"]
    spec = policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
    assert spec["PredefinedMetricType"] == "ALBRequestCountPerTarget"
    lb_part = balancer["LoadBalancerArn"].split(":loadbalancer/")[1]
    tg_part = group["TargetGroupArn"].split(":")[-1]
    assert spec["ResourceLabel"] == f"{lb_part}/{tg_part}"


async def test_a_failed_load_balancer_step_is_resumed_without_a_second_target_group(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    emulator.faults.inject("CreateLoadBalancer", ACCESS_DENIED, count=1, service="elasticloadbalancing")
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        await fill_a_balanced_service(pilot, dialog, emulator)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: error_of(dialog) != "" and not dialog.sending)
        said = error_of(dialog)
        assert "Setting up load balancing failed" in said and "walk-web-tg" in said, said
        assert emulator.log.counts["CreateService"] == 0
        await pilot.press("ctrl+s")
        await closes(pilot, dialog)

    # The target group once (the refused CreateLoadBalancer never reached moto), then the rest in order.
    assert elb_calls(emulator) == [
        "CreateTargetGroup",
        "CreateLoadBalancer",
        "CreateListener",
        "CreateService",
        "RegisterScalableTarget",
        "PutScalingPolicy",
    ]
    elbv2 = boto_client(emulator, "elbv2")
    groups = [g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]]
    assert groups.count("walk-web-tg") == 1
    [sent] = emulator.log.calls("CreateService")
    assert (
        sent["loadBalancers"][0]["targetGroupArn"]
        == elbv2.describe_target_groups(Names=["walk-web-tg"])["TargetGroups"][0]["TargetGroupArn"]
    )


async def test_auto_scalings_min_and_max_start_from_the_desired_count_until_edited(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    new_cluster(emulator)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        minimum, maximum = dialog.query_one("#scaling-min", Input), dialog.query_one("#scaling-max", Input)
        await type_into(pilot, dialog, "#desired", "3")
        await pilot.pause()
        assert (minimum.value, maximum.value) == ("3", "6")
        await type_into(pilot, dialog, "#scaling-max", "10")
        await type_into(pilot, dialog, "#desired", "4")
        await pilot.pause()
        assert (minimum.value, maximum.value) == ("3", "10")  # edited: the user's numbers stay
    assert mutations(emulator) == {}
