"""Follows (PRODUCT.md "Before review: follows"): a resident follows a proposal and hears of its
decision, the vote, its results and its implementation, in the app and by mail, unless they
turned that topic (or mail) off. Authors and supporters follow by default.

`notify_followers(db, now, proposal_id, topic, kind, **params)` is what the features that
decide, open voting, publish results and report implementation call, in their own transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from budget.db.tables import Follow, Proposal, TopicOptOut
from budget.domain.engagement import FollowTopic
from budget.domain.errors import NotFound
from budget.services import audit
from budget.services.notifications import accepted_authors, notify


def _proposal(db: Session, proposal_id: int) -> Proposal:
    row = db.get(Proposal, proposal_id)
    if row is None or row.submitted_at is None:  # a draft has no followers but its authors
        raise NotFound(kind="proposal", id=proposal_id)
    return row


def _existing(db: Session, proposal_id: int, account_id: int) -> Follow | None:
    query = select(Follow).where(Follow.proposal_id == proposal_id, Follow.account_id == account_id)
    return db.exec(query).first()


def ensure_following(db: Session, now: datetime, proposal_id: int, account_id: int) -> bool:
    """Make the account follow the proposal (the default for authors and supporters); False if
    it already did. The unique constraint settles two requests at once: one row either way."""
    if _existing(db, proposal_id, account_id) is not None:
        return False
    try:
        with db.begin_nested():
            db.add(Follow(proposal_id=proposal_id, account_id=account_id, created_at=now))
    except IntegrityError:
        return False
    return True


def follow(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> None:
    """The resident follows a public proposal (again: nothing changes)."""
    _proposal(db, proposal_id)
    if ensure_following(db, now, proposal_id, actor_id):
        audit.append(
            db, now, actor=actor_id, action="proposal.follow", object=f"proposal:{proposal_id}"
        )


def unfollow(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> None:
    """The resident stops following (authors and supporters too: the default is theirs to undo)."""
    _proposal(db, proposal_id)
    row = _existing(db, proposal_id, actor_id)
    if row is None:
        return
    db.delete(row)
    audit.append(
        db, now, actor=actor_id, action="proposal.unfollow", object=f"proposal:{proposal_id}"
    )


def set_topics(db: Session, now: datetime, *, account_id: int, wanted: set[FollowTopic]) -> None:
    """Which follow topics the resident hears about; the others are turned off."""
    current = set(
        db.exec(select(TopicOptOut.topic).where(TopicOptOut.account_id == account_id)).all()
    )
    off = {topic.value for topic in FollowTopic} - {topic.value for topic in wanted}
    for row in db.exec(select(TopicOptOut).where(TopicOptOut.account_id == account_id)):
        if row.topic not in off:
            db.delete(row)
    for topic in sorted(off - current):
        db.add(TopicOptOut(account_id=account_id, topic=topic))
    audit.append(
        db, now, actor=account_id, action="account.follow-topics", object=f"account:{account_id}",
        details={"off": sorted(off)},
    )  # fmt: skip


def followers(db: Session, proposal_id: int, topic: FollowTopic) -> list[int]:
    """Who hears about `topic` on this proposal: its followers (authors among them, from
    submission on, unless they unfollowed) less those who turned the topic off, by account."""
    query = (
        select(Follow.account_id)
        .where(Follow.proposal_id == proposal_id)
        .where(
            col(Follow.account_id).not_in(
                select(TopicOptOut.account_id).where(TopicOptOut.topic == topic.value)
            )
        )
        .order_by(col(Follow.account_id))
    )
    return list(db.exec(query).all())


def notify_followers(
    db: Session,
    now: datetime,
    proposal_id: int,
    topic: FollowTopic,
    kind: str,
    *,
    skip_authors: bool = False,
    **params: object,
) -> int:
    """Tell every follower of the proposal about `topic` (notification `kind`, see mail_text),
    in the caller's transaction; returns how many were told. A proposal hidden by moderation
    tells no one. `skip_authors` for callers that already notify the authors themselves
    (decisions do), so that nobody is told twice."""
    row = db.get(Proposal, proposal_id)
    if row is None:
        raise NotFound(kind="proposal", id=proposal_id)
    if row.hidden_at is not None:
        return 0
    skipped = set(accepted_authors(db, row)) if skip_authors else set()
    told = 0
    for account_id in followers(db, proposal_id, topic):
        if account_id in skipped:
            continue
        notify(
            db, now, account_id, kind, proposal_id=proposal_id, mandatory=False,
            **{"title": row.title, **params},
        )  # fmt: skip
        told += 1
    return told
