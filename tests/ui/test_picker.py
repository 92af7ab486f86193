"""The picker: typing narrows the list, enter picks (never confirms the dialog), pasted IDs are taken whole."""

from __future__ import annotations

import re

from textual.app import App, ComposeResult
from textual.widgets import Input

from ecstui.ui.widgets.picker import Choice, Picker

SUBNETS = [
    Choice(f"subnet-{n:04x}", f"app-{'public' if n % 2 else 'private'}-{n}", f"us-east-1{'abc'[n % 3]} 10.0.{n}.0/24")
    for n in range(120)
]


class PickerApp(App[None]):
    def __init__(self, *, multiple: bool) -> None:
        super().__init__()
        self.multiple = multiple
        self.submitted: list[str] = []
        self.changes: list[tuple[str, ...]] = []

    def compose(self) -> ComposeResult:
        yield Picker(multiple=self.multiple, what="subnet", accept_typed=re.compile(r"subnet-[0-9a-f]{4,17}"), id="p")
        yield Input(id="after")

    def on_mount(self) -> None:
        self.query_one(Picker).set_choices(SUBNETS)
        self.query_one(Picker).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.submitted.append(event.value)

    def on_picker_changed(self, event: Picker.Changed) -> None:
        self.changes.append(event.selected)


async def test_typing_narrows_and_enter_picks_without_submitting() -> None:
    app = PickerApp(multiple=False)
    async with app.run_test() as pilot:
        picker = app.query_one(Picker)
        await pilot.press(*"public us-east-1b")
        await pilot.pause()
        shown = [c.id for c in picker._shown]
        assert shown and all("public" in c.label and "1b" in c.detail for c in picker._shown)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert picker.value == shown[1]
        assert app.changes == [(shown[1],)]
        assert app.submitted == []  # enter picked; it did not reach the form


async def test_multiple_toggles_and_takes_pasted_ids() -> None:
    app = PickerApp(multiple=True)
    async with app.run_test() as pilot:
        picker = app.query_one(Picker)
        await pilot.press(*"subnet-0005", "enter")
        picker.filter.value = ""
        await pilot.press(*"subnet-0006", "enter")
        assert picker.selected == ("subnet-0005", "subnet-0006")
        await pilot.press(*"subnet-0005", "enter")  # enter on a chosen one unchooses it
        assert picker.selected == ("subnet-0006",)
        picker.filter.value = ""
        await pilot.press(*"subnet-0050, subnet-ffff1", "enter")  # pasted: one listed, one not listed
        assert picker.selected == ("subnet-0006", "subnet-0050", "subnet-ffff1")
        assert picker.filter.value == ""
        assert picker._shown[0] == Choice("subnet-ffff1", "subnet-ffff1", "(typed)")


async def test_words_that_are_not_ids_are_not_taken() -> None:
    app = PickerApp(multiple=True)
    async with app.run_test() as pilot:
        picker = app.query_one(Picker)
        await pilot.press(*"subnet-zzzz", "enter")
        assert picker.selected == ()
        picker.show_error("Reading the subnets failed: AccessDenied.")
        await pilot.pause()
        assert "AccessDenied" in str(picker.query_one(".picker-summary").render())


async def test_tab_leaves_the_picker_in_one_stop() -> None:
    app = PickerApp(multiple=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("tab")  # from the filter straight to the next field: the list is not a second stop
        assert app.focused is app.query_one("#after", Input)
