"""A resident's declaration (PRODUCT.md, mode `declared`, Paris): once per cycle, a resident
with a verified e-mail address declares birth year and district; that is their roll entry for
the cycle. The page shows the declaration once made (it cannot be changed; the council can
void a suspicious one), or why there is none to make.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.services import roll
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import Form
from budget.web.routing import SIGNED_IN, route
from budget.web.templating import render, see_other


async def declare_page(request: Request, form: Form, status_code: int = 200) -> Response:
    cycle_id: int = loaders.loaded_id(request)
    account = actor_id(request)
    cycle = await transactions.read(request, queries.get_cycle, cycle_id)
    entry = await transactions.read(request, queries.account_entry, cycle_id, account)
    districts = await transactions.read(request, queries.list_districts, cycle_id)
    verified = await transactions.read(request, queries.email_verified, account)
    vouched = await transactions.read(request, queries.verified_birthdate, account)
    chosen = {d.id: d.name for d in districts}
    context = {
        "cycle": cycle,
        "entry": entry,
        "entry_district": chosen.get(entry.district_id) if entry and entry.district_id else None,
        "district_options": [(str(d.id), d.name) for d in districts],
        "email_verified": verified,
        "vouched": vouched,
        "form": form,
    }
    return render(request, "public/declare.html", context, status_code=status_code)


async def declare_form(request: Request) -> Response:
    return await declare_page(request, Form({}))


async def declare_submit(request: Request) -> Response:
    cycle_id: int = loaders.loaded_id(request)
    account = actor_id(request)
    form = Form(await request.form())
    # A year an identity provider vouched for is the service's to fill: the form has no field.
    vouched = await transactions.read(request, queries.verified_birthdate, account)
    birth_year = form.integer("birth_year", minimum=1000, maximum=9999, required=vouched is None)
    district_id = form.integer("district_id", minimum=1, maximum=10**12)
    if form.is_valid and await transactions.attempt(
        request, form, roll.declare, account_id=account, cycle_id=cycle_id,
        birth_year=birth_year, district_id=district_id,
    ):  # fmt: skip
        return see_other(request, f"/cycles/{cycle_id}/declare?notice=declared")
    return await declare_page(request, form, 422)


DECLARE = "/cycles/{cycle_id:id}/declare"
ROUTES = [
    route(DECLARE, declare_form, roles=SIGNED_IN, loader=loaders.public_cycle),
    route(DECLARE, declare_submit, roles=SIGNED_IN, loader=loaders.public_cycle, methods=["POST"]),
]
