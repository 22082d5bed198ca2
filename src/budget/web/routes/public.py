"""Public pages: home (the current cycle and its phase timeline), the cycles, one cycle.

A cycle in draft is the council's work in progress: only the council sees it (others get 404,
as for a cycle that does not exist, T7)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from budget.db import queries
from budget.db.queries import CycleSummary, CycleView
from budget.domain.cycle import Phase
from budget.domain.errors import NotFound
from budget.web import transactions
from budget.web.routing import EVERYONE, route
from budget.web.templating import Templates


def _templates(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


def is_public(phase: Phase) -> bool:
    return phase is not Phase.DRAFT


def featured(cycles: tuple[CycleSummary, ...]) -> CycleSummary | None:
    """The cycle the home page shows: the newest one in progress, else the newest archived."""
    public = [c for c in cycles if is_public(c.phase)]
    running = [c for c in public if c.phase is not Phase.ARCHIVED]
    chosen = running or public
    return chosen[0] if chosen else None


async def home(request: Request) -> Response:
    cycles = await transactions.read(request, queries.list_cycles)
    current = featured(cycles)
    cycle = await transactions.read(request, queries.get_cycle, current.id) if current else None
    others = [c for c in cycles if is_public(c.phase) and c is not current]
    context = {"cycle": cycle, "others": others}
    return _templates(request).response(request, "public/home.html", context)


async def cycles(request: Request) -> Response:
    listed = [
        c for c in await transactions.read(request, queries.list_cycles) if is_public(c.phase)
    ]
    return _templates(request).response(request, "public/cycles.html", {"cycles": listed})


async def load_visible_cycle(request: Request, cycle_id: int) -> CycleView:
    """The cycle, or NotFound when it is a draft and the caller is not council."""
    cycle = await transactions.read(request, queries.get_cycle, cycle_id)
    if not is_public(cycle.phase) and "council" not in request.state.visitor.roles:
        raise NotFound(kind="cycle", id=cycle_id)
    return cycle


async def cycle_page(request: Request) -> Response:
    cycle = await load_visible_cycle(request, request.path_params["cycle_id"])
    return _templates(request).response(request, "public/cycle.html", {"cycle": cycle})


async def healthz(request: Request) -> Response:
    """For load balancers and the web benchmark: the process answers (no database call)."""
    return PlainTextResponse("ok")


ROUTES = [
    route("/", home, roles=EVERYONE),
    route("/cycles", cycles, roles=EVERYONE),
    route("/cycles/{cycle_id:int}", cycle_page, roles=EVERYONE),
    route("/healthz", healthz, roles=EVERYONE),
]
