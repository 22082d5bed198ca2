"""Comments and moderation through the services: one level of replies, authors' replies marked,
editable for ten minutes by their writer, rate limits per account for comments and reports;
the council hides with a public reason (the text kept), restores, dismisses; all audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from budget.db import queries
from budget.db.tables import Account, Comment
from budget.domain.cycle import Phase
from budget.domain.engagement import COMMENT_RATE, FLAG_RATE, FlagTarget
from budget.domain.errors import (
    EditWindowClosed,
    EmailNotVerified,
    FieldErrors,
    NotFound,
    PermissionDenied,
    RateLimited,
    ReplyDepth,
)
from budget.services import comments, cycles, proposals
from tests.security.test_csrf import snapshot
from tests.services.conftest import NOW, resident


@pytest.fixture
def proposal_id(db: Session, council: int, cycle_id: int, hasher) -> int:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    author = resident(db, hasher)
    budget_id = queries.get_cycle(db, cycle_id).budgets[0].id
    made = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title="Shade trees", summary="Trees."
    )
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=made)
    return made


def author_of(db: Session, proposal_id: int) -> int:
    return queries.get_proposal(db, proposal_id).created_by


def audited(db: Session, action: str) -> int:
    return sum(1 for e in queries.list_audit(db, limit=500) if e.action == action)


def test_comments_and_one_level_of_replies_authors_marked(db, hasher, proposal_id) -> None:
    lea = resident(db, hasher, "lea")
    first = comments.post_comment(db, NOW, actor_id=lea, proposal_id=proposal_id, body=" Great ")
    reply = comments.post_comment(
        db, NOW, actor_id=author_of(db, proposal_id), proposal_id=proposal_id,
        body="Thank you", parent_id=first,
    )  # fmt: skip
    with pytest.raises(FieldErrors) as refused:
        comments.post_comment(
            db, NOW, actor_id=lea, proposal_id=proposal_id, body="Deeper", parent_id=reply
        )
    assert isinstance(refused.value.fields["body"], ReplyDepth)
    shown = queries.comments_of(db, proposal_id)
    assert [(c.body, c.by_author, c.author_name) for c in shown] == [("Great", False, "Lea")]
    assert [(r.body, r.by_author) for r in shown[0].replies] == [("Thank you", True)]
    assert audited(db, "comment.post") == 2


def test_no_comment_on_a_draft_or_an_empty_one(db, hasher, proposal_id, cycle_id) -> None:
    author = author_of(db, proposal_id)
    budget_id = queries.get_cycle(db, cycle_id).budgets[0].id
    draft = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title="Draft", summary="Private."
    )
    before = snapshot(db)
    with pytest.raises(NotFound):
        comments.post_comment(db, NOW, actor_id=author, proposal_id=draft, body="Hi")
    with pytest.raises(FieldErrors):
        comments.post_comment(db, NOW, actor_id=author, proposal_id=proposal_id, body="  ")
    assert snapshot(db) == before


def test_a_comment_is_editable_by_its_writer_for_ten_minutes(db, hasher, proposal_id) -> None:
    lea = resident(db, hasher, "lea")
    made = comments.post_comment(db, NOW, actor_id=lea, proposal_id=proposal_id, body="Typo")
    later = NOW + timedelta(minutes=10)
    comments.edit_comment(db, later, actor_id=lea, comment_id=made, body="Fixed")
    row = db.get(Comment, made)
    assert row is not None
    assert (row.body, row.edited_at) == ("Fixed", later)
    with pytest.raises(PermissionDenied):
        comments.edit_comment(
            db, later, actor_id=author_of(db, proposal_id), comment_id=made, body="Mine now"
        )
    with pytest.raises(EditWindowClosed):
        comments.edit_comment(
            db, later + timedelta(seconds=1), actor_id=lea, comment_id=made, body="Again"
        )


def test_comments_are_rate_limited_per_account(db, hasher, proposal_id) -> None:
    lea = resident(db, hasher, "lea")
    for k in range(COMMENT_RATE.count):
        comments.post_comment(
            db, NOW + timedelta(seconds=k), actor_id=lea, proposal_id=proposal_id, body=f"#{k}"
        )
    before = snapshot(db)
    with pytest.raises(RateLimited) as refused:
        comments.post_comment(
            db, NOW + timedelta(minutes=1), actor_id=lea, proposal_id=proposal_id, body="More"
        )
    assert refused.value.params["retry_after"] == COMMENT_RATE.minutes * 60 - 60
    assert snapshot(db) == before
    other = resident(db, hasher, "marc")  # another account is not held back
    comments.post_comment(
        db, NOW + timedelta(minutes=1), actor_id=other, proposal_id=proposal_id, body="Hi"
    )
    after_window = NOW + timedelta(minutes=COMMENT_RATE.minutes, seconds=1)
    comments.post_comment(db, after_window, actor_id=lea, proposal_id=proposal_id, body="Again")


def test_reports_are_once_per_target_and_rate_limited(db, hasher, proposal_id) -> None:
    lea = resident(db, hasher, "lea")
    targets = [
        comments.post_comment(db, NOW, actor_id=author_of(db, proposal_id) if k % 2 else
                              resident(db, hasher, f"w{k}"), proposal_id=proposal_id, body=f"c{k}")
        for k in range(FLAG_RATE.count + 1)
    ]  # fmt: skip
    comments.flag(db, NOW, actor_id=lea, kind=FlagTarget.COMMENT, target_id=targets[0], reason="x")
    with pytest.raises(FieldErrors):
        comments.flag(
            db, NOW, actor_id=lea, kind=FlagTarget.COMMENT, target_id=targets[0], reason="y"
        )
    for target in targets[1 : FLAG_RATE.count]:
        comments.flag(db, NOW, actor_id=lea, kind=FlagTarget.COMMENT, target_id=target, reason="z")
    with pytest.raises(RateLimited):
        comments.flag(
            db, NOW, actor_id=lea, kind=FlagTarget.COMMENT, target_id=targets[-1], reason="z"
        )


def test_the_council_hides_restores_and_dismisses(db, hasher, council, proposal_id) -> None:
    lea = resident(db, hasher, "lea")
    made = comments.post_comment(db, NOW, actor_id=lea, proposal_id=proposal_id, body="Rude words")
    comments.flag(
        db, NOW, actor_id=author_of(db, proposal_id), kind=FlagTarget.COMMENT, target_id=made,
        reason="Insulting",
    )  # fmt: skip
    queue = queries.moderation_queue(db)
    assert [(i.kind, i.target_id, i.text, i.reasons) for i in queue] == [
        (FlagTarget.COMMENT, made, "Rude words", ("Insulting",))
    ]
    with pytest.raises(PermissionDenied):
        comments.hide(db, NOW, actor_id=lea, kind=FlagTarget.COMMENT, target_id=made,
                      public_reason="x")  # fmt: skip
    comments.hide(
        db, NOW, actor_id=council, kind=FlagTarget.COMMENT, target_id=made,
        public_reason="Insults",
    )  # fmt: skip
    shown = queries.comments_of(db, proposal_id)[0]
    assert (shown.body, shown.hidden_reason, shown.author_name) == (None, "Insults", "")
    row = db.get(Comment, made)
    assert row is not None
    assert row.body == "Rude words"  # kept for the audit
    assert queries.moderation_queue(db)[0].hidden_reason == "Insults"
    comments.restore(db, NOW, actor_id=council, kind=FlagTarget.COMMENT, target_id=made)
    assert queries.comments_of(db, proposal_id)[0].body == "Rude words"
    comments.flag(db, NOW, actor_id=lea, kind=FlagTarget.PROPOSAL, target_id=proposal_id,
                  reason="Advert")  # fmt: skip
    comments.dismiss(db, NOW, actor_id=council, kind=FlagTarget.PROPOSAL, target_id=proposal_id)
    assert queries.moderation_queue(db) == ()
    assert [
        audited(db, a)
        for a in ("moderation.hide", "moderation.restore", "moderation.dismiss", "moderation.flag")
    ] == [1, 1, 1, 2]


def test_an_unverified_account_cannot_comment(db, hasher, proposal_id) -> None:
    newcomer = resident(db, hasher, "noor", verified=False)
    before = snapshot(db)
    with pytest.raises(EmailNotVerified):
        comments.post_comment(db, NOW, actor_id=newcomer, proposal_id=proposal_id, body="Hi")
    assert snapshot(db) == before


def test_a_comment_of_an_account_from_before_verification_is_not_edited(
    db, hasher, proposal_id
) -> None:
    lea = resident(db, hasher, "lea")
    comment = comments.post_comment(db, NOW, actor_id=lea, proposal_id=proposal_id, body="Hi")
    # As the 0006_identity migration leaves the accounts it finds: not verified.
    account = db.get(Account, lea)
    assert account is not None
    account.email_verified_at = None
    db.add(account)
    db.flush()
    with pytest.raises(EmailNotVerified):
        comments.edit_comment(db, NOW, actor_id=lea, comment_id=comment, body="Hello")
    assert db.get(Comment, comment).body == "Hi"
