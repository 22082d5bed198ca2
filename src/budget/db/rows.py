"""The id of a stored row, for the foreign keys and view models built from it.

SQLModel types every primary key `int | None` (None until the row is flushed). `row.id or 0`
turned that None into a foreign key 0, written silently; `id_of` raises instead, since a row
without its id at that point is a bug (a missing flush), never a user's mistake.
"""

from __future__ import annotations

from typing import Protocol


class Stored(Protocol):
    @property
    def id(self) -> int | None: ...


class UnsavedRowError(RuntimeError):
    """A row's id was needed before the database gave it one (flush first)."""


def id_of(row: Stored) -> int:
    identifier = row.id
    if identifier is None:
        raise UnsavedRowError(f"{type(row).__name__} has no id yet: flush it first")
    return identifier
