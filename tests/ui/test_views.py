"""Filter, jump, help and the other panes, driven with the keyboard as a user would."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from ecstui.aws.session import AwsTarget
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.help import HelpScreen
from ecstui.ui.screens.instances import InstancesScreen
from ecstui.ui.screens.jump import JumpScreen, resolve_jump
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.task_definition_detail import TaskDefinitionScreen
from ecstui.ui.screens.task_definitions import FamiliesScreen, RevisionsScreen
from ecstui.ui.screens.tasks import TasksScreen
from tests.ui.conftest import make_app, text_of, wait_loaded, wait_until


def title(app: object) -> str:
    return str(app.screen.query_one("#pane-title", Static).render())  # type: ignore[attr-defined]


async def test_slash_filters_rows_live_and_escape_clears_the_filter(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen)
        total = screen.table.total_count
        await pilot.press("slash", "p", "a", "y")
        assert screen.table.shown_count == 1
        assert f"Services [1/{total}]" in title(app)
        assert "filter: pay" in title(app)
        await pilot.press("enter")  # keep the filter, back to the table
        assert screen.table.has_focus
        assert screen.table.shown_count == 1
        await pilot.press("ctrl+r")  # the filter survives a refresh
        await wait_until(pilot, lambda: screen.poller is not None and screen.poller.fetch_count >= 2)
        assert screen.table.shown_count == 1
        await pilot.press("escape")
        assert screen.table.shown_count == total
        assert isinstance(app.screen, ServicesScreen)  # the first escape only cleared the filter


async def test_colon_jumps_to_task_definitions_and_down_to_one_revision(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("colon")
        assert isinstance(app.screen, JumpScreen)
        await pilot.press(*"taskdefs", "enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, FamiliesScreen)
        families = {f.name for f in app.screen.items.values()}
        assert "api" in families
        app.screen.table.select_key("api")
        await pilot.press("enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, RevisionsScreen)
        revisions = sorted(d.revision for d in app.screen.items.values())
        assert len(revisions) >= 2
        assert app.screen.table.selected_key is not None
        assert app.screen.table.selected_key.endswith(f":{revisions[-1]}")  # newest first
        await pilot.press("enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, TaskDefinitionScreen)
        body = text_of(app.screen.body)
        assert "Container api" in body
        assert "DATABASE_URL" in body  # secrets by name and source


async def test_jump_to_services_without_a_cluster_says_to_choose_one(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("colon", *"svc", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClustersScreen)
        assert any("Choose a cluster first" in n.message for n in app._notifications)


async def test_an_unknown_jump_says_which_views_exist_and_stays_open(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("colon", *"pods", "enter")
        assert isinstance(app.screen, JumpScreen)
        assert ":taskdefs" in str(app.screen.query_one("#jump-error", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, ClustersScreen)


def test_jump_aliases() -> None:
    assert resolve_jump(":svc") == "services"
    assert resolve_jump("td") == "taskdefs"
    assert resolve_jump(" :Tasks ") == "tasks"
    assert resolve_jump("ci") == "instances"
    assert resolve_jump("nope") is None


async def test_jump_keeps_the_cluster_in_context(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="batch")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("colon", *"instances", "enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, InstancesScreen)
        assert app.screen.cluster == "batch"
        assert app.screen.table.total_count == 4
        await pilot.press("colon", *"tasks", "enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, TasksScreen)
        assert app.screen.cluster == "batch"


async def test_question_mark_lists_every_key_of_the_view_with_its_id(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        keys = {r[0]: r for r in rows}
        for key, binding_id in (
            ("/", "pane.filter"),
            ("ctrl+r", "pane.refresh"),
            ("esc", "pane.back"),
            ("q", "app.quit"),
            (":", "app.jump"),
            ("?", "app.help"),
            ("enter", "table.open"),
            ("d", "services.taskdef"),
        ):
            assert keys[key][2] == binding_id, key
        order = [r[0] for r in rows]
        # This view's own keys come first, then the table's, then those that work everywhere.
        assert order.index("d") < order.index("up") < order.index("q")
        assert order.index("/") < order.index("up")
        await pilot.press("escape")
        assert isinstance(app.screen, ServicesScreen)


async def test_s_on_tasks_switches_to_stopped_tasks_with_their_reasons(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod", service="payments")
    async with app.run_test(size=(160, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        await pilot.press("S")
        await wait_until(pilot, lambda: screen.desired_status == "STOPPED" and screen.updated_at is not None)
        stopped = list(screen.items.values())
        assert stopped and all(t.desired_status == "STOPPED" for t in stopped)
        assert any(t.stopped_reason for t in stopped)
        assert "stopped" in title(app)


async def test_keys_typed_in_one_burst_after_colon_land_in_the_command_line(shared_demo_account: AwsTarget) -> None:
    from textual import events
    from textual.widgets import Input

    app = make_app(shared_demo_account)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        # As a terminal delivers ":taskdefs⏎" typed fast: no pause for the command line to open.
        for character in ":taskdefs":
            app.post_message(events.Key("colon" if character == ":" else character, character))
        # The gate hands keys over one at a time, each once the one before has done its work: on a loaded machine
        # that takes longer than any fixed pause, so wait for the line (a lost key times this out).
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, JumpScreen) and app.screen.query_one(Input).value == "taskdefs",
            limit=10,
        )
        await pilot.press("enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, FamiliesScreen)
