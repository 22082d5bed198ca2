"""Officers at a polling place (PRODUCT.md "Paper ballots (urns)"; T1, T2, T7, T9).

Every page naming a place or batch exists for the officer only at that place during their shift
(loaders.officer_place / officer_batch: 403 naming the next shift otherwise). Check-in finds the
person by name and birth date, or by the mailed letter's code, and records the paper
participation in the budgets chosen; double entry shows each officer their own side only and,
once both sides are complete, the differences to correct. No count of choices is shown (T9).
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import BatchPage, Candidate, PlacePage
from budget.domain.ballots import BallotType
from budget.domain.errors import BudgetError, FieldErrors, ReadingSyntax
from budget.domain.polling import BATCH_MAX
from budget.services import polling
from budget.services.polling import Reading
from budget.web import loaders, paper_forms, transactions
from budget.web.caller import actor_id
from budget.web.forms import TEXT_LIMIT, Form
from budget.web.routing import Access, route
from budget.web.templating import render, see_other

OFFICER: Final[frozenset[Access]] = frozenset({"officer"})
NAME_MAX: Final = 120
# The on-the-spot declaration's fields, prefixed on the page (the search form has a birth date)
DECLARED_FIELDS: Final = ("given_name", "family_name", "birth_date", "district_id")


async def officer_home(request: Request) -> Response:
    """The officer's shifts, with their places (open any time: it says where and when)."""
    mine = await transactions.read(request, queries.shifts, account_id=actor_id(request))
    return render(request, "polling/home.html", {"shifts": mine})


async def place_home(request: Request) -> Response:
    page = loaders.loaded(request, PlacePage)
    return render(request, "polling/place.html", {"page": page, "form": Form({})})


# -- check-in ------------------------------------------------------------------------------------


async def _check_in_context(
    request: Request,
    page: PlacePage,
    *,
    search: Form,
    found: tuple[Candidate, ...] | None,
    **extra: Any,
) -> dict[str, Any]:
    districts = await transactions.read(request, queries.list_districts, page.place.cycle_id)
    return {
        "page": page, "search": search, "found": found, "form": Form({}),
        "declare_form": Form({}), "code_form": Form({}), "districts": districts, **extra,
    }  # fmt: skip


async def check_in_page(request: Request) -> Response:
    page = loaders.loaded(request, PlacePage)
    search = Form(dict(request.query_params))
    found = None
    if search.values.get("name") or search.values.get("birth_date"):
        name = search.text("name", required=False, max_length=NAME_MAX) or ""
        birth = search.date("birth_date")
        if search.is_valid and birth is not None:
            found = await transactions.read(
                request, queries.candidates, page.place.id, name=name, birth_date=birth
            )
    context = await _check_in_context(request, page, search=search, found=found)
    return render(request, "polling/check_in.html", context, status_code=search.status
                  if not search.is_valid else 200)  # fmt: skip


async def check_in_submit(request: Request) -> Response:
    page = loaders.loaded(request, PlacePage)
    form = Form(await request.form())
    entry_id = form.integer("entry_id", minimum=1, maximum=2**63 - 1)
    if entry_id is not None and await transactions.attempt(
        request, form, polling.check_in, officer_id=actor_id(request), place_id=page.place.id,
        entry_id=entry_id, budget_ids=form.ids("budget"),
    ):  # fmt: skip
        return see_other(request, f"/officer/places/{page.place.id}/check-in?notice=checked-in")
    context = await _check_in_context(request, page, search=Form({}), found=None, form=form)
    return render(request, "polling/check_in.html", context, status_code=form.status)


async def check_in_code(request: Request) -> Response:
    """The mailed letter's code typed: the entry it belongs to, ready to check in."""
    page = loaders.loaded(request, PlacePage)
    code_form = Form(await request.form())
    typed = code_form.text("code", max_length=64)
    found: tuple[Candidate, ...] | None = None
    if typed is not None:
        result = await transactions.attempt(
            request, code_form, polling.find_by_code, officer_id=actor_id(request),
            place_id=page.place.id, typed=typed, key=request.app.state.code_key,
        )  # fmt: skip
        if result is not None and isinstance(result.value, BudgetError):
            code_form.add_service_error(FieldErrors({"code": result.value}))
        elif result is not None and isinstance(result.value, int):
            entry = await transactions.read(request, queries.get_entry, result.value)
            found = (await transactions.read(request, queries.candidate, page.place, entry),)
    context = await _check_in_context(
        request, page, search=Form({}), found=found, code_form=code_form
    )
    return render(request, "polling/check_in.html", context,
                  status_code=200 if code_form.is_valid else code_form.status)  # fmt: skip


async def declare_submit(request: Request) -> Response:
    """Declared mode: a person not yet known becomes a new declared entry, then is found."""
    page = loaders.loaded(request, PlacePage)
    form = Form(await request.form())
    form.renames = {name: f"new_{name}" for name in DECLARED_FIELDS}
    given = form.text("new_given_name", max_length=NAME_MAX)
    family = form.text("new_family_name", max_length=NAME_MAX)
    birth = form.date("new_birth_date")
    district = form.integer("new_district_id", minimum=1, maximum=2**63 - 1)
    if form.is_valid and await transactions.attempt(
        request, form, polling.declare_at_place, officer_id=actor_id(request),
        place_id=page.place.id, given_name=given or "", family_name=family or "",
        birth_date=birth, district_id=district,
    ):  # fmt: skip
        assert birth is not None  # noqa: S101 - the form read it
        query = urlencode(
            {"notice": "entry-declared", "name": family, "birth_date": birth.isoformat()}
        )
        return see_other(request, f"/officer/places/{page.place.id}/check-in?{query}")
    context = await _check_in_context(request, page, search=Form({}), found=None,
                                      declare_form=form)  # fmt: skip
    return render(request, "polling/check_in.html", context, status_code=form.status)


# -- batches and double entry ----------------------------------------------------------------------


async def batch_open(request: Request) -> Response:
    page = loaders.loaded(request, PlacePage)
    form = Form(await request.form())
    budget_id = form.integer("budget_id", minimum=1, maximum=2**63 - 1)
    size = form.integer("size", minimum=1, maximum=BATCH_MAX)
    done = None
    if form.is_valid and budget_id is not None and size is not None:
        done = await transactions.attempt(
            request, form, polling.open_batch, officer_id=actor_id(request),
            place_id=page.place.id, budget_id=budget_id, size=size,
        )  # fmt: skip
    if done is not None:
        return see_other(request, f"/officer/batches/{done.value}?notice=batch-opened")
    return render(request, "polling/place.html", {"page": page, "form": form},
                  status_code=form.status)  # fmt: skip


def _readings(form: Form, page: BatchPage) -> dict[int, Reading]:
    cumulative = page.ballot_type == BallotType.CUMULATIVE.value
    found: dict[int, Reading] = {}
    for number in range(1, page.batch.size + 1):
        if number in page.mine:
            continue
        name = paper_forms.field_name(number)
        text = form.text(name, required=False, max_length=TEXT_LIMIT) or ""
        try:
            reading = paper_forms.parse_reading(text, cumulative=cumulative)
        except ReadingSyntax as error:
            form.add_service_error(FieldErrors({name: error}))
            continue
        if reading is not None:
            found[number] = reading
    return found


async def batch_page(request: Request) -> Response:
    page = loaders.loaded(request, BatchPage)
    return render(request, "polling/batch.html", {"page": page, "form": Form({})})


async def batch_enter(request: Request) -> Response:
    page = loaders.loaded(request, BatchPage)
    form = Form(await request.form())
    readings = _readings(form, page)
    if form.is_valid and await transactions.attempt(
        request, form, polling.enter_batch, officer_id=actor_id(request),
        batch_id=page.batch.id, readings=readings,
    ):  # fmt: skip
        return see_other(request, f"/officer/batches/{page.batch.id}?notice=batch-entered")
    return render(request, "polling/batch.html", {"page": page, "form": form},
                  status_code=form.status)  # fmt: skip


async def batch_correct(request: Request) -> Response:
    page = loaders.loaded(request, BatchPage)
    form = Form(await request.form())
    number = form.integer("number", minimum=1, maximum=page.batch.size)
    reading = None
    if number is not None:
        name = paper_forms.field_name(number)
        form.renames = {name: "reading"}
        try:
            reading = paper_forms.parse_reading(
                form.text("reading", max_length=TEXT_LIMIT) or "",
                cumulative=page.ballot_type == BallotType.CUMULATIVE.value,
            )
        except ReadingSyntax as error:
            form.add_service_error(FieldErrors({"reading": error}))
    if form.is_valid and number is not None and reading is not None:
        done = await transactions.attempt(
            request, form, polling.correct_entry, officer_id=actor_id(request),
            batch_id=page.batch.id, number=number, reading=reading,
        )  # fmt: skip
        if done is not None:
            notice = "batch-accepted" if done.value else "entry-corrected"
            return see_other(request, f"/officer/batches/{page.batch.id}?notice={notice}")
    return render(request, "polling/batch.html", {"page": page, "form": form},
                  status_code=form.status)  # fmt: skip


PLACE: Final = "/officer/places/{place_id:id}"
BATCH: Final = "/officer/batches/{batch_id:id}"
ROUTES = [
    route("/officer", officer_home, roles=OFFICER, name="officer_home"),
    route(PLACE, place_home, roles=OFFICER, loader=loaders.officer_place, name="officer_place"),
    route(f"{PLACE}/check-in", check_in_page, roles=OFFICER, loader=loaders.officer_place,
          name="check_in_page"),
    route(f"{PLACE}/check-in", check_in_submit, roles=OFFICER, loader=loaders.officer_place,
          methods=["POST"], name="check_in_submit"),
    route(f"{PLACE}/check-in/code", check_in_code, roles=OFFICER, loader=loaders.officer_place,
          methods=["POST"], name="check_in_code"),
    route(f"{PLACE}/declare", declare_submit, roles=OFFICER, loader=loaders.officer_place,
          methods=["POST"], name="officer_declare"),
    route(f"{PLACE}/batches", batch_open, roles=OFFICER, loader=loaders.officer_place,
          methods=["POST"], name="batch_open"),
    route(BATCH, batch_page, roles=OFFICER, loader=loaders.officer_batch, name="batch_page"),
    route(BATCH, batch_enter, roles=OFFICER, loader=loaders.officer_batch, methods=["POST"],
          name="batch_enter"),
    route(f"{BATCH}/correct", batch_correct, roles=OFFICER, loader=loaders.officer_batch,
          methods=["POST"], name="batch_correct"),
]  # fmt: skip
