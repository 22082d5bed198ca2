"""The unread-notification count in every page's navigation, for a signed-in visitor.

One indexed COUNT per request of a signed-in visitor, read in the threadpool like every other
read (`count`, awaited by the route guard and the error handlers), never on the event loop; the
template global only shows what was read. Signed-out visitors cost nothing.
"""

from __future__ import annotations

import jinja2
from starlette.requests import Request

from budget.db import queries
from budget.web import transactions


async def count(request: Request) -> None:
    """Read the caller's unread count onto request.state (after `templating.prepare_state`)."""
    account = request.state.visitor.account
    request.state.unread = (
        0 if account is None else await transactions.read(request, queries.unread_count, account.id)
    )


@jinja2.pass_context
def unread_notifications(context: jinja2.runtime.Context) -> int:
    request = context.get("request")
    found: int = getattr(request.state, "unread", 0) if request is not None else 0
    return found
