"""What the first-cluster walk found wrong in the dialogs and views (issue 11, "found on the walk, to fix")."""

from __future__ import annotations

from textual.widgets import Input

from ecstui.aws.session import AwsTarget
from ecstui.emulator.faults import SERVER_EXCEPTION
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.run_task import RunTaskDialog
from tests.ui.conftest import make_app
from tests.ui.test_task_definition_actions import SIZE, open_revisions, wait_dialog, wait_error


async def test_a_failed_run_task_says_what_happened_promises_no_retry_and_keeps_the_dialog(
    demo_account: AwsTarget, emulator: EmulatorServer
) -> None:
    emulator.faults.inject("RunTask", SERVER_EXCEPTION, count=20)
    app = make_app(demo_account)
    async with app.run_test(size=SIZE) as pilot:
        await open_revisions(pilot, "checkout")
        await pilot.press("R")
        dialog = await wait_dialog(pilot, RunTaskDialog)
        dialog.query_one("#count", Input).value = "2"
        await pilot.press("ctrl+s")
        said = await wait_error(pilot, dialog)
        assert "RunTask" in said and "HTTP 500" in said
        assert "next refresh" not in said
        assert "Nothing retries it" in said and "Confirm sends it again" in said
        assert app.screen is dialog
        assert dialog.query_one("#count", Input).value == "2"
        assert not dialog.sending
    assert emulator.log.counts["RunTask"] == 0  # every attempt was answered by the fault, none reached moto
