"""Follows, as plain values: whether a resident follows a proposal, the topics they turned off."""

from __future__ import annotations

from sqlmodel import Session, select

from budget.db.tables import Follow, TopicOptOut
from budget.domain.engagement import FollowTopic


def is_following(db: Session, proposal_id: int, account_id: int | None) -> bool:
    if account_id is None:
        return False
    query = select(Follow.id).where(
        Follow.proposal_id == proposal_id, Follow.account_id == account_id
    )
    return db.exec(query).first() is not None


def topics_off(db: Session, account_id: int) -> frozenset[FollowTopic]:
    query = select(TopicOptOut.topic).where(TopicOptOut.account_id == account_id)
    return frozenset(FollowTopic(topic) for topic in db.exec(query).all())
