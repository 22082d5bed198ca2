"""Comments and moderation (PRODUCT.md "Before review: comments"): residents comment on public
proposals in Markdown (rendered through the same sanitiser as descriptions), reply one level
deep, edit their own for ten minutes; authors' replies are marked. Any signed-in user flags a
comment or a proposal with a reason; the council hides it with a public reason (the text stays,
for the audit, but leaves every public page, list, map, export and notification), restores it,
or dismisses the flags. Comments and flags are rate-limited per account; every action audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from budget.db.tables import Comment, Flag, Proposal, ProposalAuthor
from budget.domain import engagement as rules
from budget.domain.engagement import (
    COMMENT_MAX,
    COMMENT_RATE,
    FLAG_RATE,
    OPEN_FOR_DISCUSSION,
    REASON_MAX,
    FlagResolution,
    FlagTarget,
)
from budget.domain.errors import (
    AlreadyFlagged,
    BudgetError,
    FieldErrors,
    NotFound,
    PermissionDenied,
    ProposalState,
    ReplyDepth,
)
from budget.domain.proposals import AuthorState, ProposalStatus
from budget.services import audit, identity
from budget.services.cycles import require_council


def _public_proposal(db: Session, proposal_id: int) -> Proposal:
    row = db.get(Proposal, proposal_id)
    if row is None or row.submitted_at is None or row.hidden_at is not None:
        raise NotFound(kind="proposal", id=proposal_id)
    return row


def _text(value: str, limit: int, field: str) -> str:
    try:
        return rules.check_body(value, limit)
    except BudgetError as error:
        raise FieldErrors({field: error}) from None


def _is_author(db: Session, proposal_id: int, account_id: int) -> bool:
    query = select(ProposalAuthor.id).where(
        ProposalAuthor.proposal_id == proposal_id,
        ProposalAuthor.account_id == account_id,
        ProposalAuthor.state == AuthorState.ACCEPTED,
    )
    return db.exec(query).first() is not None


def post_comment(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    proposal_id: int,
    body: str,
    parent_id: int | None = None,
) -> int:
    """A comment on a public proposal still under discussion, or a reply to a top comment;
    EmailNotVerified until the writer's address is verified."""
    row = _public_proposal(db, proposal_id)
    identity.require_may_participate(db, actor_id)
    if ProposalStatus(row.status) not in OPEN_FOR_DISCUSSION:
        raise ProposalState(status=row.status)
    text = _text(body, COMMENT_MAX, "body")
    if parent_id is not None:
        parent = db.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal_id or parent.hidden_at is not None:
            raise NotFound(kind="comment", id=parent_id)
        if parent.parent_id is not None:
            raise FieldErrors({"body": ReplyDepth()})
    recent = db.exec(
        select(Comment.created_at).where(
            Comment.account_id == actor_id, Comment.created_at > COMMENT_RATE.window_start(now)
        )
    ).all()
    COMMENT_RATE.check(list(recent), now)
    comment = Comment(
        proposal_id=proposal_id, parent_id=parent_id, account_id=actor_id, body=text,
        by_author=_is_author(db, proposal_id, actor_id), created_at=now,
    )  # fmt: skip
    db.add(comment)
    db.flush()
    audit.append(
        db, now, actor=actor_id, action="comment.post", object=f"comment:{comment.id}",
        details={"proposal": proposal_id, "parent": parent_id},
    )  # fmt: skip
    return comment.id or 0


def edit_comment(db: Session, now: datetime, *, actor_id: int, comment_id: int, body: str) -> int:
    """The writer changes their comment within the edit window; returns its proposal's id."""
    comment = db.get(Comment, comment_id)
    if comment is None or comment.hidden_at is not None:
        raise NotFound(kind="comment", id=comment_id)
    if comment.account_id != actor_id:
        raise PermissionDenied(role="writer")
    identity.require_may_participate(db, actor_id)
    rules.check_editable(comment.created_at, now)
    _public_proposal(db, comment.proposal_id)
    comment.body = _text(body, COMMENT_MAX, "body")
    comment.edited_at = now
    db.add(comment)
    audit.append(db, now, actor=actor_id, action="comment.edit", object=f"comment:{comment_id}")
    return comment.proposal_id


def _target(db: Session, kind: FlagTarget, target_id: int) -> Comment | Proposal:
    row: Comment | Proposal | None = (
        db.get(Comment, target_id) if kind is FlagTarget.COMMENT else db.get(Proposal, target_id)
    )
    if row is None or (isinstance(row, Proposal) and row.submitted_at is None):
        raise NotFound(kind=kind.value, id=target_id)
    return row


def flag(
    db: Session, now: datetime, *, actor_id: int, kind: FlagTarget, target_id: int, reason: str
) -> None:
    """A signed-in user reports a comment or a proposal to the moderators, with a reason."""
    row = _target(db, kind, target_id)
    if row.hidden_at is not None:
        raise NotFound(kind=kind.value, id=target_id)
    text = _text(reason, REASON_MAX, "reason")
    mine = select(Flag.id).where(
        Flag.target_kind == kind.value, Flag.target_id == target_id, Flag.account_id == actor_id
    )
    if db.exec(mine).first() is not None:
        raise FieldErrors({"reason": AlreadyFlagged()})
    recent = db.exec(
        select(Flag.created_at).where(
            Flag.account_id == actor_id, Flag.created_at > FLAG_RATE.window_start(now)
        )
    ).all()
    FLAG_RATE.check(list(recent), now)
    db.add(
        Flag(target_kind=kind.value, target_id=target_id, account_id=actor_id, reason=text,
             created_at=now)
    )  # fmt: skip
    audit.append(
        db, now, actor=actor_id, action="moderation.flag", object=f"{kind.value}:{target_id}",
        details={"reason": text},
    )  # fmt: skip


def _resolve(
    db: Session, now: datetime, actor_id: int, kind: FlagTarget, target_id: int, how: str
) -> int:
    open_flags = select(Flag).where(
        Flag.target_kind == kind.value, Flag.target_id == target_id,
        col(Flag.resolved_at).is_(None),
    )  # fmt: skip
    rows = list(db.exec(open_flags).all())
    for row in rows:
        row.resolved_at, row.resolution, row.resolved_by = now, how, actor_id
        db.add(row)
    return len(rows)


def hide(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    kind: FlagTarget,
    target_id: int,
    public_reason: str,
) -> None:
    """The council hides a comment or a proposal with a public reason; its text is kept for
    the audit. Open flags on it are resolved as hidden."""
    require_council(db, actor_id)
    row = _target(db, kind, target_id)
    reason = _text(public_reason, REASON_MAX, "reason")
    row.hidden_at, row.hidden_reason = now, reason
    db.add(row)
    resolved = _resolve(db, now, actor_id, kind, target_id, FlagResolution.HIDDEN)
    audit.append(
        db, now, actor=actor_id, action="moderation.hide", object=f"{kind.value}:{target_id}",
        details={"reason": reason, "flags": resolved},
    )  # fmt: skip


def restore(db: Session, now: datetime, *, actor_id: int, kind: FlagTarget, target_id: int) -> None:
    """The council shows a hidden comment or proposal again."""
    require_council(db, actor_id)
    row = _target(db, kind, target_id)
    if row.hidden_at is None:
        return
    row.hidden_at, row.hidden_reason = None, None
    db.add(row)
    audit.append(
        db, now, actor=actor_id, action="moderation.restore", object=f"{kind.value}:{target_id}"
    )


def dismiss(db: Session, now: datetime, *, actor_id: int, kind: FlagTarget, target_id: int) -> None:
    """The council finds nothing wrong: the open flags on the target are dismissed."""
    require_council(db, actor_id)
    _target(db, kind, target_id)
    resolved = _resolve(db, now, actor_id, kind, target_id, FlagResolution.DISMISSED)
    audit.append(
        db, now, actor=actor_id, action="moderation.dismiss", object=f"{kind.value}:{target_id}",
        details={"flags": resolved},
    )  # fmt: skip
