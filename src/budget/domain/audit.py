"""The audit log's hash chain (SECURITY.md T10), computed without any storage.

Entry hash = SHA-256 of the canonical JSON of (seq, at, actor, action, object, details,
prev_hash): keys sorted, no spaces, UTF-8, time as ISO 8601 UTC with microseconds. The first
entry's prev_hash is 64 zeros. Changing, deleting, inserting or reordering an entry breaks the
chain at that entry, and `first_broken` names it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64
REDACTED = "[redacted]"
# Keys whose values never enter the log (T12); matched as substrings of lower-cased keys.
_SECRET_KEYS = ("password", "secret", "token", "csrf", "cookie", "seed", "receipt", "voting_code")


@dataclass(frozen=True)
class AuditRecord:
    """One stored entry, as read back for verification."""

    seq: int
    at: datetime
    actor: str
    action: str
    target: str  # the `object` column: what the action was done to
    details: Mapping[str, object]
    prev_hash: str
    hash: str


def scrub(details: Mapping[str, object]) -> dict[str, object]:
    """The details with every secret-looking value replaced, recursively (T12)."""
    clean: dict[str, object] = {}
    for key, value in details.items():
        if any(word in key.lower() for word in _SECRET_KEYS):
            clean[key] = REDACTED
        elif isinstance(value, Mapping):
            clean[key] = scrub(value)
        else:
            clean[key] = value
    return clean


def timestamp(at: datetime) -> str:
    """The canonical time text: UTC, microseconds, `Z` suffix."""
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object: str,
    details: Mapping[str, object],
    prev_hash: str,
) -> bytes:
    """The exact bytes that are hashed."""
    body = {
        "seq": seq,
        "at": timestamp(at),
        "actor": actor,
        "action": action,
        "object": object,
        "details": details,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object: str,
    details: Mapping[str, object],
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the entry's canonical JSON, which includes the previous hash."""
    return hashlib.sha256(canonical(seq, at, actor, action, object, details, prev_hash)).hexdigest()


def first_broken(records: Iterable[AuditRecord]) -> int | None:
    """The seq of the first entry that does not follow from its predecessor, or None.

    Checks, in order: seq is 1, 2, 3, ...; prev_hash is the previous entry's hash; hash matches
    the entry's contents."""
    expected_seq, prev = 1, GENESIS
    for record in records:
        recomputed = entry_hash(
            record.seq,
            record.at,
            record.actor,
            record.action,
            record.target,
            record.details,
            record.prev_hash,
        )
        if record.seq != expected_seq or record.prev_hash != prev or record.hash != recomputed:
            return record.seq
        expected_seq, prev = expected_seq + 1, record.hash
    return None
