"""One database session per call, run off the event loop (the database layer is synchronous).

`perform` runs one service (one action) in a writing transaction (db.engine.for_writing) and
commits; a BudgetError raised by the service rolls everything back, since services raise before
writing. `attempt` does the same for a form's action, filing a refusal on the form. `read` runs
one query from `db.queries` in a deferred transaction, which on SQLite takes no lock. All pass
`now` from the app's clock, so tests can pin time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from budget.db.engine import for_writing
from budget.domain.errors import BudgetError, NotFound, PermissionDenied
from budget.web.forms import Form

P = ParamSpec("P")
T = TypeVar("T")


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
    limiter: CapacityLimiter = request.app.state.hash_limiter
    call = partial(
        _perform_sync, request.app.state.session_factory, service, now(request), dict(kwargs)
    )
    return await to_thread.run_sync(call, limiter=limiter)


def _read_sync(
    sessions: Callable[[], Session], query: Callable[..., T], args: tuple[Any, ...], kwargs: Any
) -> T:
    with sessions() as db:
        return query(db, *args, **kwargs)


async def read(
    request: Request,
    query: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Call `query(db, *args, **kwargs)` from `db.queries` in a worker thread (no writes)."""
    return await run_in_threadpool(
        _read_sync, request.app.state.session_factory, query, args, kwargs
    )
