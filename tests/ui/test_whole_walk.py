"""The ECS notes' whole walk, from the keyboard, as a new user does it on the demo, checked by what reached moto.

create a cluster → a task definition from scratch (taskDef1, container node-app, port 3000) → a service of 2 tasks
behind a new internet-facing ALB with CPU target tracking → its tasks run with public IPs, healthy in the target
group, and the service view names the ALB as the address that stays → scale it → a nightly scheduled task that
runs → teardown (the schedule, the service with what ecstui made for it, the cluster, the task definition).

No ID is pasted: every subnet, security group, role, load balancer and target group is picked from a list by typing
a few letters of its name. Every key pressed is counted, besides the names typed and the image: the walk must take
fewer than 150.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widget import Widget

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.base import ActionDialog
from ecstui.ui.dialogs.cluster import DeleteClusterDialog
from ecstui.ui.dialogs.create_cluster import CreateClusterDialog
from ecstui.ui.dialogs.create_service import CreateServiceDialog
from ecstui.ui.dialogs.schedule import ScheduleDialog
from ecstui.ui.dialogs.service import DeleteServiceDialog, ScaleDialog
from ecstui.ui.dialogs.task_definition_form import TaskDefinitionFormDialog
from ecstui.ui.dialogs.task_definition_preview import TaskDefinitionPreviewDialog
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.schedules import SchedulesScreen
from ecstui.ui.screens.service_detail import ServiceDetailScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.task_definitions import FamiliesScreen, RevisionsScreen
from ecstui.ui.widgets.picker import Picker
from tests.aws.demo_state import STEP
from tests.conftest import boto_client
from tests.demo_account import FIXED_NOW
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

IMAGE = "public.ecr.aws/docker/library/node:20-alpine"
KEY_BUDGET = 150
PATIENCE = 60.0  # seconds of wall time for a step to show (the machine may be loaded)


class Keyboard:
    """Presses keys as a user does, one at a time, and counts them; `type` is for names and the image, which
    the budget leaves out."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.pressed = 0
        self.typed = 0
        self.by_step: dict[str, int] = {}
        self._step = ""

    def step(self, name: str) -> None:
        self._step = name
        self.by_step.setdefault(name, 0)

    async def press(self, *keys: str) -> None:
        for key in keys:
            self.pressed += 1
            self.by_step[self._step] = self.by_step.get(self._step, 0) + 1
            await self.pilot.press(key)

    async def keys(self, text: str) -> None:
        """Letters that are not a name (a filter word, a count): pressed and counted."""
        await self.press(*[_key(c) for c in text])

    async def type(self, text: str) -> None:
        """A name or the image: typed, not counted."""
        self.typed += len(text)
        for char in text:
            await self.pilot.press(_key(char))

    async def tab_to(self, target: Widget, limit: int = 30) -> None:
        """Tab (counted) until the focus is in `target`, as a user tabs to a field."""
        for _ in range(limit):
            focused = self.pilot.app.focused
            if focused is not None and target in focused.ancestors_with_self:
                return
            await self.press("tab")
        raise AssertionError(f"{limit} tabs never reached {target}")


def _key(char: str) -> str:
    return {":": "colon", "/": "slash", " ": "space", ".": "full_stop", "-": "minus"}.get(char, char)


async def screen_is(pilot: Pilot[None], kind: type[Any]) -> Any:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind), PATIENCE)
    return pilot.app.screen


async def picker_loaded(pilot: Pilot[None], dialog: ActionDialog[Any], selector: str) -> Picker:
    """Wait until the picker's list has been read (what a user sees as its list filling in)."""
    picker = dialog.query_one(selector, Picker)
    await wait_until(pilot, lambda: picker._state is None, PATIENCE)
    return picker


def step_simulator(simulator: Simulator, now: datetime, until: Any, limit: int = 60) -> datetime:
    for _ in range(limit):
        if until():
            return now
        now += STEP
        simulator.step(now)
    raise AssertionError(f"the simulator never reached {until}")


async def test_the_whole_walk_from_the_keyboard(
    demo_account: AwsTarget, emulator: EmulatorServer, simulator: Simulator, tmp_path: Path
) -> None:
    ecs, elbv2 = boto_client(emulator, "ecs"), boto_client(emulator, "elbv2")
    aas, scheduler = boto_client(emulator, "application-autoscaling"), boto_client(emulator, "scheduler")
    before = _account(emulator)
    app = make_app(demo_account, refresh=1.0, audit_path=str(tmp_path / "audit.jsonl"))
    now = FIXED_NOW
    async with app.run_test(size=(160, 45)) as pilot:
        kb = Keyboard(pilot)
        await wait_loaded(pilot)
        assert isinstance(app.screen, ClustersScreen)

        # 1. A Fargate cluster.
        kb.step("cluster")
        await kb.press("c")
        await screen_is(pilot, CreateClusterDialog)
        await kb.type("walk")
        await kb.press("ctrl+s")
        await screen_is(pilot, ClustersScreen)
        cluster = ecs.describe_clusters(clusters=["walk"])["clusters"][0]
        assert cluster["status"] == "ACTIVE" and "FARGATE" in cluster["capacityProviders"]

        # 2. taskDef1 from scratch: Fargate, the execution role picked from the account, node-app on port 3000.
        kb.step("task definition")
        await kb.press("colon", *"td", "enter")
        await screen_is(pilot, FamiliesScreen)
        await kb.press("n")
        form = await screen_is(pilot, TaskDefinitionFormDialog)
        await picker_loaded(pilot, form, "#execution-role")
        await kb.type("taskDef1")
        fields = form.containers[0]
        await kb.tab_to(fields.box("name"))
        await kb.type("node-app")
        await kb.tab_to(fields.box("image"))
        await kb.type(IMAGE)
        await kb.tab_to(fields.box("ports"))
        await kb.keys("3000")
        await kb.press("ctrl+s")
        await screen_is(pilot, TaskDefinitionPreviewDialog)
        await kb.press("ctrl+s")
        await screen_is(pilot, RevisionsScreen)
        definition = ecs.describe_task_definition(taskDefinition="taskDef1:1")["taskDefinition"]
        (container,) = definition["containerDefinitions"]
        assert (container["name"], container["image"]) == ("node-app", IMAGE)
        assert container["portMappings"][0]["containerPort"] == 3000
        assert definition["requiresCompatibilities"] == ["FARGATE"] and definition["networkMode"] == "awsvpc"
        assert definition["executionRoleArn"].endswith(":role/ecsTaskExecutionRole")

        # 3. The service: 2 tasks of taskDef1:1 in the demo VPC's public subnets, behind a new ALB, CPU-tracked.
        kb.step("service")
        await kb.press("colon", *"cl", "enter")
        clusters = await screen_is(pilot, ClustersScreen)
        await wait_until(pilot, lambda: clusters.updated_at is not None, PATIENCE)
        await kb.press("slash")
        await kb.type("walk")
        await kb.press("enter")
        await kb.press("n")
        service_form = await screen_is(pilot, CreateServiceDialog)
        await picker_loaded(pilot, service_form, "#vpc")
        await kb.type("node-app")
        await kb.tab_to(service_form.query_one("#desired"))
        await kb.press("backspace", "2")
        await kb.tab_to(service_form.query_one("#family"))
        await kb.press("enter")
        await kb.type("taskDef1")  # the Select jumps to what is typed
        await kb.press("enter")
        await wait_until(pilot, lambda: str(service_form.query_one("#revision").value).endswith("taskDef1:1"), PATIENCE)
        await kb.tab_to(service_form.query_one("#vpc"))
        await kb.keys("demo")
        await kb.press("enter")
        await kb.tab_to(service_form.query_one("#subnets"))
        await picker_loaded(pilot, service_form, "#subnets")
        await kb.keys("public")
        await kb.press("enter", "down", "enter")
        await kb.tab_to(service_form.query_one("#security-groups"))
        await picker_loaded(pilot, service_form, "#security-groups")
        await kb.keys("tasks")
        await kb.press("enter")
        balancing = service_form.query_one("LoadBalancingFields")
        await kb.tab_to(balancing)
        await kb.press("enter", "down", "down", "enter")  # New internet-facing ALB
        scaling = service_form.query_one("ScalingFields")
        await kb.tab_to(scaling)
        await kb.press("space")  # auto scale: min = desired, max twice it, average CPU 70 %
        await kb.press("ctrl+s")
        await screen_is(pilot, ClustersScreen)
        (service,) = ecs.describe_services(cluster="walk", services=["node-app"])["services"]
        assert service["desiredCount"] == 2 and service["taskDefinition"].endswith("taskDef1:1")
        network = service["networkConfiguration"]["awsvpcConfiguration"]
        assert network["assignPublicIp"] == "ENABLED" and len(network["subnets"]) == 2
        (balanced,) = service["loadBalancers"]
        assert (balanced["containerName"], balanced["containerPort"]) == ("node-app", 3000)
        group = elbv2.describe_target_groups(TargetGroupArns=[balanced["targetGroupArn"]])["TargetGroups"][0]
        (alb_arn,) = group["LoadBalancerArns"]
        alb = elbv2.describe_load_balancers(LoadBalancerArns=[alb_arn])["LoadBalancers"][0]
        assert alb["Scheme"] == "internet-facing" and alb["Type"] == "application"
        (target,) = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=["service/walk/node-app"])[
            "ScalableTargets"
        ]
        assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 4)
        (policy,) = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/walk/node-app")[
            "ScalingPolicies"
        ]
        tracking = policy["TargetTrackingScalingPolicyConfiguration"]
        assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"

        # 4. Watching: two tasks with their own public IPs, healthy behind the ALB, which is the address that stays.
        kb.step("watch")
        now = step_simulator(simulator, now, lambda: _healthy(simulator, balanced["targetGroupArn"]) == 2)
        await kb.press("enter")  # the cluster's services
        services = await screen_is(pilot, ServicesScreen)
        await wait_until(pilot, lambda: services.updated_at is not None, PATIENCE)
        await kb.press("v")
        view = await screen_is(pilot, ServiceDetailScreen)
        address = f"Address that stays http://{alb['DNSName']}:80 → node-app-tg (2 of 2 healthy)"
        await wait_until(pilot, lambda: view.updated_at is not None and _on_screen(app, address), PATIENCE)
        ips = _public_ips(emulator, "walk")
        assert len(set(ips.values())) == 2

        # 5. Operate: scale to 3 (within the auto-scaling range).
        kb.step("scale")
        await kb.press("escape")
        await screen_is(pilot, ServicesScreen)
        await kb.press("s")
        await screen_is(pilot, ScaleDialog)
        await kb.press("backspace", "3", "ctrl+s")
        await screen_is(pilot, ServicesScreen)
        assert ecs.describe_services(cluster="walk", services=["node-app"])["services"][0]["desiredCount"] == 3

        # 6. A nightly scheduled task of taskDef1 in the cluster, which runs at 02:00.
        kb.step("schedule")
        await kb.press("colon", *"sched", "enter")
        schedules = await screen_is(pilot, SchedulesScreen)
        await wait_until(pilot, lambda: schedules.updated_at is not None, PATIENCE)
        await kb.press("n")
        schedule_form = await screen_is(pilot, ScheduleDialog)
        await picker_loaded(pilot, schedule_form, "#schedule-cluster")
        await kb.type("nightly-walk")
        await kb.tab_to(schedule_form.query_one("#schedule-cluster"))
        await kb.type("walk")  # the cluster's name
        await kb.press("enter")
        await kb.tab_to(schedule_form.query_one("#schedule-taskdef"))
        await picker_loaded(pilot, schedule_form, "#schedule-taskdef")
        await kb.type("taskDef1")  # the family's name
        await kb.press("enter")
        await picker_loaded(pilot, schedule_form, "#schedule-subnets")
        await kb.press("ctrl+s")
        await screen_is(pilot, SchedulesScreen)
        made = scheduler.get_schedule(Name="nightly-walk")
        assert made["ScheduleExpression"] == "cron(0 2 * * ? *)" and made["Target"]["Arn"] == cluster["clusterArn"]
        assert made["Target"]["EcsParameters"]["TaskDefinitionArn"].endswith("taskDef1:1")
        night = datetime(now.year, now.month, now.day, 2, tzinfo=UTC) + timedelta(days=1)
        simulator.step(night - STEP)
        step_simulator(simulator, night - STEP, lambda: bool(_scheduled_runs(emulator)), limit=6)

        # 7. Teardown: the schedule, the service (and its ALB, target group and scalable target), the cluster.
        kb.step("teardown")
        await kb.press("ctrl+r")
        await wait_until(pilot, lambda: any(r.schedule.name == "nightly-walk" for r in _rows(schedules)), PATIENCE)
        await _cursor_to(kb, schedules, lambda row: row.schedule.name == "nightly-walk")
        await kb.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionDialog), PATIENCE)
        await kb.press("ctrl+s")
        await screen_is(pilot, SchedulesScreen)
        await kb.press("colon", *"cl", "enter")
        clusters = await screen_is(pilot, ClustersScreen)
        await kb.press("slash")
        await kb.type("walk")
        await kb.press("enter", "enter")
        services = await screen_is(pilot, ServicesScreen)
        await wait_until(pilot, lambda: services.updated_at is not None, PATIENCE)
        await kb.press("ctrl+d")
        delete_service = await screen_is(pilot, DeleteServiceDialog)
        await wait_until(pilot, lambda: "target group" in _text(delete_service), PATIENCE)
        await kb.tab_to(delete_service.query_one("#confirm-name"))
        await kb.type("node-app")
        await kb.press("ctrl+s")
        await screen_is(pilot, ServicesScreen)
        await kb.press("escape")
        await screen_is(pilot, ClustersScreen)
        await kb.press("ctrl+d")
        delete_cluster = await screen_is(pilot, DeleteClusterDialog)
        await kb.tab_to(delete_cluster.query_one("#confirm-name"))
        await kb.type("walk")
        await kb.press("ctrl+s")
        # The teardown waits for ECS to stop the standalone task the schedule started: time goes on meanwhile.
        clock = _Clock(simulator, night)
        await wait_until(pilot, lambda: clock.tick() and isinstance(app.screen, ClustersScreen), PATIENCE)
        await wait_until(pilot, lambda: _account(emulator)["clusters"] == before["clusters"], PATIENCE)

        # 8. And taskDef1: deregistered, then deleted.
        kb.step("task definition teardown")
        await kb.press("colon", *"td", "enter")
        families = await screen_is(pilot, FamiliesScreen)
        await wait_until(pilot, lambda: families.updated_at is not None, PATIENCE)
        await kb.press("slash")
        await kb.type("taskDef1")
        await kb.press("enter", "enter")
        revisions = await screen_is(pilot, RevisionsScreen)
        await wait_until(pilot, lambda: revisions.updated_at is not None and bool(revisions.items), PATIENCE)
        await kb.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionDialog), PATIENCE)
        await kb.press("ctrl+s")
        await screen_is(pilot, RevisionsScreen)
        await kb.press("S")  # the inactive revisions
        await wait_until(pilot, lambda: bool(revisions.items), PATIENCE)
        await kb.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionDialog), PATIENCE)
        await kb.press("ctrl+s")
        await screen_is(pilot, RevisionsScreen)
    # Deleted: ECS shows it DELETE_IN_PROGRESS until it is gone; moto forgets it at once.
    assert not ecs.list_task_definitions(familyPrefix="taskDef1", status="ACTIVE")["taskDefinitionArns"]
    assert not ecs.list_task_definitions(familyPrefix="taskDef1", status="INACTIVE")["taskDefinitionArns"]
    after = _account(emulator)
    assert after == before, {what: set(before[what]) ^ set(after[what]) for what in before}
    print(f"the walk took {kb.pressed} keys besides {kb.typed} characters of names and the image: {kb.by_step}")
    assert kb.pressed < KEY_BUDGET, kb.by_step


class _Clock:
    """Simulated time that moves a step each time it is looked at (while the UI waits on ECS)."""

    def __init__(self, simulator: Simulator, now: datetime) -> None:
        self.simulator, self.now = simulator, now

    def tick(self) -> bool:
        self.now += STEP
        self.simulator.step(self.now)
        return True


def _text(screen: Any) -> str:
    return "\n".join(text_of(w.render()) for w in screen.query("Static"))


def _on_screen(app: EcsApp, text: str) -> bool:
    """Whether one row of the screen reads `text` (spacing aside: a screenshot draws padding as positions)."""
    wanted = "".join(text.split())
    return any(wanted in "".join(line.split()) for line in _screen(app).splitlines())


def _screen(app: EcsApp) -> str:
    """The screen as the user reads it: the text of the app's screenshot, row by row."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in re.findall(r'<text[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', app.export_screenshot()):
        rows.setdefault(float(y), []).append((float(x), html.unescape(re.sub("<[^>]+>", "", text))))
    return "\n".join("".join(t for _, t in sorted(row)) for _, row in sorted(rows.items()))


def _healthy(simulator: Simulator, group_arn: str) -> int:
    with simulator.server.lock:
        group = simulator.elbv2.target_groups[group_arn]
        return [state for state, _, _ in getattr(group, "_ecstui_health", {}).values()].count("healthy")


def _public_ips(emulator: EmulatorServer, cluster: str) -> dict[str, str]:
    ecs, ec2 = boto_client(emulator, "ecs"), boto_client(emulator, "ec2")
    arns = ecs.list_tasks(cluster=cluster, desiredStatus="RUNNING")["taskArns"]
    found = {}
    for task in ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []:
        details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
        eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[details["networkInterfaceId"]])
        if ip := eni["NetworkInterfaces"][0].get("Association", {}).get("PublicIp"):
            found[task["taskArn"]] = ip
    return found


def _scheduled_runs(emulator: EmulatorServer) -> list[str]:
    ecs = boto_client(emulator, "ecs")
    arns = ecs.list_tasks(cluster="walk")["taskArns"]
    tasks = ecs.describe_tasks(cluster="walk", tasks=arns)["tasks"] if arns else []
    return [t["taskArn"] for t in tasks if str(t.get("startedBy", "")).startswith("chronos-schedule")]


def _rows(screen: Any) -> list[Any]:
    return list(screen.items.values())


async def _cursor_to(kb: Keyboard, screen: Any, matches: Any) -> None:
    for _ in range(40):
        if screen.selected is not None and matches(screen.selected):
            return
        await kb.press("down")
    raise AssertionError("the row was never reached")


def _account(emulator: EmulatorServer) -> dict[str, Any]:
    """What the walk could leave behind: clusters, services, load balancers, target groups, scalable targets,
    schedules, task definition families."""
    ecs, elbv2 = boto_client(emulator, "ecs"), boto_client(emulator, "elbv2")
    aas, scheduler = boto_client(emulator, "application-autoscaling"), boto_client(emulator, "scheduler")
    clusters = ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"]
    return {
        "clusters": sorted(c["clusterName"] for c in clusters if c["status"] == "ACTIVE"),
        "load balancers": sorted(lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]),
        "target groups": sorted(tg["TargetGroupName"] for tg in elbv2.describe_target_groups()["TargetGroups"]),
        "scalable targets": sorted(
            t["ResourceId"] for t in aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
        ),
        "schedules": sorted(s["Name"] for s in scheduler.list_schedules()["Schedules"]),
        "families": sorted(ecs.list_task_definition_families(status="ACTIVE")["families"]),
    }


__all__ = ["EcsApp"]
