"""A reviewer's pages: the queue of assigned proposals, the review form (rubric, cost estimate,
recommendation; save a draft or submit), declaring a conflict of interest, internal notes.

T7: every read goes through queries that leave out, in SQL, the proposals the reviewer authored
or declared a conflict on; such a proposal, or one not assigned to them, answers 404 as if it
did not exist. Reviews and notes shown here are the reviewer's own page, never public.
"""

from __future__ import annotations

from typing import Any, Final

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import ProposalView, ReviewView
from budget.domain import review as rules
from budget.domain.review import Criterion, Recommendation, ReviewInput, Score
from budget.services import assignments, review
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import Form, amount_input
from budget.web.routing import Access, route
from budget.web.templating import render, see_other

REVIEWER: Final[frozenset[Access]] = frozenset({"reviewer"})
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


def _page_reads(db: Session, reviewer: int, proposal: ProposalView) -> dict[str, Any]:
    """What the review page shows besides the proposal, in one read transaction."""
    found = queries.own_review(db, reviewer, proposal.id)
    return {
        "review": found,
        "cycle": queries.get_cycle(db, proposal.cycle_id),
        "notes": queries.notes_of(db, proposal.id),
    }


async def form_context(request: Request, **extra: Any) -> dict[str, Any]:
    """The review page of the proposal the route loaded (loaders.reviewable_proposal: 404
    unless assigned, neither authored nor conflicted, T7)."""
    proposal = loaders.loaded(request, ProposalView)
    context = await transactions.read(request, _page_reads, actor_id(request), proposal)
    found: ReviewView | None = context["review"]
    context.update(
        proposal=proposal,
        locked=found is not None and found.state == "submitted",
        form=Form(review_values(found, request.state.locale)),
        conflict_form=Form({}),
        note_form=Form({}),
        note_action=f"/review/proposals/{proposal.id}/notes",
        criteria=[c.value for c in Criterion],
    )
    context.update(extra)
    return context


async def review_form(request: Request) -> Response:
    context = await form_context(request)
    return render(request, "review/form.html", context)


async def review_save(request: Request) -> Response:
    """Save the draft, or submit it (`action=submit`): then the whole rubric is required."""
    proposal_id = loaders.loaded(request, ProposalView).id
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
    context = await form_context(request, form=form)
    return render(request, "review/form.html", context, status_code=form.status)


async def review_conflict(request: Request) -> Response:
    proposal_id = loaders.loaded(request, ProposalView).id
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
    context = await form_context(request, conflict_form=form)
    return render(request, "review/form.html", context, status_code=form.status)


async def note_add(request: Request) -> Response:
    """An internal note by a reviewer assigned to the proposal (the council's own form posts to
    its proposal page, admin_review.admin_note_add)."""
    proposal_id = loaders.loaded(request, ProposalView).id
    form = Form(await request.form())
    body = form.text("body", max_length=rules.NOTE_MAX, multiline=True)
    if body is not None and await transactions.attempt(
        request, form, review.add_note, actor_id=actor_id(request), proposal_id=proposal_id,
        body=body,
    ):  # fmt: skip
        return see_other(request, f"/review/proposals/{proposal_id}?notice=note-added#notes")
    context = await form_context(request, note_form=form)
    return render(request, "review/form.html", context, status_code=form.status)


ROUTES = [
    route("/review", review_queue, roles=REVIEWER),
    route(
        "/review/proposals/{proposal_id:id}",
        review_form,
        roles=REVIEWER,
        loader=loaders.reviewable_proposal,
    ),
    route(
        "/review/proposals/{proposal_id:id}",
        review_save,
        roles=REVIEWER,
        methods=["POST"],
        name="review_save",
        loader=loaders.reviewable_proposal,
    ),
    route(
        "/review/proposals/{proposal_id:id}/conflict",
        review_conflict,
        roles=REVIEWER,
        methods=["POST"],
        loader=loaders.reviewable_proposal,
    ),
    route(
        "/review/proposals/{proposal_id:id}/notes",
        note_add,
        roles=REVIEWER,
        methods=["POST"],
        loader=loaders.noted_proposal,
    ),
]
