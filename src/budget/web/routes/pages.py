"""Public pages (rules, FAQ, legal notice, privacy, accessibility): read by anyone in the
page's language, written by the council in Markdown (rendered through the sanitiser, T11)."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from budget.db import queries
from budget.domain.pages import PageSlug
from budget.services import pages
from budget.web import i18n, transactions
from budget.web.caller import actor_id
from budget.web.forms import Form
from budget.web.i18n import N_
from budget.web.routing import COUNCIL, EVERYONE, Endpoint, route
from budget.web.templating import Templates

# The footer's links and each page's default title (the council's title replaces it).
PAGE_LABELS: Final = {
    PageSlug.RULES: N_("Rules of the participatory budget"),
    PageSlug.FAQ: N_("Frequently asked questions"),
    PageSlug.LEGAL: N_("Legal notice"),
    PageSlug.PRIVACY: N_("Privacy notice"),
    PageSlug.ACCESSIBILITY: N_("Accessibility statement"),
}
NOT_WRITTEN: Final = N_("This page has not been written yet.")


def render(request: Request, name: str, status: int = 200, **extra: Any) -> Response:
    templates: Templates = request.app.state.templates
    return templates.response(request, name, extra, status_code=status)


def _page(slug: PageSlug) -> Endpoint:
    async def page(request: Request) -> Response:
        found = await transactions.read(request, queries.public_page, slug.value,
                                        request.state.locale)  # fmt: skip
        return render(request, "public/page.html", 200 if found else 404, slug=slug, page=found,
                      label=PAGE_LABELS[slug], not_written=NOT_WRITTEN)  # fmt: skip

    return page


async def pages_admin(request: Request) -> Response:
    texts = await transactions.read(request, queries.page_texts)
    return render(request, "admin/pages.html", texts=texts, labels=PAGE_LABELS,
                  languages=i18n.LOCALES)  # fmt: skip


def _page_form(slug: PageSlug, language: str) -> Endpoint:
    async def page_form(request: Request) -> Response:
        texts = await transactions.read(request, queries.page_texts)
        current = texts.get((slug.value, language))
        form = Form(
            {"title": current.title if current else "", "body": current.body if current else ""}
        )
        return render(request, "admin/page_form.html", form=form, slug=slug, language=language,
                      label=PAGE_LABELS[slug])  # fmt: skip

    return page_form


def _save_page(slug: PageSlug, language: str) -> Endpoint:
    async def save_page(request: Request) -> Response:
        form = Form(await request.form())
        done = await transactions.attempt(
            request, form, pages.save_page, actor_id=actor_id(request), slug=slug.value,
            language=language, title=form.values.get("title", ""),
            body=form.values.get("body", ""),
        )  # fmt: skip
        if not done:
            return render(request, "admin/page_form.html", 422, form=form, slug=slug,
                          language=language, label=PAGE_LABELS[slug])  # fmt: skip
        return RedirectResponse("/admin/pages?notice=page-saved", status_code=303)

    return save_page


# One route per page and language (the pages are a fixed list): no path part to parse.
ROUTES = [
    *(
        route(f"/pages/{slug.value}", _page(slug), roles=EVERYONE, name=f"public_page_{slug.name}")
        for slug in PageSlug
    ),
    route("/admin/pages", pages_admin, roles=COUNCIL),
    *(
        row
        for slug in PageSlug
        for language in i18n.LOCALES
        for row in (
            route(
                f"/admin/pages/{slug.value}/{language}",
                _page_form(slug, language),
                roles=COUNCIL,
                name=f"page_form_{slug.name}_{language}",
            ),
            route(
                f"/admin/pages/{slug.value}/{language}",
                _save_page(slug, language),
                roles=COUNCIL,
                methods=["POST"],
                name=f"page_save_{slug.name}_{language}",
            ),
        )
    ),
]
