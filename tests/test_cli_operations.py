"""The operations sub-commands of `budget` (cli/operations.py): serve, migrate, create-admin, demo.

(The counting sub-commands, tally and compare, are tested in test_cli.py.)"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from budget import cli
from budget.cli import operations
from budget.db import queries
from budget.db.engine import make_engine
from budget.domain.accounts import Role

KEY = "k7Hq2vPz9LmN4xR8sT1wY6bC3dF5gJ0aE-uIoQ"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty production configuration on a SQLite file in a folder that does not exist yet."""
    url = f"sqlite:///{tmp_path / 'var' / 'budget.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("BUDGET_ENV", "production")
    return url


def test_migrate_creates_the_folder_and_schema_then_is_idempotent(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate"]) == 0
    assert "upgraded the schema from empty" in capsys.readouterr().out
    assert cli.main(["migrate"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_serve_refuses_an_unmigrated_database(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve"]) == 2
    assert "budget migrate" in capsys.readouterr().err


@pytest.mark.threat("T12")
@pytest.mark.parametrize("command", ["serve", "migrate"])
@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "SECRET_KEY is required outside development"),
        ("short-but-random-9f8e7d", "SECRET_KEY is too short"),
        ("changeme", "SECRET_KEY is a published example value"),
        ("changeme-changeme-changeme-changeme", "SECRET_KEY is a published example value"),
        ("k7Hq2vPz-" * 5, "SECRET_KEY repeats a short pattern"),
    ],
)
def test_t12_secret_key_required(
    database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    key: str | None,
    message: str,
) -> None:
    """Outside development a missing, short or example key stops the command before it
    touches anything: exit 2, one line naming the variable, no traceback."""
    if key is None:
        monkeypatch.delenv("SECRET_KEY")
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    assert cli.main([command]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"budget {command}: {message}")
    assert "Traceback" not in err
    assert not Path(database.removeprefix("sqlite:///")).parent.exists()  # nothing created


def test_serve_hands_uvicorn_the_factory_on_localhost(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append((a, k)))
    cli.main(["migrate"])
    assert cli.main(["serve"]) == 0
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "9000"]) == 0  # noqa: S104
    (first_args, first), (_, second) = calls
    assert first_args == ("budget.web.app:create_app",)
    assert (first["factory"], first["host"], first["port"]) == (True, "127.0.0.1", 8000)
    assert (second["host"], second["port"]) == ("0.0.0.0", 9000)  # noqa: S104
    assert first["proxy_headers"] is False  # X-Forwarded-For only from TRUSTED_PROXIES (T4)
    handlers = first["log_config"]["handlers"].values()
    assert all(handler["filters"] == ["redact"] for handler in handlers)  # T12
    assert first["log_config"]["filters"]["redact"]["()"] == operations.REDACTION_FILTER


def create_admin(monkeypatch: pytest.MonkeyPatch, *args: str, password: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli.main(["create-admin", *args, "--password-stdin"])


def test_create_admin_makes_a_council_account(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["migrate"])
    code = create_admin(
        monkeypatch,
        "--email",
        "Mayor@City.example",
        "--name",
        "Mayor",
        password="a long enough passphrase",
    )
    assert code == 0
    assert "created council account mayor@city.example" in capsys.readouterr().out
    engine = make_engine(database)
    with Session(engine) as db:
        account = queries.find_account(db, "mayor@city.example")
    engine.dispose()
    assert account is not None
    assert Role.COUNCIL in account.roles


def test_create_admin_names_each_bad_field(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["migrate"])
    code = create_admin(monkeypatch, "--email", "nope", "--name", "X", password="short")
    assert code == 2
    error = capsys.readouterr().err
    assert "email" in error
    assert "password" in error


def test_create_admin_without_a_terminal_asks_for_the_options(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["migrate"])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli.main(["create-admin"]) == 2
    assert "pass it as an option" in capsys.readouterr().err
    assert cli.main(["create-admin", "--email", "a@b.example", "--name", "A"]) == 2
    assert "--password-stdin" in capsys.readouterr().err


def test_demo_refuses_a_database_with_data_unless_asked_to_skip(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["migrate"])
    create_admin(
        monkeypatch,
        "--email",
        "mayor@city.example",
        "--name",
        "Mayor",
        password="a long enough passphrase",
    )
    capsys.readouterr()
    assert cli.main(["demo"]) == 2
    assert "only fills an empty database" in capsys.readouterr().err
    assert cli.main(["demo", "--if-empty"]) == 0
    out = capsys.readouterr().out
    assert "the demo was not loaded" in out
    assert "Demo logins" not in out  # no demo account exists here
