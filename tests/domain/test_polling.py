"""Shifts, double entry and reconciliation (domain/polling.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from budget.domain.polling import (
    BATCH_MAX,
    Difference,
    Mark,
    PaperKind,
    Reconciliation,
    Shift,
    agrees,
    blockers,
    differences,
    is_complete,
    next_shift,
    on_shift,
    tally_marks,
)
from budget.domain.validation import Ballot

NOON = datetime(2027, 9, 20, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def choices(*ids: int) -> Mark:
    return Mark(PaperKind.CHOICES, Ballot(ids))


def test_a_shift_covers_its_start_and_not_its_end() -> None:
    shift = Shift(NOON, NOON + HOUR)
    assert on_shift([shift], NOON)
    assert on_shift([shift], NOON + HOUR - timedelta(seconds=1))
    assert not on_shift([shift], NOON + HOUR)
    assert not on_shift([shift], NOON - timedelta(seconds=1))
    assert not on_shift([], NOON)


def test_the_next_shift_is_the_earliest_still_to_start() -> None:
    past = Shift(NOON - 3 * HOUR, NOON - 2 * HOUR)
    soon = Shift(NOON + HOUR, NOON + 2 * HOUR)
    later = Shift(NOON + 5 * HOUR, NOON + 6 * HOUR)
    assert next_shift([later, past, soon], NOON) == soon
    assert next_shift([past], NOON) is None
    assert next_shift([Shift(NOON, NOON + HOUR)], NOON) is None  # started already


def test_marks_describe_themselves_as_the_difference_list_shows_them() -> None:
    assert choices(3, 5).describe() == "{3,5}"
    assert Mark(PaperKind.CHOICES, Ballot((3, 5), (2, 1))).describe() == "{3:2,5:1}"
    assert Mark(PaperKind.BLANK).describe() == "blank"
    assert Mark(PaperKind.UNREADABLE).describe() == "invalid-unreadable"
    assert Difference(17, choices(3, 5), choices(3, 6)).describe() == "#17: A {3,5}, B {3,6}"
    assert Difference(2, None, Mark(PaperKind.BLANK)).describe() == "#2: A -, B blank"
    assert Difference(2, choices(1), None).describe() == "#2: A {1}, B -"


def test_a_batch_with_one_differing_ballot_lists_that_number_only() -> None:
    a = {1: choices(3, 5), 2: Mark(PaperKind.BLANK), 3: choices(4)}
    b = {1: choices(3, 6), 2: Mark(PaperKind.BLANK), 3: choices(4)}
    assert differences(3, a, b) == (Difference(1, choices(3, 5), choices(3, 6)),)
    assert not agrees(3, a, b)
    b[1] = choices(3, 5)
    assert agrees(3, a, b)


def test_an_incomplete_side_is_never_accepted() -> None:
    a = {1: choices(1)}
    assert is_complete(1, a)
    assert not is_complete(2, a)
    assert not agrees(2, a, a)
    assert not agrees(1, {}, {})


marks = st.one_of(
    st.sampled_from([Mark(k) for k in PaperKind if k is not PaperKind.CHOICES]),
    st.lists(st.integers(1, 9), min_size=1, max_size=4, unique=True).map(
        lambda ids: choices(*sorted(ids))
    ),
)


@st.composite
def batches(draw: st.DrawFn) -> tuple[int, dict[int, Mark]]:
    size = draw(st.integers(1, BATCH_MAX))
    return size, {n: draw(marks) for n in range(1, size + 1)}


@given(batches())
def test_two_identical_complete_entries_are_accepted(batch: tuple[int, dict[int, Mark]]) -> None:
    size, a = batch
    assert agrees(size, a, dict(a))
    assert differences(size, a, dict(a)) == ()


@given(batches(), st.data())
def test_one_disagreement_blocks_acceptance_and_is_the_only_difference(
    batch: tuple[int, dict[int, Mark]], data: st.DataObject
) -> None:
    size, a = batch
    number = data.draw(st.integers(1, size))
    other = data.draw(marks.filter(lambda mark: mark != a[number]))
    b = {**a, number: other}
    assert not agrees(size, a, b)
    assert not agrees(size, b, a)
    assert differences(size, a, b) == (Difference(number, a[number], other),)
    del b[number]  # a missing reading is a difference too
    assert differences(size, a, b) == (Difference(number, a[number], None),)
    assert not agrees(size, a, b)


@given(batches(), batches())
def test_acceptance_happens_exactly_when_both_sides_agree(
    first: tuple[int, dict[int, Mark]], second: tuple[int, dict[int, Mark]]
) -> None:
    size, a = first
    _, b = second
    same = all(a.get(n) == b.get(n) for n in range(1, size + 1))
    assert agrees(size, a, b) == same


def test_marks_are_tallied_by_kind() -> None:
    found = [choices(1), choices(2), Mark(PaperKind.BLANK), Mark(PaperKind.OVER_LIMIT)]
    assert tally_marks([*found, Mark(PaperKind.UNREADABLE)]) == (2, 1, 2)
    assert tally_marks([]) == (0, 0, 0)


def test_a_reconciled_place_blocks_nothing() -> None:
    place = Reconciliation(check_ins=212, ballots=209, blank=3)
    assert place.paper == 212
    assert place.surplus == 0
    assert blockers(place) == ()


def test_a_surplus_and_a_pending_batch_each_block_closing() -> None:
    place = Reconciliation(check_ins=10, ballots=10, blank=1, invalid=1, pending_batches=2)
    assert place.surplus == 2
    assert blockers(place) == (
        ("polling.surplus", {"paper": 12, "check_ins": 10}),
        ("polling.pending", {"count": 2}),
    )
    assert blockers(Reconciliation(check_ins=5, pending_batches=1)) == (
        ("polling.pending", {"count": 1}),
    )


@given(st.integers(0, 300), st.integers(0, 300), st.integers(0, 30), st.integers(0, 30))
def test_a_surplus_blocks_exactly_when_paper_exceeds_check_ins(
    check_ins: int, ballots: int, blank: int, invalid: int
) -> None:
    place = Reconciliation(check_ins, ballots, blank, invalid)
    blocked = bool(blockers(place))
    assert blocked == (ballots + blank + invalid > check_ins)
