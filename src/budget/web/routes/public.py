"""Public pages: home (the current cycle and its phase timeline), the cycles, one cycle.

A cycle in draft is the council's work in progress: only the council sees it (others get 404,
as for a cycle that does not exist, T7)."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from budget.db import queries
from budget.db.queries import CycleSummary, CycleView
from budget.domain.cycle import is_public, is_running
from budget.web import loaders, transactions
from budget.web.routing import EVERYONE, route
from budget.web.templating import Templates


def _templates(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


def featured(cycles: tuple[CycleSummary, ...]) -> CycleSummary | None:
    """The cycle the home page shows: the newest one in progress, else the newest archived."""
    public = [c for c in cycles if is_public(c.phase)]
    running = [c for c in public if is_running(c.phase)]
    chosen = running or public
    return chosen[0] if chosen else None


def _home_reads(db: Session) -> tuple[tuple[CycleSummary, ...], CycleView | None]:
    cycles = queries.list_cycles(db)
    current = featured(cycles)
    return cycles, queries.get_cycle(db, current.id) if current else None


async def home(request: Request) -> Response:
    cycles, cycle = await transactions.read(request, _home_reads)
    current = featured(cycles)
    others = [c for c in cycles if is_public(c.phase) and c is not current]
    context = {"cycle": cycle, "others": others}
    return _templates(request).response(request, "public/home.html", context)


async def cycles(request: Request) -> Response:
    listed = [
        c for c in await transactions.read(request, queries.list_cycles) if is_public(c.phase)
    ]
    return _templates(request).response(request, "public/cycles.html", {"cycles": listed})


async def cycle_page(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    return _templates(request).response(request, "public/cycle.html", {"cycle": cycle})


async def healthz(request: Request) -> Response:
    """For load balancers and the web benchmark: the process answers (no database call)."""
    return PlainTextResponse("ok")


ROUTES = [
    route("/", home, roles=EVERYONE),
    route("/cycles", cycles, roles=EVERYONE),
    route("/cycles/{cycle_id:id}", cycle_page, roles=EVERYONE, loader=loaders.public_cycle),
    route("/healthz", healthz, roles=EVERYONE),
]
