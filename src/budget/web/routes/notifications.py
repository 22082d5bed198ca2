"""Notifications in the app: the signed-in account's own list (rendered in the page's
language), marking them read, and the optional-email preference. Another account's
notification does not exist for the caller (404, T7)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.services import mail_text, notifications
from budget.web import transactions
from budget.web.routes.admin import actor_id
from budget.web.routing import SIGNED_IN, route
from budget.web.templating import render, see_other


def shown(request: Request, items: tuple[queries.NotificationView, ...]) -> list[dict[str, Any]]:
    """Each notification with its text in the reader's language today."""
    return [
        {
            "item": item,
            "text": mail_text.render(
                item.kind, item.params, request.state.translations, request.state.locale
            ),
            "link": mail_text.link_of(item.kind, item.proposal_id),
        }
        for item in items
    ]


async def notifications_page(request: Request) -> Response:
    items = await transactions.read(request, queries.notifications_of, actor_id(request))
    off = await transactions.read(request, queries.topics_off, actor_id(request))
    context = {"notifications": shown(request, items), "topics_off": {t.value for t in off}}
    return render(request, "notifications/list.html", context)


async def notification_read(request: Request) -> Response:
    await transactions.perform(
        request,
        notifications.mark_read,
        account_id=actor_id(request),
        notification_id=request.path_params["notification_id"],
    )
    return see_other(request, "/notifications")


async def notifications_read_all(request: Request) -> Response:
    await transactions.perform(request, notifications.mark_all_read, account_id=actor_id(request))
    return see_other(request, "/notifications?notice=notifications-read")


async def notification_preference(request: Request) -> Response:
    """The account page's checkbox: optional notifications by email, or in the app only."""
    form = await request.form()
    await transactions.perform(
        request,
        notifications.set_email_preference,
        account_id=actor_id(request),
        enabled=form.get("notify_by_email") == "on",
    )
    return see_other(request, "/account?notice=notifications-saved")


ROUTES = [
    route("/notifications", notifications_page, roles=SIGNED_IN, name="notifications"),
    route(
        "/notifications/{notification_id:int}/read",
        notification_read,
        roles=SIGNED_IN,
        methods=["POST"],
    ),
    route(
        "/notifications/read-all",
        notifications_read_all,
        roles=SIGNED_IN,
        methods=["POST"],
    ),
    route(
        "/account/notifications",
        notification_preference,
        roles=SIGNED_IN,
        methods=["POST"],
    ),
]
