"""The council reports the building of a funded project: its status, progress and amount spent
(with a public note, the reason when abandoned), and its milestones (added, or edited one at a
time). Every refusal is shown on its form, nothing written (transactions.attempt).
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import MilestoneView, ProjectDetail
from budget.domain.implementation import NOTE_MAX, PROGRESS_MAX, REASON_MIN, ImplementationStatus
from budget.domain.proposals import TITLE_MAX
from budget.services import implementation
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import Form, amount_input
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

STATUSES: Final = tuple(s.value for s in ImplementationStatus)
BIG: Final = 10**12


def status_values(detail: ProjectDetail, locale: str) -> dict[str, str]:
    project = detail.project
    return {
        "status": project.status.value,
        "progress": str(project.progress),
        "spent": amount_input(project.spent, locale),
    }


def milestone_values(milestone: MilestoneView | None) -> dict[str, str]:
    if milestone is None:
        return {}
    return {
        "milestone_id": str(milestone.id),
        "title": milestone.title,
        "planned_on": milestone.planned_on.isoformat(),
        "reached_on": milestone.reached_on.isoformat() if milestone.reached_on else "",
        "milestone_note": milestone.note,
    }


async def _context(request: Request, proposal_id: int, **extra: Any) -> dict[str, Any]:
    detail = await transactions.read(request, queries.project_detail, proposal_id)
    chosen = request.query_params.get("milestone", "")
    editing = next((m for m in detail.milestones if str(m.id) == chosen), None)
    context: dict[str, Any] = {
        "detail": detail,
        "project": detail.project,
        "cycle": await transactions.read(request, queries.get_cycle, detail.project.cycle_id),
        "status_form": Form(status_values(detail, request.state.locale)),
        "milestone_form": Form(milestone_values(editing)),
        "statuses": STATUSES,
        "limits": {"reason": REASON_MIN, "note": NOTE_MAX, "title": TITLE_MAX},
    }
    context.update(extra)
    return context


async def admin_project(request: Request) -> Response:
    context = await _context(request, loaders.loaded_id(request))
    return render(request, "admin/project.html", context)


async def project_update(request: Request) -> Response:
    proposal_id: int = loaders.loaded_id(request)
    await transactions.read(request, queries.get_project, proposal_id)
    form = Form(await request.form())
    status = form.choice("status", STATUSES)
    progress = form.integer("progress", minimum=0, maximum=PROGRESS_MAX)
    spent = form.amount("spent", required=False)
    note = form.text("note", required=False, max_length=NOTE_MAX, multiline=True)
    if (
        form.is_valid
        and status is not None
        and progress is not None
        and await transactions.attempt(
            request,
            form,
            implementation.update_project,
            actor_id=actor_id(request),
            proposal_id=proposal_id,
            status=ImplementationStatus(status),
            progress=progress,
            spent=spent,
            note=note or "",
        )
    ):
        return see_other(request, f"/admin/projects/{proposal_id}?notice=project-saved")
    context = await _context(request, proposal_id, status_form=form)
    return render(request, "admin/project.html", context, status_code=422)


async def milestone_save(request: Request) -> Response:
    """Add a milestone, or change the one named by `milestone_id`."""
    proposal_id: int = loaders.loaded_id(request)
    detail = await transactions.read(request, queries.project_detail, proposal_id)
    form = Form(await request.form())
    known = {str(m.id): m.id for m in detail.milestones}
    chosen = form.choice("milestone_id", list(known), required=False)
    title = form.text("title", max_length=TITLE_MAX)
    planned_on = form.date("planned_on")
    reached_on = form.date("reached_on", required=False)
    note = form.text("milestone_note", required=False, max_length=NOTE_MAX, multiline=True)
    if form.is_valid and title is not None:
        fields: dict[str, Any] = {
            "actor_id": actor_id(request), "title": title, "planned_on": planned_on,
            "reached_on": reached_on, "note": note or "",
        }  # fmt: skip
        if chosen:
            saved: object = await transactions.attempt(
                request, form, implementation.update_milestone, milestone_id=known[chosen],
                **fields,
            )  # fmt: skip
        else:
            saved = await transactions.attempt(
                request, form, implementation.add_milestone, proposal_id=proposal_id, **fields
            )
        if saved:
            return see_other(request, f"/admin/projects/{proposal_id}?notice=milestone-saved")
    context = await _context(request, proposal_id, milestone_form=form)
    return render(request, "admin/project.html", context, status_code=422)


ROUTES = [
    route(
        "/admin/projects/{proposal_id:id}",
        admin_project,
        roles=COUNCIL,
        loader=loaders.funded_project,
    ),
    route(
        "/admin/projects/{proposal_id:id}/status",
        project_update,
        roles=COUNCIL,
        loader=loaders.funded_project,
        methods=["POST"],
    ),
    route(
        "/admin/projects/{proposal_id:id}/milestones",
        milestone_save,
        loader=loaders.funded_project,
        roles=COUNCIL,
        methods=["POST"],
    ),
]
