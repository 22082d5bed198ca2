"""Casting and revising ballots through the service, on both backends (T1, T2, T3, T8)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, inspect
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.tables import (
    Ballot,
    BallotLink,
    BallotProject,
    FrozenBudget,
    IdempotencyKey,
    Participation,
    Receipt,
    RollEntry,
)
from budget.domain import receipts
from budget.domain.ballots import BallotType
from budget.domain.cycle import Phase
from budget.domain.errors import (
    BudgetError,
    EmailNotVerified,
    InvalidReceipt,
    TransitionRefused,
)
from budget.domain.validation import Ballot as Marks
from budget.services import cycles, voting
from budget.services.voting import Channel, Voter
from tests.services.conftest import NOW, resident, schedule
from tests.services.voting_setup import COSTS, DURING, KEYS, LIMITS, OpenCycle, open_cycle


@pytest.fixture
def opened(db: Session, council: int, hasher) -> OpenCycle:
    return open_cycle(db, council, hasher)


def cast(
    db: Session, opened: OpenCycle, kind: BallotType, marks: Marks, *, entry: int = 0,
    channel: str = Channel.ACCOUNT, form_key: str | None = None, when: datetime | None = None,
) -> voting.CastResult:  # fmt: skip
    """Cast for the cycle's `entry`-th roll entry."""
    budget = opened.budgets[kind]
    return voting.cast_ballot(
        db, when or DURING, keys=KEYS, voter=Voter(opened.entries[entry], channel, None),
        budget_id=budget, ballot=marks, form_key=form_key or voting.new_form_key(),
    )  # fmt: skip


def count(db: Session, table, **where) -> int:
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(getattr(table, name) == value)
    return db.exec(query).one()


def stored(db: Session) -> tuple[int, ...]:
    return tuple(count(db, t) for t in (Ballot, BallotLink, Participation, Receipt, IdempotencyKey))


def test_opening_voting_freezes_rules_projects_and_costs(db: Session, opened: OpenCycle) -> None:
    for kind, budget in opened.budgets.items():
        frozen = queries.frozen_budget(db, budget)
        assert frozen.rules.ballot_type is kind
        assert frozen.rules.limits.max_choices == LIMITS[kind].max_choices
        assert sorted(frozen.rules.costs.values()) == sorted(COSTS)
        assert set(frozen.rules.costs) == set(opened.projects[budget])
        assert (frozen.rule, frozen.tie_break) == ("greedy", "more-votes,lower-cost,lottery")
        assert frozen.lottery_commitment is not None
    assert count(db, BallotProject) == 15


def test_going_back_to_review_unfreezes_while_nobody_voted(db: Session, opened: OpenCycle) -> None:
    cycles.advance_phase(
        db, NOW, actor_id=opened.council, cycle_id=opened.cycle_id, target=Phase.REVIEW
    )
    assert (count(db, FrozenBudget), count(db, BallotProject)) == (0, 0)


@pytest.mark.threat("T1")
def test_a_participation_blocks_going_back_to_review(db: Session, opened: OpenCycle) -> None:
    cast(
        db,
        opened,
        BallotType.CHOOSE_ONE,
        Marks((opened.projects[opened.budgets[BallotType.CHOOSE_ONE]][0],)),
    )
    with pytest.raises(TransitionRefused) as caught:
        cycles.advance_phase(
            db, NOW, actor_id=opened.council, cycle_id=opened.cycle_id, target=Phase.REVIEW
        )
    assert [r.code for r in caught.value.reasons] == ["cycle.votes-exist"]


@pytest.mark.threat("T8")
def test_a_cast_stores_the_canonical_ballot_and_a_receipt_hash(
    db: Session, opened: OpenCycle
) -> None:
    budget = opened.budgets[BallotType.CUMULATIVE]
    first, second, _ = opened.projects[budget]
    result = cast(db, opened, BallotType.CUMULATIVE, Marks((second, first), (2, 3)))
    assert len(result.receipt) == 16
    assert (result.revised, result.resubmitted) == (False, False)
    row = db.exec(select(Ballot)).one()
    assert row.choices == f"[[{first}, 3], [{second}, 2]]"
    assert row.receipt_hash == receipts.digest(result.receipt)
    assert result.receipt not in str(db.exec(select(Receipt)).all())
    assert voting.check_receipt(db, receipts.grouped(result.receipt).lower()) == "recorded"
    assert queries.turnout(db, [budget]) == {budget: 1}


@pytest.mark.threat("T1")
def test_a_revision_replaces_the_first_ballot(db: Session, opened: OpenCycle) -> None:
    budget = opened.budgets[BallotType.APPROVAL]
    a, b, c = opened.projects[budget]
    first = cast(db, opened, BallotType.APPROVAL, Marks((a, b)))
    second = cast(db, opened, BallotType.APPROVAL, Marks((c,)))
    assert second.revised
    assert db.exec(select(Ballot.choices)).all() == [f"[{c}]"]
    assert stored(db) == (1, 1, 1, 2, 2)
    assert voting.check_receipt(db, first.receipt) == "replaced"
    assert voting.check_receipt(db, second.receipt) == "recorded"


@pytest.mark.threat("T1")
def test_a_resubmitted_form_returns_the_same_receipt_and_no_second_ballot(
    db: Session, opened: OpenCycle
) -> None:
    budget = opened.budgets[BallotType.RANKED]
    a, b, _ = opened.projects[budget]
    key = voting.new_form_key()
    first = cast(db, opened, BallotType.RANKED, Marks((b, a)), form_key=key)
    again = cast(db, opened, BallotType.RANKED, Marks((b, a)), form_key=key)
    assert (again.receipt, again.resubmitted) == (first.receipt, True)
    assert stored(db) == (1, 1, 1, 1, 1)


@pytest.mark.threat("T1")
def test_a_code_ballot_is_final(db: Session, opened: OpenCycle) -> None:
    budget = opened.budgets[BallotType.KNAPSACK]
    a, b, _ = opened.projects[budget]
    key = voting.new_form_key()
    first = cast(db, opened, BallotType.KNAPSACK, Marks((a, b)), channel=Channel.CODE, form_key=key)
    assert stored(db) == (1, 0, 1, 1, 1)  # no link: nothing to revise
    with pytest.raises(BudgetError) as caught:
        cast(db, opened, BallotType.KNAPSACK, Marks((a,)), channel=Channel.CODE)
    assert caught.value.code == "vote.final"
    assert caught.value.params == {"date": DURING.date().isoformat()}
    with pytest.raises(BudgetError):  # the entry's account cannot replace it either
        cast(db, opened, BallotType.KNAPSACK, Marks((a,)))
    again = cast(db, opened, BallotType.KNAPSACK, Marks((a, b)), channel=Channel.CODE, form_key=key)
    assert again.receipt == first.receipt
    assert stored(db) == (1, 0, 1, 1, 1)


def _projects(opened: OpenCycle, kind: BallotType) -> tuple[int, ...]:
    return opened.projects[opened.budgets[kind]]


@pytest.mark.threat("T2")
@pytest.mark.parametrize(
    ("kind", "marks", "code"),
    [
        (BallotType.APPROVAL, lambda p: Marks((p[0], 999_999)), "ballot.unknown-project"),
        (BallotType.KNAPSACK, lambda p: Marks((p[0], p[1], p[2], p[0])), "ballot.duplicate"),
        (BallotType.KNAPSACK, lambda p: Marks((p[2],)), "ballot.under-minimum-spend"),
        (BallotType.CUMULATIVE, lambda p: Marks((p[0], p[1]), (3, 3)), "ballot.points-over-limit"),
        (BallotType.CUMULATIVE, lambda p: Marks((p[0],), (4,)), "ballot.points-per-project"),
        (BallotType.APPROVAL, lambda p: Marks(p), "ballot.too-many"),
        (BallotType.CHOOSE_ONE, lambda p: Marks(()), "ballot.blank"),
    ],
)
def test_bad_ballots_are_refused_and_nothing_is_stored(
    db: Session, opened: OpenCycle, kind, marks, code
) -> None:
    with pytest.raises(BudgetError) as caught:
        cast(db, opened, kind, marks(_projects(opened, kind)))
    assert caught.value.code == code
    assert stored(db) == (0, 0, 0, 0, 0)


def test_a_project_of_another_budget_is_unknown_here(db: Session, opened: OpenCycle) -> None:
    foreign = _projects(opened, BallotType.RANKED)[0]
    with pytest.raises(BudgetError) as caught:
        cast(db, opened, BallotType.APPROVAL, Marks((foreign,)))
    assert caught.value.code == "ballot.unknown-project"
    assert stored(db) == (0, 0, 0, 0, 0)


@pytest.mark.threat("T1")
@pytest.mark.parametrize(
    "when",
    [NOW, schedule()[Phase.VOTING][1], schedule()[Phase.VOTING][0] - timedelta(seconds=1)],  # type: ignore[index]
)
def test_outside_the_voting_window_nothing_is_accepted(
    db: Session, opened: OpenCycle, when
) -> None:
    with pytest.raises(BudgetError) as caught:
        cast(
            db,
            opened,
            BallotType.CHOOSE_ONE,
            Marks(_projects(opened, BallotType.CHOOSE_ONE)[:1]),
            when=when,
        )
    assert caught.value.code == "vote.closed"
    assert stored(db) == (0, 0, 0, 0, 0)


@pytest.mark.threat("T2")
def test_an_entry_of_another_cycle_or_voided_is_refused(
    db: Session, opened: OpenCycle, council: int, hasher
) -> None:
    other = open_cycle(db, council, hasher, instance="2028")
    budget = opened.budgets[BallotType.CHOOSE_ONE]
    marks = Marks(opened.projects[budget][:1])
    for entry in (other.entries[0], opened.entries[1]):
        if entry == opened.entries[1]:
            row = db.get(RollEntry, entry)
            assert row is not None
            row.voided_at = DURING
            db.add(row)
            db.flush()
        with pytest.raises(BudgetError) as caught:
            voting.cast_ballot(
                db, DURING, keys=KEYS, voter=Voter(entry, Channel.ACCOUNT), budget_id=budget,
                ballot=marks, form_key=voting.new_form_key(),
            )  # fmt: skip
        assert caught.value.code == "vote.not-entitled"
    assert stored(db) == (0, 0, 0, 0, 0)


def test_a_paper_vote_cannot_be_replaced_online(db: Session, opened: OpenCycle) -> None:
    budget = opened.budgets[BallotType.CHOOSE_ONE]
    entry = opened.entries[0]
    paper = Participation(
        roll_entry_id=entry, budget_id=budget, channel="paper", voted_on=DURING.date()
    )
    db.add(paper)
    db.flush()
    with pytest.raises(BudgetError) as caught:
        cast(db, opened, BallotType.CHOOSE_ONE, Marks(opened.projects[budget][:1]))
    assert caught.value.code == "vote.paper"


def test_an_unknown_or_malformed_receipt_says_so(db: Session) -> None:
    assert voting.check_receipt(db, "0000-0000-0000-0000") == "unknown"
    with pytest.raises(InvalidReceipt):
        voting.check_receipt(db, "not a receipt")


# -- secrecy (T3) ----------------------------------------------------------------------------

BALLOT_COLUMNS = {"id", "budget_id", "choices", "receipt_hash", "channel", "batch_id"}


@pytest.mark.threat("T3")
def test_t3_ballot_columns_allowlist(db: Session) -> None:
    """A new column on `ballot` fails here until reviewed: none may name a voter or a time."""
    columns = {c["name"] for c in inspect(db.connection()).get_columns("ballot")}
    assert columns == BALLOT_COLUMNS
    foreign = {fk["referred_table"] for fk in inspect(db.connection()).get_foreign_keys("ballot")}
    assert foreign == {"budget", "receipt", "paper_batch"}  # a paper ballot's batch, no voter


@pytest.mark.threat("T3")
def test_t3_only_the_link_joins_a_ballot_to_a_voter(db: Session, opened: OpenCycle) -> None:
    budget = opened.budgets[BallotType.APPROVAL]
    for entry in (0, 1, 2):
        cast(db, opened, BallotType.APPROVAL, Marks(opened.projects[budget][:1]), entry=entry)
    key = voting.voter_key(KEYS, opened.entries[1], budget)
    linked = db.exec(
        select(Ballot.id)
        .join(BallotLink, col(BallotLink.ballot_id) == col(Ballot.id))
        .where(BallotLink.voter_key == key)
    ).all()
    assert len(linked) == 1
    ballot_values = {
        str(v) for row in db.exec(select(Ballot)).all() for v in row.model_dump().values()
    }
    participation_values = {
        str(v) for row in db.exec(select(Participation)).all() for v in row.model_dump().values()
    }
    assert ballot_values & participation_values <= {str(budget)}  # only the budget is shared
    for link in db.exec(select(BallotLink)).all():  # what the close step (issue 18) does
        db.delete(link)
    db.flush()
    assert count(db, BallotLink) == 0
    entry_ids = {str(e) for e in opened.entries}
    assert not entry_ids & {
        v for row in db.exec(select(Ballot)).all() for v in (row.id, row.channel)
    }


def test_an_unverified_account_cannot_vote_but_its_code_can(
    db: Session, opened: OpenCycle, hasher
) -> None:
    newcomer = resident(db, hasher, "noor", verified=False)
    budget = opened.budgets[BallotType.APPROVAL]
    marks = Marks(opened.projects[budget][:2])
    before = stored(db)
    with pytest.raises(EmailNotVerified):
        voting.cast_ballot(
            db, DURING, keys=KEYS, voter=Voter(opened.entries[0], Channel.ACCOUNT, newcomer),
            budget_id=budget, ballot=marks, form_key=voting.new_form_key(),
        )  # fmt: skip
    assert stored(db) == before
    cast(db, opened, BallotType.APPROVAL, marks, channel=Channel.CODE)  # no account to verify
    assert stored(db) != before
