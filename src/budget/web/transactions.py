"""The database from a request, off the event loop (the database layer is synchronous).

`perform` runs one service (one action) in a writing transaction of its own
(db.engine.for_writing) and commits; a BudgetError raised by the service rolls everything back,
since services raise before writing. `attempt` does the same for a form's action, filing a
refusal on the form. Services get `now` from the app's clock, so tests can pin time.

`read` runs a query from `db.queries` in the request's one read session: the first read of a
request opens it (a deferred transaction, which on SQLite takes no lock), every later read of
the page joins it (the caller's session, the route's object, the unread count, the handler's
own reads), and it ends before the request's first write (so what follows the write sees it,
and a request never holds two connections) or when the response has gone (`RequestReads`).

A request holds its read session's connection across awaits, so connections are handed out on
the event loop (app.state.connections, sized to the engine's pool): a worker thread never waits for
the pool while the requests holding its connections wait for a thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Concatenate, Final, Generic, ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from budget.db.engine import for_writing
from budget.domain.errors import BudgetError, NotFound, PermissionDenied
from budget.web.forms import Form

P = ParamSpec("P")
T = TypeVar("T")
READS: Final = "budget_reads"  # the request's read session, in the ASGI scope's state


class Reads:
    """A request's read session and the connection slot it holds (app.state.connections: the
    process's connections, handed out on the event loop, as many as the engine's pool has)."""

    def __init__(self, session: Session, connections: CapacityLimiter) -> None:
        self.session = session
        self._connections = connections

    async def end(self) -> None:
        try:
            await run_in_threadpool(self.session.close)
        finally:
            self._connections.release_on_behalf_of(self)


async def _reads(request: Request) -> Reads:
    state = request.scope.setdefault("state", {})
    reads: Reads | None = state.get(READS)
    if reads is None:
        connections: CapacityLimiter = request.app.state.connections
        reads = Reads(request.app.state.session_factory(), connections)
        await connections.acquire_on_behalf_of(reads)
        state[READS] = reads
    return reads


async def end_reads(request: Request) -> None:
    """End the request's read session, if one is open (before a write; at the end)."""
    reads: Reads | None = request.scope.get("state", {}).pop(READS, None)
    if reads is not None:
        await reads.end()


class RequestReads:
    """ASGI middleware: the request's read session ends when its response has gone, whatever
    answered it (a handler, an error page, a crash)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        try:
            await self.app(scope, receive, send)
        finally:
            reads: Reads | None = state.pop(READS, None)
            if reads is not None:
                await reads.end()


def now(request: Request) -> dt.datetime:
    clock: Callable[[], dt.datetime] = request.app.state.clock
    return clock()


def _perform_sync(
    sessions: Callable[[], Session],
    service: Callable[..., T],
    when: dt.datetime,
    kwargs: dict[str, Any],
) -> T:
    with sessions() as db:
        result = service(for_writing(db), when, **kwargs)
        db.commit()
        return result


async def perform(
    request: Request,
    service: Callable[Concatenate[Session, dt.datetime, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Call `service(db, now, **kwargs)` in a worker thread and commit once (one action)."""
    if args:
        raise TypeError("services take keyword arguments only")
    await end_reads(request)
    connections: CapacityLimiter = request.app.state.connections
    async with connections:
        return await run_in_threadpool(
            _perform_sync, request.app.state.session_factory, service, now(request), dict(kwargs)
        )


@dataclass(frozen=True)
class Done(Generic[T]):
    """A service call that went through, with what the service returned (an id, a report)."""

    value: T


async def attempt(
    request: Request,
    form: Form,
    service: Callable[Concatenate[Session, dt.datetime, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> Done[T] | None:
    """Perform `service` (one action, committed) and return Done(its result). A refusal is
    filed on `form` (each field error next to its field, any other above the form; `form.status`
    then gives the page's status) and None returned: nothing written. NotFound and
    PermissionDenied are not the form's business: they reach the error page (404, 403).

    The one shape of a handler that changes something (every route module follows it):

        async def update_thing(request: Request) -> Response:
            thing = loaders.loaded(request, ThingView)         # the route's loader fetched it
            form = Form(await request.form())
            values = read_thing(form)                          # field errors go on the form
            if values is not None and await transactions.attempt(
                request, form, things.update_thing, actor_id=caller.actor_id(request),
                thing_id=thing.id, form=values,
            ):
                return see_other(request, f"/things/{thing.id}?notice=thing-saved")
            return render(request, "things/form.html", {...}, status_code=form.status)

    A button with no fields of its own (submit, withdraw, mark read) has no form to show a
    refusal on: it calls `perform`, and a refusal is the error page with its status (409 for
    a state that forbids it). Services that hash a password use `perform_hashing` likewise."""
    return await _attempt(perform, request, form, service, dict(kwargs), args)


async def attempt_hashing(
    request: Request,
    form: Form,
    service: Callable[Concatenate[Session, dt.datetime, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> Done[T] | None:
    """`attempt` for a service that hashes a password (through `perform_hashing`)."""
    return await _attempt(perform_hashing, request, form, service, dict(kwargs), args)


async def _attempt(
    runner: Callable[..., Awaitable[T]],
    request: Request,
    form: Form,
    service: Callable[..., T],
    kwargs: dict[str, Any],
    args: tuple[Any, ...],
) -> Done[T] | None:
    try:
        result = await runner(request, service, *args, **kwargs)
    except (NotFound, PermissionDenied):
        raise
    except BudgetError as error:
        form.add_service_error(error)
        return None
    return Done(result)


async def perform_hashing(
    request: Request,
    service: Callable[Concatenate[Session, dt.datetime, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """As `perform`, for services that hash a password: at most a few at once (T4), so argon2's
    64 MiB per hash cannot exhaust memory or starve other requests under a login storm."""
    if args:
        raise TypeError("services take keyword arguments only")
    await end_reads(request)
    hashes: CapacityLimiter = request.app.state.hash_limiter
    connections: CapacityLimiter = request.app.state.connections
    call = partial(
        _perform_sync, request.app.state.session_factory, service, now(request), dict(kwargs)
    )
    async with hashes, connections:  # a hash waiting for its turn holds no connection
        return await to_thread.run_sync(call)


async def read(
    request: Request,
    query: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Call `query(db, *args, **kwargs)` from `db.queries` in a worker thread, in the request's
    read session (no writes)."""
    reads = await _reads(request)
    return await run_in_threadpool(partial(query, reads.session, *args, **kwargs))
