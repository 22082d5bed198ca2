"""services.codes: one code per active entry, stored only as a keyed hash, in clear once; void
and reissue; typing tolerated; guessing throttled in the database (T6), on both backends."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.queries import RollEntryView
from budget.db.tables import LoginThrottle, RollEntry, VotingCode
from budget.domain import codes as rules
from budget.domain.errors import (
    BudgetError,
    CodeKeyChanged,
    EntryVoided,
    NoLiveCode,
    NotRollMode,
    PermissionDenied,
    Throttled,
    UnknownVotingCode,
    VotingCodeVoided,
)
from budget.services import codes, roll
from tests.services.conftest import NOW, resident
from tests.services.test_roll import GOOD, HEADER, make_cycle

pytestmark = pytest.mark.threat("T6")

KEY = b"c" * 32
GROUPED = re.compile(r"^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}$")


@pytest.fixture
def cycle_id(db: Session, council: int) -> int:
    """A roll-mode cycle (no minimum age) with the three entries of GOOD imported."""
    made = make_cycle(db, council, eligibility_mode="roll", district_mode="residence")
    roll.import_roll(db, NOW, actor_id=council, cycle_id=made, content=GOOD)
    return made


def entry_ids(db: Session, cycle_id: int) -> dict[str, int]:
    query = select(RollEntry).where(RollEntry.cycle_id == cycle_id)
    return {e.external_id or "": e.id or 0 for e in db.exec(query)}


def lookup(
    db: Session, cycle_id: int, typed: str, source: str = "192.0.2.1", now: datetime = NOW
) -> RollEntryView | BudgetError:
    return codes.entry_for_code(db, now, cycle_id=cycle_id, typed=typed, key=KEY, source=source)


def test_codes_are_issued_once_per_entry_and_stored_only_hashed(
    db: Session, council: int, cycle_id: int
) -> None:
    issued = codes.issue_codes(db, NOW, actor_id=council, cycle_id=cycle_id, key=KEY)
    assert [i.external_id for i in issued] == ["A1", "A2", "A3"]
    assert all(GROUPED.match(i.code) for i in issued)
    assert len({i.code for i in issued}) == 3
    stored = db.exec(select(VotingCode).where(VotingCode.cycle_id == cycle_id)).all()
    assert len(stored) == 3
    for item in issued:
        clear = rules.normalise(item.code)
        assert clear is not None
        assert all(clear not in str(value) for s in stored for value in s.model_dump().values())
        assert codes.code_hmac(KEY, clear) in {s.code_hmac for s in stored}
    # A second run issues none to entries that hold a code: the clear codes are gone for good.
    assert codes.issue_codes(db, NOW, actor_id=council, cycle_id=cycle_id, key=KEY) == []
    assert queries.list_audit(db, limit=1)[0].details == {
        "issued": 0, "key": codes.key_fingerprint(KEY),
    }  # fmt: skip


def test_the_mailing_files_carry_each_code_in_clear(
    db: Session, council: int, cycle_id: int
) -> None:
    issued = codes.issue_codes(db, NOW, actor_id=council, cycle_id=cycle_id, key=KEY)
    table = list(csv.DictReader(io.StringIO(codes.codes_csv(issued))))
    assert [(r["external_id"], r["code"], r["district"]) for r in table] == [
        (i.external_id, i.code, i.district) for i in issued
    ]
    assert table[0]["postal_address"] == "12 rue des Lilas\n75011 Paris"
    text = codes.LetterText(
        title="Votre code de vote", body="Bonjour {name}, votez sur {url}.",
        code_label="Votre code :", url="https://budget.example/vote",
    )  # fmt: skip
    pdf = codes.letters_pdf(issued, text)
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page\n") == len(issued)
    # Without a Unicode font, the core font still prints every letter, whatever the names.
    assert "Nguyễn" in {i.family_name for i in issued}
    plain = codes.letters_pdf(issued, text, fonts=())
    assert plain.count(b"/Type /Page\n") == len(issued)
    assert b"/BaseFont /Helvetica" in plain


def test_a_formula_in_a_name_does_not_reach_the_spreadsheet(
    db: Session, council: int, cycle_id: int
) -> None:
    roll.import_roll(
        db, NOW, actor_id=council, cycle_id=cycle_id, content=HEADER + "B1,=HYPERLINK(1),X,,,,\n"
    )
    issued = codes.issue_codes(db, NOW, actor_id=council, cycle_id=cycle_id, key=KEY)
    [row] = [
        r for r in csv.DictReader(io.StringIO(codes.codes_csv(issued))) if r["external_id"] == "B1"
    ]
    assert row["given_name"] == "'=HYPERLINK(1)"


def test_typing_is_tolerant_and_finds_the_entry(db: Session, council: int, cycle_id: int) -> None:
    [first, *_] = codes.issue_codes(db, NOW, actor_id=council, cycle_id=cycle_id, key=KEY)
    sloppy = " ".join(first.code.lower().replace("-", "").replace("1", "l").replace("0", "o"))
    found = lookup(db, cycle_id, sloppy)
    assert not isinstance(found, Exception)
    assert (found.id, found.external_id) == (first.entry_id, "A1")
    other = make_cycle(db, council, instance="2031", eligibility_mode="roll")
    assert isinstance(lookup(db, other, first.code), UnknownVotingCode)  # another cycle's code


def test_void_and_reissue(db: Session, hasher, council: int, cycle_id: int) -> None:
    [first, *_] = codes.issue_codes(db, NOW, actor_id=council, cycle_id=cycle_id, key=KEY)
    with pytest.raises(PermissionDenied):
        codes.void_code(
            db, NOW, actor_id=resident(db, hasher), entry_id=first.entry_id, reason="lost"
        )
    codes.void_code(db, NOW, actor_id=council, entry_id=first.entry_id, reason="Letter lost")
    assert isinstance(lookup(db, cycle_id, first.code), VotingCodeVoided)
    with pytest.raises(NoLiveCode):
        codes.void_code(db, NOW, actor_id=council, entry_id=first.entry_id, reason="again")
    again = codes.reissue_code(
        db, NOW, actor_id=council, entry_id=first.entry_id, key=KEY, reason="New letter"
    )
    assert again.code != first.code
    found = lookup(db, cycle_id, again.code)
    assert not isinstance(found, Exception)
    assert found.id == first.entry_id
    # Reissuing over a live code voids it; a void entry gets none.
    third = codes.reissue_code(
        db, NOW, actor_id=council, entry_id=first.entry_id, key=KEY, reason="Stolen"
    )
    assert isinstance(lookup(db, cycle_id, again.code), VotingCodeVoided)
    assert not isinstance(lookup(db, cycle_id, third.code), Exception)
    roll.void_entry(db, NOW, actor_id=council, entry_id=first.entry_id, reason="Moved away")
    with pytest.raises(EntryVoided):
        codes.reissue_code(db, NOW, actor_id=council, entry_id=first.entry_id, key=KEY, reason="x")
    actions = [e.action for e in queries.list_audit(db, limit=4)]
    assert actions == ["roll.void", "codes.reissue", "codes.reissue", "codes.void"]


def test_declared_cycles_have_no_codes(db: Session, council: int) -> None:
    declared = make_cycle(db, council, instance="2032", eligibility_mode="declared")
    with pytest.raises(NotRollMode):
        codes.issue_codes(db, NOW, actor_id=council, cycle_id=declared, key=KEY)


def test_guessing_is_throttled_per_address_then_per_cycle(
    db: Session, council: int, cycle_id: int
) -> None:
    [first, *_] = codes.issue_codes(db, NOW, actor_id=council, cycle_id=cycle_id, key=KEY)
    for _ in range(rules.SOURCE_MAX_FAILURES):
        assert isinstance(lookup(db, cycle_id, "0000-0000-0000-0000-0000"), UnknownVotingCode)
    with pytest.raises(Throttled) as caught:
        lookup(db, cycle_id, first.code)  # even the right code waits
    retry_after = caught.value.params["retry_after"]
    assert isinstance(retry_after, int)
    assert 0 < retry_after <= rules.WINDOW.total_seconds()
    found = lookup(db, cycle_id, first.code, source="198.51.100.7")  # another address
    assert not isinstance(found, Exception)
    later = NOW + rules.WINDOW
    assert not isinstance(lookup(db, cycle_id, first.code, now=later), Exception)
    # The failures live in the database, not in this process: every worker sees them.
    rows = db.exec(select(LoginThrottle).where(col(LoginThrottle.kind).like("code-%"))).all()
    assert {r.kind for r in rows} == {"code-address", "code-cycle"}
    # Spread over many addresses, the cycle's own limit stops everyone.
    cycle_row = next(r for r in rows if r.kind == "code-cycle")
    cycle_row.failures = rules.CYCLE_MAX_FAILURES - 1
    db.add(cycle_row)
    assert isinstance(lookup(db, cycle_id, "bad", source="203.0.113.9"), UnknownVotingCode)
    with pytest.raises(Throttled):
        lookup(db, cycle_id, first.code, source="203.0.113.10")
    assert not isinstance(
        lookup(db, cycle_id, first.code, source="203.0.113.10", now=NOW + timedelta(minutes=11)),
        Exception,
    )


def test_a_rotated_key_is_named_not_taken_for_a_wrong_code(
    db: Session, council: int, cycle_id: int
) -> None:
    [first, *_] = codes.issue_codes(db, NOW, actor_id=council, cycle_id=cycle_id, key=KEY)
    with pytest.raises(CodeKeyChanged):
        codes.entry_for_code(
            db, NOW, cycle_id=cycle_id, typed=first.code, key=b"d" * 32, source="192.0.2.1"
        )


def test_codes_are_uniform_over_the_alphabet() -> None:
    drawn = [codes.new_code() for _ in range(2000)]
    assert len(set(drawn)) == len(drawn)
    counts = dict.fromkeys(rules.ALPHABET, 0)
    for code in drawn:
        assert len(code) == rules.LENGTH
        for symbol in code:
            counts[symbol] += 1
    expected = len(drawn) * rules.LENGTH / len(rules.ALPHABET)
    assert all(0.85 * expected < n < 1.15 * expected for n in counts.values())
