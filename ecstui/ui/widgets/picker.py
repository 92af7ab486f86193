"""Pick one or several of the account's resources (subnets, security groups, roles, target groups…) by typing.

Every ID a form sends is chosen from what the account holds, never retyped from another screen: the user types a
few letters of a name, an AZ, a CIDR or an ID, the list narrows, enter picks. Pasting stays possible: an ID (or a
comma- or space-separated list of IDs) that matches the picker's `accept_typed` pattern is taken as it is on
enter, even when the list does not hold it (an ID the user may read, but not list, through IAM).

One focus point does it all, so a dialog stays a column of fields moved through with tab:
- typing filters (every word must appear in the ID, the label or the detail, in any case);
- up/down (and page up/down) move the highlight in the list below;
- enter picks the highlighted choice (toggles it in a multiple picker) or takes the pasted IDs;
- the line under the list says what is chosen, or that the list is loading, or why it could not be read.

Enter in a picker never confirms the dialog it is in (the dialog's ctrl+s does). Labels and details come from
AWS and are drawn through the text door.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ecstui.ui.inert import inert

_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Choice:
    """One thing the account holds: `id` is what is sent to AWS, `label` and `detail` what the user reads."""

    id: str
    label: str = ""
    detail: str = ""

    def matches(self, words: Sequence[str]) -> bool:
        haystack = f"{self.id} {self.label} {self.detail}".casefold()
        return all(word in haystack for word in words)


class Picker(Vertical, can_focus=False):
    """A filter input over a list of choices, choosing one (`multiple=False`) or several."""

    # One line per choice, cut at the edge: a wrapped choice made the list's height depend on its width, and the width
    # on whether the dialog's scrollbar had appeared yet (the list moved as the roles arrived). OptionList draws its
    # prompts as Content, which takes wrapping from these styles, not from the Rich Text's own no_wrap.
    DEFAULT_CSS = """
    Picker { height: auto; }
    Picker > Input { margin: 0; }
    Picker > OptionList {
        height: auto; max-height: 7; border: none; padding: 0; text-wrap: nowrap; text-overflow: ellipsis;
    }
    Picker > .picker-summary { height: auto; color: $text-muted; }
    Picker > .picker-summary.problem { color: $warning; }
    """

    BINDINGS = [
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("pagedown", "move(5)", "Page down", show=False),
        Binding("pageup", "move(-5)", "Page up", show=False),
    ]

    class Changed(Message):
        """The choice changed (by the user or by `select`)."""

        def __init__(self, picker: Picker, selected: tuple[str, ...]) -> None:
            super().__init__()
            self.picker = picker
            self.selected = selected

        @property
        def control(self) -> Picker:
            return self.picker

    def __init__(
        self,
        *,
        multiple: bool = False,
        what: str = "choice",
        placeholder: str | None = None,
        accept_typed: re.Pattern[str] | None = None,
        show_ids: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.multiple = multiple
        # False for choices whose ID is a long ARN that says nothing the label and detail do not (load balancers):
        # the list then shows one line a choice; the ID is still matched by typing and still what is sent.
        self.show_ids = show_ids
        self.what = what
        self.placeholder = placeholder or (
            f"type to filter the {what}s" + (", or paste IDs" if accept_typed is not None else "")
        )
        self.accept_typed = accept_typed
        self._choices: list[Choice] = []
        self._by_id: dict[str, Choice] = {}
        self._shown: list[Choice] = []
        self._selected: list[str] = []
        self._state: str | None = "loading…"  # loading, or why the list could not be read; None when read

    # -- composing ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder, id=self._part("filter"), classes="picker-filter")
        options = OptionList(id=self._part("options"))
        # The list is moved through from the filter (up/down); tab goes on to the next field, not into the list.
        options.can_focus = False
        yield options
        yield Static("", classes="picker-summary")

    def _part(self, name: str) -> str | None:
        return f"{self.id}-{name}" if self.id else None

    @property
    def filter(self) -> Input:
        return self.query_one(Input)

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    def on_mount(self) -> None:
        # The filter is the one focus point (up/down move the list from there): tab goes on to the next field.
        self.options.can_focus = False
        self._refill()

    def focus(self, scroll_visible: bool = True) -> Picker:
        self.filter.focus(scroll_visible)
        return self

    # -- what it holds -------------------------------------------------------------------------------
    @property
    def selected(self) -> tuple[str, ...]:
        return tuple(self._selected)

    @property
    def value(self) -> str | None:
        """The one chosen ID (the first of several), or None."""
        return self._selected[0] if self._selected else None

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(self._choices)

    def choice(self, id: str) -> Choice | None:
        return self._by_id.get(id)

    def show_loading(self, message: str = "loading…") -> None:
        self._state = message
        self._refill()

    def show_error(self, message: str) -> None:
        """The list could not be read: said under it; typed or pasted IDs are still taken."""
        self._state = message
        self._choices, self._by_id = [], {}
        self._refill()

    def set_choices(self, choices: Iterable[Choice], selected: Iterable[str] | None = None) -> None:
        """Fill the list. The choice made so far is kept (also an ID that is no longer listed: it was typed or
        picked, and dropping it silently would send something else); `selected` replaces it."""
        self._choices = list(choices)
        self._by_id = {c.id: c for c in self._choices}
        self._state = None
        if selected is not None:
            self._set_selected(list(selected), announce=True)
        self._refill()

    def select(self, ids: Iterable[str]) -> None:
        self._set_selected(list(ids), announce=True)
        self._refill()

    def clear(self) -> None:
        self.select(())

    def _set_selected(self, ids: list[str], *, announce: bool) -> None:
        unique = list(dict.fromkeys(i for i in ids if i))
        if not self.multiple:
            unique = unique[:1]
        if unique == self._selected:
            return
        self._selected = unique
        if announce:
            self.post_message(self.Changed(self, self.selected))

    # -- drawing ---------------------------------------------------------------------------------------
    def _words(self) -> list[str]:
        return [w for w in self.filter.value.casefold().split() if w] if self.is_mounted else []

    def _line(self, choice: Choice) -> Text:
        mark = (
            ("[x] " if self.multiple else "● ") if choice.id in self._selected else ("[ ] " if self.multiple else "  ")
        )
        line = Text(mark)
        line.append_text(inert(choice.label or choice.id, "bold"))
        if self.show_ids and choice.label and choice.label != choice.id:
            line.append_text(inert(f"  {choice.id}", "dim"))
        if choice.detail:
            line.append_text(inert(f"  {choice.detail}"))
        return line

    def _refill(self) -> None:
        if not self.is_mounted:
            return
        words = self._words()
        listed = [c for c in self._choices if c.matches(words)]
        # What was typed or pasted and is not listed is shown too, so that every chosen ID is on screen.
        typed = [Choice(i, i, "(typed)") for i in self._selected if i not in self._by_id]
        self._shown = [c for c in typed if c.matches(words)] + listed
        options = self.options
        highlighted = options.highlighted
        current = self._shown[highlighted].id if highlighted is not None and highlighted < len(self._shown) else None
        options.clear_options()
        options.add_options([Option(self._line(c)) for c in self._shown])
        if self._shown:
            ids = [c.id for c in self._shown]
            options.highlighted = ids.index(current) if current in ids else 0
        self._summarise(len(listed))

    def _summarise(self, listed: int) -> None:
        summary = self.query_one(".picker-summary", Static)
        summary.set_class(self._state is not None and self._state != "loading…", "problem")
        if self._state is not None:
            summary.update(inert(self._state))
            return
        total = len(self._choices)
        count = f"{listed} of {total} {self.what}s" if listed != total else f"{total} {self.what}s"
        if not total:
            count = f"no {self.what}s in the account" + (" (paste an ID)" if self.accept_typed else "")
        if self._selected:
            names = ", ".join(self._display_name(i) for i in self._selected)
            summary.update(inert(f"chosen: {names}  ·  {count}"))
        else:
            summary.update(inert(f"nothing chosen  ·  {count}"))

    def _display_name(self, id: str) -> str:
        choice = self._by_id.get(id)
        if choice is not None and choice.label and not self.show_ids:
            return choice.label
        return f"{choice.label} ({id})" if choice is not None and choice.label and choice.label != id else id

    # -- keys ------------------------------------------------------------------------------------------
    @on(Input.Changed, ".picker-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._refill()

    def action_move(self, by: int) -> None:
        options = self.options
        if not self._shown:
            return
        start = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self._shown) - 1, start + by))

    @on(Input.Submitted, ".picker-filter")
    def _enter(self, event: Input.Submitted) -> None:
        # Enter picks; it must not reach the dialog, whose own handler would confirm the form.
        event.stop()
        typed = self._typed_ids(event.value)
        if typed:
            self._take(typed)
            self.filter.value = ""
        elif self._shown and self.options.highlighted is not None:
            self._take([self._shown[self.options.highlighted].id])
        self._refill()

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._shown):
            self._take([self._shown[event.option_index].id])
            self._refill()

    def _typed_ids(self, text: str) -> list[str]:
        """IDs pasted or typed whole: taken when every word is one (a listed ID, or one matching the pattern)."""
        words = [w for w in _SEPARATORS.split(text.strip()) if w]
        if not words:
            return []
        if all(w in self._by_id or (self.accept_typed is not None and self.accept_typed.fullmatch(w)) for w in words):
            return words
        return []

    def _take(self, ids: list[str]) -> None:
        if not self.multiple:
            self._set_selected(ids[-1:], announce=True)
            return
        chosen = list(self._selected)
        if len(ids) == 1 and ids[0] in chosen:
            chosen.remove(ids[0])  # enter on a chosen one unchooses it
        else:
            chosen.extend(i for i in ids if i not in chosen)
        self._set_selected(chosen, announce=True)


__all__ = ["Choice", "Picker"]
