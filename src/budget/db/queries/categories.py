"""Proposal categories of a cycle, as view models."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.rows import id_of
from budget.db.tables import Category, Proposal
from budget.domain.errors import NotFound


@dataclass(frozen=True)
class CategoryView:
    id: int
    cycle_id: int
    code: str
    name_fr: str
    name_en: str
    proposals: int  # how many proposals (drafts included) use it: such a category stays


def _counts(db: Session, cycle_id: int) -> dict[int, int]:
    query = (
        select(Proposal.category_id, func.count())
        .where(Proposal.cycle_id == cycle_id)
        .where(col(Proposal.category_id).is_not(None))
        .group_by(col(Proposal.category_id))
    )
    return {category: count for category, count in db.exec(query).all() if category is not None}


def _view(row: Category, count: int) -> CategoryView:
    assert row.id is not None  # noqa: S101 - rows read back always carry their id
    return CategoryView(
        id=row.id, cycle_id=row.cycle_id, code=row.code, name_fr=row.name_fr,
        name_en=row.name_en, proposals=count,
    )  # fmt: skip


def list_categories(db: Session, cycle_id: int) -> tuple[CategoryView, ...]:
    """The cycle's categories, by code."""
    rows = db.exec(
        select(Category).where(Category.cycle_id == cycle_id).order_by(col(Category.code))
    ).all()
    counts = _counts(db, cycle_id)
    return tuple(_view(row, counts.get(id_of(row), 0)) for row in rows)


def get_category(db: Session, category_id: int) -> CategoryView:
    row = db.get(Category, category_id)
    if row is None:
        raise NotFound(kind="category", id=category_id)
    return _view(row, _counts(db, row.cycle_id).get(category_id, 0))
