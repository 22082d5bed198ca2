"""Supports (PRODUCT.md "Before review: supports", a cycle option): during submission a
resident supports submitted proposals, one support each (the `support` table's unique
constraint is the rule, so two requests at once still make one), withdrawable until the phase
ends. Counts are public. With a threshold, proposals with fewer supports do not go to review
when it starts: they are marked "not enough support", with their count, in public.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from budget.db.tables import Cycle, Proposal, Support, SupportSettings
from budget.domain import engagement as rules
from budget.domain.cycle import Phase
from budget.domain.errors import FieldErrors, NotFound, OutOfRange, ProposalState, WrongPhase
from budget.domain.proposals import ProposalStatus
from budget.services import audit, follows, identity
from budget.services.cycles import editable_cycle, require_council

THRESHOLD_MAX = 1_000_000
CONFIGURABLE = (Phase.DRAFT, Phase.SUBMISSION)  # the threshold applies when review starts


def settings_of(db: Session, cycle_id: int) -> SupportSettings:
    return db.get(SupportSettings, cycle_id) or SupportSettings(cycle_id=cycle_id)


def configure_supports(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    cycle_id: int,
    enabled: bool,
    threshold: int | None,
) -> None:
    """The council turns supports on or off and sets the optional threshold, before review."""
    require_council(db, actor_id)
    cycle = editable_cycle(db, cycle_id)
    if cycle.phase not in CONFIGURABLE:
        raise WrongPhase(phase=cycle.phase)
    if threshold is not None and not 1 <= threshold <= THRESHOLD_MAX:
        raise FieldErrors({"threshold": OutOfRange(min=1, max=THRESHOLD_MAX)})
    row = settings_of(db, cycle_id)
    row.enabled, row.threshold = enabled, threshold if enabled else None
    db.add(row)
    audit.append(
        db, now, actor=actor_id, action="cycle.supports", object=f"cycle:{cycle_id}",
        details={"enabled": enabled, "threshold": row.threshold},
    )  # fmt: skip


def _open_proposal(db: Session, proposal_id: int) -> Proposal:
    """The proposal, if supports may be given or withdrawn on it now."""
    row = db.get(Proposal, proposal_id)
    if row is None or row.submitted_at is None or row.hidden_at is not None:
        raise NotFound(kind="proposal", id=proposal_id)
    cycle = db.get(Cycle, row.cycle_id)
    assert cycle is not None  # noqa: S101 - a proposal's cycle exists (foreign key)
    rules.check_supports_open(settings_of(db, row.cycle_id).enabled, Phase(cycle.phase))
    if row.status != ProposalStatus.SUBMITTED:
        raise ProposalState(status=row.status)
    return row


def _existing(db: Session, proposal_id: int, account_id: int) -> Support | None:
    query = select(Support).where(
        Support.proposal_id == proposal_id, Support.account_id == account_id
    )
    return db.exec(query).first()


def support(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> bool:
    """The resident supports the proposal, and follows it; False (nothing changes) if they
    already did, also when another request of theirs got there first. EmailNotVerified until
    the resident's address is verified (taking a support back needs no check)."""
    _open_proposal(db, proposal_id)
    identity.require_may_participate(db, actor_id)
    if _existing(db, proposal_id, actor_id) is not None:
        return False
    try:
        with db.begin_nested():
            db.add(Support(proposal_id=proposal_id, account_id=actor_id, created_at=now))
    except IntegrityError:  # the same support committed meanwhile: the constraint kept one
        return False
    follows.ensure_following(db, now, proposal_id, actor_id)
    audit.append(
        db, now, actor=actor_id, action="proposal.support", object=f"proposal:{proposal_id}"
    )
    return True


def withdraw_support(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> bool:
    """The resident takes their support back while the submission phase lasts."""
    _open_proposal(db, proposal_id)
    row = _existing(db, proposal_id, actor_id)
    if row is None:
        return False
    db.delete(row)
    audit.append(
        db, now, actor=actor_id, action="proposal.support-withdraw",
        object=f"proposal:{proposal_id}",
    )  # fmt: skip
    return True


def count_of(db: Session, proposal_id: int) -> int:
    query = select(func.count()).select_from(Support).where(Support.proposal_id == proposal_id)
    return db.exec(query).one()
