"""The objects the generated route matrices (test_route_roles, test_csrf, test_audit_log) call
their routes on, built once per module and backend rather than once per case.

`seed` builds them in a transaction of its own, left open for the module; each case then runs in
a savepoint of that transaction (`seeded_db`, which the modules use as their `db`), rolled back
after it, so every case starts from the same objects, makes its real requests, and leaves
nothing behind for the next one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Connection, Engine
from sqlmodel import Session
from starlette.applications import Starlette

from budget.db import queries
from budget.db.tables import PaperBatch
from budget.domain.accounts import Role
from budget.services import (
    categories,
    committees,
    images,
    notifications,
    polling,
    recovery,
    roll,
    sessions,
)
from budget.services.mail_text import Kind
from budget.web.routing import ROLES
from tests import mailbox
from tests.images import png
from tests.webapp import Clock, Web, make_cycle, make_district, make_proposal

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def fill(path: str, ids: dict[str, int]) -> str:
    return PARAM.sub(lambda match: str(ids[match.group(1)]), path)


def objects(web: Web) -> dict[str, int]:
    """One object of each kind a path can name; the cycle is public (not a draft)."""
    cycle_id = make_cycle(web)
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    account_id = web.account(email="target@example.org").id
    now, council = web.clock(), web.council_id()
    # A draft by someone else: to the caller it does not exist (404), so a 403 can only
    # come from the route's roles, not from the authorship check of a public proposal.
    proposal_id = make_proposal(web, account_id, budget_id, submit=False)
    # The category lives in a cycle of its own: proposals of a cycle with categories need one.
    other_cycle = make_cycle(web, instance="2029", open_submissions=False)
    category_id = categories.create_category(
        web.db, now, actor_id=council, cycle_id=other_cycle, code="green",
        name_fr="Environnement", name_en="Environment",
    )  # fmt: skip
    committee_id = committees.create_committee(
        web.db, now, actor_id=council, cycle_id=cycle_id, name="Roads"
    )
    notifications.notify(web.db, now, account_id, Kind.MERGED, proposal_id=proposal_id, title="x")
    image_id = images.add_image(
        web.db, now, actor_id=account_id, proposal_id=proposal_id, upload=png(), alt_text="x"
    )
    district_id = make_district(web, cycle_id)
    entry_id = roll.declare(
        web.db, now, account_id=account_id, cycle_id=cycle_id, birth_year=1990,
        district_id=district_id,
    )  # fmt: skip
    place_id = polling.create_place(
        web.db, now, actor_id=council, cycle_id=cycle_id, name="Mairie", address="",
        budget_ids=[budget_id],
    )  # fmt: skip
    # A batch row for the paths that name one (opening one through the service needs voting
    # open and an officer on shift: the audit test's rows do that).
    batch = PaperBatch(place_id=place_id, budget_id=budget_id, number=1, size=1, state="open",
                       created_at=now)  # fmt: skip
    web.db.add(batch)
    # A council member's reset request, awaiting a second member's approval.
    deputy = web.account(Role.COUNCIL, email="deputy@example.org")
    recovery.request_reset(web.db, now, email=deputy.email, links=mailbox.links())
    web.db.commit()
    return {
        "place_id": place_id,
        "batch_id": batch.id or 0,
        "cycle_id": cycle_id,
        "budget_id": budget_id,
        "district_id": district_id,
        "entry_id": entry_id,
        "account_id": account_id,
        "proposal_id": proposal_id,
        "category_id": category_id,
        "committee_id": committee_id,
        "notification_id": queries.notifications_of(web.db, account_id)[0].id,
        "image_id": image_id,
        # No public proposal here (it would change what the cycle's phase moves allow): a
        # comment the path names is made by each case that needs one (test_audit_log).
        "comment_id": 10**9,
        "request_id": recovery.pending_resets(web.db, now)[0].id,
        "session_id": _a_session(web, account_id),
    }


def _a_session(web: Web, account_id: int) -> int:
    now = web.clock()
    sessions.start_session(web.db, now, account_id=account_id)
    return max(s.id for s in sessions.active_sessions(web.db, now, account_id=account_id,
                                                       current_token=None))  # fmt: skip


@dataclass
class Seed:
    """The module's open transaction, the objects made in it, and a handle to make more."""

    connection: Connection
    ids: dict[str, int]
    web: Web


@pytest.fixture(scope="module")
def seed(db_backend: Engine, web_apps: dict[str, Starlette]) -> Iterator[Seed]:
    with db_backend.connect() as connection, connection.begin() as outer:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            web = Web(web_apps, session, Clock())
            yield Seed(connection, objects(web), web)
        outer.rollback()


@pytest.fixture(scope="module")
def seeded_roles(seed: Seed) -> dict[str, str]:
    """An account for each role but `visitor` (as `Web.signed_in` makes it), made once beside the
    objects: role -> email."""
    made = {role: seed.web.account(Role(role)) for role in ROLES if role != "visitor"}
    # The officer is on shift at the seeded place, so an officer route is refused only by role.
    now = seed.web.clock()
    polling.add_shift(
        seed.web.db, now, actor_id=seed.web.council_id(), place_id=seed.ids["place_id"],
        account_id=made["officer"].id, starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=365),
    )  # fmt: skip
    seed.web.db.commit()
    return {role: account.email for role, account in made.items()}


@pytest.fixture
def seeded_db(seed: Seed) -> Iterator[Session]:
    """A session in a savepoint of the module's transaction, rolled back after the test: as the
    `db` fixture, services may commit and the seeded objects are left as they were found."""
    savepoint = seed.connection.begin_nested()
    try:
        with Session(bind=seed.connection, join_transaction_mode="create_savepoint") as session:
            yield session
    finally:
        savepoint.rollback()


@pytest.fixture
def ids(seed: Seed) -> dict[str, int]:
    """The seeded objects' ids: a copy, which a test may change."""
    return dict(seed.ids)
