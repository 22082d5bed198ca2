"""The demo's polling place: two printed officer logins on shift now, check-ins, and a batch
half entered that the second officer can finish."""

from __future__ import annotations

from sqlmodel import Session

from budget.db import queries
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.polling import BatchState, Side
from budget.services import demo, polling
from tests.services.conftest import NOW


def test_the_demo_has_a_place_with_two_officers_on_shift_and_a_half_entered_batch(
    db: Session, hasher
) -> None:
    demo.load_demo(db, NOW, hasher, residents=60)
    officers = [a for a in demo.DEMO_ACCOUNTS if a.role is Role.OFFICER]
    assert len(officers) == 2
    ids = []
    for officer in officers:
        found = queries.find_account(db, officer.email)
        assert found is not None
        assert found.has_role(Role.OFFICER)
        ids.append(found.id)
    voting = next(c for c in queries.list_cycles(db) if c.phase is Phase.VOTING)
    assert queries.get_cycle(db, voting.id).instance == "2027-vote"
    [place] = queries.cycle_places(db, voting.id)
    for officer_id in ids:
        polling.require_on_shift(db, NOW, officer_id, place.id)  # the demo's time is in the shift
    page = queries.place_page(db, place.id)
    assert page.check_ins == 12  # six people, two budgets each
    [batch] = page.batches
    assert batch.state is BatchState.ENTERING
    assert len(queries.side_marks(db, batch.id, Side.A)) == batch.size
    assert 0 < len(queries.side_marks(db, batch.id, Side.B)) < batch.size
    assert polling.close_blockers(db, voting.id)  # the batch is not accepted yet
