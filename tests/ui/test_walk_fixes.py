"""What the first-cluster walk found wrong in the dialogs and views (issue 11, "found on the walk, to fix")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Button, Input, Select, Static

from ecstui.aws.models import TaskDefinition
from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import SERVER_EXCEPTION
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.dialogs.run_task import RunTaskDialog, launch_types_of
from ecstui.ui.screens.task_definitions import RevisionsScreen
from ecstui.ui.screens.task_detail import TaskDetailScreen
from ecstui.ui.screens.tasks import TasksScreen
from ecstui.ui.widgets.picker import Picker
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded
from tests.ui.test_cluster_actions import app_for, mutations, open_create_service, open_delete, type_into
from tests.ui.test_task_definition_actions import SIZE, open_revisions, wait_dialog, wait_error, wait_until


async def test_a_failed_run_task_says_what_happened_promises_no_retry_and_keeps_the_dialog(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    emulator.faults.inject("RunTask", SERVER_EXCEPTION, count=20)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "checkout")
        await pilot.press("R")
        dialog = await wait_dialog(pilot, RunTaskDialog)
        dialog.query_one("#count", Input).value = "2"
        await pilot.press("ctrl+s")
        said = await wait_error(pilot, dialog)
        assert "RunTask" in said and "HTTP 500" in said
        assert "next refresh" not in said
        assert "Nothing retries it" in said and "Confirm sends it again" in said
        assert app.screen is dialog
        assert dialog.query_one("#count", Input).value == "2"
        assert not dialog.sending
    assert emulator.log.counts["RunTask"] == 0  # every attempt was answered by the fault, none reached moto


# -- the teardown names the standalone tasks it will stop ---------------------------------------------------


def _run_standalone(emulator: EmulatorServer, cluster: str, service: str, started_by: str) -> str:
    """Start one task by hand with the task definition and network of one of the cluster's services."""
    ecs = boto_client(emulator, "ecs")
    described = ecs.describe_services(cluster=cluster, services=[service])["services"][0]
    extra: dict[str, Any] = {}
    if described.get("networkConfiguration"):
        extra["networkConfiguration"] = described["networkConfiguration"]
    if described.get("launchType"):
        extra["launchType"] = described["launchType"]
    task = ecs.run_task(cluster=cluster, taskDefinition=described["taskDefinition"], startedBy=started_by, **extra)[
        "tasks"
    ][0]
    return str(task["taskArn"]).rsplit("/", 1)[-1]


async def test_the_teardown_confirmation_lists_the_standalone_tasks_it_will_stop_before_sending_anything(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    task_id = _run_standalone(emulator, "staging", "api", "nightly-report")
    emulator.log.clear()
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_delete(pilot, "staging")
        plan = text_of(dialog.query_one("#teardown-plan", Static).render())
        assert "1 running standalone task:" in plan
        assert task_id in plan and "started by nightly-report" in plan
        # The services' own tasks are stopped by scaling to 0, not listed as standalone.
        assert plan.count("started by") == 1
    assert mutations(emulator) == {}


async def test_a_cluster_without_services_but_with_a_running_task_says_it_stops_it_first(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    ecs = boto_client(emulator, "ecs")
    task_id = _run_standalone(emulator, "staging", "api", "by-hand")
    for service in ("api", "web", "worker"):
        ecs.update_service(cluster="staging", service=service, desiredCount=0)
        ecs.delete_service(cluster="staging", service=service)
    emulator.log.clear()
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_delete(pilot, "staging")
        plan = text_of(dialog.query_one("#teardown-plan", Static).render())
        assert "has no services. Delete it?" not in plan
        assert f"1. stop 1 running standalone task: {task_id}" in plan
        assert str(dialog.query_one("#dialog-confirm", Button).label) == "Tear down"
    assert mutations(emulator) == {}


# -- run task proposes what the definition can use --------------------------------------------------------


def _register_fargate_family(emulator: EmulatorServer, family: str = "taskDef1") -> None:
    boto_client(emulator, "ecs").register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "node-app", "image": "node:20", "portMappings": [{"containerPort": 3000}]}],
    )


async def test_run_task_of_a_new_fargate_family_proposes_a_fargate_cluster_and_compute_and_starts_it(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    _register_fargate_family(emulator)
    emulator.log.clear()
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "taskDef1")
        await pilot.press("R")
        dialog = await wait_dialog(pilot, RunTaskDialog)
        # "batch" comes first and has only EC2 container instances: not a place for a Fargate-only definition.
        assert dialog.query_one("#cluster", Select).value == "prod"
        compute = dialog.computes[str(dialog.query_one("#compute", Select).value)]
        providers = {item.capacity_provider for item in compute.strategy}
        assert compute.launch_type == "FARGATE" or (providers and providers <= {"FARGATE", "FARGATE_SPOT"})
        assert dialog.query_one("#subnets", Input).value.startswith("subnet-")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, RevisionsScreen))
    (call,) = emulator.log.calls("RunTask")
    assert call["cluster"] == "prod"
    assert call.get("launchType") in (None, "FARGATE")
    assert all(i["capacityProvider"].startswith("FARGATE") for i in call.get("capacityProviderStrategy", []))
    assert len(boto_client(emulator, "ecs").list_tasks(cluster="prod", family="taskDef1")["taskArns"]) == 1


def test_a_definition_without_required_compatibilities_runs_where_ecs_found_it_compatible() -> None:
    def definition(**fields: Any) -> TaskDefinition:
        return TaskDefinition(
            arn="arn:aws:ecs:us-east-1:123456789012:task-definition/x:1",
            family="x",
            revision=1,
            status="ACTIVE",
            **fields,
        )

    assert launch_types_of(definition(requires_compatibilities=("FARGATE",))) == ("FARGATE",)
    assert launch_types_of(definition(raw={"compatibilities": ["EC2", "FARGATE"]})) == ("EC2", "FARGATE")
    assert launch_types_of(definition(raw={"compatibilities": ["EC2"]})) == ("EC2",)
    assert launch_types_of(definition()) == ("EC2",)


# -- an awsvpc service without subnets is refused before sending ---------------------------------------------


async def test_creating_an_awsvpc_service_without_subnets_is_refused_in_one_sentence_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_create_service(pilot, "prod")
        revision = str(dialog.query_one("#revision", Select).value)
        label = revision.rsplit("/", 1)[-1]
        # The revision has been read (its network mode decides) and the network filled in from a service of prod.
        subnets = dialog.query_one("#subnets", Picker)
        await wait_until(pilot, lambda: revision in dialog.definitions and bool(subnets.selected))
        await type_into(pilot, dialog, "#service-name", "orders-v2")
        subnets.clear()  # every subnet unchosen, as enter on each chosen one does
        dialog.query_one("#security-groups", Picker).clear()
        await pilot.pause()
        await pilot.press("ctrl+s")
        said = await wait_error(pilot, dialog)
        assert said == f"✗ {label} uses awsvpc networking: give at least one subnet."
        assert dialog.query_one("#service-name", Input).value == "orders-v2"
        assert app.screen is dialog
    assert mutations(emulator) == {}


# -- public IPs of tasks, in the demo and in the task views -------------------------------------------------------


async def test_tasks_started_with_a_public_ip_in_the_demos_public_subnets_show_it_in_the_task_views(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator
) -> None:
    ecs = boto_client(emulator, "ecs")
    ec2 = boto_client(emulator, "ec2")
    public = [
        s["SubnetId"]
        for s in ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": ["demo-public-*"]}])["Subnets"]
    ]
    template = ecs.describe_services(cluster="prod", services=["checkout"])["services"][0]
    network = template["networkConfiguration"]["awsvpcConfiguration"]
    ecs.create_service(
        cluster="prod",
        serviceName="node-app",
        taskDefinition=template["taskDefinition"],
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": public,
                "securityGroups": network["securityGroups"],
                "assignPublicIp": "ENABLED",
            }
        },
    )
    for _ in range(10):
        simulator.step()
    app = make_app(demo_account, cluster="prod", service="node-app")
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        await wait_until(pilot, lambda: screen.table.row_count == 2 and any(c.key == "public" for c in screen.columns))
        index = [c.key for c in screen.columns].index("public")
        ips = {text_of(screen.table.get_row_at(i)[index]).strip() for i in range(screen.table.row_count)}
        assert len(ips) == 2 and all(ip.startswith("3.80.") for ip in ips)
        # A running task's public IP does not change: a refresh asks EC2 nothing more, and still shows the IPs.
        asked = emulator.log.counts["DescribeNetworkInterfaces"]
        assert screen.poller is not None
        fetched = screen.poller.fetch_count
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.poller is not None and screen.poller.fetch_count > fetched)
        await pilot.pause()
        assert emulator.log.counts["DescribeNetworkInterfaces"] == asked
        assert {text_of(screen.table.get_row_at(i)[index]).strip() for i in range(screen.table.row_count)} == ips
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TaskDetailScreen) and app.screen.updated_at is not None)
        body = text_of(app.screen.body)
        assert any("Public IP" in line and any(ip in line for ip in ips) for line in body.splitlines())


async def test_tasks_without_a_public_ip_have_no_public_ip_column(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod", service="checkout")
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        assert screen.table.row_count > 0
        assert all(c.key != "public" for c in screen.columns)
