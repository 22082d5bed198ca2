"""Officer and council pages of polling places through HTTP (issue 17): check-in by name and
birth date, double entry with a difference corrected to acceptance, the council's places,
shifts and voids; every officer route refuses an officer elsewhere or off shift (T2, T7)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func
from sqlmodel import select

from budget.db import queries
from budget.db.tables import Ballot, Participation
from budget.domain.accounts import Role
from budget.domain.polling import BatchState
from budget.services import accounts, cycles, polling
from budget.web.routes import all_routes
from budget.web.routing import RouteSpec
from tests.security.matrix import fill
from tests.services.polling_setup import SHIFT, Place, polling_place
from tests.services.voting_setup import DURING, open_cycle
from tests.webapp import Web, csrf_token, sign_in

FORM = {"content-type": "application/x-www-form-urlencoded"}
OFFICER_ROUTES = [
    (spec, method)
    for spec in all_routes()
    if spec.roles == {"officer"} and spec.loader is not None
    for method in spec.methods
]


class Polling:
    """An open cycle with a place and two officers on shift (Sofia, Karim), a person on the
    roll (Ana Lopes, 29 Feb 1980) and the web clock inside the shift."""

    def __init__(self, web: Web) -> None:
        self.web = web
        council = web.council_id()
        hasher = accounts.test_hasher()
        self.place: Place = polling_place(web.db, open_cycle(web.db, council, hasher), hasher)
        district = cycles.create_district(
            web.db, DURING, actor_id=council, cycle_id=self.place.opened.cycle_id, code="75118",
            name="18e",
        )  # fmt: skip
        self.entry = polling.declare_at_place(
            web.db, DURING, officer_id=self.place.officers[0], place_id=self.place.place_id,
            given_name="Ana", family_name="Lopes", birth_date=date(1980, 2, 29),
            district_id=district,
        )  # fmt: skip
        web.db.commit()
        web.clock.now = DURING
        self.clients = []
        for name in ("sofia", "karim"):
            client = web.client()
            sign_in(client, f"{name}@example.fr", f"{name}-password-123")
            self.clients.append(client)

    def post(self, who: int, path: str, data: list[tuple[str, str]]):
        client = self.clients[who]
        fields = [("csrf_token", csrf_token(client, "/officer")), *data]
        return client.post(path, content=urlencode(fields), headers=FORM)

    def count(self, table) -> int:
        return self.web.db.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def on_duty(web: Web) -> Polling:
    return Polling(web)


def test_an_officer_finds_a_person_and_checks_them_in(on_duty: Polling) -> None:
    place = on_duty.place
    page = on_duty.clients[0].get(
        f"/officer/places/{place.place_id}/check-in",
        params={"name": "lop", "birth_date": "1980-02-29"},
    )
    assert page.status_code == 200
    assert "Ana Lopes" in page.text
    assert f'name="budget" value="{place.budget}"' in page.text
    fields = [("entry_id", str(on_duty.entry)), ("budget", str(place.budget))]
    answer = on_duty.post(0, f"/officer/places/{place.place_id}/check-in", fields)
    assert answer.status_code == 303
    assert on_duty.count(Participation) == 1
    again = on_duty.post(1, f"/officer/places/{place.place_id}/check-in", fields)
    assert again.status_code == 409
    assert "already voted" in again.text
    assert on_duty.count(Participation) == 1
    shown = on_duty.clients[0].get(
        f"/officer/places/{place.place_id}/check-in",
        params={"name": "ana", "birth_date": "1980-02-29"},
    )
    assert "Already voted in" in shown.text


def test_bad_search_input_is_named_and_nothing_breaks(on_duty: Polling) -> None:
    path = f"/officer/places/{on_duty.place.place_id}/check-in"
    bad = on_duty.clients[0].get(path, params={"name": "x\x00%_", "birth_date": "29/02/1980"})
    assert bad.status_code == 422
    assert "date" in bad.text.lower()
    none = on_duty.clients[0].get(path, params={"name": "%", "birth_date": "1980-02-29"})
    assert none.status_code == 200
    junk = on_duty.post(0, path, [("entry_id", "abc"), ("budget", "x")])
    assert junk.status_code == 422
    assert on_duty.count(Participation) == 0


def test_double_entry_with_a_mismatch_goes_to_acceptance(on_duty: Polling) -> None:
    place = on_duty.place
    p = place.opened.projects[place.budget]
    opened = on_duty.post(0, f"/officer/places/{place.place_id}/batches",
                          [("budget_id", str(place.budget)), ("size", "3")])  # fmt: skip
    assert opened.status_code == 303
    batch_path = opened.headers["location"].split("?")[0]
    batch_id = int(batch_path.rsplit("/", 1)[1])
    a = [("ballot-1", f"{p[0]} {p[1]}"), ("ballot-2", "-"), ("ballot-3", str(p[2]))]
    assert on_duty.post(0, batch_path, a).status_code == 303
    side_b = on_duty.clients[1].get(batch_path)
    assert f"{p[0]} {p[1]}" not in side_b.text  # B does not see A's readings
    assert "side B" in side_b.text
    wrong = on_duty.post(1, batch_path, [("ballot-1", "banana")])
    assert wrong.status_code == 422
    assert "project numbers" in wrong.text
    b = [("ballot-1", f"{p[0]},{p[2]}"), ("ballot-2", "-"), ("ballot-3", str(p[2]))]
    assert on_duty.post(1, batch_path, b).status_code == 303
    listed = on_duty.clients[0].get(batch_path)
    assert f"#1: A {{{p[0]},{p[1]}}}, B {{{p[0]},{p[2]}}}" in listed.text
    assert on_duty.count(Ballot) == 0
    fixed = on_duty.post(
        1, f"{batch_path}/correct", [("number", "1"), ("reading", f"{p[1]} {p[0]}")]
    )
    assert fixed.status_code == 303
    assert "notice=batch-accepted" in fixed.headers["location"]
    assert queries.get_batch(on_duty.web.db, batch_id).state is BatchState.ACCEPTED
    assert on_duty.count(Ballot) == 2


@pytest.mark.threat("T2")
@pytest.mark.parametrize(("spec", "method"), OFFICER_ROUTES,
                         ids=[f"{m} {s.path}" for s, m in OFFICER_ROUTES])  # fmt: skip
def test_t2_every_officer_route_refuses_off_shift_and_elsewhere(
    web: Web, spec: RouteSpec, method: str
) -> None:
    """Generated from the route table: at another place, or outside the shift, 403 with the
    next shift named; nothing written."""
    on_duty = Polling(web)
    place = on_duty.place
    batch = polling.open_batch(
        web.db, DURING, officer_id=place.officers[0], place_id=place.place_id,
        budget_id=place.budget, size=1,
    )  # fmt: skip
    web.db.commit()
    ids = {"place_id": place.place_id, "batch_id": batch}
    path = fill(spec.path, ids)
    stranger = web.account(Role.OFFICER, email="elsewhere@example.org")
    other = polling.create_place(
        web.db, DURING, actor_id=place.opened.council, cycle_id=place.opened.cycle_id,
        name="Mairie du 11e", address="", budget_ids=[place.budget],
    )  # fmt: skip
    polling.add_shift(web.db, DURING, actor_id=place.opened.council, place_id=other,
                      account_id=stranger.id, starts_at=SHIFT[0], ends_at=SHIFT[1])  # fmt: skip
    web.db.commit()
    elsewhere = web.client()
    sign_in(elsewhere, stranger.email)
    before = on_duty.count(Participation), on_duty.count(Ballot)
    for client, clock in ((elsewhere, DURING), (on_duty.clients[0], SHIFT[0] - timedelta(hours=1))):
        web.clock.now = DURING
        token = csrf_token(client, "/officer")
        web.clock.now = clock
        if method == "GET":
            answer = client.get(path)
        else:
            answer = client.post(path, data={"csrf_token": token, "entry_id": "1"})
        assert answer.status_code == 403, (path, answer.status_code)
        assert "not on shift" in answer.text
    assert "next shift here starts" in answer.text  # Sofia's shift is still to come
    assert (on_duty.count(Participation), on_duty.count(Ballot)) == before


def test_the_council_creates_a_place_adds_a_shift_and_voids_a_batch(
    web: Web, on_duty: Polling
) -> None:
    place = on_duty.place
    council = web.client()
    sign_in(council, "granter@example.org")
    cycle = place.opened.cycle_id
    token = csrf_token(council, f"/admin/cycles/{cycle}/polling")
    empty = council.post(f"/admin/cycles/{cycle}/polling", data={"csrf_token": token, "name": ""})
    assert empty.status_code == 422
    made = council.post(
        f"/admin/cycles/{cycle}/polling",
        data={
            "csrf_token": token,
            "name": "Mairie du 20e",
            "address": "",
            "budget": [str(place.budget)],
        },
    )
    assert made.status_code == 303
    new_place = int(made.headers["location"].split("?")[0].rsplit("/", 1)[1])
    bad = council.post(f"/admin/polling/{new_place}/shifts", data={
        "csrf_token": token, "account_id": str(place.officers[0]), "starts_at": "2027-09-02T18:00",
        "ends_at": "2027-09-02T08:00"})  # fmt: skip
    assert bad.status_code == 422
    assert "ends after it starts" in bad.text
    ok = council.post(f"/admin/polling/{new_place}/shifts", data={
        "csrf_token": token, "account_id": str(place.officers[0]), "starts_at": "2027-09-02T08:00",
        "ends_at": "2027-09-02T18:00"})  # fmt: skip
    assert ok.status_code == 303
    batch = polling.open_batch(
        web.db, DURING, officer_id=place.officers[0], place_id=place.place_id,
        budget_id=place.budget, size=1,
    )  # fmt: skip
    web.db.commit()
    web.clock.now = DURING
    page = council.get(f"/admin/polling/{place.place_id}")
    assert page.status_code == 200
    assert "Reconciliation" in page.text
    listing = council.get(f"/admin/cycles/{cycle}/polling")
    assert "Closing the vote is blocked" in listing.text
    no_reason = council.post(f"/admin/paper-batches/{batch}/void", data={"csrf_token": token})
    assert no_reason.status_code == 422
    voided = council.post(f"/admin/paper-batches/{batch}/void",
                          data={"csrf_token": token, "reason": "Counted twice"})  # fmt: skip
    assert voided.status_code == 303
    assert queries.get_batch(web.db, batch).state is BatchState.VOIDED


def test_an_officers_home_lists_their_shifts(on_duty: Polling) -> None:
    home = on_duty.clients[0].get("/officer")
    assert home.status_code == 200
    assert "Mairie du 18e" in home.text


@pytest.mark.threat("T9")
def test_t9_officers_see_no_count_of_ballots(on_duty: Polling) -> None:
    """The place page shows check-ins and batch states; the reconciliation (ballots, blank,
    invalid) is the council's, and no page of an officer counts what ballots chose."""
    place = on_duty.place
    p = place.opened.projects[place.budget]
    opened = on_duty.post(0, f"/officer/places/{place.place_id}/batches",
                          [("budget_id", str(place.budget)), ("size", "1")])  # fmt: skip
    batch_path = opened.headers["location"].split("?")[0]
    for who in (0, 1):
        on_duty.post(who, batch_path, [("ballot-1", str(p[0]))])
    assert on_duty.count(Ballot) == 1
    page = on_duty.clients[0].get(f"/officer/places/{place.place_id}")
    assert page.status_code == 200
    for word in ("Reconciliation", "Paper ballots", "Blank", "Invalid", "Surplus"):
        assert word not in page.text
    admin = on_duty.clients[0].get(f"/admin/polling/{place.place_id}")
    assert admin.status_code == 403
