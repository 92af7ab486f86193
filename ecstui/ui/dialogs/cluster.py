"""The cluster teardown dialog (a guided teardown); creating a cluster and a service in it have their own modules."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Button, Input, Static

from ecstui.aws.actions import TeardownStep, standalone_tasks
from ecstui.aws.capacity_providers import capacity_providers_note
from ecstui.aws.errors import AwsError
from ecstui.aws.models import (
    Cluster,
    Service,
    Task,
)
from ecstui.aws.schedules import ScheduledTask
from ecstui.ui.dialogs.base import ActionDialog, Invalidity
from ecstui.ui.dialogs.create_cluster import CreateClusterDialog
from ecstui.ui.inert import inert, make_inert, visible

STANDALONE_LISTED = 8


def _standalone_text(tasks: list[Task]) -> str:
    """The standalone tasks a teardown stops, by id, revision and who started them (the first few)."""
    plural = "s" if len(tasks) != 1 else ""
    listed = "; ".join(
        f"{task.id} ({task.task_definition}" + (f", started by {task.started_by})" if task.started_by else ")")
        for task in tasks[:STANDALONE_LISTED]
    )
    more = f"; and {len(tasks) - STANDALONE_LISTED} more" if len(tasks) > STANDALONE_LISTED else ""
    return f"{len(tasks)} running standalone task{plural}: {listed}{more}"


class DeleteClusterDialog(ActionDialog[list[TeardownStep]]):
    """Delete a cluster; one that has services is torn down in the order ECS needs, step by step.

    ECS refuses to delete a cluster with services, and a service with a desired count above 0: so every
    service is scaled to 0, then deleted, then the cluster. The first failure stops the teardown, with the
    steps done so far still listed; confirming again resumes from what is left.
    """

    confirm_variant = "error"
    destructive = True

    DEFAULT_CSS = """
    DeleteClusterDialog #teardown-progress { height: auto; padding-top: 1; }
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.title_text = f"Delete cluster {cluster.name}"
        self.confirm_label = "Tear down" if cluster.active_services else "Delete"
        super().__init__()
        self.done: list[TeardownStep] = []

    def compose_body(self) -> ComposeResult:
        yield Static(make_inert(self._plan(None)), id="teardown-plan")
        yield Static(inert(f"Type {self.cluster.name!r} to confirm:"), classes="field-label")
        yield Input(id="confirm-name", placeholder=visible(self.cluster.name))
        yield Static("", id="teardown-progress")

    def on_mount(self) -> None:
        self._load()

    @work(exclusive=True, group="dialog-load", exit_on_error=False)
    async def _load(self) -> None:
        reader = self.ecs_app.reader
        try:
            services = await reader.services(self.cluster.name)
            # Read before anything is sent, so the plan names every task the teardown will stop by itself.
            standalone = standalone_tasks(await reader.tasks(self.cluster.name), services)
            created = await self.ecs_app.capacity_providers.created_for(self.cluster.name)
        except AwsError as error:
            self.show_load_error(error)
            return
        try:
            schedules: Sequence[ScheduledTask] | str = await self.ecs_app.schedules.targeting_cluster(self.cluster.arn)
        except AwsError as error:
            # Schedules are named for the user's information only: a session without Scheduler or EventBridge
            # rights can still tear the cluster down.
            schedules = error.message
        plan = self._plan(services, standalone)
        if created:
            plan.append(f"\n{capacity_providers_note(self.cluster.name, created)}")
        self.query_one("#teardown-plan", Static).update(make_inert(_with_schedules(plan, schedules)))
        self.query_one("#dialog-confirm", Button).label = "Tear down" if services or standalone else "Delete"

    def _plan(self, services: list[Service] | None, standalone: list[Task] | None = None) -> Text:
        name = self.cluster.name
        text = Text()
        if services is None:
            text.append(f"Looking at the services and tasks of {name}…", style="dim")
            return text
        standalone = standalone or []
        if not services and not standalone:
            text.append(f"Cluster {name} has no services. Delete it? This cannot be undone.")
            return text
        if not services:
            text.append(f"Cluster {name} has no services, but tasks started by hand or on a schedule run in it.\n")
            text.append("Teardown, in this order, stopping at the first error:\n", style="bold")
            text.append(f"  1. stop {_standalone_text(standalone)}\n")
            text.append(f"  2. delete cluster {name}\n")
            text.append("This cannot be undone.", style="bold red")
            return text
        running = [s for s in services if s.desired > 0]
        text.append(f"Cluster {name} has {len(services)} service{'s' if len(services) != 1 else ''}; ")
        text.append("ECS refuses to delete a cluster that has services.\n")
        text.append("Guided teardown, in this order, stopping at the first error:\n", style="bold")
        if running:
            listed = ", ".join(f"{s.name} ({s.desired})" for s in running)
            text.append(f"  1. scale to 0: {listed}\n")
        step = 2 if running else 1
        text.append(f"  {step}. delete services: {', '.join(s.name for s in services)}\n")
        if standalone:
            text.append(f"  {step + 1}. stop {_standalone_text(standalone)}, then wait for every task to stop\n")
        else:
            text.append(f"  {step + 1}. wait for every task to stop (no standalone task is running)\n")
        if self.cluster.container_instances:
            text.append(
                f"  {step + 2}. deregister its {self.cluster.container_instances} container instance(s) "
                "(their EC2 instances keep running)\n"
            )
            step += 1
        text.append(f"  {step + 2}. delete cluster {name}\n")
        text.append("Their tasks are stopped. This cannot be undone.", style="bold red")
        return text

    def validate(self) -> str:
        typed = self.query_one("#confirm-name", Input).value.strip()
        if typed != self.cluster.name:
            raise Invalidity(f"Type {self.cluster.name!r} exactly to confirm (you typed {typed!r}).")
        return self.cluster.name

    async def _teardown(self, name: str) -> list[TeardownStep]:
        steps: list[TeardownStep] = []
        async for step in self.ecs_app.actions.teardown_cluster(name):
            if self.done and step.done == self.done[-1].done:
                # Not a new step: progress within one (waiting for tasks to stop).
                self._show_progress(step.total, waiting=step.description)
                continue
            steps.append(step)
            self.done.append(step)
            self._show_progress(step.total)
        return steps

    def _show_progress(self, total: int, waiting: str | None = None) -> None:
        text = Text()
        for step in self.done:
            text.append(f"✓ {step.description}\n", style="green")
        if self.done and self.done[-1].done < total:
            text.append(f"… step {self.done[-1].done + 1} of {total}", style="dim")
            if waiting:
                text.append(f": {waiting}", style="dim")
        self.query_one("#teardown-progress", Static).update(make_inert(text))

    def perform(self, values: str) -> Awaitable[list[TeardownStep]]:
        return self._teardown(values)

    def describe_success(self, result: list[TeardownStep]) -> str:
        total = result[-1].total if result else 0
        return f"Deleted cluster {self.cluster.name} ({total} step{'s' if total != 1 else ''})."


def _with_schedules(plan: Text, schedules: Sequence[ScheduledTask] | str) -> Text:
    """The plan, and the schedules and rules that start tasks in the cluster: the teardown leaves them, and each
    of their runs fails afterwards (the cluster is gone). A str: why they could not be read."""
    if not schedules:
        return plan
    text = plan.copy()
    if isinstance(schedules, str):
        text.append(f"\nThe schedules that start tasks in it could not be read: {schedules}", style="dim")
        return text
    text.append(f"\n{len(schedules)} schedule{'s' if len(schedules) != 1 else ''} start tasks in it ", style="bold")
    text.append("(not deleted; each run fails once the cluster is gone; delete them in :schedules):\n")
    for schedule in schedules:
        state = "" if schedule.enabled else ", disabled"
        text.append(f"  · {schedule.name} ({schedule.kind}, {schedule.in_words()}{state})\n")
    return text


__all__ = ["CreateClusterDialog", "DeleteClusterDialog"]
