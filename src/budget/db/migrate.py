"""Alembic configured in code (no alembic.ini): one configuration for the CLI, the tests and
`scripts/new-migration`. Migrations live in the package, so `budget migrate` works from any
directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from budget.domain.errors import SchemaNotMigrated, SchemaOutdated, SchemaTooNew

SCRIPT_LOCATION = "budget.db:migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for a migration run. On SQLite, foreign keys are off meanwhile: a batch
    operation rebuilds a table (copy, drop, rename), and dropping a table other rows reference
    would fail. They are checked before commit (`foreign_key_check`), and on again after."""
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        raw = connection.connection.dbapi_connection
        assert raw is not None  # noqa: S101 - a checked-out connection has its driver connection
        raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, or it does nothing
        try:
            with connection.begin():
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration breaks foreign keys: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to `revision` in one transaction."""
    with _migrating(engine) as connection:
        command.upgrade(_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo the migrations above `revision` in one transaction."""
    with _migrating(engine) as connection:
        command.downgrade(_config(connection), revision)


def downgrade_to_base(engine: Engine) -> None:
    """Undo every migration (tests use it to prove each one can be reversed)."""
    downgrade(engine, "base")


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, or None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise RuntimeError("no migrations found in budget.db:migrations")
    return head


def check_schema(engine: Engine) -> None:
    """Refuse to run on a database that is unmigrated, behind, or ahead of this code."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaNotMigrated()
    try:
        ScriptDirectory.from_config(_config()).get_revision(current)
    except CommandError:
        raise SchemaTooNew(current=current, head=head) from None
    raise SchemaOutdated(current=current, head=head)


def new_revision(engine: Engine, message: str) -> None:
    """Write a new migration file whose operations autogenerate finds against `engine`."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
