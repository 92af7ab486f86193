"""A deterministic simulator of the ECS service scheduler that brings moto's stored services to life."""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.moto_api._internal import mock_random

from ecstui.emulator import exec_sim, log_sim, metrics_sim, scaling_sim
from ecstui.emulator import scheduler_hooks as hooks
from ecstui.emulator.schedule_sim import ScheduleSim
from ecstui.emulator.server import ACCOUNT_ID, EmulatorServer

log = logging.getLogger(__name__)

BEHAVIOUR_TAG = "ecstui:demo-behaviour"
BEHAVIOURS = ("crash-loop", "oom", "unhealthy-target", "bad-deploy")

MAX_EVENTS = 100  # ECS returns about the 100 most recent service events.
MAX_STOPPED_PER_SERVICE = 10
STOPPED_RETENTION = timedelta(hours=1)
LAUNCH_BATCH = 250
CHAOS_CRASH_RATE = 0.0004  # per RUNNING task per step: about one crash a minute across the demo
TARGET_HEALTHY_AFTER = 2  # steps in "initial" before a target passes its health checks
UNHEALTHY_STOP_AFTER = 3  # steps a target stays unhealthy before ECS replaces the task
# Where the demo's public task IPs come from: a block of Amazon's us-east-1 EC2 addresses.
PUBLIC_IP_POOL = ipaddress.ip_network("3.80.0.0/16")
CRASH_LOOP_AFTER = 2  # steps a crash-loop task stays RUNNING before it exits
OOM_EVERY = 5  # steps between out-of-memory kills in an "oom" service
METRIC_PERIOD = timedelta(seconds=60)
LOG_EVERY = 5
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"
UNABLE_TO_START = (
    "is unable to consistently start tasks successfully. For more information, "
    "see the Troubleshooting section of the Amazon ECS Developer Guide."
)


@dataclass
class TaskSim:
    """What the simulator knows about one task beyond what ECS reports."""

    service_key: str
    steps_in_status: int = 0
    running_steps: int = 0
    fate: str | None = None  # "crash" or "pull-fail"
    targets: list[tuple[str, str, int]] = field(default_factory=list)  # (target group ARN, id, port)
    target_age: int = 0
    unhealthy_steps: int = -1
    deregistered: bool = False
    instance_id: str | None = None
    resources: dict[str, Any] | None = None
    host_ports: list[int] = field(default_factory=list)
    eni_id: str | None = None
    log_streams: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ServiceSim:
    first_task_definition: str | None
    steady: bool = False
    failure_ticks: list[int] = field(default_factory=list)
    last_unable_tick: int = -(10**9)
    last_placement_tick: int = -(10**9)
    last_behaviour_tick: int = 0
    cooldown_until: int = 0


@dataclass
class Effects:
    """What happened to one service during one step, turned into ECS events at the end of the step."""

    started: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    registered: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    deregistered: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    before: list[str] = field(default_factory=list)  # messages that precede start/stop
    after: list[str] = field(default_factory=list)  # messages that follow them


def task_id(task: Any) -> str:
    return str(task.task_arn).rsplit("/", 1)[-1]


def behaviour_of(service: Any) -> str | None:
    for tag in service.tags or []:
        if tag.get("key") == BEHAVIOUR_TAG and tag.get("value") in BEHAVIOURS:
            return str(tag["value"])
    return None


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class Simulator:
    """Runs the ECS service scheduler over moto's backends, one deterministic step at a time."""

    def __init__(self, server: EmulatorServer, region: str = "us-east-1", seed: int = 7, chaos: bool = True) -> None:
        self.server = server
        self.region = region
        self.chaos = chaos
        self.rng = random.Random(seed)
        self.tick = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ip_cursor: dict[str, int] = {}
        # Public IPs are handed out in order (not drawn from moto's random stream, so no other id moves).
        self._public_ip_cursor = 0
        self._last_metrics: datetime | None = None
        self._fx: dict[str, Effects] = {}
        self.schedules = ScheduleSim(ACCOUNT_ID, region)  # fires EventBridge schedules and rules
        hooks.attach(ACCOUNT_ID, region)

    # What a step depends on besides moto's backends (see state() and load_state()).
    _STATE = ("tick", "_ip_cursor", "_public_ip_cursor", "_last_metrics", "_fx")

    def state(self) -> dict[str, Any]:
        """Everything the next steps depend on besides moto's backends, to save with them (emulator.snapshot)."""
        state = {name: getattr(self, name) for name in self._STATE}
        state["rng"] = self.rng.getstate()
        return state

    def load_state(self, state: dict[str, Any]) -> None:
        """Continue as the simulator whose state() this was (on the backends saved with it)."""
        for name in self._STATE:
            setattr(self, name, state[name])
        self.rng.setstate(state["rng"])

    # --- backends ---------------------------------------------------------------------------------------

    @property
    def ecs(self) -> Any:
        from moto.ecs.models import ecs_backends

        return ecs_backends[ACCOUNT_ID][self.region]

    @property
    def elbv2(self) -> Any:
        from moto.elbv2.models import elbv2_backends

        return elbv2_backends[ACCOUNT_ID][self.region]

    @property
    def ec2(self) -> Any:
        from moto.ec2.models import ec2_backends

        return ec2_backends[ACCOUNT_ID][self.region]

    # --- running ----------------------------------------------------------------------------------------

    def start(self, interval: float = 1.0) -> None:
        if self._thread is not None:
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.step()
                except Exception:  # a bad step must not end the demo
                    log.exception("simulator step failed")

        self._thread = threading.Thread(target=run, name="ecstui-simulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        hooks.detach(ACCOUNT_ID, self.region)

    def warm_start(self, steps: int = 24, span: timedelta = timedelta(minutes=12), now: datetime | None = None) -> None:
        """Bring every service to its desired count at once, with a believable recent history.

        `now` fixes the clock (tests that render snapshots need every timestamp to be the same each run).
        """
        now = now or datetime.now(UTC)
        start = now - span
        self._backdate(start - timedelta(days=3))
        for i in range(steps):
            self.step(start + span * (i / steps))
        self.backfill_metrics(now)
        self.step(now)

    def _backdate(self, when: datetime) -> None:
        # What the seed just created should look as if it had been there for days, not seconds.
        with self.server.lock:
            for service in self.ecs.services.values():
                service.created_at = when
                for deployment in service.deployments:
                    deployment["createdAt"] = deployment["updatedAt"] = when
            for instances in self.ecs.container_instances.values():
                for instance in instances.values():
                    instance.registered_at = when

    def step(self, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        with self.server.lock:
            self.tick += 1
            backend = self.ecs
            effects: dict[str, Effects] = defaultdict(Effects)
            self._fx = effects
            self.schedules.step(backend, now)
            for service in list(backend.services.values()):
                self._service_sim(service)
            for cluster_name in list(backend.tasks):
                for task in list(backend.tasks[cluster_name].values()):
                    sim: TaskSim | None = getattr(task, "_ecstui_sim", None)
                    if sim is None and task.desired_status == "STOPPED" and task.last_status != "STOPPED":
                        # A task started outside the scheduler (run_task) and then stopped: walk it down too.
                        sim = TaskSim(service_key=f"{cluster_name}:{str(task.group).removeprefix('service:')}")
                        task._ecstui_sim = sim
                    if sim is None and not getattr(task, "_ecstui_public_checked", False):
                        self._give_public_ip(task)  # a task started by RunTask, which moto placed itself
                    if sim is not None:
                        self._advance(backend, task, sim, now, effects[sim.service_key])
            # Application Auto Scaling first, so that a new desired count is scheduled in this same step.
            metric_due = self._last_metrics is None or now - self._last_metrics >= METRIC_PERIOD
            scaling_sim.step(backend, self.region, now, metric_due, lambda k, m: self._baseline_load(k, m, now))
            for key, service in list(backend.services.items()):
                fx = effects[key]
                self._behaviours(backend, service, now, fx)
                self._schedule(backend, service, now, fx)
                self._circuit_breaker(backend, service, now, fx)
                self._progress(backend, service, now, fx)
            for key, fx in effects.items():
                service = backend.services.get(key)
                if service is not None:
                    self._emit(service, fx, now)
            self._collect_garbage(backend, now)
            hooks.recompute_all(backend)
            if self._last_metrics is None or now - self._last_metrics >= METRIC_PERIOD:
                self._last_metrics = now
                self._put_metrics(backend, now)
            if self.tick % LOG_EVERY == 0:
                self._put_logs(backend, now)

    # --- per service ------------------------------------------------------------------------------------

    def _service_sim(self, service: Any) -> ServiceSim:
        sim: ServiceSim | None = getattr(service, "_ecstui_sim", None)
        if sim is None:
            first = getattr(service, "_ecstui_first_td", None) or service.task_definition
            sim = ServiceSim(first_task_definition=hooks.task_definition_arn(self.ecs, first))
            service._ecstui_sim = sim
            if not isinstance(getattr(service, "events", None), list):
                service.events = []
        return sim

    def _schedule(self, backend: Any, service: Any, now: datetime, fx: Effects) -> None:
        if not service.deployments or service.deployment_controller.get("type", "ECS") != "ECS":
            return
        desired = service.desired_count if service.status == "ACTIVE" else 0
        primary = service.deployments[0]
        active = [t for t in hooks.service_tasks(backend, service) if t.desired_status == "RUNNING"]
        prim = [t for t in active if t.started_by == primary["id"]]
        old = [t for t in active if t.started_by != primary["id"]]
        config = hooks.deployment_configuration(service)
        max_total = max(desired * int(config["maximumPercent"]) // 100, desired)
        min_healthy = hooks.ceil_percent(desired, int(config["minimumHealthyPercent"]))

        if len(prim) > desired:
            # Scale-in stops tasks that are not running yet first, then the newest.
            prim.sort(key=lambda t: (t.last_status == "RUNNING", -getattr(t, "created_at", now).timestamp()))
            for task in prim[: len(prim) - desired]:
                self._stop_task(
                    task,
                    "ServiceSchedulerInitiated",
                    f"Scaling activity initiated by (deployment {primary['id']})",
                    now,
                )
                fx.stopped.append(task_id(task))
            prim = prim[len(prim) - desired :]

        if primary.get("rolloutState") != "FAILED" and service.status == "ACTIVE":
            need = desired - len(prim)
            room = max_total - len(active) if old else need
            for _ in range(max(0, min(need, room, LAUNCH_BATCH))):
                task = self._launch(backend, service, primary, now, fx)
                if task is None:
                    break
                fx.started.append(task_id(task))
                prim.append(task)

        if old:
            healthy_new = sum(1 for t in prim if self._healthy(t))
            old_running = [t for t in old if t.last_status == "RUNNING"]
            budget = healthy_new + len(old_running) - min_healthy
            victims = [t for t in old if t.last_status != "RUNNING"] + old_running[: max(0, budget)]
            for task in victims:
                self._stop_task(
                    task,
                    "ServiceSchedulerInitiated",
                    f"Scaling activity initiated by (deployment {task.started_by})",
                    now,
                )
                fx.stopped.append(task_id(task))

    def _progress(self, backend: Any, service: Any, now: datetime, fx: Effects) -> None:
        """Retire drained deployments, complete the primary, and notice a steady state."""
        if not service.deployments:
            return
        sim = self._service_sim(service)
        tasks = hooks.service_tasks(backend, service)
        active_by_deployment: dict[str, int] = defaultdict(int)
        for task in tasks:
            if task.desired_status == "RUNNING":
                active_by_deployment[task.started_by] += 1
        primary = service.deployments[0]
        service.deployments = [primary] + [d for d in service.deployments[1:] if active_by_deployment[d["id"]] > 0]
        desired = service.desired_count if service.status == "ACTIVE" else 0
        prim = [t for t in tasks if t.started_by == primary["id"] and t.desired_status == "RUNNING"]
        converged = (
            len(service.deployments) == 1
            and len(prim) == desired
            and all(self._healthy(t) and self._settled(t) for t in prim)
            and not any(t.desired_status == "STOPPED" and t.last_status != "STOPPED" for t in tasks)
        )
        if converged and primary.get("rolloutState") == "IN_PROGRESS":
            primary["rolloutState"] = "COMPLETED"
            primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
            primary["updatedAt"] = now
            fx.after.append(f"(service {service.name}) (deployment {primary['id']}) deployment completed.")
        steady = converged and primary.get("rolloutState") == "COMPLETED"
        if steady and not sim.steady:
            fx.after.append(f"(service {service.name}) has reached a steady state.")
        sim.steady = steady

    def _circuit_breaker(self, backend: Any, service: Any, now: datetime, fx: Effects) -> None:
        if not service.deployments:
            return
        primary = service.deployments[0]
        breaker = hooks.deployment_configuration(service).get("deploymentCircuitBreaker") or {}
        if not breaker.get("enable") or primary.get("rolloutState") != "IN_PROGRESS":
            return
        threshold = max(3, min(200, hooks.ceil_percent(service.desired_count, 50)))
        if int(primary.get("failedTasks", 0)) < threshold:
            return
        primary["rolloutState"] = "FAILED"
        primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
        primary["updatedAt"] = now
        fx.after.append(
            f"(service {service.name}) (deployment {primary['id']}) deployment failed: tasks failed to start."
        )
        if not breaker.get("rollback"):
            return
        previous = next((d for d in service.deployments[1:] if d.get("taskDefinition")), None)
        target_td = previous["taskDefinition"] if previous else self._service_sim(service).first_task_definition
        if not target_td or target_td == primary.get("taskDefinition"):
            return
        primary["status"] = "ACTIVE"
        rollback = hooks.make_deployment(service, target_td, now, hooks.new_deployment_id())
        rollback["rolloutStateReason"] = (
            f"ECS deployment circuit breaker: rolling back to deploymentId {primary['id']}."
        )
        service.deployments.insert(0, rollback)
        service.task_definition = target_td
        fx.after.append(f"(service {service.name}) rolling back to deployment {rollback['id']}.")

    def _behaviours(self, backend: Any, service: Any, now: datetime, fx: Effects) -> None:
        behaviour = behaviour_of(service)
        sim = self._service_sim(service)
        if behaviour == "oom":
            log_sim.heap_growth(self.region, hooks.service_tasks(backend, service), now)
        if behaviour == "oom" and self.tick - sim.last_behaviour_tick >= OOM_EVERY:
            running = [
                t
                for t in hooks.service_tasks(backend, service)
                if t.desired_status == "RUNNING"
                and t.last_status == "RUNNING"
                and getattr(t, "_ecstui_sim", None) is not None
                and t._ecstui_sim.running_steps >= 3
            ]
            if running:
                sim.last_behaviour_tick = self.tick
                victim = min(running, key=lambda t: t.started_at)
                self._fail_running(backend, service, victim, 137, OOM_REASON, OOM_REASON, now)
        if behaviour == "unhealthy-target":
            self._unhealthy_target(backend, service, sim, now, fx)

    def _unhealthy_target(self, backend: Any, service: Any, sim: ServiceSim, now: datetime, fx: Effects) -> None:
        tasks = [t for t in hooks.service_tasks(backend, service) if getattr(t, "_ecstui_sim", None) is not None]
        sick = [t for t in tasks if t._ecstui_sim.unhealthy_steps >= 0 and t.desired_status == "RUNNING"]
        if not sick and self.tick >= sim.cooldown_until:
            candidates = [
                t
                for t in tasks
                if t.desired_status == "RUNNING"
                and t.last_status == "RUNNING"
                and t._ecstui_sim.targets
                and t._ecstui_sim.target_age >= TARGET_HEALTHY_AFTER + 1
            ]
            if candidates:
                victim = min(candidates, key=lambda t: t.started_at)
                vsim: TaskSim = victim._ecstui_sim
                vsim.unhealthy_steps = 0
                for tg_arn, target, port in vsim.targets:
                    self._set_health(
                        tg_arn, target, port, "unhealthy", "Target.FailedHealthChecks", self._failed_checks(tg_arn)
                    )
                    fx.before.append(
                        f"(service {service.name}) (port {port}) is unhealthy in (target-group {tg_arn}) due to "
                        f"(reason {self._failed_checks(tg_arn)})."
                    )
            return
        for task in sick:
            tsim: TaskSim = task._ecstui_sim
            tsim.unhealthy_steps += 1
            if tsim.unhealthy_steps >= UNHEALTHY_STOP_AFTER:
                tg_arn = tsim.targets[0][0] if tsim.targets else ""
                self._stop_task(
                    task, "ServiceSchedulerInitiated", f"Task failed ELB health checks in (target-group {tg_arn})", now
                )
                task.health_status = "UNHEALTHY"
                self._record_failure(service, task, now, fx)
                fx.stopped.append(task_id(task))
                sim.cooldown_until = self.tick + 6

    def _failed_checks(self, tg_arn: str) -> str:
        tg = self.elbv2.target_groups.get(tg_arn)
        if tg is not None and tg.protocol in ("TCP", "UDP", "TCP_UDP", "TLS"):
            return "Health checks failed"
        return "Health checks failed with these codes: [502]"

    # --- tasks ------------------------------------------------------------------------------------------

    def _launch(self, backend: Any, service: Any, deployment: dict[str, Any], now: datetime, fx: Effects) -> Any:
        from moto.ecs import models as ecs_models

        # moto's model classes are used untyped: the simulator adds the attributes ECS reports.
        task_cls: Any = ecs_models.Task
        container_cls: Any = ecs_models.Container

        cluster = backend.clusters.get(service.cluster_name)
        td_arn = deployment.get("taskDefinition")
        if cluster is None or not td_arn:
            return None
        td = backend.describe_task_definition(td_arn)
        launch_type, provider = self._capacity(backend, service, cluster)
        instance = None
        requirements = self._requirements(td)
        if launch_type == "EC2":
            instance = self._place(backend, service, requirements, fx)
            if instance is None:
                return None
        networking = None
        subnet = None
        if td.network_mode == "awsvpc":
            awsvpc = (service.network_configuration or {}).get("awsvpcConfiguration") or {}
            subnets = list(awsvpc.get("subnets") or [])
            if not subnets:
                return None
            subnet = self._pick_subnet(backend, service, subnets)
            networking = {
                "awsvpcConfiguration": {
                    "subnets": [subnet],
                    "securityGroups": list(awsvpc.get("securityGroups") or []),
                    "assignPublicIp": str(awsvpc.get("assignPublicIp") or "DISABLED"),
                }
            }
        tags: list[dict[str, str]] = []
        if service.propagate_tags == "SERVICE":
            tags = [dict(t) for t in service.tags or []]
        elif service.propagate_tags == "TASK_DEFINITION":
            tags = [dict(t) for t in td.tags or []]
        task = task_cls(
            cluster,
            td,
            instance.container_instance_arn if instance is not None else None,
            requirements,
            backend=backend,
            group=f"service:{service.name}",
            launch_type=launch_type,
            started_by=deployment["id"],
            tags=tags,
            networking_configuration=networking,
            platform_version="1.4.0" if launch_type == "FARGATE" else None,
            capacity_provider_name=provider,
        )
        sim = TaskSim(service_key=f"{service.cluster_name}:{service.name}")
        task._ecstui_sim = sim
        task.last_status = "PROVISIONING"
        task.created_at = now
        task.version = 1
        task.health_status = "UNKNOWN"
        task.stopped_reason = None
        task.cpu = td.cpu or str(requirements["CPU"])
        task.memory = td.memory or str(requirements["MEMORY"])
        task.enable_execute_command = bool(getattr(service, "enable_execute_command", False))
        task.overrides = {
            "containerOverrides": [{"name": c["name"]} for c in td.container_definitions],
            "inferenceAcceleratorOverrides": [],
        }
        if launch_type == "FARGATE":
            task.platform_family = "Linux"
            task.ephemeral_storage = {"sizeInGiB": 20}
        ip: str | None = None
        attachment_id: str | None = None
        if subnet is not None and task.attachments:
            ip = self._assign_ip(task, subnet)
            self._give_public_ip(task)
            task.availability_zone = self.ec2.get_subnet(subnet).availability_zone
            attachment_id = task.attachments[0]["id"]
            task.attachments[0]["status"] = "PRECREATED"
            sim.eni_id = next(
                (d["value"] for d in task.attachments[0]["details"] if d["name"] == "networkInterfaceId"), None
            )
        if instance is not None:
            task.availability_zone = instance.attributes.get("ecs.availability-zone")
            sim.instance_id = instance.container_instance_arn.rsplit("/", 1)[-1]
            sim.resources = requirements
            backend.update_container_instance_resources(instance, requirements)
        task.containers = []
        for cdef in td.container_definitions:
            container = container_cls(td)
            container.task_arn = task.task_arn
            container.container_arn = (
                f"arn:aws:ecs:{self.region}:{ACCOUNT_ID}:container/{cluster.name}/{task_id(task)}/{mock_random.uuid4()}"
            )
            container.name = cdef["name"]
            container.image = cdef.get("image")
            container.last_status = "PENDING"
            container.exitCode = None
            container.reason = None
            container.cpu = str(cdef.get("cpu", 0))
            container.memory = str(cdef["memory"]) if cdef.get("memory") else None
            container.memory_reservation = str(cdef["memoryReservation"]) if cdef.get("memoryReservation") else None
            container.health_status = "UNKNOWN"
            container.network_bindings = []
            container.network_interfaces = (
                [{"attachmentId": attachment_id, "privateIpv4Address": ip}] if attachment_id and ip else []
            )
            container.gpu_ids = []
            container._ecstui_def = cdef
            if td.network_mode in ("bridge", "host") and instance is not None:
                container.network_bindings = self._bindings(sim, instance, cdef, td.network_mode)
            task.containers.append(container)
        behaviour = behaviour_of(service)
        if behaviour == "bad-deploy" and td.arn != self._service_sim(service).first_task_definition:
            sim.fate = "pull-fail"
        elif behaviour == "crash-loop":
            sim.fate = "crash"
        backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        return task

    def _capacity(self, backend: Any, service: Any, cluster: Any) -> tuple[str, str | None]:
        strategy = getattr(service, "capacity_provider_strategy", None) or (
            cluster.default_capacity_provider_strategy if not service.launch_type else None
        )
        if strategy:
            provider = self._pick_provider(backend, service, strategy)
            return ("FARGATE" if provider in hooks.FARGATE_PROVIDERS else "EC2"), provider
        return (service.launch_type or "EC2"), None

    def _pick_provider(self, backend: Any, service: Any, strategy: list[dict[str, Any]]) -> str:
        # Honour each provider's base first, then split the rest by weight (as ECS does).
        counts: dict[str, int] = defaultdict(int)
        for task in hooks.service_tasks(backend, service):
            if task.desired_status == "RUNNING" and task.capacity_provider_name:
                counts[task.capacity_provider_name] += 1
        for item in strategy:
            if counts[item["capacityProvider"]] < int(item.get("base") or 0):
                return str(item["capacityProvider"])
        weighted = [i for i in strategy if int(i.get("weight") or 0) > 0] or strategy[:1]
        total = sum(int(i.get("weight") or 1) for i in weighted)
        placed = sum(counts[i["capacityProvider"]] for i in weighted) + 1
        best = min(weighted, key=lambda i: counts[i["capacityProvider"]] / placed - int(i.get("weight") or 1) / total)
        return str(best["capacityProvider"])

    @staticmethod
    def _requirements(td: Any) -> dict[str, Any]:
        cpu = sum(int(c.get("cpu") or 0) for c in td.container_definitions)
        memory = sum(int(c.get("memory") or c.get("memoryReservation") or 0) for c in td.container_definitions)
        ports = [
            int(pm["hostPort"])
            for c in td.container_definitions
            for pm in c.get("portMappings") or []
            if int(pm.get("hostPort") or 0) > 0
        ]
        return {
            "CPU": int(td.cpu) if td.cpu and not cpu else cpu,
            "MEMORY": int(td.memory) if td.memory and not memory else memory,
            "PORTS": ports,
            "PORTS_UDP": [],
        }

    def _place(self, backend: Any, service: Any, requirements: dict[str, Any], fx: Effects) -> Any:
        instances = [
            i for i in backend.container_instances.get(service.cluster_name, {}).values() if i.status == "ACTIVE"
        ]
        fitting = [i for i in instances if backend._can_be_placed(i, requirements)]
        if not fitting:
            sim = self._service_sim(service)
            if self.tick - sim.last_placement_tick >= 30:
                sim.last_placement_tick = self.tick
                if instances:
                    closest = instances[0].container_instance_arn.rsplit("/", 1)[-1]
                    fx.before.append(
                        f"(service {service.name}) was unable to place a task because no container instance met all "
                        f"of its requirements. The closest matching (container-instance {closest}) has insufficient "
                        "memory available. For more information, see the Troubleshooting section of the Amazon ECS "
                        "Developer Guide."
                    )
                else:
                    fx.before.append(
                        f"(service {service.name}) was unable to place a task because no container instance met all "
                        "of its requirements. Reason: No Container Instances were found in your cluster. For more "
                        "information, see the Troubleshooting section of the Amazon ECS Developer Guide."
                    )
            return None
        # Spread the service's tasks over availability zones and instances, as the default strategy does.
        mine: dict[str | None, int] = defaultdict(int)
        for task in hooks.service_tasks(backend, service):
            if task.desired_status == "RUNNING":
                mine[task.container_instance_arn] += 1
        return min(
            fitting, key=lambda i: (mine[i.container_instance_arn], i.running_tasks_count + i.pending_tasks_count)
        )

    def _bindings(self, sim: TaskSim, instance: Any, cdef: dict[str, Any], mode: str) -> list[dict[str, Any]]:
        used = {int(p) for p in getattr(instance, "_ecstui_ports", set())}
        bindings = []
        for pm in cdef.get("portMappings") or []:
            container_port = int(pm.get("containerPort") or 0)
            host_port = int(pm.get("hostPort") or 0) or (container_port if mode == "host" else 0)
            if not host_port:
                host_port = next(p for p in range(32768, 61000) if p not in used)
            used.add(host_port)
            sim.host_ports.append(host_port)
            bindings.append(
                {
                    "bindIP": "0.0.0.0",
                    "containerPort": container_port,
                    "hostPort": host_port,
                    "protocol": pm.get("protocol", "tcp"),
                }
            )
        instance._ecstui_ports = used
        return bindings

    def _pick_subnet(self, backend: Any, service: Any, subnets: list[str]) -> str:
        counts: dict[str, int] = {s: 0 for s in subnets}
        for task in hooks.service_tasks(backend, service):
            if task.desired_status != "RUNNING":
                continue
            for attachment in task.attachments or []:
                for detail in attachment.get("details", []):
                    if detail["name"] == "subnetId" and detail["value"] in counts:
                        counts[detail["value"]] += 1
        return min(subnets, key=lambda s: counts[s])

    def _assign_ip(self, task: Any, subnet_id: str) -> str | None:
        # moto draws task IPs from anywhere in 10/8; ECS gives them from the subnet's range.
        attachment = task.attachments[0]
        eni_id = next((d["value"] for d in attachment["details"] if d["name"] == "networkInterfaceId"), None)
        try:
            subnet = self.ec2.get_subnet(subnet_id)
            network = ipaddress.ip_network(subnet.cidr_block)
        except Exception:
            return None
        cursor = self._ip_cursor.get(subnet_id, 10)
        size = network.num_addresses - 6
        ip = str(network.network_address + 4 + (cursor % size))
        self._ip_cursor[subnet_id] = cursor + 1
        dns = f"ip-{ip.replace('.', '-')}.ec2.internal"
        eni = self.ec2.enis.get(eni_id) if eni_id else None
        if eni is not None:
            eni.private_ip_address = ip
            eni.private_dns_name = dns
            eni.private_ip_addresses = [{"Primary": True, "PrivateIpAddress": ip, "PrivateDnsName": dns}]
        for detail in attachment["details"]:
            if detail["name"] == "privateIPv4Address":
                detail["value"] = ip
            elif detail["name"] == "privateDnsName":
                detail["value"] = dns
        return ip

    def _give_public_ip(self, task: Any) -> None:
        """ECS gives a task started with assignPublicIp ENABLED in a public subnet (one routed to an internet
        gateway) a public IP, on its ENI: DescribeTasks does not show it, DescribeNetworkInterfaces does. Each task
        gets its own, so a replaced task comes back at another address (which is why services sit behind a load
        balancer). moto gave none."""
        task._ecstui_public_checked = True
        awsvpc = (getattr(task, "network_configuration", None) or {}).get("awsvpcConfiguration") or {}
        if str(awsvpc.get("assignPublicIp") or "").upper() != "ENABLED" or not task.attachments:
            return
        details = {d["name"]: d["value"] for d in task.attachments[0].get("details", [])}
        eni = self.ec2.enis.get(details.get("networkInterfaceId"))
        if eni is None or not self._is_public_subnet(str(details.get("subnetId") or eni.subnet.id)):
            return
        offset = 10 + self._public_ip_cursor % (PUBLIC_IP_POOL.num_addresses - 20)
        eni.public_ip = str(PUBLIC_IP_POOL.network_address + offset)
        self._public_ip_cursor += 1

    def _is_public_subnet(self, subnet_id: str) -> bool:
        # A subnet is public when its route table (its own, else its VPC's main one) routes to an internet gateway.
        try:
            vpc_id = self.ec2.get_subnet(subnet_id).vpc_id
        except Exception:
            return False
        tables = [t for t in self.ec2.route_tables.values() if t.vpc_id == vpc_id]
        table = next((t for t in tables if subnet_id in t._associations.values()), None)
        table = table or next((t for t in tables if t.main_association_id is not None), None)
        if table is None:
            return False
        return any(str(getattr(route.gateway, "id", "") or "").startswith("igw-") for route in table.routes)

    def _task_ip(self, task: Any) -> str | None:
        for attachment in task.attachments or []:
            for detail in attachment.get("details", []):
                if detail["name"] == "privateIPv4Address":
                    return str(detail["value"])
        return None

    def _healthy(self, task: Any) -> bool:
        if task.last_status != "RUNNING" or task.desired_status != "RUNNING":
            return False
        sim: TaskSim | None = getattr(task, "_ecstui_sim", None)
        if sim is None:
            return True
        if sim.unhealthy_steps >= 0:
            return False
        return not sim.targets or sim.target_age >= TARGET_HEALTHY_AFTER

    @staticmethod
    def _settled(task: Any) -> bool:
        # ECS waits for tasks to stay up a little before it calls a deployment complete.
        sim: TaskSim | None = getattr(task, "_ecstui_sim", None)
        return sim is None or sim.running_steps >= 2

    def _set_status(self, task: Any, status: str, sim: TaskSim) -> None:
        task.last_status = status
        task.version = int(getattr(task, "version", 1)) + 1
        sim.steps_in_status = 0

    def _advance(self, backend: Any, task: Any, sim: TaskSim, now: datetime, fx: Effects) -> None:
        status = task.last_status
        sim.steps_in_status += 1
        service = backend.services.get(sim.service_key)
        if task.desired_status == "STOPPED":
            self._advance_stopping(backend, task, sim, now, fx)
            return
        if status == "PROVISIONING":
            self._set_status(task, "PENDING", sim)
            task.pull_started_at = now
            task.connectivity = "CONNECTED"
            task.connectivity_at = now
            for attachment in task.attachments or []:
                attachment["status"] = "ATTACHED"
        elif status == "PENDING":
            if sim.fate == "pull-fail":
                image = next((c.image for c in task.containers), "")
                reason = (
                    "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
                    f"failed to resolve ref {image}: not found"
                )
                self._stop_task(task, "TaskFailedToStart", reason, now)
                for container in task.containers:
                    container.last_status = "STOPPED"
                    container.reason = reason
                if service is not None:
                    self._record_failure(service, task, now, fx)
                return
            self._set_status(task, "RUNNING", sim)
            task.pull_stopped_at = now
            task.started_at = now
            for container in task.containers:
                container.last_status = "RUNNING"
                container.runtime_id = f"{task_id(task)}-{mock_random.randint(10**9, 10**10 - 1)}"
                container.image_digest = f"sha256:{mock_random.get_random_hex(64)}"
                container.health_status = "UNKNOWN"
            exec_sim.set_agents(task, "RUNNING", now)  # ECS Exec's agent beside each container
            task.health_status = "UNKNOWN"
            log_sim.started(self.region, behaviour_of(service) if service is not None else None, task, now)
            if service is not None:
                self._register_targets(service, task, sim, fx)
        elif status == "RUNNING":
            sim.running_steps += 1
            if sim.targets and sim.unhealthy_steps < 0:
                sim.target_age += 1
                if sim.target_age == TARGET_HEALTHY_AFTER:
                    for tg_arn, target, port in sim.targets:
                        self._set_health(tg_arn, target, port, "healthy", None, None)
            checked = [c for c in task.containers if (getattr(c, "_ecstui_def", {}) or {}).get("healthCheck")]
            for container in checked:
                container.health_status = "HEALTHY"
            if checked:
                task.health_status = "HEALTHY"
            if service is None:
                return
            if sim.fate == "crash" and sim.running_steps >= CRASH_LOOP_AFTER:
                self._fail_running(backend, service, task, 1, None, "Essential container in task exited", now)
            elif (
                self.chaos
                and behaviour_of(service) is None
                and sim.running_steps >= 10
                and self.rng.random() < CHAOS_CRASH_RATE
            ):
                code = self.rng.choice([1, 137])
                self._fail_running(backend, service, task, code, None, "Essential container in task exited", now)

    def _advance_stopping(self, backend: Any, task: Any, sim: TaskSim, now: datetime, fx: Effects) -> None:
        status = task.last_status
        if status == "RUNNING":
            self._set_status(task, "DEACTIVATING", sim)
            self._deregister_targets(task, sim, fx)
        elif status == "DEACTIVATING":
            self._set_status(task, "STOPPING", sim)
        elif status in ("STOPPING", "PROVISIONING", "PENDING", "ACTIVATING"):
            self._set_status(task, "DEPROVISIONING", sim)
            task.execution_stopped_at = now
            for container in task.containers:
                if container.last_status == "RUNNING":
                    container.exitCode = 0
                container.last_status = "STOPPED"
            exec_sim.set_agents(task, "STOPPED")
            for attachment in task.attachments or []:
                attachment["status"] = "DETACHING"
        elif status == "DEPROVISIONING":
            self._set_status(task, "STOPPED", sim)
            task.stopped_at = now
            for attachment in task.attachments or []:
                attachment["status"] = "DELETED"
            self._release(backend, task, sim)

    def _release(self, backend: Any, task: Any, sim: TaskSim) -> None:
        if sim.eni_id:
            self.ec2.enis.pop(sim.eni_id, None)
            sim.eni_id = None
        for tg_arn, target, port in sim.targets:
            tg = self.elbv2.target_groups.get(tg_arn)
            if tg is not None:
                tg.targets.pop(f"{target}:{port}", None)
                hooks.target_health_overrides(tg).pop((target, port), None)
        sim.targets = []
        if sim.instance_id and sim.resources is not None:
            instance = backend.container_instances.get(task.cluster_name, {}).get(sim.instance_id)
            if instance is not None:
                backend.update_container_instance_resources(instance, sim.resources, removing=True)
                ports: set[int] = getattr(instance, "_ecstui_ports", set())
                for port in sim.host_ports:
                    ports.discard(port)
            sim.resources = None

    def _stop_task(self, task: Any, stop_code: str, reason: str, now: datetime) -> None:
        task.desired_status = "STOPPED"
        task.stop_code = stop_code
        task.stopped_reason = reason
        task.stopping_at = now
        # ECS deregisters a task's targets as soon as it decides to stop it, so they drain first.
        sim: TaskSim | None = getattr(task, "_ecstui_sim", None)
        fx = self._fx.get(sim.service_key) if sim is not None else None
        if sim is not None and fx is not None:
            self._deregister_targets(task, sim, fx)

    def _fail_running(
        self,
        backend: Any,
        service: Any,
        task: Any,
        exit_code: int,
        container_reason: str | None,
        stopped_reason: str,
        now: datetime,
    ) -> None:
        self._stop_task(task, "EssentialContainerExited", stopped_reason, now)
        # The essential container is gone, so the task is no longer running: the agent goes straight to
        # stopping it, and its targets start draining.
        sim: TaskSim | None = getattr(task, "_ecstui_sim", None)
        if sim is not None and task.last_status == "RUNNING":
            self._set_status(task, "STOPPING", sim)
        essential = next(
            (c for c in task.containers if (getattr(c, "_ecstui_def", {}) or {}).get("essential", True)),
            task.containers[0] if task.containers else None,
        )
        if essential is not None:
            essential.last_status = "STOPPED"
            essential.exitCode = exit_code
            essential.reason = container_reason
        log_sim.exited(self.region, behaviour_of(service), task, exit_code, container_reason, now)
        self._record_failure(service, task, now, None)

    def _record_failure(self, service: Any, task: Any, now: datetime, fx: Effects | None) -> None:
        for deployment in service.deployments:
            if deployment["id"] == task.started_by and deployment.get("rolloutState") == "IN_PROGRESS":
                deployment["failedTasks"] = int(deployment.get("failedTasks", 0)) + 1
                deployment["updatedAt"] = now
        sim = self._service_sim(service)
        sim.failure_ticks = [t for t in sim.failure_ticks if self.tick - t < 20] + [self.tick]
        if len(sim.failure_ticks) >= 3 and self.tick - sim.last_unable_tick >= 30:
            sim.last_unable_tick = self.tick
            message = f"(service {service.name}) {UNABLE_TO_START}"
            service._ecstui_pending_messages = [*getattr(service, "_ecstui_pending_messages", []), message]

    # --- load balancers ---------------------------------------------------------------------------------

    def _set_health(
        self, tg_arn: str, target: str, port: int, state: str, reason: str | None, desc: str | None
    ) -> None:
        tg = self.elbv2.target_groups.get(tg_arn)
        if tg is not None:
            hooks.target_health_overrides(tg)[(target, port)] = (state, reason, desc)

    def _register_targets(self, service: Any, task: Any, sim: TaskSim, fx: Effects) -> None:
        for lb in service.load_balancers or []:
            tg_arn = lb.get("targetGroupArn")
            tg = self.elbv2.target_groups.get(tg_arn) if tg_arn else None
            if tg is None:
                continue
            container = next((c for c in task.containers if c.name == lb.get("containerName")), None)
            port = int(lb.get("containerPort") or 0)
            target: str | None
            if tg.target_type == "ip":
                target = self._task_ip(task)
            else:
                target = None
                if task.container_instance_arn:
                    instance = self.ecs.container_instances.get(task.cluster_name, {}).get(
                        task.container_instance_arn.rsplit("/", 1)[-1]
                    )
                    target = instance.ec2_instance_id if instance is not None else None
                for binding in getattr(container, "network_bindings", None) or []:
                    if binding["containerPort"] == port:
                        port = int(binding["hostPort"])
            if not target:
                continue
            tg.targets[f"{target}:{port}"] = {"Id": target, "Port": port}
            hooks.target_health_overrides(tg)[(target, port)] = (
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
            sim.targets.append((str(tg_arn), target, port))
            fx.registered[str(tg_arn)] += 1

    def _deregister_targets(self, task: Any, sim: TaskSim, fx: Effects) -> None:
        if sim.deregistered:
            return
        sim.deregistered = True
        for tg_arn, target, port in sim.targets:
            self._set_health(
                tg_arn,
                target,
                port,
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
            fx.deregistered[tg_arn] += 1

    # --- events -----------------------------------------------------------------------------------------

    def _emit(self, service: Any, fx: Effects, now: datetime) -> None:
        name = service.name
        messages = list(fx.before)
        for arn, count in fx.deregistered.items():
            messages.append(f"(service {name}) deregistered {count} targets in (target-group {arn})")
        for chunk in _chunks(fx.stopped, 10):
            tasks = " ".join(f"(task {t})" for t in chunk)
            messages.append(f"(service {name}) has stopped {len(chunk)} running tasks: {tasks}.")
        for chunk in _chunks(fx.started, 10):
            tasks = " ".join(f"(task {t})" for t in chunk)
            messages.append(f"(service {name}) has started {len(chunk)} tasks: {tasks}.")
        for arn, count in fx.registered.items():
            messages.append(f"(service {name}) registered {count} targets in (target-group {arn})")
        messages.extend(getattr(service, "_ecstui_pending_messages", []))
        service._ecstui_pending_messages = []
        messages.extend(fx.after)
        if not messages:
            return
        events = service.events if isinstance(service.events, list) else []
        for offset, message in enumerate(messages):
            events.insert(
                0,
                {"id": str(mock_random.uuid4()), "createdAt": now + timedelta(microseconds=offset), "message": message},
            )
        del events[MAX_EVENTS:]
        service.events = events

    # --- housekeeping -----------------------------------------------------------------------------------

    def _collect_garbage(self, backend: Any, now: datetime) -> None:
        """Forget stopped tasks after an hour, and keep only the newest few per service."""
        for tasks in backend.tasks.values():
            stopped: dict[str, list[Any]] = defaultdict(list)
            for arn, task in tasks.items():
                if getattr(task, "_ecstui_sim", None) is not None and task.last_status == "STOPPED":
                    stopped[task.group].append((arn, task))
            for items in stopped.values():
                items.sort(key=lambda pair: getattr(pair[1], "stopped_at", now), reverse=True)
                for index, (arn, task) in enumerate(items):
                    if index >= MAX_STOPPED_PER_SERVICE or now - getattr(task, "stopped_at", now) > STOPPED_RETENTION:
                        del tasks[arn]

    def _metric_value(self, key: str, metric: str, now: datetime) -> float:
        # A stable per-service baseline with gentle deterministic wobble.
        base = 15 + (zlib.crc32(f"{key}/{metric}".encode()) % 50)
        wobble = ((now.minute * 7 + now.hour * 13 + len(key)) % 11) - 5
        return float(max(1, min(99, base + wobble)))

    def _baseline_load(self, key: str, metric: str, now: datetime) -> float:
        # Auto scaling's view of a service's load without a demand set: the metrics put below (requests: a few).
        names = {"cpu": "CPUUtilization", "memory": "MemoryUtilization"}
        return self._metric_value(key, names[metric], now) if metric in names else 10.0

    def _put_metrics(self, backend: Any, now: datetime) -> None:
        metrics_sim.publish(backend, self.elbv2, self.region, now)

    def backfill_metrics(self, now: datetime) -> None:
        """A day of history for the services that run now, so graphs are not empty (see metrics_sim)."""
        with self.server.lock:
            metrics_sim.backfill(self.ecs, self.elbv2, self.region, now)

    def _put_logs(self, backend: Any, now: datetime) -> None:
        written = 0
        for tasks in backend.tasks.values():
            for task in tasks.values():
                sim: TaskSim | None = getattr(task, "_ecstui_sim", None)
                if sim is None or task.last_status != "RUNNING" or written >= 60:
                    continue
                for container in task.containers:
                    options = self._awslogs(container)
                    if options is None:
                        continue
                    group, prefix = options
                    stream = f"{prefix}/{container.name}/{task_id(task)}"
                    try:
                        fresh = (group, stream) not in sim.log_streams
                        if fresh:
                            sim.log_streams.append((group, stream))
                        lines = self._log_lines(container.name, fresh)
                        service = backend.services.get(sim.service_key)
                        if fresh and log_sim.has_story(behaviour_of(service) if service is not None else None):
                            lines = []  # log_sim wrote this container's own first lines when it started
                        log_sim.write(self.region, group, stream, now, lines)
                        written += 1
                    except Exception:
                        log.debug("could not write logs for %s", stream, exc_info=True)

    @staticmethod
    def _awslogs(container: Any) -> tuple[str, str] | None:
        cdef = getattr(container, "_ecstui_def", None) or {}
        config = cdef.get("logConfiguration") or {}
        if config.get("logDriver") != "awslogs":
            return None
        options = config.get("options") or {}
        group = options.get("awslogs-group")
        prefix = options.get("awslogs-stream-prefix")
        if not group or not prefix:
            return None
        return str(group), str(prefix)

    def _log_lines(self, name: str, fresh: bool) -> list[str]:
        if fresh:
            return [
                f"{name}: starting (pid 1)",
                f"{name}: loaded configuration from environment",
                f"{name}: listening on 0.0.0.0",
            ]
        paths = ["/healthz", "/api/orders", "/api/cart", "/api/users/42", "/static/app.js", "/api/payments"]
        status = self.rng.choice([200, 200, 200, 200, 201, 204, 304, 404, 500])
        return [
            f'10.0.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)} - - "GET {self.rng.choice(paths)} HTTP/1.1" '
            f"{status} {self.rng.randint(120, 9000)} {self.rng.randint(2, 480)}ms"
        ]
