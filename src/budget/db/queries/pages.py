"""Public pages, as view models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from budget.db.tables import PublicPage


@dataclass(frozen=True)
class PageView:
    slug: str
    language: str
    title: str
    body: str
    updated_at: datetime


def _view(row: PublicPage) -> PageView:
    return PageView(row.slug, row.language, row.title, row.body, row.updated_at)


def public_page(db: Session, slug: str, language: str) -> PageView | None:
    """The page in `language`, else in the other language, else None (not written yet)."""
    rows = db.exec(select(PublicPage).where(PublicPage.slug == slug)).all()
    by_language = {row.language: row for row in rows}
    row = by_language.get(language) or next(iter(sorted(rows, key=lambda r: r.language)), None)
    return _view(row) if row is not None else None


def page_texts(db: Session) -> dict[tuple[str, str], PageView]:
    """Every written page text by (slug, language), for the council's list."""
    return {(row.slug, row.language): _view(row) for row in db.exec(select(PublicPage)).all()}
