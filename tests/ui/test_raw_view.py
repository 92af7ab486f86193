"""The raw view (J): the whole API object as highlighted JSON, searched with / n N, copied with y, secret-named
environment values masked, and hostile strings in it drawn as text."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from ecstui.aws.resource_ref import ResourceRef
from ecstui.aws.session import AwsTarget
from ecstui.emulator.hostile import CLICK, FAMILY, MARKUP
from ecstui.ui.app import EcsApp
from ecstui.ui.screens.raw import RawScreen
from ecstui.ui.secrets import MASK
from tests.ui.conftest import make_app, wait_loaded, wait_until
from tests.ui.hostile import hostile_account

__all__ = ["hostile_account"]

REGION = "us-east-1"
SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/prod/api"


async def open_raw(pilot: Pilot[None], ref: ResourceRef) -> RawScreen:
    app = pilot.app
    await wait_loaded(pilot)
    screen = RawScreen(ref)
    await app.push_screen(screen)
    await wait_until(pilot, lambda: screen.updated_at is not None or screen.query_one("#pane-error").has_class("shown"))
    return screen


def body(screen: RawScreen) -> Text:
    assert isinstance(screen.body, Text)
    return screen.body


def title(screen: RawScreen) -> str:
    return screen._title().plain


def service_api() -> ResourceRef:
    return ResourceRef("service", SERVICE_ARN, "api", REGION, cluster="prod")


async def test_search_goes_from_match_to_match_and_round(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_raw(pilot, service_api())
        await pilot.press("slash", *"fargate", "enter")
        assert len(screen.matches) == 4  # both strategy items, in the service and in its deployment
        assert all("fargate" in screen.lines[n].lower() for n in screen.matches)
        assert "search: fargate (1/4)" in title(screen)
        await pilot.press("n")
        assert "(2/4)" in title(screen)
        await pilot.press("N", "N")
        assert "(4/4)" in title(screen)
        await pilot.press("n")
        assert "(1/4)" in title(screen)
        # The current match is highlighted apart from the others.
        styles = {str(span.style) for span in body(screen).spans}
        assert {"black on yellow", "black on bright_magenta"} <= styles


async def test_a_term_found_nowhere_says_so(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_raw(pilot, service_api())
        await pilot.press("slash", *"zzzz", "enter")
        assert screen.matches == [] and "no match" in title(screen)


async def test_y_copies_the_whole_object(shared_demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await open_raw(pilot, service_api())
        written: list[str] = []
        monkeypatch.setattr(app._driver, "write", written.append)
        await pilot.press("y")
        (sequence,) = written
        assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\x07")
        copied = json.loads(base64.b64decode(sequence[len("\x1b]52;c;") : -1]))
        assert copied["serviceArn"] == SERVICE_ARN


async def test_secret_named_values_are_masked_until_asked_for(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod", secret_env_pattern="LOG_LEVEL")
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_raw(pilot, ResourceRef("task-definition-family", "", "api", REGION))
        level = [n for n, line in enumerate(screen.lines) if '"LOG_LEVEL"' in line]
        assert level and MASK in screen.lines[level[0] + 1]
        assert '"info"' not in "\n".join(screen.lines)
        await pilot.press("y")
        assert '"info"' not in app.clipboard
        await pilot.press("ctrl+t")
        assert '"value": "info"' in "\n".join(screen.lines)


async def test_what_is_gone_says_so(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        gone = ResourceRef("service", SERVICE_ARN.replace("/api", "/gone"), "gone", REGION, cluster="prod")
        screen = await open_raw(pilot, gone)
        assert body(screen).plain.startswith("Not found")


async def test_a_failed_read_degrades_the_pane_with_a_sentence() -> None:
    app = make_app(AwsTarget(region=REGION, endpoint_url="http://127.0.0.1:1"), cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        screen = RawScreen(service_api())
        await app.push_screen(screen)
        banner = screen.query_one("#pane-error", Static)
        await wait_until(pilot, lambda: banner.has_class("shown"), limit=60)
        assert "Retrying" in str(banner.render())


async def test_hostile_strings_in_the_json_stay_text(hostile_account: AwsTarget) -> None:
    app: EcsApp = make_app(hostile_account)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_raw(pilot, ResourceRef("task-definition-family", "", FAMILY, REGION))
        text = body(screen)
        assert CLICK in text.plain and MARKUP in text.plain  # shown literally, not read as markup
        assert "\\u001b]52;c;SE9TVElMRQ==\\u0007" in text.plain  # JSON's own escape of the OSC 52 in the data
        assert "⟨U+202E⟩txt.exe⟨U+200B⟩" in text.plain  # the bidi override and zero-width space made visible
        assert text.plain.isprintable() or all(ch.isprintable() or ch == "\n" for ch in text.plain)
        styles: list[Any] = [span.style for span in text.spans]
        assert not any(getattr(style, "link", None) or getattr(style, "meta", None) for style in styles)
