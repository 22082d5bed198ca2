"""What an author sees of their own work: proposals (drafts included), invitations, and the
choices of the proposal form. Drafts appear here only for their accepted authors (T7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from budget.db.queries.cycles import BudgetView, list_budgets
from budget.db.rows import id_of
from budget.db.tables import Account, Budget, Category, Cycle, Proposal, ProposalAuthor
from budget.domain.cycle import Phase
from budget.domain.proposals import AuthorRole, AuthorState, ProposalStatus


@dataclass(frozen=True)
class CategoryChoice:
    id: int
    code: str
    name_fr: str
    name_en: str


@dataclass(frozen=True)
class FormChoices:
    """What the proposal form offers for one cycle."""

    budgets: tuple[BudgetView, ...]
    categories: tuple[CategoryChoice, ...]


@dataclass(frozen=True)
class OwnProposal:
    """One of the account's proposals, as the "my proposals" page lists it."""

    id: int
    cycle_id: int
    cycle_name_fr: str
    cycle_name_en: str
    cycle_phase: Phase
    title: str
    status: ProposalStatus
    role: AuthorRole
    budget_name_fr: str
    budget_name_en: str
    created_at: datetime
    updated_at: datetime | None
    submitted_at: datetime | None
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class InvitationView:
    """An invitation waiting for the account's answer."""

    proposal_id: int
    title: str
    summary: str
    status: ProposalStatus
    cycle_name_fr: str
    cycle_name_en: str
    inviter_name: str
    invited_at: datetime


@dataclass(frozen=True)
class InviteeView:
    """A co-author or invitee of a proposal, for its creator (no email address is shown). The
    name only once they accepted: an invitation must not tell who has an account (T4)."""

    account_id: int
    display_name: str | None
    state: AuthorState
    invited_at: datetime
    answered_at: datetime | None


def category_choices(db: Session, cycle_id: int) -> tuple[CategoryChoice, ...]:
    rows = db.exec(
        select(Category).where(Category.cycle_id == cycle_id).order_by(col(Category.code))
    ).all()
    return tuple(CategoryChoice(id_of(r), r.code, r.name_fr, r.name_en) for r in rows)


def form_choices(db: Session, cycle_id: int) -> FormChoices:
    return FormChoices(
        budgets=list_budgets(db, cycle_id), categories=category_choices(db, cycle_id)
    )


def own_proposals(
    db: Session, account_id: int, *, cycle_id: int | None = None
) -> tuple[OwnProposal, ...]:
    """Proposals the account is an accepted author of, drafts included: newest cycle first,
    then newest proposal first."""
    query = (
        select(Proposal, ProposalAuthor.role, Cycle, Budget)
        .join(ProposalAuthor, col(ProposalAuthor.proposal_id) == col(Proposal.id))
        .join(Cycle, col(Cycle.id) == col(Proposal.cycle_id))
        .join(Budget, col(Budget.id) == col(Proposal.budget_id))
        .where(ProposalAuthor.account_id == account_id)
        .where(ProposalAuthor.state == AuthorState.ACCEPTED)
        .order_by(col(Cycle.instance).desc(), col(Cycle.id).desc(), col(Proposal.id).desc())
    )
    if cycle_id is not None:
        query = query.where(Proposal.cycle_id == cycle_id)
    return tuple(
        OwnProposal(
            id=id_of(p),
            cycle_id=p.cycle_id,
            cycle_name_fr=c.name_fr,
            cycle_name_en=c.name_en,
            cycle_phase=Phase(c.phase),
            title=p.title,
            status=ProposalStatus(p.status),
            role=AuthorRole(role),
            budget_name_fr=b.name_fr,
            budget_name_en=b.name_en,
            created_at=p.created_at,
            updated_at=p.updated_at,
            submitted_at=p.submitted_at,
            withdrawn_at=p.withdrawn_at,
        )
        for p, role, c, b in db.exec(query).all()
    )


def pending_invitations(db: Session, account_id: int) -> tuple[InvitationView, ...]:
    """Invitations to co-author that the account has not answered yet, newest first."""
    inviter = aliased(Account)
    query = (
        select(ProposalAuthor, Proposal, Cycle, inviter.display_name)
        .join(Proposal, col(Proposal.id) == col(ProposalAuthor.proposal_id))
        .join(Cycle, col(Cycle.id) == col(Proposal.cycle_id))
        .join(inviter, col(inviter.id) == col(Proposal.created_by))
        .where(ProposalAuthor.account_id == account_id)
        .where(ProposalAuthor.state == AuthorState.INVITED)
        .order_by(col(ProposalAuthor.invited_at).desc(), col(ProposalAuthor.id).desc())
    )
    return tuple(
        InvitationView(
            proposal_id=id_of(p),
            title=p.title,
            summary=p.summary,
            status=ProposalStatus(p.status),
            cycle_name_fr=c.name_fr,
            cycle_name_en=c.name_en,
            inviter_name=name,
            invited_at=a.invited_at,
        )
        for a, p, c, name in db.exec(query).all()
    )


def invitations_of(db: Session, proposal_id: int) -> tuple[InviteeView, ...]:
    """Everyone the creator invited to the proposal, whatever their answer, in order."""
    query = (
        select(ProposalAuthor, Account.display_name)
        .join(Account, col(Account.id) == col(ProposalAuthor.account_id))
        .where(ProposalAuthor.proposal_id == proposal_id)
        .where(ProposalAuthor.role == AuthorRole.COAUTHOR)
        .order_by(col(ProposalAuthor.id))
    )
    return tuple(
        InviteeView(
            account_id=a.account_id,
            display_name=name if a.state in (AuthorState.ACCEPTED, AuthorState.LEFT) else None,
            state=AuthorState(a.state),
            invited_at=a.invited_at,
            answered_at=a.answered_at,
        )
        for a, name in db.exec(query).all()
    )


def author_role(db: Session, proposal_id: int, account_id: int | None) -> AuthorRole | None:
    """The account's role on the proposal if it is an accepted author, else None."""
    if account_id is None:
        return None
    query = select(ProposalAuthor.role).where(
        ProposalAuthor.proposal_id == proposal_id,
        ProposalAuthor.account_id == account_id,
        ProposalAuthor.state == AuthorState.ACCEPTED,
    )
    role = db.exec(query).first()
    return AuthorRole(role) if role is not None else None


def has_invitation(db: Session, proposal_id: int, account_id: int) -> bool:
    """Whether the account has an unanswered invitation to the proposal (it may then read it,
    even as a draft, to decide)."""
    query = select(ProposalAuthor.id).where(
        ProposalAuthor.proposal_id == proposal_id,
        ProposalAuthor.account_id == account_id,
        ProposalAuthor.state == AuthorState.INVITED,
    )
    return db.exec(query).first() is not None
