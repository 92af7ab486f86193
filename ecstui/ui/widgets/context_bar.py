"""The top line: which account, region and endpoint this console is pointed at, its safety mode, and whether
AWS is throttling it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.cells import cell_len
from rich.text import Text

from ecstui.ui.widgets.one_line import OneLine

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp


class ContextBar(OneLine):
    DEFAULT_CSS = """
    ContextBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    ContextBar.production { background: $error; color: $text; text-style: bold; }
    """

    def __init__(
        self,
        *,
        profile: str,
        region: str,
        endpoint: str | None,
        read_only: bool,
        production: bool,
        demo: bool,
    ) -> None:
        text = Text()
        text.append("ecstui", style="bold")
        text.append(f"  profile {profile}", style="")
        text.append(f"  region {region}")
        if demo:
            text.append("  DEMO (embedded AWS)", style="bold cyan")
        elif endpoint:
            text.append(f"  endpoint {endpoint}", style="cyan")
        if production:
            text.append("  PRODUCTION", style="bold reverse")
        if read_only:
            text.append("  READ-ONLY", style="bold yellow")
        self.context = text
        super().__init__(text, classes="production" if production else "")

    def on_mount(self) -> None:
        self.show_pressure()  # the badge from the first frame: a pane opened later shows what is known already
        self.set_interval(1.0, self.show_pressure, name="throttle status")

    def on_resize(self) -> None:
        self.show_pressure()  # the sentence or its short form, for the new width

    def show_pressure(self) -> None:
        """Say so while ecstui is backing off because AWS throttled it; what the region's triage found; the account."""
        app = cast("EcsApp", self.app)
        line = app.session.limiter.status_line()
        text = self.context.copy()
        # After the safety marks (DEMO, PRODUCTION, READ-ONLY), which an 80-column bar must not cut off; the
        # problem count before the account, which the user can act on.
        badge = app.triage_badge.text()
        if badge is not None:
            text.append("  ")
            text.append_text(badge)
        # Read in the background (AppOptions.read_account), shown once known.
        account = app.account_label()
        if account:
            text.append(f"  {account}")
        if line:
            # At 80 columns the sentence was cut to "⚠ AWS": a short form that fits says where the rest is.
            room = self.size.width - 2 - text.cell_len if self.size.width else None
            forms = [f"  ⚠ {line}", "  ⚠ AWS throttling: see :stats", "  ⚠ throttled"]
            said = next((form for form in forms if room is None or cell_len(form) <= room), forms[-1])
            text.append(said, style="bold yellow")
        self.show(text)
