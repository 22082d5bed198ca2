"""The council's decisions on proposals in review: feasible at a final cost (on the ballot) or
infeasible with a public explanation; merging proposals (co-construction).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from budget.domain.cycle import Phase
from budget.domain.errors import OutOfRange, Required, raise_if_any
from budget.domain.money import Cents
from budget.domain.proposals import ProposalStatus
from budget.services.cycles import require_council
from budget.services.proposals import _log, _proposal, _require_phase, _require_status


def decide_proposal(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    proposal_id: int,
    feasible: bool,
    final_cost: Cents | None = None,
) -> None:
    """The council's decision in review: feasible at a final cost (at most the envelope and the
    per-project cap) puts the proposal on its budget's ballot; infeasible keeps it off."""
    require_council(db, actor_id)
    row, budget, cycle = _proposal(db, proposal_id)
    _require_phase(cycle, Phase.REVIEW)
    _require_status(
        row, ProposalStatus.IN_REVIEW, ProposalStatus.ON_BALLOT, ProposalStatus.INFEASIBLE
    )
    if feasible:
        limit = min(budget.amount, budget.max_project_cost or budget.amount)
        if final_cost is None:
            raise_if_any({"final_cost": Required()})
        elif not 1 <= final_cost <= limit:
            raise_if_any({"final_cost": OutOfRange(min=1, max=limit)})
    row.status = ProposalStatus.ON_BALLOT if feasible else ProposalStatus.INFEASIBLE
    row.final_cost = final_cost if feasible else None
    db.add(row)
    _log(db, now, actor_id, "proposal.decide", row, final_cost=row.final_cost)
