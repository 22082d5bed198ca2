"""The demo's polling place: two printed officer logins on shift now, check-ins, and a batch
half entered that the second officer can finish."""

from __future__ import annotations

from sqlmodel import Session

from budget.db import queries
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.polling import BatchState, Side
from budget.services import demo, polling
from tests.services.conftest import NOW, LoadedDemo


def test_the_demo_has_a_place_with_two_officers_on_shift_and_a_half_entered_batch(
    demo_db: Session, loaded_demo: LoadedDemo
) -> None:
    officers = [a for a in demo.DEMO_ACCOUNTS if a.role is Role.OFFICER]
    assert len(officers) == 2
    ids = []
    for officer in officers:
        found = queries.find_account(demo_db, officer.email)
        assert found is not None
        assert found.has_role(Role.OFFICER)
        ids.append(found.id)
    voting = next(c for c in queries.list_cycles(demo_db) if c.phase is Phase.VOTING)
    assert queries.get_cycle(demo_db, voting.id).instance == "2027-vote"
    [place] = queries.cycle_places(demo_db, voting.id)
    for officer_id in ids:
        polling.require_on_shift(
            demo_db, NOW, officer_id, place.id
        )  # the demo's time is in the shift
    page = queries.place_page(demo_db, place.id)
    assert page.check_ins == 12  # six people, two budgets each
    [batch] = page.batches
    assert batch.state is BatchState.ENTERING
    assert len(queries.side_marks(demo_db, batch.id, Side.A)) == batch.size
    assert 0 < len(queries.side_marks(demo_db, batch.id, Side.B)) < batch.size
    assert polling.close_blockers(demo_db, voting.id)  # the batch is not accepted yet
