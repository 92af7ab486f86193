"""A service put behind a new ALB in the demo: its tasks are registered in the new target group and turn healthy, each
has its own public IP (another one when replaced), and the service and task views name the ALB's DNS name as the
address that stays."""

from __future__ import annotations

from typing import Any

from ecstui.aws.load_balancer_actions import LoadBalancerActions, LoadBalancingPlan, NewLoadBalancer, NewTargetGroup
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.screens.service_detail import ServiceDetailScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.task_detail import TaskDetailScreen
from ecstui.ui.screens.tasks import TasksScreen
from tests.aws.demo_state import STEP, step_until, target_states
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until
from tests.ui.load_balancing_host import demo_network


def _public_network(emulator: EmulatorServer) -> tuple[list[str], str, str]:
    """The demo VPC's public subnets (routed to its internet gateway), its ALB and its tasks' security groups."""
    ec2 = boto_client(emulator, "ec2")
    vpc, subnets, _ = demo_network(emulator)
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    by_name = {g["GroupName"]: g["GroupId"] for g in groups}
    alb_sg = next(v for k, v in by_name.items() if k.endswith("-alb"))
    tasks_sg = next(v for k, v in by_name.items() if k.endswith("-tasks"))
    return subnets, alb_sg, tasks_sg


def _public_ips(emulator: EmulatorServer, simulator: Simulator, service: str) -> dict[str, str]:
    """task ARN -> public IP of the service's running tasks (from the ENIs, as ECS's reader reads them)."""
    ecs, ec2 = boto_client(emulator, "ecs"), boto_client(emulator, "ec2")
    arns = ecs.list_tasks(cluster="prod", serviceName=service, desiredStatus="RUNNING")["taskArns"]
    found = {}
    for task in ecs.describe_tasks(cluster="prod", tasks=arns)["tasks"] if arns else []:
        if task.get("group") != f"service:{service}" or task["lastStatus"] != "RUNNING":
            continue
        details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
        eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[details["networkInterfaceId"]])["NetworkInterfaces"][
            0
        ]
        if ip := eni.get("Association", {}).get("PublicIp"):
            found[task["taskArn"]] = ip
    return found


async def _behind_a_new_alb(demo: AwsTarget, emulator: EmulatorServer) -> tuple[str, Any]:
    subnets, alb_sg, tasks_sg = _public_network(emulator)
    vpc, _, _ = demo_network(emulator)
    plan = LoadBalancingPlan(
        "node-app",
        3000,
        new_target_group=NewTargetGroup("node-app-tg", "HTTP", 3000, "ip", "/"),
        new_load_balancer=NewLoadBalancer("node-app-alb", tuple(subnets), (alb_sg,)),
    )
    async with AwsSession(demo) as session:
        prepared = await LoadBalancerActions(session).prepare("prod", "node-app", vpc, plan)
    ecs = boto_client(emulator, "ecs")
    ecs.register_task_definition(
        family="taskDef1",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "node-app", "image": "node:22", "memory": 512, "portMappings": [{"containerPort": 3000}]}
        ],
    )
    ecs.create_service(
        cluster="prod",
        serviceName="node-app",
        taskDefinition="taskDef1",
        desiredCount=2,
        launchType="FARGATE",
        loadBalancers=prepared.load_balancers,
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": subnets, "securityGroups": [tasks_sg], "assignPublicIp": "ENABLED"}
        },
    )
    assert prepared.dns_name
    return prepared.dns_name, prepared


async def test_tasks_behind_a_new_alb_turn_healthy_and_a_replaced_one_comes_back_at_another_public_ip(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    await _behind_a_new_alb(demo_account, emulator)
    now = step_until(simulator, lambda: target_states(simulator, "node-app-tg") == ["healthy", "healthy"])
    ips = _public_ips(emulator, simulator, "node-app")
    assert len(ips) == 2 and len(set(ips.values())) == 2
    registered = {
        t["Target"]["Id"]
        for t in boto_client(emulator, "elbv2").describe_target_health(
            TargetGroupArn=boto_client(emulator, "elbv2").describe_target_groups(Names=["node-app-tg"])["TargetGroups"][
                0
            ]["TargetGroupArn"]
        )["TargetHealthDescriptions"]
    }
    assert len(registered) == 2 and all(ip.startswith("10.") for ip in registered)  # the tasks' private IPs

    stopped = next(iter(ips))
    boto_client(emulator, "ecs").stop_task(cluster="prod", task=stopped, reason="replaced in a test")

    def replaced() -> bool:
        now_ips = _public_ips(emulator, simulator, "node-app")
        return (
            stopped not in now_ips
            and len(now_ips) == 2
            and target_states(simulator, "node-app-tg")
            == [
                "healthy",
                "healthy",
            ]
        )

    # Not step_until: its condition runs under the emulator's lock, and this one asks the emulator over HTTP.
    for _ in range(40):
        if replaced():
            break
        now += STEP
        simulator.step(now)
    else:
        raise AssertionError("the stopped task was never replaced by a healthy one")
    after = _public_ips(emulator, simulator, "node-app")
    assert ips[stopped] not in after.values()  # the new task has another public IP


async def test_the_service_and_task_views_name_the_alb_as_the_address_that_stays(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    dns, _ = await _behind_a_new_alb(demo_account, emulator)
    step_until(simulator, lambda: target_states(simulator, "node-app-tg") == ["healthy", "healthy"])
    ips = _public_ips(emulator, simulator, "node-app")
    address = f"http://{dns}:80 → node-app-tg (2 of 2 healthy)"
    app = make_app(demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        services = app.screen
        assert isinstance(services, ServicesScreen)
        assert services.table.select_key(next(k for k, s in services.items.items() if s.name == "node-app"))
        await pilot.press("v")
        await wait_loaded(pilot)
        detail = app.screen
        assert isinstance(detail, ServiceDetailScreen)
        await wait_until(pilot, lambda: detail.view is not None and bool(detail.view.target_groups))
        body = text_of(detail.body)
        line = next(line for line in body.splitlines() if "Address that stays" in line)
        assert address in line
        assert "assigned (each task its own, new when the task is replaced)" in body

        await pilot.press("t")
        await wait_loaded(pilot)
        tasks = app.screen
        assert isinstance(tasks, TasksScreen)
        arn = next(iter(ips))
        await wait_until(pilot, lambda: arn in tasks.items)
        assert tasks.table.select_key(arn)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TaskDetailScreen))
        task_screen = app.screen
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: "Address that stays" in text_of(task_screen.body))
        lines = text_of(task_screen.body).splitlines()
        public = next(line for line in lines if "Public IP" in line)
        assert ips[arn] in public and "changes when the task is replaced" in public
        assert address in next(line for line in lines if "Address that stays" in line)
