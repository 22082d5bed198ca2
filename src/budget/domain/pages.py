"""Public pages the council writes (PRODUCT.md "Accounts and identity"): the rules of the
participatory budget, FAQ, legal notice, privacy notice and accessibility statement (RGAA
requires one), one text per language, in Markdown rendered through the same sanitiser as
proposals (T11)."""

from __future__ import annotations

from enum import StrEnum

from budget.domain.errors import BudgetError, InvalidChoice, collect, raise_if_any
from budget.domain.proposals import check_text

TITLE_MAX = 120
BODY_MAX = 50_000


class PageSlug(StrEnum):
    RULES = "rules"
    FAQ = "faq"
    LEGAL = "legal"
    PRIVACY = "privacy"
    ACCESSIBILITY = "accessibility"


def check_slug(value: str) -> PageSlug:
    try:
        return PageSlug(value)
    except ValueError:
        raise InvalidChoice(choices=", ".join(PageSlug)) from None


def check_page(title: str, body: str) -> tuple[str, str]:
    """A title of 1..120 characters and a Markdown body of 1..50,000; FieldErrors names
    each field that fails."""
    errors: dict[str, BudgetError] = {}
    collect(errors, "title", lambda: check_text(title, TITLE_MAX))
    collect(errors, "body", lambda: check_text(body, BODY_MAX))
    raise_if_any(errors)
    return title.strip(), body.strip()
