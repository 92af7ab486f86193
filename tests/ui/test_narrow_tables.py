"""A pane narrower than its columns drops them by priority instead of scrolling sideways (fit_columns, drawn)."""

from __future__ import annotations

from ecstui.aws.session import AwsTarget
from ecstui.ui.widgets.resource_table import ResourceTable
from tests.ui.test_key_footer import services_of_prod


def lines_of(table: ResourceTable) -> list[str]:
    return [table.render_line(y).text for y in range(min(table.size.height, table.row_count + 1))]


async def test_at_80_columns_services_keep_rollout_and_age_and_drop_the_details(
    shared_demo_account: AwsTarget,
) -> None:
    async with services_of_prod(shared_demo_account, (80, 24)) as pilot:
        table = pilot.app.screen.query_one(ResourceTable)
        await pilot.pause()
        header = lines_of(table)[0]
        for label in ("Name", "Status", "Running/Desired", "Rollout", "Age"):
            assert label in header
        assert "Task definition" not in header and "Launch type" not in header
        assert table.virtual_size.width <= table.size.width  # nothing out of sight to the right


async def test_narrower_still_the_name_is_cut_short_before_rollout_goes(shared_demo_account: AwsTarget) -> None:
    async with services_of_prod(shared_demo_account, (52, 24)) as pilot:
        table = pilot.app.screen.query_one(ResourceTable)
        await pilot.pause()
        lines = lines_of(table)
        assert "Rollout" in lines[0] and "Age" not in lines[0]
        assert any("…" in line.split()[0] for line in lines[1:]), lines
        assert table.virtual_size.width <= table.size.width
