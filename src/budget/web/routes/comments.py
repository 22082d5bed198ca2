"""Comments on a proposal's page (post, reply, edit for ten minutes), reports of a comment or a
proposal by signed-in users, and the council's moderation queue (hide with a public reason,
restore, dismiss). Plain forms: everything works without JavaScript."""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.domain.engagement import COMMENT_MAX, REASON_MAX, FlagTarget
from budget.domain.errors import FieldErrors, InvalidChoice, NotFound, ProposalState, Throttled
from budget.services import comments
from budget.web import errors, loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import Form
from budget.web.routes.proposals import show_proposal
from budget.web.routing import COUNCIL, SIGNED_IN, route
from budget.web.templating import render, see_other

BIG: Final = 10**12
KINDS: Final = tuple(kind.value for kind in FlagTarget)


def _page(proposal_id: int, notice: str, anchor: str = "comments") -> str:
    return f"/proposals/{proposal_id}?notice={notice}#{anchor}"


async def _refused(request: Request, proposal_id: int, form: Form, status: int = 422) -> Response:
    """The proposal's page again, the refusal shown in its comments section, text kept."""
    return await show_proposal(request, proposal_id, comment_form=form, status_code=status)


async def post_comment(request: Request) -> Response:
    proposal_id: int = loaders.loaded_id(request)
    form = Form(await request.form())
    body = form.text("body", required=True, max_length=COMMENT_MAX, multiline=True)
    parent = form.integer("parent_id", minimum=1, maximum=BIG, required=False)
    status = 422
    if body is not None and form.is_valid:
        try:
            comment_id = await transactions.perform(
                request, comments.post_comment, actor_id=actor_id(request),
                proposal_id=proposal_id, body=body, parent_id=parent,
            )  # fmt: skip
        except (FieldErrors, Throttled, ProposalState) as error:  # said next to the form
            form.add_service_error(error)
            status = errors.status_for(error)
        else:
            return see_other(request, _page(proposal_id, "comment-posted", f"comment-{comment_id}"))
    return await _refused(request, proposal_id, form, status)


async def edit_comment_form(request: Request, form: Form | None = None) -> Response:
    comment_id: int = loaders.loaded_id(request)
    comment = await transactions.read(request, queries.own_comment, comment_id, actor_id(request))
    if comment is None:
        raise NotFound(kind="comment", id=comment_id)
    form = form or Form({"body": comment.body or ""})
    status = 422 if form.errors else 200
    context = {"comment": comment, "form": form}
    return render(request, "proposals/comment_edit.html", context, status_code=status)


async def edit_comment(request: Request) -> Response:
    form = Form(await request.form())
    body = form.text("body", required=True, max_length=COMMENT_MAX, multiline=True)
    if body is not None and form.is_valid:
        try:
            proposal_id = await transactions.perform(
                request, comments.edit_comment, actor_id=actor_id(request),
                comment_id=loaders.loaded_id(request), body=body,
            )  # fmt: skip
        except FieldErrors as error:
            form.add_service_error(error)
        else:
            anchor = f"comment-{loaders.loaded_id(request)}"
            return see_other(request, _page(proposal_id, "comment-edited", anchor))
    return await edit_comment_form(request, form)


async def _flag(request: Request, kind: FlagTarget, target_id: int, proposal_id: int) -> Response:
    form = Form(await request.form())
    reason = form.text("reason", required=True, max_length=REASON_MAX, multiline=True)
    status = 422
    if reason is not None and form.is_valid:
        try:
            await transactions.perform(
                request, comments.flag, actor_id=actor_id(request), kind=kind,
                target_id=target_id, reason=reason,
            )  # fmt: skip
        except (FieldErrors, Throttled) as error:
            form.add_service_error(error)
            status = errors.status_for(error)
        else:
            return see_other(request, _page(proposal_id, "flagged"))
    return await _refused(request, proposal_id, form, status)


async def flag_comment(request: Request) -> Response:
    comment_id: int = loaders.loaded_id(request)
    proposal_id = await transactions.read(request, queries.proposal_of_comment, comment_id)
    return await _flag(request, FlagTarget.COMMENT, comment_id, proposal_id)


async def flag_proposal(request: Request) -> Response:
    proposal_id: int = loaders.loaded_id(request)
    return await _flag(request, FlagTarget.PROPOSAL, proposal_id, proposal_id)


# -- the council's moderation queue --------------------------------------------------------------


async def moderation_page(request: Request, form: Form | None = None) -> Response:
    items = await transactions.read(request, queries.moderation_queue)
    context = {"items": items, "form": form or Form({})}
    status = 422 if form is not None and form.errors else 200
    return render(request, "admin/moderation.html", context, status_code=status)


async def _target(form: Form) -> tuple[FlagTarget, int]:
    kind = form.choice("kind", KINDS)
    target_id = form.integer("target_id", minimum=1, maximum=BIG)
    if kind is None or target_id is None:
        raise FieldErrors({"kind": InvalidChoice(choices=", ".join(KINDS))})
    return FlagTarget(kind), target_id


async def moderate(request: Request) -> Response:
    """One decision of the queue: `action` hide (with `reason`), restore or dismiss."""
    form = Form(await request.form())
    kind, target_id = await _target(form)
    action = form.choice("action", ("hide", "restore", "dismiss"))
    me = actor_id(request)
    if action == "hide":
        reason = form.text("reason", required=True, max_length=REASON_MAX, multiline=True)
        if reason is None or not await transactions.attempt(
            request, form, comments.hide, actor_id=me, kind=kind, target_id=target_id,
            public_reason=reason,
        ):  # fmt: skip
            return await moderation_page(request, form)
        return see_other(request, "/admin/moderation?notice=moderation-hidden")
    if action == "restore":
        await transactions.perform(
            request, comments.restore, actor_id=me, kind=kind, target_id=target_id
        )
        return see_other(request, "/admin/moderation?notice=moderation-restored")
    if action == "dismiss":
        await transactions.perform(
            request, comments.dismiss, actor_id=me, kind=kind, target_id=target_id
        )
        return see_other(request, "/admin/moderation?notice=moderation-dismissed")
    return await moderation_page(request, form)


ROUTES = [
    route(
        "/proposals/{proposal_id:id}/comments",
        post_comment,
        roles=SIGNED_IN,
        loader=loaders.visible_proposal,
        methods=["POST"],
        name="comment_post",
    ),
    route(
        "/comments/{comment_id:id}/edit",
        edit_comment_form,
        roles=SIGNED_IN,
        loader=loaders.commented_proposal,
    ),
    route(
        "/comments/{comment_id:id}/edit",
        edit_comment,
        roles=SIGNED_IN,
        loader=loaders.commented_proposal,
        methods=["POST"],
        name="comment_edit",
    ),
    route(
        "/comments/{comment_id:id}/flag",
        flag_comment,
        roles=SIGNED_IN,
        loader=loaders.commented_proposal,
        methods=["POST"],
        name="comment_flag",
    ),
    route(
        "/proposals/{proposal_id:id}/flag",
        flag_proposal,
        roles=SIGNED_IN,
        loader=loaders.visible_proposal,
        methods=["POST"],
        name="proposal_flag",
    ),
    route("/admin/moderation", moderation_page, roles=COUNCIL, name="moderation"),
    route(
        "/admin/moderation",
        moderate,
        roles=COUNCIL,
        methods=["POST"],
        name="moderate",
    ),
]
