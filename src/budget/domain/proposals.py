"""Proposal states and text limits (PRODUCT.md "Proposals"); the proposals feature extends it.

Life: `draft -> submitted -> in_review -> on_ballot | infeasible`, side exits `withdrawn` and
`merged`; with a support threshold, `submitted -> unsupported` when review starts; after the
count `on_ballot -> funded` (services/implementation.py `mark_funded`,
which results publishing calls).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from budget.domain.cycle import Phase, is_locked
from budget.domain.errors import Required, TooLong

TITLE_MAX = 120
SUMMARY_MAX = 500
DESCRIPTION_MAX = 10_000
ADDRESS_MAX = 200
MAX_COAUTHORS = 5  # invited by the creator, besides the creator
EXPLANATION_MIN = 20  # a public explanation of infeasibility, in characters


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    ON_BALLOT = "on_ballot"
    INFEASIBLE = "infeasible"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"
    UNSUPPORTED = "unsupported"  # short of the cycle's support threshold when review started
    FUNDED = "funded"
    NOT_FUNDED = "not_funded"  # on the ballot, not among the published winners


class AuthorRole(StrEnum):
    CREATOR = "creator"
    COAUTHOR = "coauthor"


class AuthorState(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LEFT = "left"  # a co-author who left, or a merged-in author who removed their name


class EventKind(StrEnum):
    """What the public history of a proposal records (table `proposal_event`)."""

    CREATED = "created"
    SUBMITTED = "submitted"
    EDITED = "edited"
    COAUTHOR_JOINED = "coauthor_joined"
    COAUTHOR_LEFT = "coauthor_left"
    REVIEW_STARTED = "review_started"
    DECIDED_FEASIBLE = "decided_feasible"
    DECIDED_INFEASIBLE = "decided_infeasible"
    MERGED_INTO = "merged_into"  # on each source: {"into": id}
    MERGED_FROM = "merged_from"  # on the new proposal: {"sources": [ids]}
    WITHDRAWN = "withdrawn"
    NOT_ENOUGH_SUPPORT = "not_enough_support"  # {"supports": n, "threshold": t}
    FUNDED = "funded"


# Submitted, not yet decided: opening voting waits for these (PRODUCT.md, review -> voting).
UNDECIDED = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW})
# The statuses a public proposal can have (the list's status filter offers these).
PUBLIC_STATUSES = tuple(s for s in ProposalStatus if s is not ProposalStatus.DRAFT)
# Authors edit the text (during submission) of a draft or a submitted proposal.
EDITABLE = frozenset({ProposalStatus.DRAFT, ProposalStatus.SUBMITTED})
# The creator withdraws a submitted proposal until voting opens; a draft is deleted instead.
WITHDRAWABLE = frozenset(
    {ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.ON_BALLOT}
)


# The council decides (or revises its decision) on these, during review.
DECIDABLE = frozenset(
    {ProposalStatus.IN_REVIEW, ProposalStatus.ON_BALLOT, ProposalStatus.INFEASIBLE}
)


def is_decidable(phase: Phase, status: ProposalStatus) -> bool:
    """Whether the council may decide on the proposal now (the decision form is offered)."""
    return phase is Phase.REVIEW and status in DECIDABLE


def is_public(status: ProposalStatus, submitted_at: datetime | None) -> bool:
    """The one visibility rule (T7): a proposal is public from its submission on, whatever
    became of it since (in review, decided, withdrawn, merged). A draft is its authors' alone,
    and so is a draft withdrawn before withdrawal was reserved to submitted proposals (it has
    no submission time). `db.queries.publicly_visible()` is this rule in SQL. Moderation does
    not make a proposal private: its page stays, saying why it is hidden, but it leaves every
    listing (`is_listed`)."""
    return submitted_at is not None and status is not ProposalStatus.DRAFT


def is_listed(
    status: ProposalStatus, submitted_at: datetime | None, hidden_at: datetime | None
) -> bool:
    """Whether a proposal appears in the public list, map and exports: public and not hidden
    by moderation. `db.queries.publicly_listed()` is this rule in SQL."""
    return is_public(status, submitted_at) and hidden_at is None


def is_deletable(status: ProposalStatus, submitted_at: datetime | None) -> bool:
    """A private proposal (never submitted) may be deleted by its authors; a public one stays,
    since others may have read, reviewed or linked to it."""
    return not is_public(status, submitted_at)


def is_withdrawable(status: ProposalStatus, submitted_at: datetime | None) -> bool:
    """Withdrawing applies to a submitted proposal, not yet withdrawn, merged or refused."""
    return is_public(status, submitted_at) and status in WITHDRAWABLE


def is_editable(phase: Phase, status: ProposalStatus) -> bool:
    """Whether authors may change the text: a draft or a submitted proposal, during submission."""
    return phase is Phase.SUBMISSION and status in EDITABLE


@dataclass(frozen=True)
class AuthorActions:
    """What the viewer may do with a proposal, for the pages to offer (the services decide)."""

    can_edit: bool = False
    can_invite: bool = False
    can_submit: bool = False
    can_withdraw: bool = False
    can_delete: bool = False
    can_leave: bool = False


def author_actions(
    phase: Phase, status: ProposalStatus, submitted_at: datetime | None, role: AuthorRole | None
) -> AuthorActions:
    """The actions the services allow the viewer now, by their role on the proposal (None: not
    an accepted author)."""
    if role is None:
        return AuthorActions()
    is_creator = role is AuthorRole.CREATOR
    editable = is_editable(phase, status)
    return AuthorActions(
        can_edit=editable,
        can_invite=is_creator and editable,
        can_submit=is_creator and phase is Phase.SUBMISSION and status is ProposalStatus.DRAFT,
        can_withdraw=is_creator and not is_locked(phase) and is_withdrawable(status, submitted_at),
        can_delete=is_deletable(status, submitted_at),
        can_leave=not is_creator,
    )


def check_text(text: str, limit: int) -> str:
    """Trimmed text of 1..limit characters."""
    cleaned = text.strip()
    if not cleaned:
        raise Required()
    if len(cleaned) > limit:
        raise TooLong(max=limit)
    return cleaned
