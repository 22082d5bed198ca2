"""An account's language preference: saved, audited, refused when unknown."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from budget.db import queries
from budget.domain.errors import FieldErrors, NotFound
from budget.services import accounts, preferences
from tests import mailbox

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


def resident(db: Session) -> int:
    account = accounts.register(
        db, NOW, email="ada@example.org", password="correct horse battery staple",
        display_name="Ada", language="fr", hasher=accounts.test_hasher(),
        links=mailbox.links(),
    )  # fmt: skip
    assert account is not None
    return account.id


def test_the_language_is_saved_and_audited(db: Session) -> None:
    account_id = resident(db)
    head = queries.audit_head(db)
    assert preferences.set_language(db, NOW, account_id=account_id, language="en")
    assert queries.get_account(db, account_id).language == "en"
    assert queries.audit_head(db) != head
    assert queries.list_audit(db, limit=1)[0].action == "account.language"


def test_choosing_the_same_language_changes_nothing(db: Session) -> None:
    account_id = resident(db)
    head = queries.audit_head(db)
    assert not preferences.set_language(db, NOW, account_id=account_id, language="fr")
    assert queries.audit_head(db) == head


def test_an_unknown_language_is_refused(db: Session) -> None:
    account_id = resident(db)
    with pytest.raises(FieldErrors) as refused:
        preferences.set_language(db, NOW, account_id=account_id, language="de")
    assert set(refused.value.fields) == {"language"}


def test_an_unknown_account_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        preferences.set_language(db, NOW, account_id=999_999, language="en")
