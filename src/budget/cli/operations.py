"""Operations sub-commands: serve, migrate, create-admin and demo (the database and server).

Configuration comes from the environment (config.Settings); a mistake in it, or a refused
action, raises ConfigError or a BudgetError, which `budget.cli.main` prints on one line.

The database, server and service modules are imported inside the functions that use them, so
`budget tally` and `budget --help` never load SQLAlchemy (tests/test_cli_imports.py).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budget.config import ConfigError, Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

FACTORY = "budget.web.app:create_app"
REDACTION_FILTER = "budget.web.redaction.RedactSecrets"  # named, like the factory: web is a peer
DEFAULT_HOST = "127.0.0.1"
KEEP_ALIVE_SECONDS = 75  # idle keep-alive: above nginx's upstream keepalive_timeout


def settings() -> Settings:
    return Settings.from_env(os.environ)


def engine_for(config: Settings) -> Engine:
    """The configured database; for SQLite, its folder is created (the default is ./var/)."""
    from sqlalchemy.engine import make_url

    from budget.db.engine import make_engine

    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return make_engine(config.database_url)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="serve the web application with uvicorn")
    serve.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (%(default)s)")
    serve.add_argument("--port", type=int, default=None, help="port (default: $PORT or 8000)")
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Check configuration and schema here, so a mistake is one line, not a worker traceback."""
    import uvicorn  # only this sub-command needs the server
    from uvicorn.config import LOGGING_CONFIG

    from budget.db import migrate

    config = settings()
    engine = engine_for(config)
    try:
        migrate.check_schema(engine)
    finally:
        engine.dispose()
    port = args.port or config.port
    print(f"budget: serving on http://{args.host}:{port}/ ({config.env})", flush=True)
    # X-Forwarded-For is read by the app itself, from TRUSTED_PROXIES only (T4).
    uvicorn.run(
        FACTORY,
        factory=True,
        host=args.host,
        port=port,
        proxy_headers=False,
        server_header=False,
        # Longer than nginx's upstream keepalive_timeout (60 s, deploy/nginx/budget.conf): the
        # proxy must be the side that closes an idle connection. With uvicorn's default 5 s, a
        # POST nginx sends on a connection the app is closing at that instant comes back 502
        # (nginx never resends a POST).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        log_config=log_config(LOGGING_CONFIG),
    )
    return 0


def log_config(base: dict[str, Any]) -> dict[str, Any]:
    """uvicorn's logging, with secrets redacted on every handler (T12) and the app's own
    loggers (warnings such as a generated development key) printed too."""
    config = copy.deepcopy(base)
    config["filters"] = {"redact": {"()": REDACTION_FILTER}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    config["loggers"]["budget"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def add_migrate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate_parser = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate_parser.set_defaults(handler=run_migrate)


def run_migrate(args: argparse.Namespace) -> int:
    from budget.db import migrate

    engine = engine_for(settings())
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"budget migrate: the schema is up to date ({after})")
    else:
        print(f"budget migrate: upgraded the schema from {before or 'empty'} to {after}")
    return 0


def add_create_admin(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    create = commands.add_parser(
        "create-admin",
        help="create a council account",
        description="Create a council account. The password is asked twice on the terminal, "
        "or read from the first line of standard input with --password-stdin; never as an "
        "argument, which other users and the shell history could read.",
    )
    create.add_argument("--email", help="the account's email address (asked if omitted)")
    create.add_argument("--name", help="the name shown for the account (asked if omitted)")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.set_defaults(handler=run_create_admin)


def ask(prompt: str, given: str | None) -> str:
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise ConfigError(f"{prompt.lower()} is required: pass it as an option")
    return input(f"{prompt}: ")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ConfigError("no terminal to ask the password on: use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ConfigError("the two passwords differ; nothing was created")
    return first


def run_create_admin(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from budget.db import migrate
    from budget.db.engine import for_writing
    from budget.services import accounts

    email = ask("Email", args.email)
    name = ask("Name", args.name)
    password = read_password(args.password_stdin)
    engine = engine_for(settings())
    try:
        migrate.check_schema(engine)
        with for_writing(Session(engine)) as db:
            account = accounts.create_admin(
                db,
                utc_now(),
                email=email,
                password=password,
                display_name=name,
                hasher=accounts.production_hasher(),
            )
            db.commit()
    finally:
        engine.dispose()
    print(f"budget create-admin: created council account {account.email} (id {account.id})")
    return 0


def add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo_parser = commands.add_parser(
        "demo", help="fill an empty database with a demonstration cycle and accounts"
    )
    demo_parser.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (exit 0) when the database already has data; print the demo "
        "logins if the demo was loaded before",
    )
    demo_parser.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from budget.db import migrate
    from budget.db.engine import for_writing
    from budget.domain.errors import DemoNotEmpty
    from budget.services import accounts, demo

    config = settings()
    engine = engine_for(config)
    try:
        migrate.check_schema(engine)
        with for_writing(Session(engine)) as db:
            try:
                summary = demo.load_demo(
                    db, utc_now(), accounts.production_hasher(), code_key=config.key_for("code")
                )
            except DemoNotEmpty:
                if not args.if_empty:
                    raise
                print("budget demo: the database already has data; the demo was not loaded")
                print_logins(db)
                return 0
            db.commit()
            print(
                f"budget demo: loaded cycle {summary.cycle_id} with {summary.residents} "
                f"residents and {summary.proposals} proposals"
            )
            print_logins(db)
            if summary.voting_codes:
                print("Demo voting codes (at /vote/code; shown once, as on a mailed letter):")
                for code in summary.voting_codes:
                    print(f"  {code}")
    finally:
        engine.dispose()
    return 0


def print_logins(db: Session) -> None:
    """The demo accounts that exist in this database, with their published passwords."""
    from budget.db import queries
    from budget.services import demo

    present = [a for a in demo.DEMO_ACCOUNTS if queries.find_account(db, a.email) is not None]
    if not present:
        return
    print("Demo logins (for trying things out only):")
    width = max(len(account.email) for account in present)
    for account in present:
        print(f"  {account.role.value:<9} {account.email:<{width}}  {account.password}")
