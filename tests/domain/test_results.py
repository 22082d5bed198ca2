"""Complementary suppression of results breakdowns (domain/results.py, T9)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from budget.domain.results import MIN_BALLOTS, shows_breakdowns, suppress

breakdowns = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 40), max_size=8)


@given(breakdowns)
def test_no_shown_cell_and_no_derivable_group_covers_fewer_than_ten_ballots(cells):
    shown = suppress(cells)
    assert set(shown) == set(cells)
    hidden = [name for name, value in shown.items() if value is None]
    for name, value in shown.items():
        assert value is None or (value == cells[name] and value >= MIN_BALLOTS)
    if hidden and sum(cells.values()) >= MIN_BALLOTS:
        assert len(hidden) >= 2  # one hidden cell would be the total minus the others
        assert sum(cells[name] for name in hidden) >= MIN_BALLOTS


@given(breakdowns)
def test_a_small_total_shows_nothing(cells):
    if sum(cells.values()) < MIN_BALLOTS:
        assert all(value is None for value in suppress(cells).values())


def test_examples():
    assert suppress({"online": 120, "paper": 30}) == {"online": 120, "paper": 30}
    assert suppress({"online": 120, "paper": 3}) == {"online": None, "paper": None}
    assert suppress({"a": 50, "b": 4, "c": 3, "d": 20}) == {"a": 50, "b": None, "c": None,
                                                            "d": None}  # fmt: skip
    assert suppress({"a": 50, "b": 6, "c": 5}) == {"a": 50, "b": None, "c": None}
    assert suppress({"a": 5, "b": 4}) == {"a": None, "b": None}
    assert suppress({}) == {}
    assert shows_breakdowns(10)
    assert not shows_breakdowns(9)
