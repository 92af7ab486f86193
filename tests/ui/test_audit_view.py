""":audit lists every change newest first, filters like any pane, and undoes a scale — checked at moto."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.screen import ModalScreen

from ecstui.aws.audit import AuditEntry, AuditLog
from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.screens.audit import AuditScreen
from ecstui.ui.screens.jump import resolve_jump
from tests.conftest import boto_client
from tests.ui.conftest import make_app, wait_loaded, wait_until


def seeded_log(path: Path) -> AuditLog:
    log = AuditLog(path)
    common = {"profile": "default", "region": "us-east-1"}
    log.append(
        AuditEntry(
            time=datetime(2026, 11, 26, 11, 50, tzinfo=UTC),
            action="create_cluster",
            target="payments",
            parameters={"clusterName": "payments"},
            **common,
        )
    )
    log.append(
        AuditEntry(
            time=datetime(2026, 11, 26, 11, 55, tzinfo=UTC),
            action="delete_service",
            target="prod/web",
            parameters={"cluster": "prod", "service": "web"},
            before={"desiredCount": 10},
            result="Service web still wants 10 tasks: scale it to 0 before deleting it.",
            **common,
        )
    )
    return log


async def open_audit(pilot: Any) -> AuditScreen:
    await wait_loaded(pilot)
    await pilot.press("colon", *"audit", "enter")
    await wait_loaded(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AuditScreen)
    return screen


def cells(screen: AuditScreen, row: int) -> list[Any]:
    """A row's cells as the table holds them: Text (str() of one is what it reads)."""
    return list(screen.table.get_row_at(row))


def mutations(emulator: EmulatorServer) -> int:
    return sum(emulator.log.counts[op] for op in ("UpdateService", "DeleteService", "CreateService"))


def test_audit_is_a_jump_target() -> None:
    assert resolve_jump(":audit") == "audit"


async def test_audit_lists_entries_newest_first_with_failures_in_red(demo_account: AwsTarget, tmp_path: Path) -> None:
    seeded_log(tmp_path / "audit.jsonl")
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await open_audit(pilot)
        assert screen.table.row_count == 2
        newest = cells(screen, 0)
        assert str(newest[0]) == "2026-11-26 11:55:00.000"
        assert newest[3].plain == "delete_service" and "red" in str(newest[3].style)
        assert "scale it to 0" in newest[5].plain and "red" in str(newest[5].style)
        assert str(newest[6]) == "desiredCount=10"
        oldest = cells(screen, 1)
        assert (oldest[3].plain, str(oldest[4]), oldest[5].plain, str(oldest[7])) == (
            "create_cluster",
            "payments",
            "ok",
            "clusterName=payments",
        )
        await pilot.press("slash", *"payments", "enter")
        assert screen.table.shown_count == 1
        assert str(cells(screen, 0)[4]) == "payments"


async def test_undo_restores_the_desired_count_a_scale_replaced(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    ecs = boto_client(emulator, "ecs")
    before = ecs.describe_services(cluster="prod", services=["web"])["services"][0]["desiredCount"]
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await app.actions.scale_service("prod", "web", before + 2)
        assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["desiredCount"] == before + 2
        screen = await open_audit(pilot)
        assert cells(screen, 0)[3].plain == "scale_service"
        emulator.log.clear()
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert f"back to {before} desired tasks" in dialog.question
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
        await wait_until(pilot, lambda: screen.table.row_count == 2)
        assert cells(screen, 0)[3].plain == "undo_scale"
    assert emulator.log.counts["UpdateService"] == 1
    assert emulator.log.calls("UpdateService")[0]["desiredCount"] == before
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["desiredCount"] == before
    undo, scale = AuditLog(tmp_path / "audit.jsonl").entries()
    assert (undo.action, undo.ok, undo.before) == ("undo_scale", True, {"desiredCount": before + 2})
    assert undo.parameters["undoes"] == scale.time.isoformat()


def desired_of(emulator: EmulatorServer, service: str = "web") -> int:
    count: int = boto_client(emulator, "ecs").describe_services(cluster="prod", services=[service])["services"][0][
        "desiredCount"
    ]
    return count


async def test_undo_after_someone_else_scaled_says_so_and_sends_only_when_confirmed(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    before = desired_of(emulator)
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await app.actions.scale_service("prod", "web", before + 2)
        # Someone else, not through ecstui.
        boto_client(emulator, "ecs").update_service(cluster="prod", service="web", desiredCount=6)
        screen = await open_audit(pilot)
        emulator.log.clear()
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert emulator.log.counts["DescribeServices"] >= 1  # it looked before offering
        assert f"scaled from {before} to {before + 2}" in dialog.question
        assert "scaled to 6 since, by someone else" in dialog.question
        assert dialog.confirm_label == f"Scale 6 → {before}"
        assert mutations(emulator) == 0
        await pilot.press("escape")  # not now: nothing is sent
        await wait_until(pilot, lambda: app.screen is screen)
        assert mutations(emulator) == 0 and desired_of(emulator) == 6
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")  # the operator chose, knowing it is at 6
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
    assert emulator.log.calls("UpdateService") == [{"cluster": "prod", "service": "web", "desiredCount": before}]
    assert desired_of(emulator) == before


async def test_undo_sends_nothing_when_the_count_changes_after_the_question_was_asked(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    before = desired_of(emulator)
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await app.actions.scale_service("prod", "web", before + 2)
        await open_audit(pilot)
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert f"back to {before} desired tasks" in dialog.question
        boto_client(emulator, "ecs").update_service(cluster="prod", service="web", desiredCount=6)
        emulator.log.clear()
        await pilot.press("enter")
        await wait_until(pilot, lambda: "shown" in dialog.query_one("#dialog-error").classes)
        assert "scaled again meanwhile, by someone else" in str(dialog.query_one("#dialog-error").render())
        assert app.screen is dialog
    assert mutations(emulator) == 0
    assert desired_of(emulator) == 6


async def test_undo_of_anything_but_a_successful_scale_says_so_and_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    seeded_log(tmp_path / "audit.jsonl")
    app = make_app(demo_account, audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await open_audit(pilot)
        for row in (0, 1):
            screen.table.move_cursor(row=row)
            await pilot.press("u")
            await pilot.pause()
            assert app.screen is screen
        messages = [n.message for n in app._notifications]
        assert sum("Only a successful scale can be undone" in m for m in messages) == 2
        assert screen.palette_commands() == []
    assert mutations(emulator) == 0


async def test_undo_in_a_read_only_session_sends_nothing(
    demo_account: AwsTarget, emulator: EmulatorServer, tmp_path: Path
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record(
        profile="default",
        region="us-east-1",
        action="scale_service",
        target="prod/web",
        parameters={"cluster": "prod", "service": "web", "desiredCount": 12},
        before={"desiredCount": 10},
    )
    app = make_app(dataclasses.replace(demo_account, read_only=True), audit_path=str(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await open_audit(pilot)
        assert [c.title for c in screen.palette_commands()] == ["Undo scale of prod/web"]
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is screen
        assert any("Read-only session" in n.message for n in app._notifications)
    assert mutations(emulator) == 0
