"""A polling place in an open cycle, with two officers on shift: built through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from budget.domain.accounts import Role
from budget.domain.ballots import BallotType
from budget.services import accounts, polling
from tests.services.conftest import NOW, resident
from tests.services.voting_setup import DURING, OpenCycle

SHIFT = (DURING - timedelta(hours=2), DURING + timedelta(hours=6))


@dataclass(frozen=True)
class Place:
    opened: OpenCycle
    place_id: int
    officers: tuple[int, int]
    budget: int  # the approval budget, voted here
    other: int  # the choose-one budget, voted here too


def officer(db: Session, hasher, council: int, name: str) -> int:
    account = resident(db, hasher, name=name, language="en")
    accounts.grant_role(db, NOW, actor_id=council, account_id=account, role=Role.OFFICER)
    return account


def polling_place(db: Session, opened: OpenCycle, hasher) -> Place:
    budget = opened.budgets[BallotType.APPROVAL]
    other = opened.budgets[BallotType.CHOOSE_ONE]
    place = polling.create_place(
        db, NOW, actor_id=opened.council, cycle_id=opened.cycle_id, name="Mairie du 18e",
        address="1 place Jules-Joffrin", budget_ids=[budget, other],
    )  # fmt: skip
    found = []
    for name in ("sofia", "karim"):
        account = officer(db, hasher, opened.council, name)
        polling.add_shift(
            db, NOW, actor_id=opened.council, place_id=place, account_id=account,
            starts_at=SHIFT[0], ends_at=SHIFT[1],
        )  # fmt: skip
        found.append(account)
    return Place(opened, place, (found[0], found[1]), budget, other)
