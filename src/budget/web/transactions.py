"""One database session per call, run off the event loop (the database layer is synchronous).

`perform` runs one service (one action) and commits; a BudgetError raised by the service rolls
everything back, since services raise before writing. `attempt` does the same for a form's
action, filing a refusal on the form. `read` runs one query from `db.queries`.
All pass `now` from the app's clock, so tests can pin time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from budget.domain.errors import BudgetError
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
        result = service(db, when, **kwargs)
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


async def attempt(
    request: Request,
    form: Form,
    service: Callable[Concatenate[Session, dt.datetime, P], object],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> bool:
    """Perform `service` (one action, committed) and return True; a BudgetError it raises is
    filed on `form` (next to its field, or above the form) and False returned: nothing written."""
    try:
        await perform(request, service, *args, **kwargs)
    except BudgetError as error:
        form.add_service_error(error)
        return False
    return True


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
