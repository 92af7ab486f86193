"""fit_columns: what a table narrower than its columns shows (pure; no app)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from ecstui.ui.widgets.column_fit import Priority, fit_columns


@dataclass(frozen=True)
class Col:
    priority: Priority
    min_width: int = 12


SERVICES = [
    Col(Priority.IDENTITY),  # name
    Col(Priority.ESSENTIAL),  # status
    Col(Priority.ESSENTIAL),  # running/desired
    Col(Priority.USEFUL),  # pending
    Col(Priority.DETAIL),  # task definition
    Col(Priority.DETAIL),  # launch type
    Col(Priority.ESSENTIAL),  # rollout
    Col(Priority.USEFUL),  # age
]
WIDTHS = [20, 8, 15, 7, 30, 22, 11, 4]


def test_everything_shows_when_it_fits() -> None:
    assert fit_columns(SERVICES, WIDTHS, sum(WIDTHS) + 2 * len(WIDTHS)) == WIDTHS


def test_details_go_first_and_the_rightmost_of_them_first() -> None:
    needed = sum(WIDTHS) + 2 * len(WIDTHS)
    assert fit_columns(SERVICES, WIDTHS, needed - 1) == [20, 8, 15, 7, 30, 0, 11, 4]
    assert fit_columns(SERVICES, WIDTHS, needed - 25) == [20, 8, 15, 7, 0, 0, 11, 4]


def test_the_name_is_cut_short_before_an_essential_column_goes() -> None:
    # Essentials and the name at full width need 20+8+15+11 (+8 padding) = 62: one cell less cuts the name.
    assert fit_columns(SERVICES, WIDTHS, 61) == [19, 8, 15, 0, 0, 0, 11, 0]
    assert fit_columns(SERVICES, WIDTHS, 54) == [12, 8, 15, 0, 0, 0, 11, 0]


def test_an_essential_column_goes_when_the_name_is_at_its_minimum_and_the_name_takes_the_room_back() -> None:
    # Rollout goes (the rightmost essential): 20+8+15 (+6) = 49 fits in 53, so the name is whole again.
    assert fit_columns(SERVICES, WIDTHS, 53) == [20, 8, 15, 0, 0, 0, 0, 0]


def test_the_name_goes_last() -> None:
    assert fit_columns(SERVICES, WIDTHS, 10) == [8, 0, 0, 0, 0, 0, 0, 0]
    assert fit_columns(SERVICES, WIDTHS, 2) == [0, 0, 0, 0, 0, 0, 0, 0]


columns_and_widths = st.lists(
    st.tuples(st.sampled_from(list(Priority)), st.integers(1, 40), st.integers(1, 20)), min_size=1, max_size=12
)


@given(columns_and_widths, st.integers(0, 200))
def test_never_wider_than_available_and_priorities_respected(spec: list[tuple[Priority, int, int]], room: int) -> None:
    columns = [Col(priority, min_width) for priority, _, min_width in spec]
    widths = [width for _, width, _ in spec]
    shown = fit_columns(columns, widths, room)
    total = sum(width + 2 for width in shown if width > 0)
    assert total <= room or total == sum(width + 2 for width in widths) <= room
    assert all(0 <= fitted <= width for fitted, width in zip(shown, widths, strict=True))
    dropped = [column.priority for column, fitted in zip(columns, shown, strict=True) if fitted == 0]
    kept = [column.priority for column, fitted in zip(columns, shown, strict=True) if fitted > 0]
    # Nothing is dropped while a column of lower priority (a higher value) is still shown.
    if dropped and kept:
        assert min(dropped) >= max(kept)
    # Only an identity column, or the rightmost column shown (cut at the table's edge), is ever cut short, and
    # never below its min_width unless it is an identity column.
    rightmost = max((i for i, fitted in enumerate(shown) if fitted > 0), default=-1)
    for index, (column, fitted, width) in enumerate(zip(columns, shown, widths, strict=True)):
        if 0 < fitted < width:
            assert column.priority == Priority.IDENTITY or (index == rightmost and fitted >= column.min_width)
    # The name is the last to go: while any identity column is dropped, nothing else is shown.
    if any(c.priority == Priority.IDENTITY and f == 0 for c, f in zip(columns, shown, strict=True)):
        assert all(f == 0 or c.priority == Priority.IDENTITY for c, f in zip(columns, shown, strict=True))


def test_a_long_last_column_is_cut_at_the_edge_rather_than_dropped() -> None:
    # A stopped task's reason, 289 cells of it, in the stopped view's last column at 160 columns.
    columns = [Col(Priority.IDENTITY, 12), Col(Priority.ESSENTIAL, 12), Col(Priority.USEFUL, 12)]
    shown = fit_columns(columns, [36, 20, 289], 160)
    assert shown == [36, 20, 160 - 36 - 20 - 6]
