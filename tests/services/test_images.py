"""Proposal images through the service: refused unless a real JPEG, PNG or WebP of bounded
size; kept only as the server's re-encoding, without metadata; stored in the database or in a
media directory; alt text required; at most three; authors only, while the text may change."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session

from budget.db import queries
from budget.domain.cycle import Phase
from budget.domain.engagement import IMAGE_MAX_SIDE, MAX_IMAGE_BYTES, MAX_IMAGES
from budget.domain.errors import (
    FieldErrors,
    ImageTooHeavy,
    ImageTooManyPixels,
    ImageUnreadable,
    NotAuthor,
    NotFound,
    Required,
    TooManyImages,
    WrongPhase,
)
from budget.services import cycles, images, proposals
from tests.images import GPS_IFD, bomb, photo, png
from tests.security.test_csrf import snapshot
from tests.services.conftest import NOW, resident


@pytest.fixture
def proposal_id(db: Session, council: int, cycle_id: int, hasher) -> int:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    author = resident(db, hasher)
    budget_id = queries.get_cycle(db, cycle_id).budgets[0].id
    return proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title="Shade trees", summary="Trees."
    )


def author_of(db: Session, proposal_id: int) -> int:
    return queries.get_proposal(db, proposal_id).created_by


def add(db: Session, proposal_id: int, data: bytes, alt: str = "The square", **kw) -> int:
    return images.add_image(
        db, NOW, actor_id=author_of(db, proposal_id), proposal_id=proposal_id, upload=data,
        alt_text=alt, **kw,
    )  # fmt: skip


def stored(db: Session, image_id: int, variant: str = "full") -> Image.Image:
    content = queries.image_content(db, image_id, variant)
    assert content.data is not None
    return Image.open(io.BytesIO(content.data))


def test_a_photo_is_kept_reencoded_without_its_camera_and_gps_metadata(db, proposal_id) -> None:
    upload = photo()
    assert Image.open(io.BytesIO(upload)).getexif().get_ifd(GPS_IFD)  # the upload has a GPS fix
    image_id = add(db, proposal_id, upload)
    kept = stored(db, image_id)
    assert kept.format == "WEBP"
    assert dict(kept.getexif()) == {}
    assert not kept.getexif().get_ifd(GPS_IFD)
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(kept.info)
    raw = queries.image_content(db, image_id, "full").data or b""
    assert b"SentinelCam" not in raw
    assert b"SentinelCam" in upload
    view = queries.images_of(db, proposal_id)[0]
    assert (view.alt_text, view.width, view.height) == ("The square", 800, 600)


def test_large_photos_are_bounded_and_get_a_thumbnail(db, proposal_id) -> None:
    image_id = add(db, proposal_id, photo(4000, 1000))
    assert stored(db, image_id).size == (IMAGE_MAX_SIDE, IMAGE_MAX_SIDE // 4)
    assert stored(db, image_id, "thumb").size == (320, 80)


def test_png_and_webp_are_accepted_and_transparency_kept(db, proposal_id) -> None:
    first = add(db, proposal_id, png())
    assert stored(db, first).mode == "RGBA"
    second = add(db, proposal_id, photo(fmt="WEBP", gps=False))
    assert stored(db, second).format == "WEBP"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", ImageUnreadable),
        (b"GIF89a" + b"\x00" * 64, ImageUnreadable),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            ImageUnreadable,
        ),
        (photo()[:3000], ImageUnreadable),  # truncated
        (bomb(), ImageTooManyPixels),  # 900 million pixels (Pillow's own guard)
        (bomb(8_000, 8_000), ImageTooManyPixels),  # 64 million: over our bound, under Pillow's
        (b"\xff\xd8" + b"\x00" * MAX_IMAGE_BYTES, ImageTooHeavy),
    ],
    ids=["empty", "gif", "svg", "truncated", "bomb", "big-bomb", "heavy"],
)
def test_anything_but_a_bounded_image_is_refused_and_nothing_written(
    db, proposal_id, data, error
) -> None:
    before = snapshot(db)
    with pytest.raises(FieldErrors) as refused:
        add(db, proposal_id, data)
    assert isinstance(refused.value.fields["image"], error)
    assert snapshot(db) == before


def test_alt_text_is_required(db, proposal_id) -> None:
    with pytest.raises(FieldErrors) as refused:
        add(db, proposal_id, photo(), alt="   ")
    assert isinstance(refused.value.fields["alt_text"], Required)


def test_at_most_three_images_and_removing_one_frees_a_place(db, proposal_id) -> None:
    ids = [add(db, proposal_id, png()) for _ in range(MAX_IMAGES)]
    with pytest.raises(FieldErrors) as refused:
        add(db, proposal_id, png())
    assert isinstance(refused.value.fields["image"], TooManyImages)
    author = author_of(db, proposal_id)
    images.remove_image(db, NOW, actor_id=author, proposal_id=proposal_id, image_id=ids[0])
    add(db, proposal_id, png())
    assert [i.position for i in queries.images_of(db, proposal_id)] == [2, 3, 4]
    with pytest.raises(NotFound):
        images.remove_image(db, NOW, actor_id=author, proposal_id=proposal_id, image_id=ids[0])


def test_only_authors_add_images_and_only_while_the_text_may_change(
    db, proposal_id, council, cycle_id, hasher
) -> None:
    stranger = resident(db, hasher, "louis")
    with pytest.raises(NotFound):  # a draft does not exist for a stranger
        images.add_image(
            db, NOW, actor_id=stranger, proposal_id=proposal_id, upload=png(), alt_text="x"
        )
    author = author_of(db, proposal_id)
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal_id)
    with pytest.raises(NotAuthor):
        images.add_image(
            db, NOW, actor_id=stranger, proposal_id=proposal_id, upload=png(), alt_text="x"
        )
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    with pytest.raises(WrongPhase):
        add(db, proposal_id, png())


def test_a_media_directory_keeps_the_bytes_in_files_named_by_a_random_key(
    db, proposal_id, tmp_path: Path
) -> None:
    image_id = add(db, proposal_id, photo(), media_dir=tmp_path)
    content = queries.image_content(db, image_id, "thumb")
    assert content.data is None
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == sorted([f"{content.storage_key}.webp", f"{content.storage_key}-thumb.webp"])
    with Image.open(images.file_path(tmp_path, content.storage_key, "thumb")) as thumb:
        assert thumb.format == "WEBP"
    author = author_of(db, proposal_id)
    images.remove_image(
        db, NOW, actor_id=author, proposal_id=proposal_id, image_id=image_id, media_dir=tmp_path
    )
    assert list(tmp_path.iterdir()) == []
