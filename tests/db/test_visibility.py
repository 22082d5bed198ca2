"""The visibility rule is one: `queries.publicly_visible()` (SQL) says what
`domain.proposals.is_public` says, for every status with and without a submission time, including
states the services no longer make (a draft withdrawn before withdrawal required submission)."""

from __future__ import annotations

import itertools

from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import Proposal
from budget.domain.accounts import Caller
from budget.domain.cycle import Phase
from budget.domain.errors import NotFound
from budget.domain.proposals import ProposalStatus, is_public
from budget.services import cycles, proposals
from tests.services.conftest import NOW, council, cycle_id, hasher, resident

__all__ = ["council", "cycle_id", "hasher"]  # fixtures shared with the service tests

STATES = list(itertools.product(ProposalStatus, (None, NOW)))


def test_the_sql_clause_and_the_domain_rule_agree(
    db: Session, council: int, cycle_id: int, hasher
) -> None:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    budget_id = queries.get_cycle(db, cycle_id).budgets[0].id
    author, stranger = resident(db, hasher), resident(db, hasher, "louis")
    made = {}
    for status, submitted_at in STATES:
        proposal_id = proposals.create_proposal(
            db, NOW, author_id=author, budget_id=budget_id, title="Trees", summary="Trees."
        )
        row = db.get(Proposal, proposal_id)
        assert row is not None
        row.status, row.submitted_at = status, submitted_at  # every state, made or legacy
        db.add(row)
        made[proposal_id] = is_public(status, submitted_at)
    db.flush()
    query = select(Proposal.id).where(queries.publicly_visible())
    visible = set(db.exec(query).all())
    assert visible == {i for i, public in made.items() if public}
    assert 0 < len(visible) < len(made)
    for proposal_id, public in made.items():  # the page's loader: the same rule
        for caller, sees in (
            (Caller(), public),
            (Caller(stranger), public),
            (Caller(author), True),
        ):
            try:
                queries.visible_proposal(db, caller, proposal_id)
            except NotFound:
                assert not sees
            else:
                assert sees
