"""The resident's sessions and data: see and end sessions, download everything held about
them (JSON), delete the account after re-entering the password."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from budget.domain.errors import BudgetError
from budget.services import sessions, your_data
from budget.web import auth, loaders, transactions
from budget.web.forms import Form
from budget.web.routing import SIGNED_IN, route
from budget.web.templating import Templates


def render(request: Request, name: str, form: Form, status: int = 200, **extra: Any) -> Response:
    templates: Templates = request.app.state.templates
    return templates.response(request, name, {"form": form, **extra}, status_code=status)


def _visitor(request: Request) -> auth.Visitor:
    visitor: auth.Visitor = request.state.visitor
    assert visitor.account is not None  # noqa: S101 (these routes are for signed-in callers)
    return visitor


async def sessions_page(request: Request) -> Response:
    visitor = _visitor(request)
    assert visitor.account is not None  # noqa: S101
    active = await transactions.perform(
        request, sessions.active_sessions, account_id=visitor.account.id,
        current_token=visitor.session_token,
    )  # fmt: skip
    return render(request, "accounts/sessions.html", Form({}), active=active)


async def end_session(request: Request) -> Response:
    visitor = _visitor(request)
    assert visitor.account is not None  # noqa: S101
    active = await transactions.perform(
        request, sessions.active_sessions, account_id=visitor.account.id,
        current_token=visitor.session_token,
    )  # fmt: skip
    session_id = loaders.loaded_id(request)
    is_current = any(s.id == session_id and s.current for s in active)
    form = Form({})
    done = await transactions.attempt(
        request, form, sessions.end_other_session, account_id=visitor.account.id,
        session_id=session_id,
    )  # fmt: skip
    if not done:
        return render(request, "accounts/sessions.html", form, 404, active=active)
    if is_current:
        auth.sign_out(request)
        return RedirectResponse("/?notice=signed-out", status_code=303)
    return RedirectResponse("/account/sessions?notice=session-ended", status_code=303)


async def data_export(request: Request) -> Response:
    visitor = _visitor(request)
    assert visitor.account is not None  # noqa: S101
    body = await transactions.perform(request, your_data.export_json, account_id=visitor.account.id)
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-data.json"',
            "Cache-Control": "no-store",
        },
    )


async def delete_form(request: Request) -> Response:
    return render(request, "accounts/delete.html", Form({}))


async def delete(request: Request) -> Response:
    form = Form(await request.form())
    password = form.secret("password")
    if password is None:
        return render(request, "accounts/delete.html", form, 422)
    visitor = _visitor(request)
    assert visitor.account is not None  # noqa: S101
    try:
        await transactions.perform_hashing(
            request, your_data.delete_account, account_id=visitor.account.id, password=password,
            hasher=request.app.state.hasher,
        )  # fmt: skip
    except BudgetError as error:
        form.add_service_error(error)
        return render(request, "accounts/delete.html", form, 422)
    auth.sign_out(request)
    return RedirectResponse("/?notice=account-deleted", status_code=303)


ROUTES = [
    route("/account/sessions", sessions_page, roles=SIGNED_IN),
    route(
        "/account/sessions/{session_id:id}/end",
        end_session,
        roles=SIGNED_IN,
        loader=loaders.own_session,
        methods=["POST"],
    ),
    route("/account/data.json", data_export, roles=SIGNED_IN),
    route("/account/delete", delete_form, roles=SIGNED_IN),
    route("/account/delete", delete, roles=SIGNED_IN, methods=["POST"], name="delete_submit"),
]
