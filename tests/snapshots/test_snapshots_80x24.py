"""Every pane and dialog at 80x24, the size of an SSH session: keys, columns and buttons must still be there.

The panes and dialogs that other snapshot files already take at both sizes (create service, the task definition
form, auto scaling, schedules, logs, exec, load balancing) are not repeated here. Every scenario only reads (a
dialog is opened, never confirmed), so all share one seeded account. The audit and stats panes have snapshots
of their own, 80x24 included (test_snapshots_clusters.py, test_snapshots_stats.py): what they show (the audit file's
path, the request counters) is fixed there first.

Update after an intended change with `pytest tests/snapshots/test_snapshots_80x24.py --snapshot-update`, and look.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from tests.snapshots.test_snapshots import SnapCompare, press, select, snap_at
from tests.snapshots.test_snapshots_triage import triage_on_screen
from tests.ui.conftest import make_app

Step = Callable[[Pilot[None]], Awaitable[None]]
TASKDEFS = press("colon", *"taskdefs", "enter")
API_REVISIONS = (TASKDEFS, select("api"), press("enter"))

# name: (the app's options, the steps from its first pane)
SCENARIOS: dict[str, tuple[dict[str, Any], tuple[Step, ...]]] = {
    "clusters": ({}, ()),
    "services": ({"cluster": "prod"}, ()),
    "tasks_of_a_service": ({"cluster": "prod", "service": "web"}, ()),
    "tasks_of_a_cluster": ({}, (select("batch"), press("t"))),
    "task_detail": ({"cluster": "prod", "service": "api"}, (press("enter"),)),
    "task_definition_families": ({}, (TASKDEFS,)),
    "task_definition_revisions": ({}, API_REVISIONS),
    "task_definition": ({}, (*API_REVISIONS, press("enter"))),
    "container_instances": ({}, (select("batch"), press("i"))),
    "service_view": ({"cluster": "prod"}, (select("payments"), press("v"))),
    "targets": ({}, (press("colon", *"targets", "enter"),)),
    "triage": ({"triage_at_start": True}, (triage_on_screen,)),
    "help": ({"cluster": "prod"}, (press("question_mark"),)),
    "create_cluster_dialog": ({}, (press("c"),)),
    "scale_dialog": ({"cluster": "prod"}, (select("web"), press("s"))),
    "update_service_dialog": ({"cluster": "prod"}, (select("web"), press("u"))),
    "delete_service_dialog": ({"cluster": "prod"}, (select("web"), press("ctrl+d"))),
    "stop_task_dialog": ({"cluster": "prod", "service": "web"}, (press("x"),)),
    "run_task_dialog": ({}, (*API_REVISIONS, press("R"))),
    "new_revision_dialog": ({}, (*API_REVISIONS, press("n"))),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_at_80x24(snap_compare: SnapCompare, shared_demo_account: AwsTarget, name: str) -> None:
    options, steps = SCENARIOS[name]
    snap_at(snap_compare, (80, 24), make_app(shared_demo_account, **options), *steps)
