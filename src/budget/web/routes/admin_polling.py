"""Council administration of polling places (PRODUCT.md "Paper ballots (urns)"; T1, T9).

A cycle's places with the reconciliation of each budget (check-ins against accepted paper
ballots, blank and invalid; the council's, not the officers'), a place's shifts and batches, and
voiding a batch with the explanation so that it is entered again.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import BatchView, CycleView, PlaceReport
from budget.services import polling
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import TEXT_LIMIT, Form
from budget.web.messages import MESSAGES, Message
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other


async def _places_context(request: Request, cycle: CycleView, **extra: Any) -> dict[str, Any]:
    places = await transactions.read(request, queries.cycle_places, cycle.id)
    reports = [await transactions.read(request, queries.place_report, p.id) for p in places]
    budgets = await transactions.read(request, queries.list_budgets, cycle.id)
    found = await transactions.read(request, polling.close_blockers, cycle.id)
    blockers = [(b, Message(MESSAGES[b.code], dict(b.params))) for b in found]
    return {
        "cycle": cycle, "reports": reports, "budgets": budgets, "blockers": blockers,
        "form": Form({}), **extra,
    }  # fmt: skip


async def places_page(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    return render(request, "admin/polling.html", await _places_context(request, cycle))


async def place_create(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    form = Form(await request.form())
    name = form.text("name", max_length=TEXT_LIMIT)
    address = form.text("address", required=False, max_length=TEXT_LIMIT, multiline=True)
    form.renames = {"budget_ids": "budget"}
    if form.is_valid:
        done = await transactions.attempt(
            request, form, polling.create_place, actor_id=actor_id(request), cycle_id=cycle.id,
            name=name or "", address=address or "", budget_ids=form.ids("budget"),
        )  # fmt: skip
        if done is not None:
            return see_other(request, f"/admin/polling/{done.value}?notice=place-created")
    context = await _places_context(request, cycle, form=form)
    return render(request, "admin/polling.html", context, status_code=form.status)


async def _place_context(request: Request, report: PlaceReport, **extra: Any) -> dict[str, Any]:
    officers = await transactions.read(request, queries.officer_accounts)
    return {
        "report": report,
        "officers": officers,
        "form": Form({}),
        "void_form": Form({}),
        "void_batch": None,
        **extra,
    }


async def place_page(request: Request) -> Response:
    report = loaders.loaded(request, PlaceReport)
    return render(request, "admin/polling_place.html", await _place_context(request, report))


async def shift_add(request: Request) -> Response:
    report = loaders.loaded(request, PlaceReport)
    form = Form(await request.form())
    zone = report.page.time_zone
    account = form.integer("account_id", minimum=1, maximum=2**63 - 1)
    starts = form.local_datetime("starts_at", zone)
    ends = form.local_datetime("ends_at", zone)
    if form.is_valid and account is not None and starts is not None and ends is not None:
        form.placed = {"polling.not-officer": "account_id", "polling.shift-order": "ends_at"}
        done = await transactions.attempt(
            request, form, polling.add_shift, actor_id=actor_id(request),
            place_id=report.page.place.id, account_id=account, starts_at=starts, ends_at=ends,
        )  # fmt: skip
        if done is not None:
            path = f"/admin/polling/{report.page.place.id}?notice=shift-added"
            return see_other(request, path)
    context = await _place_context(request, report, form=form)
    return render(request, "admin/polling_place.html", context, status_code=form.status)


async def batch_void(request: Request) -> Response:
    batch = loaders.loaded(request, BatchView)
    form = Form(await request.form())
    reason = form.text("reason", max_length=TEXT_LIMIT)
    if form.is_valid and await transactions.attempt(
        request, form, polling.void_batch, actor_id=actor_id(request), batch_id=batch.id,
        reason=reason or "",
    ):  # fmt: skip
        return see_other(request, f"/admin/polling/{batch.place_id}?notice=batch-voided")
    report = await transactions.read(request, queries.place_report, batch.place_id)
    context = await _place_context(request, report, void_form=form, void_batch=batch.id)
    return render(request, "admin/polling_place.html", context, status_code=form.status)


PLACES: Final = "/admin/cycles/{cycle_id:id}/polling"
PLACE: Final = "/admin/polling/{place_id:id}"
ROUTES = [
    route(PLACES, places_page, roles=COUNCIL, loader=loaders.cycle, name="admin_polling"),
    route(PLACES, place_create, roles=COUNCIL, loader=loaders.cycle, methods=["POST"],
          name="polling_place_create"),
    route(PLACE, place_page, roles=COUNCIL, loader=loaders.polling_place,
          name="admin_polling_place"),
    route(f"{PLACE}/shifts", shift_add, roles=COUNCIL, loader=loaders.polling_place,
          methods=["POST"], name="shift_add"),
    route("/admin/paper-batches/{batch_id:id}/void", batch_void, roles=COUNCIL,
          loader=loaders.paper_batch, methods=["POST"], name="batch_void"),
]  # fmt: skip
