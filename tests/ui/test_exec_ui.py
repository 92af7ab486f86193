"""`s` and `F` on a task: the readiness check, the shell handed to session-manager-plugin with the app suspended
and restored, the enable-on-service action, port forwards in `:sessions`, and read-only sending nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import Button, Input, Static

from ecstui.aws.port_forwards import local_port_free
from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.exec import EnableExecDialog, ExecDialog, PortForwardDialog
from ecstui.ui.screens.sessions import SessionsScreen
from ecstui.ui.screens.tasks import TasksScreen
from tests.plugin_stand_in import install_stand_in
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

# What the driver was asked to do, by every test app of this module (reset per test).
DRIVER_CALLS: list[str] = []


class SuspendableHeadlessDriver(HeadlessDriver):
    """Textual's headless driver cannot suspend (App.suspend raises SuspendNotSupported in run_test). Textual's
    own tests (tests/test_suspend.py) make a headless driver that can, recording the calls: so does this one."""

    @property
    def is_headless(self) -> bool:
        return False

    @property
    def can_suspend(self) -> bool:
        return True

    def suspend_application_mode(self) -> None:
        DRIVER_CALLS.append("suspend")

    def resume_application_mode(self) -> None:
        DRIVER_CALLS.append("resume")


def _app(target: AwsTarget, **options: Any) -> EcsApp:
    app = make_app(target, **options)
    app.driver_class = SuspendableHeadlessDriver
    DRIVER_CALLS.clear()
    return app


async def _open(pilot: Any, key: str, dialog_type: type[Any]) -> Any:
    await wait_loaded(pilot)
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, dialog_type))
    dialog = pilot.app.screen
    await wait_until(pilot, lambda: dialog.readiness is not None, limit=30)
    return dialog


def _readiness_shown(dialog: Any) -> str:
    """The readiness lines as read, each line's wrapping undone."""
    lines = text_of(dialog.query_one("#exec-readiness", Static).render()).splitlines()
    return "\n".join(line if line[:1] in "✓✗?R" else f"  {line.strip()}" for line in lines).replace("\n  ", " ")


async def test_s_checks_readiness_then_hands_the_terminal_to_the_plugin_and_takes_it_back(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = install_stand_in(tmp_path, monkeypatch, STAND_IN_EXIT="0")
    app = _app(demo_account, cluster="prod", service="api", audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36), headless=False) as pilot:
        dialog = await _open(pilot, "s", ExecDialog)
        task = dialog.ecs_task
        shown = _readiness_shown(dialog)
        for line in (
            "✓ Exec enabled on the task",
            "✓ ExecuteCommandAgent running",
            "✓ session-manager-plugin on PATH",
            "✓ Task role allows ssmmessages",
            "✓ Fargate platform 1.4.0 or later",
        ):
            assert line in shown
        assert dialog.query_one("#exec-command", Input).value == "/bin/sh"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: DRIVER_CALLS == ["suspend", "resume"] and isinstance(app.screen, TasksScreen))
        # The app runs on after the hand-off: the pane answers keys, the notification says how the shell ended.
        await pilot.press("ctrl+r")
        await wait_loaded(pilot)
        assert any("exit status 0" in str(n.message) for n in app._notifications)
    (call,) = stand_in.calls()
    container = next(c for c in task.containers if c.name == dialog.container_name)
    session, region, operation, profile, parameters, endpoint = call["argv"]
    assert list(json.loads(session)) == ["sessionId", "streamUrl", "tokenValue"]
    assert (region, operation, profile, endpoint) == ("us-east-1", "StartSession", "", emulator.endpoint_url)
    assert json.loads(parameters) == {"Target": f"ecs:prod_{task.id}_{container.runtime_id}"}
    (sent,) = emulator.log.calls("ExecuteCommand")
    assert sent["command"] == "/bin/sh" and sent["interactive"] is True and sent["container"] == container.name
    actions = [(e.action, e.result) for e in app.audit.entries()]
    assert ("execute_command", "ok") in actions and ("shell", "plugin exited with status 0") in actions


async def test_read_only_shell_says_so_and_sends_nothing(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = install_stand_in(tmp_path, monkeypatch)
    target = AwsTarget(region="us-east-1", endpoint_url=shared_demo_account.endpoint_url, read_only=True)
    app = _app(target, cluster="prod", service="api", audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36), headless=False) as pilot:
        dialog = await _open(pilot, "s", ExecDialog)
        assert "Read-only session" in _readiness_shown(dialog)
        await pilot.press("ctrl+s")
        error = dialog.query_one("#dialog-error", Static)
        await wait_until(pilot, lambda: "Read-only" in text_of(error.render()))
        assert app.screen is dialog
        assert dialog.attempts == 0  # refused by the dialog itself, before the action was asked
    assert emulator_server.log.calls("ExecuteCommand") == [] and emulator_server.log.calls("StartSession") == []
    assert stand_in.calls() == [] and DRIVER_CALLS == [] and app.audit.entries() == []


async def test_exec_off_offers_enable_on_service_which_sends_update_service(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_stand_in(tmp_path, monkeypatch)
    app = _app(demo_account, cluster="prod", service="web", audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36), headless=False) as pilot:
        dialog = await _open(pilot, "s", ExecDialog)
        shown = _readiness_shown(dialog)
        assert "✗ Exec enabled on the task" in shown and "needs a new deployment" in shown
        assert dialog.query_one("#exec-enable", Button).has_class("shown")
        # Confirm sends nothing while a piece is missing.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Not ready" in text_of(dialog.query_one("#dialog-error", Static).render()))
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, EnableExecDialog))
        assert "new deployment" in text_of(app.screen.query_one("#dialog-body").query(Static).first().render())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is dialog)
    assert emulator.log.calls("UpdateService") == [{"cluster": "prod", "service": "web", "enableExecuteCommand": True}]
    assert emulator.log.calls("ExecuteCommand") == []


async def test_port_forward_runs_in_the_background_is_listed_in_sessions_and_ctrl_d_ends_it(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = install_stand_in(tmp_path, monkeypatch)
    local = next(port for port in range(18080, 18180) if local_port_free(port))
    app = _app(demo_account, cluster="prod", service="api", audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36), headless=False) as pilot:
        dialog = await _open(pilot, "F", PortForwardDialog)
        assert dialog.query_one("#forward-remote", Input).value == "8080"  # the container's port mapping
        dialog.query_one("#forward-local", Input).value = str(local)
        await pilot.press("ctrl+s")
        forwards = app.port_forwards
        await wait_until(pilot, lambda: bool(forwards.forwards) and forwards.forwards[0].state == "open", limit=30)
        forward = forwards.forwards[0]
        app.jump("sessions")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen) and bool(app.screen.items))
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        row = [getattr(cell, "plain", cell) for cell in screen.table.get_row(str(forward.id))]
        assert row[0] == f"localhost:{local}" and "api:8080" in row[1] and row[3] == "open"
        # Quitting with a forward open says so first.
        await pilot.press("q")
        assert app.is_running and any("quitting ends it" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: forward.state == "ended", limit=30)
        await wait_until(pilot, lambda: bool(emulator.log.calls("TerminateSession")))
    calls = stand_in.calls()
    started = next(c for c in calls if "argv" in c)
    assert started["argv"][0] == "AWS_SSM_START_SESSION_RESPONSE" and json.loads(started["env"])["SessionId"]
    assert json.loads(started["argv"][4])["DocumentName"] == "AWS-StartPortForwardingSession"
    assert {"terminated": started["pid"]} in calls
    assert emulator.log.calls("TerminateSession") == [{"SessionId": forward.session.session_id}]
