"""Proposal images (PRODUCT.md "Proposals", "Before review"): an upload is decoded with
Pillow, refused unless it is a JPEG, PNG or WebP of bounded size, then re-encoded as WebP at a
bounded size with a thumbnail. Re-encoding drops every byte the resident's camera or editor
put in besides the pixels (EXIF with GPS, XMP, ICC, comments), and the page never serves what
was uploaded: only these bytes, with a fixed content type, under a random key (T11).

Where the bytes live: the database by default (the embedded setup has nothing else to
configure), or files `<key>.webp` and `<key>-thumb.webp` in a directory the caller passes
(from BUDGET_MEDIA_DIR at the edge).
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func
from sqlmodel import Session, select

from budget.db.tables import ProposalImage
from budget.domain.engagement import (
    ALT_MAX,
    IMAGE_FORMATS,
    IMAGE_MAX_SIDE,
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_IMAGES,
    THUMB_MAX_SIDE,
    check_body,
)
from budget.domain.errors import (
    BudgetError,
    FieldErrors,
    ImageTooHeavy,
    ImageTooManyPixels,
    ImageUnreadable,
    NotFound,
    TooManyImages,
    collect,
    raise_if_any,
)
from budget.services import proposals as authoring
from budget.services.audit import append

CONTENT_TYPE: Final = "image/webp"
QUALITY: Final = 82
# What Pillow raises on data that is not a whole image of a format it knows.
DECODE_ERRORS: Final = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


@dataclass(frozen=True)
class Encoded:
    image: bytes
    thumb: bytes
    width: int
    height: int


def _webp(picture: Image.Image, side: int) -> bytes:
    copy = picture.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "WEBP", quality=QUALITY, method=4)  # no exif= / icc_profile=: none kept
    return out.getvalue()


def _decoded(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data), formats=sorted(IMAGE_FORMATS))
            width, height = opened.size  # read from the header, before any pixel is decoded
            if width * height > MAX_IMAGE_PIXELS:
                raise ImageTooManyPixels(max_megapixels=MAX_IMAGE_PIXELS // 1_000_000)
            opened.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooManyPixels(max_megapixels=MAX_IMAGE_PIXELS // 1_000_000) from None
        except DECODE_ERRORS:
            raise ImageUnreadable() from None
    return opened


def encode(data: bytes) -> Encoded:
    """The upload re-encoded (WebP, at most IMAGE_MAX_SIDE pixels a side, upright as the
    camera meant it) with its thumbnail; ImageUnreadable / ImageTooHeavy / ImageTooManyPixels
    otherwise."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooHeavy(max_mb=MAX_IMAGE_BYTES // (1024 * 1024))
    if not data:
        raise ImageUnreadable()
    picture = _decoded(data)
    upright = ImageOps.exif_transpose(picture) or picture
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    pixels = upright.convert("RGBA" if has_alpha else "RGB")
    image = _webp(pixels, IMAGE_MAX_SIDE)
    with Image.open(io.BytesIO(image)) as kept:
        width, height = kept.size
    return Encoded(image=image, thumb=_webp(pixels, THUMB_MAX_SIDE), width=width, height=height)


def file_path(media_dir: Path, storage_key: str, variant: str) -> Path:
    """Where an image's bytes live in the media directory (a key of ours, never a name the
    resident chose)."""
    suffix = "-thumb" if variant == "thumb" else ""
    return media_dir / f"{storage_key}{suffix}.webp"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)


def add_image(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    proposal_id: int,
    upload: bytes,
    alt_text: str,
    media_dir: Path | None = None,
) -> int:
    """An author adds an image (with its alternative text) while the proposal can be edited;
    at most MAX_IMAGES. Returns the image's id."""
    row, _, cycle = authoring.editable(db, proposal_id, actor_id)
    errors: dict[str, BudgetError] = {}
    collect(errors, "alt_text", lambda: check_body(alt_text, ALT_MAX))
    encoded: list[Encoded] = []
    collect(errors, "image", lambda: encoded.append(encode(upload)))
    raise_if_any(errors)
    count = db.exec(
        select(func.count())
        .select_from(ProposalImage)
        .where(ProposalImage.proposal_id == proposal_id)
    ).one()
    if count >= MAX_IMAGES:
        raise FieldErrors({"image": TooManyImages(max=MAX_IMAGES)})
    last = db.exec(
        select(func.max(ProposalImage.position)).where(ProposalImage.proposal_id == proposal_id)
    ).one()
    result = encoded[0]
    key = secrets.token_hex(16)
    image = ProposalImage(
        proposal_id=proposal_id, position=(last or 0) + 1, alt_text=alt_text.strip(),
        width=result.width, height=result.height, storage_key=key, uploaded_by=actor_id,
        uploaded_at=now,
    )  # fmt: skip
    if media_dir is None:
        image.data, image.thumb = result.image, result.thumb
    else:
        _write(file_path(media_dir, key, "full"), result.image)
        _write(file_path(media_dir, key, "thumb"), result.thumb)
    db.add(image)
    db.flush()
    append(
        db, now, actor=actor_id, action="proposal.image-add", object=f"proposal:{row.id}",
        details={"image": image.id, "bytes": len(result.image), "cycle": cycle.id},
    )  # fmt: skip
    return image.id or 0


def remove_image(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    proposal_id: int,
    image_id: int,
    media_dir: Path | None = None,
) -> None:
    """An author removes one of the proposal's images while it can be edited."""
    authoring.editable(db, proposal_id, actor_id)
    image = db.get(ProposalImage, image_id)
    if image is None or image.proposal_id != proposal_id:
        raise NotFound(kind="image", id=image_id)
    db.delete(image)
    append(
        db, now, actor=actor_id, action="proposal.image-remove",
        object=f"proposal:{proposal_id}", details={"image": image_id},
    )  # fmt: skip
    if media_dir is not None:
        for variant in ("full", "thumb"):
            file_path(media_dir, image.storage_key, variant).unlink(missing_ok=True)
