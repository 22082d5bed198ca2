"""Password hashing: argon2id with bounded concurrency (SECURITY.md T4).

The `PasswordHasher` is a parameter: `production_hasher()` in the app and CLI, `test_hasher()`
in tests. At most four hashes run at once (each takes 64 MiB in production).
"""

from __future__ import annotations

import secrets
import threading
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASH_SLOTS = threading.BoundedSemaphore(4)  # bounds argon2's memory under a login storm (T4)

# Verified when the email is unknown, so that path costs one argon2 verify like a wrong password
# (T4: no timing difference reveals whether an account exists). One per parameter set, made on
# first use with the hasher's own parameters (those of the stored hashes); its password is
# random and forgotten.
_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hash_password(hasher, secrets.token_urlsafe(16))
    return _DUMMY_HASHES[key]


def production_hasher() -> PasswordHasher:
    """argon2id with t=3, m=64 MiB, p=4: above OWASP's minimum (t=2, m=19 MiB, p=1)."""
    return PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


def test_hasher() -> PasswordHasher:
    """A cheap argon2id profile for tests only; check_needs_rehash upgrades such hashes."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def hash_password(hasher: PasswordHasher, password: str) -> str:
    with _HASH_SLOTS:
        return hasher.hash(password)


def verify_password(hasher: PasswordHasher, stored: str, password: str) -> bool:
    with _HASH_SLOTS:
        try:
            return hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False


UNUSABLE: Final = "!"  # the hash of an account with no password (first signed in by OIDC)
