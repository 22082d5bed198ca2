"""A page is built from one read transaction (web/transactions.py): the caller's session, the
route's object, the unread count and the handler's reads all share the request's one read
session; a write ends it first, so what the request reads next sees the write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlmodel import Session

from budget.db import queries
from budget.domain.ballots import BallotType
from tests.web.test_vote import Voting
from tests.webapp import Web, csrf_token


class Transactions:
    """Counts the database transactions sessions begin (SQLAlchemy's after_begin event)."""

    def __init__(self) -> None:
        self.begun = 0

    def __call__(self, *_: object) -> None:
        self.begun += 1


@pytest.fixture
def transactions() -> Iterator[Transactions]:
    counter = Transactions()
    event.listen(Session, "after_begin", counter)
    yield counter
    event.remove(Session, "after_begin", counter)


def pages(voting: Voting) -> dict[str, str]:
    budget_id = voting.budget(BallotType.APPROVAL)
    cycle_id = voting.opened.cycle_id
    return {
        "home": "/",
        "cycle": f"/cycles/{cycle_id}",
        "proposal list": f"/cycles/{cycle_id}/proposals",
        "proposal": f"/proposals/{voting.projects(BallotType.APPROVAL)[0]}",
        "ballot": f"/vote/budgets/{budget_id}",
        "voter's home": "/vote",
        "notifications": "/notifications",
    }


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "signed-out"])
def test_each_page_reads_in_one_transaction(
    web: Web, transactions: Transactions, signed_in: bool
) -> None:
    voting = Voting(web)
    client = voting.client if signed_in else web.client()
    counts = {}
    for name, path in pages(voting).items():
        transactions.begun = 0
        response = client.get(path)
        if signed_in or response.status_code == 200:  # signed out, some pages send to /login
            assert response.status_code == 200, (name, response.status_code)
            counts[name] = transactions.begun
    assert counts, "no page answered"
    assert set(counts.values()) == {1}, counts


def test_the_trivial_endpoint_reads_nothing_for_a_signed_out_visitor(
    web: Web, transactions: Transactions
) -> None:
    response = web.client().get("/healthz")
    assert response.status_code == 200
    assert transactions.begun == 0


def test_a_write_ends_the_read_and_what_follows_sees_it(
    web: Web, transactions: Transactions
) -> None:
    """The e-mail preference: the guard reads (the caller, the unread count), the service
    writes, and the write stays (a read session left open across it would, on the tests' one
    connection, roll it back when it closed); the next page reads it in its own transaction."""
    voting = Voting(web)
    before = queries.email_preference(web.db, voting.voter.id)
    fields = [("csrf_token", csrf_token(voting.client, "/receipt"))]
    fields += [] if before else [("notify_by_email", "on")]
    transactions.begun = 0
    response = voting.client.post("/account/notifications", data=dict(fields))
    assert response.status_code == 303, response.text
    assert transactions.begun == 2  # one read, one write
    web.db.expire_all()
    assert queries.email_preference(web.db, voting.voter.id) is not before
