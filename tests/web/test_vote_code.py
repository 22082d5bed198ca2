"""Voting with a mailed code through HTTP, signed out (T6): the code form, the code's budgets,
a ballot cast and final, the code never in a URL, wrong codes refused and throttled."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import func
from sqlmodel import select

from budget.db.tables import Ballot, Participation
from budget.domain import codes as code_rules
from budget.domain.ballots import BallotType
from budget.services import accounts, codes
from tests.services.voting_setup import DURING, OpenCycle, open_cycle
from tests.web.test_vote import FORM, FORM_KEY, RECEIPT
from tests.webapp import Web, csrf_token


class CodeVoting:
    """An open cycle whose three roll entries hold codes; a signed-out browser."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.opened: OpenCycle = open_cycle(
            web.db, web.council_id(), accounts.test_hasher(), eligibility_mode="roll"
        )
        key = web.apps["development"].state.code_key
        issued = codes.issue_codes(
            web.db, DURING, actor_id=None, cycle_id=self.opened.cycle_id, key=key
        )
        self.codes = [i.code for i in issued]
        web.db.commit()
        web.clock.now = DURING
        self.client = web.client()

    def post(self, path: str, data: list[tuple[str, str]]):
        fields = [("csrf_token", csrf_token(self.client, "/vote/code")), *data]
        return self.client.post(path, content=urlencode(fields), headers=FORM)

    def count(self, table) -> int:
        return self.web.db.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def voting(web: Web) -> CodeVoting:
    return CodeVoting(web)


def test_a_code_voter_signed_out_votes_once_and_the_ballot_is_final(voting: CodeVoting) -> None:
    code = voting.codes[0]
    typed = code.lower().replace("-", " ")  # case and separators do not matter
    home = voting.post("/vote/code", [("code", typed)])
    assert home.status_code == 200, home.text
    assert home.headers["cache-control"] == "no-store"
    assert home.text.count("Not yet voted.") == len(voting.opened.budgets)
    budget = voting.opened.budgets[BallotType.CHOOSE_ONE]
    assert f'action="/vote/budgets/{budget}"' in home.text
    assert code not in " ".join(re.findall(r'href="([^"]*)"', home.text))  # never in a link
    ballot = voting.post(f"/vote/budgets/{budget}", [("code", code)])
    assert ballot.status_code == 200
    assert 'name="choice"' in ballot.text
    choice = ("choice", str(voting.opened.projects[budget][0]))
    confirm = voting.post(f"/vote/budgets/{budget}", [("code", code), ("action", "review"), choice])
    assert "A ballot cast with a voting code is final" in confirm.text
    key = FORM_KEY.search(confirm.text)
    assert key
    cast = voting.post(
        f"/vote/budgets/{budget}/cast", [("code", code), ("form_key", key.group(1)), choice]
    )
    assert cast.status_code == 200, cast.text
    assert RECEIPT.search(cast.text)
    assert (voting.count(Ballot), voting.count(Participation)) == (1, 1)
    again = voting.post("/vote/code", [("code", code)])
    assert "Voted with your voting code on" in again.text
    second = voting.post(
        f"/vote/budgets/{budget}/cast", [("code", code), ("form_key", "1" * 32), choice]
    )
    assert second.status_code == 409
    assert (voting.count(Ballot), voting.count(Participation)) == (1, 1)


def test_a_wrong_code_is_refused_and_nothing_is_stored(voting: CodeVoting) -> None:
    page = voting.post("/vote/code", [("code", "AAAA-AAAA-AAAA-AAAA-AAAA")])
    assert page.status_code == 422
    assert "This voting code is not valid for this cycle" in page.text
    budget = voting.opened.budgets[BallotType.CHOOSE_ONE]
    choice = ("choice", str(voting.opened.projects[budget][0]))
    forged = voting.post(
        f"/vote/budgets/{budget}/cast",
        [("code", "AAAA-AAAA-AAAA-AAAA-AAAA"), ("form_key", "2" * 32), choice],
    )
    assert forged.status_code == 422
    assert (voting.count(Ballot), voting.count(Participation)) == (0, 0)


def test_without_a_code_a_signed_out_ballot_post_is_sent_to_sign_in(voting: CodeVoting) -> None:
    budget = voting.opened.budgets[BallotType.CHOOSE_ONE]
    response = voting.post(f"/vote/budgets/{budget}", [("action", "recount")])
    assert response.status_code in {303, 403}
    assert voting.count(Ballot) == 0


@pytest.mark.threat("T6")
def test_guessing_codes_from_one_address_is_throttled(voting: CodeVoting) -> None:
    for n in range(code_rules.SOURCE_MAX_FAILURES):
        assert voting.post("/vote/code", [("code", f"AAAA-AAAA-AAAA-AAAA-AAA{n}")]).status_code
    blocked = voting.post("/vote/code", [("code", voting.codes[0])])  # even the right one
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Not yet voted." not in blocked.text


def test_the_code_form_lists_the_open_cycle(voting: CodeVoting) -> None:
    page = voting.client.get("/vote/code")
    assert page.status_code == 200
    assert f'name="cycle" value="{voting.opened.cycle_id}"' in page.text
    refused = voting.post("/vote/code", [("code", voting.codes[0]), ("cycle", "99999")])
    assert refused.status_code == 422
    assert "Choose the participatory budget your letter is for." in refused.text
