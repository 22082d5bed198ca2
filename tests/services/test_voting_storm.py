"""T1 storms: 32, 64 and 200 simultaneous submissions of one voter (signed in, or with a code),
each thread with its own session and transaction through the app's bounded pool, with real
commits, on both backends; and the 32 storm against a schema without the one-ballot constraints,
to show the test catches their absence.

The storms of one backend share a database (built once per module): each storm votes for a roll
entry of its own and counts what changed, so sizes and channels add no set-up time. The storms
of 200 are marked `heavy` (CI runs them; `-m "not heavy"` leaves them out locally)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
from tests.services.voting_setup import DURING, KEYS, OpenCycle, enrol, open_cycle

STORM = 32  # the size of the storm against a schema without the constraints
SIZES = [32, 64, pytest.param(200, marks=pytest.mark.heavy)]


@contextmanager
def cycle_database(kind: str, directory: Path) -> Iterator[tuple[Engine, OpenCycle]]:
    """A fresh migrated database of `kind` with a cycle open for voting."""
    with database_url(kind, directory) as url:
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


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, OpenCycle]]:
    with cycle_database(request.param, tmp_path) as made:
        yield made


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, OpenCycle]]:
    with cycle_database(request.param, tmp_path_factory.mktemp("storms")) as made:
        yield made


def new_voter(engine: Engine, opened: OpenCycle) -> int:
    """A roll entry of its own for one storm."""
    with Session(engine) as db:
        entry = enrol(db, opened.cycle_id)
        db.commit()
    return entry


def storm(
    engine: Engine, opened: OpenCycle, channel: str, *, size: int = STORM, entry: int | None = None
) -> list[str | BudgetError]:
    """`size` threads cast at once for one roll entry (by default the cycle's first) in the
    approval budget; each commits."""
    budget = opened.budgets[BallotType.APPROVAL]
    projects = opened.projects[budget]
    voter = opened.entries[0] if entry is None else entry
    start = threading.Barrier(size)
    outcomes: list[str | BudgetError] = []
    lock = threading.Lock()

    def submit(n: int) -> None:
        with Session(engine) as db:
            start.wait()
            try:
                result = voting.cast_ballot(  # a writer says so first, as the web's perform does
                    for_writing(db), DURING, keys=KEYS, voter=Voter(voter, channel),
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

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(size)]
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


@dataclass(frozen=True)
class Snapshot:
    """What a storm may change: ballots, recorded receipts, links, one entry's participations."""

    ballots: frozenset[str]  # receipt hashes of the stored ballots
    recorded: frozenset[str]
    links: int
    participations: int

    @classmethod
    def of(cls, engine: Engine, entry: int) -> Snapshot:
        with Session(engine) as db:
            return cls(
                ballots=frozenset(  # paper ballots (issue 17) have no receipt
                    h for h in db.exec(select(Ballot.receipt_hash)).all() if h is not None
                ),
                recorded=frozenset(
                    db.exec(select(Receipt.receipt_hash).where(Receipt.state == "recorded")).all()
                ),
                links=db.exec(select(func.count()).select_from(BallotLink)).one(),
                participations=db.exec(
                    select(func.count())
                    .select_from(Participation)
                    .where(Participation.roll_entry_id == entry)
                ).one(),
            )


@pytest.mark.threat("T1")
@pytest.mark.parametrize("size", SIZES)
def test_t1_storm_same_account(shared: tuple[Engine, OpenCycle], size: int) -> None:
    engine, opened = shared
    entry = new_voter(engine, opened)
    before = Snapshot.of(engine, entry)
    outcomes = storm(engine, opened, Channel.ACCOUNT, size=size, entry=entry)
    after = Snapshot.of(engine, entry)
    acknowledged = [o for o in outcomes if isinstance(o, str)]
    failed = [o for o in outcomes if isinstance(o, BudgetError)]
    assert len(outcomes) == size
    assert not failed, failed  # every submission is a cast or a revision, none fails
    stored = after.ballots - before.ballots
    assert before.ballots <= after.ballots  # nobody else's ballot was touched
    assert len(stored) == 1, stored  # exactly one counted ballot
    assert after.participations == 1
    assert after.links == before.links + 1
    assert after.recorded - before.recorded == stored
    assert before.recorded <= after.recorded
    assert stored <= {receipts.digest(r) for r in acknowledged}  # its receipt was shown


@pytest.mark.threat("T1")
@pytest.mark.parametrize("size", SIZES)
def test_t1_storm_same_code(shared: tuple[Engine, OpenCycle], size: int) -> None:
    engine, opened = shared
    entry = new_voter(engine, opened)
    before = Snapshot.of(engine, entry)
    outcomes = storm(engine, opened, Channel.CODE, size=size, entry=entry)
    after = Snapshot.of(engine, entry)
    acknowledged = [o for o in outcomes if isinstance(o, str)]
    assert len(acknowledged) == 1
    refused = [o for o in outcomes if isinstance(o, BudgetError)]
    assert {e.code for e in refused} == {"vote.final"}, refused  # and no crash
    assert len(refused) == size - 1
    stored = after.ballots - before.ballots
    assert stored == {receipts.digest(acknowledged[0])} == after.recorded - before.recorded
    assert after.participations == 1
    assert after.links == before.links  # a code keeps no link


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
