"""Residents write proposals: the form (new and edit), submit, withdraw, co-authors, the
author's own list and invitations.

The pages are for signed-in callers; the services decide who is an author. To a caller who is
not an author, a draft does not exist (404) and a public proposal cannot be changed (403), T7.
Bad input comes back in the form (422) with a message next to each field, nothing written.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import CycleView, ProposalView
from budget.domain.cycle import Phase
from budget.domain.errors import BudgetError, FieldErrors, InvalidChoice, NotAuthor, NotFound
from budget.domain.proposals import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    AuthorRole,
    ProposalStatus,
)
from budget.services import proposals
from budget.services.proposals import ProposalForm
from budget.web import markdown, transactions
from budget.web.forms import Form
from budget.web.routes.admin import actor_id
from budget.web.routes.admin_budgets import amount_input
from budget.web.routes.public import load_visible_cycle
from budget.web.routing import SIGNED_IN, route
from budget.web.templating import is_htmx, render, see_other

BIG: Final = 10**12  # a sanity bound for ids; the services check what they name
EDITABLE: Final = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED)
DECISIONS: Final = ("accept", "decline")
PREVIEW: Final = "preview"  # the form's preview button: render the description, write nothing


def read_proposal_form(form: Form) -> ProposalForm:
    """The proposal fields, typed; a field that cannot be read has its error recorded on the
    form and is left empty. Text limits are the product's, so form and service agree."""
    budget_id = form.integer("budget_id", minimum=1, maximum=BIG, required=False)
    category_id = form.integer("category_id", minimum=1, maximum=BIG, required=False)
    title = form.text("title", required=False, max_length=TITLE_MAX)
    summary = form.text("summary", required=False, max_length=SUMMARY_MAX, multiline=True)
    description = form.text(
        "description", required=False, max_length=DESCRIPTION_MAX, multiline=True
    )
    address = form.text("address", required=False, max_length=ADDRESS_MAX)
    lat = form.text("lat", required=False, max_length=40)
    lon = form.text("lon", required=False, max_length=40)
    estimated_cost = form.amount("estimated_cost", required=False)
    language = form.text("language", required=False, max_length=10)
    return ProposalForm(
        budget_id=budget_id,
        title=title or "",
        summary=summary or "",
        description=description or "",
        category_id=category_id,
        address=address or "",
        lat=lat or "",
        lon=lon or "",
        estimated_cost=estimated_cost,
        language=language or "fr",  # the form always sends one; a bare POST means French
    )


async def add_other_problems(
    request: Request, form: Form, cycle: CycleView, values: ProposalForm
) -> None:
    """Some fields could not be read: show what the service finds wrong with the others too,
    so that the resident fixes everything in one go (the unreadable fields keep their own
    message). Nothing is written."""
    problems = await transactions.read(request, proposals.problems, cycle.id, values)
    if problems:
        form.add_service_error(FieldErrors(problems))


def degrees(micro: int | None) -> str:
    """Micro-degrees as the form shows them, exactly: 48856600 -> "48.8566"."""
    if micro is None:
        return ""
    return str(Decimal(micro).scaleb(-6).normalize())


def proposal_values(proposal: ProposalView, locale: str) -> dict[str, str]:
    return {
        "budget_id": str(proposal.budget_id),
        "category_id": str(proposal.category_id or ""),
        "title": proposal.title,
        "summary": proposal.summary,
        "description": proposal.description,
        "address": proposal.address or "",
        "lat": degrees(proposal.lat_e6),
        "lon": degrees(proposal.lon_e6),
        "estimated_cost": amount_input(proposal.estimated_cost, locale),
        "language": proposal.language,
    }


async def form_context(
    request: Request, form: Form, cycle: CycleView, proposal: ProposalView | None
) -> dict[str, Any]:
    choices = await transactions.read(request, queries.form_choices, cycle.id)
    settings = request.app.state.settings
    context: dict[str, Any] = {
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "geocoder": settings.geocoder_url is not None,
        "budget_districts": json.dumps({str(b.id): b.district_id for b in choices.budgets}),
        "form": form,
        "cycle": cycle,
        "proposal": proposal,
        "choices": choices,
        "invite_form": Form({}),
        "invitees": (),
        "viewer_is_author": proposal is not None,
        "viewer_is_creator": False,
        "rendered": None,
        "images": (),
        "image_form": Form({}),
    }
    if proposal is not None:
        context["images"] = await transactions.read(request, queries.images_of, proposal.id)
        role = await transactions.read(request, queries.author_role, proposal.id, actor_id(request))
        context["viewer_is_creator"] = role is AuthorRole.CREATOR
        if role is AuthorRole.CREATOR:
            context["invitees"] = await transactions.read(
                request, queries.invitations_of, proposal.id
            )
    return context


async def authored(request: Request) -> tuple[ProposalView, CycleView]:
    """The proposal of the path and its cycle, for one of its accepted authors only: anyone
    else gets 404 for a draft (it does not exist for them) and 403 for a public proposal."""
    proposal = await transactions.read(
        request, queries.get_proposal, request.path_params["proposal_id"]
    )
    role = await transactions.read(request, queries.author_role, proposal.id, actor_id(request))
    if role is None:
        if proposal.submitted_at is None:
            raise NotFound(kind="proposal", id=proposal.id)
        raise NotAuthor()
    cycle = await transactions.read(request, queries.get_cycle, proposal.cycle_id)
    return proposal, cycle


def page_of(proposal_id: int, notice: str) -> str:
    return f"/proposals/{proposal_id}?notice={notice}"


# -- the form ------------------------------------------------------------------------------------


async def new_proposal_form(request: Request) -> Response:
    cycle = await load_visible_cycle(request, request.path_params["cycle_id"])
    form = Form({"language": request.state.locale})
    if len(cycle.budgets) == 1:
        form.values["budget_id"] = str(cycle.budgets[0].id)
    return render(request, "proposals/form.html", await form_context(request, form, cycle, None))


async def create_proposal(request: Request) -> Response:
    cycle = await load_visible_cycle(request, request.path_params["cycle_id"])
    form = Form(await request.form())
    if PREVIEW in form.values:
        return await preview(request, form, cycle, None)
    values = read_proposal_form(form)
    if not form.is_valid:
        await add_other_problems(request, form, cycle, values)
    elif cycle.phase is Phase.SUBMISSION:
        try:
            proposal_id = await transactions.perform(
                request,
                proposals.create_draft,
                author_id=actor_id(request),
                form=values,
                cycle_id=cycle.id,
            )
        except BudgetError as error:  # as `transactions.attempt`, which returns no id
            form.add_service_error(error)
        else:
            return see_other(request, page_of(proposal_id, "proposal-created"))
    context = await form_context(request, form, cycle, None)
    status = 422 if cycle.phase is Phase.SUBMISSION else 409
    return render(request, "proposals/form.html", context, status_code=status)


async def edit_proposal_form(request: Request) -> Response:
    proposal, cycle = await authored(request)
    form = Form(proposal_values(proposal, request.state.locale))
    context = await form_context(request, form, cycle, proposal)
    return render(request, "proposals/form.html", context)


async def update_proposal(request: Request) -> Response:
    proposal, cycle = await authored(request)
    form = Form(await request.form())
    if PREVIEW in form.values:
        return await preview(request, form, cycle, proposal)
    values = read_proposal_form(form)
    if not form.is_valid:
        await add_other_problems(request, form, cycle, values)
    elif await transactions.attempt(
        request,
        form,
        proposals.update_proposal,
        actor_id=actor_id(request),
        proposal_id=proposal.id,
        form=values,
    ):
        return see_other(request, page_of(proposal.id, "proposal-saved"))
    context = await form_context(request, form, cycle, proposal)
    status = 422 if cycle.phase is Phase.SUBMISSION else 409  # the page then says why
    return render(request, "proposals/form.html", context, status_code=status)


async def preview(
    request: Request, form: Form, cycle: CycleView, proposal: ProposalView | None
) -> Response:
    """The description as it will be shown (sanitised Markdown), nothing written: the fragment
    for htmx, else the form again with the preview under it (the form's preview button)."""
    text = form.text("description", required=False, max_length=DESCRIPTION_MAX, multiline=True)
    rendered = markdown.render(text or "")
    status = 422 if form.errors else 200
    if is_htmx(request):
        return render(
            request, "proposals/_preview.html", {"rendered": rendered}, status_code=status
        )
    context = await form_context(request, form, cycle, proposal)
    context["rendered"] = rendered
    return render(request, "proposals/form.html", context, status_code=status)


# -- life of a proposal --------------------------------------------------------------------------


async def confirm(request: Request) -> Response:
    """The step before submitting or withdrawing, without JavaScript: a page that says what
    will happen and posts the action (GET /proposals/<id>/submit or /withdraw). Only an
    author reaches it (`authored`); the service re-checks everything on the POST."""
    proposal, cycle = await authored(request)
    action = request.url.path.rsplit("/", 1)[-1]
    context = {"proposal": proposal, "cycle": cycle, "action": action}
    return render(request, "proposals/confirm.html", context)


async def submit(request: Request) -> Response:
    proposal_id: int = request.path_params["proposal_id"]
    await transactions.perform(
        request, proposals.submit_proposal, actor_id=actor_id(request), proposal_id=proposal_id
    )
    return see_other(request, page_of(proposal_id, "proposal-submitted"))


async def withdraw(request: Request) -> Response:
    proposal_id: int = request.path_params["proposal_id"]
    await transactions.perform(
        request, proposals.withdraw_proposal, actor_id=actor_id(request), proposal_id=proposal_id
    )
    return see_other(request, page_of(proposal_id, "proposal-withdrawn"))


async def invite(request: Request) -> Response:
    proposal, cycle = await authored(request)
    invite_form = Form(await request.form())
    email = invite_form.text("email", required=True, max_length=254)
    if email is not None and await transactions.attempt(
        request,
        invite_form,
        proposals.invite_coauthor,
        actor_id=actor_id(request),
        proposal_id=proposal.id,
        email=email,
    ):
        return see_other(request, f"/proposals/{proposal.id}/edit?notice=coauthor-invited")
    form = Form(proposal_values(proposal, request.state.locale))
    context = await form_context(request, form, cycle, proposal)
    context["invite_form"] = invite_form
    return render(request, "proposals/form.html", context, status_code=422)


async def leave(request: Request) -> Response:
    proposal_id: int = request.path_params["proposal_id"]
    await transactions.perform(
        request, proposals.leave_proposal, actor_id=actor_id(request), proposal_id=proposal_id
    )
    return see_other(request, "/my-proposals?notice=coauthor-left")


# -- the author's own pages ----------------------------------------------------------------------


async def my_proposals(request: Request) -> Response:
    me = actor_id(request)
    own = await transactions.read(request, queries.own_proposals, me)
    pending = await transactions.read(request, queries.pending_invitations, me)
    cycles: dict[int, list[Any]] = {}
    for item in own:
        cycles.setdefault(item.cycle_id, []).append(item)
    context = {"groups": list(cycles.values()), "pending": pending}
    return render(request, "proposals/mine.html", context)


async def invitations(request: Request) -> Response:
    pending = await transactions.read(request, queries.pending_invitations, actor_id(request))
    return render(request, "proposals/invitations.html", {"pending": pending})


async def answer(request: Request) -> Response:
    """The invitee's answer; a refusal (no such invitation, too late) gets its error page."""
    proposal_id: int = request.path_params["proposal_id"]
    form = Form(await request.form())
    decision = form.choice("decision", DECISIONS)
    if decision is None:
        raise FieldErrors({"decision": InvalidChoice(choices=", ".join(DECISIONS))})
    accept = decision == "accept"
    await transactions.perform(
        request,
        proposals.answer_invitation,
        actor_id=actor_id(request),
        proposal_id=proposal_id,
        accept=accept,
    )
    if accept:
        return see_other(request, page_of(proposal_id, "invitation-accepted"))
    return see_other(request, "/invitations?notice=invitation-declined")


ROUTES = [
    route("/my-proposals", my_proposals, roles=SIGNED_IN, name="my_proposals"),
    route("/invitations", invitations, roles=SIGNED_IN, name="invitations"),
    route(
        "/invitations/{proposal_id:int}",
        answer,
        roles=SIGNED_IN,
        methods=["POST"],
        name="invitation_answer",
    ),
    route(
        "/cycles/{cycle_id:int}/proposals/new",
        new_proposal_form,
        roles=SIGNED_IN,
        name="proposal_new_form",
    ),
    route(
        "/cycles/{cycle_id:int}/proposals/new",
        create_proposal,
        roles=SIGNED_IN,
        methods=["POST"],
        name="proposal_create",
    ),
    route(
        "/proposals/{proposal_id:int}/edit",
        edit_proposal_form,
        roles=SIGNED_IN,
        name="proposal_edit_form",
    ),
    route(
        "/proposals/{proposal_id:int}/edit",
        update_proposal,
        roles=SIGNED_IN,
        methods=["POST"],
        name="proposal_update",
    ),
    route(
        "/proposals/{proposal_id:int}/submit",
        confirm,
        roles=SIGNED_IN,
        name="proposal_submit_confirm",
    ),
    route(
        "/proposals/{proposal_id:int}/withdraw",
        confirm,
        roles=SIGNED_IN,
        name="proposal_withdraw_confirm",
    ),
    route(
        "/proposals/{proposal_id:int}/submit",
        submit,
        roles=SIGNED_IN,
        methods=["POST"],
        name="proposal_submit",
    ),
    route(
        "/proposals/{proposal_id:int}/withdraw",
        withdraw,
        roles=SIGNED_IN,
        methods=["POST"],
        name="proposal_withdraw",
    ),
    route(
        "/proposals/{proposal_id:int}/coauthors",
        invite,
        roles=SIGNED_IN,
        methods=["POST"],
        name="coauthor_invite",
    ),
    route(
        "/proposals/{proposal_id:int}/leave",
        leave,
        roles=SIGNED_IN,
        methods=["POST"],
        name="coauthor_leave",
    ),
]
