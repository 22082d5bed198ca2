"""A reviewer's pages: the queue of assigned proposals, the review form (rubric, cost estimate,
recommendation; save a draft or submit), declaring a conflict of interest, internal notes.

T7: every read goes through queries that leave out, in SQL, the proposals the reviewer authored
or declared a conflict on; such a proposal, or one not assigned to them, answers 404 as if it
did not exist. Reviews and notes shown here are the reviewer's own page, never public.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import ProposalView, ReviewView
from budget.domain import review as rules
from budget.domain.errors import BudgetError
from budget.domain.review import Criterion, Recommendation, ReviewInput, Score
from budget.services import assignments, review
from budget.web import transactions
from budget.web.forms import Form
from budget.web.routes.admin import actor_id
from budget.web.routes.admin_budgets import amount_input
from budget.web.routes.admin_review import proposal_context
from budget.web.routing import Access, route
from budget.web.templating import render, see_other

REVIEWER: Final[frozenset[Access]] = frozenset({"reviewer"})
NOTE_AUTHORS: Final[frozenset[Access]] = frozenset({"reviewer", "council"})
RECOMMENDATIONS: Final = tuple(r.value for r in Recommendation)


async def review_queue(request: Request) -> Response:
    items = await transactions.read(request, queries.reviewer_queue, actor_id(request))
    return render(request, "review/queue.html", {"items": items})


def review_values(found: ReviewView | None, locale: str) -> dict[str, str]:
    """The saved review as the form shows it."""
    if found is None:
        return {}
    values = {
        "cost_total": amount_input(found.cost_total, locale),
        "running_cost_yearly": amount_input(found.running_cost_yearly, locale),
        "duration_months": "" if found.duration_months is None else str(found.duration_months),
        "cost_breakdown": found.cost_breakdown,
        "recommendation": found.recommendation or "",
        "changes": found.changes,
    }
    for criterion in Criterion:
        score = found.scores[criterion.value]
        values[f"{criterion.value}_score"] = "" if score is None else str(score)
        values[f"{criterion.value}_comment"] = found.comments[criterion.value]
    return values


def read_review(form: Form) -> ReviewInput | None:
    """The posted review, typed; None when a field cannot even be read (its error recorded).
    Ranges and required fields are the domain's business (domain.review)."""
    scores = {}
    for criterion in Criterion:
        name = criterion.value
        value = form.integer(f"{name}_score", minimum=0, maximum=5, required=False)
        comment = form.text(
            f"{name}_comment", required=False, max_length=rules.COMMENT_MAX, multiline=True
        )
        scores[criterion] = Score(value, comment or "")
    cost_total = form.amount("cost_total", required=False)
    running = form.amount("running_cost_yearly", required=False)
    duration = form.integer("duration_months", minimum=1, maximum=240, required=False)
    breakdown = form.text(
        "cost_breakdown", required=False, max_length=rules.BREAKDOWN_MAX, multiline=True
    )
    recommendation = form.choice("recommendation", RECOMMENDATIONS, required=False)
    changes = form.text("changes", required=False, max_length=rules.CHANGES_MAX, multiline=True)
    if not form.is_valid:
        return None
    return ReviewInput(
        scores=scores,
        cost_total=cost_total,
        cost_breakdown=breakdown or "",
        running_cost_yearly=running,
        duration_months=duration,
        recommendation=Recommendation(recommendation) if recommendation else None,
        changes=changes or "",
    )


async def form_context(request: Request, proposal_id: int, **extra: Any) -> dict[str, Any]:
    reviewer = actor_id(request)
    proposal: ProposalView = await transactions.read(
        request, queries.proposal_for_reviewer, reviewer, proposal_id
    )  # 404 unless assigned, neither authored nor conflicted (T7)
    found = await transactions.read(request, queries.own_review, reviewer, proposal_id)
    cycle = await transactions.read(request, queries.get_cycle, proposal.cycle_id)
    notes = await transactions.read(request, queries.notes_of, proposal_id)
    context: dict[str, Any] = {
        "proposal": proposal,
        "review": found,
        "locked": found is not None and found.state == "submitted",
        "cycle": cycle,
        "notes": notes,
        "form": Form(review_values(found, request.state.locale)),
        "conflict_form": Form({}),
        "note_form": Form({}),
        "criteria": [c.value for c in Criterion],
    }
    context.update(extra)
    return context


async def review_form(request: Request) -> Response:
    context = await form_context(request, request.path_params["proposal_id"])
    return render(request, "review/form.html", context)


async def review_save(request: Request) -> Response:
    """Save the draft, or submit it (`action=submit`): then the whole rubric is required."""
    proposal_id: int = request.path_params["proposal_id"]
    await form_context(request, proposal_id)  # 404 first, before reading anything posted
    form = Form(await request.form())
    submit = form.values.get("action") == "submit"
    values = read_review(form)
    service = review.submit_review if submit else review.save_review
    if values is not None and await transactions.attempt(
        request,
        form,
        service,
        actor_id=actor_id(request),
        proposal_id=proposal_id,
        review=values,
    ):
        notice = "review-submitted" if submit else "review-saved"
        return see_other(request, f"/review/proposals/{proposal_id}?notice={notice}")
    context = await form_context(request, proposal_id, form=form)
    return render(request, "review/form.html", context, status_code=422)


async def review_conflict(request: Request) -> Response:
    proposal_id: int = request.path_params["proposal_id"]
    await form_context(request, proposal_id)
    form = Form(await request.form())
    reason = form.text("reason", max_length=rules.CONFLICT_REASON_MAX, multiline=True)
    if reason is not None and await transactions.attempt(
        request,
        form,
        assignments.declare_conflict,
        actor_id=actor_id(request),
        proposal_id=proposal_id,
        reason=reason,
    ):
        return see_other(request, "/review?notice=conflict-declared")
    context = await form_context(request, proposal_id, conflict_form=form)
    return render(request, "review/form.html", context, status_code=422)


async def note_add(request: Request) -> Response:
    """An internal note, by the council (back to its proposal page) or an assigned reviewer."""
    proposal_id: int = request.path_params["proposal_id"]
    form = Form(await request.form())
    from_admin = form.values.get("back") == "admin" and "council" in request.state.visitor.roles
    back = f"/admin/proposals/{proposal_id}" if from_admin else f"/review/proposals/{proposal_id}"
    body = form.text("body", max_length=rules.NOTE_MAX, multiline=True)
    if body is not None:
        try:
            await transactions.perform(
                request,
                review.add_note,
                actor_id=actor_id(request),
                proposal_id=proposal_id,
                body=body,
            )
        except BudgetError as error:
            if error.code == "not-found":
                raise
            form.add_service_error(error)
        else:
            return see_other(request, f"{back}?notice=note-added#notes")
    if from_admin:
        context = await proposal_context(request, proposal_id, note_form=form)
        return render(request, "admin/review_proposal.html", context, status_code=422)
    context = await form_context(request, proposal_id, note_form=form)
    return render(request, "review/form.html", context, status_code=422)


ROUTES = [
    route("/review", review_queue, roles=REVIEWER),
    route("/review/proposals/{proposal_id:int}", review_form, roles=REVIEWER),
    route(
        "/review/proposals/{proposal_id:int}",
        review_save,
        roles=REVIEWER,
        methods=["POST"],
        name="review_save",
    ),
    route(
        "/review/proposals/{proposal_id:int}/conflict",
        review_conflict,
        roles=REVIEWER,
        methods=["POST"],
    ),
    route(
        "/review/proposals/{proposal_id:int}/notes",
        note_add,
        roles=NOTE_AUTHORS,
        methods=["POST"],
    ),
]
