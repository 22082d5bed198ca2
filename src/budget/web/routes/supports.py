"""Supports and follows on a proposal's page: a resident supports (during submission, when the
cycle collects supports) or takes it back, follows or stops following, and chooses which follow
topics they hear about; the council sets the cycle's supports option and threshold."""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.domain.engagement import FollowTopic
from budget.services import follows, supports
from budget.services.supports import THRESHOLD_MAX
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import Form
from budget.web.routing import COUNCIL, SIGNED_IN, route
from budget.web.templating import render, see_other

PAGE: Final = "/proposals/{}?notice={}#engagement"


def _back(request: Request, notice: str) -> Response:
    return see_other(request, PAGE.format(loaders.loaded_id(request), notice))


async def support(request: Request) -> Response:
    await transactions.perform(
        request,
        supports.support,
        actor_id=actor_id(request),
        proposal_id=loaders.loaded_id(request),
    )
    return _back(request, "supported")


async def withdraw_support(request: Request) -> Response:
    await transactions.perform(
        request,
        supports.withdraw_support,
        actor_id=actor_id(request),
        proposal_id=loaders.loaded_id(request),
    )
    return _back(request, "support-withdrawn")


async def follow(request: Request) -> Response:
    await transactions.perform(
        request, follows.follow, actor_id=actor_id(request),
        proposal_id=loaders.loaded_id(request),
    )  # fmt: skip
    return _back(request, "followed")


async def unfollow(request: Request) -> Response:
    await transactions.perform(
        request, follows.unfollow, actor_id=actor_id(request),
        proposal_id=loaders.loaded_id(request),
    )  # fmt: skip
    return _back(request, "unfollowed")


async def follow_topics(request: Request) -> Response:
    """The notifications page's checkboxes: which follow topics to hear about."""
    form = await request.form()
    wanted = {topic for topic in FollowTopic if form.get(f"topic_{topic.value}") == "on"}
    await transactions.perform(
        request, follows.set_topics, account_id=actor_id(request), wanted=wanted
    )
    return see_other(request, "/notifications?notice=topics-saved")


async def _settings_page(request: Request, form: Form, status: int = 200) -> Response:
    cycle = await transactions.read(request, queries.get_cycle, loaders.loaded_id(request))
    context = {"cycle": cycle, "form": form, "threshold_max": THRESHOLD_MAX}
    return render(request, "admin/supports.html", context, status_code=status)


async def supports_form(request: Request) -> Response:
    option = await transactions.read(request, queries.support_option, loaders.loaded_id(request))
    values = {"threshold": "" if option.threshold is None else str(option.threshold)}
    if option.enabled:
        values["enabled"] = "on"
    return await _settings_page(request, Form(values))


async def save_supports(request: Request) -> Response:
    form = Form(await request.form())
    threshold = form.integer("threshold", minimum=1, maximum=THRESHOLD_MAX, required=False)
    cycle_id: int = loaders.loaded_id(request)
    if form.is_valid and await transactions.attempt(
        request,
        form,
        supports.configure_supports,
        actor_id=actor_id(request),
        cycle_id=cycle_id,
        enabled=form.values.get("enabled") == "on",
        threshold=threshold,
    ):
        return see_other(request, f"/admin/cycles/{cycle_id}?notice=supports-saved")
    return await _settings_page(request, form, status=422)


VISIBLE = loaders.visible_proposal
ONE = "/proposals/{proposal_id:id}"
ROUTES = [
    route(
        ONE + "/support",
        support,
        roles=SIGNED_IN,
        loader=VISIBLE,
        methods=["POST"],
        name="support",
    ),
    route(
        ONE + "/support/withdraw",
        withdraw_support,
        loader=VISIBLE,
        roles=SIGNED_IN,
        methods=["POST"],
        name="support_withdraw",
    ),
    route(
        ONE + "/follow",
        follow,
        roles=SIGNED_IN,
        loader=VISIBLE,
        methods=["POST"],
        name="follow",
    ),
    route(
        ONE + "/unfollow",
        unfollow,
        roles=SIGNED_IN,
        loader=VISIBLE,
        methods=["POST"],
        name="unfollow",
    ),
    route(
        "/account/follow-topics",
        follow_topics,
        roles=SIGNED_IN,
        methods=["POST"],
        name="follow_topics",
    ),
    route(
        "/admin/cycles/{cycle_id:id}/supports",
        supports_form,
        roles=COUNCIL,
        loader=loaders.cycle,
    ),
    route(
        "/admin/cycles/{cycle_id:id}/supports",
        save_supports,
        loader=loaders.cycle,
        roles=COUNCIL,
        methods=["POST"],
        name="supports_save",
    ),
]
