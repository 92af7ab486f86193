"""The top line: which account, region and endpoint this console is pointed at, and its safety mode."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class ContextBar(Static):
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
        super().__init__(text, classes="production" if production else "")
