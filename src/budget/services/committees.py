"""Review committees of a cycle (a city department's reviewers): create one, add and remove
members. Members must hold the reviewer role; spreading proposals across a committee and
reassigning after a conflict live in services/review.py. Council only; every change audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from budget.db import queries
from budget.db.rows import id_of
from budget.db.tables import Committee, CommitteeMember, Cycle
from budget.domain.accounts import Role
from budget.domain.errors import (
    AlreadyMember,
    BudgetError,
    CommitteeNameTaken,
    FieldErrors,
    NotFound,
    NotReviewer,
)
from budget.domain.proposals import check_text
from budget.services import audit
from budget.services.cycles import require_council

COMMITTEE_NAME_MAX = 120


def _cycle_exists(db: Session, cycle_id: int) -> None:
    if db.get(Cycle, cycle_id) is None:
        raise NotFound(kind="cycle", id=cycle_id)


def _committee(db: Session, committee_id: int) -> Committee:
    row = db.get(Committee, committee_id)
    if row is None:
        raise NotFound(kind="committee", id=committee_id)
    return row


def create_committee(db: Session, now: datetime, *, actor_id: int, cycle_id: int, name: str) -> int:
    require_council(db, actor_id)
    _cycle_exists(db, cycle_id)
    try:
        cleaned = check_text(name, COMMITTEE_NAME_MAX)
    except BudgetError as error:
        raise FieldErrors({"name": error}) from None
    taken = select(Committee.id).where(Committee.cycle_id == cycle_id, Committee.name == cleaned)
    if db.exec(taken).first() is not None:
        raise FieldErrors({"name": CommitteeNameTaken()})
    row = Committee(cycle_id=cycle_id, name=cleaned)
    db.add(row)
    db.flush()
    audit.append(
        db,
        now,
        actor=actor_id,
        action="committee.create",
        object=f"committee:{row.id}",
        details={"cycle": cycle_id, "name": cleaned},
    )
    return id_of(row)


def add_member(
    db: Session, now: datetime, *, actor_id: int, committee_id: int, account_id: int
) -> None:
    """Add a reviewer (an account holding the reviewer role) to the committee."""
    require_council(db, actor_id)
    _committee(db, committee_id)
    if not queries.has_role(db, account_id, Role.REVIEWER):
        raise NotReviewer()
    member = select(CommitteeMember.id).where(
        CommitteeMember.committee_id == committee_id, CommitteeMember.account_id == account_id
    )
    if db.exec(member).first() is not None:
        raise AlreadyMember()
    db.add(CommitteeMember(committee_id=committee_id, account_id=account_id))
    audit.append(
        db,
        now,
        actor=actor_id,
        action="committee.add-member",
        object=f"committee:{committee_id}",
        details={"account": account_id},
    )


def remove_member(
    db: Session, now: datetime, *, actor_id: int, committee_id: int, account_id: int
) -> None:
    """Take a reviewer off the committee; their assignments stay (unassign them separately)."""
    require_council(db, actor_id)
    query = select(CommitteeMember).where(
        CommitteeMember.committee_id == committee_id, CommitteeMember.account_id == account_id
    )
    row = db.exec(query).first()
    if row is None:
        raise NotFound(kind="committee member", id=account_id)
    db.delete(row)
    audit.append(
        db,
        now,
        actor=actor_id,
        action="committee.remove-member",
        object=f"committee:{committee_id}",
        details={"account": account_id},
    )
