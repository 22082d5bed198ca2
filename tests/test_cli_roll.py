"""`budget roll import`: the voter roll from CSV at the command line (SQLite file, production
configuration): every problem printed with line and column and nothing imported, then a valid
file imported and re-imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from budget import cli
from budget.db.engine import make_engine
from budget.db.tables import Cycle, RollEntry
from budget.domain.cycle import Phase
from budget.services import accounts, cycles
from tests.services.conftest import NOW, cycle_form
from tests.services.test_roll import GOOD, HEADER
from tests.test_cli_operations import KEY


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'budget.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("BUDGET_ENV", "production")
    assert cli.main(["migrate"]) == 0
    engine = make_engine(url)
    with Session(engine) as db:
        council = accounts.create_admin(
            db, NOW, email="mayor@example.org", password="mayor-password-123",
            display_name="Mayor", hasher=accounts.test_hasher(),
        ).id  # fmt: skip
        form = cycle_form(instance="2028", eligibility_mode="roll", district_mode="residence")
        cycle_id = cycles.create_cycle(db, NOW, actor_id=council, form=form)
        cycles.create_district(
            db, NOW, actor_id=council, cycle_id=cycle_id, code="75111", name="11e"
        )
        cycles.create_district(
            db, NOW, actor_id=council, cycle_id=cycle_id, code="75112", name="12e"
        )
        db.commit()
    engine.dispose()
    return url


def entry_count(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as db:
        count = db.exec(select(func.count()).select_from(RollEntry)).one()
    engine.dispose()
    return count


def test_a_roll_with_errors_lists_them_all_and_imports_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A1,Amina,,1990-13-01,75111,,\nA2,Marc,Durand,,99999,,\n")
    assert cli.main(["roll", "import", "2028", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "3 problem(s) in" in err
    assert "line 2, family_name: this field is required" in err
    assert "line 2, birth_date: not a date" in err
    assert "line 3, district: no district of this cycle has the code 99999" in err
    assert entry_count(database) == 0


def test_a_valid_roll_is_imported_then_updated(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "roll.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert cli.main(["roll", "import", "2028", str(good)]) == 0
    assert (
        "3 rows imported into cycle 2028: 3 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    )
    good.write_text(GOOD.replace("Durand", "Durand-Petit"), encoding="utf-8")
    assert cli.main(["roll", "import", "1", str(good)]) == 0  # the cycle's number works too
    assert "1 updated, 2 unchanged" in capsys.readouterr().out
    assert entry_count(database) == 3


def test_an_unknown_cycle_or_file_is_named(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "roll.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert cli.main(["roll", "import", "1999", str(good)]) == 2
    assert "no cycle with id 1999" in capsys.readouterr().err
    assert cli.main(["roll", "import", "2028", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_an_archived_cycle_s_roll_is_purged_from_the_command_line(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "roll.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert cli.main(["roll", "import", "2028", str(good)]) == 0
    capsys.readouterr()
    assert cli.main(["roll", "purge", "2028"]) == 2
    assert "is not archived: its roll is still in use" in capsys.readouterr().err
    assert cli.main(["roll", "purge", "1999"]) == 2
    assert "no cycle '1999'" in capsys.readouterr().err
    engine = make_engine(database)
    with Session(engine) as db:
        cycle = db.exec(select(Cycle)).one()
        cycle.phase = Phase.ARCHIVED  # archived with BUDGET_ROLL_RETENTION=keep
        db.add(cycle)
        db.commit()
    assert cli.main(["roll", "purge", "2028"]) == 0
    assert "3 roll entries emptied, 0 voting codes deleted" in capsys.readouterr().out
    with Session(engine) as db:
        names = db.exec(select(RollEntry.family_name, RollEntry.external_id)).all()
    engine.dispose()
    assert names == [("", None)] * 3
