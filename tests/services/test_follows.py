"""Follows through the services: authors (from submission) and supporters follow by default;
followers hear of the decision, the opening of the vote (and results, implementation when those
features call `notify_followers`), by app and by mail, unless they turned the topic off; a
decision does not tell an author twice."""

from __future__ import annotations

from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.tables import Notification, OutboxEmail
from budget.domain.cycle import Phase
from budget.domain.engagement import FollowTopic
from budget.services import cycles, decisions, follows, proposals
from budget.services.mail_text import Kind
from tests.services.conftest import NOW, resident


def kinds_of(db: Session, account_id: int) -> list[str]:
    query = (
        select(Notification.kind)
        .where(Notification.account_id == account_id)
        .order_by(col(Notification.id))
    )
    return list(db.exec(query).all())


def test_followers_hear_of_the_decision_and_the_vote_unless_turned_off(
    db, hasher, council, cycle_id
) -> None:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    author = resident(db, hasher)
    budget_id = queries.get_cycle(db, cycle_id).budgets[0].id
    proposal_id = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title="Benches", summary="Rest."
    )
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal_id)
    assert queries.is_following(db, proposal_id, author)
    lea, marc = resident(db, hasher, "lea"), resident(db, hasher, "marc")
    for account in (lea, marc):
        follows.follow(db, NOW, actor_id=account, proposal_id=proposal_id)
    follows.set_topics(db, NOW, account_id=marc, wanted={FollowTopic.VOTE})
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    decisions.decide_proposal(
        db, NOW, actor_id=council, proposal_id=proposal_id, feasible=True, final_cost=50_000_00
    )
    assert Kind.FOLLOWED_FEASIBLE in kinds_of(db, lea)
    assert Kind.FOLLOWED_FEASIBLE not in kinds_of(db, marc)  # turned off
    assert Kind.FOLLOWED_FEASIBLE not in kinds_of(db, author)  # told once, as the author
    assert Kind.DECIDED_FEASIBLE in kinds_of(db, author)
    mail = db.exec(select(OutboxEmail.subject).where(OutboxEmail.to_address == "lea@example.fr"))
    subjects = list(mail.all())  # in French, with the number but never the title
    assert f"Une proposition que vous suivez est faisable (n° {proposal_id})" in subjects

    told = follows.notify_followers(db, NOW, proposal_id, FollowTopic.VOTE, Kind.VOTE_OPENED)
    assert told == 3  # the author, Lea and Marc
    follows.unfollow(db, NOW, actor_id=lea, proposal_id=proposal_id)
    told = follows.notify_followers(
        db, NOW, proposal_id, FollowTopic.RESULTS, Kind.RESULTS_PUBLISHED
    )
    assert told == 1  # the author: Lea left, Marc wants only the vote
