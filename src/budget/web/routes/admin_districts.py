"""Council administration of a cycle's districts: the areas its district budgets are for (code
and name; each cycle has its own, so editing 2028's leaves 2027's alone), and their boundary
(GeoJSON, pasted or uploaded as a file): the map draws it, and the locations of district
proposals must lie inside it. A bad file comes back naming the problem (422)."""

from __future__ import annotations

from typing import Final

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import DistrictView
from budget.domain.errors import BadBoundary, FieldErrors
from budget.domain.geo import MAX_BOUNDARY_BYTES
from budget.services import budgets, cycles
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import TEXT_LIMIT, Form
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

FIELDS: Final = ("code", "name")


def read_district(form: Form) -> dict[str, str]:
    return {n: form.text(n, required=False, max_length=TEXT_LIMIT) or "" for n in FIELDS}


def listing(cycle_id: int, notice: str) -> str:
    return f"/admin/cycles/{cycle_id}/districts?notice={notice}"


async def districts_page(
    request: Request, cycle_id: int, form: Form, status_code: int = 200
) -> Response:
    cycle = await transactions.read(request, queries.get_cycle, cycle_id)
    districts = await transactions.read(request, queries.list_districts, cycle_id)
    context = {"cycle": cycle, "districts": districts, "form": form}
    return render(request, "admin/districts.html", context, status_code=status_code)


async def index(request: Request) -> Response:
    return await districts_page(request, loaders.loaded_id(request), Form({}))


async def create_district(request: Request) -> Response:
    cycle_id: int = loaders.loaded_id(request)
    form = Form(await request.form())
    values = read_district(form)
    if form.is_valid and await transactions.attempt(
        request,
        form,
        cycles.create_district,
        actor_id=actor_id(request),
        cycle_id=cycle_id,
        **values,
    ):
        return see_other(request, listing(cycle_id, "district-created"))
    return await districts_page(request, cycle_id, form, 422)


async def district_form_page(
    request: Request,
    district_id: int,
    *,
    form: Form | None = None,
    boundary_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    """The district's page: its code and name, and its boundary, each in a form of its own."""
    district = await transactions.read(request, queries.get_district, district_id)
    boundary = await transactions.read(request, queries.boundary_text, district_id)
    context = {
        "district": district,
        "form": form or Form({"code": district.code, "name": district.name}),
        "boundary_form": boundary_form or Form({"boundary": boundary or ""}),
        "has_boundary": boundary is not None,
    }
    return render(request, "admin/district_form.html", context, status_code=status_code)


async def edit_district_form(request: Request) -> Response:
    return await district_form_page(request, loaders.loaded(request, DistrictView).id)


async def update_district(request: Request) -> Response:
    district = loaders.loaded(request, DistrictView)
    district_id = district.id
    form = Form(await request.form())
    values = read_district(form)
    if form.is_valid and await transactions.attempt(
        request,
        form,
        cycles.update_district,
        actor_id=actor_id(request),
        district_id=district_id,
        **values,
    ):
        return see_other(request, listing(district.cycle_id, "district-saved"))
    return await district_form_page(request, district.id, form=form, status_code=422)


async def _uploaded_boundary(request: Request) -> tuple[Form, str | None]:
    """The form, and the GeoJSON from the file if one was chosen, else from the text area;
    None when both are empty (an error is then recorded)."""
    async with request.form() as data:  # closes the uploaded file's spool on exit
        form = Form(data)
        upload = data.get("boundary_file")
        content = None
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(MAX_BOUNDARY_BYTES + 1)
    if content is not None:
        try:
            return form, content.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_service_error(FieldErrors({"boundary": BadBoundary(problem="not-json")}))
            return form, None
    text = form.text("boundary", max_length=MAX_BOUNDARY_BYTES, multiline=True)
    return form, text


async def district_boundary(request: Request) -> Response:
    """Save the uploaded boundary, or remove it (the `remove` button)."""
    district = loaders.loaded(request, DistrictView)  # 404 before reading the file
    district_id = district.id
    form, geojson = await _uploaded_boundary(request)
    if form.values.get("remove") == "1":
        form, geojson = Form({}), None  # removing: whatever was typed does not matter
    elif geojson is None:
        return await district_form_page(request, district_id, boundary_form=form, status_code=422)
    if await transactions.attempt(
        request,
        form,
        budgets.set_district_boundary,
        actor_id=actor_id(request),
        district_id=district_id,
        geojson=geojson,
    ):
        return see_other(request, listing(district.cycle_id, "district-saved"))
    return await district_form_page(request, district_id, boundary_form=form, status_code=422)


DISTRICT = "/admin/districts/{district_id:id}/edit"
ROUTES = [
    route(
        "/admin/cycles/{cycle_id:id}/districts",
        index,
        roles=COUNCIL,
        loader=loaders.cycle,
        name="admin_districts",
    ),
    route(
        "/admin/cycles/{cycle_id:id}/districts",
        create_district,
        loader=loaders.cycle,
        roles=COUNCIL,
        methods=["POST"],
        name="district_create",
    ),
    route(DISTRICT, edit_district_form, roles=COUNCIL, loader=loaders.district),
    route(
        DISTRICT,
        update_district,
        roles=COUNCIL,
        methods=["POST"],
        name="district_update",
        loader=loaders.district,
    ),
    route(
        "/admin/districts/{district_id:id}/boundary",
        district_boundary,
        roles=COUNCIL,
        methods=["POST"],
        loader=loaders.district,
    ),
]
