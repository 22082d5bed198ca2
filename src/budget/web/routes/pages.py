"""Public pages (rules, FAQ, legal notice, privacy, accessibility): read by anyone in the
page's language, written by the council in Markdown (rendered through the sanitiser, T11)."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from budget.db import queries
from budget.domain.pages import PageSlug
from budget.services import pages
from budget.web import auth, errors, i18n, transactions
from budget.web.forms import Form
from budget.web.i18n import N_
from budget.web.routing import COUNCIL, EVERYONE, route
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


def _slug(request: Request) -> PageSlug | None:
    try:
        return PageSlug(request.path_params["slug"])
    except ValueError:
        return None


async def page(request: Request) -> Response:
    slug = _slug(request)
    if slug is None:
        return errors.page(request, 404, errors.NOT_FOUND)
    found = await transactions.read(request, queries.public_page, slug.value,
                                    request.state.locale)  # fmt: skip
    return render(request, "public/page.html", 200 if found else 404, slug=slug, page=found,
                  label=PAGE_LABELS[slug], not_written=NOT_WRITTEN)  # fmt: skip


async def pages_admin(request: Request) -> Response:
    texts = await transactions.read(request, queries.page_texts)
    return render(request, "admin/pages.html", texts=texts, labels=PAGE_LABELS,
                  languages=i18n.LOCALES)  # fmt: skip


def _edit(request: Request) -> tuple[PageSlug, str] | None:
    slug, language = _slug(request), request.path_params["language"]
    if slug is None or language not in i18n.LOCALES:
        return None
    return slug, language


async def page_form(request: Request) -> Response:
    target = _edit(request)
    if target is None:
        return errors.page(request, 404, errors.NOT_FOUND)
    slug, language = target
    texts = await transactions.read(request, queries.page_texts)
    current = texts.get((slug.value, language))
    form = Form(
        {"title": current.title if current else "", "body": current.body if current else ""}
    )
    return render(request, "admin/page_form.html", form=form, slug=slug, language=language,
                  label=PAGE_LABELS[slug])  # fmt: skip


async def save_page(request: Request) -> Response:
    target = _edit(request)
    if target is None:
        return errors.page(request, 404, errors.NOT_FOUND)
    slug, language = target
    form = Form(await request.form())
    visitor: auth.Visitor = request.state.visitor
    assert visitor.account is not None  # noqa: S101 (council only)
    done = await transactions.attempt(
        request, form, pages.save_page, actor_id=visitor.account.id, slug=slug.value,
        language=language, title=form.values.get("title", ""), body=form.values.get("body", ""),
    )  # fmt: skip
    if not done:
        return render(request, "admin/page_form.html", 422, form=form, slug=slug,
                      language=language, label=PAGE_LABELS[slug])  # fmt: skip
    return RedirectResponse("/admin/pages?notice=page-saved", status_code=303)


ROUTES = [
    route("/pages/{slug}", page, roles=EVERYONE, name="public_page"),
    route("/admin/pages", pages_admin, roles=COUNCIL),
    route("/admin/pages/{slug}/{language}", page_form, roles=COUNCIL),
    route(
        "/admin/pages/{slug}/{language}",
        save_page,
        roles=COUNCIL,
        methods=["POST"],
        name="page_save",
    ),
]
