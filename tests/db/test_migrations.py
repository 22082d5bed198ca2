"""Migrations build the schema on both backends, match the tables, and reverse cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from budget.db import migrate
from budget.db.engine import make_engine
from budget.db.tables import metadata
from budget.domain.errors import SchemaNotMigrated, SchemaOutdated, SchemaTooNew
from tests.conftest import BACKENDS
from tests.databases import database_url


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database of its own (migrations commit)."""
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_upgrade_builds_exactly_the_tables_and_downgrade_removes_them(empty_engine: Engine) -> None:
    with pytest.raises(SchemaNotMigrated):
        migrate.check_schema(empty_engine)
    migrate.upgrade(empty_engine)
    migrate.check_schema(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    migrate.downgrade_to_base(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(empty_engine) is None


def test_a_newer_database_is_refused(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    with pytest.raises(SchemaTooNew) as caught:
        migrate.check_schema(empty_engine)
    assert "newer than this code" in str(caught.value)
    with empty_engine.begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :head"),
            {"head": migrate.head_revision()},
        )
    migrate.downgrade_to_base(empty_engine)


def test_an_older_database_is_refused(
    empty_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(empty_engine)
    monkeypatch.setattr(migrate, "head_revision", lambda: "9999")  # a revision from the future
    with pytest.raises(SchemaOutdated) as caught:
        migrate.check_schema(empty_engine)
    assert "run `budget migrate`" in str(caught.value)
    monkeypatch.undo()
    migrate.downgrade_to_base(empty_engine)


def test_new_revision_writes_nothing_to_do_when_up_to_date(tmp_path: Path, monkeypatch) -> None:
    """scripts/new-migration's path: autogenerate against a migrated database finds no change."""
    engine = make_engine(f"sqlite:///{tmp_path / 'rev.db'}")
    migrate.upgrade(engine)
    written: list[object] = []
    monkeypatch.setattr("alembic.command.revision", lambda config, **kw: written.append(kw))
    migrate.new_revision(engine, "nothing")
    assert written == [{"message": "nothing", "autogenerate": True}]
    engine.dispose()


# -- 0004: per-cycle districts and the roll, carrying 0003 data ------------------------------

CYCLE_SQL = (
    "INSERT INTO cycle (name_fr, name_en, instance, time_zone, currency, eligibility_mode,"
    " district_mode, min_age, reference_date, max_proposals_per_author, phase, created_at)"
    " VALUES ('BP', 'PB', :instance, 'Europe/Paris', 'EUR', :mode, 'choice', NULL,"
    " '2027-09-08', 5, :phase, '2027-01-01 00:00:00') RETURNING id"
)
DISTRICT_SQL = (
    "INSERT INTO district (code, name, boundary) VALUES (:code, :name, :boundary) RETURNING id"
)
BUDGET_SQL = (
    "INSERT INTO budget (cycle_id, name_fr, name_en, scope, district_id, amount, currency,"
    " rule_options) VALUES (:cycle, '11e', '11th', 'district', :district, 100, 'EUR', '{}')"
    " RETURNING id"
)
ACCOUNT_SQL = (
    "INSERT INTO account (email, password_hash, display_name, district_id, birth_year,"
    " language, notify_by_email, created_at) VALUES (:email, 'x', 'A', :district, :year,"
    " 'fr', true, '2027-01-02 00:00:00') RETURNING id"
)


def insert(connection: Connection, sql: str, **params: object) -> int:
    new_id: int = connection.execute(text(sql), params).scalar_one()
    return new_id


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql))]


def test_0004_gives_each_cycle_its_districts_and_turns_profiles_into_declarations(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine, "0003")
    with empty_engine.begin() as connection:
        d11 = insert(connection, DISTRICT_SQL, code="75111", name="11e", boundary="B")
        d12 = insert(connection, DISTRICT_SQL, code="75112", name="12e", boundary=None)
        cycles = [
            insert(connection, CYCLE_SQL, instance=instance, mode=mode, phase=phase)
            for instance, mode, phase in (
                ("2026", "declared", "voting"),
                ("2027", "declared", "submission"),
                ("2028", "roll", "draft"),
                ("2020", "declared", "archived"),
            )
        ]
        for cycle in cycles[:3]:
            insert(connection, BUDGET_SQL, cycle=cycle, district=d11)
        amina = insert(connection, ACCOUNT_SQL, email="a@x", district=d12, year=1990)
        insert(connection, ACCOUNT_SQL, email="b@x", district=None, year=None)
    migrate.upgrade(empty_engine)

    districts = rows(empty_engine, "SELECT id, cycle_id, code, boundary FROM district ORDER BY id")
    of = {(c, code): i for i, c, code, _ in districts}
    assert sorted(of) == sorted((c, code) for c in cycles for code in ("75111", "75112"))
    assert {b for _, _, code, b in districts if code == "75111"} == {"B"}  # boundaries copied
    assert (of[(cycles[0], "75111")], of[(cycles[0], "75112")]) == (d11, d12)  # rows kept
    budgets = rows(empty_engine, "SELECT cycle_id, district_id FROM budget ORDER BY id")
    assert budgets == [(c, of[(c, "75111")]) for c in cycles[:3]]  # each its cycle's own
    entries = rows(
        empty_engine,
        "SELECT cycle_id, source, account_id, birth_year, district_id FROM roll_entry ORDER BY id",
    )
    assert entries == [  # declared cycles not archived; the account without a profile has none
        (cycles[0], "declared", amina, 1990, of[(cycles[0], "75112")]),
        (cycles[1], "declared", amina, 1990, of[(cycles[1], "75112")]),
    ]
    assert {c["name"] for c in inspect(empty_engine).get_columns("account")}.isdisjoint(
        {"district_id", "birth_year"}
    )
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []

    migrate.downgrade(empty_engine, "0003")
    assert rows(empty_engine, "SELECT id, code, boundary FROM district ORDER BY id") == [
        (d11, "75111", "B"), (d12, "75112", None),
    ]  # fmt: skip
    assert rows(empty_engine, "SELECT district_id FROM budget") == [(d11,)] * 3
    assert rows(empty_engine, "SELECT district_id, birth_year FROM account ORDER BY id") == [
        (d12, 1990), (None, None),
    ]  # fmt: skip
    migrate.downgrade_to_base(empty_engine)


def test_0004_without_a_cycle_drops_the_districts_nothing_could_belong_to(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine, "0003")
    with empty_engine.begin() as connection:
        district = insert(connection, DISTRICT_SQL, code="75111", name="11e", boundary=None)
        amina = insert(connection, ACCOUNT_SQL, email="a@x", district=district, year=1990)
    migrate.upgrade(empty_engine)
    assert rows(empty_engine, "SELECT id FROM district") == []
    assert rows(empty_engine, "SELECT id FROM roll_entry") == []
    assert rows(empty_engine, "SELECT id FROM account") == [(amina,)]
    migrate.downgrade_to_base(empty_engine)
