"""The unread-notification count in every page's navigation, for a signed-in visitor.

One indexed COUNT per page, run when the navigation is rendered (a template global), so no
handler has to remember to pass it; signed-out visitors cost nothing. A database failure shows
no badge rather than breaking the page (the error page itself renders the navigation).
"""

from __future__ import annotations

import logging
from typing import Any

import jinja2
from sqlalchemy.exc import SQLAlchemyError

from budget.db import queries

log = logging.getLogger(__name__)


@jinja2.pass_context
def unread_notifications(context: jinja2.runtime.Context) -> int:
    visitor = context.get("visitor")
    request = context.get("request")
    if visitor is None or request is None or visitor.account is None:
        return 0
    sessions: Any = request.app.state.session_factory
    try:
        with sessions() as db:
            count: int = queries.unread_count(db, visitor.account.id)
    except SQLAlchemyError:
        log.exception("cannot count unread notifications")
        return 0
    return count
