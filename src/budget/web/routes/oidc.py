"""Sign in through an OpenID Connect provider (SECURITY.md T13).

`POST /login/oidc` (a button on the sign-in page naming the provider, CSRF-checked) sends the
browser to the provider; the provider sends it back to the one callback, which takes the state
(once, for this browser only; the state names the provider, and an `iss` answer parameter,
RFC 9207, must be that provider's issuer), exchanges the code and checks the ID token
(web/oidc.py), then signs in a known identity or mails the confirmation link for a first
sign-in. Any failed check shows a page naming it, with status 400, and touches no account.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from budget.domain.accounts import LinkPurpose
from budget.domain.errors import BudgetError, SignInRefused, Throttled
from budget.services import identity, oidc
from budget.web import auth, messages, transactions
from budget.web.forms import Form
from budget.web.oidc import Providers
from budget.web.routing import EVERYONE, route, safe_next
from budget.web.templating import Templates


def render(request: Request, name: str, status: int = 200, **extra: Any) -> Response:
    templates: Templates = request.app.state.templates
    return templates.response(request, name, extra, status_code=status)


def refused(request: Request, error: BudgetError, status: int = 400) -> Response:
    return render(request, "identity/oidc_refused.html", status, error=messages.of_error(error))


def _browser(request: Request) -> str:
    """The cookie's id this sign-in is bound to (anonymous id, or the session's token)."""
    visitor: auth.Visitor = request.state.visitor
    return visitor.session_token or visitor.anonymous_id or ""


def _providers(request: Request) -> Providers:
    providers: Providers = request.app.state.oidc
    return providers


async def start(request: Request) -> Response:
    form = Form(await request.form())
    name = form.values.get("provider", "")
    providers = _providers(request)
    if name not in providers:
        return refused(request, SignInRefused(reason="no such identity provider"), 404)
    state, browser = secrets.token_urlsafe(32), _browser(request)
    try:
        started = await providers.start(name, state, browser)
    except SignInRefused as error:
        return refused(request, error, 502)
    await transactions.perform(
        request, oidc.start_login, provider=name, state_hash=providers.digest("state", state),
        browser_hash=providers.digest("browser", browser),
        next_path=safe_next(form.values.get("next")),
    )  # fmt: skip
    return RedirectResponse(started.url, status_code=303)


async def callback(request: Request) -> Response:
    providers = _providers(request)
    query = request.query_params
    state, code = query.get("state", ""), query.get("code", "")
    browser = _browser(request)
    taken = await transactions.perform(
        request, oidc.take_login, state_hash=providers.digest("state", state),
        browser_hash=providers.digest("browser", browser),
    )  # fmt: skip
    if taken is None or taken[0] not in providers:
        return refused(request, SignInRefused(reason="unknown, used or expired state"))
    name, next_path = taken
    if "iss" in query and query["iss"] != providers.configs[name].issuer:
        return refused(request, SignInRefused(reason="the answer came from another provider"))
    if "error" in query:
        reason = f"the provider answered {query.get('error', '')[:64]}"
        return refused(request, SignInRefused(reason=reason))
    try:
        claims = await providers.finish(name, code, state, browser)
        account_id = await transactions.perform(
            request, oidc.sign_in, claims=claims, links=auth.links_for(request),
            language=request.state.locale,
        )  # fmt: skip
    except Throttled as error:
        return refused(request, error, 429)
    except SignInRefused as error:
        return refused(request, error)
    if account_id is None:
        return RedirectResponse("/login?notice=oidc-link-sent", status_code=303)
    await auth.start_signed_in(request, account_id, provider=name)
    return RedirectResponse(next_path, status_code=303)


async def confirm_page(request: Request) -> Response:
    token = request.query_params.get("token", "")
    live = await transactions.perform(
        request, identity.link_is_live, token_key=request.app.state.token_key, token=token,
        purposes=(LinkPurpose.OIDC_LINK,),
    )  # fmt: skip
    form = Form({"token": token})
    return render(request, "identity/oidc_confirm.html", 200 if live else 410, form=form,
                  live=live)  # fmt: skip


async def confirm(request: Request) -> Response:
    form = Form(await request.form())
    try:
        account_id, provider = await transactions.perform(
            request, oidc.confirm_link, token=form.values.get("token", ""),
            token_key=request.app.state.token_key,
        )  # fmt: skip
    except BudgetError as error:
        form.add_service_error(error)
        return render(request, "identity/oidc_confirm.html", 410, form=form, live=False)
    await auth.start_signed_in(request, account_id, provider=provider)
    return RedirectResponse("/account?notice=signed-in", status_code=303)


ROUTES = [
    route("/login/oidc/confirm", confirm_page, roles=EVERYONE, name="oidc_confirm_page"),
    route("/login/oidc/confirm", confirm, roles=EVERYONE, methods=["POST"], name="oidc_confirm"),
    route("/login/oidc", start, roles=EVERYONE, methods=["POST"], name="oidc_start"),
    route("/login/oidc/callback", callback, roles=EVERYONE, name="oidc_callback"),
]
