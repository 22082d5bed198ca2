"""Web test fixtures (imported by the conftest of tests/web, security and browser): the app on
both backends, clients, and accounts and cycles made through the services.

One app per (backend, environment) for the whole session; each test points it at its own
rolled-back transaction (the `db` fixture's connection) and a pinned clock, so requests see
what the test wrote and the database is left as it was found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from budget.config import Environment, Settings
from budget.db import queries
from budget.db.queries import AccountView
from budget.db.tables import Budget, Proposal
from budget.domain.accounts import Role
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase
from budget.services import (
    accounts,
    budgets,
    cycles,
    decisions,
    implementation,
    preferences,
    proposals,
)
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm
from budget.web.app import create_app
from tests import mailbox

SECRET_KEY = mailbox.SECRET_KEY
PASSWORD = "correct horse battery staple"
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE_URLS = {"development": "http://testserver", "production": "https://testserver"}


@dataclass
class Clock:
    """The app's time: tests move it forward to expire sessions or throttles."""

    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def settings_for(env: Environment) -> Settings:
    return Settings(env=env, database_url="sqlite://", secret_key=SECRET_KEY)


@pytest.fixture(scope="session")
def web_apps(db_backend: Engine) -> dict[str, Starlette]:
    """The app in both environments, built once per backend (templates, catalogues, keys)."""
    return {
        env: create_app(settings_for(env), engine=db_backend, hasher=accounts.test_hasher())
        for env in ("development", "production")
    }


@dataclass
class Web:
    """A test's handle on the app: clients, accounts, and the database it shares."""

    apps: dict[str, Starlette]
    db: Session
    clock: Clock
    clients: list[TestClient] = field(default_factory=list)

    def client(
        self, env: Environment = "development", headers: dict[str, str] | None = None
    ) -> TestClient:
        client = TestClient(self.apps[env], base_url=BASE_URLS[env], follow_redirects=False)
        client.headers.update({"accept-language": "en", **(headers or {})})
        client.__enter__()
        self.clients.append(client)
        return client

    def account(self, *roles: Role, email: str | None = None, verified: bool = True) -> AccountView:
        """An account with these roles (resident always), created as a user would be: its
        mailed verification link opened, unless `verified` is False."""
        now = self.clock()
        address = email or f"{'-'.join(r.value for r in roles) or 'resident'}@example.org"
        if Role.COUNCIL in roles:
            created = accounts.create_admin(
                self.db,
                now,
                email=address,
                password=PASSWORD,
                display_name="Council member",
                hasher=accounts.test_hasher(),
            )
            preferences.set_language(self.db, now, account_id=created.id, language="en")
        else:
            made = accounts.register(
                self.db,
                now,
                email=address,
                password=PASSWORD,
                display_name="A resident",
                hasher=accounts.test_hasher(),
                language="en",
                links=mailbox.links(),
            )
            assert made is not None
            created = made
            if verified:
                mailbox.verify(self.db, now, address)
            for role in roles:
                if role is not Role.RESIDENT:
                    granter = self.council_id()
                    accounts.grant_role(
                        self.db, now, actor_id=granter, account_id=created.id, role=role
                    )
        self.db.commit()
        return queries.get_account(self.db, created.id)

    def council_id(self) -> int:
        existing = queries.find_account(self.db, "granter@example.org")
        if existing is not None:
            return existing.id
        return self.account(Role.COUNCIL, email="granter@example.org").id

    def signed_in(
        self, *roles: Role, env: Environment = "development", verified: bool = True
    ) -> TestClient:
        account = self.account(*roles, verified=verified)
        client = self.client(env)
        sign_in(client, account.email)
        return client


def csrf_token(client: TestClient, path: str = "/login") -> str:
    response = client.get(path)
    found = CSRF_FIELD.search(response.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text


def make_cycle(web: Web, *, instance: str = "2027", open_submissions: bool = True) -> int:
    """A cycle with one city-wide budget, moved to the submission phase if asked."""
    council = web.council_id()
    now = web.clock()
    form = CycleForm(
        name_fr="Budget participatif 2027",
        name_en="Participatory budget 2027",
        instance=instance,
        time_zone="Europe/Paris",
        currency="EUR",
        eligibility_mode="declared",
        district_mode="choice",
        min_age=None,
        reference_date=dt.date(2027, 1, 1),
    )
    cycle_id = cycles.create_cycle(web.db, now, actor_id=council, form=form)
    budget = BudgetForm(
        name_fr="Tout Paris",
        name_en="All of Paris",
        scope="city",
        district_id=None,
        amount=125_000_050,
    )
    budgets.create_budget(web.db, now, actor_id=council, cycle_id=cycle_id, form=budget)
    if open_submissions:
        start = now + dt.timedelta(days=1)
        window = (start, start + dt.timedelta(days=30))
        cycles.set_schedule(
            web.db, now, actor_id=council, cycle_id=cycle_id, dates={Phase.SUBMISSION: window}
        )
        cycles.advance_phase(
            web.db, now, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION
        )
    web.db.commit()
    return cycle_id


def make_district(
    web: Web, cycle_id: int, code: str = "75111", name: str = "11e arrondissement"
) -> int:
    district_id = cycles.create_district(
        web.db, web.clock(), actor_id=web.council_id(), cycle_id=cycle_id, code=code, name=name
    )
    web.db.commit()
    return district_id


def make_proposal(web: Web, author_id: int, budget_id: int, *, submit: bool = True) -> int:
    """A proposal by `author_id` in a cycle in the submission phase, submitted if asked."""
    now = web.clock()
    proposal_id = proposals.create_proposal(
        web.db, now, author_id=author_id, budget_id=budget_id, title="Shade trees",
        summary="Plant trees along the canal.",
    )  # fmt: skip
    if submit:
        proposals.submit_proposal(web.db, now, actor_id=author_id, proposal_id=proposal_id)
    web.db.commit()
    return proposal_id


def make_project(
    web: Web,
    author_id: int,
    *,
    instance: str = "2026",
    titles: tuple[str, ...] = ("Shade trees",),
    in_district: bool = False,
    funded: int = 1,
) -> list[int]:
    """A cycle walked to closed through the services, one budget (city-wide, or the district's)
    with a proposal per title by `author_id` on its ballot, located near the Bastille; the
    first `funded` of them funded. Returns the proposals' ids."""
    council, now = web.council_id(), web.clock()
    day = dt.timedelta(days=1)
    form = CycleForm(
        name_fr=f"Budget participatif {instance}", name_en=f"Participatory budget {instance}",
        instance=instance, time_zone="Europe/Paris", currency="EUR",
        eligibility_mode="declared", district_mode="choice", min_age=None,
        reference_date=dt.date(2026, 1, 1),
    )  # fmt: skip
    cycle_id = cycles.create_cycle(web.db, now, actor_id=council, form=form)
    district_id = make_district(web, cycle_id) if in_district else None
    budget = BudgetForm(
        name_fr="Tout Paris" if district_id is None else "11e",
        name_en="All of Paris" if district_id is None else "11th",
        scope="city" if district_id is None else "district", district_id=district_id,
        amount=1_000_000_00, ballot_type=BallotType.APPROVAL,
        limits=BallotLimits(max_choices=5), rule="greedy",
        tie_break="more-votes,lower-cost,lottery",
    )  # fmt: skip
    budget_id = budgets.create_budget(web.db, now, actor_id=council, cycle_id=cycle_id, form=budget)
    voting = (now + 2 * day, now + 3 * day)
    cycles.set_schedule(
        web.db, now, actor_id=council, cycle_id=cycle_id,
        dates={Phase.SUBMISSION: (now - 2 * day, now - day), Phase.VOTING: voting},
    )  # fmt: skip
    cycles.advance_phase(web.db, now, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    ids = []
    for title in titles:
        proposal_id = proposals.create_proposal(
            web.db, now, author_id=author_id, budget_id=budget_id, title=title,
            summary="For the neighbourhood.", address="1 rue de la Roquette", lat="48.853000",
            lon="2.369000",
        )  # fmt: skip
        proposals.submit_proposal(web.db, now, actor_id=author_id, proposal_id=proposal_id)
        ids.append(proposal_id)
    cycles.advance_phase(web.db, now, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    for proposal_id in ids:
        decisions.decide_proposal(
            web.db, now, actor_id=council, proposal_id=proposal_id, feasible=True,
            final_cost=90_000_00,
        )  # fmt: skip
    cycles.advance_phase(web.db, now, actor_id=council, cycle_id=cycle_id, target=Phase.VOTING)
    cycles.advance_phase(
        web.db, voting[1], actor_id=council, cycle_id=cycle_id, target=Phase.CLOSED
    )
    implementation.mark_funded(web.db, now, actor_id=council, proposal_ids=ids[:funded])
    web.db.commit()
    return ids


@pytest.fixture
def web(web_apps: dict[str, Starlette], db: Session) -> Iterator[Web]:
    connection = db.connection()
    clock = Clock()
    for app in web_apps.values():
        app.state.session_factory = lambda: Session(
            bind=connection, join_transaction_mode="create_savepoint"
        )
        app.state.clock = clock
    handle = Web(web_apps, db, clock)
    yield handle
    for client in handle.clients:
        client.__exit__(None, None, None)


def district_of(web: Web, proposal_id: int) -> int:
    """The district of the proposal's budget (made by `make_project(in_district=True)`)."""
    district = web.db.exec(
        select(Budget.district_id).join(Proposal).where(Proposal.id == proposal_id)
    ).one()
    assert district is not None
    return district
