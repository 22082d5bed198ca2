"""`id_of`: a row's id, or an error for a row not yet flushed (never a foreign key 0)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from budget.db.rows import UnsavedRowError, id_of
from budget.db.tables import Account
from budget.services import accounts
from tests import mailbox
from tests.services.conftest import NOW


def test_an_unflushed_row_has_no_id_to_give(db: Session) -> None:
    with pytest.raises(UnsavedRowError, match="Account has no id yet"):
        id_of(
            Account(
                email="a@example.org", display_name="A", password_hash="x", language="fr",
                created_at=NOW,
            )
        )  # fmt: skip
    made = accounts.register(
        db, NOW, email="b@example.org", password="a long passphrase 42", display_name="B",
        hasher=accounts.test_hasher(), links=mailbox.links(),
    )  # fmt: skip
    assert made is not None
    row = db.get(Account, made.id)
    assert row is not None
    assert id_of(row) == made.id > 0
