"""Clusters and container instances: create, create a service, tear down, drain, reactivate — checked at moto."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from ecstui.aws.audit import AuditLog
from ecstui.aws.errors import AwsError
from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ActionDialog, ConfirmDialog
from ecstui.ui.dialogs.cluster import CreateClusterDialog, DeleteClusterDialog
from ecstui.ui.dialogs.create_service import CreateServiceDialog
from ecstui.ui.dialogs.service_network import ServiceNetworkFields
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.instances import InstancesScreen
from tests.conftest import boto_client
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

MUTATIONS = (
    "CreateCluster",
    "DeleteCluster",
    "CreateService",
    "UpdateService",
    "DeleteService",
    "UpdateContainerInstancesState",
)


def mutations(emulator: EmulatorServer) -> dict[str, int]:
    return {op: emulator.log.counts[op] for op in MUTATIONS if emulator.log.counts[op]}


def app_for(target: AwsTarget, tmp_path: Path, **options: object) -> EcsApp:
    return make_app(target, audit_path=str(tmp_path / "audit.jsonl"), **options)


async def select_cluster(pilot: Any, name: str) -> ClustersScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ClustersScreen)
    assert screen.table.select_key(next(k for k, c in screen.items.items() if c.name == name))
    await pilot.pause()
    return screen


def error_of(dialog: ActionDialog[Any]) -> str:
    error = dialog.query_one("#dialog-error", Static)
    return text_of(error.render()) if error.has_class("shown") else ""


async def type_into(pilot: Any, dialog: ActionDialog[Any], selector: str, text: str) -> None:
    box = dialog.query_one(selector, Input)
    box.focus()
    box.value = ""
    await pilot.press(*text)


# -- create a cluster ---------------------------------------------------------------------------------


async def test_creating_a_cluster_sends_its_capacity_providers_and_container_insights(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, CreateClusterDialog)
        await pilot.press(*"payments")
        await pilot.press("tab", "tab", "space")  # FARGATE is on already; turn FARGATE_SPOT on
        await pilot.press("tab", "tab", "tab", "space")  # past EC2 and the default strategy: Container Insights on
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))

    assert mutations(emulator) == {"CreateCluster": 1}
    ecs = boto_client(emulator, "ecs")
    cluster = ecs.describe_clusters(clusters=["payments"], include=["SETTINGS"])["clusters"][0]
    assert cluster["status"] == "ACTIVE"
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]
    [entry] = AuditLog(tmp_path / "audit.jsonl").entries()
    assert (entry.action, entry.target, entry.ok) == ("create_cluster", "payments", True)


async def test_a_bad_or_taken_cluster_name_is_said_inline_keeps_the_text_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, CreateClusterDialog)
        for typed, message in [
            ("pay ments!", "only letters, numbers, hyphens and underscores"),
            ("prod", "already exists"),
            ("", "Enter a cluster name"),
        ]:
            await type_into(pilot, dialog, "#cluster-name", typed)
            await pilot.press("enter")
            await pilot.pause()
            assert message in error_of(dialog)
            assert dialog.query_one("#cluster-name", Input).value == typed
            assert app.screen is dialog
    assert mutations(emulator) == {}


# -- create a service ---------------------------------------------------------------------------------


async def open_create_service(pilot: Any, cluster: str) -> CreateServiceDialog:
    await select_cluster(pilot, cluster)
    await pilot.press("n")
    dialog = pilot.app.screen
    assert isinstance(dialog, CreateServiceDialog)
    await wait_until(pilot, lambda: isinstance(dialog.query_one("#revision", Select).value, str))
    return dialog


async def test_creating_a_service_takes_its_network_from_a_service_of_the_cluster(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    ecs = boto_client(emulator, "ecs")
    web = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    template_network = web["networkConfiguration"]["awsvpcConfiguration"]
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_create_service(pilot, "prod")
        revision = dialog.query_one("#revision", Select).value
        assert isinstance(revision, str) and ":task-definition/" in revision
        await wait_until(pilot, lambda: dialog.query_one(ServiceNetworkFields).subnets.selected != ())
        await type_into(pilot, dialog, "#service-name", "orders-v2")
        await type_into(pilot, dialog, "#desired", "3")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))

    assert mutations(emulator) == {"CreateService": 1}
    [sent] = emulator.log.calls("CreateService")
    assert sent["serviceName"] == "orders-v2"
    assert sent["taskDefinition"] == revision
    assert sent["desiredCount"] == 3
    assert sent["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]
    network = sent["networkConfiguration"]["awsvpcConfiguration"]
    assert sorted(network["subnets"]) == sorted(template_network["subnets"])
    assert network["securityGroups"] == template_network["securityGroups"]
    assert network["assignPublicIp"] == "DISABLED"
    created = ecs.describe_services(cluster="prod", services=["orders-v2"])["services"][0]
    assert (created["status"], created["desiredCount"], created["taskDefinition"]) == ("ACTIVE", 3, revision)
    assert sorted(created["networkConfiguration"]["awsvpcConfiguration"]["subnets"]) == sorted(
        template_network["subnets"]
    )
    [entry] = AuditLog(tmp_path / "audit.jsonl").entries()
    assert (entry.action, entry.target, entry.ok) == ("create_service", "prod/orders-v2", True)


async def test_bad_service_input_is_said_inline_keeps_the_text_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_create_service(pilot, "prod")
        cases = [
            ("#service-name", "my service", "only letters, numbers, hyphens and underscores"),
            ("#service-name", "web", "already has a service named 'web'"),
            ("#desired", "three", "is not a whole number"),
            ("#desired", "-1", "cannot be negative"),
            ("#desired", "5001", "above the ECS quota of 5,000"),
            ("#security-groups-filter", "sg-0123456789abcdef0", "holds 'sg-0123456789abcdef0', which is not picked"),
        ]
        for selector, typed, message in cases:
            await type_into(pilot, dialog, "#service-name", "orders-v2")
            await type_into(pilot, dialog, "#desired", "2")
            await type_into(pilot, dialog, selector, typed)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert message in error_of(dialog), (typed, error_of(dialog))
            assert dialog.query_one(selector, Input).value == typed
            assert app.screen is dialog
            if selector == "#security-groups-filter":
                await type_into(pilot, dialog, selector, "")
    assert mutations(emulator) == {}


async def test_a_failed_create_service_shows_aws_message_and_keeps_the_dialog(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_create_service(pilot, "prod")
        # A revision deleted by someone else between listing and sending.
        ghost = "arn:aws:ecs:us-east-1:123456789012:task-definition/ghost:9"
        revision = dialog.query_one("#revision", Select)
        revision.set_options([("ghost:9", ghost)])
        revision.value = ghost
        await type_into(pilot, dialog, "#service-name", "orders-v2")
        await pilot.press("enter")
        await wait_until(pilot, lambda: error_of(dialog) != "" and not dialog.sending)
        assert "Unable to describe task definition" in error_of(dialog)
        assert app.screen is dialog
        assert dialog.query_one("#service-name", Input).value == "orders-v2"
        assert not dialog.query_one("#dialog-confirm").disabled
    assert mutations(emulator) == {"CreateService": 1}
    [entry] = AuditLog(tmp_path / "audit.jsonl").entries()
    assert entry.action == "create_service" and not entry.ok


# -- delete a cluster ---------------------------------------------------------------------------------


async def open_delete(pilot: Any, cluster: str) -> DeleteClusterDialog:
    await select_cluster(pilot, cluster)
    await pilot.press("ctrl+d")
    dialog = pilot.app.screen
    assert isinstance(dialog, DeleteClusterDialog)
    await wait_until(pilot, lambda: "Looking at" not in text_of(dialog.query_one("#teardown-plan", Static).render()))
    return dialog


async def test_deleting_a_cluster_with_services_tears_it_down_in_the_seeds_order(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_delete(pilot, "staging")
        plan = text_of(dialog.query_one("#teardown-plan", Static).render())
        assert "scale to 0: api (2), web (2), worker (1)" in plan
        assert "delete services: api, web, worker" in plan
        assert "deregister its 2 container instance(s)" in plan
        # The scheduler must stop the tasks before ECS lets the cluster go: run it as the demo does.
        app.actions.teardown_poll_seconds = 0.05
        simulator.start(interval=0.05)
        await pilot.press(*"staging", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen), limit=60)
        assert any("Deleted cluster staging (9 steps)" in n.message for n in app._notifications)

    # Scale every service to 0, delete every service, (tasks stop,) deregister the instances, delete the
    # cluster: each exactly once.
    sent = [(op, body) for op, body in emulator.log.bodies if op in (*MUTATIONS, "DeregisterContainerInstance")]
    assert [op for op, _ in sent] == ["UpdateService"] * 3 + ["DeleteService"] * 3 + [
        "DeregisterContainerInstance"
    ] * 2 + ["DeleteCluster"]
    assert sorted(body["service"] for op, body in sent if op == "UpdateService") == ["api", "web", "worker"]
    assert all(body["desiredCount"] == 0 for op, body in sent if op == "UpdateService")
    assert all("force" not in body for op, body in sent if op == "DeleteService")
    ecs = boto_client(emulator, "ecs")
    services = ecs.describe_services(cluster="staging", services=["api", "web", "worker"])["services"]
    assert {s["status"] for s in services} == {"INACTIVE"}
    assert ecs.describe_clusters(clusters=["staging"])["clusters"][0]["status"] == "INACTIVE"
    entries = list(reversed(AuditLog(tmp_path / "audit.jsonl").entries()))
    assert [(e.action, e.ok) for e in entries] == [("scale_service", True)] * 3 + [("delete_service", True)] * 3 + [
        ("deregister_container_instances", True),
        ("delete_cluster", True),
    ]


async def test_an_empty_cluster_is_deleted_with_one_request(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    boto_client(emulator, "ecs").create_cluster(clusterName="empty")
    emulator.log.clear()
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_delete(pilot, "empty")
        assert "has no services" in text_of(dialog.query_one("#teardown-plan", Static).render())
        await pilot.press(*"empty", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
    assert mutations(emulator) == {"DeleteCluster": 1}


async def test_a_mistyped_cluster_name_sends_nothing_and_keeps_the_text(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_delete(pilot, "staging")
        await pilot.press(*"stagin", "enter")
        await pilot.pause()
        assert "Type 'staging' exactly to confirm (you typed 'stagin')" in error_of(dialog)
        assert dialog.query_one("#confirm-name", Input).value == "stagin"
        assert app.screen is dialog
    assert mutations(emulator) == {}


async def test_a_teardown_stops_at_the_first_error_and_shows_it_with_the_steps_done(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path)
    original = app.actions.delete_service

    async def refuse_web(cluster: str, service: str) -> Any:
        if service == "web":
            raise AwsError("Service web is locked by a test.", kind="invalid")
        return await original(cluster, service)

    app.actions.delete_service = refuse_web  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        dialog = await open_delete(pilot, "staging")
        await pilot.press(*"staging", "enter")
        await wait_until(pilot, lambda: error_of(dialog) != "" and not dialog.sending)
        assert "Service web is locked by a test." in error_of(dialog)
        assert app.screen is dialog
        progress = text_of(dialog.query_one("#teardown-progress", Static).render())
        assert "Scaled worker to 0." in progress and "Deleted service api." in progress
        assert "Deleted service web." not in progress
        assert dialog.query_one("#confirm-name", Input).value == "staging"
    sent = [op for op, _ in emulator.log.bodies if op in MUTATIONS]
    assert sent == ["UpdateService"] * 3 + ["DeleteService"]  # nothing after the failure
    cluster = boto_client(emulator, "ecs").describe_clusters(clusters=["staging"])["clusters"][0]
    assert cluster["status"] == "ACTIVE"


# -- container instances ------------------------------------------------------------------------------


async def open_instances(pilot: Any, cluster: str) -> InstancesScreen:
    await select_cluster(pilot, cluster)
    await pilot.press("i")
    await wait_loaded(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InstancesScreen)
    return screen


def instance_status(emulator: EmulatorServer, arn: str) -> str:
    ecs = boto_client(emulator, "ecs")
    return str(
        ecs.describe_container_instances(cluster="batch", containerInstances=[arn])["containerInstances"][0]["status"]
    )


async def test_drain_then_reactivate_an_instance(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        screen = await open_instances(pilot, "batch")
        arn = screen.table.selected_key
        assert arn is not None
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the Drain button has the focus
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
        assert instance_status(emulator, arn) == "DRAINING"
        await wait_until(pilot, lambda: screen.items[arn].status == "DRAINING")
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
        assert instance_status(emulator, arn) == "ACTIVE"
    assert mutations(emulator) == {"UpdateContainerInstancesState": 2}
    actions = [(e.action, e.ok) for e in reversed(AuditLog(tmp_path / "audit.jsonl").entries())]
    assert actions == [("drain_container_instances", True), ("reactivate_container_instances", True)]


async def test_on_a_production_profile_draining_needs_the_instance_typed(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(demo_account, tmp_path, production=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        screen = await open_instances(pilot, "batch")
        arn = screen.table.selected_key
        assert arn is not None
        name = screen.items[arn].ec2_instance_id
        assert name
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        await pilot.press(*"i-wrong", "enter")
        await pilot.pause()
        assert "exactly to confirm" in error_of(dialog)
        assert mutations(emulator) == {}
        await type_into(pilot, dialog, "#confirm-name", name)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
    assert instance_status(emulator, arn) == "DRAINING"


# -- read-only ------------------------------------------------------------------------------------------


async def test_read_only_sessions_open_no_dialog_and_send_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    app = app_for(dataclasses.replace(demo_account, read_only=True), tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await select_cluster(pilot, "staging")
        for key in ("c", "n", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ClustersScreen), key
        await select_cluster(pilot, "batch")
        await pilot.press("i")
        await wait_loaded(pilot)
        for key in ("D", "a"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, InstancesScreen), key
        assert sum("Read-only session" in n.message for n in app._notifications) == 5
    assert mutations(emulator) == {}


# -- command palette ------------------------------------------------------------------------------------


async def test_palette_commands_fit_the_selected_row(demo_account: AwsTarget, tmp_path: Path) -> None:
    app = app_for(demo_account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        screen = await select_cluster(pilot, "staging")
        titles = [command.title for command in screen.palette_commands()]
        assert titles[0] == "Create cluster"
        assert "Create service in staging" in titles and "Delete cluster staging" in titles
        title, _help, run = screen.palette_commands()[-1]
        assert title == "Delete cluster staging"
        run()
        await pilot.pause()
        assert isinstance(app.screen, DeleteClusterDialog)
