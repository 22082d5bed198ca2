"""Implementation tracking: funded proposals become projects whose building the council reports
(PRODUCT.md "Implementation tracking"): status, progress, amount spent, milestones.

`mark_funded` is the one way a proposal becomes `funded`: results publishing calls it with the
winners of each budget; until results exist the demo and the tests call it on a closed cycle.
Each change is one transaction: checked first (domain/implementation.py), then written, dated,
audited, and told to the project's people (`_tell`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from budget.db.tables import Cycle, Implementation, ImplementationChange, Milestone, Proposal
from budget.domain.cycle import Phase
from budget.domain.engagement import FollowTopic
from budget.domain.errors import NotFound, NotFundable
from budget.domain.implementation import ImplementationStatus, check_change, check_milestone
from budget.domain.proposals import EventKind, ProposalStatus
from budget.services import audit, follows, history
from budget.services.cycles import editable_cycle, require_council
from budget.services.mail_text import Kind
from budget.services.notifications import notify_authors

# A cycle whose count is done: results publishing marks the winners during these phases.
FUNDING_PHASES = (Phase.CLOSED, Phase.CERTIFIED, Phase.IMPLEMENTATION)


def _tell(db: Session, now: datetime, row: Proposal, kind: str, **params: Any) -> None:
    """The one call site telling a project's people about a change: its accepted authors, then
    its followers who want this topic (funding is a result, the rest is its building)."""
    notify_authors(db, now, row, kind, title=row.title, **params)
    topic = FollowTopic.RESULTS if kind == Kind.PROJECT_FUNDED else FollowTopic.IMPLEMENTATION
    follows.notify_followers(db, now, row.id or 0, topic, kind, skip_authors=True, **params)


def _fundable(db: Session, proposal_id: int) -> Proposal:
    row = db.get(Proposal, proposal_id)
    cycle = db.get(Cycle, row.cycle_id) if row else None
    if row is None or cycle is None:
        raise NotFound(kind="proposal", id=proposal_id)
    if row.status != ProposalStatus.ON_BALLOT or cycle.phase not in FUNDING_PHASES:
        raise NotFundable(id=proposal_id)
    return row


def mark_funded(db: Session, now: datetime, *, actor_id: int, proposal_ids: Sequence[int]) -> None:
    """Make these proposals (on the ballot of a counted cycle) `funded`, each a project
    `planned` at 0 %: the public history says so, the audit log records it, authors are told.
    Every id is checked before anything is written (NotFundable names the first bad one)."""
    require_council(db, actor_id)
    rows = [_fundable(db, i) for i in dict.fromkeys(proposal_ids)]
    for row in rows:
        proposal_id = row.id or 0
        row.status, row.updated_at = ProposalStatus.FUNDED, now
        db.add(row)
        db.add(
            Implementation(
                proposal_id=proposal_id, status=ImplementationStatus.PLANNED, progress=0,
                funded_at=now, updated_at=now,
            )
        )  # fmt: skip
        db.flush()
        db.add(
            ImplementationChange(
                proposal_id=proposal_id, at=now, status=ImplementationStatus.PLANNED, progress=0
            )
        )
        history.record(db, now, proposal_id, EventKind.FUNDED, final_cost=row.final_cost)
        _tell(db, now, row, Kind.PROJECT_FUNDED)
    audit.append(
        db, now, actor=actor_id, action="proposal.fund", object="proposals",
        details={"ids": [r.id for r in rows]},
    )  # fmt: skip


def _project(db: Session, proposal_id: int) -> tuple[Implementation, Proposal]:
    """The project and its proposal, refused when its cycle is archived (read-only)."""
    row = db.get(Implementation, proposal_id)
    proposal = db.get(Proposal, proposal_id)
    if row is None or proposal is None:
        raise NotFound(kind="project", id=proposal_id)
    editable_cycle(db, proposal.cycle_id)
    return row, proposal


def update_project(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    proposal_id: int,
    status: ImplementationStatus,
    progress: int,
    spent: int | None,
    note: str = "",
) -> None:
    """Record the project's new status, progress and amount spent, with a public note (the
    reason, when abandoned). Refused as a whole when the move or any field is wrong."""
    require_council(db, actor_id)
    row, proposal = _project(db, proposal_id)
    change = check_change(
        ImplementationStatus(row.status), status, progress=progress, spent=spent, note=note
    )
    row.status, row.progress, row.spent = change.status, change.progress, change.spent
    if change.status is ImplementationStatus.ABANDONED:
        row.reason = change.note
    row.updated_at = now
    db.add(row)
    db.add(
        ImplementationChange(
            proposal_id=proposal_id, at=now, status=change.status, progress=change.progress,
            spent=change.spent, note=change.note,
        )
    )  # fmt: skip
    audit.append(
        db, now, actor=actor_id, action="project.update", object=f"proposal:{proposal_id}",
        details={"status": change.status.value, "progress": change.progress,
                 "spent": change.spent},
    )  # fmt: skip
    _tell(
        db, now, proposal, Kind.PROJECT_UPDATED, implementation_status=change.status.value,
        progress=change.progress, note=change.note,
    )  # fmt: skip


def add_milestone(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    proposal_id: int,
    title: str,
    planned_on: date | None,
    reached_on: date | None = None,
    note: str = "",
) -> int:
    """Add a milestone to the project's timeline; returns its id."""
    require_council(db, actor_id)
    _, proposal = _project(db, proposal_id)
    fields = check_milestone(title=title, planned_on=planned_on, reached_on=reached_on, note=note)
    milestone = Milestone(
        proposal_id=proposal_id, title=fields.title, planned_on=fields.planned_on,
        reached_on=fields.reached_on, note=fields.note, created_at=now, updated_at=now,
    )  # fmt: skip
    db.add(milestone)
    db.flush()
    _milestone_done(db, now, actor_id, proposal, milestone, action="milestone.add")
    return milestone.id or 0


def update_milestone(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    milestone_id: int,
    title: str,
    planned_on: date | None,
    reached_on: date | None = None,
    note: str = "",
) -> None:
    """Change a milestone (its dates, once reached; its note)."""
    require_council(db, actor_id)
    milestone = db.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound(kind="milestone", id=milestone_id)
    _, proposal = _project(db, milestone.proposal_id)
    fields = check_milestone(title=title, planned_on=planned_on, reached_on=reached_on, note=note)
    milestone.title, milestone.planned_on = fields.title, fields.planned_on
    milestone.reached_on, milestone.note, milestone.updated_at = fields.reached_on, fields.note, now
    db.add(milestone)
    _milestone_done(db, now, actor_id, proposal, milestone, action="milestone.update")


def _milestone_done(
    db: Session, now: datetime, actor_id: int, proposal: Proposal, milestone: Milestone, *,
    action: str,
) -> None:  # fmt: skip
    row = db.get(Implementation, proposal.id)
    assert row is not None  # noqa: S101 - checked by _project
    row.updated_at = now
    db.add(row)
    reached = milestone.reached_on.isoformat() if milestone.reached_on else None
    audit.append(
        db, now, actor=actor_id, action=action, object=f"milestone:{milestone.id}",
        details={"proposal": proposal.id, "title": milestone.title,
                 "planned_on": milestone.planned_on.isoformat(), "reached_on": reached},
    )  # fmt: skip
    _tell(
        db, now, proposal, Kind.MILESTONE, milestone=milestone.title,
        planned_on=milestone.planned_on.isoformat(), reached_on=reached,
    )  # fmt: skip
