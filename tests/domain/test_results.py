"""Complementary suppression of results breakdowns (domain/results.py, T9)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from budget.domain.results import MIN_BALLOTS, shows_breakdowns, suppress, suppress_turnout

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


turnouts = st.fixed_dictionaries(
    {kind: st.fixed_dictionaries({"online": st.integers(0, 40), "paper": st.integers(0, 40)})
     for kind in ("valid", "blank", "invalid")}
)  # fmt: skip


@given(turnouts)
def test_turnout_hides_what_its_public_totals_would_give_away(counts):
    shown = suppress_turnout(counts)
    if sum(n for by in counts.values() for n in by.values()) < MIN_BALLOTS:
        assert all(v is None for by in shown.values() for v in by.values())
        return
    valid, rest = dict(counts["valid"]), dict[str, int]()
    for kind in ("blank", "invalid"):
        rest |= {f"{kind}.{c}": n for c, n in counts[kind].items()}
    # The voters (valid ballots) and the whole turnout are public: each group is a breakdown.
    for group, cells in (
        ("valid", {c: shown["valid"][c] for c in valid}),
        ("rest", {k: shown[k.split(".")[0]][k.split(".")[1]] for k in rest}),
    ):
        if group == "rest":  # a known impossible 0 is shown as 0, outside the breakdown
            cells = {k: v for k, v in cells.items() if not (k.endswith(".online") and v == 0)}
            rest = {k: rest[k] for k in cells}
        raw = valid if group == "valid" else rest
        hidden = [name for name, value in cells.items() if value is None]
        for name, value in cells.items():
            assert value is None or (value == raw[name] and value >= MIN_BALLOTS)
        if hidden and sum(raw.values()) >= MIN_BALLOTS:
            assert len(hidden) >= 2
            assert sum(raw[name] for name in hidden) >= MIN_BALLOTS


def test_turnout_examples():
    counts = {"valid": {"online": 900, "paper": 40}, "blank": {"online": 0, "paper": 12},
              "invalid": {"online": 0, "paper": 3}}  # fmt: skip
    assert suppress_turnout(counts) == {
        "valid": {"online": 900, "paper": 40},
        "blank": {"online": 0, "paper": None},  # 3 invalid would be 15 minus the 12 blank
        "invalid": {"online": 0, "paper": None},
    }
    counts["invalid"]["paper"] = 11
    assert suppress_turnout(counts)["invalid"] == {"online": 0, "paper": 11}
    counts["blank"]["online"] = 2  # not an impossible zero: in the breakdown
    shown = suppress_turnout(counts)
    assert (shown["blank"], shown["invalid"]) == (
        {"online": None, "paper": 12},
        {"online": 0, "paper": None},  # 2 + 11 hidden together
    )
    counts["valid"]["paper"] = 4  # and online = voters - 4
    assert suppress_turnout(counts)["valid"] == {"online": None, "paper": None}
