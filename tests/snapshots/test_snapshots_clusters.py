"""The cluster, container-instance and audit dialogs and views, rendered from the seeded demo account.

Update after an intended change with `pytest tests/snapshots --snapshot-update`, and look at the SVGs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Select, Static

from ecstui.aws.audit import AuditEntry, AuditLog
from ecstui.aws.session import AwsTarget
from ecstui.ui.dialogs.service_network import ServiceNetworkFields
from tests.snapshots.test_snapshots import SnapCompare, press, select, snap, snap_at
from tests.ui.conftest import make_app, wait_until

# The audit view's title names its file, so the snapshot's log lives at a path that is the same every run.
AUDIT_PATH = Path(tempfile.gettempdir()) / "ecstui-snapshot" / "audit.jsonl"


def wait_for(condition: Callable[[Any], bool]) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await wait_until(pilot, lambda: condition(screen))

    return run


def test_create_cluster_with_a_bad_name(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(demo_account), press("c"), press(*"pay ments", "enter"))


def test_create_service(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    snap(
        snap_compare,
        make_app(demo_account),
        select("prod"),
        press("n"),
        # Loaded: the revision is chosen and read, and the network of a service of the cluster is proposed (all
        # arrive asynchronously).
        wait_for(
            lambda s: (
                isinstance(s.query_one("#revision", Select).value, str)
                and s.query_one("#revision", Select).value in s.definitions
                and bool(s.query_one(ServiceNetworkFields).security_groups.selected)
                and bool(s.query_one(ServiceNetworkFields).security_groups.choices)
            )
        ),
        press(*"orders"),
    )


def test_delete_cluster_offers_the_guided_teardown(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    snap(
        snap_compare,
        make_app(demo_account),
        select("staging"),
        press("ctrl+d"),
        wait_for(lambda s: "Looking at" not in str(s.query_one("#teardown-plan", Static).render())),
    )


def test_drain_an_instance(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(demo_account), select("batch"), press("i"), press("D"))


def test_audit_log(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    write_audit_log()
    snap(snap_compare, make_app(demo_account, audit_path=str(AUDIT_PATH)), press("colon", *"audit", "enter"))


def test_audit_log_at_80x24(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    write_audit_log()
    app = make_app(demo_account, audit_path=str(AUDIT_PATH))
    snap_at(snap_compare, (80, 24), app, press("colon", *"audit", "enter"))


def write_audit_log() -> None:
    """Three changes as ecstui records them, at fixed times (the pane shows them newest first)."""
    AUDIT_PATH.unlink(missing_ok=True)
    log = AuditLog(AUDIT_PATH)
    common: dict[str, Any] = {"profile": "default", "region": "us-east-1"}
    log.append(
        AuditEntry(
            time=datetime(2026, 11, 26, 11, 40, 5, 120000, tzinfo=UTC),
            action="create_cluster",
            target="payments",
            parameters={
                "clusterName": "payments",
                "capacityProviders": ["FARGATE"],
                "settings": [{"name": "containerInsights", "value": "enabled"}],
            },
            **common,
        )
    )
    log.append(
        AuditEntry(
            time=datetime(2026, 11, 26, 11, 52, 30, 4000, tzinfo=UTC),
            action="scale_service",
            target="prod/web",
            parameters={"cluster": "prod", "service": "web", "desiredCount": 14},
            before={"desiredCount": 10},
            **common,
        )
    )
    log.append(
        AuditEntry(
            time=datetime(2026, 11, 26, 11, 55, 1, 500000, tzinfo=UTC),
            action="delete_service",
            target="prod/api",
            parameters={"cluster": "prod", "service": "api"},
            before={
                "desiredCount": 3,
                "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:3",
            },
            result="Service api still wants 3 tasks: scale it to 0 before deleting it.",
            **common,
        )
    )
