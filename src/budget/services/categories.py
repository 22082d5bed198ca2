"""Council administration of a cycle's proposal categories (Paris: environment, mobility,
schools...): a short code and a name in each language. A category some proposal uses cannot
be deleted (its proposals would lose it); an archived cycle is read-only.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from sqlalchemy import func
from sqlmodel import Session, select

from budget.db.tables import Category, Proposal
from budget.domain.errors import (
    BudgetError,
    CategoryCodeTaken,
    CategoryInUse,
    InvalidCode,
    NotFound,
    collect,
    raise_if_any,
)
from budget.domain.proposals import check_text
from budget.services import audit
from budget.services.cycles import editable_cycle, require_council

NAME_MAX: Final = 80
_CODE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,15}$")


def _normalised_code(code: str) -> str:
    cleaned = code.strip().lower()
    if not _CODE.match(cleaned):
        raise InvalidCode()
    return cleaned


def _code_taken(db: Session, cycle_id: int, code: str, category_id: int | None) -> bool:
    query = select(Category.id).where(Category.cycle_id == cycle_id, Category.code == code)
    found = db.exec(query).first()
    return found is not None and found != category_id


def _checked(
    db: Session, cycle_id: int, category_id: int | None, code: str, name_fr: str, name_en: str
) -> dict[str, str]:
    errors: dict[str, BudgetError] = {}
    collect(errors, "code", lambda: _normalised_code(code))
    collect(errors, "name_fr", lambda: check_text(name_fr, NAME_MAX))
    collect(errors, "name_en", lambda: check_text(name_en, NAME_MAX))
    if "code" not in errors and _code_taken(db, cycle_id, _normalised_code(code), category_id):
        errors["code"] = CategoryCodeTaken()
    raise_if_any(errors)
    return {"code": _normalised_code(code), "name_fr": name_fr.strip(), "name_en": name_en.strip()}


def _category(db: Session, category_id: int) -> Category:
    row = db.get(Category, category_id)
    if row is None:
        raise NotFound(kind="category", id=category_id)
    editable_cycle(db, row.cycle_id)
    return row


def create_category(
    db: Session, now: datetime, *, actor_id: int, cycle_id: int, code: str, name_fr: str,
    name_en: str,
) -> int:  # fmt: skip
    """A new category of the cycle."""
    require_council(db, actor_id)
    editable_cycle(db, cycle_id)
    values = _checked(db, cycle_id, None, code, name_fr, name_en)
    row = Category(
        cycle_id=cycle_id, code=values["code"], name_fr=values["name_fr"],
        name_en=values["name_en"],
    )  # fmt: skip
    db.add(row)
    db.flush()
    assert row.id is not None  # noqa: S101 - flush assigns the id
    audit.append(
        db, now, actor=actor_id, action="category.create", object=f"category:{row.id}",
        details={"cycle": cycle_id, **values},
    )  # fmt: skip
    return row.id


def update_category(
    db: Session, now: datetime, *, actor_id: int, category_id: int, code: str, name_fr: str,
    name_en: str,
) -> None:  # fmt: skip
    """Rename a category or change its code."""
    require_council(db, actor_id)
    row = _category(db, category_id)
    values = _checked(db, row.cycle_id, category_id, code, name_fr, name_en)
    changed = sorted(name for name, value in values.items() if getattr(row, name) != value)
    for name, value in values.items():
        setattr(row, name, value)
    db.add(row)
    audit.append(
        db, now, actor=actor_id, action="category.update", object=f"category:{category_id}",
        details={"changed": changed},
    )  # fmt: skip


def delete_category(db: Session, now: datetime, *, actor_id: int, category_id: int) -> None:
    """Delete a category no proposal (draft or not) uses."""
    require_council(db, actor_id)
    row = _category(db, category_id)
    query = select(func.count()).select_from(Proposal).where(Proposal.category_id == category_id)
    used = db.exec(query).one()
    if used:
        raise CategoryInUse(count=used)
    audit.append(
        db, now, actor=actor_id, action="category.delete", object=f"category:{category_id}",
        details={"cycle": row.cycle_id, "code": row.code},
    )  # fmt: skip
    db.delete(row)
    db.flush()
