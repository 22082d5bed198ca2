"""Council administration of a cycle's budgets (envelopes): amount, area, ballot and rule.

Ballot type, limits, rule and tie-break may stay empty while the cycle is prepared; the guard
of review -> voting lists what is still missing. Amounts are read exactly (domain.money).
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import BudgetView, CycleView
from budget.domain import ballots
from budget.domain.ballots import BallotLimits, BallotType
from budget.services import budgets
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import TEXT_LIMIT, Form, amount_input
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

LIMIT_NAMES: Final = tuple(BallotLimits.__dataclass_fields__)
BALLOT_TYPES: Final = tuple(kind.value for kind in BallotType)
SATISFACTIONS: Final = ("cost", "cardinality")
BIG: Final = 10**12  # a sanity bound for integers; the services apply the real limits
NAMES: Final = ("name_fr", "name_en")
ENVELOPE_FIELD: Final = "envelope-"  # + a category's code: that category's envelope


def read_budget_form(form: Form) -> budgets.BudgetForm | None:
    """The budget fields, typed; None when one cannot even be read (its error is recorded)."""
    names = {n: form.text(n, required=False, max_length=TEXT_LIMIT) or "" for n in NAMES}
    scope = form.text("scope", required=False, max_length=TEXT_LIMIT) or ""
    district_id = form.integer("district_id", minimum=1, maximum=BIG, required=False)
    amount = form.amount("amount")
    ballot_type = form.choice("ballot_type", BALLOT_TYPES, required=False)
    limits = {n: form.integer(n, minimum=0, maximum=BIG, required=False) for n in LIMIT_NAMES}
    rule = form.text("rule", required=False, max_length=TEXT_LIMIT) or None
    tie_break = form.text("tie_break", required=False, max_length=TEXT_LIMIT) or None
    max_project_cost = form.amount("max_project_cost", required=False)
    options = read_rule_options(form)
    if not form.is_valid or amount is None:
        return None
    return budgets.BudgetForm(
        **names,
        scope=scope,
        district_id=district_id,
        amount=amount,
        ballot_type=BallotType(ballot_type) if ballot_type else None,
        limits=BallotLimits(**limits),
        rule=rule,
        tie_break=tie_break,
        max_project_cost=max_project_cost,
        rule_options=options,
    )


def read_rule_options(form: Form) -> dict[str, object]:
    options: dict[str, object] = {}
    threshold = form.integer("threshold", minimum=0, maximum=BIG, required=False)
    threshold_pct = form.integer("threshold_pct", minimum=0, maximum=BIG, required=False)
    satisfaction = form.choice("satisfaction", SATISFACTIONS, required=False)
    for name, value in (
        ("threshold", threshold),
        ("threshold_pct", threshold_pct),
        ("satisfaction", satisfaction),
    ):
        if value is not None and value != "":
            options[name] = value
    envelopes = [
        [name.removeprefix(ENVELOPE_FIELD), cents]
        for name in list(form.values)
        if name.startswith(ENVELOPE_FIELD)
        and (cents := form.amount(name, required=False)) is not None
    ]
    if envelopes:  # in the form's order, the categories' (the order of the passes)
        options[ballots.ENVELOPES] = envelopes
    return options


def budget_values(budget: BudgetView, locale: str) -> dict[str, str]:
    values = {
        "name_fr": budget.name_fr,
        "name_en": budget.name_en,
        "scope": budget.scope,
        "district_id": str(budget.district_id or ""),
        "amount": amount_input(budget.amount, locale),
        "ballot_type": budget.ballot_type.value if budget.ballot_type else "",
        "rule": budget.rule or "",
        "tie_break": budget.tie_break or "",
        "max_project_cost": amount_input(budget.max_project_cost, locale),
    }
    for name in LIMIT_NAMES:
        value = getattr(budget.limits, name)
        values[name] = "" if value is None else str(value)
    for name, value in budget.rule_options.items():
        if name == ballots.ENVELOPES and isinstance(value, list):
            values |= {ENVELOPE_FIELD + code: amount_input(cents, locale) for code, cents in value}
        else:
            values[name] = str(value)
    return values


async def form_context(request: Request, form: Form, cycle_id: int, budget: Any) -> dict[str, Any]:
    cycle = await transactions.read(request, queries.get_cycle, cycle_id)
    districts = await transactions.read(request, queries.list_districts, cycle_id)
    options = [(str(d.id), f"{d.name} ({d.code})") for d in districts]
    return {
        "form": form,
        "cycle": cycle,
        "budget": budget,
        "district_options": options,
        "limit_names": LIMIT_NAMES,
        "categories": await transactions.read(request, queries.list_categories, cycle_id),
        "envelope_field": ENVELOPE_FIELD,
    }


async def new_budget_form(request: Request) -> Response:
    cycle_id = loaders.loaded(request, CycleView).id
    form = Form({"scope": "city"})
    return render(
        request, "admin/budget_form.html", await form_context(request, form, cycle_id, None)
    )


async def create_budget(request: Request) -> Response:
    cycle_id = loaders.loaded(request, CycleView).id
    form = Form(await request.form())
    values = read_budget_form(form)
    if values is not None and await transactions.attempt(
        request,
        form,
        budgets.create_budget,
        actor_id=actor_id(request),
        cycle_id=cycle_id,
        form=values,
    ):
        return see_other(request, f"/admin/cycles/{cycle_id}?notice=budget-created")
    context = await form_context(request, form, cycle_id, None)
    return render(request, "admin/budget_form.html", context, status_code=422)


async def edit_budget_form(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    form = Form(budget_values(budget, request.state.locale))
    context = await form_context(request, form, budget.cycle_id, budget)
    return render(request, "admin/budget_form.html", context)


async def update_budget(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    form = Form(await request.form())
    values = read_budget_form(form)
    if values is not None and await transactions.attempt(
        request,
        form,
        budgets.update_budget,
        actor_id=actor_id(request),
        budget_id=budget.id,
        form=values,
    ):
        return see_other(request, f"/admin/cycles/{budget.cycle_id}?notice=budget-saved")
    context = await form_context(request, form, budget.cycle_id, budget)
    return render(request, "admin/budget_form.html", context, status_code=422)


ROUTES = [
    route(
        "/admin/cycles/{cycle_id:id}/budgets/new",
        new_budget_form,
        roles=COUNCIL,
        loader=loaders.cycle,
    ),
    route(
        "/admin/cycles/{cycle_id:id}/budgets/new",
        create_budget,
        roles=COUNCIL,
        methods=["POST"],
        name="budget_create",
        loader=loaders.cycle,
    ),
    route(
        "/admin/budgets/{budget_id:id}/edit", edit_budget_form, roles=COUNCIL, loader=loaders.budget
    ),
    route(
        "/admin/budgets/{budget_id:id}/edit",
        update_budget,
        roles=COUNCIL,
        methods=["POST"],
        name="budget_update",
        loader=loaders.budget,
    ),
]
