"""y / Y / U / J on the panes: what reaches the terminal (the exact OSC 52 bytes the app writes to its driver),
what the user reads, and that the keys act only where they were typed."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from textual.pilot import Pilot

from ecstui.aws.session import AwsTarget
from ecstui.ui import resource_keys
from ecstui.ui.app import EcsApp
from ecstui.ui.browser import browser_available
from ecstui.ui.clipboard import CLIPBOARD_WARN_BYTES, copy_value, shown_value
from ecstui.ui.screens.raw import RawScreen
from tests.ui.conftest import make_app, wait_loaded, wait_until

SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/prod/api"


def osc52(value: str) -> str:
    return "\x1b]52;c;" + base64.b64encode(value.encode()).decode() + "\x07"


def record_writes(app: EcsApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every string the app writes to its driver (the terminal) from now on."""
    written: list[str] = []
    driver: Any = app._driver
    original = driver.write

    def write(data: str) -> None:
        written.append(data)
        original(data)

    monkeypatch.setattr(driver, "write", write)
    return written


async def on_service(pilot: Pilot[None], name: str) -> None:
    await wait_loaded(pilot)
    screen: Any = pilot.app.screen
    key = next(key for key, service in screen.items.items() if service.name == name)
    screen.table.select_key(key)
    await pilot.pause()


def messages(app: EcsApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_y_writes_the_arn_as_osc_52_and_says_it_in_one_line(
    shared_demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await on_service(pilot, "api")
        written = record_writes(app, monkeypatch)
        await pilot.press("y")
        assert osc52(SERVICE_ARN) in written
        assert f"Copied the ARN of service api: {SERVICE_ARN}" in messages(app)


async def test_Y_copies_the_name_and_a_task_its_id(
    shared_demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(shared_demo_account, cluster="prod", service="api")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        screen: Any = app.screen
        task = screen.selected
        written = record_writes(app, monkeypatch)
        await pilot.press("Y")
        assert written == [osc52(task.id)]
        await pilot.press("y")
        assert written[-1] == osc52(task.arn)
        assert f"Copied the ID of task {task.id}: {task.id}" in messages(app)


API_URL = "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/api/health?region=us-east-1"


@pytest.mark.parametrize(("demo", "opens"), [(True, False), (False, True)], ids=["demo copies only", "browser"])
async def test_U_copies_the_console_url_and_opens_it_only_where_a_browser_exists(
    shared_demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch, demo: bool, opens: bool
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(resource_keys, "open_url", lambda url: opened.append(url) or True)
    monkeypatch.setenv("BROWSER", "firefox")
    app = make_app(shared_demo_account, cluster="prod", demo=demo)
    async with app.run_test(size=(160, 45)) as pilot:
        await on_service(pilot, "api")
        written = record_writes(app, monkeypatch)
        await pilot.press("U")
        assert written == [osc52(API_URL)]  # copied either way
        if opens:
            await wait_until(pilot, lambda: bool(opened))
        assert opened == ([API_URL] if opens else [])


async def test_J_opens_the_raw_view_of_the_selected_resource(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        await on_service(pilot, "api")
        await pilot.press("J")
        await wait_until(pilot, lambda: isinstance(app.screen, RawScreen) and app.screen.data is not None)
        screen = app.screen
        assert isinstance(screen, RawScreen)
        assert (screen.ref.kind, screen.ref.arn) == ("service", SERVICE_ARN)
        assert screen.data["serviceArn"] == SERVICE_ARN


async def test_every_pane_with_a_resource_copies_its_arn(
    shared_demo_account: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        written = record_writes(app, monkeypatch)
        for jump, kind in [
            ("clusters", "cluster"),
            ("taskdefs", "task-definition-family"),
            ("targets", "target-group"),
        ]:
            await pilot.press("colon", *jump, "enter")
            await wait_loaded(pilot)
            await wait_until(pilot, lambda: getattr(app.screen, "selected", None) is not None)
            ref = app.screen.selected_ref()  # type: ignore[attr-defined]
            assert ref is not None and ref.kind == kind
            await pilot.press("y" if ref.arn else "Y")
            assert written[-1] == osc52(ref.arn or ref.name)


async def test_a_value_too_big_for_most_terminals_is_copied_with_a_warning(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(160, 45)) as pilot:
        copy_value(app, "x" * (CLIPBOARD_WARN_BYTES + 1), "the JSON")
        await pilot.pause()
        warning = list(app._notifications)[-1]
        assert warning.severity == "warning" and "may not have arrived" in warning.message
        assert app.clipboard == "x" * (CLIPBOARD_WARN_BYTES + 1)


def test_the_value_said_on_screen_is_one_inert_line() -> None:
    assert shown_value("a\x1b]52;c;SE9T\x07\nb") == "a␛]52;c;SE9T␇ b"
    assert len(shown_value("x" * 500)) == 120


@pytest.mark.parametrize(
    ("demo", "environ", "platform", "expected"),
    [
        (True, {"BROWSER": "firefox"}, "linux", False),  # never in the demo
        (False, {"BROWSER": "firefox"}, "linux", True),
        (False, {"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, "darwin", False),  # over SSH, no display
        (False, {"SSH_TTY": "/dev/pts/1", "DISPLAY": "localhost:10.0"}, "linux", True),  # X forwarding
        (False, {}, "linux", False),  # a console: webbrowser would start lynx in this terminal
        (False, {"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        (False, {}, "darwin", True),
    ],
)
def test_a_browser_only_where_one_can_be_seen(
    demo: bool, environ: dict[str, str], platform: str, expected: bool
) -> None:
    assert browser_available(demo=demo, environ=environ, platform=platform) is expected


def test_every_pane_with_the_keys_keeps_the_css_of_its_own_base() -> None:
    # Textual follows a class's first base for CSS: ResourceKeys first would drop ListScreen's or DetailScreen's.
    from ecstui.ui.resource_keys import ResourceKeys
    from ecstui.ui.screens.base import ListScreen
    from ecstui.ui.screens.detail import DetailScreen

    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        for sub in list(found):
            found |= subclasses(sub)
        return found

    import ecstui.ui.app  # noqa: F401  (imports every screen)

    panes = subclasses(ResourceKeys)
    assert len(panes) >= 10
    for pane in panes:
        names = set(pane._css_type_names)
        assert {"ListScreen", "DetailScreen"} & names, f"{pane.__name__} lost its base's CSS: {sorted(names)}"
        assert issubclass(pane, ListScreen | DetailScreen)
