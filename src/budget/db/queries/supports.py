"""Supports, as plain values: a cycle's option, public counts, whether one resident supports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.tables import Proposal, Support, SupportSettings
from budget.domain.engagement import reaches_threshold
from budget.domain.proposals import ProposalStatus


@dataclass(frozen=True)
class SupportOption:
    enabled: bool = False
    threshold: int | None = None


def support_option(db: Session, cycle_id: int) -> SupportOption:
    row = db.get(SupportSettings, cycle_id)
    if row is None:
        return SupportOption()
    return SupportOption(enabled=row.enabled, threshold=row.threshold)


def support_counts(db: Session, proposal_ids: Iterable[int]) -> Mapping[int, int]:
    """The public support count of each proposal (0 included)."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    query = (
        select(Support.proposal_id, func.count())
        .where(col(Support.proposal_id).in_(ids))
        .group_by(col(Support.proposal_id))
    )
    found = dict(db.exec(query).all())
    return {i: found.get(i, 0) for i in ids}


def supports_of_cycle(db: Session, cycle_id: int) -> Mapping[int, int]:
    """Support counts of every proposal of the cycle that has any (the listing's sort)."""
    query = (
        select(Support.proposal_id, func.count())
        .join(Proposal, col(Proposal.id) == col(Support.proposal_id))
        .where(Proposal.cycle_id == cycle_id)
        .group_by(col(Support.proposal_id))
    )
    return dict(db.exec(query).all())


def has_supported(db: Session, proposal_id: int, account_id: int | None) -> bool:
    if account_id is None:
        return False
    query = select(Support.id).where(
        Support.proposal_id == proposal_id, Support.account_id == account_id
    )
    return db.exec(query).first() is not None


def below_threshold(db: Session, cycle_id: int) -> Mapping[int, tuple[int, int]]:
    """The cycle's submitted proposals short of its support threshold: id -> (supports,
    threshold); none when supports are off or there is no threshold. Read as review starts."""
    option = support_option(db, cycle_id)
    if not option.enabled or option.threshold is None:
        return {}
    counts = supports_of_cycle(db, cycle_id)
    submitted = db.exec(
        select(Proposal.id).where(
            Proposal.cycle_id == cycle_id, Proposal.status == ProposalStatus.SUBMITTED
        )
    ).all()
    return {
        pid: (counts.get(pid, 0), option.threshold)
        for pid in submitted
        if pid is not None and not reaches_threshold(counts.get(pid, 0), option.threshold)
    }
