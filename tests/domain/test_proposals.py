"""Proposal texts are trimmed and bounded; who sees a proposal and what its authors may do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from budget.domain.cycle import Phase
from budget.domain.errors import Required, TooLong
from budget.domain.proposals import (
    UNDECIDED,
    AuthorActions,
    AuthorRole,
    ProposalStatus,
    author_actions,
    check_text,
    is_decidable,
    is_deletable,
    is_editable,
    is_listed,
    is_public,
    is_withdrawable,
)


def test_text_is_trimmed_and_bounded() -> None:
    assert check_text("  Shade trees  ", 120) == "Shade trees"
    with pytest.raises(Required):
        check_text("   ", 120)
    with pytest.raises(TooLong):
        check_text("x" * 121, 120)


def test_submitted_and_in_review_proposals_are_undecided() -> None:
    assert {ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW} == UNDECIDED


WHEN = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("status", list(ProposalStatus))
def test_a_proposal_is_public_once_submitted_and_never_as_a_draft(status: ProposalStatus) -> None:
    assert not is_public(status, None)  # never submitted: a draft, or a draft withdrawn long ago
    assert is_public(status, WHEN) is (status is not ProposalStatus.DRAFT)
    assert is_deletable(status, None) is not is_public(status, None)
    assert is_listed(status, WHEN, None) is is_public(status, WHEN)
    assert not is_listed(status, WHEN, WHEN)  # hidden by moderation


def test_only_a_submitted_proposal_still_in_play_is_withdrawable() -> None:
    assert not is_withdrawable(ProposalStatus.DRAFT, None)
    assert not is_withdrawable(ProposalStatus.WITHDRAWN, WHEN)
    assert not is_withdrawable(ProposalStatus.MERGED, WHEN)
    assert not is_withdrawable(ProposalStatus.INFEASIBLE, WHEN)
    assert is_withdrawable(ProposalStatus.SUBMITTED, WHEN)
    assert is_withdrawable(ProposalStatus.ON_BALLOT, WHEN)


def actions(phase: Phase, status: ProposalStatus, *, creator: bool = True) -> AuthorActions:
    submitted = None if status is ProposalStatus.DRAFT else WHEN
    role = AuthorRole.CREATOR if creator else AuthorRole.COAUTHOR
    return author_actions(phase, status, submitted, role)


def test_the_author_actions_follow_phase_status_and_role() -> None:
    draft = actions(Phase.SUBMISSION, ProposalStatus.DRAFT)
    assert draft == AuthorActions(
        can_edit=True, can_invite=True, can_submit=True, can_withdraw=False, can_delete=True
    )
    coauthor = actions(Phase.SUBMISSION, ProposalStatus.SUBMITTED, creator=False)
    assert coauthor == AuthorActions(can_edit=True, can_leave=True)
    in_review = actions(Phase.REVIEW, ProposalStatus.IN_REVIEW)
    assert in_review == AuthorActions(can_withdraw=True)
    assert actions(Phase.VOTING, ProposalStatus.ON_BALLOT) == AuthorActions()
    assert author_actions(Phase.SUBMISSION, ProposalStatus.SUBMITTED, WHEN, None) == AuthorActions()
    assert is_editable(Phase.SUBMISSION, ProposalStatus.SUBMITTED)
    assert not is_editable(Phase.REVIEW, ProposalStatus.SUBMITTED)


def test_the_council_decides_in_review_on_proposals_in_review_or_decided() -> None:
    assert is_decidable(Phase.REVIEW, ProposalStatus.IN_REVIEW)
    assert is_decidable(Phase.REVIEW, ProposalStatus.INFEASIBLE)  # a decision may be revised
    assert not is_decidable(Phase.REVIEW, ProposalStatus.WITHDRAWN)
    assert not is_decidable(Phase.VOTING, ProposalStatus.ON_BALLOT)
