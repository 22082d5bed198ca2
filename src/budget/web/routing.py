"""The route table: every route declares who may call it and which methods it answers.

SECURITY.md: the table is the source of truth; access-control and CSRF tests are generated from
it. A route changes state exactly when it accepts an unsafe method (GET never writes), and then
it needs the session's CSRF token. Access is deny by default: a route names the roles allowed;
`visitor` means anyone, signed in or not. A signed-out caller of a closed route is sent to the
login page; a signed-in caller without the role gets 403.

A route whose path names an object (`{proposal_id:id}`) declares the `loader=` that fetches it
for the caller (web/loaders.py): the guard runs it after the role check and before the handler,
which reads the result with `loaders.loaded(request, ViewType)`. An object the caller may not know
exists answers 404, one they may see but not change 403 (SECURITY.md T7). Start-up fails for a
path parameter without a loader, a loader without a parameter, or a parameter not read by the
`id` convertor (ASCII digits, at most 18, so every id fits in 64 bits: web/numbers.py).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import urlencode

from sqlmodel import Session
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from budget.db import queries
from budget.domain.accounts import Caller
from budget.domain.errors import BudgetError
from budget.web import auth, csrf, errors, numbers, templating, transactions, unread
from budget.web.caller import caller_of

Access = Literal["visitor", "resident", "reviewer", "officer", "council"]
ROLES: Final[tuple[Access, ...]] = ("visitor", "resident", "reviewer", "officer", "council")
EVERYONE: Final[frozenset[Access]] = frozenset(ROLES)
SIGNED_IN: Final[frozenset[Access]] = frozenset({"resident", "reviewer", "officer", "council"})
COUNCIL: Final[frozenset[Access]] = frozenset({"council"})
METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})

Endpoint = Callable[[Request], Awaitable[Response]]
Loader = Callable[[Session, Caller, int], object]
PATH_PARAM: Final = re.compile(r"\{(\w+)(?::(\w+))?\}")


class IdConvertor(Convertor[int]):
    """`{name:id}`: a database id in the path; anything else does not match (404)."""

    regex = f"[0-9]{{1,{numbers.ID_DIGITS}}}"

    def convert(self, value: str) -> int:
        parsed = numbers.parse_id(value)
        if parsed is None:  # 0, or all zeros: matched by the pattern, no such object
            return 0
        return parsed

    def to_string(self, value: int) -> str:
        return str(int(value))


class RouteTableError(ValueError):
    """A route is declared without roles or with unknown roles or methods: start-up fails."""


@dataclass(frozen=True)
class RouteSpec:
    """One row of the route table."""

    path: str
    endpoint: Endpoint
    name: str
    roles: frozenset[Access]
    methods: tuple[str, ...]
    loader: Loader | None = None
    param: str | None = None  # the path parameter the loader is given
    max_body: int | None = None  # a larger request body than the app's default (uploads)
    writes: bool = True

    @property
    def changes_state(self) -> bool:
        return self.writes and any(method in csrf.UNSAFE_METHODS for method in self.methods)

    def allows(self, caller_roles: Iterable[str]) -> bool:
        return "visitor" in self.roles or any(role in self.roles for role in caller_roles)


def route(
    path: str,
    endpoint: Endpoint,
    *,
    roles: Iterable[Access],
    loader: Loader | None = None,
    methods: Sequence[str] = ("GET",),
    name: str | None = None,
    max_body: int | None = None,
    writes: bool = True,
) -> RouteSpec:
    """Declare a route; roles are mandatory and checked, so no route is open by omission, and
    a path naming an object needs the loader that fetches it for the caller.

    `writes=False` marks a POST that only computes (a ballot's live counter, the receipt check):
    POST keeps ballot choices and receipts out of URLs and access logs (T3). It is still
    CSRF-checked like every unsafe method, and writes nothing, so it has no audit entry."""
    declared = frozenset(roles)
    if not declared:
        raise RouteTableError(f"route {path} declares no roles")
    if unknown := declared - EVERYONE:
        raise RouteTableError(f"route {path} declares unknown roles {sorted(unknown)}")
    if not methods or set(methods) - METHODS:
        raise RouteTableError(f"route {path} declares invalid methods {list(methods)}")
    params = PATH_PARAM.findall(path)
    if any(convertor != "id" for _, convertor in params):
        raise RouteTableError(f"route {path}: path parameters are read as {{name:id}}")
    if len(params) > 1:
        raise RouteTableError(f"route {path} names more than one object")
    if params and loader is None:
        raise RouteTableError(f"route {path} names an object but declares no loader")
    if loader is not None and not params:
        raise RouteTableError(f"route {path} declares a loader but names no object")
    param = params[0][0] if params else None
    name = name or endpoint.__name__
    return RouteSpec(
        path, endpoint, name, declared, tuple(methods), loader, param,
        max_body=max_body, writes=writes,
    )  # fmt: skip


def _guard_reads(
    db: Session, caller: Caller, loader: Loader | None, object_id: int
) -> tuple[int, object]:
    unread_count = queries.unread_count(db, caller.account_id) if caller.account_id else 0
    return unread_count, (loader(db, caller, object_id) if loader is not None else None)


async def load(request: Request, spec: RouteSpec, visitor: auth.Visitor) -> None:
    """What every page needs before its handler, read in the request's read session (the one
    the caller was identified in, web/transactions.py): the navigation's unread count and the
    route's object (its loader), onto request.state. A signed-out caller of a route without an
    object needs nothing from the database."""
    object_id = request.path_params[spec.param] if spec.param is not None else 0
    if spec.loader is None and visitor.account is None:
        request.state.unread, request.state.loaded, request.state.loaded_id = 0, None, 0
        return
    try:
        request.state.unread, request.state.loaded = await transactions.read(
            request,
            _guard_reads,
            caller_of(visitor, transactions.now(request)),
            spec.loader,
            object_id,
        )
        request.state.loaded_id = object_id
    except BudgetError:  # the object is not the caller's to see: the error page still has a nav
        await unread.count(request)
        raise


def check_table(specs: Sequence[RouteSpec]) -> None:
    """Names and (path, method) pairs are unique: url_for and the tests rely on it."""
    names = [spec.name for spec in specs]
    if len(names) != len(set(names)):
        raise RouteTableError(f"duplicate route names in {sorted(names)}")
    pairs = [(spec.path, method) for spec in specs for method in spec.methods]
    if len(pairs) != len(set(pairs)):
        raise RouteTableError("a path answers the same method twice")


def starlette_routes(specs: Sequence[RouteSpec]) -> list[Route]:
    check_table(specs)
    register_url_convertor("id", IdConvertor())  # before the paths are compiled
    return [
        Route(
            spec.path,
            guarded(spec),
            methods=list(spec.methods),
            name=spec.name,
            max_body_size=spec.max_body,
        )
        for spec in specs
    ]


def guarded(spec: RouteSpec) -> Endpoint:
    """Wrap an endpoint: identify the caller, check CSRF on unsafe methods, then the roles."""

    async def endpoint(request: Request) -> Response:
        visitor = await auth.identify(request)
        templating.prepare_state(request, visitor)
        if request.method in csrf.UNSAFE_METHODS:
            try:
                await check_csrf(request, visitor)
            except csrf.CsrfError:
                await unread.count(request)
                return errors.page(request, 403, errors.CSRF_REFUSED)
        if spec.allows(visitor.roles):
            await load(request, spec, visitor)
            response = await spec.endpoint(request)
        elif visitor.is_signed_in:
            await unread.count(request)
            response = errors.page(request, 403, errors.FORBIDDEN)
        else:
            response = to_login(request)
        auth.write_cookie(request, response)
        return response

    endpoint.__name__ = spec.name
    return endpoint


async def check_csrf(request: Request, visitor: auth.Visitor) -> None:
    csrf.check_origin(request.headers)
    form = None
    if csrf.HEADER.lower() not in request.headers and _is_form(request):
        form = await request.form()
    csrf.check_token(visitor.csrf_token, request.headers, form)


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def to_login(request: Request) -> Response:
    """Send a signed-out caller to the login form, coming back here afterwards."""
    target = "/login?" + urlencode({"next": request.url.path})
    if templating.is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to return to; anything else (another host, `//host`, `/\\host`) -> default."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(char in value for char in "\r\n\\") or len(value) > 500:
        return default
    return value
