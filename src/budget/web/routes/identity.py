"""Mailed links: confirm an address, send the link again, change the address, reset a password,
approve a council member's reset (SECURITY.md T13).

A link opens a page (GET never changes anything, T5, and a mail scanner that follows links
spends nothing); its button posts the token back. Requests that send mail answer the same
page whether or not the address has an account, and a throttled request answers 429 for known
and unknown addresses alike.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from budget.domain.accounts import LinkPurpose
from budget.domain.errors import BudgetError, Throttled
from budget.services import identity, recovery
from budget.web import auth, loaders, transactions
from budget.web.forms import Form
from budget.web.routes.accounts import PASSWORDS_DIFFER
from budget.web.routing import COUNCIL, EVERYONE, SIGNED_IN, route
from budget.web.templating import Templates


def render(request: Request, name: str, form: Form, status: int = 200, **extra: Any) -> Response:
    templates: Templates = request.app.state.templates
    return templates.response(request, name, {"form": form, **extra}, status_code=status)


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def throttled(request: Request, name: str, form: Form, error: Throttled) -> Response:
    form.add_service_error(error)
    response = render(request, name, form, 429)
    response.headers["Retry-After"] = str(error.params["retry_after"])
    return response


async def _link_is_live(request: Request, token: str, *purposes: LinkPurpose) -> bool:
    return await transactions.perform(
        request, identity.link_is_live, token_key=request.app.state.token_key, token=token,
        purposes=purposes,
    )  # fmt: skip


# -- confirming an address -------------------------------------------------------------------

VERIFY_PURPOSES = (LinkPurpose.VERIFY, LinkPurpose.EMAIL_CHANGE)


async def verify_page(request: Request) -> Response:
    token = request.query_params.get("token", "")
    live = await _link_is_live(request, token, *VERIFY_PURPOSES)
    return render(request, "identity/verify.html", Form({"token": token}), 200 if live else 410,
                  live=live)  # fmt: skip


async def verify(request: Request) -> Response:
    form = Form(await request.form())
    token = form.values.get("token", "")
    done = await transactions.attempt(
        request, form, identity.confirm_email, token=token, token_key=request.app.state.token_key
    )
    if not done:
        return render(request, "identity/verify.html", form, 410, live=False)
    return redirect("/account?notice=email-confirmed")


async def resend_form(request: Request) -> Response:
    visitor: auth.Visitor = request.state.visitor
    email = visitor.account.email if visitor.account is not None else ""
    return render(request, "identity/resend.html", Form({"email": email}))


async def resend(request: Request) -> Response:
    form = Form(await request.form())
    email = form.text("email", max_length=254)
    if email is None:
        return render(request, "identity/resend.html", form, 422)
    try:
        await transactions.perform(
            request, identity.resend_verification, email=email, links=auth.links_for(request)
        )
    except Throttled as error:
        return throttled(request, "identity/resend.html", form, error)
    return redirect("/verify/resend?notice=link-sent")


# -- changing the address --------------------------------------------------------------------


async def email_form(request: Request) -> Response:
    return render(request, "identity/email.html", Form({}))


async def change_email(request: Request) -> Response:
    form = Form(await request.form())
    new_email = form.text("new_email", max_length=254)
    password = form.secret("password")
    if new_email is None or password is None:
        return render(request, "identity/email.html", form, 422)
    visitor: auth.Visitor = request.state.visitor
    assert visitor.account is not None  # noqa: S101 (the route is for signed-in callers only)
    try:
        await transactions.perform_hashing(
            request, identity.request_email_change, account_id=visitor.account.id,
            password=password, new_email=new_email, links=auth.links_for(request),
            hasher=request.app.state.hasher,
        )  # fmt: skip
    except Throttled as error:
        return throttled(request, "identity/email.html", form, error)
    except BudgetError as error:
        form.add_service_error(error)
        return render(request, "identity/email.html", form, 422)
    return redirect("/account?notice=email-change-sent")


# -- password reset --------------------------------------------------------------------------


async def forgot_form(request: Request) -> Response:
    return render(request, "identity/forgot.html", Form({}))


async def forgot(request: Request) -> Response:
    form = Form(await request.form())
    email = form.text("email", max_length=254)
    if email is None:
        return render(request, "identity/forgot.html", form, 422)
    try:
        await transactions.perform(
            request, recovery.request_reset, email=email, links=auth.links_for(request)
        )
    except Throttled as error:
        return throttled(request, "identity/forgot.html", form, error)
    return redirect("/password/forgot?notice=reset-sent")


async def reset_form(request: Request) -> Response:
    token = request.query_params.get("token", "")
    live = await _link_is_live(request, token, LinkPurpose.RESET)
    return render(request, "identity/reset.html", Form({"token": token}), 200 if live else 410,
                  live=live)  # fmt: skip


async def reset(request: Request) -> Response:
    form = Form(await request.form())
    token = form.values.get("token", "")
    new = form.secret("new_password")
    confirm = form.secret("new_password_confirm")
    if new is not None and confirm is not None and new != confirm:
        form.add_error("new_password_confirm", PASSWORDS_DIFFER)
    if not form.is_valid or new is None:
        return render(request, "identity/reset.html", form, 422, live=True)
    try:
        await transactions.perform_hashing(
            request, recovery.reset_password, token=token, new_password=new,
            token_key=request.app.state.token_key, hasher=request.app.state.hasher,
        )  # fmt: skip
    except BudgetError as error:
        form.add_service_error(error)
        live = await _link_is_live(request, token, LinkPurpose.RESET)
        return render(request, "identity/reset.html", form, 422 if live else 410, live=live)
    auth.sign_out(request)  # this browser's session ended with the others
    return redirect("/login?notice=password-reset")


async def resets_page(request: Request) -> Response:
    pending = await transactions.perform(request, recovery.pending_resets)
    return render(request, "identity/resets.html", Form({}), pending=pending)


async def approve_reset(request: Request) -> Response:
    form = Form(await request.form())
    visitor: auth.Visitor = request.state.visitor
    assert visitor.account is not None  # noqa: S101 (council only)
    done = await transactions.attempt(
        request, form, recovery.approve_reset, actor_id=visitor.account.id,
        request_id=loaders.loaded_id(request), links=auth.links_for(request),
    )  # fmt: skip
    if not done:
        pending = await transactions.perform(request, recovery.pending_resets)
        return render(request, "identity/resets.html", form, 409, pending=pending)
    return redirect("/admin/resets?notice=reset-approved")


ROUTES = [
    route("/verify", verify_page, roles=EVERYONE),
    route("/verify", verify, roles=EVERYONE, methods=["POST"], name="verify_submit"),
    route("/verify/resend", resend_form, roles=EVERYONE),
    route("/verify/resend", resend, roles=EVERYONE, methods=["POST"], name="resend_submit"),
    route("/account/email", email_form, roles=SIGNED_IN),
    route("/account/email", change_email, roles=SIGNED_IN, methods=["POST"], name="email_submit"),
    route("/password/forgot", forgot_form, roles=EVERYONE),
    route("/password/forgot", forgot, roles=EVERYONE, methods=["POST"], name="forgot_submit"),
    route("/password/reset", reset_form, roles=EVERYONE),
    route("/password/reset", reset, roles=EVERYONE, methods=["POST"], name="reset_submit"),
    route("/admin/resets", resets_page, roles=COUNCIL),
    route(
        "/admin/resets/{request_id:id}/approve",
        approve_reset,
        roles=COUNCIL,
        loader=loaders.reset_request,
        methods=["POST"],
    ),
]
