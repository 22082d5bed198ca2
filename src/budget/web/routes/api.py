"""The public read-only API, version 1 (PRODUCT.md "Results" 7): cycles, a cycle's budgets, a
budget's projects, a funded project's building, and the OpenAPI document describing them.

Read through the same queries and view models as the pages, so the API shows what the pages
show and nothing more: draft cycles are 404 (as their pages), proposals come from the one
public-listing clause (queries.all_matching: PUBLIC_STATUSES), projects from the funded list.
No sign-in and no cookie set; answers are cacheable (ETag, Cache-Control) and errors are JSON
(web/errors.py answers for /api/ paths). `results_url` stays null until results are published.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import BudgetView, CycleView, ProposalFilters
from budget.domain.cycle import is_public
from budget.domain.errors import NotFound
from budget.domain.proposals import ProposalStatus
from budget.web import exports, loaders, openapi, transactions
from budget.web.projects import change_record, milestone_record, project_record
from budget.web.results_page import results_page, results_record, results_winners
from budget.web.routing import EVERYONE, route

PREFIX: Final = "/api/v1"
CACHE: Final = "public, max-age=60"
MAX_ID: Final = 2**31 - 1  # the largest id a database row can have (INTEGER on PostgreSQL)


def answer(request: Request, payload: object) -> Response:
    """JSON with a strong ETag of its bytes; 304 when the client already holds it. No cookie
    is set (the payload written back is the one received)."""
    request.state.cookie_payload = getattr(request.state, "cookie_received", None)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": tag,
        "Cache-Control": CACHE,
        "Vary": "Accept-Language, Cookie",
        "Content-Language": request.state.locale,
    }
    if tag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _id(request: Request, name: str, kind: str) -> int:
    value: int = loaders.loaded_id(request)
    if not 1 <= value <= MAX_ID:
        raise NotFound(kind=kind, id=value)
    return value


def _local(item: Any, locale: str) -> str:
    own, other = ("fr", "en") if locale == "fr" else ("en", "fr")
    value: str = getattr(item, f"name_{own}") or getattr(item, f"name_{other}")
    return value


async def _public_cycle(request: Request, cycle_id: int) -> CycleView:
    cycle = await transactions.read(request, queries.get_cycle, cycle_id)
    if not is_public(cycle.phase):
        raise NotFound(kind="cycle", id=cycle_id)
    return cycle


def _names(item: Any, locale: str) -> dict[str, str]:
    return {"name": _local(item, locale), "name_fr": item.name_fr, "name_en": item.name_en}


def _district(budget: BudgetView) -> dict[str, object] | None:
    if budget.district_id is None:
        return None
    return {"id": budget.district_id, "code": budget.district_code, "name": budget.district_name}


def budget_record(
    budget: BudgetView, base: str, locale: str, *, published: bool = False
) -> dict[str, object]:
    return {
        "id": budget.id,
        **_names(budget, locale),
        "scope": budget.scope,
        "district": _district(budget),
        "amount": budget.amount,
        "currency": budget.currency,
        "projects_url": f"{base}{PREFIX}/budgets/{budget.id}/projects",
        "results_url": f"{base}{PREFIX}/budgets/{budget.id}/results" if published else None,
    }


async def cycles(request: Request) -> Response:
    base, locale = exports.LINK_BASE, request.state.locale
    listed = await transactions.read(request, queries.list_cycles)
    return answer(
        request,
        {
            "cycles": [
                {
                    "id": c.id, **_names(c, locale), "instance": c.instance,
                    "phase": c.phase.value, "url": f"{base}{PREFIX}/cycles/{c.id}",
                    "page_url": f"{base}/cycles/{c.id}",
                }
                for c in listed
                if is_public(c.phase)
            ]
        },
    )  # fmt: skip


async def cycle(request: Request) -> Response:
    found = await _public_cycle(request, _id(request, "cycle_id", "cycle"))
    base, locale = exports.LINK_BASE, request.state.locale
    published = {b.id for b in found.budgets if await transactions.read(
        request, queries.is_published, b.id)}  # fmt: skip
    return answer(
        request,
        {
            "id": found.id, **_names(found, locale), "instance": found.instance,
            "phase": found.phase.value, "currency": found.currency,
            "time_zone": found.time_zone, "url": f"{base}{PREFIX}/cycles/{found.id}",
            "page_url": f"{base}/cycles/{found.id}",
            "budgets": [
                budget_record(b, base, locale, published=b.id in published)
                for b in found.budgets
            ],
        },
    )  # fmt: skip


async def budget_projects(request: Request) -> Response:
    budget = await transactions.read(
        request, queries.get_budget, _id(request, "budget_id", "budget")
    )
    await _public_cycle(request, budget.cycle_id)
    filters = ProposalFilters(budget_id=budget.id)
    listed = await transactions.read(request, queries.all_matching, budget.cycle_id, filters)
    categories = await transactions.read(request, queries.list_categories, budget.cycle_id)
    by_id = {c.id: c for c in categories}
    base, locale = exports.LINK_BASE, request.state.locale

    def category(category_id: int | None) -> dict[str, object] | None:
        found = by_id.get(category_id) if category_id is not None else None
        if found is None:
            return None
        return {"id": found.id, "code": found.code, "name": _local(found, locale)}

    projects = [
        {
            "id": p.id, "name": p.title, "cost": p.final_cost, "currency": budget.currency,
            "category": category(p.category_id), "district": _district(budget),
            "status": p.status.value, "proposal_url": f"{base}/proposals/{p.id}",
            "implementation_url": (
                f"{base}{PREFIX}/projects/{p.id}/implementation"
                if p.status is ProposalStatus.FUNDED else None
            ),
        }
        for p in sorted(listed, key=lambda p: p.id)
    ]  # fmt: skip
    return answer(
        request, {"budget_id": budget.id, "cycle_id": budget.cycle_id, "projects": projects}
    )


async def project_implementation(request: Request) -> Response:
    detail = await transactions.read(
        request, queries.project_detail, _id(request, "proposal_id", "project")
    )
    base, locale = exports.LINK_BASE, request.state.locale
    return answer(
        request,
        {
            "project": project_record(detail.project, locale=locale, base_url=base),
            "milestones": [milestone_record(m) for m in detail.milestones],
            "changes": [change_record(c) for c in detail.changes],
        },
    )


async def budget_results(request: Request) -> Response:
    """A budget's results, 404 until published for every caller: the API has no sign-in."""
    budget = await transactions.read(
        request, queries.get_budget, _id(request, "budget_id", "budget")
    )
    await _public_cycle(request, budget.cycle_id)
    view = await transactions.read(request, queries.budget_results, budget.id)
    if view is None or view.published_at is None:
        raise NotFound(kind="results", id=budget.id)
    winners = await transactions.read(request, results_winners, budget.id)
    districts = await transactions.read(request, queries.district_turnout, budget.id)
    page = results_page(view, districts)
    return answer(request, results_record(page, winners, exports.LINK_BASE))


async def openapi_document(request: Request) -> Response:
    return answer(request, openapi.document())


ROUTES = [
    route(PREFIX + "/cycles", cycles, roles=EVERYONE, name="api_cycles"),
    route(
        PREFIX + "/cycles/{cycle_id:id}",
        cycle,
        roles=EVERYONE,
        loader=loaders.public_cycle,
        name="api_cycle",
    ),
    route(
        PREFIX + "/budgets/{budget_id:id}/projects",
        budget_projects,
        loader=loaders.public_budget,
        roles=EVERYONE,
        name="api_budget_projects",
    ),
    route(
        PREFIX + "/projects/{proposal_id:id}/implementation",
        project_implementation,
        loader=loaders.funded_project,
        roles=EVERYONE,
        name="api_project_implementation",
    ),
    route(
        PREFIX + "/budgets/{budget_id:id}/results",
        budget_results,
        loader=loaders.public_budget,
        roles=EVERYONE,
        name="api_budget_results",
    ),
    route(PREFIX + "/openapi.json", openapi_document, roles=EVERYONE, name="api_openapi"),
]
