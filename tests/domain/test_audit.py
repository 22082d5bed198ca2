"""The audit chain: canonical hashing, scrubbing, and detection of any change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from budget.domain import audit
from budget.domain.audit import GENESIS, AuditRecord

START = datetime(2027, 1, 10, 8, tzinfo=UTC)


def chain(n: int) -> list[AuditRecord]:
    records, prev = [], GENESIS
    for seq in range(1, n + 1):
        at = START + timedelta(minutes=seq)
        details = {"n": seq, "name": "Tout Paris €"}
        digest = audit.entry_hash(seq, at, "account:1", "cycle.update", "cycle:1", details, prev)
        records.append(
            AuditRecord(seq, at, "account:1", "cycle.update", "cycle:1", details, prev, digest)
        )
        prev = digest
    return records


def test_canonical_form_is_sorted_compact_utf8_json() -> None:
    text = audit.canonical(1, START, "system", "a", "b", {"z": 1, "é": "ü"}, GENESIS).decode()
    assert text.startswith('{"action":"a","actor":"system","at":"2027-01-10T08:00:00.000000Z"')
    assert '"details":{"z":1,"é":"ü"}' in text


def test_times_are_written_in_utc_whatever_their_zone() -> None:
    paris = START.astimezone(timezone(timedelta(hours=1)))
    assert audit.timestamp(paris) == audit.timestamp(START)
    with pytest.raises(ValueError, match="timezone-aware"):
        audit.timestamp(START.replace(tzinfo=None))


def test_an_untouched_chain_verifies() -> None:
    assert audit.first_broken(chain(5)) is None
    assert audit.first_broken([]) is None


@pytest.mark.threat("T10")
@pytest.mark.parametrize(
    ("tamper", "first_bad"),
    [
        (lambda c: c.__setitem__(2, replace(c[2], details={"n": 99})), 3),
        (lambda c: c.__setitem__(1, replace(c[1], actor="account:2")), 2),
        (lambda c: c.pop(3), 5),
        (lambda c: c.insert(2, c[2]), 3),
        (lambda c: c.__setitem__(0, replace(c[0], prev_hash="f" * 64)), 1),
        (lambda c: c.__setitem__(slice(1, 3), [c[2], c[1]]), 3),  # entry 3 out of place
    ],
    ids=["edit", "actor", "delete", "insert", "prev-hash", "reorder"],
)
def test_any_change_is_detected_at_the_first_bad_entry(tamper, first_bad) -> None:
    records = chain(5)
    tamper(records)
    assert audit.first_broken(records) == first_bad


@pytest.mark.threat("T12")
def test_secrets_never_enter_the_log() -> None:
    details = {
        "password": "hunter2hunter2", "csrf_token": "t", "nested": {"Session_Cookie": "c"},
        "lottery_seed": "s", "voting_code": "ABCD", "district_code": "75111", "amount": 5,
    }  # fmt: skip
    assert audit.scrub(details) == {
        "password": "[redacted]", "csrf_token": "[redacted]",
        "nested": {"Session_Cookie": "[redacted]"}, "lottery_seed": "[redacted]",
        "voting_code": "[redacted]", "district_code": "75111", "amount": 5,
    }  # fmt: skip
