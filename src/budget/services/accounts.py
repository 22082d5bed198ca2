"""Accounts: register, authenticate (argon2id, throttled), change password, roles (T4, T5).

The argon2 `PasswordHasher` is a parameter: `production_hasher()` in the app and CLI,
`test_hasher()` in tests. At most four hashes run at once (each takes 64 MiB in production).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlmodel import Session, col, delete, select

from budget.db import queries
from budget.db.queries import AccountView
from budget.db.rows import id_of
from budget.db.tables import Account, LoginThrottle, RoleGrant, WebSession
from budget.domain import accounts as rules
from budget.domain.accounts import Role, address_bucket
from budget.domain.errors import (
    BudgetError,
    EmailTaken,
    FieldErrors,
    LastCouncil,
    NotFound,
    PermissionDenied,
    Throttled,
    WrongPassword,
    raise_if_any,
)
from budget.services import audit, identity
from budget.services.identity import Links
from budget.services.passwords import dummy_hash as _dummy_hash
from budget.services.passwords import hash_password as _hash
from budget.services.passwords import production_hasher as production_hasher
from budget.services.passwords import test_hasher as test_hasher
from budget.services.passwords import verify_password as _verify


def verify_password(hasher: PasswordHasher, stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash: the re-entry an important action asks (T5)."""
    return _verify(hasher, stored, password)


def _require_council(db: Session, actor_id: int) -> None:
    if not queries.get_account(db, actor_id).has_role(Role.COUNCIL):
        raise PermissionDenied(role=Role.COUNCIL.value)


def _profile_errors(language: str) -> dict[str, BudgetError]:
    errors: dict[str, BudgetError] = {}
    try:
        rules.check_language(language)
    except BudgetError as error:
        errors["language"] = error
    return errors


def _credentials(
    email: str, password: str, display_name: str
) -> tuple[str, str, dict[str, BudgetError]]:
    errors: dict[str, BudgetError] = {}
    normalised = name = ""
    try:
        normalised = rules.normalise_email(email)
    except BudgetError as error:
        errors["email"] = error
    try:
        rules.check_password(password, normalised)
    except BudgetError as error:
        errors["password"] = error
    try:
        name = rules.check_display_name(display_name)
    except BudgetError as error:
        errors["display_name"] = error
    return normalised, name, errors


def _insert_account(
    db: Session, now: datetime, email: str, password_hash: str, display_name: str, **profile: object
) -> Account:
    row = Account(
        email=email,
        password_hash=password_hash,
        display_name=display_name,
        created_at=now,
        **profile,  # type: ignore[arg-type]  # language: checked above
    )
    db.add(row)
    db.flush()
    assert row.id is not None  # noqa: S101 - flush assigns the id
    db.add(RoleGrant(account_id=row.id, role=Role.RESIDENT, granted_at=now))
    return row


def register(
    db: Session,
    now: datetime,
    *,
    email: str,
    password: str,
    display_name: str,
    language: str = "fr",
    hasher: PasswordHasher,
    links: Links,
) -> AccountView | None:
    """A new resident account, unverified, with a verification link mailed to it; or None when
    the address already has an account: then its owner is mailed a warning and nothing else
    changes. The caller answers both alike, so registration reveals no account (T4, T13);
    both count against the mail throttle."""
    normalised, name, errors = _credentials(email, password, display_name)
    errors |= _profile_errors(language)
    raise_if_any(errors)
    # Hashed before the first statement, so the write lock is not held while argon2 runs;
    # both paths cost one hash.
    password_hash = _hash(hasher, password)
    identity.count_mail_request(db, now, links, normalised)
    existing = db.exec(select(Account).where(Account.email == normalised)).first()
    if existing is not None:
        identity.warn_owner(db, now, links, existing)
        audit.append(
            db, now, actor=None, action="account.register-known", object=f"account:{existing.id}"
        )
        return None
    row = _insert_account(db, now, normalised, password_hash, name, language=language)
    identity.send_verification(db, now, links, row, first=True)
    audit.append(db, now, actor=row.id, action="account.register", object=f"account:{row.id}")
    return AccountView(
        id=id_of(row), email=row.email, display_name=row.display_name, language=row.language,
        roles=frozenset({Role.RESIDENT}), created_at=now,
    )  # fmt: skip


def create_admin(
    db: Session, now: datetime, *, email: str, password: str, display_name: str,
    hasher: PasswordHasher,
) -> AccountView:  # fmt: skip
    """An account holding the council role (first administrator, from the CLI)."""
    normalised, name, errors = _credentials(email, password, display_name)
    if not errors and queries.find_account(db, normalised) is not None:
        errors["email"] = EmailTaken()
    raise_if_any(errors)
    row = _insert_account(db, now, normalised, _hash(hasher, password), name, language="fr")
    assert row.id is not None  # noqa: S101 - inserted above
    row.email_verified_at = now  # the operator who runs the command vouches for the address
    db.add(RoleGrant(account_id=row.id, role=Role.COUNCIL, granted_at=now))
    audit.append(db, now, actor=None, action="account.create-admin", object=f"account:{row.id}")
    return queries.get_account(db, row.id)


# -- login and its throttle (T4) -------------------------------------------------------------


def _key(throttle_key: bytes, kind: str, value: str) -> str:
    return hmac.new(throttle_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _throttle_row(db: Session, key_hash: str) -> LoginThrottle | None:
    return db.exec(select(LoginThrottle).where(LoginThrottle.key_hash == key_hash)).first()


def _retry_after(row: LoginThrottle | None, now: datetime) -> int:
    if row is None or row.next_allowed_at is None or row.next_allowed_at <= now:
        return 0
    return max(1, int((row.next_allowed_at - now).total_seconds() + 0.999))


def _record_failure(db: Session, now: datetime, key_hash: str, kind: str) -> None:
    row = _throttle_row(db, key_hash)
    memory = rules.ADDRESS_WINDOW if kind == "address" else rules.ACCOUNT_MEMORY
    if row is None or now - row.window_start >= memory:
        if row is not None:
            db.delete(row)
            db.flush()
        row = LoginThrottle(key_hash=key_hash, kind=kind, failures=0, window_start=now)
    row.failures += 1
    if kind == "address":
        full = row.failures >= rules.ADDRESS_MAX_FAILURES
        row.next_allowed_at = row.window_start + rules.ADDRESS_WINDOW if full else None
    else:
        delay = rules.account_delay(row.failures)
        row.next_allowed_at = now + delay if delay > timedelta(0) else None
    db.add(row)
    db.flush()


def authenticate(
    db: Session,
    now: datetime,
    *,
    email: str,
    password: str,
    client_address: str,
    hasher: PasswordHasher,
    throttle_key: bytes,
) -> AccountView | None:
    """The account for these credentials, or None after recording the failure (commit it).

    Raises Throttled, writing nothing, while the account (5 failures, then 1 s doubling to 15
    min) or the client address (30 failures in 10 min) must wait. An unknown email costs one
    argon2 verify like a wrong password. A successful login clears the account's failures,
    never the address's, and upgrades a hash made with weaker parameters."""
    try:
        normalised = rules.normalise_email(email)
    except BudgetError:
        normalised = email.strip().lower()
    account_key = _key(throttle_key, "account", normalised)
    address_key = _key(throttle_key, "address", address_bucket(client_address))
    wait = max(_retry_after(_throttle_row(db, k), now) for k in (account_key, address_key))
    if wait:
        raise Throttled(retry_after=wait)
    row = db.exec(select(Account).where(Account.email == normalised)).first()
    if row is None or not _verify(hasher, row.password_hash, password):
        if row is None:
            _verify(hasher, _dummy_hash(hasher), password)
        _record_failure(db, now, account_key, "account")
        _record_failure(db, now, address_key, "address")
        return None
    db.exec(delete(LoginThrottle).where(col(LoginThrottle.key_hash) == account_key))
    if hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hash(hasher, password)
        db.add(row)
    audit.append(db, now, actor=row.id, action="account.login", object=f"account:{row.id}")
    return queries.get_account(db, id_of(row))


def change_password(
    db: Session,
    now: datetime,
    *,
    account_id: int,
    current_password: str,
    new_password: str,
    hasher: PasswordHasher,
    keep_session: str | None = None,
) -> None:
    """Replace the password after checking the current one; signs out every other session."""
    row = db.get(Account, account_id)
    if row is None:
        raise NotFound(kind="account", id=account_id)
    if not _verify(hasher, row.password_hash, current_password):
        raise WrongPassword()
    try:
        rules.check_password(new_password, row.email)
    except BudgetError as error:
        raise FieldErrors({"new_password": error}) from None
    row.password_hash = _hash(hasher, new_password)
    db.add(row)
    kept = hashlib.sha256(keep_session.encode()).hexdigest() if keep_session else ""
    db.exec(
        delete(WebSession)
        .where(col(WebSession.account_id) == account_id)
        .where(col(WebSession.token_hash) != kept)
    )
    audit.append(
        db, now, actor=account_id, action="account.password", object=f"account:{account_id}"
    )


# -- roles -----------------------------------------------------------------------------------


def grant_role(db: Session, now: datetime, *, actor_id: int, account_id: int, role: Role) -> bool:
    """Give `role` to the account (council only); False if it already held it. The account's
    sessions end, so its next sign-in gets a new session id (T5)."""
    _require_council(db, actor_id)
    target = queries.get_account(db, account_id)
    if target.has_role(role):
        return False
    db.add(RoleGrant(account_id=account_id, role=role, granted_at=now))
    db.exec(delete(WebSession).where(col(WebSession.account_id) == account_id))
    audit.append(
        db, now, actor=actor_id, action="role.grant", object=f"account:{account_id}",
        details={"role": role.value},
    )  # fmt: skip
    return True


def revoke_role(db: Session, now: datetime, *, actor_id: int, account_id: int, role: Role) -> bool:
    """Take `role` away (council only); False if the account did not hold it. The last council
    member keeps the role, so the platform always has an administrator."""
    _require_council(db, actor_id)
    target = queries.get_account(db, account_id)
    if not target.has_role(role):
        return False
    if role is Role.COUNCIL and queries.council_count(db) <= 1:
        raise LastCouncil()
    db.exec(
        delete(RoleGrant)
        .where(col(RoleGrant.account_id) == account_id)
        .where(col(RoleGrant.role) == role.value)
    )
    db.exec(delete(WebSession).where(col(WebSession.account_id) == account_id))
    audit.append(
        db, now, actor=actor_id, action="role.revoke", object=f"account:{account_id}",
        details={"role": role.value},
    )  # fmt: skip
    return True
