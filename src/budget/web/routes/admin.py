"""Council administration of cycles: create and edit a cycle, set its schedule, move its phase.

A refused phase move comes back with every reason the guard gave (409), in the phase panel
(an htmx swap) or on the whole page (without JavaScript). Budgets, districts and accounts have
their own modules (admin_budgets, admin_districts, admin_accounts).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import CycleView
from budget.domain.cycle import ORDER, Phase, Reason
from budget.domain.errors import TransitionRefused
from budget.services import cycles
from budget.web import errors, loaders, messages, transactions
from budget.web.caller import actor_id
from budget.web.forms import BOTH_OR_NEITHER, NOT_CHOICE, TEXT_LIMIT, Form
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

SCHEDULED_PHASES: Final = (Phase.SUBMISSION, Phase.REVIEW, Phase.VOTING)
TEXT_FIELDS: Final = (
    "name_fr",
    "name_en",
    "instance",
    "time_zone",
    "currency",
    "eligibility_mode",
    "district_mode",
)
CYCLE_DEFAULTS: Final = {
    "time_zone": "Europe/Paris",
    "currency": "EUR",
    "eligibility_mode": "declared",
    "district_mode": "choice",
    "max_proposals_per_author": "5",
    "proposers_must_be_eligible": "no",
}


async def index(request: Request) -> Response:
    listed = await transactions.read(request, queries.list_cycles)
    return render(request, "admin/index.html", {"cycles": listed})


def read_cycle_form(form: Form) -> cycles.CycleForm | None:
    """The cycle fields, typed; None when one cannot even be read (its error is recorded)."""
    names = {n: form.text(n, required=False, max_length=TEXT_LIMIT) or "" for n in TEXT_FIELDS}
    min_age = form.integer("min_age", minimum=0, maximum=1000, required=False)
    reference_date = form.date("reference_date")
    per_author = form.integer("max_proposals_per_author", minimum=0, maximum=10**6)
    proposers = form.choice("proposers_must_be_eligible", ("no", "yes"), required=False)
    if not form.is_valid or reference_date is None or per_author is None:
        return None
    return cycles.CycleForm(
        **names,
        min_age=min_age,
        reference_date=reference_date,
        max_proposals_per_author=per_author,
        proposers_must_be_eligible=proposers == "yes",
    )


async def new_cycle_page(request: Request, form: Form, status_code: int = 200) -> Response:
    """The creation form; it offers to copy the districts of an existing cycle."""
    listed = await transactions.read(request, queries.list_cycles)
    sources = [(str(c.id), f"{c.name_fr} ({c.instance})") for c in listed]
    context = {"form": form, "cycle": None, "copy_sources": sources}
    return render(request, "admin/cycle_form.html", context, status_code=status_code)


async def new_cycle_form(request: Request) -> Response:
    return await new_cycle_page(request, Form(CYCLE_DEFAULTS))


async def create_cycle(request: Request) -> Response:
    form = Form(await request.form())
    values = read_cycle_form(form)
    copy_from = form.integer("copy_from", minimum=1, maximum=10**12, required=False)
    if values is not None and (
        done := await transactions.attempt(
            request,
            form,
            cycles.create_cycle,
            actor_id=actor_id(request),
            form=values,
            copy_from=copy_from,
        )
    ):
        return see_other(request, f"/admin/cycles/{done.value}?notice=cycle-created")
    return await new_cycle_page(request, form, form.status)


def cycle_values(cycle: CycleView) -> dict[str, str]:
    values = {name: str(getattr(cycle, name)) for name in TEXT_FIELDS}
    values["min_age"] = "" if cycle.min_age is None else str(cycle.min_age)
    values["reference_date"] = cycle.reference_date.isoformat()
    values["max_proposals_per_author"] = str(cycle.max_proposals_per_author)
    values["proposers_must_be_eligible"] = "yes" if cycle.proposers_must_be_eligible else "no"
    return values


async def edit_cycle_form(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    return render(
        request, "admin/cycle_form.html", {"form": Form(cycle_values(cycle)), "cycle": cycle}
    )


async def update_cycle(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    cycle_id = cycle.id
    form = Form(await request.form())
    values = read_cycle_form(form)
    if values is not None and await transactions.attempt(
        request,
        form,
        cycles.update_cycle,
        actor_id=actor_id(request),
        cycle_id=cycle_id,
        form=values,
    ):
        return see_other(request, f"/admin/cycles/{cycle_id}?notice=cycle-saved")
    context = {"form": form, "cycle": cycle}
    return render(request, "admin/cycle_form.html", context, status_code=form.status)


def _cycle_reads(db: Session, cycle_id: int, when: dt.datetime) -> dict[str, Any]:
    """The cycle and, for each phase it could move to, what the guard would say now: one read."""
    cycle = queries.get_cycle(db, cycle_id)
    problems = {
        target: tuple(
            messages.of_reason(reason)
            for reason in queries.transition_problems(db, cycle_id, target, when)
        )
        for target in cycle.targets
    }
    return {"cycle": cycle, "problems": problems, "refusal": None, "reasons": ()}


async def cycle_context(request: Request, cycle_id: int) -> dict[str, Any]:
    return await transactions.read(request, _cycle_reads, cycle_id, transactions.now(request))


async def cycle_page(request: Request) -> Response:
    context = await cycle_context(request, loaders.loaded(request, CycleView).id)
    return render(request, "admin/cycle.html", context)


async def advance(request: Request) -> Response:
    """Move the cycle to the posted phase, or show why not (every reason of the guard)."""
    cycle_id = loaders.loaded(request, CycleView).id
    form = Form(await request.form())
    target = form.choice("target", [phase.value for phase in ORDER])
    if target is None:  # only a tampered form gets here: the buttons post valid phases
        return errors.page(request, 422, NOT_CHOICE)
    if await transactions.attempt(
        request, form, cycles.advance_phase, actor_id=actor_id(request), cycle_id=cycle_id,
        target=Phase(target), retention=request.app.state.settings.roll_retention,
    ):  # fmt: skip
        return see_other(request, f"/admin/cycles/{cycle_id}?notice=phase-changed")
    context = await cycle_context(request, cycle_id)
    refusal = form.refusal
    context["refusal"] = messages.of_error(refusal) if refusal else None
    if isinstance(refusal, TransitionRefused):
        context["reasons"] = [
            messages.of_reason(r) for r in refusal.reasons if isinstance(r, Reason)
        ]
    return render(
        request, "admin/cycle.html", context, status_code=form.status,
        fragment="_fragments/phase_panel.html",
    )  # fmt: skip


def schedule_values(cycle: CycleView) -> dict[str, str]:
    zone = ZoneInfo(cycle.time_zone)
    values: dict[str, str] = {}
    for dates in cycle.schedule:
        for edge, moment in (("start", dates.starts_at), ("end", dates.ends_at)):
            values[f"{dates.phase.value}_{edge}"] = local_input(moment, zone)
    return values


def local_input(moment: dt.datetime, zone: ZoneInfo) -> str:
    """A UTC instant as a `datetime-local` value in the cycle's time zone."""
    if moment.tzinfo is None:  # SQLite returns naive datetimes; they are stored in UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def read_schedule(
    form: Form, time_zone: str
) -> dict[Phase, tuple[dt.datetime, dt.datetime] | None]:
    dates: dict[Phase, tuple[dt.datetime, dt.datetime] | None] = {}
    for phase in SCHEDULED_PHASES:
        start = form.local_datetime(f"{phase.value}_start", time_zone, required=False)
        end = form.local_datetime(f"{phase.value}_end", time_zone, required=False)
        if (start is None) != (end is None) and not form.errors:
            missing = f"{phase.value}_start" if start is None else f"{phase.value}_end"
            form.add_error(missing, BOTH_OR_NEITHER)
        dates[phase] = (start, end) if start is not None and end is not None else None
    return dates


async def schedule_form(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    context = {"form": Form(schedule_values(cycle)), "cycle": cycle, "phases": SCHEDULED_PHASES}
    return render(request, "admin/schedule.html", context)


async def set_schedule(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    form = Form(await request.form())
    form.renames = {phase.value: f"{phase.value}_end" for phase in SCHEDULED_PHASES}
    dates = read_schedule(form, cycle.time_zone)
    if form.is_valid and await transactions.attempt(
        request, form, cycles.set_schedule, actor_id=actor_id(request), cycle_id=cycle.id,
        dates=dates,
    ):  # fmt: skip
        return see_other(request, f"/admin/cycles/{cycle.id}?notice=schedule-saved")
    context = {"form": form, "cycle": cycle, "phases": SCHEDULED_PHASES}
    return render(request, "admin/schedule.html", context, status_code=form.status)


CYCLE = "/admin/cycles/{cycle_id:id}"
ROUTES = [
    route("/admin", index, roles=COUNCIL),
    route("/admin/cycles/new", new_cycle_form, roles=COUNCIL),
    route("/admin/cycles/new", create_cycle, roles=COUNCIL, methods=["POST"], name="cycle_create"),
    route(CYCLE, cycle_page, roles=COUNCIL, name="admin_cycle", loader=loaders.cycle),
    route(f"{CYCLE}/edit", edit_cycle_form, roles=COUNCIL, loader=loaders.cycle),
    route(
        f"{CYCLE}/edit",
        update_cycle,
        roles=COUNCIL,
        methods=["POST"],
        name="cycle_update",
        loader=loaders.cycle,
    ),
    route(f"{CYCLE}/schedule", schedule_form, roles=COUNCIL, loader=loaders.cycle),
    route(
        f"{CYCLE}/schedule",
        set_schedule,
        roles=COUNCIL,
        methods=["POST"],
        name="schedule_set",
        loader=loaders.cycle,
    ),
    route(f"{CYCLE}/phase", advance, roles=COUNCIL, methods=["POST"], loader=loaders.cycle),
]
