"""Supports through the services: a cycle option set by the council; one support per resident
and proposal, even when the same resident's requests arrive at once (the unique constraint, on
both backends); only during submission, on submitted proposals; withdrawable; supporters follow;
with a threshold, proposals short of it are marked "not enough support" when review starts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from budget.db import migrate, queries
from budget.db.engine import for_writing, make_engine
from budget.db.tables import ProposalEvent, Support
from budget.domain.cycle import Phase
from budget.domain.errors import (
    EmailNotVerified,
    FieldErrors,
    NotFound,
    OutOfRange,
    PermissionDenied,
    ProposalState,
    SupportsOff,
    WrongPhase,
)
from budget.domain.proposals import EventKind, ProposalStatus
from budget.services import accounts, budgets, cycles, proposals, supports
from tests.conftest import BACKENDS
from tests.databases import database_url
from tests.security.test_csrf import snapshot
from tests.services.conftest import NOW, budget_form, cycle_form, resident, schedule


def submitted(db: Session, cycle_id: int, author: int, title: str = "Benches") -> int:
    budget_id = queries.get_cycle(db, cycle_id).budgets[0].id
    proposal_id = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title=title, summary="Rest."
    )
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal_id)
    return proposal_id


@pytest.fixture
def open_cycle(db: Session, council: int, cycle_id: int) -> int:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    supports.configure_supports(
        db, NOW, actor_id=council, cycle_id=cycle_id, enabled=True, threshold=None
    )
    return cycle_id


def test_one_support_per_resident_withdrawable_and_counted(db, hasher, open_cycle) -> None:
    proposal_id = submitted(db, open_cycle, resident(db, hasher))
    lea = resident(db, hasher, "lea")
    assert supports.support(db, NOW, actor_id=lea, proposal_id=proposal_id) is True
    assert supports.support(db, NOW, actor_id=lea, proposal_id=proposal_id) is False
    other = resident(db, hasher, "marc")
    supports.support(db, NOW, actor_id=other, proposal_id=proposal_id)
    assert queries.support_counts(db, [proposal_id]) == {proposal_id: 2}
    assert queries.has_supported(db, proposal_id, lea)
    assert queries.is_following(db, proposal_id, lea)  # supporters follow by default
    assert supports.withdraw_support(db, NOW, actor_id=lea, proposal_id=proposal_id) is True
    assert supports.withdraw_support(db, NOW, actor_id=lea, proposal_id=proposal_id) is False
    assert queries.support_counts(db, [proposal_id]) == {proposal_id: 1}
    assert not queries.has_supported(db, proposal_id, lea)


def test_supports_only_during_submission_on_submitted_proposals(
    db, hasher, council, open_cycle
) -> None:
    author = resident(db, hasher)
    proposal_id = submitted(db, open_cycle, author)
    lea = resident(db, hasher, "lea")
    budget_id = queries.get_cycle(db, open_cycle).budgets[0].id
    draft = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title="Draft", summary="Not yet."
    )
    gone = submitted(db, open_cycle, author, "Gone")
    proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=gone)
    before = snapshot(db)
    with pytest.raises(NotFound):
        supports.support(db, NOW, actor_id=lea, proposal_id=draft)
    with pytest.raises(ProposalState):
        supports.support(db, NOW, actor_id=lea, proposal_id=gone)
    assert snapshot(db) == before
    supports.support(db, NOW, actor_id=lea, proposal_id=proposal_id)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=open_cycle, target=Phase.REVIEW)
    late = resident(db, hasher, "late")
    before = snapshot(db)
    with pytest.raises(WrongPhase):
        supports.support(db, NOW, actor_id=late, proposal_id=proposal_id)
    with pytest.raises(WrongPhase):
        supports.withdraw_support(db, NOW, actor_id=lea, proposal_id=proposal_id)
    assert snapshot(db) == before
    assert queries.support_counts(db, [proposal_id]) == {proposal_id: 1}


def test_a_cycle_without_supports_refuses_them(db, hasher, council, cycle_id) -> None:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    proposal_id = submitted(db, cycle_id, resident(db, hasher))
    with pytest.raises(SupportsOff):
        supports.support(db, NOW, actor_id=resident(db, hasher, "lea"), proposal_id=proposal_id)


def test_only_the_council_sets_the_option_before_review(db, hasher, council, open_cycle) -> None:
    with pytest.raises(PermissionDenied):
        supports.configure_supports(
            db, NOW, actor_id=resident(db, hasher), cycle_id=open_cycle, enabled=False,
            threshold=None,
        )  # fmt: skip
    with pytest.raises(FieldErrors) as refused:
        supports.configure_supports(
            db, NOW, actor_id=council, cycle_id=open_cycle, enabled=True, threshold=0
        )
    assert isinstance(refused.value.fields["threshold"], OutOfRange)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=open_cycle, target=Phase.REVIEW)
    with pytest.raises(WrongPhase):
        supports.configure_supports(
            db, NOW, actor_id=council, cycle_id=open_cycle, enabled=True, threshold=5
        )


def test_proposals_short_of_the_threshold_do_not_go_to_review(
    db, hasher, council, open_cycle
) -> None:
    supports.configure_supports(
        db, NOW, actor_id=council, cycle_id=open_cycle, enabled=True, threshold=2
    )
    author = resident(db, hasher)
    popular = submitted(db, open_cycle, author, "Popular")
    lonely = submitted(db, open_cycle, author, "Lonely")
    for name in ("lea", "marc"):
        supports.support(db, NOW, actor_id=resident(db, hasher, name), proposal_id=popular)
    supports.support(db, NOW, actor_id=resident(db, hasher, "ines"), proposal_id=lonely)
    assert queries.below_threshold(db, open_cycle) == {lonely: (1, 2)}
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=open_cycle, target=Phase.REVIEW)
    assert queries.get_proposal(db, popular).status is ProposalStatus.IN_REVIEW
    assert queries.get_proposal(db, lonely).status is ProposalStatus.UNSUPPORTED
    event = db.exec(
        select(ProposalEvent).where(
            ProposalEvent.proposal_id == lonely,
            ProposalEvent.kind == EventKind.NOT_ENOUGH_SUPPORT,
        )
    ).one()
    assert json.loads(event.details) == {"supports": 1, "threshold": 2}


# -- concurrency: real commits in a database of its own -----------------------------------------


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database_url(request.param, tmp_path) as url:
        made = make_engine(url)
        migrate.upgrade(made)
        try:
            yield made
        finally:
            made.dispose()


def test_one_support_when_the_same_resident_clicks_many_times_at_once(engine: Engine) -> None:
    hasher = accounts.test_hasher()
    with Session(engine) as db:
        council = accounts.create_admin(
            db, NOW, email="mayor@example.org", password="mayor-password-1", display_name="M",
            hasher=hasher,
        ).id  # fmt: skip
        cycle_id = cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form())
        budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=budget_form())
        cycles.set_schedule(db, NOW, actor_id=council, cycle_id=cycle_id, dates=schedule())
        cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
        supports.configure_supports(
            db, NOW, actor_id=council, cycle_id=cycle_id, enabled=True, threshold=None
        )
        proposal_id = submitted(db, cycle_id, resident(db, hasher))
        lea = resident(db, hasher, "lea")
        db.commit()
    start = threading.Barrier(8)
    results: list[bool] = []

    def click() -> None:
        with Session(engine) as db:
            start.wait()
            # a writer says so first, as the web's perform does (SQLite: BEGIN IMMEDIATE)
            results.append(
                supports.support(for_writing(db), NOW, actor_id=lea, proposal_id=proposal_id)
            )
            db.commit()

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as db:
        rows = db.exec(select(func.count()).select_from(Support)).one()
        audited = [e for e in queries.list_audit(db, limit=100) if e.action == "proposal.support"]
    assert rows == 1
    assert sorted(results) == [False] * 7 + [True]
    assert len(audited) == 1


def test_an_unverified_account_cannot_support(db, hasher, open_cycle) -> None:
    proposal_id = submitted(db, open_cycle, resident(db, hasher))
    newcomer = resident(db, hasher, "noor", verified=False)
    before = snapshot(db)
    with pytest.raises(EmailNotVerified):
        supports.support(db, NOW, actor_id=newcomer, proposal_id=proposal_id)
    assert snapshot(db) == before
    assert queries.support_counts(db, [proposal_id]) == {proposal_id: 0}
