"""The `:profile` and `:region` pickers over the clusters pane, at 160x45 and 80x24.

Update after an intended change with `pytest tests/snapshots --snapshot-update`, and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

from ecstui.aws.session import AwsTarget
from tests.aws_files import aws_files
from tests.snapshots.test_snapshots import SnapCompare, press, snap_at
from tests.ui.conftest import make_app

__all__ = ["aws_files"]


def test_profile_picker(
    snap_compare: SnapCompare, shared_demo_account: AwsTarget, aws_files: Path, size: tuple[int, int]
) -> None:
    snap_at(snap_compare, size, make_app(shared_demo_account), press("colon", *"profile", "enter"))


def test_region_picker(snap_compare: SnapCompare, shared_demo_account: AwsTarget, size: tuple[int, int]) -> None:
    snap_at(snap_compare, size, make_app(shared_demo_account), press("colon", *"region", "enter"), press(*"eu"))
