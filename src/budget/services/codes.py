"""Voting codes for the roll (PRODUCT.md "Voting with a code"; SECURITY.md T6).

One live code per active roll entry: 20 Crockford base32 symbols drawn with `secrets`, stored
only as HMAC-SHA256 under the code key (`Settings.key_for("code")`, passed in as `key`). The clear
codes exist only in what `issue_codes` and `reissue_code` return, once: the caller turns them
into the mailing files (`codes_csv`, `letters_pdf`) and nothing can show them again. The council
voids and reissues codes, audited. `entry_for_code` finds the entry of a typed code, tolerant
of case, spaces, hyphens and look-alikes, with failures throttled per address and per cycle in
the database (so every worker sees them).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from fpdf import FPDF
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.queries import RollEntryView
from budget.db.tables import Cycle, District, LoginThrottle, RollEntry, VotingCode
from budget.domain import codes as rules
from budget.domain import eligibility
from budget.domain.accounts import address_bucket
from budget.domain.errors import (
    BudgetError,
    CodeKeyChanged,
    EntryVoided,
    FieldErrors,
    NoLiveCode,
    NotFound,
    NotRollMode,
    Throttled,
    UnknownVotingCode,
    VotingCodeVoided,
)
from budget.domain.proposals import check_text
from budget.services import audit
from budget.services.cycles import editable_cycle, require_council

VOID_REASON_MAX: Final = 500
# A Unicode font for the letters (names and addresses in any script); Debian's fonts-dejavu-core.
LETTER_FONTS: Final = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)


@dataclass(frozen=True)
class IssuedCode:
    """A code in clear with what its letter needs; returned once, never stored."""

    entry_id: int
    external_id: str | None
    given_name: str
    family_name: str
    postal_address: str
    district: str
    code: str  # grouped: ABCD-EFGH-JKMN-PQRS-TVWX


def new_code() -> str:
    """20 symbols, each drawn uniformly by `secrets` (100 bits)."""
    return "".join(secrets.choice(rules.ALPHABET) for _ in range(rules.LENGTH))


def code_hmac(key: bytes, code: str) -> str:
    """The stored form of a canonical code."""
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def key_fingerprint(key: bytes) -> str:
    """Names the key without revealing it, so a rotated SECRET_KEY is noticed."""
    return hmac.new(key, b"fingerprint", hashlib.sha256).hexdigest()[:16]


def _live_code(db: Session, entry_id: int) -> VotingCode | None:
    query = select(VotingCode).where(
        VotingCode.entry_id == entry_id, col(VotingCode.voided_at).is_(None)
    )
    return db.exec(query).first()


def _issue(db: Session, now: datetime, entry: RollEntry, key: bytes) -> IssuedCode:
    code = new_code()
    assert entry.id is not None  # noqa: S101 - rows read back always carry their id
    db.add(
        VotingCode(
            cycle_id=entry.cycle_id, entry_id=entry.id, code_hmac=code_hmac(key, code),
            key_fingerprint=key_fingerprint(key), issued_at=now,
        )
    )  # fmt: skip
    district = db.get(District, entry.district_id) if entry.district_id else None
    return IssuedCode(
        entry_id=entry.id, external_id=entry.external_id, given_name=entry.given_name,
        family_name=entry.family_name, postal_address=entry.postal_address,
        district=district.name if district else "", code=rules.grouped(code),
    )  # fmt: skip


def _active(cycle: Cycle, entry: RollEntry) -> bool:
    return eligibility.is_active(queries.rules_of(cycle), queries.entry_view(entry).facts)


def issue_codes(
    db: Session, now: datetime, *, actor_id: int | None, cycle_id: int, key: bytes
) -> list[IssuedCode]:
    """A code for every active entry of the cycle that has no live code yet, in clear (the only
    time): entries holding a code keep it, so a second run returns only newcomers."""
    if actor_id is not None:
        require_council(db, actor_id)
    cycle = editable_cycle(db, cycle_id, lock=True)
    if cycle.eligibility_mode != eligibility.EligibilityMode.ROLL:
        raise NotRollMode()
    query = select(RollEntry).where(RollEntry.cycle_id == cycle_id).order_by(col(RollEntry.id))
    holders = select(VotingCode.entry_id).where(
        VotingCode.cycle_id == cycle_id, col(VotingCode.voided_at).is_(None)
    )
    entries = db.exec(query.where(col(RollEntry.id).not_in(holders))).all()
    issued = [_issue(db, now, e, key) for e in entries if _active(cycle, e)]
    db.flush()
    audit.append(
        db, now, actor=actor_id, action="codes.issue", object=f"cycle:{cycle_id}",
        details={"issued": len(issued), "key": key_fingerprint(key)},
    )  # fmt: skip
    return issued


def void_code(db: Session, now: datetime, *, actor_id: int, entry_id: int, reason: str) -> None:
    """The council cancels the entry's live code (a lost or stolen letter)."""
    require_council(db, actor_id)
    entry = _entry(db, entry_id)
    editable_cycle(db, entry.cycle_id)
    text = _reason(reason)
    live = _live_code(db, entry_id)
    if live is None:
        raise NoLiveCode()
    live.voided_at, live.void_reason = now, text
    db.add(live)
    audit.append(
        db, now, actor=actor_id, action="codes.void", object=f"roll_entry:{entry_id}",
        details={"reason": text},
    )  # fmt: skip


def reissue_code(
    db: Session, now: datetime, *, actor_id: int, entry_id: int, key: bytes, reason: str
) -> IssuedCode:
    """A new code for the entry, in clear (once), its live code voided first if it has one."""
    require_council(db, actor_id)
    entry = _entry(db, entry_id)
    cycle = editable_cycle(db, entry.cycle_id)
    text = _reason(reason)
    if not _active(cycle, entry):
        raise EntryVoided()
    live = _live_code(db, entry_id)
    if live is not None:
        live.voided_at, live.void_reason = now, text
        db.add(live)
        db.flush()
    issued = _issue(db, now, entry, key)
    audit.append(
        db, now, actor=actor_id, action="codes.reissue", object=f"roll_entry:{entry_id}",
        details={"reason": text, "voided": live is not None, "key": key_fingerprint(key)},
    )  # fmt: skip
    return issued


def _entry(db: Session, entry_id: int) -> RollEntry:
    entry = db.get(RollEntry, entry_id)
    if entry is None:
        raise NotFound(kind="roll entry", id=entry_id)
    return entry


def _reason(reason: str) -> str:
    try:
        return check_text(reason, VOID_REASON_MAX)
    except BudgetError as error:
        raise FieldErrors({"reason": error}) from None


# -- typing a code: lookup and throttle (T6) ---------------------------------------------------


def _throttle_keys(key: bytes, cycle_id: int, source: str) -> dict[str, str]:
    def hashed(kind: str, value: str) -> str:
        return hmac.new(key, f"{kind}:{cycle_id}:{value}".encode(), hashlib.sha256).hexdigest()

    return {
        "code-address": hashed("code-address", address_bucket(source)),
        "code-cycle": hashed("code-cycle", ""),
    }


_LIMITS: Final = {"code-address": rules.SOURCE_MAX_FAILURES, "code-cycle": rules.CYCLE_MAX_FAILURES}


def _throttle_rows(db: Session, keys: dict[str, str]) -> dict[str, LoginThrottle]:
    query = select(LoginThrottle).where(col(LoginThrottle.key_hash).in_(keys.values()))
    return {row.kind: row for row in db.exec(query)}


def _wait(rows: dict[str, LoginThrottle], now: datetime) -> int:
    waits = [
        (row.next_allowed_at - now).total_seconds()
        for row in rows.values()
        if row.next_allowed_at is not None and row.next_allowed_at > now
    ]
    return max(1, int(max(waits) + 0.999)) if waits else 0


def _record_failure(
    db: Session, now: datetime, keys: dict[str, str], rows: dict[str, LoginThrottle]
) -> None:
    for kind, key_hash in keys.items():
        row = rows.get(kind)
        if row is None or now - row.window_start >= rules.WINDOW:
            if row is not None:
                db.delete(row)
                db.flush()
            row = LoginThrottle(key_hash=key_hash, kind=kind, failures=0, window_start=now)
        row.failures += 1
        full = row.failures >= _LIMITS[kind]
        row.next_allowed_at = row.window_start + rules.WINDOW if full else None
        db.add(row)
    db.flush()


def entry_for_code(
    db: Session, now: datetime, *, cycle_id: int, typed: str, key: bytes, source: str
) -> RollEntryView | BudgetError:
    """The roll entry whose live code was typed, or the error to show (UnknownVotingCode,
    VotingCodeVoided) after recording the failure: commit either way. Raises Throttled, writing
    nothing, while `source` (the client address) or the whole cycle must wait; CodeKeyChanged
    when the cycle's codes were issued under another key. Never logs the code."""
    keys = _throttle_keys(key, cycle_id, source)
    rows = _throttle_rows(db, keys)
    wait = _wait(rows, now)
    if wait:
        raise Throttled(retry_after=wait)
    canonical = rules.normalise(typed)
    found = None
    if canonical is not None:
        query = select(VotingCode).where(
            VotingCode.cycle_id == cycle_id, VotingCode.code_hmac == code_hmac(key, canonical)
        )
        found = db.exec(query).first()
    if found is not None and found.voided_at is None:
        return queries.get_entry(db, found.entry_id)
    if found is None and _other_key(db, cycle_id, key):
        raise CodeKeyChanged()
    _record_failure(db, now, keys, rows)
    return UnknownVotingCode() if found is None else VotingCodeVoided()


def _other_key(db: Session, cycle_id: int, key: bytes) -> bool:
    query = select(VotingCode.id).where(
        VotingCode.cycle_id == cycle_id, VotingCode.key_fingerprint != key_fingerprint(key)
    )
    return db.exec(query.limit(1)).first() is not None


# -- the mailing files ------------------------------------------------------------------------

CSV_COLUMNS: Final = (
    "external_id", "given_name", "family_name", "postal_address", "district", "code",
)  # fmt: skip


def codes_csv(issued: Sequence[IssuedCode]) -> str:
    """The codes in clear for a mail merge, one line per entry."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in issued:
        writer.writerow([_cell(getattr(item, name) or "") for name in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: str) -> str:
    """No spreadsheet formula from a name or address (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@dataclass(frozen=True)
class LetterText:
    """The wording of the letters, in the cycle's language (the web or CLI translates it)."""

    title: str
    body: str  # may hold {name} and {url}
    code_label: str
    url: str


def letters_pdf(
    issued: Sequence[IssuedCode], text: LetterText, fonts: Sequence[Path] = LETTER_FONTS
) -> bytes:
    """One A4 page per code: address block, the letter, the code in large grouped symbols.
    The first of `fonts` found draws the text; without one, the core Helvetica font."""
    pdf = FPDF(format="A4")
    pdf.set_title(text.title)
    pdf.set_auto_page_break(auto=False)
    font = _letter_font(pdf, fonts)
    for item in issued:
        pdf.add_page()
        name = f"{item.given_name} {item.family_name}".strip()
        pdf.set_font(font, size=11)
        pdf.set_xy(110, 45)
        address = "\n".join([name, *item.postal_address.splitlines()])
        pdf.multi_cell(85, 5.5, _printable(font, address))
        pdf.set_xy(20, 100)
        pdf.set_font(font, size=15)
        pdf.multi_cell(170, 8, _printable(font, text.title))
        pdf.set_font(font, size=11)
        pdf.set_x(20)
        body = text.body.format(name=name, url=text.url)
        pdf.multi_cell(170, 6, _printable(font, body))
        pdf.ln(8)
        pdf.set_x(20)
        pdf.cell(170, 6, _printable(font, text.code_label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(20)
        pdf.set_font("Courier", size=22)
        pdf.cell(170, 14, item.code, border=1, align="C")
    return bytes(pdf.output())


def _letter_font(pdf: FPDF, fonts: Sequence[Path]) -> str:
    for path in fonts:
        if path.is_file():
            pdf.add_font("Letter", fname=str(path))
            return "Letter"
    return "Helvetica"


def _printable(font: str, value: str) -> str:
    """Text the font can draw: any with the Unicode font; Latin-1 with the core font (accents
    outside it dropped, other characters as '?')."""
    if font != "Helvetica":
        return value
    return "".join(_latin1(c) for c in value)


def _latin1(char: str) -> str:
    if ord(char) < 256:
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and all(ord(c) < 256 for c in base) else "?"
