"""Proposal images, as view models: what pages show (id, size, alt text) and, for the one
route that serves them, where the bytes are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from budget.db.tables import ProposalImage
from budget.domain.errors import NotFound


@dataclass(frozen=True)
class ImageView:
    id: int
    proposal_id: int
    position: int
    alt_text: str
    width: int
    height: int


@dataclass(frozen=True)
class ImageContent:
    """The bytes of one variant ("full" or "thumb"): in `data`, or, when None, in the media
    directory's file named by `storage_key`."""

    proposal_id: int
    storage_key: str
    data: bytes | None


def _view(row: ProposalImage) -> ImageView:
    return ImageView(
        id=row.id or 0,
        proposal_id=row.proposal_id,
        position=row.position,
        alt_text=row.alt_text,
        width=row.width,
        height=row.height,
    )


def images_of(db: Session, proposal_id: int) -> tuple[ImageView, ...]:
    """The proposal's images in their order."""
    query = (
        select(ProposalImage)
        .where(ProposalImage.proposal_id == proposal_id)
        .order_by(col(ProposalImage.position))
    )
    return tuple(_view(row) for row in db.exec(query).all())


def cover_images(db: Session, proposal_ids: Iterable[int]) -> Mapping[int, ImageView]:
    """Each proposal's first image (for the thumbnails of lists and the map), if it has one."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    query = (
        select(ProposalImage)
        .where(col(ProposalImage.proposal_id).in_(ids))
        .order_by(col(ProposalImage.position).desc())
    )
    return {row.proposal_id: _view(row) for row in db.exec(query).all()}  # last write: first


def image_content(db: Session, image_id: int, variant: str) -> ImageContent:
    row = db.get(ProposalImage, image_id)
    if row is None:
        raise NotFound(kind="image", id=image_id)
    data = row.thumb if variant == "thumb" else row.data
    return ImageContent(proposal_id=row.proposal_id, storage_key=row.storage_key, data=data)
