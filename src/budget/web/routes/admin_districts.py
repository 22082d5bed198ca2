"""Council administration of districts: the areas district budgets are for (code and name)."""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.domain.errors import BudgetError
from budget.services import cycles
from budget.web import transactions
from budget.web.forms import Form
from budget.web.routes.admin import TEXT_LIMIT, actor_id
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

FIELDS: Final = ("code", "name")


def read_district(form: Form) -> dict[str, str]:
    return {n: form.text(n, required=False, max_length=TEXT_LIMIT) or "" for n in FIELDS}


async def districts_page(request: Request, form: Form, status_code: int = 200) -> Response:
    districts = await transactions.read(request, queries.list_districts)
    context = {"districts": districts, "form": form}
    return render(request, "admin/districts.html", context, status_code=status_code)


async def index(request: Request) -> Response:
    return await districts_page(request, Form({}))


async def create_district(request: Request) -> Response:
    form = Form(await request.form())
    values = read_district(form)
    if form.is_valid:
        try:
            await transactions.perform(
                request, cycles.create_district, actor_id=actor_id(request), **values
            )
        except BudgetError as error:
            form.add_service_error(error)
        else:
            return see_other(request, "/admin/districts?notice=district-created")
    return await districts_page(request, form, 422)


async def edit_district_form(request: Request) -> Response:
    district = await transactions.read(
        request, queries.get_district, request.path_params["district_id"]
    )
    form = Form({"code": district.code, "name": district.name})
    return render(request, "admin/district_form.html", {"form": form, "district": district})


async def update_district(request: Request) -> Response:
    district_id: int = request.path_params["district_id"]
    district = await transactions.read(request, queries.get_district, district_id)
    form = Form(await request.form())
    values = read_district(form)
    if form.is_valid:
        try:
            await transactions.perform(
                request,
                cycles.update_district,
                actor_id=actor_id(request),
                district_id=district_id,
                **values,
            )
        except BudgetError as error:
            form.add_service_error(error)
        else:
            return see_other(request, "/admin/districts?notice=district-saved")
    context = {"form": form, "district": district}
    return render(request, "admin/district_form.html", context, status_code=422)


DISTRICT = "/admin/districts/{district_id:int}/edit"
ROUTES = [
    route("/admin/districts", index, roles=COUNCIL, name="admin_districts"),
    route(
        "/admin/districts",
        create_district,
        roles=COUNCIL,
        methods=["POST"],
        name="district_create",
    ),
    route(DISTRICT, edit_district_form, roles=COUNCIL),
    route(DISTRICT, update_district, roles=COUNCIL, methods=["POST"], name="district_update"),
]
