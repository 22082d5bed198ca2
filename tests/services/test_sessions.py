"""Server-side sessions (T5): hashed ids, idle and absolute expiry, logout, fixation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import WebSession
from budget.services import sessions
from tests.services.conftest import NOW, resident


@pytest.mark.threat("T5")
def test_only_the_hash_of_the_session_id_is_stored(db: Session, hasher) -> None:
    account = resident(db, hasher)
    new = sessions.start_session(db, NOW, account_id=account)
    assert len(new.token) >= 43  # 256 bits, url-safe base64
    rows = db.exec(select(WebSession)).all()
    assert [r.token_hash for r in rows] == [sessions.token_hash(new.token)]
    assert new.token not in rows[0].token_hash
    view = sessions.load_session(db, NOW, new.token)
    assert view is not None
    assert view.account is not None
    assert view.account.id == account
    assert sessions.load_session(db, NOW, "forged-token") is None


@pytest.mark.threat("T5")
def test_an_idle_resident_session_expires_after_thirty_minutes(db: Session, hasher) -> None:
    token = sessions.start_session(db, NOW, account_id=resident(db, hasher)).token
    assert sessions.load_session(db, NOW + timedelta(minutes=29), token) is not None
    assert (
        sessions.load_session(db, NOW + timedelta(minutes=58), token) is not None
    )  # touched at 29
    assert sessions.load_session(db, NOW + timedelta(minutes=89), token) is None
    assert db.exec(select(WebSession)).all() == []  # the expired row is gone


@pytest.mark.threat("T5")
def test_council_sessions_idle_out_after_fifteen_minutes(db: Session, council: int) -> None:
    token = sessions.start_session(db, NOW, account_id=council).token
    view = sessions.load_session(db, NOW, token)
    assert view is not None
    assert view.expires_at == NOW + timedelta(minutes=15)
    assert sessions.load_session(db, NOW + timedelta(minutes=15), token) is None


@pytest.mark.threat("T5")
def test_no_session_outlives_twelve_hours_even_when_active(db: Session, hasher) -> None:
    token = sessions.start_session(db, NOW, account_id=resident(db, hasher)).token
    for minutes in range(20, 12 * 60, 20):
        assert sessions.load_session(db, NOW + timedelta(minutes=minutes), token) is not None
    assert sessions.load_session(db, NOW + timedelta(hours=12), token) is None


@pytest.mark.threat("T5")
def test_logout_ends_the_session_for_good(db: Session, hasher) -> None:
    token = sessions.start_session(db, NOW, account_id=resident(db, hasher)).token
    sessions.end_session(db, NOW, token)
    assert sessions.load_session(db, NOW, token) is None
    sessions.end_session(db, NOW, token)  # a replayed logout is harmless
    assert queries.list_audit(db, limit=1)[0].action == "account.logout"


@pytest.mark.threat("T5")
def test_login_replaces_the_pre_login_session(db: Session, hasher) -> None:
    anonymous = sessions.start_session(db, NOW, account_id=None)
    view = sessions.load_session(db, NOW, anonymous.token)
    assert view is not None
    assert view.account is None
    signed_in = sessions.start_session(
        db, NOW, account_id=resident(db, hasher), replacing=anonymous.token
    )
    assert sessions.load_session(db, NOW, anonymous.token) is None
    assert signed_in.token != anonymous.token
    sessions.start_session(db, NOW, account_id=None, replacing="unknown-token")
    sessions.end_session(db, NOW, signed_in.token)
    sessions.end_session(db, NOW, sessions.start_session(db, NOW, account_id=None).token)
