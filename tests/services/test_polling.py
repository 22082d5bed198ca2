"""Polling places: shifts, check-in against the roll, double entry, reconciliation (issue 17).

On both backends (the `db` fixture); the concurrent online-versus-paper race has a fresh
database with real commits of its own (tests/services/test_polling_race.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.tables import AuditLog, Ballot, CheckIn, PaperBatch, Participation
from budget.domain.cycle import Phase
from budget.domain.errors import BudgetError, FieldErrors, TransitionRefused
from budget.domain.polling import BatchState, PaperKind, Side
from budget.domain.validation import Ballot as Marks
from budget.domain.validation import from_json
from budget.services import cycles, polling, voting
from budget.services.polling import Reading
from budget.services.voting import Channel, Voter
from tests.services.conftest import NOW
from tests.services.polling_setup import SHIFT, Place, officer, polling_place
from tests.services.results_setup import AFTER
from tests.services.voting_setup import DURING, KEYS, open_cycle


@pytest.fixture
def place(db: Session, council: int, hasher) -> Place:
    return polling_place(db, open_cycle(db, council, hasher), hasher)


def count(db: Session, table, *where) -> int:
    return db.exec(select(func.count()).select_from(table).where(*where)).one()


def check_in(db: Session, place: Place, entry: int, *budgets: int, officer: int | None = None):
    return polling.check_in(
        db, DURING, officer_id=officer or place.officers[0], place_id=place.place_id,
        entry_id=entry, budget_ids=budgets or (place.budget,),
    )  # fmt: skip


def vote_online(db: Session, place: Place, entry: int) -> None:
    voting.cast_ballot(
        db, DURING, keys=KEYS, voter=Voter(entry, Channel.ACCOUNT), budget_id=place.budget,
        ballot=Marks(place.opened.projects[place.budget][:1]), form_key=voting.new_form_key(),
    )  # fmt: skip


def codes_of(error: BudgetError) -> dict[str, str]:
    assert isinstance(error, FieldErrors)
    return {name: e.code for name, e in error.fields.items()}


# -- shifts ----------------------------------------------------------------------------------


@pytest.mark.threat("T2")
def test_t2_officer_scope(db: Session, place: Place, hasher) -> None:
    """Outside their shift, or at another place, an officer is refused and told the next shift."""
    polling.require_on_shift(db, DURING, place.officers[0], place.place_id)
    with pytest.raises(BudgetError) as caught:
        polling.require_on_shift(db, SHIFT[1], place.officers[0], place.place_id)
    assert caught.value.code == "polling.off-shift-none"
    with pytest.raises(BudgetError) as early:
        polling.require_on_shift(db, SHIFT[0] - timedelta(minutes=1), place.officers[0],
                                 place.place_id)  # fmt: skip
    assert early.value.code == "polling.off-shift"
    assert early.value.params == {"next": SHIFT[0]}
    stranger = officer(db, hasher, place.opened.council, "nadia")
    with pytest.raises(BudgetError, match="no later shift"):
        check_in(db, place, place.opened.entries[0], officer=stranger)
    assert count(db, Participation) == 0


def test_shifts_need_an_officer_and_an_order(db: Session, place: Place, hasher) -> None:
    plain = officer(db, hasher, place.opened.council, "lea")
    with pytest.raises(BudgetError) as caught:
        polling.add_shift(
            db, NOW, actor_id=place.opened.council, place_id=place.place_id,
            account_id=place.opened.council, starts_at=SHIFT[0], ends_at=SHIFT[1],
        )  # fmt: skip
    assert caught.value.code == "polling.not-officer"
    with pytest.raises(BudgetError) as backwards:
        polling.add_shift(
            db, NOW, actor_id=place.opened.council, place_id=place.place_id, account_id=plain,
            starts_at=SHIFT[1], ends_at=SHIFT[0],
        )  # fmt: skip
    assert backwards.value.code == "polling.shift-order"
    with pytest.raises(BudgetError) as not_council:
        polling.add_shift(
            db, NOW, actor_id=plain, place_id=place.place_id, account_id=plain,
            starts_at=SHIFT[0], ends_at=SHIFT[1],
        )  # fmt: skip
    assert not_council.value.code == "permission.denied"


def test_a_place_needs_a_name_and_budgets_of_its_cycle(db: Session, place: Place) -> None:
    with pytest.raises(FieldErrors) as caught:
        polling.create_place(
            db, NOW, actor_id=place.opened.council, cycle_id=place.opened.cycle_id, name=" ",
            address="", budget_ids=[],
        )  # fmt: skip
    assert codes_of(caught.value) == {"name": "field.required", "budget_ids": "field.required"}
    with pytest.raises(FieldErrors) as other:
        polling.create_place(
            db, NOW, actor_id=place.opened.council, cycle_id=place.opened.cycle_id, name="X",
            address="", budget_ids=[999_999],
        )  # fmt: skip
    assert codes_of(other.value) == {"budget_ids": "field.invalid-choice"}


# -- check-in (T1, T2) -------------------------------------------------------------------------


def test_check_in_records_a_paper_participation_per_budget(db: Session, place: Place) -> None:
    entry = place.opened.entries[0]
    assert polling.open_budgets(db, place.place_id, entry) == tuple(
        sorted((place.budget, place.other))
    )
    check_in(db, place, entry, place.budget, place.other)
    rows = db.exec(select(Participation).where(Participation.roll_entry_id == entry)).all()
    assert {(r.budget_id, r.channel) for r in rows} == {
        (place.budget, "paper"), (place.other, "paper")
    }  # fmt: skip
    assert count(db, CheckIn, CheckIn.place_id == place.place_id) == 2
    assert polling.open_budgets(db, place.place_id, entry) == ()
    assert queries.check_in_count(db, place.place_id, place.budget) == 1
    actions = db.exec(select(AuditLog.action).where(AuditLog.action == "polling.check-in")).all()
    assert actions == ["polling.check-in"]


@pytest.mark.threat("T1")
def test_check_in_is_refused_after_an_online_ballot(db: Session, place: Place) -> None:
    entry = place.opened.entries[0]
    vote_online(db, place, entry)
    assert polling.open_budgets(db, place.place_id, entry) == (place.other,)
    with pytest.raises(BudgetError) as caught:
        check_in(db, place, entry, place.other, place.budget)
    assert caught.value.code == "polling.already-voted"
    assert caught.value.params == {"budget": place.budget, "channel": "account"}


@pytest.mark.threat("T1")
def test_online_voting_is_refused_after_a_check_in(db: Session, place: Place) -> None:
    entry = place.opened.entries[0]
    check_in(db, place, entry)
    with pytest.raises(BudgetError) as caught:
        vote_online(db, place, entry)
    assert caught.value.code == "vote.paper"
    with pytest.raises(BudgetError) as twice:
        check_in(db, place, entry, officer=place.officers[1])
    assert twice.value.code == "polling.already-voted"
    assert count(db, Participation) == 1


def test_a_budget_not_voted_here_or_none_is_refused(db: Session, place: Place) -> None:
    from budget.domain.ballots import BallotType

    elsewhere = place.opened.budgets[BallotType.RANKED]
    with pytest.raises(BudgetError) as caught:
        check_in(db, place, place.opened.entries[0], elsewhere)
    assert caught.value.code == "polling.not-voted-here"
    with pytest.raises(BudgetError) as nothing:
        polling.check_in(
            db, DURING, officer_id=place.officers[0], place_id=place.place_id,
            entry_id=place.opened.entries[0], budget_ids=[],
        )  # fmt: skip
    assert nothing.value.code == "polling.nothing-to-check-in"
    assert count(db, Participation) == 0


def test_a_new_declared_entry_on_the_spot_can_be_found_and_checked_in(
    db: Session, place: Place, council: int
) -> None:
    district = cycles.create_district(
        db, NOW, actor_id=council, cycle_id=place.opened.cycle_id, name="18e", code="75118"
    )
    entry = polling.declare_at_place(
        db, DURING, officer_id=place.officers[0], place_id=place.place_id, given_name="Ana",
        family_name="Lopes", birth_date=date(1980, 2, 29), district_id=district,
    )  # fmt: skip
    found = queries.search_entries(
        db, place.opened.cycle_id, name="lop", birth_date=date(1980, 2, 29)
    )
    assert [e.id for e in found] == [entry]
    check_in(db, place, entry)
    assert db.exec(select(AuditLog.action).where(AuditLog.action == "polling.declare")).all()


def test_declaring_on_the_spot_names_every_missing_field(db: Session, place: Place) -> None:
    with pytest.raises(FieldErrors) as caught:
        polling.declare_at_place(
            db, DURING, officer_id=place.officers[0], place_id=place.place_id, given_name="",
            family_name="", birth_date=None, district_id=None,
        )  # fmt: skip
    assert set(codes_of(caught.value)) == {"given_name", "family_name", "birth_date", "district_id"}


# -- double entry ----------------------------------------------------------------------------


def readings(place: Place, picks: dict[int, tuple[int, ...] | str]) -> dict[int, Reading]:
    projects = place.opened.projects[place.budget]
    found: dict[int, Reading] = {}
    for number, pick in picks.items():
        if isinstance(pick, str):
            found[number] = Reading(PaperKind(pick))
        else:
            found[number] = Reading(PaperKind.CHOICES, Marks(tuple(projects[i] for i in pick)))
    return found


def batch_of(db: Session, place: Place, size: int) -> int:
    return polling.open_batch(
        db, DURING, officer_id=place.officers[0], place_id=place.place_id,
        budget_id=place.budget, size=size,
    )  # fmt: skip


def enter(db: Session, place: Place, batch: int, side: int, picks) -> Side:
    return polling.enter_batch(
        db, DURING, officer_id=place.officers[side], batch_id=batch,
        readings=readings(place, picks),
    )  # fmt: skip


def paper_ballots(db: Session) -> list[tuple[int, ...]]:
    rows = db.exec(select(Ballot).where(Ballot.channel == "paper")).all()
    assert all(r.receipt_hash is None and r.batch_id is not None for r in rows)
    return sorted(from_json(r.choices).choices for r in rows)


def test_a_batch_with_one_difference_is_accepted_only_once_corrected(
    db: Session, place: Place
) -> None:
    for entry in place.opened.entries:
        check_in(db, place, entry)
    batch = batch_of(db, place, 3)
    picks = {1: (0, 1), 2: "blank", 3: (2,)}
    assert enter(db, place, batch, 0, picks) is Side.A
    assert enter(db, place, batch, 1, {**picks, 1: (0, 2)}) is Side.B
    view = queries.get_batch(db, batch)
    assert view.state is BatchState.ENTERING
    compared = queries.compare_batch(db, view)
    projects = place.opened.projects[place.budget]
    assert [d.describe() for d in compared.differences] == [
        f"#1: A {{{projects[0]},{projects[1]}}}, B {{{projects[0]},{projects[2]}}}"
    ]
    assert paper_ballots(db) == []
    with pytest.raises(BudgetError) as not_listed:
        polling.correct_entry(
            db, DURING, officer_id=place.officers[1], batch_id=batch, number=3,
            reading=readings(place, {3: (1,)})[3],
        )  # fmt: skip
    assert not_listed.value.code == "polling.not-a-difference"
    accepted = polling.correct_entry(
        db, DURING, officer_id=place.officers[1], batch_id=batch, number=1,
        reading=readings(place, {1: (1, 0)})[1],
    )  # fmt: skip
    assert accepted
    assert queries.get_batch(db, batch).state is BatchState.ACCEPTED
    assert paper_ballots(db) == sorted([(projects[0], projects[1]), (projects[2],)])
    assert polling.close_blockers(db, place.opened.cycle_id) == []
    actions = set(db.exec(select(AuditLog.action)).all())
    assert {"polling.batch.open", "polling.batch.enter", "polling.batch.correct",
            "polling.batch.accept"} <= actions  # fmt: skip
    with pytest.raises(BudgetError) as closed:
        enter(db, place, batch, 0, {1: "blank"})
    assert closed.value.code == "polling.batch-closed"


def test_the_same_officer_cannot_enter_both_sides(db: Session, place: Place) -> None:
    batch = batch_of(db, place, 2)
    assert enter(db, place, batch, 0, {1: (0,)}) is Side.A
    assert enter(db, place, batch, 0, {2: (1,)}) is Side.A  # a second sitting, same side
    with pytest.raises(BudgetError) as again:
        enter(db, place, batch, 0, {1: (0,)})
    assert again.value.code == "field.invalid" or "ballot-1" in codes_of(again.value)
    assert queries.get_batch(db, batch).state is BatchState.ENTERING
    assert paper_ballots(db) == []
    row = db.get(PaperBatch, batch)
    assert row is not None
    row.officer_b_id = row.officer_a_id
    db.add(row)
    with pytest.raises(IntegrityError), db.begin_nested():
        db.flush()


def test_side_b_sees_only_its_own_readings(db: Session, place: Place) -> None:
    batch = batch_of(db, place, 2)
    enter(db, place, batch, 0, {1: (0,), 2: (1,)})
    assert queries.side_marks(db, batch, Side.B) == {}
    enter(db, place, batch, 1, {1: (0,)})
    assert set(queries.side_marks(db, batch, Side.B)) == {1}
    assert queries.compare_batch(db, queries.get_batch(db, batch)).differences == ()


def test_a_third_officer_finds_both_sides_taken(db: Session, place: Place, hasher) -> None:
    third = officer(db, hasher, place.opened.council, "ines")
    polling.add_shift(
        db, NOW, actor_id=place.opened.council, place_id=place.place_id, account_id=third,
        starts_at=SHIFT[0], ends_at=SHIFT[1],
    )  # fmt: skip
    batch = batch_of(db, place, 1)
    enter(db, place, batch, 0, {1: (0,)})
    enter(db, place, batch, 1, {1: (1,)})
    with pytest.raises(BudgetError) as caught:
        polling.enter_batch(db, DURING, officer_id=third, batch_id=batch,
                            readings=readings(place, {1: (0,)}))  # fmt: skip
    assert caught.value.code == "polling.sides-taken"


def test_readings_go_through_the_online_validator(db: Session, place: Place) -> None:
    batch = batch_of(db, place, 3)
    with pytest.raises(FieldErrors) as caught:
        enter(db, place, batch, 0, {1: (0, 1, 2), 2: (), 4: (0,), 3: "invalid-over-limit"})
    assert codes_of(caught.value) == {
        "ballot-1": "ballot.too-many", "ballot-2": "ballot.blank",
        "ballot-4": "field.out-of-range",
    }  # fmt: skip
    assert count(db, PaperBatch, PaperBatch.state == BatchState.OPEN) == 1
    with pytest.raises(BudgetError) as size:
        batch_of(db, place, 51)
    assert size.value.code == "field.out-of-range"


mark_picks = st.one_of(
    st.sampled_from(["blank", "invalid-over-limit", "invalid-unreadable"]),
    # approval ballots are sets: drawn in canonical order, so equal picks mean equal ballots
    st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True).map(
        lambda p: tuple(sorted(p))
    ),
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mark_picks, min_size=1, max_size=8), st.data())
def test_acceptance_happens_exactly_when_both_entries_agree(
    db: Session, place: Place, picks: list[tuple[int, ...] | str], data: st.DataObject
) -> None:
    with db.begin_nested() as nested:
        a = dict(enumerate(picks, start=1))
        b = dict(a)
        if data.draw(st.booleans()):
            number = data.draw(st.integers(1, len(a)))
            b[number] = data.draw(mark_picks.filter(lambda p: p != a[number]))
        batch = batch_of(db, place, len(a))
        enter(db, place, batch, 0, a)
        enter(db, place, batch, 1, b)
        accepted = queries.get_batch(db, batch).state is BatchState.ACCEPTED
        projects = place.opened.projects[place.budget]
        expected = sorted(
            tuple(sorted(projects[i] for i in p)) for p in a.values() if not isinstance(p, str)
        )
        assert accepted == (a == b)
        assert paper_ballots(db) == (expected if accepted else [])
        nested.rollback()


# -- reconciliation and void -----------------------------------------------------------------


@pytest.mark.threat("T1")
def test_reconciliation_blocks_closing_on_a_surplus_until_voided(db: Session, place: Place) -> None:
    check_in(db, place, place.opened.entries[0])
    batch = batch_of(db, place, 2)
    assert [b.code for b in polling.close_blockers(db, place.opened.cycle_id)] == [
        "polling.pending"
    ]
    enter(db, place, batch, 0, {1: (0,), 2: "blank"})
    enter(db, place, batch, 1, {1: (0,), 2: "blank"})
    blockers = polling.close_blockers(db, place.opened.cycle_id)
    assert [(b.place_id, b.budget_id, b.code, dict(b.params)) for b in blockers] == [
        (place.place_id, place.budget, "polling.surplus", {"paper": 2, "check_ins": 1})
    ]
    assert "2 paper ballots for 1 check-ins" in blockers[0].message
    with pytest.raises(TransitionRefused) as refused:  # the close step asks the same list
        cycles.advance_phase(
            db, AFTER, actor_id=place.opened.council, cycle_id=place.opened.cycle_id,
            target=Phase.CLOSED,
        )  # fmt: skip
    assert [r.code for r in refused.value.reasons] == ["polling.surplus"]
    with pytest.raises(FieldErrors):
        polling.void_batch(db, DURING, actor_id=place.opened.council, batch_id=batch, reason=" ")
    with pytest.raises(BudgetError):
        polling.void_batch(db, DURING, actor_id=place.officers[0], batch_id=batch, reason="x")
    polling.void_batch(
        db, DURING, actor_id=place.opened.council, batch_id=batch,
        reason="Two ballots stuck together counted twice.",
    )  # fmt: skip
    assert paper_ballots(db) == []
    assert polling.close_blockers(db, place.opened.cycle_id) == []
    view = queries.get_batch(db, batch)
    assert view.state is BatchState.VOIDED
    assert view.void_reason == "Two ballots stuck together counted twice."
    assert count(db, AuditLog, col(AuditLog.action) == "polling.batch.void") == 1
    again = batch_of(db, place, 1)  # re-entry as a new batch
    assert queries.get_batch(db, again).number == 2
    rec = queries.reconciliation(db, place.place_id, place.budget)
    assert (rec.check_ins, rec.paper, rec.pending_batches) == (1, 0, 1)
