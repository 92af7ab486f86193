"""The footer shows the view's own keys first, the keys every view has after them, and `? more` when cut."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from ecstui.aws.session import AwsTarget
from ecstui.ui.app import EcsApp
from ecstui.ui.screens.services import ServicesScreen
from tests.ui.conftest import make_app, wait_loaded, wait_until

SERVICES_OWN = ["Open", "Scale", "Restart", "Update", "Delete", "Task definition", "View", "Auto scaling", "Logs"]
GENERIC = ["Refresh", "Back", "Filter", "Quit", "Keys", "Jump", "Problems"]


def footer_keys(app: EcsApp) -> list[FooterKey]:
    return [key for key in app.screen.query(FooterKey) if not key.has_class("-command-palette")]


@asynccontextmanager
async def services_of_prod(account: AwsTarget, size: tuple[int, int]) -> AsyncIterator[Pilot[None]]:
    """The services pane of the demo's prod cluster, its footer composed."""
    async with make_app(account).run_test(size=size) as pilot:
        await _open_prod(pilot)
        yield pilot


async def _open_prod(pilot: Pilot[None]) -> None:
    await wait_loaded(pilot)
    app = pilot.app
    assert isinstance(app, EcsApp)
    app.screen.table.select_key(next(k for k, c in app.screen.items.items() if c.name == "prod"))
    await pilot.press("enter")
    await wait_loaded(pilot)
    assert isinstance(app.screen, ServicesScreen)
    await wait_until(pilot, lambda: bool(footer_keys(app)))
    await pilot.pause()


def said(app: EcsApp) -> list[str]:
    return [key.description for key in footer_keys(app)]


async def test_at_80_columns_the_views_own_keys_come_first_and_more_ends_the_line(
    shared_demo_account: AwsTarget,
) -> None:
    async with services_of_prod(shared_demo_account, (80, 24)) as pilot:
        app = cast(EcsApp, pilot.app)
        keys = footer_keys(app)
        descriptions = [key.description for key in keys]
        assert descriptions[-1] == "more" and keys[-1].key == "question_mark"
        shown = descriptions[:-1]
        assert len(shown) >= 4
        assert shown == SERVICES_OWN[: len(shown)]  # the view's keys, in the order it declares them
        assert not set(shown) & set(GENERIC)
        palette = next(key for key in app.screen.query(FooterKey) if key.has_class("-command-palette"))
        assert keys[-1].region.right <= palette.region.x  # nothing cut or hidden under the palette key


async def test_a_wide_terminal_shows_every_key_and_a_narrower_one_cuts_the_generic_keys_first(
    shared_demo_account: AwsTarget,
) -> None:
    async with services_of_prod(shared_demo_account, (200, 45)) as pilot:
        app = cast(EcsApp, pilot.app)
        assert said(app) == SERVICES_OWN + GENERIC
        await pilot.resize_terminal(160, 45)
        await wait_until(pilot, lambda: said(app)[-1:] == ["more"])
        assert said(app)[: len(SERVICES_OWN)] == SERVICES_OWN
        generic = said(app)[len(SERVICES_OWN) : -1]
        assert generic and generic == GENERIC[: len(generic)]
