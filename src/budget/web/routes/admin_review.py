"""The council's side of review: committees, assignments (by hand, or spread evenly), each
proposal's reviews, conflicts and internal notes, the decision, merging, and the mail outbox.

These pages show internal material (reviews, notes, the decision's justification): council
only (T7), like every /admin page.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import ReviewView
from budget.domain import review as rules
from budget.domain.errors import BudgetError, MergeTooFew
from budget.domain.proposals import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    EXPLANATION_MIN,
    SUMMARY_MAX,
    TITLE_MAX,
    ProposalStatus,
)
from budget.services import assignments, committees, decisions, review
from budget.web import transactions
from budget.web.forms import Form
from budget.web.routes.admin import actor_id
from budget.web.routes.admin_accounts import page_number
from budget.web.routes.admin_budgets import amount_input
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

BIG: Final = 10**12
DECISIONS: Final = ("feasible", "infeasible")
MERGEABLE: Final = decisions.MERGEABLE


# -- committees -------------------------------------------------------------------------------


async def committees_context(request: Request, cycle_id: int, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "cycle": await transactions.read(request, queries.get_cycle, cycle_id),
        "committees": await transactions.read(request, queries.committees_of, cycle_id),
        "reviewers": await transactions.read(request, queries.list_reviewers),
        "form": Form({}),
    }
    context.update(extra)
    return context


async def committees_page(request: Request) -> Response:
    context = await committees_context(request, request.path_params["cycle_id"])
    return render(request, "admin/review_committees.html", context)


async def committee_create(request: Request) -> Response:
    cycle_id: int = request.path_params["cycle_id"]
    form = Form(await request.form())
    name = form.text("name", max_length=committees.COMMITTEE_NAME_MAX)
    if name is not None and await transactions.attempt(
        request,
        form,
        committees.create_committee,
        actor_id=actor_id(request),
        cycle_id=cycle_id,
        name=name,
    ):
        return see_other(request, f"/admin/cycles/{cycle_id}/committees?notice=committee-created")
    context = await committees_context(request, cycle_id, form=form)
    return render(request, "admin/review_committees.html", context, status_code=422)


async def _membership(request: Request, *, add: bool) -> Response:
    committee = await transactions.read(
        request, queries.get_committee, request.path_params["committee_id"]
    )
    form = Form(await request.form())
    account_id = form.integer("account_id", minimum=1, maximum=BIG)
    service = committees.add_member if add else committees.remove_member
    if account_id is not None and await transactions.attempt(
        request,
        form,
        service,
        actor_id=actor_id(request),
        committee_id=committee.id,
        account_id=account_id,
    ):
        path = f"/admin/cycles/{committee.cycle_id}/committees?notice=committee-saved"
        return see_other(request, path)
    context = await committees_context(request, committee.cycle_id, form=form)
    return render(request, "admin/review_committees.html", context, status_code=422)


async def committee_member_add(request: Request) -> Response:
    return await _membership(request, add=True)


async def committee_member_remove(request: Request) -> Response:
    return await _membership(request, add=False)


# -- assignments ------------------------------------------------------------------------------


async def assignments_context(request: Request, cycle_id: int, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "cycle": await transactions.read(request, queries.get_cycle, cycle_id),
        "overview": await transactions.read(request, queries.assignment_overview, cycle_id),
        "committees": await transactions.read(request, queries.committees_of, cycle_id),
        "reviewers": await transactions.read(request, queries.list_reviewers),
        "form": Form({"per_proposal": "1"}),
        "spread": None,
    }
    context.update(extra)
    return context


async def assignments_page(request: Request) -> Response:
    context = await assignments_context(request, request.path_params["cycle_id"])
    return render(request, "admin/review_assignments.html", context)


async def _assignment(request: Request, *, add: bool) -> Response:
    cycle_id: int = request.path_params["cycle_id"]
    await transactions.read(request, queries.get_cycle, cycle_id)
    form = Form(await request.form())
    proposal_id = form.integer("proposal_id", minimum=1, maximum=BIG)
    reviewer_id = form.integer("reviewer_id", minimum=1, maximum=BIG)
    service = assignments.assign if add else assignments.unassign
    if (
        proposal_id is not None
        and reviewer_id is not None
        and await transactions.attempt(
            request,
            form,
            service,
            actor_id=actor_id(request),
            proposal_id=proposal_id,
            reviewer_id=reviewer_id,
        )
    ):
        notice = "assigned" if add else "unassigned"
        return see_other(request, f"/admin/cycles/{cycle_id}/assignments?notice={notice}")
    context = await assignments_context(request, cycle_id, form=form)
    return render(request, "admin/review_assignments.html", context, status_code=422)


async def assignment_create(request: Request) -> Response:
    return await _assignment(request, add=True)


async def assignment_remove(request: Request) -> Response:
    return await _assignment(request, add=False)


async def assignments_spread(request: Request) -> Response:
    """Spread evenly; the page comes back with what was dealt and what could not be."""
    cycle_id: int = request.path_params["cycle_id"]
    await transactions.read(request, queries.get_cycle, cycle_id)
    form = Form(await request.form())
    committee_id = form.integer("committee_id", minimum=1, maximum=BIG)
    per_proposal = form.integer("per_proposal", minimum=1, maximum=rules.PER_PROPOSAL_MAX)
    spread = None
    if committee_id is not None and per_proposal is not None:
        try:
            spread = await transactions.perform(
                request,
                assignments.spread,
                actor_id=actor_id(request),
                cycle_id=cycle_id,
                committee_id=committee_id,
                per_proposal=per_proposal,
            )
        except BudgetError as error:
            form.add_service_error(error)
    context = await assignments_context(request, cycle_id, form=form, spread=spread)
    status = 200 if spread is not None else 422
    return render(request, "admin/review_assignments.html", context, status_code=status)


# -- one proposal: reviews, notes, decision ---------------------------------------------------


def estimates_of(reviews: tuple[ReviewView, ...]) -> list[ReviewView]:
    """The submitted reviews that estimate a total cost, latest first: what the decision form
    offers as the final cost."""
    found = [r for r in reviews if r.state == "submitted" and r.cost_total is not None]
    return sorted(found, key=lambda r: (r.submitted_at or r.updated_at, r.id), reverse=True)


def decision_values(proposal: Any, reviews: tuple[ReviewView, ...], locale: str) -> dict[str, str]:
    """The decision form as it opens: the decision taken, if any; else the latest reviewer's
    cost estimate as the final cost, ready to confirm or change."""
    if proposal.status == ProposalStatus.ON_BALLOT:
        return {"decision": "feasible", "final_cost": amount_input(proposal.final_cost, locale)}
    if proposal.status == ProposalStatus.INFEASIBLE:
        return {"decision": "infeasible", "explanation": proposal.public_explanation or ""}
    estimates = estimates_of(reviews)
    if estimates:
        return {"final_cost": amount_input(estimates[0].cost_total, locale)}
    return {}


async def proposal_context(request: Request, proposal_id: int, **extra: Any) -> dict[str, Any]:
    proposal = await transactions.read(request, queries.get_proposal, proposal_id)
    reviews = await transactions.read(request, queries.reviews_of, proposal_id)
    context: dict[str, Any] = {
        "proposal": proposal,
        "cycle": await transactions.read(request, queries.get_cycle, proposal.cycle_id),
        "budget": await transactions.read(request, queries.get_budget, proposal.budget_id),
        "authors": await transactions.read(request, queries.authors_of, proposal_id),
        "assignments": await transactions.read(request, queries.assignments_of, proposal_id),
        "reviews": reviews,
        "estimates": estimates_of(reviews),
        "notes": await transactions.read(request, queries.notes_of, proposal_id),
        "justification": await transactions.read(request, queries.justification_of, proposal_id),
        "criteria": [c.value for c in rules.Criterion],
        "decide_form": Form(decision_values(proposal, reviews, request.state.locale)),
        "note_form": Form({}),
        "explanation_min": EXPLANATION_MIN,
    }
    context.update(extra)
    return context


async def admin_proposal(request: Request) -> Response:
    context = await proposal_context(request, request.path_params["proposal_id"])
    return render(request, "admin/review_proposal.html", context)


async def decide(request: Request) -> Response:
    proposal_id: int = request.path_params["proposal_id"]
    await transactions.read(request, queries.get_proposal, proposal_id)
    form = Form(await request.form())
    decision = form.choice("decision", DECISIONS)
    feasible = decision == "feasible"
    final_cost = form.amount("final_cost", required=False)
    explanation = form.text(
        "explanation", required=False, max_length=rules.EXPLANATION_MAX, multiline=True
    )
    justification = form.text(
        "justification", required=False, max_length=rules.JUSTIFICATION_MAX, multiline=True
    )
    if form.is_valid and await transactions.attempt(
        request,
        form,
        decisions.decide_proposal,
        actor_id=actor_id(request),
        proposal_id=proposal_id,
        feasible=feasible,
        final_cost=final_cost,
        explanation=explanation,
        justification=justification,
    ):
        return see_other(request, f"/admin/proposals/{proposal_id}?notice=decided")
    context = await proposal_context(request, proposal_id, decide_form=form)
    return render(request, "admin/review_proposal.html", context, status_code=422)


async def review_reopen(request: Request) -> Response:
    proposal_id: int = request.path_params["proposal_id"]
    await transactions.read(request, queries.get_proposal, proposal_id)
    form = Form(await request.form())
    reviewer_id = form.integer("reviewer_id", minimum=1, maximum=BIG)
    if reviewer_id is not None and await transactions.attempt(
        request,
        form,
        review.reopen_review,
        actor_id=actor_id(request),
        proposal_id=proposal_id,
        reviewer_id=reviewer_id,
    ):
        return see_other(request, f"/admin/proposals/{proposal_id}?notice=review-reopened")
    context = await proposal_context(request, proposal_id, note_form=form)
    return render(request, "admin/review_proposal.html", context, status_code=422)


# -- merging ----------------------------------------------------------------------------------


async def merge_context(request: Request, cycle_id: int, **extra: Any) -> dict[str, Any]:
    cycle = await transactions.read(request, queries.get_cycle, cycle_id)
    candidates = await transactions.read(
        request, queries.list_proposals, cycle_id, statuses=MERGEABLE
    )
    context: dict[str, Any] = {
        "cycle": cycle,
        "candidates": candidates,
        "chosen": {int(i) for i in request.query_params.getlist("source") if i.isdigit()},
        "form": Form({}),
        "limits": {"title": TITLE_MAX, "summary": SUMMARY_MAX, "address": ADDRESS_MAX},
    }
    context.update(extra)
    return context


async def merge_form(request: Request) -> Response:
    context = await merge_context(request, request.path_params["cycle_id"])
    return render(request, "admin/review_merge.html", context)


async def merge(request: Request) -> Response:
    cycle_id: int = request.path_params["cycle_id"]
    await transactions.read(request, queries.get_cycle, cycle_id)
    posted = await request.form()
    sources = [int(v) for v in posted.getlist("source") if isinstance(v, str) and v.isdigit()]
    form = Form(posted)
    title = form.text("title", max_length=TITLE_MAX)
    summary = form.text("summary", max_length=SUMMARY_MAX, multiline=True)
    description = form.text(
        "description", required=False, max_length=DESCRIPTION_MAX, multiline=True
    )
    address = form.text("address", required=False, max_length=ADDRESS_MAX)
    if form.is_valid and title is not None and summary is not None:
        merged_form = decisions.MergeForm(
            title=title, summary=summary, description=description or "", address=address or ""
        )
        try:
            new_id = await transactions.perform(
                request,
                decisions.merge_proposals,
                actor_id=actor_id(request),
                source_ids=sources,
                form=merged_form,
            )
        except BudgetError as error:
            form.add_service_error(error)
        else:
            return see_other(request, f"/admin/proposals/{new_id}?notice=merged")
    elif not sources:
        form.add_service_error(MergeTooFew())
    context = await merge_context(request, cycle_id, form=form, chosen=set(sources))
    return render(request, "admin/review_merge.html", context, status_code=422)


# -- the outbox -------------------------------------------------------------------------------


OUTBOX_PAGE: Final = 50


async def outbox(request: Request) -> Response:
    """The outbox, newest first, a page at a time: every mail is reachable."""
    found = await transactions.read(
        request, queries.list_outbox, page=page_number(request), per_page=OUTBOX_PAGE
    )
    return render(request, "admin/review_outbox.html", {"outbox": found})


ROUTES = [
    route(
        "/admin/cycles/{cycle_id:int}/committees", committees_page, roles=COUNCIL, name="committees"
    ),
    route(
        "/admin/cycles/{cycle_id:int}/committees",
        committee_create,
        roles=COUNCIL,
        methods=["POST"],
    ),
    route(
        "/admin/committees/{committee_id:int}/members",
        committee_member_add,
        roles=COUNCIL,
        methods=["POST"],
    ),
    route(
        "/admin/committees/{committee_id:int}/members/remove",
        committee_member_remove,
        roles=COUNCIL,
        methods=["POST"],
    ),
    route(
        "/admin/cycles/{cycle_id:int}/assignments",
        assignments_page,
        roles=COUNCIL,
        name="assignments",
    ),
    route(
        "/admin/cycles/{cycle_id:int}/assignments",
        assignment_create,
        roles=COUNCIL,
        methods=["POST"],
    ),
    route(
        "/admin/cycles/{cycle_id:int}/assignments/remove",
        assignment_remove,
        roles=COUNCIL,
        methods=["POST"],
    ),
    route(
        "/admin/cycles/{cycle_id:int}/assignments/spread",
        assignments_spread,
        roles=COUNCIL,
        methods=["POST"],
    ),
    route("/admin/proposals/{proposal_id:int}", admin_proposal, roles=COUNCIL),
    route("/admin/proposals/{proposal_id:int}/decision", decide, roles=COUNCIL, methods=["POST"]),
    route(
        "/admin/proposals/{proposal_id:int}/reopen",
        review_reopen,
        roles=COUNCIL,
        methods=["POST"],
    ),
    route("/admin/cycles/{cycle_id:int}/merge", merge_form, roles=COUNCIL),
    route("/admin/cycles/{cycle_id:int}/merge", merge, roles=COUNCIL, methods=["POST"]),
    route("/admin/outbox", outbox, roles=COUNCIL),
]
