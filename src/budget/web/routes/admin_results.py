"""The council's results desk for one budget: count the closed box, read the outcome and the
comparison, amend with a public reason, certify (password re-entered, T5), and publish the
cycle once every budget is certified. Each refusal is shown on its form, nothing written."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import BudgetView, CycleView
from budget.domain.cycle import Phase
from budget.services import results
from budget.services.results import Confirmation
from budget.web import loaders, messages, transactions
from budget.web.caller import actor_id
from budget.web.forms import NOT_CHOICE, Form
from budget.web.results_page import results_page
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

REASON_MAX = 2000
BASE = "/admin/budgets/{budget_id:id}/results"


async def _context(request: Request, budget: BudgetView, **extra: Any) -> dict[str, Any]:
    box = await transactions.read(request, queries.closed_box, budget.id)
    view = await transactions.read(request, queries.budget_results, budget.id)
    cycle = await transactions.read(request, queries.get_cycle, budget.cycle_id)
    winners = await transactions.read(request, _winners, budget.id) if view else []
    context: dict[str, Any] = {
        "budget": budget, "cycle": cycle, "box": box, "page": results_page(view) if view else None,
        "winners": winners, "me": actor_id(request), "amend_form": Form({}),
        "certify_form": Form({}), "count_form": Form({}), "publish_form": Form({}),
        "certified_phase": cycle.phase is Phase.CERTIFIED, "refusal": None,
    }  # fmt: skip
    context.update(extra)
    return context


def _winners(db: Any, budget_id: int) -> list[int]:
    return results.winners(db, budget_id)


async def results_desk(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    return render(request, "admin/results.html", await _context(request, budget))


async def _refused(request: Request, budget: BudgetView, form: Form, name: str) -> Response:
    context = await _context(request, budget, **{name: form})
    refusal = form.refusal
    context["refusal"] = messages.of_error(refusal) if refusal else None
    return render(request, "admin/results.html", context, status_code=form.status)


async def count(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    form = Form(await request.form())
    if await transactions.attempt(
        request, form, results.count_budget, actor_id=actor_id(request), budget_id=budget.id
    ):
        return see_other(request, f"/admin/budgets/{budget.id}/results?notice=counted")
    return await _refused(request, budget, form, "count_form")


async def amend(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    form = Form(await request.form())
    proposal = form.integer("proposal_id", minimum=1, maximum=2**31 - 1)
    change = form.choice("change", ["fund", "unfund"])
    reason = form.text("reason", max_length=REASON_MAX, multiline=True)
    if (
        form.is_valid
        and proposal is not None
        and reason is not None
        and await transactions.attempt(
            request,
            form,
            results.amend,
            actor_id=actor_id(request),
            budget_id=budget.id,
            proposal_id=proposal,
            funded=change == "fund",
            reason=reason,
        )
    ):
        return see_other(request, f"/admin/budgets/{budget.id}/results?notice=amended")
    return await _refused(request, budget, form, "amend_form")


def _confirmation(form: Form) -> Confirmation | None:
    fingerprint = form.text("fingerprint", max_length=64)
    rule = form.text("rule", max_length=40)
    winners_text = form.text("winners", required=False, max_length=20_000) or ""
    spent = form.integer("spent", minimum=0, maximum=10**15)
    try:
        winners = tuple(int(p) for p in json.loads(winners_text or "[]"))
    except (ValueError, TypeError):
        form.add_error("winners", NOT_CHOICE)
        return None
    if fingerprint is None or rule is None or spent is None:
        return None
    return Confirmation(fingerprint=fingerprint, rule=rule, winners=winners, spent=spent)


async def certify(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    form = Form(await request.form())
    password = form.secret("password")
    confirmation = _confirmation(form)
    if (
        form.is_valid
        and password is not None
        and confirmation is not None
        and await transactions.attempt_hashing(
            request,
            form,
            results.certify,
            actor_id=actor_id(request),
            budget_id=budget.id,
            password=password,
            confirmation=confirmation,
            hasher=request.app.state.hasher,
        )
    ):
        return see_other(request, f"/admin/budgets/{budget.id}/results?notice=confirmed")
    return await _refused(request, budget, form, "certify_form")


async def publish(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    form = Form(await request.form())
    if await transactions.attempt(
        request, form, results.publish_cycle, actor_id=actor_id(request), cycle_id=cycle.id
    ):
        return see_other(request, f"/admin/cycles/{cycle.id}?notice=published")
    refusal = form.refusal
    return render(
        request, "admin/publish_refused.html",
        {"cycle": cycle, "reason": messages.of_error(refusal) if refusal else None},
        status_code=form.status,
    )  # fmt: skip


ROUTES = [
    route(BASE, results_desk, roles=COUNCIL, loader=loaders.budget, name="results_desk"),
    route(
        BASE + "/count",
        count,
        roles=COUNCIL,
        loader=loaders.budget,
        methods=["POST"],
        name="results_count",
    ),
    route(
        BASE + "/amend",
        amend,
        roles=COUNCIL,
        loader=loaders.budget,
        methods=["POST"],
        name="results_amend",
    ),
    route(
        BASE + "/certify",
        certify,
        roles=COUNCIL,
        loader=loaders.budget,
        methods=["POST"],
        name="results_certify",
    ),
    route(
        "/admin/cycles/{cycle_id:id}/publish",
        publish,
        roles=COUNCIL,
        loader=loaders.cycle,
        methods=["POST"],
        name="results_publish",
    ),
]
