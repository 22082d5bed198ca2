"""T1 storms: 32 simultaneous submissions of one voter, each on its own real connection and
transaction, against a fresh database with real commits; and the same storm against a schema
without the one-ballot constraints, to show the test catches their absence."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from budget.db import migrate
from budget.db.engine import for_writing, make_engine
from budget.db.tables import Ballot, BallotLink, Participation, Receipt
from budget.domain import receipts
from budget.domain.ballots import BallotType
from budget.domain.errors import BudgetError
from budget.domain.validation import Ballot as Marks
from budget.services import accounts, voting
from budget.services.voting import Channel, Voter
from tests.conftest import BACKENDS
from tests.databases import database_url
from tests.services.conftest import NOW
from tests.services.voting_setup import DURING, KEYS, OpenCycle, open_cycle

STORM = 32


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, OpenCycle]]:
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        with Session(engine) as db:
            council = accounts.create_admin(
                db, NOW, email="council@example.fr", password="council-password-1",
                display_name="Camille", hasher=accounts.test_hasher(),
            ).id  # fmt: skip
            opened = open_cycle(db, council, accounts.test_hasher())
            db.commit()
        try:
            yield engine, opened
        finally:
            engine.dispose()


def storm(engine: Engine, opened: OpenCycle, channel: str) -> list[str | BudgetError]:
    """STORM threads cast at once for the cycle's first roll entry in the approval budget; each
    commits."""
    budget = opened.budgets[BallotType.APPROVAL]
    projects = opened.projects[budget]
    start = threading.Barrier(STORM)
    outcomes: list[str | BudgetError] = []
    lock = threading.Lock()

    def submit(n: int) -> None:
        with Session(engine) as db:
            start.wait()
            try:
                result = voting.cast_ballot(  # a writer says so first, as the web's perform does
                    for_writing(db), DURING, keys=KEYS, voter=Voter(opened.entries[0], channel),
                    budget_id=budget, ballot=Marks((projects[n % 3],)),
                    form_key=voting.new_form_key(),
                )  # fmt: skip
                db.commit()
                outcome: str | BudgetError = result.receipt
            except BudgetError as error:
                db.rollback()
                outcome = error
            except Exception as error:  # recorded: the storms assert there is none
                db.rollback()
                outcome = BudgetError(crash=repr(error))
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(STORM)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as db:
        return tuple(  # type: ignore[return-value]
            db.exec(select(func.count()).select_from(t)).one()
            for t in (Ballot, Participation, BallotLink)
        )


@pytest.mark.threat("T1")
def test_t1_storm_same_account(fresh: tuple[Engine, OpenCycle]) -> None:
    engine, opened = fresh
    outcomes = storm(engine, opened, Channel.ACCOUNT)
    acknowledged = [o for o in outcomes if isinstance(o, str)]
    failed = [o for o in outcomes if isinstance(o, BudgetError)]
    assert not failed, failed  # every submission is a cast or a revision, none fails
    assert counts(engine) == (1, 1, 1)
    with Session(engine) as db:
        recorded = db.exec(select(Receipt).where(Receipt.state == "recorded")).all()
        survivor = db.exec(select(Ballot)).one()
    assert [r.receipt_hash for r in recorded] == [survivor.receipt_hash]
    assert survivor.receipt_hash in {receipts.digest(r) for r in acknowledged}


@pytest.mark.threat("T1")
def test_t1_storm_same_code(fresh: tuple[Engine, OpenCycle]) -> None:
    engine, opened = fresh
    outcomes = storm(engine, opened, Channel.CODE)
    assert len([o for o in outcomes if isinstance(o, str)]) == 1
    refused = [o for o in outcomes if isinstance(o, BudgetError)]
    assert {e.code for e in refused} == {"vote.final"}, refused  # and no crash
    assert len(refused) == STORM - 1
    assert counts(engine) == (1, 1, 0)


@pytest.mark.threat("T1")
@pytest.mark.parametrize("channel", [Channel.ACCOUNT, Channel.CODE])
def test_t1_storm_catches_a_schema_without_the_constraints(
    fresh: tuple[Engine, OpenCycle], channel: str
) -> None:
    """Drop UNIQUE(entry, budget) and the link's keys as a bad migration could: the storms above
    then store several ballots for one voter, so their assertions would fail. Only PostgreSQL
    shows it: SQLite runs one writer at a time (BEGIN IMMEDIATE), so there is no race."""
    engine, opened = fresh
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises write transactions: the race cannot happen there")
    with engine.begin() as connection:
        for table, name in [
            ("participation", "uq_participation_roll_entry_id_budget_id"),
            ("ballot_link", "pk_ballot_link"),
            ("ballot_link", "uq_ballot_link_ballot_id"),
        ]:
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    storm(engine, opened, channel)
    one_vote = (1, 1, 1) if channel == Channel.ACCOUNT else (1, 1, 0)  # the storms' assertion
    ballots, participations, links = counts(engine)
    assert participations > 1
    assert (ballots, participations, links) != one_vote
