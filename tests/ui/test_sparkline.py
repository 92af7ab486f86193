"""The sparkline function: blocks for values, gaps for missing minutes, squeezed to its width."""

from __future__ import annotations

from ecstui.ui.sparkline import BLOCKS, resample, sparkline


def test_the_lowest_value_is_the_lowest_block_and_the_highest_the_full_one() -> None:
    assert sparkline([0, 50, 100], 3) == "▁▅█"
    assert sparkline([10, 20, 30, 40, 50, 60, 70, 80], 8) == BLOCKS


def test_a_minute_without_data_is_a_gap_never_a_low_block() -> None:
    line = sparkline([40, None, 60], 3)
    assert line[1] == " "  # a blank, not the lowest block
    assert line[0] == "▁" and line[2] == "█"
    assert sparkline([None, None], 2) == "  "
    assert sparkline([], 12) == ""


def test_a_steady_service_stays_low_instead_of_swinging() -> None:
    # 40% ± 1: within the least span of 10 points, so the line stays in the lower blocks.
    line = sparkline([39, 41, 40, 39, 41], 5)
    assert set(line) <= set(BLOCKS[:3])


def test_an_hour_squeezes_into_the_width_with_the_newest_at_the_right() -> None:
    hour = [float(minute) for minute in range(60)]
    line = sparkline(hour, 12)
    assert len(line) == 12
    assert line[0] == "▁" and line[-1] == "█"
    assert resample([1, 2, 3, 4], 2) == [1.5, 3.5]
    assert resample([1, None, None, 4], 2) == [1.0, 4.0]
    assert resample([None, None, 3, 4], 2) == [None, 3.5]


def test_cpu_and_memory_cells_sort_by_their_percentage() -> None:
    from ecstui.ui.widgets.resource_table import sort_key

    cells = ["9% ▁▂", "42% ▃▄", "100%", "—", "…"]
    assert sorted(cells, key=sort_key)[:3] == ["9% ▁▂", "42% ▃▄", "100%"]


def test_a_cell_shows_the_latest_minute_and_no_data_for_a_service_that_stopped_publishing() -> None:
    from datetime import UTC, datetime, timedelta

    from ecstui.aws.metrics import Series, ServiceUtilisation
    from ecstui.ui.utilisation_cells import utilisation_cell

    end = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    start = end - timedelta(hours=1)

    def figures(*minutes_ago: int) -> ServiceUtilisation:
        points = tuple((end - timedelta(minutes=ago), 40.0 + ago) for ago in sorted(minutes_ago, reverse=True))
        return ServiceUtilisation(Series("CPU", points), Series("Memory"), start, end)

    recent = figures(30, 2)
    assert utilisation_cell(recent, recent.cpu, wide=False).plain.strip() == "42%"
    assert len(utilisation_cell(recent, recent.cpu, wide=True).plain) == len(" 42%") + 1 + 12  # the hour, gaps blank
    stale = figures(30, 20)  # nothing in the last minutes: the service stopped running
    assert utilisation_cell(stale, stale.cpu, wide=False).plain == "—"
    assert utilisation_cell(None, None, wide=False).plain == "…"
    assert utilisation_cell(None, None, wide=False, failed=True).plain == "?"
