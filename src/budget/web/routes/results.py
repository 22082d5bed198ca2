"""Public results of a budget: the page and the open-data downloads (PRODUCT.md "Results" 5-6).

Every route's loader is `published_results`: before publication the results exist for the
council only, and anyone else gets 404 (T9). The downloads are the stored bytes: the box sealed
at close and the results document of the count, whose SHA-256s the page prints.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import BudgetView
from budget.domain.errors import NotFound
from budget.tally import rules as tally_rules
from budget.web import exports, loaders, transactions
from budget.web.results_page import CSV_COLUMNS, csv_records, results_page
from budget.web.routing import EVERYONE, Endpoint, RouteSpec, route
from budget.web.templating import render

BASE = "/budgets/{budget_id:id}/results"


async def _view(request: Request) -> queries.ResultsView:
    budget = loaders.loaded(request, BudgetView)
    view = await transactions.read(request, queries.budget_results, budget.id)
    if view is None:
        raise NotFound(kind="results", id=budget.id)
    return view


async def results(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    view = await _view(request)
    cycle = await transactions.read(request, queries.get_cycle, budget.cycle_id)
    districts = await transactions.read(request, queries.district_turnout, budget.id)
    categories = await transactions.read(request, queries.project_categories, budget.id)
    return render(
        request, "results/budget.html",
        {"budget": budget, "cycle": cycle, "page": results_page(view, districts, categories)},
    )  # fmt: skip


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body, media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "Cache-Control": "public, max-age=300"},
    )  # fmt: skip


async def box(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    data = await transactions.read(request, queries.box_bytes, budget.id)
    if data is None:
        raise NotFound(kind="results", id=budget.id)
    return _download(data, "text/plain; charset=utf-8", f"budget-{budget.id}.pb")


async def results_json(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    data = await transactions.read(request, queries.result_bytes, budget.id)
    if data is None:
        raise NotFound(kind="results", id=budget.id)
    return _download(data, "application/json", f"budget-{budget.id}-results.json")


async def projects_csv(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    page = results_page(await _view(request))
    body = exports.to_csv(csv_records(page), CSV_COLUMNS)
    return _download(body, "text/csv; charset=utf-8", f"budget-{budget.id}-projects.csv")


async def receipts(request: Request) -> Response:
    budget = loaders.loaded(request, BudgetView)
    await _view(request)
    hashes = await transactions.read(request, queries.receipt_hashes, budget.id)
    body = "".join(f"{h}\n" for h in hashes).encode()
    return _download(body, "text/plain; charset=utf-8", f"budget-{budget.id}-receipts.txt")


async def rules(request: Request) -> Response:
    """The counting rules in plain words: each results page links its rule here."""
    listed = [(name, rule.summary) for name, rule in tally_rules.RULES.items()]
    return render(request, "results/rules.html", {"rules": listed})


def _get(path: str, endpoint: Endpoint, name: str) -> RouteSpec:
    return route(path, endpoint, roles=EVERYONE, loader=loaders.published_results, name=name)


ROUTES = [
    route("/results/rules", rules, roles=EVERYONE, name="results_rules"),
    _get(BASE, results, "results"),
    _get(BASE + "/box.pb", box, "results_box"),
    _get(BASE + "/results.json", results_json, "results_json"),
    _get(BASE + "/projects.csv", projects_csv, "results_projects_csv"),
    _get(BASE + "/receipts.txt", receipts, "results_receipts"),
]
