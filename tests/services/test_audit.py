"""The stored audit chain: appends chain, the database refuses edits, verification finds them."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from budget.db import queries
from budget.domain.audit import GENESIS
from budget.services import audit
from tests.services.conftest import NOW


def fill(db: Session, n: int) -> None:
    for k in range(n):
        audit.append(db, NOW, actor=7, action="test.step", object=f"thing:{k}", details={"k": k})


@pytest.mark.threat("T10")
def test_entries_chain_and_verify(db: Session) -> None:
    assert audit.verify_chain(db) == audit.ChainReport(True, 0, None, GENESIS)
    fill(db, 3)
    report = audit.verify_chain(db)
    assert (report.ok, report.entries, report.first_bad_seq) == (True, 3, None)
    assert report.head == queries.audit_head(db)
    newest = queries.list_audit(db, limit=1)[0]
    assert (newest.seq, newest.actor, newest.target, newest.details) == (
        3, "account:7", "thing:2", {"k": 2},
    )  # fmt: skip


@pytest.mark.threat("T12")
def test_details_are_scrubbed_before_storage(db: Session) -> None:
    audit.append(db, NOW, actor=None, action="x", object="y", details={"password": "hunter2-x"})
    entry = queries.list_audit(db)[0]
    assert entry.actor == "system"
    assert entry.details == {"password": "[redacted]"}


@pytest.mark.threat("T10")
@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"])
def test_the_database_refuses_to_edit_the_log(db: Session, statement: str) -> None:
    fill(db, 2)
    db.commit()
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.connection().execute(text(statement))


def drop_triggers(db: Session) -> None:
    """What a DBA could do: the test then proves verification still catches the edit."""
    if db.get_bind().dialect.name == "postgresql":
        db.connection().execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
    else:
        for name in ("audit_log_no_update", "audit_log_no_delete"):
            db.connection().execute(text(f"DROP TRIGGER {name}"))


@pytest.mark.threat("T10")
@pytest.mark.parametrize(
    ("statement", "first_bad"),
    [
        ("UPDATE audit_log SET details = '{}' WHERE seq = 2", 2),
        ("DELETE FROM audit_log WHERE seq = 2", 3),
        ("UPDATE audit_log SET at = at WHERE seq = 3", None),
        ("UPDATE audit_log SET actor = 'account:8' WHERE seq = 4", 4),
    ],
)
def test_verification_names_the_first_tampered_entry(
    db: Session, statement: str, first_bad
) -> None:
    fill(db, 4)
    drop_triggers(db)
    db.connection().execute(text(statement))
    report = audit.verify_chain(db)
    assert report.first_bad_seq == first_bad
    assert report.ok is (first_bad is None)
