"""Council administration of accounts and roles, and the audit log.

Granting or revoking a role ends the account's sessions (services.accounts, T5), so the change
takes effect at its next sign-in. The search box filters as one types with htmx (the results
table is swapped); without JavaScript it is an ordinary GET form.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.db.queries import AccountView
from budget.domain.accounts import Role
from budget.services import accounts
from budget.web import errors, i18n, loaders, messages, transactions
from budget.web.caller import actor_id
from budget.web.forms import NOT_CHOICE, Form, search_term
from budget.web.numbers import page_number
from budget.web.routing import COUNCIL, route
from budget.web.templating import is_htmx, render, see_other

PAGE_SIZE: Final = 50
PAGE_MAX: Final = 10**6
ROLE_VALUES: Final = tuple(role.value for role in Role)
ACTIONS: Final = ("grant", "revoke")


async def accounts_context(request: Request, search: str, page: int) -> dict[str, Any]:
    listed = await transactions.read(
        request,
        queries.list_accounts,
        search=search,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    total = await transactions.read(request, queries.count_accounts, search)
    pages = max(1, -(-total // PAGE_SIZE))
    return {
        "accounts": listed,
        "search": search,
        "page": page,
        "pages": pages,
        "total": total,
        "roles": ROLE_VALUES,
        "row_error": None,
        "error_account": None,
    }


async def accounts_page(request: Request) -> Response:
    search = search_term(request.query_params, max_length=254)
    context = await accounts_context(request, search, page_number(request.query_params))
    return render(
        request, "admin/accounts.html", context, fragment="_fragments/account_results.html"
    )


async def change_role(request: Request) -> Response:
    """Grant or revoke one role; htmx swaps the account's row, without JS the page reloads."""
    account_id = loaders.loaded(request, AccountView).id
    form = Form(await request.form())
    role = form.choice("role", ROLE_VALUES)
    action = form.choice("action", ACTIONS)
    if role is None or action is None:  # only a tampered form gets here
        return errors.page(request, 422, NOT_CHOICE)
    service = accounts.grant_role if action == "grant" else accounts.revoke_role
    done = await transactions.attempt(
        request, form, service, actor_id=actor_id(request), account_id=account_id, role=Role(role)
    )
    if done and not is_htmx(request):
        return see_other(request, f"/admin/accounts?notice=roles-saved#account-{account_id}")
    status = 200 if done else form.status
    row_error = None if form.refusal is None else messages.of_error(form.refusal)
    if is_htmx(request):
        account = await transactions.read(request, queries.get_account, account_id)
        context = {"account": account, "roles": ROLE_VALUES, "row_error": row_error}
        return render(request, "_fragments/account_row.html", context, status_code=status)
    context = await accounts_context(request, "", 1)
    context.update(row_error=row_error, error_account=account_id)
    return render(request, "admin/accounts.html", context, status_code=status)


async def audit_page(request: Request) -> Response:
    page = page_number(request.query_params)
    entries = await transactions.read(
        request, queries.list_audit, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    head = await transactions.read(request, queries.audit_head)
    zone = await transactions.read(request, queries.log_time_zone, i18n.DEFAULT_TIME_ZONE)
    context = {
        "entries": entries,
        "time_zone": zone,
        "page": page,
        "head": head,
        "has_more": len(entries) == PAGE_SIZE,
    }
    return render(request, "admin/audit.html", context)


ROUTES = [
    route("/admin/accounts", accounts_page, roles=COUNCIL),
    route(
        "/admin/accounts/{account_id:id}/roles",
        change_role,
        roles=COUNCIL,
        methods=["POST"],
        loader=loaders.account,
    ),
    route("/admin/audit", audit_page, roles=COUNCIL),
]
