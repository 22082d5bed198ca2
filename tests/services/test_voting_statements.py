"""What one ballot costs the database: the statements a cast sends, each a round trip on a
voting evening (issue 20, 7). A bound per step, so a query added to the hot path shows here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import Session

from budget.domain.ballots import BallotType
from budget.domain.validation import Ballot as Marks
from budget.services import voting
from budget.services.voting import Channel, Voter
from tests.services.voting_setup import DURING, KEYS, OpenCycle, open_cycle


@pytest.fixture
def opened(db: Session, council: int, hasher) -> OpenCycle:
    return open_cycle(db, council, hasher)


@contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    sent: list[str] = []
    connection = db.connection()

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


def cast(db: Session, opened: OpenCycle, choice: int, form_key: str) -> voting.CastResult:
    budget = opened.budgets[BallotType.APPROVAL]
    return voting.cast_ballot(
        db, DURING, keys=KEYS, voter=Voter(opened.entries[0], Channel.ACCOUNT, None),
        budget_id=budget, ballot=Marks((choice,)), form_key=form_key,
    )  # fmt: skip


def test_a_first_ballot_a_revision_and_a_resent_form_stay_within_their_statements(
    db: Session, opened: OpenCycle
) -> None:
    projects = opened.projects[opened.budgets[BallotType.APPROVAL]]
    with statements(db) as first:
        cast(db, opened, projects[0], "form-1")
    with statements(db) as revision:
        cast(db, opened, projects[1], "form-2")
    with statements(db) as resent:
        cast(db, opened, projects[1], "form-2")
    # SQLite; PostgreSQL adds the audit log's advisory lock to the first two. Before the rows
    # were kept and the inserts made one statement each: 24, 29 and 10.
    lock = int(db.get_bind().dialect.name == "postgresql")
    assert len(first) <= 17 + lock, first
    assert len(revision) <= 22 + lock, revision
    assert len(resent) <= 8, resent  # the receipt again, before anything is written
    assert not [s for s in resent if not s.startswith("SELECT")]
