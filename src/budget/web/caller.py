"""Who is calling, as handlers need it: the one place route modules take it from (they never
import helpers from one another).

`actor_id` is for routes closed to signed-out visitors (the route table guarantees an
account); `caller` is the loaders' view of anyone, signed in or not.
"""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request

from budget.domain.accounts import Caller
from budget.web.auth import Visitor


def caller_of(visitor: Visitor, now: dt.datetime | None = None) -> Caller:
    if visitor.account is None:
        return Caller(now=now)
    return Caller(visitor.account.id, frozenset(visitor.account.roles), now)


def caller(request: Request) -> Caller:
    return caller_of(request.state.visitor)


def actor_id(request: Request) -> int:
    """The signed-in caller's account id (routes for signed-in roles only)."""
    account = request.state.visitor.account
    if account is None:  # the route table let a visitor through: a bug, not a user's mistake
        raise RuntimeError(f"{request.url.path} is declared for signed-in callers only")
    identifier: int = account.id
    return identifier
