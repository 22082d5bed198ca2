"""Several processes, one database (issue 20, 3): two `budget serve` processes behind Debian's
nginx, run with deploy/nginx/budget.conf as the README shows it, one deployment for the module.
Storms of one voter's submissions through nginx end with one counted ballot and no 5xx; a
session, its CSRF token and the login throttle started on one process hold on the other (no
state that matters lives in a process's memory); the crash rounds of test_crash.py, killing
one process at a time, give the same results; the README's configuration block is that file,
word for word. The storms and the session checks vote in the choose-one budget with the last
voters, the crash rounds in the approval budget with the first ones, apart from each other.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.engine import make_engine
from budget.db.tables import Ballot, BallotLink, Participation, Receipt
from budget.domain import receipts
from budget.domain.accounts import ACCOUNT_FREE_FAILURES
from tests.resilience import rig
from tests.resilience.conftest import Prepared
from tests.resilience.test_crash import run_rounds

STORMS = (32, 64)


@pytest.fixture(scope="module")
def proxied(prepared: Prepared, workdir: Path, nginx: str) -> Iterator[rig.Deployment]:
    with rig.deployment(
        prepared.url, prepared.secret_key, workdir, processes=2, proxy=True
    ) as deployment:
        yield deployment


def stored(prepared: Prepared) -> tuple[int, int, int, frozenset[str]]:
    """Ballots, participations and links of the budget, and its recorded receipts."""
    budget = prepared.voting.one_budget_id
    engine = make_engine(prepared.url)
    try:
        with Session(engine) as db:
            return (
                db.exec(select(func.count()).where(col(Ballot.budget_id) == budget)).one(),
                db.exec(select(func.count()).where(col(Participation.budget_id) == budget)).one(),
                db.exec(select(func.count()).where(col(BallotLink.budget_id) == budget)).one(),
                frozenset(
                    db.exec(
                        select(Receipt.receipt_hash).where(
                            Receipt.budget_id == budget, Receipt.state == "recorded"
                        )
                    ).all()
                ),
            )
    finally:
        engine.dispose()


def proxy_errors(deployment: rig.Deployment) -> str:
    """The end of nginx's error log: why it answered 502 or 504."""
    assert deployment.nginx is not None
    log = deployment.nginx.directory / "error.log"
    return log.read_text()[-2000:] if log.exists() else ""


def http_storm(base: str, prepared: Prepared, cookie: str, size: int) -> list[str | int]:
    """`size` reviewed ballots of one voter, cast at once, each on its own connection; the
    receipts shown, or the status codes."""
    voting = prepared.voting
    ballots = [
        rig.Ballot(cookie, (voting.one_projects[n % len(voting.one_projects)],))
        for n in range(size)
    ]
    with httpx.Client(timeout=60) as client:
        for ballot in ballots:
            rig.review(client, base, ballot, voting.one_budget_id)
    start = threading.Barrier(size)
    outcomes: list[str | int] = []
    lock = threading.Lock()

    def submit(ballot: rig.Ballot) -> None:
        with httpx.Client(timeout=60) as client:
            start.wait()
            assert ballot.cast_path is not None
            page = rig.post_form(client, f"{base}{ballot.cast_path}", ballot.cast_fields, cookie)
        found = rig.RECEIPT.search(page.text) if page.status_code == 200 else None
        with lock:
            outcomes.append(found.group(1).replace("-", "") if found else page.status_code)

    threads = [threading.Thread(target=submit, args=(b,)) for b in ballots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.heavy
@pytest.mark.postgres
@pytest.mark.threat("T1")
def test_t1_storms_through_nginx_and_two_processes(
    prepared: Prepared, proxied: rig.Deployment
) -> None:
    for n, size in enumerate(STORMS):
        before = stored(prepared)
        outcomes = http_storm(proxied.base, prepared, prepared.voting.cookies[-1 - n], size)
        after = stored(prepared)
        failed = [o for o in outcomes if isinstance(o, int)]
        # no 5xx, and every revision of a signed-in voter lands (nginx says why, if not)
        assert not failed, (failed, proxy_errors(proxied))
        assert len(outcomes) == size
        assert after[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)  # one counted ballot
        new = after[3] - before[3]
        assert len(new) == 1
        assert new <= {receipts.digest(o) for o in outcomes if isinstance(o, str)}
    served = (proxied.apps[0].log.read_text(), proxied.apps[1].log.read_text())
    assert all("/cast HTTP/1.1" in log for log in served)  # both processes took casts


def anonymous(client: httpx.Client, base: str) -> tuple[str, str]:
    """A fresh visitor: the anonymous cookie and CSRF token of the login page."""
    page = client.get(f"{base}/login")
    assert page.status_code == 200
    return cookie_of(page), rig.CSRF_FIELD.findall(page.text)[-1]


def cookie_of(response: httpx.Response) -> str:
    return response.headers["set-cookie"].split(";", 1)[0]


def login(
    client: httpx.Client, base: str, cookie: str, token: str, email: str, password: str
) -> httpx.Response:
    fields = [("csrf_token", token), ("email", email), ("password", password), ("next", "/")]
    return rig.post_form(client, f"{base}/login", fields, cookie)


@pytest.mark.heavy
@pytest.mark.postgres
@pytest.mark.threat("T5")
def test_session_csrf_and_throttle_are_shared_by_the_processes(
    prepared: Prepared, proxied: rig.Deployment
) -> None:
    a, b = proxied.app_url(0), proxied.app_url(1)
    voting = prepared.voting
    with httpx.Client(timeout=30) as client:
        # Signed in through A (a real login form post): B knows the session.
        cookie, token = anonymous(client, a)
        signed = login(client, a, cookie, token, "voter100@load.test", "voter-password-000100")
        assert signed.status_code == 303
        session = cookie_of(signed)
        assert client.get(f"{b}/account", headers={"Cookie": session}).status_code == 200
        assert client.get(f"{b}/account", headers={"Cookie": cookie}).status_code != 200
        # The CSRF token of A's page is taken by B, and the form key of B's page by A.
        ballot = rig.Ballot(session, voting.one_projects[:1])
        path = f"/vote/budgets/{voting.one_budget_id}"
        token_a = rig.csrf_token(client, a, session, path)
        page = rig.post_form(
            client, f"{b}{path}",
            [("csrf_token", token_a), ("action", "review"), ("choice", str(ballot.choices[0]))],
            session,
        )  # fmt: skip
        found = rig.CAST_FORM.search(page.text)
        assert found is not None, page.status_code
        ballot.cast_path, ballot.cast_fields = found.group(1), rig.HIDDEN.findall(found.group(2))
        receipt = rig.cast(client, a, ballot)
        assert rig.cast(client, b, ballot) == receipt  # the same form key again: the same one
        # Signing out through B ends the session on A.
        logout = rig.post_form(client, f"{b}/logout", [("csrf_token", token_a)], session)
        assert logout.status_code == 303
        assert client.get(f"{a}/account", headers={"Cookie": session}).status_code != 200
        # Failed logins count across processes: alternating A and B, the account is slowed
        # down after the free failures, as on one process.
        statuses = []
        for n in range(ACCOUNT_FREE_FAILURES + 3):
            base = (a, b)[n % 2]
            cookie, token = anonymous(client, base)
            wrong = login(client, base, cookie, token, "voter101@load.test", "wrong-password-1")
            statuses.append(wrong.status_code)
    assert statuses[:ACCOUNT_FREE_FAILURES] == [422] * ACCOUNT_FREE_FAILURES
    assert 429 in statuses[ACCOUNT_FREE_FAILURES:], statuses


@pytest.mark.heavy
@pytest.mark.postgres
@pytest.mark.threat("T8")
def test_t8_sigkill_one_of_two_processes_behind_nginx(
    prepared: Prepared, proxied: rig.Deployment
) -> None:
    rng = random.Random()
    victim: list[rig.App] = []

    def kill() -> None:
        victim.append(rng.choice(proxied.apps))
        victim[-1].kill()

    def restart() -> None:
        victim.pop().start()

    run_rounds(prepared, proxied, kill, restart, seed=rng.randrange(10**6))


def test_readme_shows_the_nginx_configuration_the_tests_run() -> None:
    """The README's Production section carries deploy/nginx/budget.conf word for word."""
    readme = (rig.ROOT / "README.md").read_text()
    blocks = re.findall(r"```nginx\n(.*?)```", readme, re.S)
    assert blocks == [rig.SITE_CONF.read_text()]
    rendered = rig.render_site(
        blocks[0], listen="127.0.0.1:8080", ports=(8001, 8002), server_name="budget.city.example"
    )
    assert "server 127.0.0.1:8001 max_fails=0;\n    server 127.0.0.1:8002 max_fails=0;" in rendered
