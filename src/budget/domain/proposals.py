"""Proposal states and text limits (PRODUCT.md "Proposals"); the proposals feature extends it.

Life: `draft -> submitted -> in_review -> on_ballot | infeasible`, side exits `withdrawn` and
`merged`.
"""

from __future__ import annotations

from enum import StrEnum

from budget.domain.errors import Required, TooLong

TITLE_MAX = 120
SUMMARY_MAX = 500


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    ON_BALLOT = "on_ballot"
    INFEASIBLE = "infeasible"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


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
