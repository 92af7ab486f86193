"""Opening a URL in a browser, only where one can show it: never in the demo, never over SSH without a display.

`webbrowser` on a machine without a display falls back to text browsers (lynx, w3m) that would take over the
terminal ecstui is drawing on; so a browser is used only where a graphical one can exist: `$BROWSER` set,
macOS or Windows, or a local X11/Wayland display. Elsewhere the caller copies the URL instead.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Mapping


def browser_available(*, demo: bool, environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether opening a URL would show it in a browser the user can see."""
    if demo:
        return False
    env = os.environ if environ is None else environ
    if env.get("BROWSER"):
        return True
    has_display = bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    over_ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))
    if over_ssh:
        return has_display  # X forwarding: the browser opens on the user's screen
    system = sys.platform if platform is None else platform
    return system in ("darwin", "win32") or has_display


def open_url(url: str) -> bool:
    """Open `url` in the default browser (this may block while it starts: call it from a thread)."""
    return webbrowser.open(url, new=2)
