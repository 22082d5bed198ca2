"""Accounts: register, sign in, sign out, change password, choose the language (T4, T5).

No answer reveals whether an address has an account (T4): registration with a known address
and sign-in with an unknown one look exactly like their ordinary outcomes. Sign-in always starts
a new server-side session (the old one is deleted, T5 fixation); sign-out deletes it.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from budget.db import queries
from budget.domain.errors import Throttled, WrongPassword
from budget.services import accounts, preferences, sessions
from budget.web import auth, errors, i18n, transactions
from budget.web.forms import FORM_LEVEL, NOT_CHOICE, Form
from budget.web.i18n import N_
from budget.web.oidc import Providers
from budget.web.routing import EVERYONE, SIGNED_IN, route, safe_next
from budget.web.templating import Templates

WRONG_CREDENTIALS: Final = N_("Wrong email address or password.")
PASSWORDS_DIFFER: Final = N_("The two passwords are not the same.")
ONE_YEAR: Final = 365 * 24 * 3600


def render(request: Request, name: str, form: Form, status: int = 200, **extra: Any) -> Response:
    if name == "accounts/login.html":
        providers: Providers = request.app.state.oidc
        extra["providers"] = [(c.name, c.label) for c in providers.configs.values()]
    templates: Templates = request.app.state.templates
    return templates.response(request, name, {"form": form, **extra}, status_code=status)


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


async def register_form(request: Request) -> Response:
    return render(request, "accounts/register.html", Form({}))


async def register(request: Request) -> Response:
    form = Form(await request.form())
    display_name = form.text("display_name", max_length=80)
    email = form.text("email", max_length=254)
    password = form.secret("password")
    confirm = form.secret("password_confirm")
    if password is not None and confirm is not None and password != confirm:
        form.add_error("password_confirm", PASSWORDS_DIFFER)
    if not form.is_valid or display_name is None or email is None or password is None:
        return render(request, "accounts/register.html", form, 422)
    if not await transactions.attempt_hashing(
        request, form, accounts.register, email=email, password=password,
        display_name=display_name, language=request.state.locale,
        hasher=request.app.state.hasher, links=auth.links_for(request),
    ):  # fmt: skip
        response = render(request, "accounts/register.html", form, form.status)
        if isinstance(form.refusal, Throttled):
            response.headers["Retry-After"] = str(form.refusal.params["retry_after"])
        return response
    # The same answer whether the address was new or already known (T4: no enumeration).
    return redirect("/login?notice=registered")


async def login_form(request: Request) -> Response:
    form = Form({"next": safe_next(request.query_params.get("next"))})
    return render(request, "accounts/login.html", form)


async def login(request: Request) -> Response:
    form = Form(await request.form())
    email = form.text("email", max_length=254)
    password = form.secret("password")
    target = safe_next(form.values.get("next"))
    if email is None or password is None:
        return render(request, "accounts/login.html", form, 422)
    settings = request.app.state.settings
    try:
        account = await transactions.perform_hashing(
            request,
            accounts.authenticate,
            email=email,
            password=password,
            client_address=auth.client_address(request, settings.trusted_proxies),
            hasher=request.app.state.hasher,
            throttle_key=request.app.state.throttle_key,
        )
    except Throttled as error:
        form.add_service_error(error)
        response = render(request, "accounts/login.html", form, 429)
        response.headers["Retry-After"] = str(error.params["retry_after"])
        return response
    if account is None:
        form.add_error(FORM_LEVEL, WRONG_CREDENTIALS)
        return render(request, "accounts/login.html", form, 422)
    await auth.start_signed_in(request, account.id)
    return redirect(target)


async def logout(request: Request) -> Response:
    """Ends the local session; one that came through an identity provider with an end-session
    endpoint then goes there to end the provider's session too, coming back to the home page."""
    visitor: auth.Visitor = request.state.visitor
    provider = None
    if visitor.session_token is not None:
        provider = await transactions.perform(
            request, sessions.end_session, token=visitor.session_token
        )
    auth.sign_out(request)
    providers: Providers = request.app.state.oidc
    if provider is not None and provider in providers:
        after = f"{request.app.state.base_url}/?notice=signed-out"
        url = await providers.logout_url(provider, after)
        if url is not None:
            return redirect(url)
    return redirect("/?notice=signed-out")


async def account_page(request: Request) -> Response:
    visitor: auth.Visitor = request.state.visitor
    assert visitor.account is not None  # noqa: S101 (the route is for signed-in callers only)
    by_email = await transactions.read(request, queries.email_preference, visitor.account.id)
    return render(request, "accounts/account.html", Form({}), notify_by_email=by_email)


async def password_form(request: Request) -> Response:
    return render(request, "accounts/password.html", Form({}))


async def change_password(request: Request) -> Response:
    form = Form(await request.form())
    current = form.secret("current_password")
    new = form.secret("new_password")
    confirm = form.secret("new_password_confirm")
    if new is not None and confirm is not None and new != confirm:
        form.add_error("new_password_confirm", PASSWORDS_DIFFER)
    if not form.is_valid or current is None or new is None:
        return render(request, "accounts/password.html", form, 422)
    visitor: auth.Visitor = request.state.visitor
    assert visitor.account is not None  # noqa: S101 (the route is for signed-in callers only)
    form.placed = {WrongPassword.code: "current_password"}
    if not await transactions.attempt_hashing(
        request, form, accounts.change_password, account_id=visitor.account.id,
        current_password=current, new_password=new, hasher=request.app.state.hasher,
        keep_session=visitor.session_token,
    ):  # fmt: skip
        return render(request, "accounts/password.html", form, form.status)
    return redirect("/account?notice=password-changed")


async def choose_language(request: Request) -> Response:
    """The switcher: a cookie for this browser, and the account's setting when signed in."""
    form = Form(await request.form())
    language = form.choice("language", i18n.LOCALES)
    target = safe_next(form.values.get("next"))
    if language is None:
        return errors.page(request, 422, NOT_CHOICE)
    visitor: auth.Visitor = request.state.visitor
    if visitor.account is not None:
        await transactions.perform(
            request, preferences.set_language, account_id=visitor.account.id, language=language
        )
    response = redirect(target)
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        language,
        max_age=ONE_YEAR,
        path="/",
        secure=request.app.state.session_cookie.secure,
        httponly=True,
        samesite="lax",
    )
    return response


ROUTES = [
    route("/register", register_form, roles=EVERYONE),
    route("/register", register, roles=EVERYONE, methods=["POST"], name="register_submit"),
    route("/login", login_form, roles=EVERYONE),
    route("/login", login, roles=EVERYONE, methods=["POST"], name="login_submit"),
    route("/logout", logout, roles=SIGNED_IN, methods=["POST"]),
    route("/account", account_page, roles=SIGNED_IN),
    route("/account/password", password_form, roles=SIGNED_IN),
    route(
        "/account/password",
        change_password,
        roles=SIGNED_IN,
        methods=["POST"],
        name="password_submit",
    ),
    route("/language", choose_language, roles=EVERYONE, methods=["POST"]),
]
