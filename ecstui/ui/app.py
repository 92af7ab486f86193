"""The ecstui Textual application: navigation between live panes, help, jumps, and error routing."""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ecstui.aws.account import AccountReader
from ecstui.aws.actions import EcsActions
from ecstui.aws.audit import AuditLog
from ecstui.aws.autoscaling_groups import AutoScalingGroupReader
from ecstui.aws.capacity_providers import CapacityProviderReader
from ecstui.aws.cluster_capacity import ClusterCapacityActions
from ecstui.aws.errors import to_aws_error
from ecstui.aws.exec import ExecActions, ExecReadinessChecker, ExecSession
from ecstui.aws.fetch import EcsReader
from ecstui.aws.iam_roles import RoleActions, RoleReader
from ecstui.aws.load_balancer_actions import LoadBalancerActions
from ecstui.aws.load_balancer_choices import LoadBalancerChoices
from ecstui.aws.load_balancing import LoadBalancingReader
from ecstui.aws.logs import LogReader
from ecstui.aws.metrics import MetricsReader
from ecstui.aws.models import Task, TaskDefinition
from ecstui.aws.network import NetworkReader
from ecstui.aws.port_forwards import PortForwards
from ecstui.aws.prefetch import ServiceListingPrefetch
from ecstui.aws.profiles import read_profiles
from ecstui.aws.ratelimit import EcsRateLimiter
from ecstui.aws.schedules import ScheduleActions, ScheduleReader
from ecstui.aws.service_scaling import ScalingActions
from ecstui.aws.service_scaling_reader import ScalingReader
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.aws.task_definition_draft import TaskDefinitionDraft
from ecstui.aws.triage_memory import TriageMemory
from ecstui.config import (
    DEFAULT_EXEC_COMMAND,
    DEFAULT_LOG_LINES,
    DEFAULT_ROLLOUT_GRACE_SECONDS,
    DEFAULT_SECRET_ENV_PATTERN,
)
from ecstui.ui.commands import ViewCommands
from ecstui.ui.dialogs.exec import ExecDialog, PortForwardDialog
from ecstui.ui.dialogs.switch import ProfilePickerDialog, RegionPickerDialog
from ecstui.ui.dialogs.task_definition_form import TaskDefinitionFormDialog
from ecstui.ui.format import Clock, utc_now
from ecstui.ui.inert import notify_inert
from ecstui.ui.key_order import KeyGate, TypedEvent
from ecstui.ui.listing_sweep import DEFAULT_SWEEP_CALLS_PER_MINUTE, DEFAULT_SWEEP_SECONDS
from ecstui.ui.screens.audit import AuditScreen
from ecstui.ui.screens.autoscaling import AutoScalingScreen
from ecstui.ui.screens.base import LiveScreen
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.help import HelpScreen, key_label
from ecstui.ui.screens.instances import InstancesScreen
from ecstui.ui.screens.jump import JumpScreen
from ecstui.ui.screens.logs import LogsScreen, LogTarget
from ecstui.ui.screens.schedules import SchedulesScreen
from ecstui.ui.screens.service_detail import ServiceDetailScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.sessions import SessionsScreen
from ecstui.ui.screens.start_check import StartCheckScreen
from ecstui.ui.screens.stats import StatsScreen
from ecstui.ui.screens.targets import TargetsScreen
from ecstui.ui.screens.task_definition_detail import TaskDefinitionScreen
from ecstui.ui.screens.task_definitions import FamiliesScreen, RevisionsScreen
from ecstui.ui.screens.task_detail import TaskDetailScreen
from ecstui.ui.screens.tasks import TasksScreen
from ecstui.ui.screens.triage import TriageScreen
from ecstui.ui.secrets import SecretNames
from ecstui.ui.shell_handoff import hand_over_shell
from ecstui.ui.triage_badge import DEFAULT_INTERVAL, TriageBadge
from ecstui.ui.view_history import ViewHistory
from ecstui.ui.widgets.context_bar import ContextBar

# The view each jump opens, to tell when the user is already on it.
_JUMP_SCREENS: dict[str, type[Screen[Any]]] = {
    "clusters": ClustersScreen,
    "services": ServicesScreen,
    "tasks": TasksScreen,
    "instances": InstancesScreen,
    "taskdefs": FamiliesScreen,
    "audit": AuditScreen,
    "targets": TargetsScreen,
    "triage": TriageScreen,
    "stats": StatsScreen,
    "autoscaling": AutoScalingScreen,
    "schedules": SchedulesScreen,
    "sessions": SessionsScreen,
}

# Keys every Textual screen has (focus next/previous): listed with the global ones, not as the view's own.
_TEXTUAL_SCREEN_KEYS = {(key, b.action) for b in Screen.BINDINGS if isinstance(b, Binding) for key in b.key.split(",")}


@dataclass(frozen=True)
class AppOptions:
    """How the console behaves, from the command line and the config file."""

    refresh: float = 5.0
    cluster: str | None = None
    service: str | None = None
    demo: bool = False
    production: bool = False
    clock: Clock = field(default=utc_now)
    keymap: dict[str, str] = field(default_factory=dict)
    audit_path: str | None = None  # default: the XDG state directory
    # Decide before the first frame whether to open on the triage list (something is broken) or the clusters;
    # off, the app opens on the clusters and the top bar's badge says how many problems there are.
    triage_at_start: bool = False
    triage_badge_interval: float | None = DEFAULT_INTERVAL  # seconds between two triage sweeps; None: no badge
    secret_env_pattern: str = DEFAULT_SECRET_ENV_PATTERN  # env values masked by name (see ecstui.ui.secrets)
    exec_command: str = DEFAULT_EXEC_COMMAND  # what `s` runs in a container (ECS Exec)
    log_lines: int = DEFAULT_LOG_LINES  # lines a log pane holds (the oldest are dropped)
    read_account: bool = False  # read the account id and alias for the top bar (STS, IAM): off where nobody looks
    production_profiles: tuple[str, ...] = ()  # globs: a profile switched to whose name matches is production
    rollout_grace: float = DEFAULT_ROLLOUT_GRACE_SECONDS  # seconds a healthy rollout is "deploying", not a problem
    sweep_seconds: float = DEFAULT_SWEEP_SECONDS  # a big listing's background sweep (see ecstui.ui.listing_sweep)
    sweep_calls_per_minute: int = DEFAULT_SWEEP_CALLS_PER_MINUTE


class EcsApp(App[None]):
    TITLE = "ecstui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ViewCommands}

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("colon", "jump", "Jump", id="app.jump"),
        Binding("exclamation_mark", "triage", "Problems", id="app.triage", key_display="!"),
        Binding(
            "left_square_bracket", "history_back", "Back (history)", show=False, id="app.history_back", key_display="["
        ),
        Binding(
            "right_square_bracket",
            "history_forward",
            "Forward (history)",
            show=False,
            id="app.history_forward",
            key_display="]",
        ),
    ]

    def __init__(
        self, target: AwsTarget, options: AppOptions | None = None, prefetch: ServiceListingPrefetch | None = None
    ) -> None:
        super().__init__()
        self.target = target
        self.options = options or AppOptions()
        # The launch's service listing (see on_load); started before the app by the command, so that importing
        # and building the UI overlap its round trips. It spends the app's tokens.
        self._prefetch = prefetch
        self._warm_client: asyncio.Future[Any] | None = None
        self.audit = AuditLog(self.options.audit_path)
        self._connect(target, limiter=prefetch.limiter if prefetch is not None else None)
        self._launch_profile = self.session.profile_name  # the one AppOptions.production was decided for
        self._quit_asked_at: float | None = None
        self.context_cluster: str | None = self.options.cluster
        self.context_service: str | None = self.options.service
        # Every key and paste from the terminal goes through here, one at a time (see key_order).
        self.key_gate = KeyGate(self, self._dispatch_typed)
        self.secret_names = SecretNames.from_pattern(self.options.secret_env_pattern)
        self.triage_badge = TriageBadge(self, self.options.triage_badge_interval or DEFAULT_INTERVAL)
        self.triage_badge.listeners.append(self._show_badge)
        # The views a jump left and `[` went back from (see view_history).
        self.history = ViewHistory(self)

    def _connect(self, target: AwsTarget, limiter: EcsRateLimiter | None = None) -> None:
        """Build the session and every reader and action for `target` (at start, and on a profile or region
        switch: nothing of the old account is kept, its caches go with its readers)."""
        self.target = target
        self.session = AwsSession(target, limiter=limiter)
        self.reader = EcsReader(self.session)
        # Containers' logs (CloudWatch Logs); shares the reader's task definition cache.
        self.logs = LogReader(self.session, ecs=self.reader, clock=self.clock)
        self.load_balancing = LoadBalancingReader(self.session)
        # CloudWatch metrics of services and tasks (the services pane's CPU/Mem, the service view's charts).
        self.metrics = MetricsReader(self.session)
        # Since when each triage problem began, for this account: "since" never moves back, rows stay in order.
        self.triage_memory = TriageMemory()
        self.actions = EcsActions(self.session, self.audit)
        # Slow-changing reads for the forms' pickers, cached for minutes (see ttl_cache).
        self.network = NetworkReader(self.session)
        self.roles = RoleReader(self.session)
        self.role_actions = RoleActions(self.session, self.audit, self.roles)
        self.autoscaling_groups = AutoScalingGroupReader(self.session)
        # A cluster with its capacity providers; which of them ecstui made (the cluster teardown deletes those).
        self.cluster_capacity = ClusterCapacityActions(self.session, self.audit)
        self.capacity_providers = CapacityProviderReader(self.session)
        self.scaling = ScalingReader(self.session)
        self.scaling_actions = ScalingActions(self.session, self.audit, on_change=self.scaling.forget)
        self.load_balancer_choices = LoadBalancerChoices(self.session)
        self.load_balancer_actions = LoadBalancerActions(
            self.session, self.audit, self.load_balancer_choices, self.load_balancing
        )
        self.schedules = ScheduleReader(self.session)
        self.schedule_actions = ScheduleActions(self.session, self.audit, self.schedules, self.actions)
        # ECS Exec: the shell's readiness check and session, and the port forwards running in the background.
        self.exec_actions = ExecActions(self.session, self.audit)
        self.exec_readiness = ExecReadinessChecker(self.session)
        self.port_forwards = PortForwards(self.exec_actions, self.clock)
        # Which account the session is in (the top bar); read only when asked (AppOptions.read_account).
        self.account = AccountReader(self.session)

    @property
    def rollout_grace(self) -> timedelta:
        """How long a rollout with nothing failed is "deploying" rather than a problem (config `rollout_grace`)."""
        return timedelta(seconds=self.options.rollout_grace)

    def clock(self) -> datetime:
        """Now, from the injectable clock (tests freeze it so ages render the same every run)."""
        return self.options.clock()

    def make_context_bar(self) -> ContextBar:
        return ContextBar(
            profile=self.session.profile_name,
            region=self.session.region or "?",
            endpoint=self.target.endpoint_url,
            read_only=self.target.read_only,
            production=self.production,
            demo=self.options.demo,
        )

    @property
    def production(self) -> bool:
        """The profile in use is production: by the launch's settings, or by a `production_profiles` glob."""
        profile = self.session.profile_name
        if self.options.production and profile == self._launch_profile:
            return True
        return any(fnmatch.fnmatchcase(profile, glob) for glob in self.options.production_profiles)

    def account_label(self) -> str | None:
        """`account 123456789012 (alias)` once read, `account ?` if it could not be; None when not read."""
        known = self.account.known
        return known.label if known is not None else None

    @work(group="account", exclusive=True, exit_on_error=False, description="which account the session is in")
    async def _read_account(self) -> None:
        await self.account.read()  # the top bar shows it at its next tick

    # -- profiles and regions -----------------------------------------------------------------
    def pick_profile(self) -> None:
        """`:profile`: choose another profile of the AWS config files."""
        self.push_screen(ProfilePickerDialog(self.session.profile_name), self._profile_chosen)

    def pick_region(self) -> None:
        """`:region`: choose another region for the profile in use."""
        self.push_screen(RegionPickerDialog(self.session.region), self._region_chosen)

    def _profile_chosen(self, profile: str | None) -> None:
        if profile:
            # The region the profile sets (over AWS_REGION, which named the launch's), else the current one.
            region = next((p.region for p in read_profiles() if p.name == profile and p.region), self.session.region)
            self.switch_to(replace(self.target, profile=profile, region=region))

    def _region_chosen(self, region: str | None) -> None:
        if region:
            self.switch_to(replace(self.target, region=region))

    @work(group="switch", exclusive=True, exit_on_error=False, description="switching profile or region")
    async def switch_to(self, target: AwsTarget) -> None:
        """Point the console at `target`: its credentials are checked first (a problem keeps the current target
        and says why); then every reader is built anew and the clusters pane of the new target is shown."""
        if self.port_forwards.open_count:
            notify_inert(
                self,
                "Port forwards are open (:sessions): end them before switching profile or region.",
                severity="warning",
            )
            return
        candidate = AwsSession(target)
        problem = await candidate.credentials_problem()
        if problem is None and not candidate.region:
            problem = "That profile sets no region: pick one with :region."
        await candidate.close()
        if problem is not None:
            notify_inert(
                self, f"Still on {self.session.profile_name} / {self.session.region}: {problem}", severity="error"
            )
            return
        old = self.session
        self.history.forget()
        while len(self.screen_stack) > 1:
            await self.pop_screen()  # their pollers end with them, before the old session's clients close
        self._connect(target)
        self.context_cluster = self.context_service = None
        self.push_screen(ClustersScreen())
        if self.options.read_account:
            self._read_account()
        self.triage_badge.restart()  # its report was of the old account
        await old.close()
        notify_inert(self, f"Now on profile {self.session.profile_name}, region {self.session.region}.")

    def on_load(self) -> None:
        # Opening on a cluster, its service listing (one page after another, each waiting for the last) is
        # started before any screen is built, on a thread of its own: building the screens then overlaps the
        # round trips instead of stretching them. The services pane takes the result as its first listing.
        cluster = self.options.cluster
        if self._prefetch is None and cluster and not self.options.service:
            self._prefetch = ServiceListingPrefetch(self.target, cluster, self.session.limiter).start()
        if self._prefetch is not None:
            # The pane's first describes follow the listing at once: their client (some 0.2 s of loading
            # botocore's model of ECS) is made while the listing's round trips are under way, not after.
            self._warm_client = asyncio.ensure_future(self.session.ecs())

    def prefetched_first_service_page(self, cluster: str) -> Awaitable[list[str]] | None:
        """The first page of the launch's listing of `cluster` (before take_prefetched_service_arns); None if none."""
        prefetch = self._prefetch
        if prefetch is None or prefetch.cluster != cluster:
            return None
        return prefetch.first_page()

    async def take_prefetched_service_arns(self, cluster: str) -> list[str] | None:
        """The listing of `cluster` started at launch, once (later refreshes list anew); None if there is none."""
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is None or prefetch.cluster != cluster:
            if prefetch is not None:
                prefetch.cancel(timeout=0)
            return None
        try:
            return await prefetch.result()
        except asyncio.CancelledError:
            prefetch.cancel(timeout=0)  # the pane was left: stop spending tokens on a listing nobody will read
            raise
        finally:
            if prefetch.settled:  # not while its thread may still be counting
                self.session.stats.add(prefetch.stats)

    def on_mount(self) -> None:
        if self.options.read_account:
            self._read_account()
        if self.options.keymap:
            self.set_keymap(self.options.keymap)
        if self.options.cluster:
            # The clusters pane is built when the user goes back to it (see show_root), not at launch: it would
            # compete for the first seconds with the pane asked for.
            self.open_services(self.options.cluster)
            if self.options.service:
                self.open_tasks(self.options.cluster, self.options.service)
        elif self.options.triage_at_start:
            # On call, the first question is "what is broken": decided before any pane is drawn, on a line that
            # takes no keys, so that the pane that comes is the one that stays (never replaced under the user).
            self.push_screen(StartCheckScreen())
            self._open_where_triage_says()
        else:
            self.push_screen(ClustersScreen())
        if self.options.triage_badge_interval is not None or self.options.triage_at_start:
            self.triage_badge.start()

    @work(group="triage-at-start", exit_on_error=False, description="where to open, from the triage")
    async def _open_where_triage_says(self) -> None:
        await self.triage_badge.wait_decided()
        report = self.triage_badge.report
        # A part that could not be checked is worth opening on, too.
        first = TriageScreen(report) if report is not None and not report.ok else ClustersScreen()
        if isinstance(self.screen, StartCheckScreen):
            self.switch_screen(first)

    def _show_badge(self) -> None:
        if not self.screen_stack:
            return
        for bar in self.screen.query(ContextBar):
            bar.show_pressure()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the start decides where to open, no key but quit acts: a jump now would be replaced by that pane.
        if isinstance(self.screen, StartCheckScreen):
            return action == "quit"
        return True

    async def on_unmount(self) -> None:
        await self.port_forwards.end_all()  # a forward dies with the app: no plugin is left listening
        if self._prefetch is not None:
            await asyncio.to_thread(self._prefetch.cancel)
        if self._warm_client is not None:
            await asyncio.gather(self._warm_client, return_exceptions=True)
        await self.session.close()

    # -- actions ------------------------------------------------------------------------------
    def can_mutate(self, what: str) -> bool:
        """False (and says why) in a read-only session; the data layer refuses too, this is the courtesy."""
        if self.target.read_only:
            notify_inert(
                self, f"Read-only session: {what} is not available. Restart without --read-only.", severity="warning"
            )
            return False
        return True

    @property
    def needs_typed_confirmation(self) -> bool:
        """On a production profile, destructive actions need the resource's name typed."""
        return self.production

    def refresh_current_pane(self) -> None:
        """After a change, show its effect now rather than at the next poll."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, LiveScreen):
                screen.action_refresh_now()
                return

    # -- navigation -------------------------------------------------------------------------
    def open_services(self, cluster: str) -> None:
        self.context_cluster, self.context_service = cluster, None
        self.push_screen(ServicesScreen(cluster))

    def open_tasks(self, cluster: str, service: str | None) -> None:
        self.context_cluster, self.context_service = cluster, service
        self.push_screen(TasksScreen(cluster, service))

    def open_task(self, cluster: str, task_arn: str) -> None:
        self.push_screen(TaskDetailScreen(cluster, task_arn))

    def open_logs(
        self,
        cluster: str,
        *,
        task_arn: str | None = None,
        service: str | None = None,
        container: str | None = None,
        seen_task: Task | None = None,
    ) -> None:
        """The log pane of a task (its container) or of a service (its running tasks merged); `seen_task` is the task
        as the opening pane last read it (a stopped task's logs stay readable after ECS forgets it)."""
        target = LogTarget(cluster, task_arn=task_arn, service=service, container=container, seen_task=seen_task)
        self.push_screen(LogsScreen(target, max_lines=self.options.log_lines))

    def open_service(self, cluster: str, service: str) -> None:
        self.context_cluster, self.context_service = cluster, service
        self.push_screen(ServiceDetailScreen(cluster, service))

    def open_targets(self, filter_text: str = "") -> None:
        self.push_screen(TargetsScreen(filter_text))

    def open_autoscaling(self, cluster: str | None = None, service: str | None = None) -> None:
        """The auto-scaled services of the region; given a service, filtered to it."""
        self.push_screen(AutoScalingScreen(f"{cluster}/{service}" if cluster and service else ""))

    def open_instances(self, cluster: str) -> None:
        self.context_cluster = cluster
        self.push_screen(InstancesScreen(cluster))

    def open_task_definitions(self) -> None:
        self.push_screen(FamiliesScreen())

    def open_revisions(self, family: str) -> None:
        self.push_screen(RevisionsScreen(family))

    def open_task_definition(self, arn: str) -> None:
        self.push_screen(TaskDefinitionScreen(arn))

    def new_task_definition(self, draft: TaskDefinitionDraft | None = None, title: str | None = None) -> None:
        """The task-definition form (from scratch, or `draft` copied from a revision), from anywhere."""
        if not self.can_mutate("a new task definition"):
            return
        dialog = TaskDefinitionFormDialog(draft, title=title or "New task definition")
        self.push_screen(dialog, self._task_definition_registered)

    def _task_definition_registered(self, registered: object) -> None:
        # From the task definitions' panes, the new family's revisions are what to look at next.
        if isinstance(registered, TaskDefinition) and isinstance(self.screen, FamiliesScreen | RevisionsScreen):
            self.open_revisions(registered.family)

    def open_shell(self, cluster: str, task: Task, container: str | None = None) -> None:
        """`s`: the readiness check, then a shell in the container (the terminal handed to the plugin)."""
        self.push_screen(ExecDialog(cluster, task, container), self._shell_opened)

    def _shell_opened(self, session: object) -> None:
        if isinstance(session, ExecSession):
            # After the dialog has gone, so the screen the plugin hands back is the pane underneath.
            self.call_later(hand_over_shell, self, session)

    def open_port_forward(self, cluster: str, task: Task, container: str | None = None) -> None:
        """`F`: a port forward through the task, the plugin running in the background (see :sessions)."""
        self.push_screen(PortForwardDialog(cluster, task, container))

    async def action_quit(self) -> None:
        # Quitting ends the port forwards: said once, and a second q within a few seconds quits.
        now = asyncio.get_running_loop().time()
        count = self.port_forwards.open_count
        if count and (self._quit_asked_at is None or now - self._quit_asked_at > 5):
            self._quit_asked_at = now
            notify_inert(
                self,
                f"{count} port forward{'s are' if count != 1 else ' is'} open (:sessions): quitting ends "
                f"{'them' if count != 1 else 'it'}. Press q again to quit.",
                severity="warning",
                timeout=5,
            )
            return
        self.exit()

    def show_root(self) -> None:
        """Make the clusters pane the one at the bottom of the stack (after a launch straight into a cluster)."""
        if len(self.screen_stack) < 2:
            self.push_screen(ClustersScreen(select=self.options.cluster))
        elif len(self.screen_stack) == 2 and not isinstance(self.screen_stack[-1], ClustersScreen):
            self.switch_screen(ClustersScreen(select=self.context_cluster or self.options.cluster))

    def jump(self, kind: str) -> None:
        """Go to a kind of resource, keeping the cluster (and service) in context; the view goes on top of the one
        the jump was made from, so esc (or `[`) comes back to it."""
        cluster, service = self.context_cluster, self.context_service
        if kind in ("profile", "region"):  # a picker over the pane: the pane stays if nothing is chosen
            self.pick_profile() if kind == "profile" else self.pick_region()
            return
        if kind in ("services", "tasks", "instances") and cluster is None:
            notify_inert(self, f"Choose a cluster first (enter on a row), then :{kind}.", severity="warning")
            return
        if self._is_on(kind, cluster, service):
            return  # already there: a second copy would only make esc look as if it did nothing
        self._open_jump(kind, cluster, service)
        self.history.went_to()

    def _is_on(self, kind: str, cluster: str | None, service: str | None) -> bool:
        screen = self.screen
        if kind in ("services", "instances"):
            return type(screen) is _JUMP_SCREENS[kind] and getattr(screen, "cluster", None) == cluster
        if kind == "tasks":
            return isinstance(screen, TasksScreen) and (screen.cluster, screen.service) == (cluster, service)
        return type(screen) is _JUMP_SCREENS.get(kind)

    def _open_jump(self, kind: str, cluster: str | None, service: str | None) -> None:
        if kind == "clusters":
            self.push_screen(ClustersScreen(select=cluster))
        elif kind == "taskdefs":
            self.open_task_definitions()
        elif kind == "audit":
            self.push_screen(AuditScreen())
        elif kind == "targets":
            self.open_targets()
        elif kind == "triage":
            # What the badge found is shown at once; the pane then reads the region again as any pane does.
            self.push_screen(TriageScreen(self.triage_badge.report))
        elif kind == "stats":
            self.push_screen(StatsScreen())
        elif kind == "autoscaling":
            self.open_autoscaling()
        elif kind == "schedules":
            self.push_screen(SchedulesScreen())
        elif kind == "sessions":
            self.push_screen(SessionsScreen())
        elif cluster is not None and kind == "services":
            self.open_services(cluster)
        elif cluster is not None and kind == "tasks":
            self.open_tasks(cluster, service)
        elif cluster is not None and kind == "instances":
            self.open_instances(cluster)

    def action_triage(self) -> None:
        """`!`: the problems the top bar's badge counts, as `:triage`."""
        self.jump("triage")

    def action_history_back(self) -> None:
        if isinstance(self.screen, LiveScreen):
            self.history.back()

    def action_history_forward(self) -> None:
        if isinstance(self.screen, LiveScreen):
            self.history.forward()

    # -- keys ---------------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            await self.key_gate.receive(event)
            return
        await super().on_event(event)

    async def _dispatch_typed(self, event: TypedEvent) -> None:
        await super().on_event(event)  # Textual's own routing: priority bindings, then the focused widget

    def action_jump(self) -> None:
        def chosen(kind: str | None) -> None:
            if kind:
                self.jump(kind)

        self.push_screen(JumpScreen(), chosen)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        # The switches are `:` commands, not keys of their own: listed after the keys so they can be found.
        switches = [
            (":profile", "switch AWS profile (also :ctx, :context, ctrl+p)", ""),
            (":region", "switch region (also ctrl+p)", ""),
        ]
        view = type(self.screen).__name__.removesuffix("Screen")
        self.push_screen(HelpScreen(view, self.keys_of_current_view() + switches))

    def keys_of_current_view(self) -> list[tuple[str, str, str]]:
        """(key, what it does, binding id) for every key active here: this view's own first, then the table's,
        then those that work everywhere."""
        view: list[tuple[str, str, str]] = []
        widgets: list[tuple[str, str, str]] = []
        everywhere: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if key in seen or binding.system:
                continue
            seen.add(key)
            row = (binding.key_display or key_label(key), binding.description or binding.action, binding.id or "")
            if isinstance(active.node, App) or (binding.key, binding.action) in _TEXTUAL_SCREEN_KEYS:
                everywhere.append(row)
            elif active.node is self.screen:
                view.append(row)
            else:
                widgets.append(row)
        return view + widgets + everywhere

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # Pollers report their own errors in their pane; anything else that fails lands here, readable.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            notify_inert(self, to_aws_error(event.worker.error).message, severity="error", timeout=8)
