"""Migrations build the schema on both backends, match the tables, and reverse cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

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
