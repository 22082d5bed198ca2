"""INSERT unless a unique constraint already holds the row's twin, in one statement.

`INSERT ... ON CONFLICT DO NOTHING` (PostgreSQL and SQLite alike) waits for a racing
transaction that holds the same key and then does nothing if it committed: the constraint stays
the one rule, as with catching IntegrityError in a savepoint, at one round trip instead of three
(SAVEPOINT, INSERT, RELEASE), which counts on a voting evening (issue 20).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Row, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_new(db: Session, row: SQLModel) -> Row[Any] | None:
    """Write `row` unless a unique constraint refuses it: its primary key as written (a row, so
    a generated id is `[0]`), or None when refused. `row` itself is not added to the session."""
    table = cast(Table, type(row).__table__)  # type: ignore[attr-defined]  # SQLModel tables
    values: dict[str, Any] = {
        column.name: getattr(row, column.name)
        for column in table.columns
        if getattr(row, column.name) is not None
    }
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)  # rowcount is not reliable across drivers
    )
    return db.connection().execute(statement).first()
