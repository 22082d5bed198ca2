"""The voting pages through HTTP: ballot, live counter (htmx and without JavaScript),
confirmation, cast, receipt and its public check, the voter's home; bad input refused with a
message and nothing stored (T1, T2, T3, T8)."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import func
from sqlmodel import select

from budget.db.tables import Ballot, Participation
from budget.domain.ballots import BallotType
from tests.images import photo
from tests.services.voting_setup import DURING, OpenCycle, enrol, open_cycle
from tests.webapp import Web, csrf_token, sign_in

RECEIPT = re.compile(r"<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code>")
FORM = {"content-type": "application/x-www-form-urlencoded"}
FORM_KEY = re.compile(r'name="form_key" value="([0-9a-f]+)"')


class Voting:
    """An open cycle (one budget per ballot type), a signed-in voter on its roll."""

    def __init__(self, web: Web, *, verified: bool = True) -> None:
        self.web = web
        council = web.council_id()
        from budget.services import accounts

        self.opened: OpenCycle = open_cycle(web.db, council, accounts.test_hasher())
        self.voter = web.account(email="voter@example.org", verified=verified)
        enrol(web.db, self.opened.cycle_id, account_id=self.voter.id)
        web.db.commit()
        web.clock.now = DURING
        self.client = web.client()
        sign_in(self.client, self.voter.email)

    def budget(self, kind: BallotType) -> int:
        return self.opened.budgets[kind]

    def projects(self, kind: BallotType) -> tuple[int, ...]:
        return self.opened.projects[self.budget(kind)]

    def post(self, path: str, data: list[tuple[str, str]], **headers: str):
        token = csrf_token(self.client, "/receipt")
        fields = [("csrf_token", token), *data]
        return self.client.post(path, content=urlencode(fields), headers={**FORM, **headers})

    def ballots(self) -> int:
        return self.web.db.exec(select(func.count()).select_from(Ballot)).one()

    def participations(self) -> int:
        return self.web.db.exec(select(func.count()).select_from(Participation)).one()

    def vote(self, kind: BallotType, fields: list[tuple[str, str]]) -> str:
        """Review then cast; returns the receipt shown."""
        path = f"/vote/budgets/{self.budget(kind)}"
        confirm = self.post(path, [("action", "review"), *fields])
        assert confirm.status_code == 200, confirm.text
        key = FORM_KEY.search(confirm.text)
        assert key
        cast = self.post(f"{path}/cast", [("form_key", key.group(1)), *fields])
        assert cast.status_code == 200, cast.text
        found = RECEIPT.search(cast.text)
        assert found
        return found.group(1)


@pytest.fixture
def voting(web: Web) -> Voting:
    return Voting(web)


def test_the_ballot_page_names_rule_tie_break_and_limits(voting: Voting) -> None:
    page = voting.client.get(f"/vote/budgets/{voting.budget(BallotType.APPROVAL)}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert "0 of 2 projects chosen" in text
    assert "Greedy: most votes first" in text
    assert "the project with more votes" in text
    assert "the cheaper project" in text
    assert "a lottery drawn from the seed committed when voting opened" in text
    assert text.count('name="choice"') == 3


def test_the_counter_is_recomputed_by_the_server_for_htmx(voting: Voting) -> None:
    a, b, c = voting.projects(BallotType.APPROVAL)
    fragment = voting.post(
        f"/vote/budgets/{voting.budget(BallotType.APPROVAL)}",
        [("action", "recount"), ("choice", str(a)), ("choice", str(b))],
        **{"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="ballot-choices"')
    assert "2 of 2 projects chosen" in fragment.text
    disabled = re.search(rf'id="approval-{c}"[^>]*disabled', fragment.text)
    assert disabled
    assert "You already chose the most projects allowed (2)." in fragment.text


def test_without_javascript_the_same_post_returns_the_whole_page(voting: Voting) -> None:
    budget = voting.budget(BallotType.KNAPSACK)
    a, _, _ = voting.projects(BallotType.KNAPSACK)
    page = voting.post(f"/vote/budgets/{budget}", [("action", "recount"), ("choice", str(a))])
    assert "<html" in page.text
    assert re.search(r"400\.00 of \S*1,000\.00 used, 50% minimum", page.text)


def test_a_resident_votes_revises_and_checks_the_receipt(voting: Voting) -> None:
    a, b, c = voting.projects(BallotType.APPROVAL)
    first = voting.vote(BallotType.APPROVAL, [("choice", str(a)), ("choice", str(b))])
    second = voting.vote(BallotType.APPROVAL, [("choice", str(c))])
    assert first != second
    assert (voting.ballots(), voting.participations()) == (1, 1)
    check = voting.post("/receipt", [("receipt", first.lower().replace("-", " "))])
    assert "Replaced" in check.text
    check = voting.post("/receipt", [("receipt", second)])
    assert "Recorded" in check.text
    assert str(c) not in re.sub(r"<[^>]+>", "", check.text.split('id="receipt-state"')[1])
    home = voting.client.get("/vote")
    assert "revisable until" in home.text
    assert "Not yet voted." in home.text


@pytest.mark.threat("T2")
@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ([("choice", "999999")], 422, "is not on this budget"),
        ([("choice", "x1")], 422, "This ballot form was altered"),
        ([], 422, "Choose at least one project."),
    ],
)
def test_a_tampered_or_empty_ballot_is_refused_and_nothing_stored(
    voting: Voting, fields, status, message
) -> None:
    path = f"/vote/budgets/{voting.budget(BallotType.APPROVAL)}/cast"
    response = voting.post(path, [("form_key", "0" * 32), *fields])
    assert response.status_code == status
    assert message in response.text
    assert (voting.ballots(), voting.participations()) == (0, 0)


def test_review_of_an_invalid_ballot_says_why(voting: Voting) -> None:
    budget = voting.budget(BallotType.CUMULATIVE)
    a, b, _ = voting.projects(BallotType.CUMULATIVE)
    response = voting.post(
        f"/vote/budgets/{budget}",
        [("action", "review"), (f"points-{a}", "3"), (f"points-{b}", "3")],
    )
    assert response.status_code == 422
    assert "6 points given: at most 5." in response.text


@pytest.mark.threat("T2")
def test_a_budget_of_another_cycle_is_forbidden(voting: Voting, web: Web) -> None:
    from budget.services import accounts

    other = open_cycle(web.db, web.council_id(), accounts.test_hasher(), instance="2028")
    web.db.commit()
    budget = other.budgets[BallotType.APPROVAL]
    assert voting.client.get(f"/vote/budgets/{budget}").status_code == 403
    response = voting.post(
        f"/vote/budgets/{budget}/cast",
        [("form_key", "0" * 32), ("choice", str(other.projects[budget][0]))],
    )
    assert response.status_code == 403
    assert voting.ballots() == 0


@pytest.mark.threat("T1")
def test_after_the_end_nothing_is_accepted(voting: Voting, web: Web) -> None:
    from datetime import timedelta

    web.clock.now = DURING + timedelta(days=30)
    sign_in(voting.client, voting.voter.email)  # the earlier session expired meanwhile
    a = voting.projects(BallotType.CHOOSE_ONE)[0]
    response = voting.post(
        f"/vote/budgets/{voting.budget(BallotType.CHOOSE_ONE)}/cast",
        [("form_key", "0" * 32), ("choice", str(a))],
    )
    assert response.status_code == 409
    assert "Voting is not open for this budget." in response.text
    assert voting.ballots() == 0


def test_signed_out_visitors_go_to_the_login_page(web: Web) -> None:
    response = web.client().get("/vote")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_the_receipt_check_refuses_what_cannot_be_a_receipt(web: Web) -> None:
    client = web.client()
    token = csrf_token(client, "/receipt")
    response = client.post("/receipt", data={"csrf_token": token, "receipt": "nope"})
    assert response.status_code == 422
    assert "A receipt has 16 letters and digits" in response.text
    response = client.post("/receipt", data={"csrf_token": token, "receipt": "0" * 16})
    assert "Unknown: no ballot has this receipt." in response.text


@pytest.mark.threat("T3")
def test_t3_logs_carry_no_choices(voting: Voting, caplog: pytest.LogCaptureFixture) -> None:
    a, b, _ = voting.projects(BallotType.RANKED)
    with caplog.at_level(logging.DEBUG):
        voting.vote(BallotType.RANKED, [(f"rank-{b}", "1"), (f"rank-{a}", "2")])
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("budget")]
    assert ours  # the route logs the outcome...
    assert not [m for m in ours if "rank-" in m or f"[{b}, {a}]" in m]  # ...never the choices


def test_every_ballot_type_can_be_cast_through_the_pages(voting: Voting) -> None:
    p = {kind: voting.projects(kind) for kind in BallotType}
    voting.vote(
        BallotType.KNAPSACK,
        [("choice", str(p[BallotType.KNAPSACK][0])), ("choice", str(p[BallotType.KNAPSACK][1]))],
    )
    voting.vote(
        BallotType.CUMULATIVE,
        [
            (f"points-{p[BallotType.CUMULATIVE][0]}", "3"),
            (f"points-{p[BallotType.CUMULATIVE][2]}", "2"),
        ],
    )
    voting.vote(BallotType.RANKED, [(f"rank-{p[BallotType.RANKED][2]}", "1")])
    voting.vote(BallotType.CHOOSE_ONE, [("choice", str(p[BallotType.CHOOSE_ONE][1]))])
    assert voting.ballots() == 4


def test_the_ballot_shows_each_illustrated_project_s_thumbnail(web: Web) -> None:
    from budget.services import accounts

    opened = open_cycle(web.db, web.council_id(), accounts.test_hasher(), image=photo())
    voter = web.account(email="looker@example.org")
    enrol(web.db, opened.cycle_id, account_id=voter.id)
    web.db.commit()
    web.clock.now = DURING
    client = web.client()
    sign_in(client, voter.email)
    budget = opened.budgets[BallotType.APPROVAL]
    page = client.get(f"/vote/budgets/{budget}")
    thumbs = re.findall(
        r'<img class="ballot-project__image" src="([^"]+)" alt="([^"]+)"', page.text
    )
    assert len(thumbs) == 1
    source, alt = thumbs[0]
    assert alt == "A bench under a plane tree"
    image = client.get(source)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/webp"


def test_an_unconfirmed_address_cannot_vote_and_the_page_says_so(web: Web) -> None:
    voting = Voting(web, verified=False)
    (a, *_) = voting.projects(BallotType.APPROVAL)
    path = f"/vote/budgets/{voting.budget(BallotType.APPROVAL)}"
    assert "Send the link again" in voting.client.get(path).text
    review = voting.post(path, [("action", "review"), ("choice", str(a))])
    key = FORM_KEY.search(review.text)
    assert key
    refused = voting.post(f"{path}/cast", [("form_key", key.group(1)), ("choice", str(a))])
    assert refused.status_code == 403
    assert "Confirm your e-mail address first" in refused.text
    assert (voting.ballots(), voting.participations()) == (0, 0)
