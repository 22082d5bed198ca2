"""`budget audit verify` (cli/audit.py): the head hash and entry count of an intact chain.

(Tampered chains, on both backends, are in tests/security/test_audit_log.py.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session

from budget import cli
from budget.db import queries
from budget.db.engine import make_engine
from budget.domain.audit import GENESIS
from budget.services import audit

KEY = "k7Hq2vPz9LmN4xR8sT1wY6bC3dF5gJ0aE-uIoQ"
NOW = dt.datetime(2027, 2, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'budget.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("BUDGET_ENV", "production")
    return url


def test_an_empty_log_verifies_with_the_genesis_head(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate"]) == 0
    capsys.readouterr()
    assert cli.main(["audit", "verify"]) == 0
    assert capsys.readouterr().out == (
        f"budget audit verify: the chain is intact: 0 entries, head {GENESIS}\n"
    )


def test_an_intact_log_prints_its_count_and_head(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["migrate"])
    engine = make_engine(database)
    with Session(engine) as db:
        for k in range(3):
            audit.append(db, NOW, actor=k, action="test.step", object=f"thing:{k}")
        db.commit()
        head = queries.audit_head(db)
    engine.dispose()
    capsys.readouterr()
    assert cli.main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"3 entries, head {head}\n" in out
    assert head != GENESIS


def test_an_unmigrated_database_is_a_clear_error(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["audit", "verify"]) == 2
    assert "budget migrate" in capsys.readouterr().err


def test_audit_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["audit"])
    assert exit_info.value.code == 2
    assert "ACTION" in capsys.readouterr().err
