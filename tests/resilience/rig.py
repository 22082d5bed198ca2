"""A real deployment on this machine, for the resilience tests and scripts/bench_web.py: app
processes started with `budget serve` (uvicorn) on one PostgreSQL database, optionally behind
Debian's nginx rendered from deploy/nginx/budget.conf (the file the README's Production
section shows), voters made through the services, and the voter's HTTP flow as a browser posts
it (ballot page, review with the CSRF token, cast with the form key; the receipt read from the
page).

Nothing here is mocked: the processes are killed with SIGKILL, nginx is the distribution's
binary, the database is a fresh one of its own on the TEST_DATABASE_URL server.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.responses import Response

from budget.config import Settings
from budget.db import migrate, queries
from budget.db.engine import make_engine
from budget.db.tables import Budget, RollEntry
from budget.domain.ballots import BallotType
from budget.domain.receipts import digest
from budget.services import accounts, demo_voting, sessions
from budget.web.auth import SIGNED_IN_KEY, SessionCookie
from tests import mailbox

ROOT = Path(__file__).resolve().parents[2]
SITE_CONF = ROOT / "deploy" / "nginx" / "budget.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
CAST_FORM = re.compile(r'<form method="post" action="(/vote/budgets/\d+/cast)">(.*?)</form>', re.S)
RECEIPT = re.compile(r'<p class="receipt"><code>([^<]+)</code></p>')
TRUSTED = "127.0.0.1/32"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the data: a cycle open for voting now, and voters on its roll -------------------------------


@dataclass(frozen=True)
class Voting:
    cycle_id: int
    budget_id: int  # the city-wide approval budget
    projects: tuple[int, ...]
    max_choices: int
    one_budget_id: int  # the city-wide choose-one budget (its form posts `choice` too)
    one_projects: tuple[int, ...]
    cookies: tuple[str, ...]  # one signed-in session cookie ("name=value") per voter


def prepare(url: str, secret_key: str, voters: int) -> Voting:
    """Migrate the empty database at `url`, build the demo's cycle open for voting (through the
    services, at the real clock: the servers vote now), register `voters` residents on its
    roll and sign each in (a session started by the sessions service, its cookie signed under
    the app's key, exactly what POST /login sends back)."""
    now = dt.datetime.now(dt.UTC)
    hasher = accounts.test_hasher()
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as db:
            council = accounts.create_admin(
                db, now, email="council@load.test", password="council-password-1",
                display_name="Council", hasher=hasher,
            ).id  # fmt: skip
            author = _resident(db, now, hasher, 0)
            demo = demo_voting.load_voting_demo(db, now, council=council, voter_id=author)
            budget_id, one_budget_id = (
                db.exec(
                    select(Budget.id).where(
                        Budget.cycle_id == demo.cycle_id,
                        Budget.scope == "city",
                        Budget.ballot_type == kind.value,
                    )
                ).one()
                for kind in (BallotType.APPROVAL, BallotType.CHOOSE_ONE)
            )
            assert budget_id is not None
            assert one_budget_id is not None
            page = queries.ballot_page(db, budget_id)
            one_page = queries.ballot_page(db, one_budget_id)
            db.commit()
        cookies = _voters(engine, now, hasher, secret_key, demo.cycle_id, voters)
    finally:
        engine.dispose()
    return Voting(
        cycle_id=demo.cycle_id,
        budget_id=budget_id,
        projects=tuple(p.id for p in page.projects),
        max_choices=page.frozen.rules.limits.max_choices or 1,
        one_budget_id=one_budget_id,
        one_projects=tuple(p.id for p in one_page.projects),
        cookies=cookies,
    )


def _resident(db: Session, now: dt.datetime, hasher: object, n: int) -> int:
    view = accounts.register(
        db, now, email=f"voter{n}@load.test", password=f"voter-password-{n:06d}",
        display_name=f"Voter {n}", hasher=hasher, links=mailbox.links(),  # type: ignore[arg-type]
    )  # fmt: skip
    assert view is not None
    mailbox.verify(db, now, view.email)  # a voter signed in with an account has opened the link
    return view.id


def _voters(
    engine: Engine, now: dt.datetime, hasher: object, secret_key: str, cycle_id: int, count: int
) -> tuple[str, ...]:
    cookie = SessionCookie(
        Settings(env="production", database_url="", secret_key=secret_key).key_for("cookie"),
        development=False,
    )
    made: list[str] = []
    batch = 200
    for start in range(1, count + 1, batch):
        with Session(engine) as db:
            for n in range(start, min(start + batch, count + 1)):
                account = _resident(db, now, hasher, n)
                db.add(
                    RollEntry(
                        cycle_id=cycle_id, source="declared", birth_year=1980 + n % 30,
                        account_id=account, created_at=now, updated_at=now,
                    )
                )  # fmt: skip
                token = sessions.start_session(db, now, account_id=account).token
                response = Response()
                cookie.write(response, {SIGNED_IN_KEY: token})
                made.append(response.headers["set-cookie"].split(";", 1)[0])
            db.commit()
    return tuple(made)


# -- the servers ----------------------------------------------------------------------------------


@dataclass
class App:
    """One `budget serve` process."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                [sys.executable, "-m", "budget.cli", "serve", "--port", str(self.port)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip
        wait_until_up(f"http://127.0.0.1:{self.port}/static/favicon.svg", self.process, self.log)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, in-flight requests die with the process."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process ended:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within 30 s:\n{log.read_text()[-3000:]}")


def app_env(url: str, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUDGET_", "DATABASE_"))}
    env.update(
        BUDGET_ENV="production", DATABASE_URL=url, SECRET_KEY=secret_key,
        TRUSTED_PROXIES=TRUSTED, PYTHONUNBUFFERED="1",
    )  # fmt: skip
    return env


def render_site(conf: str, *, listen: str, ports: Sequence[int], server_name: str) -> str:
    """deploy/nginx/budget.conf with its @PLACEHOLDERS@ filled, as the README says to."""
    upstreams = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in ports)
    rendered = (
        conf.replace("@UPSTREAMS@", upstreams.strip())
        .replace("@LISTEN@", listen)
        .replace("@SERVER_NAME@", server_name)
    )
    assert "@" not in rendered.replace("@load.test", ""), rendered  # every placeholder filled
    return rendered


@dataclass
class Nginx:
    """Debian's nginx in the foreground, its prefix, config, pid and logs in `directory`."""

    directory: Path
    port: int
    app_ports: Sequence[int]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        site = render_site(
            SITE_CONF.read_text(), listen=f"127.0.0.1:{self.port}", ports=self.app_ports,
            server_name="127.0.0.1",
        )  # fmt: skip
        (self.directory / "budget.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        main = (
            f"{user}worker_processes 1;\nerror_log {self.directory}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            f"    access_log {self.directory}/access.log;\n"
            f"    client_body_temp_path {self.directory}/body;\n"
            f"    proxy_temp_path {self.directory}/proxy;\n"
            f"    fastcgi_temp_path {self.directory}/fastcgi;\n"
            f"    uwsgi_temp_path {self.directory}/uwsgi;\n"
            f"    scgi_temp_path {self.directory}/scgi;\n"
            f"    include {self.directory}/budget.conf;\n"
            "}\n"
        )
        (self.directory / "nginx.conf").write_text(main)
        log = self.directory / "nginx.out"
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - Debian's nginx
                [NGINX, "-p", str(self.directory), "-c", str(self.directory / "nginx.conf"),
                 "-g", f"daemon off; pid {self.directory}/nginx.pid;"],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_until_up(f"http://127.0.0.1:{self.port}/static/favicon.svg", self.process, log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class Deployment:
    apps: list[App]
    nginx: Nginx | None
    base: str  # where voters go: nginx, or the one app

    def app_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.apps[n].port}"


@contextmanager
def deployment(
    url: str, secret_key: str, directory: Path, *, processes: int = 1, proxy: bool = False
) -> Iterator[Deployment]:
    """`processes` app processes on the database at `url`, behind nginx when `proxy`."""
    env = app_env(url, secret_key)
    apps = [App(free_port(), env, directory / f"app{n}.log") for n in range(processes)]
    nginx = Nginx(directory, free_port(), [a.port for a in apps]) if proxy else None
    try:
        for app in apps:
            app.start()
        if nginx is not None:
            nginx.start()
        base = f"http://127.0.0.1:{nginx.port if nginx else apps[0].port}"
        yield Deployment(apps, nginx, base)
    finally:
        if nginx is not None:
            nginx.stop()
        for app in apps:
            app.stop()


# -- a voter's HTTP flow -------------------------------------------------------------------------


class NotAcknowledgedError(Exception):
    """The server did not show a receipt (connection lost, killed, or an error status)."""


@dataclass
class Ballot:
    """One voter's submission: the cast form once reviewed, kept to post it again."""

    cookie: str
    choices: tuple[int, ...]
    cast_path: str | None = None
    cast_fields: list[tuple[str, str]] = field(default_factory=list)
    receipt: str | None = None  # shown by the server: acknowledged

    @property
    def receipt_hash(self) -> str | None:
        return digest(self.receipt) if self.receipt else None


def post_form(
    client: httpx.Client, url: str, fields: Sequence[tuple[str, str]], cookie: str
) -> httpx.Response:
    """A browser's form post: urlencoded fields (repeated names kept), the session cookie."""
    return client.post(
        url, content=urlencode(fields),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip


def csrf_token(client: httpx.Client, base: str, cookie: str, path: str) -> str:
    page = client.get(f"{base}{path}", headers={"Cookie": cookie})
    if page.status_code != 200:
        raise NotAcknowledgedError(f"GET {path}: {page.status_code}")
    found = CSRF_FIELD.search(page.text)
    if found is None:
        raise NotAcknowledgedError(f"GET {path}: no CSRF token")
    return found.group(1)


def review(client: httpx.Client, base: str, ballot: Ballot, budget_id: int) -> None:
    """GET the ballot page (its CSRF token), POST the choices with action=review, keep the
    confirmation page's cast form (its form key and hidden fields)."""
    path = f"/vote/budgets/{budget_id}"
    token = csrf_token(client, base, ballot.cookie, path)
    data = [("csrf_token", token), ("action", "review")]
    data += [("choice", str(p)) for p in ballot.choices]
    page = post_form(client, f"{base}{path}", data, ballot.cookie)
    found = CAST_FORM.search(page.text) if page.status_code == 200 else None
    if found is None:
        raise NotAcknowledgedError(f"review: {page.status_code}")
    ballot.cast_path = found.group(1)
    ballot.cast_fields = HIDDEN.findall(found.group(2))


def cast(client: httpx.Client, base: str, ballot: Ballot) -> str:
    """POST the cast form; the receipt shown (dashes removed), or NotAcknowledgedError."""
    assert ballot.cast_path is not None
    try:
        page = post_form(client, f"{base}{ballot.cast_path}", ballot.cast_fields, ballot.cookie)
    except httpx.TransportError as error:
        raise NotAcknowledgedError(repr(error)) from error
    found = RECEIPT.search(page.text) if page.status_code == 200 else None
    if found is None:
        raise NotAcknowledgedError(f"cast: {page.status_code}")
    ballot.receipt = found.group(1).replace("-", "")
    return ballot.receipt


def new_secret_key() -> str:
    return secrets.token_urlsafe(48)
