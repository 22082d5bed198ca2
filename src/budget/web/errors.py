"""Typed errors -> status code and a translated page; never a traceback in a response (T12).

A handler turns a service's BudgetError into messages next to its form; one it lets through
reaches `budget_error_handler`, which answers with the error's status and message. HTTP errors
(404, 405, 413) and crashes (500) get the same translated page; crashes are logged by Starlette.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from budget.domain import errors as domain
from budget.web import auth, messages, templating
from budget.web.i18n import N_
from budget.web.messages import Message

FORBIDDEN: Final = N_("You do not have the role needed for this page.")
CSRF_REFUSED: Final = N_(
    "This form has expired or did not come from this site. Reload the page and try again."
)
NOT_FOUND: Final = N_("This page does not exist, or is not public.")
METHOD_NOT_ALLOWED: Final = N_("This address does not accept this kind of request.")
TOO_LARGE: Final = N_("What you sent is too large.")
SERVER_ERROR: Final = N_(
    "Something went wrong on our side. The team has been told; please try again later."
)
BAD_REQUEST: Final = N_("The request could not be understood.")

HTTP_MESSAGES: Final[Mapping[int, str]] = {
    400: BAD_REQUEST,
    403: FORBIDDEN,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    413: TOO_LARGE,
}

# A conflict with the current state of things (409), rather than malformed input (422).
CONFLICT: Final = (
    domain.TransitionRefused,
    domain.Locked,
    domain.ReadOnly,
    domain.WrongPhase,
    domain.LastCouncil,
    domain.DemoNotEmpty,
    domain.EmailTaken,
    domain.InstanceTaken,
    domain.CodeTaken,
)


def status_for(error: domain.BudgetError) -> int:
    if isinstance(error, domain.NotFound):
        return 404
    if isinstance(error, domain.PermissionDenied):
        return 403
    if isinstance(error, domain.Throttled):
        return 429
    if isinstance(error, CONFLICT):
        return 409
    return 422


def text(request: Request, message: Message) -> str:
    """The message in the request's language."""
    return messages.translate(
        message.msgid, message.params, request.state.translations, request.state.locale
    )


API_PREFIX: Final = "/api/"


def page(
    request: Request, status: int, msgid: str, *, error_code: str | None = None, **params: object
) -> Response:
    """The error page: a translated message and the status; for the API (paths under /api/),
    the same message as JSON: {"error": {"status", "code", "message"}}, `code` being the typed
    error's (`error_code`) or the status's."""
    if request.url.path.startswith(API_PREFIX):
        body = {
            "status": status,
            "code": error_code or _code(status),
            "message": text(request, Message(msgid, params)),
        }
        return JSONResponse({"error": body}, status_code=status)
    templates: templating.Templates = request.app.state.templates
    context = {"status": status, "message": text(request, Message(msgid, params))}
    return templates.response(request, "errors/error.html", context, status_code=status)


def _code(status: int) -> str:
    return {404: "not-found", 405: "method-not-allowed", 500: "server-error"}.get(status, "error")


async def _ensure_state(request: Request) -> None:
    """Errors raised before the route guard ran (unknown path, wrong method) still show the
    caller's own navigation and language; the cookie is left as it was."""
    if not hasattr(request.state, "visitor"):
        templating.prepare_state(request, await auth.identify(request))


async def budget_error_handler(request: Request, exc: Exception) -> Response:
    """A BudgetError no handler turned into a form message: its own page and status."""
    if not isinstance(exc, domain.BudgetError):  # pragma: no cover - registered for this class
        raise exc
    await _ensure_state(request)
    message = messages.of_error(exc)
    response = page(request, status_for(exc), message.msgid, error_code=exc.code, **message.params)
    if isinstance(exc, domain.Throttled):
        response.headers["Retry-After"] = str(exc.params.get("retry_after", 60))
    return response


async def http_error_handler(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover - registered for this class
        raise exc
    await _ensure_state(request)
    response = page(request, exc.status_code, HTTP_MESSAGES.get(exc.status_code, BAD_REQUEST))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error_handler(request: Request, exc: Exception) -> Response:
    """500: a plain translated page; the traceback goes to the log only (T12)."""
    templating.ensure_state(request)
    return page(request, 500, SERVER_ERROR)
