"""The public side of proposals: the list (search, filters, sort, pages; htmx swaps the results,
the same URL works without JavaScript), a proposal's page with its history, its versions with
a diff, the map, and the CSV/JSON exports.

Every object comes through the route's loader (web/loaders.py): only public proposals appear
(db.queries.publicly_visible), and a draft's pages answer 404 to anyone but its accepted
authors (T7). Filter values are allow-listed (web/listing.py).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import CategoryView, CycleView, ProposalView, VersionView
from budget.domain.accounts import Caller
from budget.domain.engagement import COMMENT_EDIT_MINUTES
from budget.domain.errors import NotFound
from budget.domain.geo import format_degrees
from budget.domain.proposals import AuthorActions, author_actions
from budget.web import exports, labels, loaders, transactions
from budget.web.caller import caller_of
from budget.web.forms import Form
from budget.web.listing import ListQuery, natural_key, read_list_query, shuffle_seed
from budget.web.routing import EVERYONE, route
from budget.web.templating import render

GEOJSON: Final = "application/geo+json"
DIFF_FIELDS: Final = ("title", "summary", "description", "address")


async def _list_query(request: Request, cycle: CycleView) -> tuple[ListQuery, Any]:
    categories = await transactions.read(request, queries.list_categories, cycle.id)
    seed = shuffle_seed(request.state.csrf_token)
    return read_list_query(request.query_params, cycle, categories, seed=seed), categories


def _districts(cycle: CycleView) -> list[tuple[int, str]]:
    seen = {b.district_id: b.district_name or "" for b in cycle.budgets if b.district_id}
    return sorted(seen.items(), key=lambda item: natural_key(item[1]))


@dataclass(frozen=True)
class Listed:
    page: queries.ProposalPage
    covers: Mapping[int, queries.ImageView]
    option: queries.SupportOption
    counts: Mapping[int, int]


def _listed(db: Session, cycle_id: int, query: ListQuery) -> Listed:
    """The list page's reads after its query, in one call (one trip to a worker thread)."""
    page = queries.search_proposals(db, cycle_id, query.filters, page=query.page)
    shown = [p.id for p in page.items]
    return Listed(
        page=page,
        covers=queries.cover_images(db, shown),
        option=queries.support_option(db, cycle_id),
        counts=queries.support_counts(db, shown),
    )


async def proposal_list(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    query, categories = await _list_query(request, cycle)
    listed = await transactions.read(request, _listed, cycle.id, query)
    page, covers, option, counts = listed.page, listed.covers, listed.option, listed.counts
    base = f"/cycles/{cycle.id}/proposals"
    context = {
        "cycle": cycle,
        "query": query,
        "results": page,
        "covers": covers,
        "supports_enabled": option.enabled,
        "support_threshold": option.threshold,
        "support_counts": counts if option.enabled else {},
        "base": base,
        "categories": categories,
        "category_by_id": {c.id: c for c in categories},
        "budget_by_id": {b.id: b for b in cycle.budgets},
        "districts": _districts(cycle),
        "statuses": [s.value for s in queries.PUBLIC_STATUSES],
    }
    return render(request, "proposals/list.html", context, fragment="proposals/_results.html")


@dataclass(frozen=True)
class Detail:
    proposal: ProposalView
    cycle: CycleView
    authors: tuple[queries.AuthorView, ...]
    credit: queries.Credit | None
    merged_into: ProposalView | None
    history: tuple[queries.EventView, ...]
    versions: int
    category: CategoryView | None
    images: tuple[queries.ImageView, ...]
    supports: queries.SupportOption
    support_count: int
    supported: bool
    following: bool
    actions: AuthorActions


def _detail(db: Session, proposal: ProposalView, caller: Caller) -> Detail:
    """Everything the proposal's page shows, in one read; the proposal was loaded for the
    caller by the route (loaders.visible_proposal), its cycle is checked the same way."""
    proposal_id = proposal.id
    cycle = loaders.public_cycle(db, caller, proposal.cycle_id)
    role = queries.author_role(db, proposal_id, caller.account_id)
    viewer_id = caller.account_id
    into = proposal.merged_into_id
    return Detail(
        proposal=proposal,
        cycle=cycle,
        authors=queries.authors_of(db, proposal_id),
        credit=queries.credit_of(db, proposal_id),
        merged_into=queries.get_proposal(db, into) if into is not None else None,
        history=queries.history_of(db, proposal_id),
        versions=len(queries.versions_of(db, proposal_id)),
        category=(queries.get_category(db, proposal.category_id) if proposal.category_id else None),
        images=() if proposal.hidden_at else queries.images_of(db, proposal_id),
        supports=queries.support_option(db, proposal.cycle_id),
        support_count=queries.support_counts(db, [proposal_id])[proposal_id],
        supported=queries.has_supported(db, proposal_id, viewer_id),
        following=queries.is_following(db, proposal_id, viewer_id),
        actions=author_actions(cycle.phase, proposal.status, proposal.submitted_at, role),
    )


def _visible_detail(db: Session, proposal_id: int, caller: Caller) -> Detail:
    return _detail(db, loaders.visible_proposal(db, caller, proposal_id), caller)


async def _load(request: Request, proposal_id: int | None = None) -> tuple[Detail, CycleView]:
    """The page's proposal: the route's (its loader), or `proposal_id` read by the same rule
    (a comment's route shows its proposal's page)."""
    caller = caller_of(request.state.visitor)
    if proposal_id is None:
        proposal = loaders.loaded(request, ProposalView)
        detail = await transactions.read(request, _detail, proposal, caller)
    else:
        detail = await transactions.read(request, _visible_detail, proposal_id, caller)
    return detail, detail.cycle


async def proposal_page(request: Request) -> Response:
    return await show_proposal(request, None)


async def show_proposal(
    request: Request,
    proposal_id: int | None,
    *,
    comment_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    """A proposal's page; with `comment_form`, a refused comment or report shown in it."""
    detail, cycle = await _load(request, proposal_id)
    proposal = detail.proposal
    budget = next((b for b in cycle.budgets if b.id == proposal.budget_id), None)
    context = {
        "cycle": cycle,
        "proposal": proposal,
        "detail": detail,
        "budget": budget,
        "actions": detail.actions,
        "tile_url": request.app.state.settings.tile_url,
        "tile_attribution": request.app.state.settings.tile_attribution,
        "latitude": format_degrees(proposal.lat_e6),
        "longitude": format_degrees(proposal.lon_e6),
        "comment_form": comment_form or Form({}),
        "comments": await transactions.read(request, _public_comments, proposal),
        "editable_after": transactions.now(request) - timedelta(minutes=COMMENT_EDIT_MINUTES),
    }
    return render(request, "proposals/detail.html", context, status_code=status_code)


def _public_comments(db: Session, proposal: ProposalView) -> tuple[queries.CommentView, ...]:
    return () if proposal.hidden_at else queries.comments_of(db, proposal.id)


@dataclass(frozen=True)
class FieldDiff:
    name: str
    lines: tuple[tuple[str, str], ...]  # (" ", "-" or "+", the line): escaped by the template


@dataclass(frozen=True)
class VersionDiff:
    version: VersionView
    changes: tuple[FieldDiff, ...]


def diff_versions(versions: tuple[VersionView, ...]) -> list[VersionDiff]:
    """Each version with what changed since the one before (the first: everything, added)."""
    result = []
    previous: VersionView | None = None
    for version in versions:
        changes = []
        for name in DIFF_FIELDS:
            old = (getattr(previous, name) or "") if previous else ""
            new = getattr(version, name) or ""
            if previous is not None and old == new:
                continue
            lines = [
                (line[0], line[2:])
                for line in difflib.ndiff(old.splitlines(), new.splitlines())
                if line[:1] in (" ", "-", "+")
            ]
            changes.append(FieldDiff(name, tuple(lines)))
        result.append(VersionDiff(version, tuple(changes)))
        previous = version
    return result


async def proposal_versions(request: Request) -> Response:
    detail, cycle = await _load(request)
    if detail.proposal.hidden_at is not None:  # hidden by moderation: its text is not shown
        raise NotFound(kind="proposal", id=detail.proposal.id)
    versions = await transactions.read(request, queries.versions_of, detail.proposal.id)
    context = {
        "cycle": cycle,
        "proposal": detail.proposal,
        "diffs": list(reversed(diff_versions(versions))),  # newest first
    }
    return render(request, "proposals/versions.html", context)


async def proposal_map(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    query, categories = await _list_query(request, cycle)
    located = await transactions.read(request, queries.all_matching, cycle.id, query.filters)
    settings = request.app.state.settings
    option = await transactions.read(request, queries.support_option, cycle.id)
    base = f"/cycles/{cycle.id}/proposals"
    context = {
        "supports_enabled": option.enabled,
        "cycle": cycle,
        "query": query,
        "base": base,
        "categories": categories,
        "districts": _districts(cycle),
        "statuses": [s.value for s in queries.PUBLIC_STATUSES],
        "total": len(located),
        "unlocated": sum(1 for p in located if p.lat_e6 is None or p.lon_e6 is None),
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
    }
    return render(request, "proposals/map.html", context)


def _json(payload: object, media_type: str = "application/json") -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type=media_type)


LINK_BASE: Final = exports.LINK_BASE


async def proposals_geojson(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    query, _ = await _list_query(request, cycle)
    found = await transactions.read(request, queries.all_matching, cycle.id, query.filters)
    translations = request.state.translations
    names = {code: translations.gettext(msgid) for code, msgid in labels.PROPOSAL_STATUSES.items()}
    covers = await transactions.read(request, queries.cover_images, [p.id for p in found])
    return _json(exports.proposal_features(found, names, LINK_BASE, covers), GEOJSON)


async def districts_geojson(request: Request) -> Response:
    cycle = loaders.loaded(request, CycleView)
    districts = await transactions.read(request, queries.cycle_boundaries, cycle.id)
    return _json(exports.district_features(districts), GEOJSON)


async def _records(request: Request) -> tuple[CycleView, list[dict[str, object]]]:
    cycle = loaders.loaded(request, CycleView)
    query, categories = await _list_query(request, cycle)
    found = await transactions.read(request, queries.all_matching, cycle.id, query.filters)
    authors = await transactions.read(request, queries.authors_by_proposal, [p.id for p in found])
    budgets = {b.id: b for b in cycle.budgets}
    by_category = {c.id: c for c in categories}
    records = [
        exports.proposal_record(
            p,
            budget=budgets.get(p.budget_id),
            category=by_category.get(p.category_id) if p.category_id else None,
            authors=authors.get(p.id, ()),
            locale=request.state.locale,
            base_url=LINK_BASE,
        )
        for p in found
    ]
    return cycle, records


async def proposals_csv(request: Request) -> Response:
    cycle, records = await _records(request)
    name = f"proposals-cycle-{cycle.id}.csv"
    return Response(
        exports.to_csv(records),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def proposals_json(request: Request) -> Response:
    cycle, records = await _records(request)
    return _json({"cycle_id": cycle.id, "count": len(records), "proposals": records})


LIST = "/cycles/{cycle_id:id}/proposals"
CYCLE, PROPOSAL = loaders.public_cycle, loaders.visible_proposal
ROUTES = [
    route(LIST, proposal_list, roles=EVERYONE, loader=CYCLE),
    route(LIST + "/map", proposal_map, roles=EVERYONE, loader=CYCLE),
    route(LIST + ".geojson", proposals_geojson, roles=EVERYONE, loader=CYCLE),
    route(LIST + ".csv", proposals_csv, roles=EVERYONE, loader=CYCLE),
    route(LIST + ".json", proposals_json, roles=EVERYONE, loader=CYCLE),
    route(
        "/cycles/{cycle_id:id}/districts.geojson", districts_geojson, roles=EVERYONE, loader=CYCLE
    ),
    route("/proposals/{proposal_id:id}", proposal_page, roles=EVERYONE, loader=PROPOSAL),
    route(
        "/proposals/{proposal_id:id}/versions", proposal_versions, roles=EVERYONE, loader=PROPOSAL
    ),
]
