"""Public pages the council writes in Markdown: rules, FAQ, legal notice, privacy notice and
accessibility statement, one text per language, linked from every page's footer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import utc


class PublicPage(SQLModel, table=True):
    __tablename__ = "public_page"
    __table_args__ = (UniqueConstraint("slug", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=32)  # domain.pages.PageSlug
    language: str = Field(max_length=2)
    title: str = Field(max_length=120)
    body: str = Field(default="", sa_type=Text)  # Markdown, rendered through the sanitiser
    updated_at: datetime = utc()
    updated_by: int | None = Field(default=None, foreign_key="account.id")
