"""Public pages: which exist, and what a page's text must be."""

from __future__ import annotations

import pytest

from budget.domain.errors import FieldErrors, InvalidChoice
from budget.domain.pages import BODY_MAX, PageSlug, check_page, check_slug


def test_the_five_pages() -> None:
    assert [p.value for p in PageSlug] == ["rules", "faq", "legal", "privacy", "accessibility"]
    assert check_slug("faq") is PageSlug.FAQ
    with pytest.raises(InvalidChoice):
        check_slug("blog")


def test_a_page_has_a_title_and_a_bounded_body() -> None:
    assert check_page("  FAQ ", " **Hi** ") == ("FAQ", "**Hi**")
    with pytest.raises(FieldErrors) as caught:
        check_page("", "x" * (BODY_MAX + 1))
    assert {k: v.code for k, v in caught.value.fields.items()} == {
        "title": "field.required",
        "body": "field.too-long",
    }
