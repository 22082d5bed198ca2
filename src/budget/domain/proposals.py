"""Proposal states and text limits (PRODUCT.md "Proposals"); the proposals feature extends it.

Life: `draft -> submitted -> in_review -> on_ballot | infeasible`, side exits `withdrawn` and
`merged`; with a support threshold, `submitted -> unsupported` when review starts; after the
count `on_ballot -> funded` (services/implementation.py `mark_funded`,
which results publishing calls).
"""

from __future__ import annotations

from enum import StrEnum

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


def check_text(text: str, limit: int) -> str:
    """Trimmed text of 1..limit characters."""
    cleaned = text.strip()
    if not cleaned:
        raise Required()
    if len(cleaned) > limit:
        raise TooLong(max=limit)
    return cleaned
