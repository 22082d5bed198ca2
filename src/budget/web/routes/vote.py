"""Voting pages: the voter's home, one budget's ballot per screen (list or map), the live
counter (an htmx fragment computed by the server; a plain submit without JavaScript), the
confirmation page, the receipt, and the public receipt check.

Eligibility never comes from the request (T2): the voter's roll entry and entitled budgets are
read on every request, and the budget id in the URL is checked against them. Ballot pages carry
`Cache-Control: no-store` and log the budget id and outcome only (T3).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.domain import receipts, validation
from budget.domain.errors import BudgetError, NotEntitled, PermissionDenied, Throttled
from budget.domain.validation import Ballot
from budget.services import voting
from budget.web import ballot_forms, loaders, numbers, transactions
from budget.web.i18n import N_
from budget.web.messages import Message, of_error
from budget.web.routing import EVERYONE, SIGNED_IN, route
from budget.web.templating import render
from budget.web.voters import VoterAccess, resolve_code_voter, resolve_voter, voting_keys

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}

TIE_BREAK_WORDS: Mapping[str, str] = {
    "more-votes": N_("the project with more votes"),
    "higher-score": N_("the project with the higher score"),
    "lower-cost": N_("the cheaper project"),
    "higher-cost": N_("the more expensive project"),
    "source-order": N_("the project listed first"),
    "lottery": N_("a lottery drawn from the seed committed when voting opened"),
}
CHOOSE_CYCLE: Final = N_("Choose the participatory budget your letter is for.")
NO_VOTE_OPEN: Final = N_("No vote is open now.")
# Why a choice is disabled, by the error choosing it would raise.
BLOCKED_WORDS: Mapping[str, str] = {
    "ballot.too-many": N_("You already chose the most projects allowed (%(max)s)."),
    "ballot.over-budget": N_("This project costs more than what is left of the budget."),
    "ballot.points-per-project": N_("At most %(cap)s points per project."),
    "ballot.points-over-limit": N_("No points left: take points from another project first."),
}


def _no_store(response: Response) -> Response:
    response.headers.update(NO_STORE)
    return response


def _ballot(
    request: Request, context: dict[str, Any], *, status: int = 200, fragment: str | None = None
) -> Response:
    """The ballot page (or its htmx fragment), with the map's tile settings, never cached."""
    settings = request.app.state.settings
    full = {**context, "tile_url": settings.tile_url, "tile_attribution": settings.tile_attribution}
    return _no_store(
        render(request, "vote/ballot.html", full, status_code=status, fragment=fragment)
    )


def _counter(page: queries.BallotPage, ballot: Ballot) -> dict[str, Any]:
    rules = page.frozen.rules
    shown = validation.progress(rules, ballot)
    return {
        "progress": shown,
        "problem": of_error(shown.problem) if shown.problem else None,
        "blocked": {
            p: Message(BLOCKED_WORDS[e.code], e.params)
            for p, e in validation.blocked_choices(rules, ballot).items()
        },
    }


def _projects_shown(page: queries.BallotPage, category: str) -> list[queries.BallotProjectView]:
    return [p for p in page.projects if not category or p.category_code == category]


def _categories(page: queries.BallotPage) -> list[tuple[str, str, str]]:
    found = {
        p.category_code: (p.category_code, p.category_fr or "", p.category_en or "")
        for p in page.projects
        if p.category_code
    }
    return [found[code] for code in sorted(found)]


def ballot_context(
    access: VoterAccess,
    page: queries.BallotPage,
    ballot: Ballot,
    *,
    category: str = "",
    view: str = "list",
    error: BudgetError | None = None,
) -> dict[str, Any]:
    shown = _projects_shown(page, category)
    shown_ids = {p.id for p in shown}
    return {
        "page": page,
        "access": access,
        "rules": page.frozen.rules,
        "limits": page.frozen.rules.limits,
        "kind": page.frozen.rules.ballot_type.value,
        "projects": shown,
        "categories": _categories(page),
        "category": category,
        "marked": ballot_forms.marked(ballot),
        "kept": [
            (n, v)
            for n, v in ballot_forms.hidden_fields(page.frozen.rules.ballot_type, ballot)
            if int(n.split("-")[-1] if "-" in n else v) not in shown_ids
        ],
        "rank_count": min(page.frozen.rules.limits.max_ranks or 0, len(page.projects)),
        "tie_break": [TIE_BREAK_WORDS.get(c, c) for c in page.frozen.tie_break.split(",")],
        "view": view,
        "error": of_error(error) if error else None,
        **_counter(page, ballot),
    }


def typed_code(form: Mapping[str, Any]) -> str | None:
    """The voting code a code voter's forms carry (hidden field `code`), None for an account."""
    value = form.get("code")
    return str(value) if value is not None else None


async def _page_and_access(
    request: Request, budget_id: int, code: str | None = None
) -> tuple[queries.BallotPage, VoterAccess]:
    page = await transactions.read(request, queries.ballot_page, budget_id)
    access = await resolve_voter(request, page.cycle_id, code)
    if budget_id not in access.entitled:
        raise NotEntitled()
    return page, access


async def ballot_page(request: Request) -> Response:
    """GET: the empty ballot of one budget (the list, or `/map`)."""
    budget_id = loaders.loaded_id(request)
    page, access = await _page_and_access(request, budget_id)
    view = "map" if request.url.path.endswith("/map") else "list"
    category = request.query_params.get("category", "")
    context = ballot_context(access, page, Ballot(()), category=category, view=view)
    return _ballot(request, context)


async def ballot_action(request: Request) -> Response:
    """POST: recount (htmx fragment, or the page again without JavaScript), filter, or review
    (the confirmation page when the ballot is valid, else the page with the reason)."""
    budget_id = loaders.loaded_id(request)
    form = await request.form()
    page, access = await _page_and_access(request, budget_id, typed_code(form))
    items = [(k, str(v)) for k, v in form.multi_items()]
    action = str(form.get("action", "recount"))
    category = str(form.get("category", ""))
    view = "map" if str(form.get("view", "")) == "map" else "list"
    kind = page.frozen.rules.ballot_type
    try:
        ballot = ballot_forms.parse(kind, items)
    except BudgetError as error:
        context = ballot_context(
            access, page, Ballot(()), category=category, view=view, error=error
        )
        return _ballot(request, context, status=422)
    if action != "review":
        context = ballot_context(access, page, ballot, category=category, view=view)
        return _ballot(request, context, fragment="vote/_choices.html")
    try:
        canonical = validation.validate(page.frozen.rules, ballot)
    except BudgetError as error:
        context = ballot_context(access, page, ballot, category=category, view=view, error=error)
        return _ballot(request, context, status=422)
    by_id = {p.id: p for p in page.projects}
    context = {
        "page": page,
        "access": access,
        "kind": kind.value,
        "chosen": [by_id[p] for p in canonical.choices],
        "weights": canonical.weights(),
        "hidden": ballot_forms.hidden_fields(kind, canonical),
        "form_key": voting.new_form_key(),
        "revisable": access.revisable,
    }
    return _no_store(render(request, "vote/confirm.html", context))


async def cast(request: Request) -> Response:
    """POST from the confirmation page: the ballot is validated and stored in one transaction;
    the receipt is shown only after the commit."""
    budget_id = loaders.loaded_id(request)
    form = await request.form()
    page, access = await _page_and_access(request, budget_id, typed_code(form))
    items = [(k, str(v)) for k, v in form.multi_items()]
    kind = page.frozen.rules.ballot_type
    try:
        ballot = ballot_forms.parse(kind, items)
        result = await transactions.perform(
            request, voting.cast_ballot, keys=voting_keys(request), voter=access.voter,
            budget_id=budget_id, ballot=ballot, form_key=str(form.get("form_key", "")),
        )  # fmt: skip
    except BudgetError as error:
        log.info("ballot refused: budget %s, %s", budget_id, error.code)
        context = ballot_context(access, page, Ballot(()), error=error)
        status = 409 if error.code.startswith("vote.") else 422
        if isinstance(error, PermissionDenied):  # an unconfirmed address (EmailNotVerified)
            status = 403
        return _ballot(request, context, status=status)
    log.info("ballot stored: budget %s", budget_id)
    context = {
        "page": page,
        "access": access,
        "receipt": receipts.grouped(result.receipt),
        "result": result,
    }
    return _no_store(render(request, "vote/receipt.html", context))


async def receipt_check(request: Request) -> Response:
    """The public receipt check: a POST form (GET shows it empty), never what a ballot chose."""
    context: dict[str, Any] = {"state": None, "error": None, "typed": ""}
    status = 200
    if request.method == "POST":
        form = await request.form()
        typed = str(form.get("receipt", ""))[:64]
        context["typed"] = typed
        try:
            context["state"] = await transactions.read(request, voting.check_receipt, typed)
        except BudgetError as error:
            context["error"] = of_error(error)
            status = 422
    return _no_store(render(request, "vote/check.html", context, status_code=status))


async def code_page(request: Request) -> Response:
    """Voting with a mailed code: GET shows the form; POST checks the code (throttled, T6) and
    shows the budgets it may vote in, each voted (on which day, final) or not. The code then
    travels in the forms' hidden fields, never in a URL or a cookie."""
    cycles = await transactions.read(request, queries.voting_cycle_names)
    context: dict[str, Any] = {
        "cycles": cycles, "typed": "", "chosen": None, "error": None, "home": None, "access": None,
    }  # fmt: skip
    if request.method == "GET":
        return _no_store(render(request, "vote/code.html", context))
    form = await request.form()
    typed = str(form.get("code", ""))
    chosen = numbers.parse_id(str(form.get("cycle", "")))
    if chosen is None and len(cycles) == 1:
        chosen = cycles[0].id
    context.update(typed=typed, chosen=chosen)
    if chosen is None or chosen not in {c.id for c in cycles}:
        context["error"] = Message(CHOOSE_CYCLE if cycles else NO_VOTE_OPEN)
        return _no_store(render(request, "vote/code.html", context, status_code=422))
    try:
        access = await resolve_code_voter(request, chosen, typed)
    except BudgetError as error:
        if isinstance(error, Throttled):
            raise
        context["error"] = of_error(error)
        return _no_store(render(request, "vote/code.html", context, status_code=422))
    voter_home = await transactions.read(request, queries.entry_home, access.voter.entry_id)
    context.update(access=access, home=voter_home, typed="")
    return _no_store(render(request, "vote/code.html", context))


async def home(request: Request) -> Response:
    """The voter's home: in each cycle open for voting, every budget the account's roll entry
    may vote in, voted (and until when it can be revised) or not, and the chosen district."""
    account = request.state.visitor.account
    homes = []
    for cycle_id in await transactions.read(request, queries.cycles_in_voting):
        entry = await transactions.read(request, queries.account_voter, cycle_id, account.id)
        if entry is not None:
            homes.append(await transactions.read(request, queries.voter_home, entry))
    return _no_store(render(request, "vote/home.html", {"homes": homes}))


BUDGET = loaders.public_budget  # entitlement and the phase are checked by the services
ROUTES = [
    route("/vote", home, roles=SIGNED_IN, name="vote_home"),
    route("/vote/code", code_page, roles=EVERYONE, methods=["GET", "POST"], writes=False),
    route("/vote/budgets/{budget_id:id}", ballot_page, roles=SIGNED_IN, loader=BUDGET),
    route(
        "/vote/budgets/{budget_id:id}/map",
        ballot_page,
        roles=SIGNED_IN,
        loader=BUDGET,
        name="ballot_map",
    ),
    route(
        "/vote/budgets/{budget_id:id}",
        ballot_action,
        loader=BUDGET,
        roles=EVERYONE,  # an account, or a code typed into the form (voters.resolve_voter)
        methods=["POST"],
        writes=False,
    ),
    route(
        "/vote/budgets/{budget_id:id}/cast",
        cast,
        roles=EVERYONE,  # an account, or a code typed into the form (voters.resolve_voter)
        loader=BUDGET,
        methods=["POST"],
    ),
    route("/receipt", receipt_check, roles=EVERYONE, methods=["GET", "POST"], writes=False),
]
