"""Public pages: the council writes each page's text per language (audited)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import PublicPage
from budget.domain import pages as rules
from budget.domain.accounts import Role, check_language
from budget.domain.errors import PermissionDenied
from budget.services import audit


def save_page(
    db: Session, now: datetime, *, actor_id: int, slug: str, language: str, title: str,
    body: str,
) -> None:  # fmt: skip
    """Create or replace the page's text in one language (council only)."""
    if not queries.has_role(db, actor_id, Role.COUNCIL):
        raise PermissionDenied(role=Role.COUNCIL.value)
    page = rules.check_slug(slug)
    lang = check_language(language)
    clean_title, clean_body = rules.check_page(title, body)
    row = db.exec(
        select(PublicPage).where(PublicPage.slug == page.value, PublicPage.language == lang.value)
    ).first()
    if row is None:
        row = PublicPage(slug=page.value, language=lang.value, title=clean_title)
    row.title, row.body, row.updated_at, row.updated_by = clean_title, clean_body, now, actor_id
    db.add(row)
    audit.append(
        db, now, actor=actor_id, action="page.save", object=f"page:{page.value}",
        details={"language": lang.value},
    )  # fmt: skip
