"""T1 across channels: an online ballot and a paper check-in of the same entry and budget at
the same moment, each on its own connection with a real commit; exactly one wins."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from budget.db import migrate
from budget.db.engine import for_writing, make_engine
from budget.db.tables import Ballot, CheckIn, Participation
from budget.domain.errors import BudgetError
from budget.domain.validation import Ballot as Marks
from budget.services import accounts, polling, voting
from budget.services.voting import Channel, Voter
from tests.conftest import BACKENDS
from tests.databases import database_url
from tests.services.conftest import NOW
from tests.services.polling_setup import Place, polling_place
from tests.services.voting_setup import DURING, KEYS, open_cycle

ROUNDS = 4


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Place]]:
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        with Session(engine) as db:
            council = accounts.create_admin(
                db, NOW, email="council@example.fr", password="council-password-1",
                display_name="Camille", hasher=accounts.test_hasher(),
            ).id  # fmt: skip
            place = polling_place(db, open_cycle(db, council, accounts.test_hasher()),
                                  accounts.test_hasher())  # fmt: skip
            db.commit()
        try:
            yield engine, place
        finally:
            engine.dispose()


def race(engine: Engine, place: Place, entry: int) -> dict[str, str]:
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def online(db: Session) -> None:
        voting.cast_ballot(
            db, DURING, keys=KEYS, voter=Voter(entry, Channel.ACCOUNT), budget_id=place.budget,
            ballot=Marks(place.opened.projects[place.budget][:1]),
            form_key=voting.new_form_key(),
        )  # fmt: skip

    def paper(db: Session) -> None:
        polling.check_in(
            db, DURING, officer_id=place.officers[0], place_id=place.place_id, entry_id=entry,
            budget_ids=[place.budget],
        )  # fmt: skip

    def run(name: str) -> None:
        with Session(engine) as session:
            start.wait()
            try:
                (online if name == "online" else paper)(for_writing(session))
                session.commit()
                outcomes[name] = "ok"
            except BudgetError as error:
                session.rollback()
                outcomes[name] = error.code
            except Exception as error:  # recorded: the test asserts there is none
                session.rollback()
                outcomes[name] = f"crash: {error!r}"

    threads = [threading.Thread(target=run, args=(n,)) for n in ("online", "paper")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.threat("T1")
def test_t1_storm_online_vs_paper(fresh: tuple[Engine, Place]) -> None:
    engine, place = fresh
    for entry in place.opened.entries[:ROUNDS]:
        outcomes = race(engine, place, entry)
        assert sorted(outcomes.values()).count("ok") == 1, outcomes
        loser = outcomes["paper"] if outcomes["online"] == "ok" else outcomes["online"]
        assert loser in ("polling.already-voted", "vote.paper"), outcomes
        with Session(engine) as db:
            participations = db.exec(
                select(func.count())
                .select_from(Participation)
                .where(Participation.roll_entry_id == entry)
            ).one()
            assert participations == 1
    with Session(engine) as db:
        online = db.exec(select(func.count()).select_from(Ballot)).one()
        paper = db.exec(select(func.count()).select_from(CheckIn)).one()
    assert online + paper == len(place.opened.entries[:ROUNDS])
