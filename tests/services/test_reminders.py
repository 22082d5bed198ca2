"""Voting reminders: when voting opens and two days before it closes, once each, only to bound
accounts with a budget left to vote in; email only for those who did not opt out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from budget.db.tables import Notification, OutboxEmail
from budget.domain.ballots import BallotType
from budget.domain.cycle import Phase
from budget.domain.validation import Ballot
from budget.services import notifications, reminders, voting
from budget.services.mail_text import Kind
from budget.services.voting import Channel, Voter
from tests.services.conftest import resident, schedule
from tests.services.voting_setup import DURING, KEYS, OpenCycle, enrol, open_cycle


@pytest.fixture
def opened(db: Session, council: int, hasher) -> OpenCycle:
    return open_cycle(db, council, hasher)


def told(db: Session, kind: str) -> set[int]:
    rows = db.exec(select(Notification.account_id).where(Notification.kind == kind)).all()
    return set(rows)


def mails(db: Session) -> int:
    return db.exec(select(func.count()).select_from(OutboxEmail)).one()


def test_reminders_reach_bound_voters_with_budgets_left_once(
    db: Session, opened: OpenCycle, hasher
) -> None:
    done, quiet, pending = (resident(db, hasher, name=n) for n in ("done", "quiet", "pending"))
    entries = {a: enrol(db, opened.cycle_id, account_id=a) for a in (done, quiet, pending)}
    resident(db, hasher, name="unbound")  # not on the roll: never reminded
    unverified = resident(db, hasher, name="unverified", verified=False)
    enrol(db, opened.cycle_id, account_id=unverified)  # may not vote yet: not urged to
    notifications.set_email_preference(db, DURING, account_id=quiet, enabled=False)
    for kind, budget in opened.budgets.items():  # `done` votes everywhere
        first_two = opened.projects[budget][:2] if kind is BallotType.KNAPSACK else None
        marks = (
            Ballot(opened.projects[budget][:1], (1,))
            if kind is BallotType.CUMULATIVE
            else Ballot(first_two or opened.projects[budget][:1])
        )
        voting.cast_ballot(
            db, DURING, keys=KEYS, voter=Voter(entries[done], Channel.ACCOUNT, done),
            budget_id=budget, ballot=marks, form_key=voting.new_form_key(),
        )  # fmt: skip
    before = mails(db)
    assert reminders.send_due_reminders(db, DURING) == {opened.cycle_id: 2}
    assert told(db, Kind.VOTING_OPENED) == {quiet, pending}
    assert mails(db) - before == 1  # `quiet` opted out of email: in the app only
    assert told(db, Kind.VOTING_CLOSING) == set()
    assert reminders.send_due_reminders(db, DURING) == {opened.cycle_id: 0}  # nobody twice
    end = schedule()[Phase.VOTING]
    assert end is not None
    closing = end[1] - timedelta(days=1)
    assert reminders.send_due_reminders(db, closing) == {opened.cycle_id: 2}
    assert told(db, Kind.VOTING_CLOSING) == {quiet, pending}


def test_no_reminder_outside_the_voting_window(db: Session, opened: OpenCycle) -> None:
    start, end = schedule()[Phase.VOTING] or (DURING, DURING)
    assert reminders.send_due_reminders(db, start - timedelta(hours=1)) == {}
    assert reminders.send_due_reminders(db, end) == {}
    assert reminders.send_reminders(db, DURING, cycle_id=999, kind=Kind.VOTING_OPENED) == 0
