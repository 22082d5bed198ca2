"""Fixtures for service tests: a pinned clock, a cheap hasher, and state built by services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlmodel import Session

from budget.db import migrate
from budget.db.engine import make_engine
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase
from budget.services import accounts, budgets, cycles, demo
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm
from tests import mailbox
from tests.databases import database_url

NOW = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
THROTTLE_KEY = b"k" * 32
DEMO_RESIDENTS = 60
DEMO_CODE_KEY = b"c" * 32


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def hasher() -> PasswordHasher:
    return accounts.test_hasher()


@pytest.fixture
def council(db: Session, hasher: PasswordHasher) -> int:
    view = accounts.create_admin(
        db, NOW, email="council@example.fr", password="council-password-1", display_name="Camille",
        hasher=hasher,
    )  # fmt: skip
    return view.id


def resident(
    db: Session,
    hasher: PasswordHasher,
    name: str = "amina",
    *,
    verified: bool = True,
    **profile: object,
) -> int:
    """A resident account; its address verified (the mailed link opened) unless `verified` is
    False, for the tests of what an unverified account may not do."""
    view = accounts.register(
        db, NOW, email=f"{name}@example.fr", password=f"{name}-password-123",
        display_name=name.capitalize(), hasher=hasher, links=mailbox.links(),
        **profile,  # type: ignore[arg-type]
    )  # fmt: skip
    assert view is not None
    if verified:
        mailbox.verify(db, NOW, view.email)
    return view.id


def cycle_form(**changes: object) -> CycleForm:
    values: dict[str, object] = {
        "name_fr": "Budget participatif 2027", "name_en": "Participatory budget 2027",
        "instance": "2027", "time_zone": "Europe/Paris", "currency": "EUR",
        "eligibility_mode": "declared", "district_mode": "choice", "min_age": None,
        "reference_date": date(2027, 9, 8),
    }  # fmt: skip
    values.update(changes)
    return CycleForm(**values)  # type: ignore[arg-type]


def budget_form(**changes: object) -> BudgetForm:
    values: dict[str, object] = {
        "name_fr": "Tout Paris", "name_en": "All of Paris", "scope": "city", "district_id": None,
        "amount": 1_000_000_00, "ballot_type": BallotType.APPROVAL,
        "limits": BallotLimits(max_choices=5), "rule": "greedy",
        "tie_break": "more-votes,lower-cost,lottery",
    }  # fmt: skip
    values.update(changes)
    return BudgetForm(**values)  # type: ignore[arg-type]


def schedule() -> dict[Phase, tuple[datetime, datetime] | None]:
    day = timedelta(days=1)
    return {
        Phase.SUBMISSION: (NOW, NOW + 30 * day),
        Phase.REVIEW: (NOW + 31 * day, NOW + 120 * day),
        Phase.VOTING: (NOW + 240 * day, NOW + 260 * day),
    }


@pytest.fixture
def cycle_id(db: Session, council: int) -> int:
    """A draft cycle with a city-wide budget and its schedule, ready for submission."""
    created = cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form())
    budgets.create_budget(db, NOW, actor_id=council, cycle_id=created, form=budget_form())
    cycles.set_schedule(db, NOW, actor_id=council, cycle_id=created, dates=schedule())
    return created


@dataclass(frozen=True)
class LoadedDemo:
    engine: Engine
    summary: demo.DemoSummary


@pytest.fixture(scope="session")
def loaded_demo(
    db_backend: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedDemo]:
    """`budget demo`, loaded once per backend into a database of its own and committed: the
    demo tests read it (tests/conftest.py runs them in one worker, so it is loaded once)."""
    with database_url(db_backend.dialect.name, tmp_path_factory.mktemp("demo")) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            with Session(engine) as session:
                summary = demo.load_demo(
                    session, NOW, accounts.test_hasher(), residents=DEMO_RESIDENTS,
                    code_key=DEMO_CODE_KEY,
                )  # fmt: skip
                session.commit()
            yield LoadedDemo(engine, summary)
        finally:
            engine.dispose()


@pytest.fixture
def demo_db(loaded_demo: LoadedDemo) -> Iterator[Session]:
    """A session on the loaded demo, rolled back after the test like `db`."""
    with loaded_demo.engine.connect() as connection, connection.begin() as outer:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        outer.rollback()
