"""Handing the terminal to session-manager-plugin for an ECS Exec shell, and taking it back.

Textual's `App.suspend` gives the terminal back as it was before the app started (cooked mode, the main
screen), the plugin runs in the foreground until the command exits, and the app redraws on return. The exit
status is said and audited; a terminal that cannot be handed over (no TTY, Textual's web driver) is said too,
and the session ExecuteCommand opened is then ended rather than left to time out.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

from ecstui.aws.errors import AwsError
from ecstui.aws.exec import PLUGIN_INSTALL_URL, ExecSession, exec_plugin_argv, run_plugin_in_terminal
from ecstui.aws.models import short_name
from ecstui.ui.inert import notify_inert

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp


def hand_over_shell(app: EcsApp, session: ExecSession) -> int | None:
    """Run the plugin on this terminal with the app suspended; its exit status (None when it could not run)."""
    argv = exec_plugin_argv(session)
    where = f"{session.container_name} of task {short_name(session.task_arn)}"
    target = f"{short_name(session.cluster_arn)}/{short_name(session.task_arn)}/{session.container_name}"
    actions = app.exec_actions
    try:
        with app.suspend():
            code = run_plugin_in_terminal(argv)
    except SuspendNotSupported:
        outcome = "this terminal cannot be handed over to the plugin"
        notify_inert(app, f"Shell in {where}: {outcome} (run ecstui in a terminal).", severity="error", timeout=10)
    except OSError as exc:
        outcome = f"session-manager-plugin could not be started: {exc.strerror or exc}"
        notify_inert(app, f"{outcome}. Install it: {PLUGIN_INSTALL_URL}", severity="error", timeout=12)
    else:
        actions.record_plugin_exit("shell", target, session.session_id, f"plugin exited with status {code}")
        notify_inert(
            app,
            f"Shell in {where} ended (session-manager-plugin exit status {code}).",
            severity="information" if code == 0 else "warning",
            timeout=8,
        )
        app.refresh_current_pane()
        return code
    actions.record_plugin_exit("shell", target, session.session_id, outcome)
    # The session ExecuteCommand opened would otherwise wait for the agent's idle timeout.
    app.run_worker(_terminate(app, session.session_id), group="exec-terminate", exit_on_error=False)
    return None


async def _terminate(app: EcsApp, session_id: str) -> None:
    with contextlib.suppress(AwsError, asyncio.CancelledError):
        await app.exec_actions.terminate_session(session_id)


__all__ = ["hand_over_shell"]
