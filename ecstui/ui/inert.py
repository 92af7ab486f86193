"""The one door through which outside text (AWS answers, files, the editor, the config) reaches the screen.

Everything ecstui shows was written by someone else: a stop reason, an event, an image name, an env value. What
comes out of here is a `rich.text.Text` that can only be drawn as the characters it shows:
- no control character reaches the terminal: C0 and DEL become their Control Pictures (ESC is ``␛``, so an OSC 52
  clipboard write reads ``␛]52;c;…``), C1 and every other invisible or format character (bidi overrides,
  zero-width joiners, line separators, lone surrogates, unassigned code points) become ``⟨U+202E⟩``, so that no
  name can disguise itself as another;
- no markup is parsed: a `Text` is built from the plain string, never from a markup string, so ``[@click=…]``
  is the text ``[@click=…]``.

Screens never pass data as a str to anything that reads markup (Static, Table.add_row, notify): they pass what
this module returns. `tests/ui/test_inert_*` fail when a screen builds markup from data.
"""

from __future__ import annotations

import itertools
import re
from typing import Literal, Protocol

from rich.style import Style
from rich.text import Text

# Control Pictures (U+2400 block) for C0 and DEL: one cell wide, and what terminals' own "show controls" use.
_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_C0_PICTURES[0x7F] = "\u2421"  # ␡


def _picture(char: str, multiline: bool) -> str:
    code = ord(char)
    if multiline and char == "\n":
        return char
    if multiline and char == "\t":
        return "    "
    if code < 0x20 or code == 0x7F:
        return _C0_PICTURES[code]
    return f"⟨U+{code:04X}⟩"


def visible(value: object, *, multiline: bool = False) -> str:
    """`value` as a string that draws exactly what it holds: every character that is not printable is replaced
    by a visible stand-in (``multiline`` keeps line breaks and expands tabs, for blocks of text such as JSON)."""
    text = value if isinstance(value, str) else str(value)
    # str.isprintable is False for exactly what must not reach a terminal as itself: Cc, Cf, Cs, Co, Cn, Zl, Zp
    # and every space but ' '. Checked in C first: nearly every string from AWS is printable.
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _picture(char, multiline) for char in text)


# What `visible` puts in place of a character: a Control Picture or a ⟨U+XXXX⟩.
_STAND_IN = re.compile("[\u2400-\u2421]|⟨U\\+[0-9A-F]{4,6}⟩")


def shows_stand_ins(text: str) -> bool:
    """Whether `text` holds what `visible` draws in place of a character: a value shown through the door and
    then edited still holds them, and sending it would send the stand-ins instead of what AWS holds."""
    return _STAND_IN.search(text) is not None


def inert(value: object, style: str | Style = "", *, multiline: bool = False) -> Text:
    """Outside data as Text that is drawn as its characters and nothing else (None shows as '-')."""
    if value is None:
        return Text("-", style="dim")
    return Text(visible(value, multiline=multiline), style=style, end="")


def make_inert(text: Text, *, multiline: bool = True) -> Text:
    """A Text (built elsewhere, perhaps as ``Text(data)``) with the same styles and every unprintable character
    made visible: the widgets that draw data apply this, so a Text built carelessly is still safe."""
    plain = text.plain
    if plain.isprintable() or (multiline and visible(plain, multiline=True) == plain):
        return text
    # Style runs are cut at every span edge and each run is sanitised on its own, so that styles stay on their
    # characters although a stand-in is longer than the character it replaces.
    edges = sorted({0, len(plain), *(s.start for s in text.spans), *(s.end for s in text.spans)})
    result = Text(style=text.style, justify=text.justify, no_wrap=text.no_wrap, overflow=text.overflow, end=text.end)
    for start, end in itertools.pairwise(edges):
        at = len(result)
        result.append(visible(plain[start:end], multiline=multiline))
        for span in text.spans:
            if span.start <= start and span.end >= end:
                result.stylize(span.style, at, len(result))
    return result


Severity = Literal["information", "warning", "error"]


class Notifier(Protocol):
    """What shows a notification (Textual's App and every widget): named here so this module needs no Textual."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Severity = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...


def notify_inert(
    where: Notifier,
    message: object,
    *,
    title: str = "",
    severity: Severity = "information",
    timeout: float | None = None,
) -> None:
    """A notification whose text is drawn as its characters: Textual reads a notification as markup unless told
    not to, and a message about a resource carries its name. Every notification of the UI goes through here."""
    where.notify(
        visible(message, multiline=True),
        title=visible(title),
        severity=severity,
        timeout=timeout,
        markup=False,
    )


__all__ = ["Notifier", "Severity", "inert", "make_inert", "notify_inert", "shows_stand_ins", "visible"]
