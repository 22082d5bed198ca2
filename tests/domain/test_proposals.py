"""Proposal texts are trimmed and bounded."""

from __future__ import annotations

import pytest

from budget.domain.errors import Required, TooLong
from budget.domain.proposals import UNDECIDED, ProposalStatus, check_text


def test_text_is_trimmed_and_bounded() -> None:
    assert check_text("  Shade trees  ", 120) == "Shade trees"
    with pytest.raises(Required):
        check_text("   ", 120)
    with pytest.raises(TooLong):
        check_text("x" * 121, 120)


def test_submitted_and_in_review_proposals_are_undecided() -> None:
    assert {ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW} == UNDECIDED
