"""db.queries.voting_window: the one read of a cycle's voting dates, which the ballot page,
the voter's home, the sealed box's META and the reminders all take."""

from __future__ import annotations

from sqlmodel import Session

from budget.db import queries
from budget.domain.cycle import Phase
from budget.services import cycles
from tests.services.conftest import NOW, schedule


def test_the_window_is_the_scheduled_voting_dates(db: Session, cycle_id: int) -> None:
    assert queries.voting_window(db, cycle_id) == schedule()[Phase.VOTING]


def test_a_cycle_without_voting_dates_has_no_window(
    db: Session, council: int, cycle_id: int
) -> None:
    dates = {**schedule(), Phase.VOTING: None}
    cycles.set_schedule(db, NOW, actor_id=council, cycle_id=cycle_id, dates=dates)
    assert queries.voting_window(db, cycle_id) is None
