"""Copying to the user's clipboard through the terminal (OSC 52), so that it works over SSH and inside tmux.

Textual's `App.copy_to_clipboard` writes ``ESC ] 52 ; c ; <base64> BEL`` through the app's driver: the terminal
the user sits at puts it on their clipboard, however many SSH hops away ecstui runs. Inside tmux the sequence
reaches the outer terminal when tmux's `set-clipboard` is on (its default, `external`, passes it on). Terminals
that refuse OSC 52 say nothing, so the copied value is also said on screen, in one line, where the user can
select it by hand.
"""

from __future__ import annotations

from textual.app import App

from ecstui.ui.inert import notify_inert, visible

# Many terminals drop an OSC 52 write above ~100 KB (xterm's default, tmux's buffer limits): warn beyond it.
CLIPBOARD_WARN_BYTES = 100_000
# How much of a copied value the confirmation shows: one line of a wide terminal.
SHOWN_CHARS = 120


def shown_value(value: str) -> str:
    """The value as the confirmation shows it: one line, every unprintable character made visible, shortened."""
    line = visible(value.replace("\n", " "))
    return line if len(line) <= SHOWN_CHARS else line[: SHOWN_CHARS - 1] + "…"


def copy_value(app: App[object], value: str, what: str, *, say_value: bool = True) -> None:
    """Put `value` on the clipboard and say so in one line with the value itself (`what` names it: "the ARN of
    service web"); a block of text (`say_value=False`) is said by its size instead."""
    app.copy_to_clipboard(value)
    size = len(value.encode("utf-8"))
    if size > CLIPBOARD_WARN_BYTES:
        notify_inert(
            app,
            f"Copied {what} ({size:,} bytes): many terminals refuse clipboard writes above "
            f"{CLIPBOARD_WARN_BYTES // 1000} KB, so it may not have arrived.",
            severity="warning",
            timeout=6,
        )
        return
    if say_value:
        notify_inert(app, f"Copied {what}: {shown_value(value)}", timeout=6)
    else:
        lines = value.count("\n") + 1
        notify_inert(app, f"Copied {what} ({lines:,} line{'s' if lines != 1 else ''}).", timeout=4)
