"""The council's decisions on proposals in review, and merging proposals (co-construction).

Feasible: a final cost (at most the envelope and the per-project cap) puts the proposal on its
budget's ballot; over a submitted review's blocking objection (a criterion scored 0) the council
must write a justification, kept internal (`Proposal.decision_justification`, T7). Infeasible:
a public explanation of at least EXPLANATION_MIN characters, shown on the proposal's page.
Either way the public history records it and every accepted author is told (mandatory: email
even to those who turned optional email off). A decision may be revised until voting opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import Session, col, select

from budget.db.rows import id_of
from budget.db.tables import (
    Budget,
    Cycle,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    Review,
    ReviewAssignment,
)
from budget.domain.cycle import Phase, project_cost_limit
from budget.domain.engagement import FollowTopic
from budget.domain.errors import (
    BudgetError,
    JustificationRequired,
    MergeBudgets,
    MergeTooFew,
    OutOfRange,
    Required,
    TooLong,
    TooShort,
    collect,
    raise_if_any,
)
from budget.domain.money import Cents
from budget.domain.proposals import (
    ADDRESS_MAX,
    DECIDABLE,
    DESCRIPTION_MAX,
    EXPLANATION_MIN,
    SUMMARY_MAX,
    TITLE_MAX,
    AuthorRole,
    AuthorState,
    EventKind,
    ProposalStatus,
    check_text,
)
from budget.domain.review import (
    EXPLANATION_MAX,
    JUSTIFICATION_MAX,
    AssignmentState,
    Criterion,
    ReviewState,
    has_blocking_objection,
)
from budget.services import audit, follows, history
from budget.services.cycles import require_council
from budget.services.guards import proposal_row, require_phase, require_status
from budget.services.mail_text import Kind
from budget.services.notifications import accepted_authors, notify_authors

MERGEABLE = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.IN_REVIEW,
    ProposalStatus.ON_BALLOT,
    ProposalStatus.INFEASIBLE,
)
MERGE_PHASES = (Phase.SUBMISSION, Phase.REVIEW)


def has_blocking_review(db: Session, proposal_id: int) -> bool:
    """Whether a submitted review of the proposal scores any criterion 0."""
    query = select(Review).where(
        Review.proposal_id == proposal_id, Review.state == ReviewState.SUBMITTED
    )
    return any(
        has_blocking_objection([getattr(r, f"{c.value}_score") for c in Criterion])
        for r in db.exec(query).all()
    )


def _text_errors(value: str | None, low: int, high: int) -> None:
    cleaned = (value or "").strip()
    if not cleaned:
        raise Required()
    if len(cleaned) < low:
        raise TooShort(min=low)
    if len(cleaned) > high:
        raise TooLong(max=high)


def _feasible_errors(
    db: Session, row: Proposal, budget: Budget, final_cost: Cents | None, justification: str | None
) -> dict[str, BudgetError]:
    errors: dict[str, BudgetError] = {}
    limit = project_cost_limit(budget.amount, budget.max_project_cost)
    if final_cost is None:
        errors["final_cost"] = Required()
    elif not 1 <= final_cost <= limit:
        errors["final_cost"] = OutOfRange(min=1, max=limit)
    text = (justification or "").strip()
    if len(text) > JUSTIFICATION_MAX:
        errors["justification"] = TooLong(max=JUSTIFICATION_MAX)
    elif not text and has_blocking_review(db, id_of(row)):
        errors["justification"] = JustificationRequired()
    return errors


def decide_proposal(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    proposal_id: int,
    feasible: bool,
    final_cost: Cents | None = None,
    explanation: str | None = None,
    justification: str | None = None,
) -> None:
    """The council's decision in review: feasible at `final_cost` (with an internal
    `justification` when a submitted review objects), or infeasible with a public
    `explanation`. Everything is checked before anything is written."""
    require_council(db, actor_id)
    row, budget, cycle = proposal_row(db, proposal_id)
    require_phase(cycle, Phase.REVIEW)
    require_status(row, *DECIDABLE)
    if feasible:
        raise_if_any(_feasible_errors(db, row, budget, final_cost, justification))
    else:
        errors: dict[str, BudgetError] = {}
        check = partial(_text_errors, explanation, EXPLANATION_MIN, EXPLANATION_MAX)
        collect(errors, "explanation", check)
        raise_if_any(errors)
    row.status = ProposalStatus.ON_BALLOT if feasible else ProposalStatus.INFEASIBLE
    row.final_cost = final_cost if feasible else None
    row.public_explanation = None if feasible else (explanation or "").strip()
    row.decision_justification = (justification or "").strip() or None if feasible else None
    row.decided_at = row.updated_at = now
    db.add(row)
    audit.append(
        db, now, actor=actor_id, action="proposal.decide", object=f"proposal:{proposal_id}",
        details={"status": row.status, "final_cost": row.final_cost,
                 "justified": row.decision_justification is not None},
    )  # fmt: skip
    if feasible:
        history.record(db, now, proposal_id, EventKind.DECIDED_FEASIBLE, final_cost=final_cost)
        notify_authors(
            db, now, row, Kind.DECIDED_FEASIBLE, mandatory=True, title=row.title,
            final_cost=final_cost, currency=budget.currency,
        )  # fmt: skip
        follows.notify_followers(
            db, now, proposal_id, FollowTopic.DECISION, Kind.FOLLOWED_FEASIBLE,
            skip_authors=True, final_cost=final_cost, currency=budget.currency,
        )  # fmt: skip
    else:
        history.record(db, now, proposal_id, EventKind.DECIDED_INFEASIBLE)
        notify_authors(
            db, now, row, Kind.DECIDED_INFEASIBLE, mandatory=True, title=row.title,
            explanation=row.public_explanation,
        )  # fmt: skip
        follows.notify_followers(
            db, now, proposal_id, FollowTopic.DECISION, Kind.FOLLOWED_INFEASIBLE,
            skip_authors=True, explanation=row.public_explanation,
        )  # fmt: skip


# -- merging ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeForm:
    """The merged proposal's own public text, written by the council."""

    title: str
    summary: str
    description: str = ""
    address: str = ""


def _merge_form_errors(form: MergeForm) -> dict[str, BudgetError]:
    errors: dict[str, BudgetError] = {}
    collect(errors, "title", lambda: check_text(form.title, TITLE_MAX))
    collect(errors, "summary", lambda: check_text(form.summary, SUMMARY_MAX))
    if len(form.description.strip()) > DESCRIPTION_MAX:
        errors["description"] = TooLong(max=DESCRIPTION_MAX)
    if len(form.address.strip()) > ADDRESS_MAX:
        errors["address"] = TooLong(max=ADDRESS_MAX)
    return errors


def _sources(db: Session, source_ids: Sequence[int]) -> tuple[list[Proposal], Budget, Cycle]:
    ids = sorted(set(source_ids))
    if len(ids) < 2:
        raise MergeTooFew()
    loaded = [proposal_row(db, i) for i in ids]
    budgets = {budget.id for _, budget, _ in loaded}
    if len(budgets) != 1:
        raise MergeBudgets()
    _, budget, cycle = loaded[0]
    require_phase(cycle, *MERGE_PHASES)
    for row, _, _ in loaded:
        require_status(row, *MERGEABLE)
    return [row for row, _, _ in loaded], budget, cycle


def merge_proposals(
    db: Session, now: datetime, *, actor_id: int, source_ids: Sequence[int], form: MergeForm
) -> int:
    """Merge two or more public proposals of one budget into a new one (co-construction),
    during submission or review. The new proposal has the council's title and text, the
    category and coordinates of the lowest-numbered source, and as its creator that source's
    creator (the proposal stays a residents' proposal, not the council's). Every accepted
    author of every source becomes an accepted author, credited with the source they came from;
    the sources become `merged`, pointing to it; both sides' histories record the merge, and
    every author is told. Reviews of the sources stay with them; the new proposal is reviewed
    afresh. Returns the new proposal's id."""
    require_council(db, actor_id)
    sources, budget, cycle = _sources(db, source_ids)
    raise_if_any(_merge_form_errors(form))
    first = sources[0]
    status = ProposalStatus.IN_REVIEW if cycle.phase == Phase.REVIEW else ProposalStatus.SUBMITTED
    merged = Proposal(
        cycle_id=first.cycle_id, budget_id=id_of(budget), title=form.title.strip(),
        summary=form.summary.strip(), description=form.description.strip(),
        category_id=first.category_id, address=form.address.strip() or None,
        lat_e6=first.lat_e6, lon_e6=first.lon_e6, language=first.language, status=status,
        created_by=first.created_by, created_at=now, submitted_at=now,
    )  # fmt: skip
    db.add(merged)
    db.flush()
    new_id = id_of(merged)
    _credit_authors(db, now, merged, sources)
    db.add(
        ProposalVersion(
            proposal_id=new_id, number=1, title=merged.title, summary=merged.summary,
            description=merged.description, address=merged.address, edited_by=actor_id,
            edited_at=now,
        )
    )  # fmt: skip
    for source in sources:
        source.status, source.merged_into_id, source.updated_at = ProposalStatus.MERGED, new_id, now
        db.add(source)
        _end_assignments(db, id_of(source))
        history.record(db, now, id_of(source), EventKind.MERGED_INTO, into=new_id)
    ids = [id_of(s) for s in sources]
    history.record(db, now, new_id, EventKind.MERGED_FROM, sources=ids)
    audit.append(
        db, now, actor=actor_id, action="proposal.merge", object=f"proposal:{new_id}",
        details={"sources": ids, "status": status},
    )  # fmt: skip
    notify_authors(db, now, merged, Kind.MERGED, title=merged.title)
    return new_id


def _credit_authors(db: Session, now: datetime, merged: Proposal, sources: list[Proposal]) -> None:
    """Accepted authors of the sources, each once (credited from the first source they wrote),
    the first source's creator as the creator."""
    credited: dict[int, int] = {}
    for source in sources:
        for account_id in accepted_authors(db, source):
            credited.setdefault(account_id, id_of(source))
    for account_id, source_id in credited.items():
        role = AuthorRole.CREATOR if account_id == merged.created_by else AuthorRole.COAUTHOR
        db.add(
            ProposalAuthor(
                proposal_id=id_of(merged), account_id=account_id, role=role,
                state=AuthorState.ACCEPTED, credited_from=source_id, invited_at=now,
                answered_at=now,
            )
        )  # fmt: skip
    db.flush()


def _end_assignments(db: Session, proposal_id: int) -> None:
    """A merged-away proposal leaves the reviewers' queues."""
    query = select(ReviewAssignment).where(
        ReviewAssignment.proposal_id == proposal_id,
        col(ReviewAssignment.state) == AssignmentState.ACTIVE,
    )
    for assignment in db.exec(query).all():
        assignment.state = AssignmentState.REMOVED
        db.add(assignment)
