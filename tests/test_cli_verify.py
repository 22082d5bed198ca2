"""`budget verify` (cli/results.py): published files re-count, and so does the database; one
changed vote, funded id or stored ballot gives exit 1 naming the mismatch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from budget import cli
from budget.db import queries
from budget.db.engine import make_engine
from budget.domain.ballots import BallotType
from budget.pabulib import recount
from tests.services.results_setup import counted_cycle

KEY = "k7Hq2vPz9LmN4xR8sT1wY6bC3dF5gJ0aE-uIoQ"


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    """A file database holding a closed, counted cycle; (its URL, the cumulative budget)."""
    url = f"sqlite:///{tmp_path / 'budget.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("BUDGET_ENV", "production")
    assert cli.main(["migrate"]) == 0
    engine = make_engine(url)
    with Session(engine) as db:
        voted = counted_cycle(db, [BallotType.CUMULATIVE])
        budget_id = voted.opened.budgets[BallotType.CUMULATIVE]
        db.commit()
    engine.dispose()
    return url, budget_id


def published(url: str, budget_id: int, directory: Path) -> tuple[Path, Path]:
    engine = make_engine(url)
    with Session(engine) as db:
        box, document = queries.box_bytes(db, budget_id), queries.result_bytes(db, budget_id)
    engine.dispose()
    assert box is not None
    assert document is not None
    (directory / "box.pb").write_bytes(box)
    (directory / "results.json").write_bytes(document)
    return directory / "box.pb", directory / "results.json"


def verify(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    status = cli.main(["verify", *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_published_files_verify(counted, tmp_path, capsys):
    box, document = published(counted[0], counted[1], tmp_path)
    status, output = verify(capsys, str(box), str(document))
    assert status == 0, output
    assert "agree" in output


def test_one_changed_vote_is_a_mismatch_even_with_its_new_fingerprint(counted, tmp_path, capsys):
    box, document = published(counted[0], counted[1], tmp_path)
    head, votes = box.read_text().split("VOTES\n", 1)
    rows = votes.splitlines()
    voter, projects, points = rows[1].split(";")
    first, *rest = projects.split(",")
    changed = ";".join([voter, ",".join([*rest, first]) if rest else first, points])
    assert changed != rows[1]
    box.write_text(head + "VOTES\n" + "\n".join([rows[0], changed, *rows[2:]]) + "\n")
    status, output = verify(capsys, str(box), str(document))
    assert status == 1
    assert "SHA-256" in output
    stated = json.loads(document.read_text())
    stated["box"]["sha256"] = recount.sha256(box.read_bytes())
    document.write_text(json.dumps(stated))
    status, output = verify(capsys, str(box), str(document))
    assert status == 1
    assert "mismatch" in output
    assert "SHA-256" not in output


def test_one_changed_funded_id_is_a_mismatch(counted, tmp_path, capsys):
    box, document = published(counted[0], counted[1], tmp_path)
    stated = json.loads(document.read_text())
    stated["funded"][0] = "999"
    document.write_text(json.dumps(stated))
    status, output = verify(capsys, str(box), str(document))
    assert status == 1
    assert "funded" in output


def test_unreadable_input_names_the_problem(counted, tmp_path, capsys):
    box, document = published(counted[0], counted[1], tmp_path)
    document.write_text("[1, 2]")
    assert verify(capsys, str(box), str(document))[0] == 2
    document.write_text("{not json")
    status, output = verify(capsys, str(box), str(document))
    assert status == 2
    assert "cannot read" in output
    assert verify(capsys, str(box))[0] == 2
    assert verify(capsys, str(tmp_path / "missing.pb"), str(document))[0] == 2
    assert verify(capsys, str(box), str(document), "--budget", "1")[0] == 2


def test_the_database_verifies_and_a_changed_stored_ballot_is_detected(counted, capsys):
    url, budget_id = counted
    status, output = verify(capsys, "--budget", str(budget_id))
    assert status == 0, output
    engine = make_engine(url)
    with engine.begin() as connection:  # what a trigger stops the application from doing
        connection.execute(text("DROP TRIGGER ballot_frozen_update"))
        connection.execute(
            text("UPDATE ballot SET choices = '[]' WHERE id = "
                 "(SELECT id FROM ballot WHERE budget_id = :b LIMIT 1)"), {"b": budget_id}
        )  # fmt: skip
    engine.dispose()
    status, output = verify(capsys, "--budget", str(budget_id))
    assert status == 1
    assert "stored ballots" in output
