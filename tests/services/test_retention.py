"""Archiving a cycle purges its roll, declarations and voting codes per BUDGET_ROLL_RETENTION
(services.retention), on both backends: the entries are emptied of the person, the codes
deleted, the participations and ballots left as they were, and the purge audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import Ballot, Cycle, Participation, RollEntry, VotingCode
from budget.domain.ballots import BallotType
from budget.domain.cycle import Phase
from budget.domain.eligibility import RollRetention
from budget.domain.errors import WrongPhase
from budget.domain.validation import Ballot as Marks
from budget.services import codes, cycles, retention, roll, voting
from budget.services.voting import Channel, Voter
from tests.services.conftest import NOW
from tests.services.test_roll import GOOD, make_cycle
from tests.services.voting_setup import DURING, KEYS, open_cycle

pytestmark = pytest.mark.threat("T2")

KEY = b"c" * 32
PERSONAL = (
    "external_id", "given_name", "family_name", "birth_date", "birth_year", "postal_address",
    "district_id", "chosen_district_id", "account_id", "void_reason",
)  # fmt: skip


def count(db: Session, table: type, **where: object) -> int:
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(getattr(table, name) == value)
    return db.exec(query).one()


def personal(db: Session, cycle_id: int) -> list[tuple[object, ...]]:
    """What each entry of the cycle still says about a person (empty values left out)."""
    rows = db.exec(select(RollEntry).where(RollEntry.cycle_id == cycle_id)).all()
    return [
        tuple(v for v in (getattr(r, c) for c in PERSONAL) if v not in (None, "")) for r in rows
    ]


def to_implementation(db: Session, cycle_id: int) -> None:
    """As counting, certifying and publishing leave a cycle (tests/services/test_implementation
    does the same): the purge is about the last step only."""
    row = db.get(Cycle, cycle_id)
    assert row is not None
    row.phase = Phase.IMPLEMENTATION
    db.add(row)
    db.flush()


@pytest.fixture
def rolled(db: Session, council: int) -> int:
    """A roll-mode cycle with GOOD's three entries imported, one voided, and codes issued."""
    cycle_id = make_cycle(
        db, council, eligibility_mode="roll", district_mode="residence",
        reference_date=date(2027, 9, 8),
    )  # fmt: skip
    roll.import_roll(db, NOW, actor_id=council, cycle_id=cycle_id, content=GOOD)
    first = db.exec(select(RollEntry).where(RollEntry.cycle_id == cycle_id)).first()
    assert first is not None
    assert first.id is not None
    codes.issue_codes(db, NOW, actor_id=council, cycle_id=cycle_id, key=KEY)
    roll.void_entry(db, NOW, actor_id=council, entry_id=first.id, reason="Moved to Lyon")
    return cycle_id


def test_archiving_purges_the_roll_and_its_codes(db: Session, council: int, rolled: int) -> None:
    assert count(db, VotingCode, cycle_id=rolled) > 0
    assert any(personal(db, rolled))
    to_implementation(db, rolled)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=rolled, target=Phase.ARCHIVED)
    assert count(db, VotingCode, cycle_id=rolled) == 0
    assert count(db, RollEntry, cycle_id=rolled) == 3  # the rows stay, empty
    assert personal(db, rolled) == [(), (), ()]
    assert "Moved to Lyon" not in str(db.exec(select(RollEntry)).all())
    purge = next(e for e in queries.list_audit(db, limit=5) if e.action == "roll.purge")
    assert (purge.actor, purge.target) == (f"account:{council}", f"cycle:{rolled}")
    assert dict(purge.details) == {"entries": 3, "codes": 3}
    assert "Diallo" not in str(purge.details)


def test_with_keep_archiving_leaves_the_roll_for_a_later_purge(
    db: Session, council: int, rolled: int
) -> None:
    to_implementation(db, rolled)
    before = personal(db, rolled)
    cycles.advance_phase(
        db, NOW, actor_id=council, cycle_id=rolled, target=Phase.ARCHIVED,
        retention=RollRetention.KEEP,
    )  # fmt: skip
    assert personal(db, rolled) == before
    assert count(db, VotingCode, cycle_id=rolled) == 3
    purged = retention.purge_cycle(db, NOW, actor_id=None, cycle_id=rolled)
    assert (purged.entries, purged.codes) == (3, 3)
    assert personal(db, rolled) == [(), (), ()]
    again = retention.purge_cycle(db, NOW, actor_id=None, cycle_id=rolled)
    assert again.codes == 0


def test_a_cycle_still_running_is_not_purged(db: Session, council: int, rolled: int) -> None:
    before = personal(db, rolled)
    to_implementation(db, rolled)
    with pytest.raises(WrongPhase):
        retention.purge_cycle(db, NOW, actor_id=None, cycle_id=rolled)
    assert personal(db, rolled) == before
    assert count(db, VotingCode, cycle_id=rolled) == 3


def test_the_purge_keeps_participations_turnout_and_ballots(
    db: Session, council: int, hasher
) -> None:
    opened = open_cycle(db, council, hasher)
    budget = opened.budgets[BallotType.APPROVAL]
    for entry in opened.entries[:2]:
        voting.cast_ballot(
            db, DURING, keys=KEYS, voter=Voter(entry, Channel.CODE, None), budget_id=budget,
            ballot=Marks(opened.projects[budget][:1]), form_key=voting.new_form_key(),
        )  # fmt: skip
    turnout = queries.turnout(db, [budget])
    ballots = db.exec(select(Ballot.choices)).all()
    to_implementation(db, opened.cycle_id)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=opened.cycle_id, target=Phase.ARCHIVED)
    assert personal(db, opened.cycle_id) == [()] * len(opened.entries)
    assert count(db, Participation, budget_id=budget) == 2
    assert queries.turnout(db, [budget]) == turnout == {budget: 2}
    assert db.exec(select(Ballot.choices)).all() == ballots
