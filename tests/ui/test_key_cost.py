"""What a key costs in a big form: the footer is not rebuilt unless what it shows changed, and the key gate waits
only on the widgets that still have work, not on every widget of the screen.

Over SSH on a small machine, each key in the task-definition form (a hundred widgets and more) had cost a rebuilt
footer (a dozen keys mounted and styled) and a callback queued on every widget, round after round until the
screen settled: tens of thousands of messages to fill one form in. Counted here, not timed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from ecstui.aws.session import AwsTarget
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.task_definition_form import TaskDefinitionFormDialog
from ecstui.ui.key_order import KeyGate
from ecstui.ui.widgets.footer import KeyFooter
from ecstui.ui.widgets.picker import Picker
from tests.ui.conftest import make_app, wait_loaded, wait_until

TABS = 6


async def open_form(pilot: Pilot[None]) -> TaskDefinitionFormDialog:
    app = pilot.app
    assert isinstance(app, EcsApp)
    await wait_loaded(pilot)
    app.open_task_definitions()
    await wait_until(pilot, lambda: type(app.screen).__name__ == "FamiliesScreen")
    await wait_loaded(pilot)
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, TaskDefinitionFormDialog), 30)
    form = app.screen
    assert isinstance(form, TaskDefinitionFormDialog)
    await wait_until(pilot, lambda: all(p._state is None for p in form.query(Picker)), 30)
    await pilot.pause(0.2)
    return form


@dataclass
class GateTurns:
    rounds: int = 0  # rounds of giving the screen's widgets a turn, over every key
    callbacks: int = 0  # turns queued, one per widget asked


@pytest.fixture
def gate_turns(monkeypatch: pytest.MonkeyPatch) -> Iterator[GateTurns]:
    """How many rounds the key gate waited, and how many widgets it queued a turn on in all."""
    turns = GateTurns()
    call_later, settle = MessagePump.call_later, KeyGate._settle

    def counting_call_later(self: MessagePump, callback: Any, *args: Any, **kwargs: Any) -> bool:
        if getattr(callback, "__name__", "") == "one_done":
            turns.callbacks += 1
        return call_later(self, callback, *args, **kwargs)

    def counting_settle(self: KeyGate, *args: Any) -> None:
        turns.rounds += 1
        settle(self, *args)

    monkeypatch.setattr(MessagePump, "call_later", counting_call_later)
    monkeypatch.setattr(KeyGate, "_settle", counting_settle)
    yield turns


async def test_a_bindings_update_that_changes_no_key_leaves_the_footer_as_it_is(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        footer = app.screen.query_one(KeyFooter)
        await wait_until(pilot, lambda: bool(footer.query(FooterKey)))
        await pilot.pause(0.2)
        keys_before = list(footer.query(FooterKey))
        # What Textual does at every change of focus or of a binding's state: the footer is told to look again.
        app.screen.refresh_bindings()
        await pilot.press("j", "j", "k")
        await pilot.pause(0.2)
        assert list(footer.query(FooterKey)) == keys_before  # the same widgets: nothing rebuilt
        # A change in what it shows still rebuilds it (the keys of the filter box).
        await pilot.press("slash")
        await wait_until(pilot, lambda: list(footer.query(FooterKey)) != keys_before)


async def test_tab_through_a_big_form_asks_few_widgets_for_a_turn(
    shared_demo_account: AwsTarget, gate_turns: GateTurns
) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await open_form(pilot)
        widgets = len(list(form.walk_children(Widget)))
        assert widgets > 100  # the form this is about
        focused = []
        gate_turns.rounds = gate_turns.callbacks = 0
        for _ in range(TABS):
            await pilot.press("tab")
            focused.append(app.focused)
        await pilot.pause(0.2)
        assert len(set(map(id, focused))) == TABS  # focus did move, six times
        # Each round asks the handful of widgets still at work, not each of the form's widgets. (How many rounds
        # a key takes depends on the machine's load; what one round asks does not.)
        assert gate_turns.rounds >= TABS
        assert gate_turns.callbacks / gate_turns.rounds < 15, (gate_turns.callbacks, gate_turns.rounds)
