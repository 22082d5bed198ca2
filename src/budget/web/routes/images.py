"""Proposal images: authors add (with alternative text) and remove them on the edit page; anyone
who may see the proposal gets them from `/images/<id>/full.webp` or `thumb.webp`, the bytes the
server encoded, with a fixed content type, never a file named by the upload (T11)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.domain.engagement import ALT_MAX, MAX_IMAGE_BYTES
from budget.domain.errors import NotFound
from budget.services import images
from budget.web import loaders, transactions
from budget.web.caller import actor_id
from budget.web.forms import Form
from budget.web.routes.authoring import authored, form_context, proposal_values
from budget.web.routing import EVERYONE, SIGNED_IN, route
from budget.web.templating import render, see_other

UPLOAD_LIMIT: Final = MAX_IMAGE_BYTES + 64 * 1024  # the file plus the form around it
CACHE: Final = "private, max-age=3600"  # a hidden proposal's images go when the cache does


async def check_visible(request: Request, proposal_id: int) -> None:
    account = request.state.visitor.account
    viewer = None if account is None else int(account.id)
    await transactions.read(request, queries.check_content_visible, proposal_id, viewer)


def media_dir(request: Request) -> Path | None:
    directory: Path | None = request.app.state.settings.media_dir
    return directory


async def _read_upload(value: object) -> bytes:
    """The uploaded file's bytes, at most one more than allowed (enough to refuse it)."""
    if not isinstance(value, UploadFile):
        return b""
    return await value.read(MAX_IMAGE_BYTES + 1)


async def add_image(request: Request) -> Response:
    proposal, cycle = await authored(request)
    data = await request.form()
    image_form = Form(data)
    alt_text = image_form.text("alt_text", required=False, max_length=ALT_MAX) or ""
    upload = await _read_upload(data.get("image"))
    await data.close()  # the spooled upload file: its bytes are read
    if image_form.is_valid and await transactions.attempt(
        request,
        image_form,
        images.add_image,
        actor_id=actor_id(request),
        proposal_id=proposal.id,
        upload=upload,
        alt_text=alt_text,
        media_dir=media_dir(request),
    ):
        return see_other(request, f"/proposals/{proposal.id}/edit?notice=image-added#images")
    form = Form(proposal_values(proposal, request.state.locale))
    context = await form_context(request, form, cycle, proposal)
    context["image_form"] = image_form
    return render(request, "proposals/form.html", context, status_code=422)


async def remove_image(request: Request) -> Response:
    proposal, _ = await authored(request)
    await transactions.perform(
        request,
        images.remove_image,
        actor_id=actor_id(request),
        proposal_id=proposal.id,
        image_id=loaders.loaded_id(request),
        media_dir=media_dir(request),
    )
    return see_other(request, f"/proposals/{proposal.id}/edit?notice=image-removed#images")


async def _image(request: Request, variant: str) -> Response:
    content = loaders.loaded(request, queries.ImageContent)  # the thumbnail, visibility checked
    if variant != "thumb":
        content = await transactions.read(
            request, queries.image_content, loaders.loaded_id(request), variant
        )
    body = content.data
    if body is None:
        directory = media_dir(request)
        path = images.file_path(directory, content.storage_key, variant) if directory else None
        if path is None or not path.is_file():
            raise NotFound(kind="image", id=loaders.loaded_id(request))
        body = path.read_bytes()
    return Response(body, media_type=images.CONTENT_TYPE, headers={"Cache-Control": CACHE})


async def image_full(request: Request) -> Response:
    return await _image(request, "full")


async def image_thumb(request: Request) -> Response:
    return await _image(request, "thumb")


ROUTES = [
    route(
        "/proposals/{proposal_id:id}/images",
        add_image,
        loader=loaders.authored_proposal,
        roles=SIGNED_IN,
        methods=["POST"],
        name="proposal_image_add",
        max_body=UPLOAD_LIMIT,
    ),
    route(
        "/images/{image_id:id}/delete",
        remove_image,
        loader=loaders.authored_image,
        roles=SIGNED_IN,
        methods=["POST"],
        name="proposal_image_remove",
    ),
    route(
        "/images/{image_id:id}/full.webp",
        image_full,
        roles=EVERYONE,
        loader=loaders.visible_image,
    ),
    route(
        "/images/{image_id:id}/thumb.webp",
        image_thumb,
        roles=EVERYONE,
        loader=loaders.visible_image,
    ),
]
