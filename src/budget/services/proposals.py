"""Residents' proposals: drafts, edits (a version each), submission, withdrawal, deletion of a
draft, co-authors.

Drafts are private to their accepted authors (domain.proposals.is_public): to anyone else a
draft does not exist (NotFound), while a public proposal they may not change answers
PermissionDenied (T7). A draft is deleted, never withdrawn: withdrawal is for submitted ones.
Everything happens in the submission phase except withdrawal (until voting opens), deleting a
draft (any time) and answering an invitation (until review ends). Each action writes one
audit entry; public facts also go to the proposal's public history (services.history), from
submission on: a draft's life stays private, except its creation, which the history shows once
the proposal is public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.rows import id_of
from budget.db.tables import (
    Account,
    AuditLog,
    Budget,
    Category,
    Cycle,
    District,
    InternalNote,
    Notification,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    ProposalVersion,
)
from budget.domain import cycle as rules
from budget.domain import eligibility, geo
from budget.domain.accounts import normalise_email
from budget.domain.cycle import Phase
from budget.domain.errors import (
    BudgetError,
    EstimateOutOfRange,
    FieldErrors,
    InvalidChoice,
    InvitationLimit,
    NotAuthor,
    NotCreator,
    NotFound,
    ProposalLimit,
    ProposalState,
    ProposerNotEligible,
    Required,
    SelfInvitation,
    TooLong,
    TooManyCoauthors,
    WrongPhase,
    collect,
    raise_if_any,
)
from budget.domain.money import Cents
from budget.domain.proposals import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    EDITABLE,
    MAX_COAUTHORS,
    SUMMARY_MAX,
    TITLE_MAX,
    AuthorRole,
    AuthorState,
    EventKind,
    ProposalStatus,
    check_text,
    is_deletable,
    is_public,
    is_withdrawable,
)
from budget.services import audit, follows, history, identity
from budget.services.guards import budget_row, proposal_row, require_phase, require_status
from budget.services.mail_text import Kind
from budget.services.notifications import accepted_authors, notify

LANGUAGES = ("fr", "en")
ESTIMATE_FACTOR = 100  # an estimate above 100 times the envelope is a typo, not a project
# What counts toward the per-author limit: submitted and not withdrawn (nor merged away).
NOT_COUNTED = (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN, ProposalStatus.MERGED)
OPEN_INVITATION = (AuthorState.INVITED, AuthorState.ACCEPTED)
INVITATIONS_PER_DAY = 20  # per author, over any 24 hours: enough for a team, not for a sweep
INVITATION_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class ProposalForm:
    """What an author writes. Coordinates are text as typed (decimal degrees, both or none);
    the estimate is already parsed into minor units (domain.money) by the caller."""

    budget_id: int | None
    title: str
    summary: str
    description: str = ""
    category_id: int | None = None
    address: str = ""
    lat: str = ""
    lon: str = ""
    estimated_cost: Cents | None = None
    language: str = "fr"


# -- shared helpers ------------------------------------------------------------------------


def _log(
    db: Session, now: datetime, actor: int, action: str, row: Proposal, **details: object
) -> None:
    audit.append(
        db, now, actor=actor, action=action, object=f"proposal:{row.id}",
        details={"status": row.status, **details},
    )  # fmt: skip


def _authorship(db: Session, proposal_id: int, account_id: int) -> ProposalAuthor | None:
    query = select(ProposalAuthor).where(
        ProposalAuthor.proposal_id == proposal_id, ProposalAuthor.account_id == account_id
    )
    return db.exec(query).first()


def _is_public(row: Proposal) -> bool:
    return is_public(ProposalStatus(row.status), row.submitted_at)


def _hidden_or_denied(row: Proposal, error: BudgetError) -> BudgetError:
    """To someone who is not an author, a draft does not exist; a public proposal is refused."""
    return error if _is_public(row) else NotFound(kind="proposal", id=row.id)


def _require_author(db: Session, row: Proposal, actor_id: int) -> ProposalAuthor:
    author = _authorship(db, id_of(row), actor_id)
    if author is None or author.state != AuthorState.ACCEPTED:
        raise _hidden_or_denied(row, NotAuthor())
    return author


def _require_creator(db: Session, row: Proposal, actor_id: int) -> None:
    author = _require_author(db, row, actor_id)
    if author.role != AuthorRole.CREATOR or row.created_by != actor_id:
        raise NotCreator()


def editable(db: Session, proposal_id: int, actor_id: int) -> tuple[Proposal, Budget, Cycle]:
    """The proposal, for one of its accepted authors, while its text may change (submission
    phase, draft or submitted): what its form, its images and its edits need."""
    row, budget, cycle = proposal_row(db, proposal_id)
    _require_author(db, row, actor_id)
    require_phase(cycle, Phase.SUBMISSION)
    require_status(row, *EDITABLE)
    return row, budget, cycle


# -- checking what an author wrote ---------------------------------------------------------------


def _budget_choice(
    db: Session, cycle: Cycle, budget_id: int | None, errors: dict[str, BudgetError]
) -> Budget | None:
    if budget_id is None:
        errors["budget_id"] = Required()
        return None
    budget = db.get(Budget, budget_id)
    if budget is None or budget.cycle_id != cycle.id:
        errors["budget_id"] = InvalidChoice(choices="the budgets of this cycle")
        return None
    return budget


def proposer_errors(
    db: Session, cycle: Cycle, budget: Budget, proposer: int
) -> dict[str, BudgetError]:
    """Where the cycle requires it, the proposer's roll entry must entitle them to the budget
    (domain.eligibility.may_propose); a field error on the budget otherwise."""
    entry = queries.account_entry(db, budget.cycle_id, proposer)
    facts = entry.facts if entry is not None else None
    allowed = eligibility.may_propose(
        cycle.proposers_must_be_eligible, queries.rules_of(cycle), facts,
        queries.budget_scope(budget),
    )  # fmt: skip
    return {} if allowed else {"budget_id": ProposerNotEligible()}


def _category_errors(
    db: Session, cycle: Cycle, category_id: int | None, errors: dict[str, BudgetError]
) -> None:
    """A category of this cycle; required once the cycle has categories."""
    known = db.exec(select(Category.id).where(Category.cycle_id == cycle.id)).all()
    if category_id is None:
        if known:
            errors["category_id"] = Required()
    elif category_id not in known:
        errors["category_id"] = InvalidChoice(choices="the categories of this cycle")


def _place_errors(
    db: Session,
    cycle_id: int | None,
    budget: Budget | None,
    form: ProposalForm,
    errors: dict[str, BudgetError],
) -> tuple[int, int] | None:
    """The address (required for a district budget) and the optional point, inside the
    cycle's map bounds and the district's boundary when the council uploaded boundaries
    (geo.place_point, the one check of a placed point). Returns the point, if any."""
    address = form.address.strip()
    if len(address) > ADDRESS_MAX:
        errors["address"] = TooLong(max=ADDRESS_MAX)
    elif not address and budget is not None and budget.scope == "district":
        errors["address"] = Required()
    lat, lon = form.lat.strip(), form.lon.strip()
    if not lat and not lon:
        return None
    if not lat or not lon:
        errors["lon" if lat else "lat"] = Required()
        return None
    district = db.get(District, budget.district_id) if budget and budget.district_id else None
    outline = district.boundary if district is not None else None
    try:
        return geo.place_point(
            lat,
            lon,
            district=geo.parse_boundary(outline) if outline else None,
            area=_map_area(db, cycle_id),
        )
    except FieldErrors as error:
        errors.update(error.fields)
        return None


def _map_area(db: Session, cycle_id: int | None) -> geo.Extent | None:
    """The cycle's map bounds: the box around its districts' boundaries (those with a budget in
    the cycle), as its map shows them; None when no district has one."""
    if cycle_id is None:
        return None
    in_cycle = select(Budget.district_id).where(Budget.cycle_id == cycle_id)
    outlines = db.exec(
        select(District.boundary)
        .where(col(District.id).in_(in_cycle))
        .where(col(District.boundary).is_not(None))
    ).all()
    return geo.extent_of(geo.parse_boundary(text) for text in outlines if text)


def _estimate_errors(
    budget: Budget | None, estimate: Cents | None, errors: dict[str, BudgetError]
) -> None:
    if estimate is None or budget is None:
        return
    limit = budget.amount * ESTIMATE_FACTOR
    if not 1 <= estimate <= limit:
        errors["estimated_cost"] = EstimateOutOfRange(limit=limit)


def _checked(
    db: Session, cycle: Cycle, form: ProposalForm, proposer: int | None
) -> dict[str, object]:
    """The column values of a valid form; FieldErrors naming every wrong field otherwise.
    `proposer` (the creator) is checked against the cycle's proposer rule."""
    errors: dict[str, BudgetError] = {}
    budget = _budget_choice(db, cycle, form.budget_id, errors)
    if budget is not None and proposer is not None:
        errors |= proposer_errors(db, cycle, budget, proposer)
    collect(errors, "title", lambda: check_text(form.title, TITLE_MAX))
    collect(errors, "summary", lambda: check_text(form.summary, SUMMARY_MAX))
    if len(form.description.strip()) > DESCRIPTION_MAX:
        errors["description"] = TooLong(max=DESCRIPTION_MAX)
    _category_errors(db, cycle, form.category_id, errors)
    point = _place_errors(db, cycle.id, budget, form, errors)
    _estimate_errors(budget, form.estimated_cost, errors)
    if form.language not in LANGUAGES:
        errors["language"] = InvalidChoice(choices=", ".join(LANGUAGES))
    raise_if_any(errors)
    return {
        "budget_id": form.budget_id,
        "title": form.title.strip(),
        "summary": form.summary.strip(),
        "description": form.description.strip(),
        "category_id": form.category_id,
        "address": form.address.strip() or None,
        "lat_e6": point[0] if point else None,
        "lon_e6": point[1] if point else None,
        "estimated_cost": form.estimated_cost,
        "language": form.language,
    }


def problems(db: Session, cycle_id: int, form: ProposalForm) -> dict[str, BudgetError]:
    """Everything wrong with the form for this cycle, by field; writes nothing. A page whose
    own reading of some fields failed shows these for the other fields at the same time."""
    cycle = db.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(kind="cycle", id=cycle_id)
    try:
        _checked(db, cycle, form, None)
    except FieldErrors as error:
        return error.fields
    return {}


def _add_version(db: Session, now: datetime, row: Proposal, editor: int) -> int:
    """Keep the text as saved now as the proposal's next version; returns its number."""
    last = db.exec(
        select(func.max(ProposalVersion.number)).where(ProposalVersion.proposal_id == row.id)
    ).one()
    number = (last or 0) + 1
    db.add(
        ProposalVersion(
            proposal_id=id_of(row), number=number, title=row.title, summary=row.summary,
            description=row.description, address=row.address, edited_by=editor, edited_at=now,
        )
    )  # fmt: skip
    return number


# -- drafts and edits ----------------------------------------------------------------------------


def create_draft(
    db: Session, now: datetime, *, author_id: int, form: ProposalForm, cycle_id: int | None = None
) -> int:
    """A private draft by `author_id`, during the submission phase: the creator as its first
    author, version 1 of its text. `cycle_id` (from the page) makes an unknown budget a field
    error; without it the budget names the cycle and must exist. EmailNotVerified until the
    author's address is verified."""
    if cycle_id is None:
        _, cycle = budget_row(db, form.budget_id or 0)
    else:
        found = db.get(Cycle, cycle_id)
        if found is None:
            raise NotFound(kind="cycle", id=cycle_id)
        cycle = found
    identity.require_may_participate(db, author_id)
    require_phase(cycle, Phase.SUBMISSION)
    values = _checked(db, cycle, form, author_id)
    row = Proposal(
        cycle_id=id_of(cycle), status=ProposalStatus.DRAFT, created_by=author_id,
        created_at=now, **values,  # type: ignore[arg-type]  # checked column values
    )  # fmt: skip
    db.add(row)
    db.flush()
    db.add(
        ProposalAuthor(
            proposal_id=id_of(row), account_id=author_id, role=AuthorRole.CREATOR,
            state=AuthorState.ACCEPTED, invited_at=now, answered_at=now,
        )
    )  # fmt: skip
    _add_version(db, now, row, author_id)
    history.record(db, now, id_of(row), EventKind.CREATED)
    _log(db, now, author_id, "proposal.create", row, budget=row.budget_id, version=1)
    return id_of(row)


def create_proposal(
    db: Session,
    now: datetime,
    *,
    author_id: int,
    budget_id: int,
    title: str,
    summary: str,
    description: str = "",
    category_id: int | None = None,
    address: str = "",
    lat: str = "",
    lon: str = "",
    estimated_cost: Cents | None = None,
    language: str = "fr",
) -> int:
    """`create_draft` with the fields as keywords (the demo and the tests call it so)."""
    form = ProposalForm(
        budget_id=budget_id, title=title, summary=summary, description=description,
        category_id=category_id, address=address, lat=lat, lon=lon,
        estimated_cost=estimated_cost, language=language,
    )  # fmt: skip
    return create_draft(db, now, author_id=author_id, form=form)


def update_proposal(
    db: Session, now: datetime, *, actor_id: int, proposal_id: int, form: ProposalForm
) -> int:
    """Any accepted author saves a new text while the submission phase lasts, for a draft or
    a submitted proposal; each save is a new version (returned). Public once submitted."""
    row, _, cycle = editable(db, proposal_id, actor_id)
    values = _checked(db, cycle, form, row.created_by)
    changed = sorted(name for name, value in values.items() if getattr(row, name) != value)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now
    db.add(row)
    number = _add_version(db, now, row, actor_id)
    if _is_public(row):
        history.record(db, now, proposal_id, EventKind.EDITED, version=number)
    _log(db, now, actor_id, "proposal.update", row, version=number, changed=changed)
    return number


def submit_proposal(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> None:
    """The creator makes the draft public, within the per-author limit of the cycle; a draft
    made before its creator's address needed verifying waits for it (EmailNotVerified)."""
    row, budget, cycle = proposal_row(db, proposal_id)
    _require_creator(db, row, actor_id)
    identity.require_may_participate(db, actor_id)
    require_phase(cycle, Phase.SUBMISSION)
    require_status(row, ProposalStatus.DRAFT)
    raise_if_any(proposer_errors(db, cycle, budget, actor_id))
    query = (
        select(func.count()).select_from(Proposal)
        .where(Proposal.cycle_id == row.cycle_id, Proposal.created_by == actor_id)
        .where(col(Proposal.status).not_in([s.value for s in NOT_COUNTED]))
    )  # fmt: skip
    if db.exec(query).one() >= cycle.max_proposals_per_author:
        raise ProposalLimit(max=cycle.max_proposals_per_author)
    row.status, row.submitted_at = ProposalStatus.SUBMITTED, now
    db.add(row)
    for author in accepted_authors(db, row):  # authors follow their own proposal by default
        follows.ensure_following(db, now, proposal_id, author)
    history.record(db, now, proposal_id, EventKind.SUBMITTED)
    _log(db, now, actor_id, "proposal.submit", row)


def withdraw_proposal(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> None:
    """The creator withdraws a submitted proposal, until voting opens; its page stays, marked.
    A draft is not withdrawn but deleted (`delete_draft`)."""
    row, _, cycle = proposal_row(db, proposal_id)
    _require_creator(db, row, actor_id)
    if rules.is_locked(Phase(cycle.phase)):
        raise WrongPhase(phase=cycle.phase)
    if not is_withdrawable(ProposalStatus(row.status), row.submitted_at):
        raise ProposalState(status=row.status)
    row.status, row.withdrawn_at = ProposalStatus.WITHDRAWN, now
    db.add(row)
    history.record(db, now, proposal_id, EventKind.WITHDRAWN)
    _log(db, now, actor_id, "proposal.withdraw", row)


DRAFT_PARTS = (ProposalAuthor, ProposalVersion, ProposalEvent, Notification, InternalNote)


def delete_draft(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> None:
    """An accepted author deletes a private proposal (a draft, never submitted) with its
    versions, authors, private history and the notifications about it; the audit log keeps
    the fact and the title. A public proposal cannot be deleted (it is withdrawn instead)."""
    row, _, _ = proposal_row(db, proposal_id)
    _require_author(db, row, actor_id)
    if not is_deletable(ProposalStatus(row.status), row.submitted_at):
        raise ProposalState(status=row.status)
    _log(db, now, actor_id, "proposal.delete", row, title=row.title)
    for part in DRAFT_PARTS:
        db.execute(delete(part).where(col(part.proposal_id) == proposal_id))
    db.delete(row)
    db.flush()


# -- co-authors ----------------------------------------------------------------------------------


def _invitation_quota(db: Session, now: datetime, actor_id: int) -> None:
    """At most INVITATIONS_PER_DAY invitations per author in any 24 hours, whatever the
    addresses (known or not: counting only the known ones would tell them apart again)."""
    since = now - INVITATION_WINDOW
    query = (
        select(AuditLog.at)
        .where(AuditLog.actor == f"account:{actor_id}", AuditLog.action == "proposal.invite")
        .where(col(AuditLog.at) >= since)
        .order_by(col(AuditLog.at))
    )
    recent = db.exec(query).all()
    if len(recent) >= INVITATIONS_PER_DAY:
        wait = int((recent[0] + INVITATION_WINDOW - now).total_seconds()) + 1
        raise InvitationLimit(max=INVITATIONS_PER_DAY, retry_after=max(wait, 1))


def invite_coauthor(
    db: Session, now: datetime, *, actor_id: int, proposal_id: int, email: str
) -> None:
    """The creator invites a resident, by the email of their account, to co-author the
    proposal (at most MAX_COAUTHORS invited or accepted), during the submission phase.

    The answer is the same for every well-formed address (T4: no account oracle): an address
    no account uses, or one already invited, is recorded in the audit log and nothing else.
    Each attempt counts toward the author's daily quota. The invitee's name is shown to the
    creator only once they accept (queries.invitations_of)."""
    row, _, cycle = proposal_row(db, proposal_id)
    _require_creator(db, row, actor_id)
    require_phase(cycle, Phase.SUBMISSION)
    require_status(row, *EDITABLE)
    try:
        address = normalise_email(email)
    except BudgetError as error:
        raise FieldErrors({"email": error}) from None
    inviter = db.get(Account, actor_id)
    if inviter is not None and inviter.email == address:  # their own address: nothing to hide
        raise FieldErrors({"email": SelfInvitation()})
    open_seats = db.exec(
        select(func.count()).select_from(ProposalAuthor)
        .where(ProposalAuthor.proposal_id == proposal_id)
        .where(ProposalAuthor.role == AuthorRole.COAUTHOR)
        .where(col(ProposalAuthor.state).in_([s.value for s in OPEN_INVITATION]))
    ).one()  # fmt: skip
    if open_seats >= MAX_COAUTHORS:  # seats the creator's own page already counts
        raise FieldErrors({"email": TooManyCoauthors(max=MAX_COAUTHORS)})
    _invitation_quota(db, now, actor_id)
    invitee = db.exec(select(Account).where(Account.email == address)).first()
    existing = _authorship(db, proposal_id, id_of(invitee)) if invitee else None
    if invitee is None or (existing is not None and existing.state in OPEN_INVITATION):
        _log(db, now, actor_id, "proposal.invite", row, invitee=None)  # the same answer
        return
    _log(db, now, actor_id, "proposal.invite", row, invitee=invitee.id)
    if existing is None:  # someone who declined or left may be asked again
        existing = ProposalAuthor(
            proposal_id=proposal_id, account_id=id_of(invitee), role=AuthorRole.COAUTHOR,
            state=AuthorState.INVITED, invited_at=now,
        )  # fmt: skip
    existing.state, existing.invited_at, existing.answered_at = AuthorState.INVITED, now, None
    db.add(existing)
    notify(
        db, now, id_of(invitee), Kind.COAUTHOR_INVITED, proposal_id=proposal_id,
        title=row.title, inviter=inviter.display_name if inviter else "",
    )  # fmt: skip


def answer_invitation(
    db: Session, now: datetime, *, actor_id: int, proposal_id: int, accept: bool
) -> None:
    """The invitee accepts (and becomes an author, shown publicly) or declines. Accepting is
    possible until review ends, while the proposal is neither withdrawn nor merged."""
    row, _, cycle = proposal_row(db, proposal_id)
    author = _authorship(db, proposal_id, actor_id)
    if author is None or author.state != AuthorState.INVITED:
        raise NotFound(kind="invitation", id=proposal_id)
    if accept:
        identity.require_may_participate(db, actor_id)
        require_phase(cycle, Phase.SUBMISSION, Phase.REVIEW)
        require_status(row, *EDITABLE, ProposalStatus.IN_REVIEW)
    author.state = AuthorState.ACCEPTED if accept else AuthorState.DECLINED
    author.answered_at = now
    db.add(author)
    if accept and _is_public(row):
        follows.ensure_following(db, now, proposal_id, actor_id)
        name = db.get(Account, actor_id)
        history.record(
            db,
            now,
            proposal_id,
            EventKind.COAUTHOR_JOINED,
            author=name.display_name if name else "",
        )
    _log(db, now, actor_id, "proposal.invitation", row, accepted=accept)


def leave_proposal(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> None:
    """A co-author, or an author credited from a merged proposal, takes their name off. The
    creator cannot leave their own proposal (they withdraw it instead)."""
    row, _, _ = proposal_row(db, proposal_id)
    author = _require_author(db, row, actor_id)
    if author.role == AuthorRole.CREATOR and author.credited_from is None:
        raise ProposalState(status=row.status)
    author.state, author.answered_at = AuthorState.LEFT, now
    db.add(author)
    if _is_public(row):
        name = db.get(Account, actor_id)
        history.record(
            db, now, proposal_id, EventKind.COAUTHOR_LEFT, author=name.display_name if name else ""
        )
    _log(db, now, actor_id, "proposal.leave", row)
