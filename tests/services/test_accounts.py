"""Accounts: registration, argon2id login with its throttle (T4), passwords and roles."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type
from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import Account, WebSession
from budget.domain.accounts import Role
from budget.domain.errors import (
    FieldErrors,
    LastCouncil,
    NotFound,
    PermissionDenied,
    Throttled,
    WrongPassword,
)
from budget.services import accounts, mail_text, sessions
from tests import mailbox
from tests.services.conftest import NOW, THROTTLE_KEY, resident


def login(
    db: Session, hasher: PasswordHasher, email: str, password: str, *, at=NOW, address="192.0.2.1"
):
    return accounts.authenticate(
        db, at, email=email, password=password, client_address=address, hasher=hasher,
        throttle_key=THROTTLE_KEY,
    )  # fmt: skip


def audit_actions(db: Session) -> list[str]:
    return [e.action for e in reversed(queries.list_audit(db, limit=1000))]


def test_registering_creates_a_resident_with_a_normalised_email(db: Session, hasher) -> None:
    view = accounts.register(
        db, NOW, email=" Amina@Example.FR", password="amina-password-123", display_name=" Amina ",
        language="en", hasher=hasher,
        links=mailbox.links(),
    )  # fmt: skip
    assert view is not None
    assert view == queries.get_account(db, view.id)
    assert (view.email, view.display_name, view.roles) == (
        "amina@example.fr", "Amina", frozenset({Role.RESIDENT}),
    )  # fmt: skip
    stored = db.get(Account, view.id)
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert "amina-password-123" not in stored.password_hash
    assert audit_actions(db) == ["account.register"]


def test_bad_registration_names_every_field_and_writes_nothing(db: Session, hasher) -> None:
    with pytest.raises(FieldErrors) as caught:
        accounts.register(
            db, NOW, email="not-an-email", password="short", display_name=" ", language="de",
            hasher=hasher,
            links=mailbox.links(),
        )  # fmt: skip
    assert {k: v.code for k, v in caught.value.fields.items()} == {
        "email": "email.invalid", "password": "password.too-short",
        "display_name": "field.required", "language": "field.invalid-choice",
    }  # fmt: skip
    assert queries.count_accounts(db) == 0
    assert queries.list_audit(db) == ()


@pytest.mark.threat("T4")
def test_registering_a_known_email_reveals_nothing_and_warns_the_owner(db: Session, hasher) -> None:
    resident(db, hasher)
    before = audit_actions(db)
    again = accounts.register(
        db, NOW, email="AMINA@example.fr", password="other-password-123", display_name="Imposter",
        hasher=hasher, links=mailbox.links(),
    )  # fmt: skip
    assert again is None
    assert queries.count_accounts(db) == 1
    # The owner is told, and the attempt audited; the account itself is unchanged.
    assert audit_actions(db) == [*before, "account.register-known"]
    warning = mail_text.render_for(mail_text.Kind.ALREADY_REGISTERED, {}, "fr").subject
    assert mailbox.mails_to(db, "amina@example.fr")[-1].subject == warning


def test_create_admin_holds_the_council_role_and_refuses_a_taken_email(db: Session, hasher) -> None:
    admin = accounts.create_admin(
        db, NOW, email="mayor@example.fr", password="mayor-password-1", display_name="Mayor",
        hasher=hasher,
    )  # fmt: skip
    assert admin.roles == {Role.RESIDENT, Role.COUNCIL}
    with pytest.raises(FieldErrors) as caught:
        accounts.create_admin(
            db, NOW, email="mayor@example.fr", password="mayor-password-1", display_name="Again",
            hasher=hasher,
        )  # fmt: skip
    assert caught.value.fields["email"].code == "email.taken"


def test_login_with_the_right_password_returns_the_account(db: Session, hasher) -> None:
    account = resident(db, hasher)
    view = login(db, hasher, "Amina@example.fr", "amina-password-123")
    assert view is not None
    assert view.id == account
    assert audit_actions(db)[-1] == "account.login"
    assert login(db, hasher, "amina@example.fr", "wrong-password-123") is None
    assert login(db, hasher, "not an email", "wrong-password-123") is None


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verifies = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verifies += 1
        return super().verify(hash, password)


@pytest.mark.threat("T4")
def test_an_unknown_account_costs_one_verify_like_a_wrong_password(db: Session, hasher) -> None:
    resident(db, hasher)
    counting = CountingHasher()
    assert login(db, counting, "nobody@example.fr", "some-password-123") is None
    assert counting.verifies == 1
    assert login(db, counting, "amina@example.fr", "some-password-123") is None
    assert counting.verifies == 2


@pytest.mark.threat("T4")
def test_account_throttle_waits_after_five_failures_then_doubles(db: Session, hasher) -> None:
    resident(db, hasher)
    resident(db, hasher, "louis")
    for _ in range(5):
        assert login(db, hasher, "amina@example.fr", "wrong-password-123") is None
    with pytest.raises(Throttled) as caught:
        login(db, hasher, "amina@example.fr", "amina-password-123")
    assert caught.value.params == {"retry_after": 1}
    assert login(db, hasher, "louis@example.fr", "louis-password-123") is not None  # unaffected
    later = NOW + timedelta(seconds=1)
    assert login(db, hasher, "amina@example.fr", "wrong-password-123", at=later) is None
    with pytest.raises(Throttled) as caught:
        login(db, hasher, "amina@example.fr", "amina-password-123", at=later)
    assert caught.value.params == {"retry_after": 2}
    assert login(
        db, hasher, "amina@example.fr", "amina-password-123", at=later + timedelta(seconds=2)
    )
    # a success clears the account's failures: five more are free again
    for _ in range(5):
        login(db, hasher, "amina@example.fr", "wrong-password-123", at=later + timedelta(seconds=3))


@pytest.mark.threat("T4")
def test_account_failures_are_forgotten_after_a_day(db: Session, hasher) -> None:
    resident(db, hasher)
    for _ in range(5):
        login(db, hasher, "amina@example.fr", "wrong-password-123")
    with pytest.raises(Throttled):
        login(db, hasher, "amina@example.fr", "amina-password-123")
    next_day = NOW + timedelta(days=1)
    assert login(db, hasher, "amina@example.fr", "wrong-password-123", at=next_day) is None
    assert login(db, hasher, "amina@example.fr", "amina-password-123", at=next_day) is not None


@pytest.mark.threat("T4")
def test_address_throttle_allows_thirty_failures_in_ten_minutes(db: Session, hasher) -> None:
    for n in range(30):  # different accounts, so the account throttle never triggers
        login(db, hasher, f"guess{n}@example.fr", "wrong-password-123", address="198.51.100.7")
    with pytest.raises(Throttled) as caught:
        login(db, hasher, "someone@example.fr", "wrong-password-123", address="198.51.100.7")
    assert caught.value.params == {"retry_after": 600}
    login(db, hasher, "someone@example.fr", "wrong-password-123", address="198.51.100.8")
    later = NOW + timedelta(minutes=10)
    assert (
        login(db, hasher, "x@example.fr", "wrong-password-123", at=later, address="198.51.100.7")
        is None
    )


@pytest.mark.threat("T4")
def test_ipv6_clients_are_throttled_by_their_64_network(db: Session, hasher) -> None:
    for n in range(30):
        login(
            db, hasher, f"g{n}@example.fr", "wrong-password-123", address=f"2001:db8:1:2::{n + 1:x}"
        )
    with pytest.raises(Throttled):
        login(db, hasher, "x@example.fr", "wrong-password-123", address="2001:db8:1:2:ffff::1")
    login(db, hasher, "x@example.fr", "wrong-password-123", address="2001:db8:1:3::1")


def test_login_upgrades_a_hash_made_with_weaker_parameters(db: Session, hasher) -> None:
    account = resident(db, hasher)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    assert login(db, stronger, "amina@example.fr", "amina-password-123") is not None
    stored = db.get(Account, account)
    assert stored is not None
    assert "m=16,t=2,p=1" in stored.password_hash


@pytest.mark.threat("T4")
def test_production_hashes_are_argon2id_above_owasp_minimums() -> None:
    encoded = accounts.production_hasher().hash("correct horse battery staple")
    parameters = accounts.production_hasher().hash("x").split("$")[3]
    assert encoded.startswith("$argon2id$v=19$")
    values = dict(part.split("=") for part in parameters.split(","))
    assert int(values["m"]) >= 19456
    assert int(values["t"]) >= 2
    assert int(values["p"]) >= 1
    assert accounts.production_hasher().type is Type.ID


def test_changing_the_password_checks_the_current_one_and_ends_other_sessions(
    db: Session, hasher
) -> None:
    account = resident(db, hasher)
    kept = sessions.start_session(db, NOW, account_id=account)
    other = sessions.start_session(db, NOW, account_id=account)
    with pytest.raises(WrongPassword):
        accounts.change_password(
            db, NOW, account_id=account, current_password="nope-nope-nope", new_password="x",
            hasher=hasher,
        )  # fmt: skip
    with pytest.raises(FieldErrors) as caught:
        accounts.change_password(
            db, NOW, account_id=account, current_password="amina-password-123",
            new_password="aaaaaaaaaaaaaa", hasher=hasher,
        )  # fmt: skip
    assert caught.value.fields["new_password"].code == "password.trivial"
    accounts.change_password(
        db, NOW, account_id=account, current_password="amina-password-123",
        new_password="a much better passphrase", hasher=hasher, keep_session=kept.token,
    )  # fmt: skip
    assert sessions.load_session(db, NOW, kept.token) is not None
    assert sessions.load_session(db, NOW, other.token) is None
    assert login(db, hasher, "amina@example.fr", "a much better passphrase") is not None
    with pytest.raises(NotFound):
        accounts.change_password(
            db, NOW, account_id=999, current_password="x", new_password="y", hasher=hasher
        )


def test_council_grants_and_revokes_roles(db: Session, hasher, council: int) -> None:
    account = resident(db, hasher)
    token = sessions.start_session(db, NOW, account_id=account).token
    assert accounts.grant_role(db, NOW, actor_id=council, account_id=account, role=Role.REVIEWER)
    assert not accounts.grant_role(
        db, NOW, actor_id=council, account_id=account, role=Role.REVIEWER
    )
    assert queries.get_account(db, account).roles == {Role.RESIDENT, Role.REVIEWER}
    assert sessions.load_session(db, NOW, token) is None  # new role, new session (T5)
    assert accounts.revoke_role(db, NOW, actor_id=council, account_id=account, role=Role.REVIEWER)
    assert not accounts.revoke_role(
        db, NOW, actor_id=council, account_id=account, role=Role.OFFICER
    )
    assert queries.get_account(db, account).roles == {Role.RESIDENT}
    assert audit_actions(db)[-2:] == ["role.grant", "role.revoke"]


@pytest.mark.threat("T7")
def test_only_council_changes_roles(db: Session, hasher, council: int) -> None:
    account = resident(db, hasher)
    with pytest.raises(PermissionDenied):
        accounts.grant_role(db, NOW, actor_id=account, account_id=account, role=Role.COUNCIL)
    with pytest.raises(PermissionDenied):
        accounts.revoke_role(db, NOW, actor_id=account, account_id=council, role=Role.COUNCIL)
    with pytest.raises(NotFound):
        accounts.grant_role(db, NOW, actor_id=council, account_id=999, role=Role.OFFICER)


def test_the_last_council_member_keeps_the_role(db: Session, hasher, council: int) -> None:
    with pytest.raises(LastCouncil):
        accounts.revoke_role(db, NOW, actor_id=council, account_id=council, role=Role.COUNCIL)
    other = resident(db, hasher)
    accounts.grant_role(db, NOW, actor_id=council, account_id=other, role=Role.COUNCIL)
    assert accounts.revoke_role(db, NOW, actor_id=other, account_id=council, role=Role.COUNCIL)


def test_accounts_are_listed_and_searched(db: Session, hasher, council: int) -> None:
    resident(db, hasher, "louis")
    resident(db, hasher, "zoe")
    assert [a.email for a in queries.list_accounts(db)] == [
        "council@example.fr", "louis@example.fr", "zoe@example.fr",
    ]  # fmt: skip
    assert [a.display_name for a in queries.list_accounts(db, search="LOU")] == ["Louis"]
    assert queries.count_accounts(db, search="example") == 3
    assert queries.find_account(db, "nobody@example.fr") is None
    assert db.exec(select(WebSession)).all() == []


def test_has_role_is_false_for_a_missing_account_or_role(
    db: Session, hasher: PasswordHasher, council: int
) -> None:
    someone = resident(db, hasher)
    assert queries.has_role(db, council, Role.COUNCIL)
    assert not queries.has_role(db, someone, Role.COUNCIL)
    assert not queries.has_role(db, 987654, Role.REVIEWER)
