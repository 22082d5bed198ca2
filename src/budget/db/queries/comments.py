"""Comments and the moderation queue, as view models. A hidden comment's text is never in its
public view (only the public reason); the council's queue shows the text it moderates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from budget.db.tables import Account, Comment, Flag, Proposal
from budget.domain.engagement import FlagTarget
from budget.domain.errors import NotFound


@dataclass(frozen=True)
class CommentView:
    id: int
    proposal_id: int
    parent_id: int | None
    account_id: int
    author_name: str
    by_author: bool
    body: str | None  # None when hidden
    hidden_reason: str | None
    created_at: datetime
    edited_at: datetime | None
    replies: tuple[CommentView, ...] = ()


def _view(row: Comment, name: str, replies: tuple[CommentView, ...] = ()) -> CommentView:
    hidden = row.hidden_at is not None
    return CommentView(
        id=row.id or 0,
        proposal_id=row.proposal_id,
        parent_id=row.parent_id,
        account_id=row.account_id,
        author_name="" if hidden else name,
        by_author=row.by_author,
        body=None if hidden else row.body,
        hidden_reason=row.hidden_reason if hidden else None,
        created_at=row.created_at,
        edited_at=row.edited_at,
        replies=replies,
    )


def comments_of(db: Session, proposal_id: int) -> tuple[CommentView, ...]:
    """The proposal's comments, oldest first, each with its replies (oldest first)."""
    query = (
        select(Comment, Account.display_name)
        .join(Account, col(Account.id) == col(Comment.account_id))
        .where(Comment.proposal_id == proposal_id)
        .order_by(col(Comment.created_at), col(Comment.id))
    )
    rows = db.exec(query).all()
    replies: dict[int, list[CommentView]] = defaultdict(list)
    for row, name in rows:
        if row.parent_id is not None:
            replies[row.parent_id].append(_view(row, name))
    return tuple(
        _view(row, name, tuple(replies.get(row.id or 0, ())))
        for row, name in rows
        if row.parent_id is None
    )


def proposal_of_comment(db: Session, comment_id: int) -> int:
    row = db.get(Comment, comment_id)
    if row is None:
        raise NotFound(kind="comment", id=comment_id)
    return row.proposal_id


def own_comment(db: Session, comment_id: int, account_id: int) -> CommentView | None:
    """The account's own visible comment, for its edit form; None for anyone else's."""
    row = db.get(Comment, comment_id)
    if row is None or row.account_id != account_id or row.hidden_at is not None:
        return None
    return _view(row, "")


@dataclass(frozen=True)
class FlaggedItem:
    """One flagged (or hidden) comment or proposal in the council's queue, with its text."""

    kind: FlagTarget
    target_id: int
    proposal_id: int
    text: str
    reasons: tuple[str, ...]
    hidden_reason: str | None


def moderation_queue(db: Session) -> tuple[FlaggedItem, ...]:
    """Targets with open flags, then hidden ones (to restore), newest flag first."""
    flags = db.exec(
        select(Flag).where(col(Flag.resolved_at).is_(None)).order_by(col(Flag.id).desc())
    ).all()
    reasons: dict[tuple[str, int], list[str]] = defaultdict(list)
    for row in flags:
        reasons[(row.target_kind, row.target_id)].append(row.reason)
    hidden_comments = db.exec(select(Comment.id).where(col(Comment.hidden_at).is_not(None))).all()
    hidden_proposals = db.exec(
        select(Proposal.id).where(col(Proposal.hidden_at).is_not(None))
    ).all()
    keys = list(reasons)
    keys += [(FlagTarget.COMMENT.value, i) for i in hidden_comments if i is not None]
    keys += [(FlagTarget.PROPOSAL.value, i) for i in hidden_proposals if i is not None]
    items = []
    for kind, target_id in dict.fromkeys(keys):
        item = _item(db, FlagTarget(kind), target_id, tuple(reasons.get((kind, target_id), ())))
        if item is not None:
            items.append(item)
    return tuple(items)


def _item(
    db: Session, kind: FlagTarget, target_id: int, reasons: tuple[str, ...]
) -> FlaggedItem | None:
    if kind is FlagTarget.COMMENT:
        comment = db.get(Comment, target_id)
        if comment is None:
            return None
        return FlaggedItem(
            kind, target_id, comment.proposal_id, comment.body, reasons, comment.hidden_reason
        )
    proposal = db.get(Proposal, target_id)
    if proposal is None:
        return None
    text = f"{proposal.title}\n\n{proposal.summary}"
    return FlaggedItem(kind, target_id, target_id, text, reasons, proposal.hidden_reason)
