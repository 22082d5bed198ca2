"""The demo's polling place (issue 17): the Mairie du 18e votes two city budgets of the
"2027-vote" cycle; the two demo officers are on shift there now (printed logins), a few people
are checked in, and the first paper batch is half entered: side A complete, side B begun, so
that signing in as the second officer continues the double entry. Built through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from budget.db import queries
from budget.domain.ballots import BallotType
from budget.domain.polling import PaperKind
from budget.domain.validation import Ballot
from budget.services import polling
from budget.services.polling import Reading

PEOPLE = (
    ("Sofia", "Benali", date(1979, 4, 2)), ("Karim", "Haddad", date(1985, 11, 23)),
    ("Louise", "Martin", date(1992, 2, 29)), ("Hugo", "Petit", date(1968, 7, 14)),
    ("Awa", "Diallo", date(2001, 1, 9)), ("Jeanne", "Moreau", date(1955, 6, 30)),
)  # fmt: skip
BATCH_SIZE = 5


@dataclass(frozen=True)
class PollingDemo:
    place_id: int
    batch_id: int
    check_ins: int


def load_polling_demo(
    db: Session, now: datetime, *, council: int, cycle_id: int, officers: tuple[int, int]
) -> PollingDemo:
    """The place, its officers' shift (two hours ago to eight hours from now), six check-ins
    (declared on the spot) and a batch of five ballots half entered. The caller commits."""
    city = [b for b in queries.list_budgets(db, cycle_id) if b.scope == "city"]
    approval = next(b.id for b in city if b.ballot_type is BallotType.APPROVAL)
    one = next(b.id for b in city if b.ballot_type is BallotType.CHOOSE_ONE)
    place = polling.create_place(
        db, now, actor_id=council, cycle_id=cycle_id, name="Mairie du 18e",
        address="1 place Jules-Joffrin, 75018 Paris", budget_ids=[approval, one],
    )  # fmt: skip
    for officer in officers:
        polling.add_shift(
            db, now, actor_id=council, place_id=place, account_id=officer,
            starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=8),
        )  # fmt: skip
    district = queries.list_districts(db, cycle_id)[0].id
    for given, family, born in PEOPLE:
        entry = polling.declare_at_place(
            db, now, officer_id=officers[0], place_id=place, given_name=given,
            family_name=family, birth_date=born, district_id=district,
        )  # fmt: skip
        polling.check_in(
            db, now, officer_id=officers[0], place_id=place, entry_id=entry,
            budget_ids=[approval, one],
        )  # fmt: skip
    projects = [p.id for p in queries.ballot_projects(db, approval)]
    batch = polling.open_batch(
        db, now, officer_id=officers[0], place_id=place, budget_id=approval, size=BATCH_SIZE
    )
    readings = {
        1: Reading(PaperKind.CHOICES, Ballot((projects[0], projects[2]))),
        2: Reading(PaperKind.CHOICES, Ballot((projects[1],))),
        3: Reading(PaperKind.BLANK),
        4: Reading(PaperKind.CHOICES, Ballot((projects[0], projects[1], projects[3]))),
        5: Reading(PaperKind.UNREADABLE),
    }
    polling.enter_batch(db, now, officer_id=officers[0], batch_id=batch, readings=readings)
    polling.enter_batch(
        db, now, officer_id=officers[1], batch_id=batch,
        readings={1: readings[1], 2: Reading(PaperKind.CHOICES, Ballot((projects[2],)))},
    )  # fmt: skip
    return PollingDemo(place, batch, len(PEOPLE))
