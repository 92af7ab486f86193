"""The task definition actions' dialogs, rendered at a fixed size from the seeded demo account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from ecstui.aws.session import AwsTarget
from tests.snapshots.test_snapshots import SnapCompare, press, select, snap
from tests.ui.conftest import make_app
from tests.ui.conftest import wait_until as wait_briefly

# Generous: these tests share two cores with others, and a dialog that takes long to appear is not a failure.
PATIENCE = 60.0


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], limit: float = PATIENCE) -> None:
    await wait_briefly(pilot, condition, limit)


TO_API_REVISIONS = (press("colon", *"taskdefs", "enter"), select("api"), press("enter"))


def wait_for(screen_name: str) -> Any:
    async def run(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == screen_name)
        # A blinking cursor would make the picture depend on when it is taken.
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause(0.2)

    return run


def focused(widget_id: str) -> Any:
    """Wait for the dialog to settle its focus (it moves to the image once mounted)."""

    async def run(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: getattr(pilot.app.screen.focused, "id", None) == widget_id)
        await pilot.pause(0.2)

    return run


def set_value(selector: str, value: str) -> Any:
    async def run(pilot: Pilot[None]) -> None:
        pilot.app.screen.query_one(selector, Input).value = value
        await pilot.pause()

    return run


def test_new_revision_form(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    snap(
        snap_compare,
        make_app(demo_account),
        *TO_API_REVISIONS,
        press("n"),
        wait_for("NewRevisionDialog"),
        focused("image-0"),
    )


def test_new_revision_form_with_an_inline_error(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    snap(
        snap_compare,
        make_app(demo_account),
        *TO_API_REVISIONS,
        press("n"),
        wait_for("NewRevisionDialog"),
        focused("image-0"),
        set_value("#ports-0", "8080/tcp, http"),
        press("ctrl+s"),
    )


def test_new_revision_diff(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    snap(
        snap_compare,
        make_app(demo_account),
        *TO_API_REVISIONS,
        press("n"),
        wait_for("NewRevisionDialog"),
        focused("image-0"),
        set_value("#image-0", "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1.6.0"),
        set_value("#memory-0", "384"),
        press("ctrl+s"),
        wait_for("RegisterRevisionDialog"),
    )


def test_json_editor_in_the_app(
    snap_compare: SnapCompare, demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    snap(snap_compare, make_app(demo_account), *TO_API_REVISIONS, press("e"), wait_for("JsonEditDialog"))


def test_run_task(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    snap(snap_compare, make_app(demo_account), *TO_API_REVISIONS, press("R"), wait_for("RunTaskDialog"))


def test_deregister(snap_compare: SnapCompare, demo_account: AwsTarget) -> None:
    snap(
        snap_compare,
        make_app(demo_account, production=True),
        *TO_API_REVISIONS,
        press("ctrl+d"),
        wait_for("ConfirmDialog"),
    )
