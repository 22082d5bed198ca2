"""Council administration of a cycle's proposal categories: list, add, edit, delete.

A category proposals use cannot be deleted (409, said on the page); bad input comes back in the
form (422) with a message next to each field, nothing written.
"""

from __future__ import annotations

from typing import Any, Final

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import CategoryView, CycleView
from budget.services import categories
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import TEXT_LIMIT, Form
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

FIELDS: Final = ("code", "name_fr", "name_en")


def read_category(form: Form) -> dict[str, str]:
    return {n: form.text(n, required=False, max_length=TEXT_LIMIT) or "" for n in FIELDS}


def _page_reads(db: Session, cycle_id: int) -> dict[str, Any]:
    return {
        "cycle": queries.get_cycle(db, cycle_id),
        "categories": queries.list_categories(db, cycle_id),
    }


async def categories_page(
    request: Request, cycle_id: int, form: Form, status_code: int = 200
) -> Response:
    context = await transactions.read(request, _page_reads, cycle_id)
    context["form"] = form
    return render(request, "admin/categories.html", context, status_code=status_code)


async def admin_categories(request: Request) -> Response:
    return await categories_page(request, loaders.loaded(request, CycleView).id, Form({}))


async def category_create(request: Request) -> Response:
    cycle_id = loaders.loaded(request, CycleView).id
    form = Form(await request.form())
    values = read_category(form)
    if form.is_valid and await transactions.attempt(
        request, form, categories.create_category, actor_id=actor_id(request), cycle_id=cycle_id,
        **values,
    ):  # fmt: skip
        path = f"/admin/cycles/{cycle_id}/categories?notice=category-created"
        return see_other(request, path)
    return await categories_page(request, cycle_id, form, form.status)


async def _form_page(request: Request, form: Form, status_code: int = 200) -> Response:
    category = loaders.loaded(request, CategoryView)
    cycle = await transactions.read(request, queries.get_cycle, category.cycle_id)
    context = {"form": form, "category": category, "cycle": cycle}
    return render(request, "admin/categories_form.html", context, status_code=status_code)


async def edit_category_form(request: Request) -> Response:
    category = loaders.loaded(request, CategoryView)
    return await _form_page(request, Form({n: getattr(category, n) for n in FIELDS}))


async def category_update(request: Request) -> Response:
    category = loaders.loaded(request, CategoryView)
    form = Form(await request.form())
    values = read_category(form)
    if form.is_valid and await transactions.attempt(
        request, form, categories.update_category, actor_id=actor_id(request),
        category_id=category.id, **values,
    ):  # fmt: skip
        path = f"/admin/cycles/{category.cycle_id}/categories?notice=category-saved"
        return see_other(request, path)
    return await _form_page(request, form, form.status)


async def category_delete(request: Request) -> Response:
    category = loaders.loaded(request, CategoryView)
    form = Form(await request.form())
    if await transactions.attempt(
        request, form, categories.delete_category, actor_id=actor_id(request),
        category_id=category.id,
    ):  # fmt: skip
        path = f"/admin/cycles/{category.cycle_id}/categories?notice=category-deleted"
        return see_other(request, path)
    return await categories_page(request, category.cycle_id, form, form.status)


CATEGORY = "/admin/categories/{category_id:id}"
ROUTES = [
    route(
        "/admin/cycles/{cycle_id:id}/categories",
        admin_categories,
        roles=COUNCIL,
        loader=loaders.cycle,
    ),
    route(
        "/admin/cycles/{cycle_id:id}/categories",
        category_create,
        roles=COUNCIL,
        methods=["POST"],
        loader=loaders.cycle,
    ),
    route(CATEGORY + "/edit", edit_category_form, roles=COUNCIL, loader=loaders.category),
    route(
        CATEGORY + "/edit",
        category_update,
        roles=COUNCIL,
        methods=["POST"],
        loader=loaders.category,
    ),
    route(
        CATEGORY + "/delete",
        category_delete,
        roles=COUNCIL,
        methods=["POST"],
        loader=loaders.category,
    ),
]
