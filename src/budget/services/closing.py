"""Closing a cycle's vote (T8): the one list of blockers, then the sealed ballot boxes.

`close_blockers` is the one list of reasons a cycle cannot close; `cycles.advance_phase`
refuses the move while it is not empty, then calls `close_boxes` in the same transaction:
voter-to-ballot links destroyed (T3), each budget's box sealed (`results_box.seal`), its
SHA-256 stored with the ballot counts and written to the audit log. The database then refuses
any change to those ballots and boxes (triggers of migration 0012).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from budget.db import queries
from budget.db.tables import BallotLink, Budget, ClosedBox, FrozenBudget
from budget.domain import cycle as cycle_rules
from budget.domain.cycle import Phase, Reason
from budget.pabulib import recount
from budget.services import audit, results_box


def budget_ids(db: Session, cycle_id: int) -> list[int]:
    query = select(Budget.id).where(Budget.cycle_id == cycle_id).order_by(col(Budget.id))
    return [i for i in db.exec(query).all() if i is not None]


def close_blockers(db: Session, cycle_id: int, now: datetime) -> list[Reason]:
    """Every reason the cycle cannot close now: the phase guard (voting not ended) and each
    polling place and budget not reconciled (services.polling: a surplus of paper ballots
    over check-ins, or batches not accepted). The one list the close step and the admin page
    show."""
    from budget.services import polling  # polling -> codes -> cycles -> closing: import on use

    phase = cycle_rules.transition_problems(queries.cycle_snapshot(db, cycle_id, now), Phase.CLOSED)
    places = [
        Reason(b.code, {**b.params, "place": b.place_name, "budget": b.budget_id})
        for b in polling.close_blockers(db, cycle_id)
    ]
    return [*phase, *places]


def close_boxes(
    db: Session, now: datetime, *, actor_id: int, cycle_id: int
) -> dict[str, str | None]:
    """Destroy the cycle's voter-to-ballot links and seal each frozen budget's box (called by
    `cycles.advance_phase` after `close_blockers` came back empty). Returns budget -> SHA-256."""
    ids = budget_ids(db, cycle_id)
    db.exec(delete(BallotLink).where(col(BallotLink.budget_id).in_(ids)))
    fingerprints: dict[str, str | None] = {}
    for budget_id in ids:
        if db.get(FrozenBudget, budget_id) is None:
            continue
        sealed = results_box.seal(db, budget_id)
        data = sealed.text.encode()
        digest = recount.sha256(data)
        # Blank and invalid paper ballots are read in the accepted batches, never stored as
        # ballots (a .pb vote lists projects): they are counted here, beside the box.
        _, paper_blank, paper_invalid = queries.paper_tally(db, budget_id)
        blank = {"online": sealed.blank["online"], "paper": sealed.blank["paper"] + paper_blank}
        invalid = {"online": 0, "paper": paper_invalid}
        db.add(
            ClosedBox(
                budget_id=budget_id, box=data, sha256=digest,
                valid_online=sealed.valid["online"], valid_paper=sealed.valid["paper"],
                blank_online=blank["online"], blank_paper=blank["paper"],
                invalid_online=invalid["online"], invalid_paper=invalid["paper"], closed_at=now,
            )
        )  # fmt: skip
        db.flush()
        fingerprints[f"budget:{budget_id}"] = digest
        audit.append(
            db, now, actor=actor_id, action="results.close", object=f"budget:{budget_id}",
            details={"sha256": digest, "valid": sealed.valid, "blank": blank, "invalid": invalid},
        )  # fmt: skip
    return fingerprints
