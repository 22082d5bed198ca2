"""Council administration of a cycle's proposal categories: list, add, edit, delete.

A category proposals use cannot be deleted (409, said on the page); bad input comes back in the
form (422) with a message next to each field, nothing written.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.domain.errors import BudgetError
from budget.services import categories
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.errors import status_for
from budget.web.forms import TEXT_LIMIT, Form
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

FIELDS: Final = ("code", "name_fr", "name_en")


def read_category(form: Form) -> dict[str, str]:
    return {n: form.text(n, required=False, max_length=TEXT_LIMIT) or "" for n in FIELDS}


async def categories_page(
    request: Request, cycle_id: int, form: Form, status_code: int = 200
) -> Response:
    cycle = await transactions.read(request, queries.get_cycle, cycle_id)
    listed = await transactions.read(request, queries.list_categories, cycle_id)
    context = {"cycle": cycle, "categories": listed, "form": form}
    return render(request, "admin/categories.html", context, status_code=status_code)


async def admin_categories(request: Request) -> Response:
    return await categories_page(request, request.path_params["cycle_id"], Form({}))


async def category_create(request: Request) -> Response:
    cycle_id: int = request.path_params["cycle_id"]
    form = Form(await request.form())
    values = read_category(form)
    status = 422
    if form.is_valid:
        try:
            await transactions.perform(
                request,
                categories.create_category,
                actor_id=actor_id(request),
                cycle_id=cycle_id,
                **values,
            )
        except BudgetError as error:
            form.add_service_error(error)
            status = status_for(error)
        else:
            path = f"/admin/cycles/{cycle_id}/categories?notice=category-created"
            return see_other(request, path)
    return await categories_page(request, cycle_id, form, status)


async def edit_category_form(request: Request) -> Response:
    category = await transactions.read(
        request, queries.get_category, request.path_params["category_id"]
    )
    cycle = await transactions.read(request, queries.get_cycle, category.cycle_id)
    form = Form({n: getattr(category, n) for n in FIELDS})
    context = {"form": form, "category": category, "cycle": cycle}
    return render(request, "admin/categories_form.html", context)


async def category_update(request: Request) -> Response:
    category = await transactions.read(
        request, queries.get_category, request.path_params["category_id"]
    )
    form = Form(await request.form())
    values = read_category(form)
    status = 422
    if form.is_valid:
        try:
            await transactions.perform(
                request,
                categories.update_category,
                actor_id=actor_id(request),
                category_id=category.id,
                **values,
            )
        except BudgetError as error:
            form.add_service_error(error)
            status = status_for(error)
        else:
            path = f"/admin/cycles/{category.cycle_id}/categories?notice=category-saved"
            return see_other(request, path)
    cycle = await transactions.read(request, queries.get_cycle, category.cycle_id)
    context = {"form": form, "category": category, "cycle": cycle}
    return render(request, "admin/categories_form.html", context, status_code=status)


async def category_delete(request: Request) -> Response:
    category = await transactions.read(
        request, queries.get_category, request.path_params["category_id"]
    )
    try:
        await transactions.perform(
            request, categories.delete_category, actor_id=actor_id(request), category_id=category.id
        )
    except BudgetError as error:
        form = Form({})
        form.add_service_error(error)
        return await categories_page(request, category.cycle_id, form, status_for(error))
    path = f"/admin/cycles/{category.cycle_id}/categories?notice=category-deleted"
    return see_other(request, path)


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
