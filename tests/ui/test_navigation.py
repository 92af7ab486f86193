"""Walking the panes with the keyboard: clusters -> services -> tasks -> task, and back."""

from __future__ import annotations

from ecstui.aws.session import AwsTarget
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.screens.clusters import ClustersScreen
from ecstui.ui.screens.services import ServicesScreen
from ecstui.ui.screens.task_detail import TaskDetailScreen
from ecstui.ui.screens.tasks import TasksScreen
from tests.ui.conftest import make_app, wait_loaded


def title_of(app: object) -> str:
    from textual.widgets import Static

    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one("#pane-title", Static).render())


async def test_enter_walks_down_and_escape_walks_back(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        assert isinstance(app.screen, ClustersScreen)
        assert "Clusters [3]" in title_of(app)
        assert app.screen.table.selected_key is not None
        app.screen.table.select_key(next(k for k, c in app.screen.items.items() if c.name == "prod"))
        await pilot.press("enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, ServicesScreen)
        assert app.screen.cluster == "prod"
        assert f"Services [{len(app.screen.items)}]" in title_of(app)
        assert {s.name for s in app.screen.items.values()} >= {"api", "web", "payments"}
        app.screen.table.select_key(next(k for k, s in app.screen.items.items() if s.name == "web"))
        await pilot.press("enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, TasksScreen)
        assert app.screen.service == "web"
        tasks = list(app.screen.items.values())
        assert tasks and all(t.service_name == "web" for t in tasks)
        selected = app.screen.table.selected_key
        await pilot.press("enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        assert app.screen.task_arn == selected
        await pilot.press("escape")
        assert isinstance(app.screen, TasksScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ServicesScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ClustersScreen)
        await pilot.press("escape")  # the root stays
        assert isinstance(app.screen, ClustersScreen)


async def test_cluster_and_service_flags_open_those_panes(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod", service="api")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        assert isinstance(app.screen, TasksScreen)
        assert (app.screen.cluster, app.screen.service) == ("prod", "api")
        await pilot.press("escape")
        assert isinstance(app.screen, ServicesScreen)
        await pilot.press("escape")
        await wait_loaded(pilot)
        assert isinstance(app.screen, ClustersScreen)
        assert "Clusters [3]" in title_of(app)


async def test_launched_on_a_cluster_the_clusters_pane_is_built_only_when_going_back_to_it(
    shared_demo_account: AwsTarget, emulator_server: EmulatorServer
) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        assert isinstance(app.screen, ServicesScreen)
        assert not any(isinstance(screen, ClustersScreen) for screen in app.screen_stack)
        # The listing started at launch served the pane's first fetch: one ListServices, no ListClusters.
        counts = emulator_server.log.counts
        assert counts["ListServices"] == 1 and counts["ListClusters"] == 0
        # It ran on a thread of its own; its request is counted with the app's (the :stats view).
        assert app.session.stats.sent["ListServices"] == 1
        await pilot.press("escape")
        await wait_loaded(pilot)
        assert isinstance(app.screen, ClustersScreen) and len(app.screen_stack) == 2
        # The cursor is on the cluster the app was opened on.
        selected = app.screen.selected
        assert selected is not None and selected.name == "prod"
        await pilot.press("enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, ServicesScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ClustersScreen)
        await pilot.press("escape")  # the root stays
        assert isinstance(app.screen, ClustersScreen)


async def test_t_on_a_cluster_lists_every_task_of_the_cluster(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        app.screen.table.select_key(next(k for k, c in app.screen.items.items() if c.name == "prod"))  # type: ignore[attr-defined]
        await pilot.press("t")
        await wait_loaded(pilot)
        assert isinstance(app.screen, TasksScreen)
        assert app.screen.service is None
        services = {t.service_name for t in app.screen.items.values()}
        assert len(services) > 3


async def test_j_k_g_and_shift_g_move_the_cursor_as_in_k9s(shared_demo_account: AwsTarget) -> None:
    app = make_app(shared_demo_account, cluster="prod")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ServicesScreen) and screen.table.row_count > 3
        table = screen.table
        table.focus()
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        assert isinstance(app.screen, ServicesScreen)  # moving never opens anything
