"""Services of one cluster."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta

from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input

from ecstui.aws.errors import AwsError
from ecstui.aws.metrics import ServiceUtilisation
from ecstui.aws.models import Service, short_name
from ecstui.aws.resource_ref import ResourceRef, service_ref
from ecstui.aws.triage_rules import young_rollout
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.dialogs.service import DeleteServiceDialog, ScaleDialog, UpdateServiceDialog
from ecstui.ui.format import DIM, age, count_text, status_text
from ecstui.ui.inert import inert
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.base import ListScreen, Refresh
from ecstui.ui.utilisation_cells import WIDE_ENOUGH, utilisation_cell
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.one_line import OneLine
from ecstui.ui.widgets.resource_table import Cell, Column, Row

_NOT_YET = Text("…", style=DIM)


def _pass_on(done: asyncio.Future[list[str]], to: asyncio.Future[list[str]]) -> None:
    # The launch's first page (from the prefetch's thread) into the pane's own future.
    if to.done() or done.cancelled():
        return
    error = done.exception()
    if error is None:
        to.set_result(done.result())
    else:
        to.set_exception(error)


class ServicesScreen(ListScreen[Service], ResourceKeys):
    kind = "Services"
    columns = (
        Column("name", "Name", priority=Priority.IDENTITY),
        Column("status", "Status", priority=Priority.ESSENTIAL),
        Column("tasks", "Running/Desired", priority=Priority.ESSENTIAL),
        Column("pending", "Pending", priority=Priority.DETAIL),  # Running/Desired says most of it
        Column("cpu", "CPU"),
        Column("memory", "Mem"),
        Column("taskdef", "Task definition", priority=Priority.DETAIL),
        Column("capacity", "Launch type / capacity", priority=Priority.DETAIL),
        Column("rollout", "Rollout", priority=Priority.ESSENTIAL),
        Column("deployments", "Deployments", priority=Priority.DETAIL),
        Column("age", "Age"),
    )
    sort_column = "name"

    BINDINGS = [
        Binding("s", "scale", "Scale", id="services.scale"),
        Binding("r", "restart", "Restart", id="services.restart"),
        Binding("u", "update", "Update", id="services.update"),
        Binding("ctrl+d", "delete", "Delete", id="services.delete"),
        Binding("d", "task_definition", "Task definition", id="services.taskdef"),
        Binding("v", "view", "View", id="services.view"),
        Binding("a", "autoscaling", "Auto scaling", id="services.autoscaling"),
        Binding("l", "logs", "Logs", id="services.logs"),
    ]

    def __init__(self, cluster: str) -> None:
        self.cluster = cluster
        # (min, max) of the auto-scaled services seen on screen, by name (see _read_scaling_ranges).
        self.scaling_ranges: dict[str, tuple[int, int]] = {}
        # CPU and memory of the rows on screen (CloudWatch, read at most once a minute; see _read_utilisation).
        self.utilisation: dict[str, ServiceUtilisation] = {}
        self.metrics_error: str | None = None
        self._metrics_failed_at: datetime | None = None
        self._wide = True
        # One read at a time (the poll's and a scroll's): the second finds the rows read and asks nothing.
        self._metrics_lock = asyncio.Lock()
        self._scroll_timer: Timer | None = None
        super().__init__()

    def subject(self) -> str:
        return self.cluster

    async def fetch(self) -> Sequence[Service]:
        return await self.ecs_app.reader.services(self.cluster)

    # A big cluster loads progressively (see ListScreen): every ARN first, ten described per call, on-screen first.
    # On a first load, the first ListServices page is described and drawn while the pages after it are read.
    async def fetch_keys(self) -> Sequence[str]:
        if self.items or self.table.row_count:
            return await self._list()
        loop = asyncio.get_running_loop()
        first: asyncio.Future[list[str]] = loop.create_future()
        early = self.ecs_app.prefetched_first_service_page(self.cluster)
        if early is not None:
            early_task = asyncio.ensure_future(early)
            early_task.add_done_callback(lambda done: _pass_on(done, first))

        def on_first_page(arns: list[str]) -> None:
            if not first.done():
                first.set_result(arns)

        listing = asyncio.ensure_future(self._list(on_first_page))
        try:
            await self._show_first_page(first, listing)
            return await listing
        except BaseException:
            self.progress, self.expected_total, self.described_early = None, None, set()
            raise
        finally:
            for future in (listing, first):
                if not future.done():
                    future.cancel()
            await asyncio.gather(listing, first, return_exceptions=True)

    async def _list(self, on_first_page: Callable[[list[str]], None] | None = None) -> list[str]:
        prefetched = await self.ecs_app.take_prefetched_service_arns(self.cluster)
        if prefetched is not None:
            return prefetched
        return await self.ecs_app.reader.service_arns(self.cluster, on_first_page=on_first_page)

    async def _show_first_page(self, first: asyncio.Future[list[str]], listing: asyncio.Future[list[str]]) -> None:
        """Describe and draw the first page's rows while the listing goes on; the title counts the cluster's
        activeServicesCount until it ends. Nothing early when the whole listing came with its first page."""
        await asyncio.wait({first, listing}, return_when=asyncio.FIRST_COMPLETED)
        if listing.done() or first.cancelled() or first.exception() is not None:
            return
        page = first.result()
        if len(page) < self.progressive_threshold:
            return  # one page holds the cluster: described with the rest, at once
        counted = asyncio.ensure_future(self.ecs_app.reader.active_services_count(self.cluster))
        described = await self._describe_keys(page)
        self._show_batch(described, {})
        self.described_early = {self.row_key(item) for item in described}
        try:
            count = await counted
        except AwsError:
            count = None  # no count: the title counts the rows shown
        # A count below the rows already shown (an endpoint that does not keep it) says nothing.
        self.expected_total = count if count is not None and count >= len(self.described_early) else None
        self.progress = (len(self.described_early), self.expected_total or len(page))
        self._update_title()

    async def stream_items(self, keys: Sequence[str]) -> AsyncIterator[Sequence[Service]]:
        async for batch in self.ecs_app.reader.stream_services(self.cluster, keys):
            yield batch

    def placeholder_cells(self, key: str) -> tuple[Cell, ...]:
        # One shared "…" for every cell not described yet: 2,000 services would otherwise make 16,000 of them.
        return (Text(short_name(key), style="bold"), *((_NOT_YET,) * (len(self.columns) - 1)))

    def keep_item(self, item: Service) -> bool:
        # ECS stops listing deleted services; some endpoints (moto) list them as INACTIVE.
        return item.status != "INACTIVE"

    def row_signature(self, item: Service, now: datetime) -> object:
        figures = self.utilisation.get(item.name)
        failed = figures is None and self.metrics_error is not None
        return (item, age(item.created_at, now), self.scaling_ranges.get(item.name), figures, self._wide, failed)

    async def _fetch_cycle(self) -> Refresh[Service]:
        refresh = await super()._fetch_cycle()
        ranges_changed = await self._read_scaling_ranges(refresh.items)
        if await self._read_utilisation(refresh.items) or ranges_changed:
            return self._prepare(list(refresh.items.values()))
        return refresh

    async def _read_utilisation(self, items: dict[str, Service]) -> bool:
        """CPU and memory of the rows on screen (of the filter's matches when filtering), from CloudWatch: two
        queries a row, 500 to a GetMetricData, each row at most once a minute. An error leaves the pane as it
        is and says so on one line; it is tried again a minute later, not at every refresh. True on news."""
        async with self._metrics_lock:
            return await self._read_utilisation_of(items)

    async def _read_utilisation_of(self, items: dict[str, Service]) -> bool:
        shown = [key for key in self.table.visible_keys() if key in items] or list(items)[:40]
        names = [items[key].name for key in shown]
        now = self.ecs_app.clock()
        metrics = self.ecs_app.metrics
        failed_at = self._metrics_failed_at
        if not names or (failed_at is not None and timedelta(0) <= now - failed_at < timedelta(minutes=1)):
            return False
        if not metrics.due(self.cluster, names, now):
            return False
        before = {name: self.utilisation.get(name) for name in names}
        try:
            read = await metrics.service_utilisation(self.cluster, names, now=now)
        except AwsError as error:
            self._metrics_failed_at, self.metrics_error = now, error.message
            self._show_metrics_note()
            return True
        self._metrics_failed_at, self.metrics_error = None, None
        self.utilisation.update(read)
        self._show_metrics_note()
        return any(before[name] is not read.get(name) for name in names)

    def _show_metrics_note(self) -> None:
        note = self.query_one("#metrics-note", OneLine)
        if self.metrics_error:
            note.show(inert(f"CPU/Mem unavailable: {self.metrics_error}", "yellow"))
        note.display = bool(self.metrics_error)

    def on_mount(self) -> None:
        # (ListScreen's own on_mount runs too: Textual calls each class's handler.)
        note = OneLine(id="metrics-note")
        note.display = False
        self.mount(note, after=self.query_one("#pane-title"))
        self.watch(self.table, "scroll_y", self._scrolled, init=False)

    def _scrolled(self, _old: float, _new: float) -> None:
        # Rows scrolled into view get their CPU and memory without waiting for the next refresh; a burst of
        # scrolling asks once, when it settles.
        if self._scroll_timer is not None:
            self._scroll_timer.stop()
        self._scroll_timer = self.set_timer(0.3, self._read_scrolled_rows, name="utilisation after scroll")

    @on(Input.Changed, "#pane-filter")
    def _filter_narrowed(self, event: Input.Changed) -> None:
        # The filter's matches are the rows on screen now: theirs too, once the typing pauses.
        self._scrolled(0.0, 0.0)

    @work(exclusive=True, group="utilisation-scroll", exit_on_error=False, description="CPU/Mem of rows in view")
    async def _read_scrolled_rows(self) -> None:
        items = self.items
        if not items or not await self._read_utilisation(items):
            return
        now = self.ecs_app.clock()
        shown = [key for key in self.table.visible_keys() if key in items]
        self.table.upsert(Row(key, self._cells_of(key, items[key], now)) for key in shown)

    def on_resize(self, event: events.Resize) -> None:
        # The sparklines go first when the terminal narrows, before Name, Status and Running/Desired would.
        wide = event.size.width >= WIDE_ENOUGH
        if wide != self._wide:
            self._wide = wide
            if self.items:
                self._apply(self._prepare(list(self.items.values())))

    async def _read_scaling_ranges(self, items: dict[str, Service]) -> bool:
        """The min and max of the services on screen (the first screenful on a first load): one
        DescribeScalableTargets per 50 of them, once a refresh. True when a range changed."""
        shown = [key for key in self.table.visible_keys(margin=10) if key in items] or list(items)[:50]
        names = [items[key].name for key in shown]
        if not names:
            return False
        try:
            targets = await self.ecs_app.scaling.targets_of(self.cluster, names)
        except AwsError:
            return False  # no permission for Application Auto Scaling, say: the pane shows what ECS says
        before = dict(self.scaling_ranges)
        for name in names:
            target = targets.get(name)
            if target is None:
                self.scaling_ranges.pop(name, None)
            else:
                self.scaling_ranges[name] = (target.minimum, target.maximum)
        return before != self.scaling_ranges

    def row_key(self, item: Service) -> str:
        return item.arn

    def row_cells(self, item: Service) -> tuple[Cell, ...]:
        pending = Text(str(item.pending), style="yellow" if item.pending else DIM)
        deployments = len(item.deployments)
        figures = self.utilisation.get(item.name)
        failed = self.metrics_error is not None
        return (
            Text(item.name, style="bold"),
            status_text(item.status),
            self._tasks_cell(item),
            pending,
            utilisation_cell(figures, figures.cpu if figures else None, wide=self._wide, failed=failed),
            utilisation_cell(figures, figures.memory if figures else None, wide=self._wide, failed=failed),
            item.task_definition,
            item.capacity or "-",
            self._rollout_cell(item),
            Text(str(deployments), style="yellow" if deployments > 1 else ""),
            age(item.created_at, self.ecs_app.clock()),
        )

    def _rollout_cell(self, item: Service) -> Text:
        # A rollout younger than the grace period with nothing failed is ECS at work, not trouble (as in triage).
        now = self.ecs_app.clock()
        primary = item.primary_deployment
        if primary is not None and young_rollout(item, now, self.ecs_app.rollout_grace):
            return Text(f"deploying {age(primary.created_at, now)}", style="cyan")
        return status_text(item.rollout_state)

    def _tasks_cell(self, item: Service) -> Text:
        cell = count_text(item.running, item.desired, item.pending)
        scaled = self.scaling_ranges.get(item.name)
        if scaled is not None:
            cell.append(f" ({scaled[0]}\u2013{scaled[1]})", style="cyan")  # min to max, auto scaled
        return cell

    def open_item(self, item: Service) -> None:
        self.ecs_app.open_tasks(self.cluster, item.name)

    def action_view(self) -> None:
        """The service itself: deployments, events, load balancing, why its tasks stop."""
        if (item := self.selected) is not None:
            self.ecs_app.open_service(self.cluster, item.name)

    def action_task_definition(self) -> None:
        if (item := self.selected) is not None:
            self.ecs_app.open_task_definition(item.task_definition_arn)

    def action_autoscaling(self) -> None:
        """The service's auto scaling: min, max, policies, scheduled actions, activities."""
        if (item := self.selected) is not None:
            self.ecs_app.open_autoscaling(self.cluster, item.name)

    def action_logs(self) -> None:
        """The service's running tasks' logs, merged by time."""
        if (item := self.selected) is not None:
            self.ecs_app.open_logs(self.cluster, service=item.name)

    # -- actions ------------------------------------------------------------------------------
    def action_scale(self) -> None:
        if (item := self.selected) is not None and self.ecs_app.can_mutate("scale"):
            self.app.push_screen(ScaleDialog(self.cluster, item))

    def action_restart(self) -> None:
        item = self.selected
        if item is None or not self.ecs_app.can_mutate("restart"):
            return
        actions, cluster = self.ecs_app.actions, self.cluster
        self.app.push_screen(
            ConfirmDialog(
                f"Restart {item.name}",
                f"Force a new deployment of {item.name}: ECS replaces all {item.running} running tasks with new "
                f"ones of {item.task_definition}, keeping the service's minimum healthy percent.",
                lambda: actions.restart_service(cluster, item.name),
                confirm_label="Restart",
                type_to_confirm=item.name if self.ecs_app.needs_typed_confirmation else None,
                success=f"{item.name}: new deployment started.",
            )
        )

    def action_update(self) -> None:
        if (item := self.selected) is not None and self.ecs_app.can_mutate("update"):
            self.app.push_screen(UpdateServiceDialog(self.cluster, item))

    def action_delete(self) -> None:
        if (item := self.selected) is not None and self.ecs_app.can_mutate("delete"):
            self.app.push_screen(DeleteServiceDialog(self.cluster, item))

    def palette_commands(self) -> list[PaletteCommand]:
        item = self.selected
        if item is None:
            return []
        return [
            PaletteCommand(f"Scale {item.name}", "Change the desired count", self.action_scale),
            PaletteCommand(f"Restart {item.name}", "Force a new deployment", self.action_restart),
            PaletteCommand(f"Update {item.name}", "Roll out another revision", self.action_update),
            PaletteCommand(f"Delete {item.name}", "Scale to 0 and delete", self.action_delete),
            PaletteCommand(f"Tasks of {item.name}", "Open its tasks", self.action_open),
            PaletteCommand(f"Logs of {item.name}", "Its running tasks' logs, merged", self.action_logs),
            PaletteCommand(f"Task definition of {item.name}", item.task_definition, self.action_task_definition),
        ]

    def selected_ref(self) -> ResourceRef | None:
        item = self.selected
        return service_ref(item, self.session_region) if item is not None else None
