"""`:region` and `:profile`: the console switches to another region or profile of the emulated account, or, when
the credentials cannot be used, stays where it is and says why."""

from __future__ import annotations

from pathlib import Path

from ecstui.aws.session import AwsTarget
from ecstui.ui.app import EcsApp
from ecstui.ui.dialogs.switch import ProfilePickerDialog, RegionPickerDialog
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.help import HelpScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.widgets.context_bar import ContextBar
from tests.aws_files import aws_files
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until

__all__ = ["aws_files"]


def cluster_names(app: EcsApp) -> set[str]:
    screen = app.screen
    assert isinstance(screen, ClustersScreen)
    return {cluster.name for cluster in screen.items.values()}


def top_bar(app: EcsApp) -> str:
    return text_of(app.screen.query_one(ContextBar).context)


async def test_region_switch_shows_the_other_regions_clusters(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        assert "eu-prod" not in cluster_names(app)
        assert "prod" in cluster_names(app)
        app.open_services("prod")  # deep in the old region: the switch goes back to the clusters pane
        await wait_loaded(pilot)
        await pilot.press("colon", *"region", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RegionPickerDialog))
        await pilot.press(*"eu-west-1", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.session.region == "eu-west-1")
        await wait_loaded(pilot)
        assert cluster_names(app) == {"eu-prod"}
        assert len(app.screen_stack) == 2 and not any(isinstance(s, ServicesScreen) for s in app.screen_stack)
        assert "region eu-west-1" in top_bar(app)
        assert app.context_cluster is None


async def test_an_expired_sso_profile_keeps_the_current_target(shared_demo_account: AwsTarget, aws_files: Path) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        session = app.session
        await pilot.press("colon", *"ctx", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerDialog))
        await pilot.press(*"sso-dev", "enter")
        sentence = "The SSO session of profile sso-dev has expired: run `aws sso login --profile sso-dev`."
        await wait_until(pilot, lambda: any(sentence in n.message for n in app._notifications))
        assert app.session is session and app.session.region == "us-east-1"
        assert isinstance(app.screen, ClustersScreen) and "prod" in cluster_names(app)


async def test_profile_switch_takes_the_profiles_region(shared_demo_account: AwsTarget, aws_files: Path) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        app.jump("profile")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerDialog))
        await pilot.press(*"keys-only", "enter")
        await wait_until(pilot, lambda: app.session.profile_in_use == "keys-only")
        await wait_loaded(pilot)
        assert app.session.region == "eu-west-1"
        assert cluster_names(app) == {"eu-prod"}
        assert "profile keys-only" in top_bar(app)


async def test_the_top_bar_names_the_account(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, read_account=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        bar = app.screen.query_one(ContextBar)
        await wait_until(pilot, lambda: "account 123456789012" in str(bar.render()))


async def test_a_production_profile_glob_turns_the_bar_red(shared_demo_account: AwsTarget, aws_files: Path) -> None:
    app = make_app(shared_demo_account, production_profiles=("prod-*", "k*-only"))
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        assert not app.production
        app.jump("profile")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilePickerDialog))
        await pilot.press(*"keys-only", "enter")
        await wait_until(pilot, lambda: app.session.profile_in_use == "keys-only")
        await wait_loaded(pilot)
        assert app.production and app.needs_typed_confirmation
        assert app.screen.query_one(ContextBar).has_class("production")


async def test_help_lists_the_switches(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = [key for key, _, _ in app.screen.rows]
        assert ":profile" in keys and ":region" in keys


async def test_the_palette_offers_both_switches(shared_demo_account: AwsTarget) -> None:
    from ecstui.ui.commands import ViewCommands

    app = make_app(shared_demo_account)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot)
        titles = {command.title: command for command in ViewCommands(app.screen)._commands()}
        assert "Switch profile" in titles and "Switch region" in titles
        titles["Switch region"].run()
        await wait_until(pilot, lambda: isinstance(app.screen, RegionPickerDialog))
