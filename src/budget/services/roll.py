"""Eligibility in practice (PRODUCT.md "Where eligibility comes from"; T2): the council's roll
import, residents' declarations, voiding, and the district of choice.

- `import_roll`: a CSV file for a roll-mode cycle, checked row by row; every problem is named
  with its line and column and nothing is written unless the whole file is valid. Importing
  again updates entries by external id; `status` `removed` voids an entry, `active` restores one
  the roll had removed. Audited with counts and the file's SHA-256.
- `declare`: in a declared-mode cycle, a resident with a verified e-mail declares birth year and
  district once; `void_entry`: the council voids a suspicious declaration (or any entry).
- `choose_district`: the district of choice (mode `choice`), fixed by the voter's first district
  ballot and refused if another is asked afterwards.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import Cycle, District, RollEntry
from budget.domain import eligibility
from budget.domain.accounts import check_birth_year
from budget.domain.cycle import Phase, is_locked
from budget.domain.eligibility import EligibilityMode, EntrySource
from budget.domain.errors import (
    AlreadyDeclared,
    BudgetError,
    DuplicateInRoll,
    FieldErrors,
    InvalidChoice,
    InvalidDate,
    NotFound,
    NotRollMode,
    Required,
    RollExtraCells,
    RollFileInvalid,
    RollHeader,
    RollNotText,
    RollTooLarge,
    RowProblem,
    TooLong,
    UnknownDistrictCode,
    WrongPhase,
    raise_if_any,
)
from budget.domain.proposals import check_text
from budget.services import audit, identity
from budget.services.cycles import editable_cycle, require_council

COLUMNS: Final = (
    "external_id", "given_name", "family_name", "birth_date", "district", "postal_address",
    "status",
)  # fmt: skip
REQUIRED_COLUMNS: Final = ("external_id", "family_name")
MAX_LINES: Final = 1_000_000
LIMITS: Final = {
    "external_id": 64, "given_name": 120, "family_name": 120, "district": 16,
    "postal_address": 500,
}  # fmt: skip
STATUSES: Final = ("active", "removed")
REMOVED_BY_ROLL: Final = "removed from the roll"
VOID_REASON_MAX: Final = 500


@dataclass(frozen=True)
class ImportReport:
    rows: int
    created: int
    updated: int
    unchanged: int
    removed: int  # voided by this import (status removed)


@dataclass(frozen=True)
class _Row:
    line: int
    external_id: str
    given_name: str
    family_name: str
    birth_date: date | None
    district_id: int | None
    postal_address: str
    removed: bool


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FieldErrors({"file": RollNotText()}) from None


def _records(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(first line number, cells by column) for each data row; the header checked first."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FieldErrors({"file": RollHeader(missing=", ".join(missing))})
    line = reader.line_num + 1
    for cells in reader:
        if any(c.strip() for c in cells):
            if len(cells) > len(header):
                yield line, {"": "extra"}
            else:
                yield (
                    line,
                    {name: value.strip() for name, value in zip(header, cells, strict=False)},
                )
        line = reader.line_num + 1


def _delimiter(text: str) -> str:
    """Spreadsheets in French save CSV with semicolons: the header line tells which it is."""
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _text_problems(line: int, cells: Mapping[str, str]) -> list[RowProblem]:
    problems = [
        RowProblem(line, name, TooLong(max=limit))
        for name, limit in LIMITS.items()
        if len(cells.get(name, "")) > limit
    ]
    problems += [RowProblem(line, n, Required()) for n in REQUIRED_COLUMNS if not cells.get(n)]
    status = cells.get("status", "") or "active"
    if status not in STATUSES:
        problems.append(RowProblem(line, "status", InvalidChoice(choices=", ".join(STATUSES))))
    return problems


def _parse_row(
    line: int, cells: Mapping[str, str], districts: Mapping[str, int]
) -> tuple[_Row | None, list[RowProblem]]:
    if "" in cells:
        return None, [RowProblem(line, "row", RollExtraCells())]
    problems = _text_problems(line, cells)
    birth = None
    if raw := cells.get("birth_date", ""):
        try:
            birth = date.fromisoformat(raw)
        except ValueError:
            problems.append(RowProblem(line, "birth_date", InvalidDate()))
    district_id = None
    if code := cells.get("district", ""):
        district_id = districts.get(code)
        if district_id is None:
            problems.append(RowProblem(line, "district", UnknownDistrictCode(district=code)))
    if problems:
        return None, problems
    row = _Row(
        line=line, external_id=cells["external_id"], given_name=cells.get("given_name", ""),
        family_name=cells["family_name"], birth_date=birth, district_id=district_id,
        postal_address=cells.get("postal_address", ""),
        removed=cells.get("status", "") == "removed",
    )  # fmt: skip
    return row, []


def parse_roll(
    db: Session, cycle_id: int, content: bytes | str
) -> tuple[list[_Row], list[RowProblem]]:
    """The file's rows, and every problem found in it (both complete; nothing written)."""
    text = _decode(content)
    query = select(District).where(District.cycle_id == cycle_id)
    districts = {d.code: d.id for d in db.exec(query) if d.id is not None}
    rows: list[_Row] = []
    problems: list[RowProblem] = []
    first_line: dict[str, int] = {}
    for count, (line, cells) in enumerate(_records(text), start=1):
        if count > MAX_LINES:
            raise FieldErrors({"file": RollTooLarge(max=MAX_LINES)})
        row, found = _parse_row(line, cells, districts)
        problems.extend(found)
        if row is None:
            continue
        if row.external_id in first_line:
            error = DuplicateInRoll(line=first_line[row.external_id])
            problems.append(RowProblem(line, "external_id", error))
            continue
        first_line[row.external_id] = line
        rows.append(row)
    return rows, problems


def _roll_cycle(db: Session, cycle_id: int) -> Cycle:
    cycle = editable_cycle(db, cycle_id, lock=True)
    if cycle.eligibility_mode != EligibilityMode.ROLL:
        raise NotRollMode()
    if is_locked(Phase(cycle.phase)):
        raise WrongPhase(phase=cycle.phase)
    return cycle


def _apply_row(entry: RollEntry, row: _Row, now: datetime) -> bool:
    """Copy the row onto the entry; whether anything changed."""
    values: dict[str, object] = {
        "given_name": row.given_name, "family_name": row.family_name,
        "birth_date": row.birth_date,
        "birth_year": row.birth_date.year if row.birth_date else None,
        "district_id": row.district_id, "postal_address": row.postal_address,
    }  # fmt: skip
    changed = False
    for name, value in values.items():
        if getattr(entry, name) != value:
            setattr(entry, name, value)
            changed = True
    if row.removed and entry.voided_at is None:
        entry.voided_at, entry.void_reason, changed = now, REMOVED_BY_ROLL, True
    elif not row.removed and entry.void_reason == REMOVED_BY_ROLL:
        entry.voided_at, entry.void_reason, changed = None, None, True
    if changed:
        entry.updated_at = now
    return changed


def import_roll(
    db: Session, now: datetime, *, actor_id: int | None, cycle_id: int, content: bytes | str
) -> ImportReport:
    """Import (or re-import) the cycle's roll from CSV. RollFileInvalid lists every problem
    (line and column) and nothing is written. `actor_id` None is the command line's operator."""
    if actor_id is not None:
        require_council(db, actor_id)
    _roll_cycle(db, cycle_id)
    rows, problems = parse_roll(db, cycle_id, content)
    if problems:
        raise RollFileInvalid(tuple(problems))
    query = select(RollEntry).where(
        RollEntry.cycle_id == cycle_id, RollEntry.source == EntrySource.ROLL
    )
    existing = {e.external_id: e for e in db.exec(query)}
    created = updated = removed = 0
    for row in rows:
        entry = existing.get(row.external_id)
        if entry is None:
            entry = RollEntry(
                cycle_id=cycle_id, source=EntrySource.ROLL, external_id=row.external_id,
                created_at=now, updated_at=now,
            )  # fmt: skip
            _apply_row(entry, row, now)
            created += 1
        else:
            was_voided = entry.voided_at is not None
            if _apply_row(entry, row, now):
                updated += 1
                removed += entry.voided_at is not None and not was_voided
        db.add(entry)
    db.flush()
    report = ImportReport(
        rows=len(rows), created=created, updated=updated,
        unchanged=len(rows) - created - updated, removed=removed,
    )  # fmt: skip
    raw = content.encode() if isinstance(content, str) else content
    audit.append(
        db, now, actor=actor_id, action="roll.import", object=f"cycle:{cycle_id}",
        details={**report.__dict__, "sha256": hashlib.sha256(raw).hexdigest()},
    )  # fmt: skip
    return report


# -- declarations (mode declared) -----------------------------------------------------------


def declare(
    db: Session,
    now: datetime,
    *,
    account_id: int,
    cycle_id: int,
    birth_year: int | None,
    district_id: int | None,
) -> int:
    """The resident's declaration for the cycle (its roll entry, source declared); once per
    cycle (`domain.eligibility.can_declare`), by an account with a verified address
    (`identity.require_may_participate`). A birth date an identity provider vouched for
    (`queries.verified_birthdate`) fills the year, whatever was typed, and the entry is marked
    verified by the provider."""
    cycle = db.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(kind="cycle", id=cycle_id)
    identity.require_may_participate(db, account_id)
    has_entry = queries.account_entry(db, cycle_id, account_id) is not None
    eligibility.can_declare(queries.rules_of(cycle), Phase(cycle.phase), has_entry=has_entry)
    vouched = queries.verified_birthdate(db, account_id)
    if vouched is not None:
        birth_year = vouched.birthdate.year
    errors: dict[str, BudgetError] = {}
    if birth_year is None:
        errors["birth_year"] = Required()
    else:
        try:
            check_birth_year(birth_year, now.year)
        except BudgetError as error:
            errors["birth_year"] = error
    district = db.get(District, district_id) if district_id is not None else None
    if district_id is None:
        errors["district_id"] = Required()
    elif district is None or district.cycle_id != cycle_id:
        errors["district_id"] = InvalidChoice(choices="the districts of this cycle")
    raise_if_any(errors)
    entry = RollEntry(
        cycle_id=cycle_id, source=EntrySource.DECLARED, birth_year=birth_year,
        birth_date=vouched.birthdate if vouched else None, verified_by_provider=bool(vouched),
        district_id=district_id, account_id=account_id, created_at=now, updated_at=now,
    )  # fmt: skip
    try:
        with db.begin_nested():
            db.add(entry)
            db.flush()
    except IntegrityError:  # a second declaration that raced the first
        raise AlreadyDeclared() from None
    assert entry.id is not None  # noqa: S101 - flush assigns the id
    audit.append(
        db, now, actor=account_id, action="roll.declare", object=f"roll_entry:{entry.id}",
        details={
            "cycle": cycle_id, "district": district_id, "birth_year": birth_year,
            "verified_by": vouched.provider if vouched else None,
        },
    )  # fmt: skip
    return entry.id


def void_entry(db: Session, now: datetime, *, actor_id: int, entry_id: int, reason: str) -> bool:
    """The council voids an entry (a suspicious declaration, a roll error) with its reason;
    False if it was already void. A void entry is entitled to nothing."""
    require_council(db, actor_id)
    entry = _entry_for_update(db, entry_id)
    editable_cycle(db, entry.cycle_id)
    try:
        text = check_text(reason, VOID_REASON_MAX)
    except BudgetError as error:
        raise FieldErrors({"reason": error}) from None
    if entry.voided_at is not None:
        return False
    entry.voided_at, entry.void_reason, entry.updated_at = now, text, now
    db.add(entry)
    audit.append(
        db, now, actor=actor_id, action="roll.void", object=f"roll_entry:{entry_id}",
        details={"reason": text},
    )  # fmt: skip
    return True


def _entry_for_update(db: Session, entry_id: int) -> RollEntry:
    query = select(RollEntry).where(RollEntry.id == entry_id).with_for_update()
    entry = db.exec(query).first()
    if entry is None:
        raise NotFound(kind="roll entry", id=entry_id)
    return entry


# -- the district of choice ------------------------------------------------------------------


def choose_district(db: Session, entry_id: int, district_id: int, now: datetime) -> bool:
    """Fix the entry's district of choice (mode `choice`), as its first district ballot does;
    choosing the same district again changes nothing (False), another is refused
    (DistrictAlreadyChosen). The entry row is locked, so two first ballots cannot both fix."""
    entry = _entry_for_update(db, entry_id)
    cycle = db.get(Cycle, entry.cycle_id)
    assert cycle is not None  # noqa: S101 - the foreign key guarantees it
    district = db.get(District, district_id)
    if district is None or district.cycle_id != entry.cycle_id:
        raise FieldErrors({"district_id": InvalidChoice(choices="the districts of this cycle")})
    if not eligibility.check_choice(queries.rules_of(cycle), _facts(entry), district_id):
        return False
    entry.chosen_district_id, entry.district_chosen_at, entry.updated_at = district_id, now, now
    db.add(entry)
    audit.append(
        db, now, actor=entry.account_id, action="roll.choose-district",
        object=f"roll_entry:{entry_id}", details={"district": district_id},
    )  # fmt: skip
    return True


def _facts(entry: RollEntry) -> eligibility.EntryFacts:
    return queries.entry_view(entry).facts
