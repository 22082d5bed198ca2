"""The public side of implementation tracking: the funded projects of every cycle (list and map
filterable by status, district and year, with CSV, JSON and GeoJSON), and one project's page
(status, progress bar, amount spent, milestones as a timeline, dated changes, a link to the
proposal and its authors). Only funded proposals appear (db.queries.implementation).
"""

from __future__ import annotations

import json
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import ProjectView
from budget.domain.geo import format_degrees
from budget.web import exports, labels, loaders, transactions
from budget.web.projects import (
    COLUMNS,
    ProjectQuery,
    project_record,
    read_project_query,
)
from budget.web.routing import EVERYONE, route
from budget.web.templating import render

GEOJSON: Final = "application/geo+json"
STATUSES: Final = tuple(labels.IMPLEMENTATION_STATUSES)


async def _listed(request: Request) -> tuple[ProjectQuery, Any, tuple[ProjectView, ...]]:
    choices = await transactions.read(request, queries.project_choices)
    query = read_project_query(request.query_params, choices)
    found = await transactions.read(request, queries.list_projects, query.filters)
    return query, choices, found


def _json(payload: object, media_type: str = "application/json") -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type=media_type)


def _context(query: ProjectQuery, choices: Any, found: tuple[ProjectView, ...]) -> dict[str, Any]:
    return {
        "query": query,
        "choices": choices,
        "projects": found,
        "statuses": STATUSES,
        "base": "/projects",
    }


async def project_list(request: Request) -> Response:
    query, choices, found = await _listed(request)
    return render(request, "implementation/list.html", _context(query, choices, found))


async def project_map(request: Request) -> Response:
    query, choices, found = await _listed(request)
    settings = request.app.state.settings
    context = _context(query, choices, found) | {
        "unlocated": sum(1 for p in found if p.lat_e6 is None or p.lon_e6 is None),
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
    }
    return render(request, "implementation/map.html", context)


async def projects_geojson(request: Request) -> Response:
    _, _, found = await _listed(request)
    translations = request.state.translations
    names = {s: translations.gettext(m) for s, m in labels.IMPLEMENTATION_STATUSES.items()}
    return _json(
        exports.proposal_features(found, names, exports.LINK_BASE, path="/projects"), GEOJSON
    )


def _records(request: Request, found: tuple[ProjectView, ...]) -> list[dict[str, object]]:
    base, locale = exports.LINK_BASE, request.state.locale
    return [project_record(p, locale=locale, base_url=base) for p in found]


async def projects_csv(request: Request) -> Response:
    _, _, found = await _listed(request)
    return Response(
        exports.to_csv(_records(request, found), COLUMNS),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="projects.csv"'},
    )


async def projects_json(request: Request) -> Response:
    _, _, found = await _listed(request)
    records = _records(request, found)
    return _json({"count": len(records), "projects": records})


async def project_page(request: Request) -> Response:
    detail = await transactions.read(request, queries.project_detail, loaders.loaded_id(request))
    cycle = await transactions.read(request, queries.get_cycle, detail.project.cycle_id)
    context = {
        "detail": detail,
        "project": detail.project,
        "cycle": cycle,
        "latitude": format_degrees(detail.project.lat_e6),
        "longitude": format_degrees(detail.project.lon_e6),
    }
    return render(request, "implementation/project.html", context)


ROUTES = [
    route("/projects", project_list, roles=EVERYONE),
    route("/projects/map", project_map, roles=EVERYONE),
    route("/projects.geojson", projects_geojson, roles=EVERYONE),
    route("/projects.csv", projects_csv, roles=EVERYONE),
    route("/projects.json", projects_json, roles=EVERYONE),
    route(
        "/projects/{proposal_id:id}",
        project_page,
        roles=EVERYONE,
        loader=loaders.funded_project,
    ),
]
