"""The background sweep's bookkeeping: what is due, within what budget, and when the listing is re-read."""

from __future__ import annotations

from ecstui.ui.listing_sweep import ListingSweep

KEYS = [f"k{i:04d}" for i in range(2000)]


def loaded(sweep: ListingSweep, keys: list[str] = KEYS, at: float = 0.0) -> ListingSweep:
    sweep.listed(keys, at)
    sweep.described(keys, at)
    return sweep


def test_a_first_load_counts_as_a_sweep_and_the_next_waits_a_sweep() -> None:
    sweep = loaded(ListingSweep(sweep_seconds=60, calls_per_minute=40, batch=10))
    assert sweep.due(KEYS, 30.0) == []
    assert sweep.progress(KEYS) == 1.0
    due = sweep.due(KEYS, 61.0)
    assert due == KEYS[:400]  # a minute's budget, 40 calls of ten, the oldest first (all alike: listing order)


def test_the_budget_accrues_with_time_and_no_more_than_a_minute_of_it() -> None:
    sweep = loaded(ListingSweep(sweep_seconds=60, calls_per_minute=40, batch=10))
    assert len(sweep.due(KEYS, 600.0)) == 400  # ten minutes unwatched still buys one minute's worth
    assert sweep.due(KEYS, 600.0) == []
    assert len(sweep.due(KEYS, 615.0)) == 100  # 15 s: ten calls
    sweep.described(KEYS[:500], 615.0)
    assert 0.0 < sweep.progress(KEYS) < 1.0


def test_keys_never_described_come_first_and_skipped_keys_are_not_spent_on() -> None:
    sweep = loaded(ListingSweep(sweep_seconds=60, calls_per_minute=6, batch=10))
    sweep.listed([*KEYS, "new"], 61.0)
    assert sweep.due([*KEYS, "new"], 61.0, skip=KEYS[:5]) == ["new"]  # all this sweep still lacks: one call
    sweep.described(["new"], 61.0)
    due = sweep.due([*KEYS, "new"], 61.0, skip=KEYS[:5])  # the next sweep begins, on the other five calls
    assert len(due) == 50
    assert not set(due) & set(KEYS[:5])


def test_the_listing_is_due_a_sweep_after_it_was_read_and_its_pages_are_spent() -> None:
    sweep = loaded(ListingSweep(sweep_seconds=60, calls_per_minute=40, batch=10))
    assert not sweep.listing_due(59.0)
    assert sweep.listing_due(60.0)
    sweep.listed(KEYS[:1000], 60.0, pages=40)  # the budget of a minute, spent on a re-list
    assert "k1500" not in sweep.described_at  # no longer listed: forgotten
    assert sweep.due(KEYS[:1000], 61.0) == []


def test_the_oldest_description_is_known_once_every_key_was_described() -> None:
    sweep = loaded(ListingSweep(), keys=KEYS[:3], at=5.0)
    sweep.described(KEYS[1:3], 9.0)
    assert sweep.oldest(KEYS[:3]) == 5.0
    assert sweep.oldest([*KEYS[:3], "never"]) is None


def test_the_listing_waits_for_the_sweep_to_reach_every_row() -> None:
    sweep = loaded(ListingSweep(sweep_seconds=60, calls_per_minute=40, batch=10))
    assert len(sweep.due(KEYS, 61.0)) == 400  # a new sweep begins: 1,600 rows not reached yet
    assert not sweep.listing_due(61.0, KEYS)
    sweep.described(KEYS, 62.0)
    assert sweep.listing_due(62.0, KEYS)
