"""ECS calls a minute while a pane is watched, beside the least that keeps its screen fresh (`run.py --only watching`).

The app's clock and the listing sweep's clock are moved by the refresh interval at each refresh, so eight minutes of
watching take as long as the refreshes' own round trips, not eight minutes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

import botocore.session
from launch import until  # (bench/, this script's folder)

from ecstui.aws.session import AwsTarget
from ecstui.ui.app import AppOptions, EcsApp
from ecstui.ui.listing_sweep import DEFAULT_SWEEP_CALLS_PER_MINUTE
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.tasks import TasksScreen
from ecstui.ui.triage_badge import TriageBadge

WATCH_SIZE = (160, 45)
REFRESH_SECONDS = 5.0
ECS_OPERATIONS = frozenset(botocore.session.get_session().get_service_model("ecs").operation_names)


async def ecs_calls_while_watching(target: AwsTarget, cluster: str, kind: str, minutes: float) -> dict[str, Any]:
    """Watch the pane `kind` ("services", "tasks" of the whole cluster, "clusters") for `minutes` of its clocks,
    refreshed every REFRESH_SECONDS; count the ECS requests the session sent after the first load."""
    clock = [dt.datetime.now(dt.UTC)]
    opening = None if kind == "clusters" else cluster
    # The top bar's triage badge is measured on its own (badge_cost): here, the pane alone.
    options = AppOptions(
        refresh=3600.0, cluster=opening, clock=lambda: clock[0], triage_at_start=False, triage_badge_interval=None
    )
    app = EcsApp(target, options)
    expected = {"services": ServicesScreen, "tasks": TasksScreen, "clusters": ClustersScreen}[kind]
    async with app.run_test(size=WATCH_SIZE):
        if kind == "tasks":
            await until(lambda: isinstance(app.screen, ServicesScreen), 120)
            app.open_tasks(cluster, None)
        await until(lambda: isinstance(app.screen, expected) and _pane(app).updated_at is not None, 600)
        screen = _pane(app)
        assert screen.poller is not None and screen.last_error is None
        swept = [screen.sweep_clock()]
        screen.sweep_clock = lambda: swept[0]  # type: ignore[method-assign]
        visible = len(screen.table.visible_keys())
        rows = len(screen.items)
        app.session.stats.sent.clear()
        for _ in range(round(minutes * 60 / REFRESH_SECONDS)):
            clock[0] += dt.timedelta(seconds=REFRESH_SECONDS)
            swept[0] += REFRESH_SECONDS
            before = screen.poller.fetch_count
            screen.action_refresh_now()
            await until(lambda done=before: screen.poller is not None and screen.poller.fetch_count > done, 600)
        sent = Counter({op: n for op, n in app.session.stats.sent.items() if op in ECS_OPERATIONS})
    return {
        "kind": kind,
        "rows": rows,
        "visible": visible,
        "minutes": minutes,
        "sent": sent,
        "floor": floor_per_minute(kind, rows, visible, screen.listed_keys is not None),
    }


async def badge_cost(target: AwsTarget) -> dict[str, Any]:
    """What one check of the top bar's triage badge costs on this region, and what it averages a minute once
    spread out (TriageBadge.pause_after)."""
    app = EcsApp(target, AppOptions(refresh=3600.0, triage_badge_interval=3600.0))
    async with app.run_test(size=WATCH_SIZE):
        await until(lambda: app.triage_badge.last_cost > 0, 900)
        cost = app.triage_badge.last_cost
        badge = TriageBadge(app)  # with the default interval and budget, as a user's app has them
        pause = badge.pause_after(cost)
    return {"cost": cost, "pause": pause, "per_minute": cost * 60 / pause, "budget": badge.calls_per_minute}


def badge_line(result: dict[str, Any]) -> str:
    return (
        f"The top bar's triage badge, on the same region: one check sends {result['cost']} calls (at the background "
        f"share of the buckets); the next waits {result['pause']:.0f} s, so the badge averages "
        f"{result['per_minute']:.1f} calls a minute (its budget: {result['budget']:g})."
    )


def floor_per_minute(kind: str, rows: int, visible: int, swept: bool) -> float:
    """The least that keeps every row on screen fresh at each refresh: the rows on screen ÷ the describe batch,
    per refresh; plus, for a swept listing, the sweep's budget (which also re-reads the listing). A listing that
    is not swept is listed and described whole at each refresh."""
    refreshes = 60 / REFRESH_SECONDS
    batch = 10 if kind == "services" else 100
    if kind == "clusters":
        return refreshes * (math.ceil(rows / 100) + math.ceil(rows / 100))
    if not swept:
        return refreshes * (math.ceil(rows / 100) + math.ceil(rows / batch))
    return refreshes * math.ceil(visible / batch) + DEFAULT_SWEEP_CALLS_PER_MINUTE


def _pane(app: EcsApp) -> ListScreen[Any]:
    screen = app.screen
    assert isinstance(screen, ListScreen), screen
    return screen


def watching_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| pane | rows | rows on screen | watched | ECS calls a minute | floor a minute | sent |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        per_minute = sum(r["sent"].values()) / r["minutes"]
        sent = ", ".join(f"{op} {n}" for op, n in sorted(r["sent"].items()))
        lines.append(
            f"| {r['kind']} | {r['rows']} | {r['visible']} | {r['minutes']:g} min | {per_minute:.1f} | "
            f"{r['floor']:.0f} | {sent} |"
        )
    return "\n".join(lines)
