"""Images through the pages: an author uploads on the edit page (multipart), the image is served
as the server's WebP with a fixed type, shown as a thumbnail in the list and the map data; a
draft's images are its authors' alone; a bad file comes back with its message, nothing written."""

from __future__ import annotations

import io
import re

from PIL import Image

from budget.db import queries
from budget.domain.accounts import Role
from tests.images import photo
from tests.security.test_csrf import snapshot
from tests.webapp import Web, csrf_token, make_cycle, make_proposal, sign_in


def upload(client, proposal_id: int, data: bytes, alt: str = "The empty corner", name="x.jpg"):
    token = csrf_token(client, f"/proposals/{proposal_id}/edit")
    return client.post(
        f"/proposals/{proposal_id}/images",
        data={"alt_text": alt, "csrf_token": token},
        files={"image": (name, data, "image/jpeg")},
    )


def setup(web: Web, *, submit: bool = True):
    cycle_id = make_cycle(web)
    author = web.account(email="author@example.org")
    client = web.client()
    sign_in(client, author.email)
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    return cycle_id, client, make_proposal(web, author.id, budget_id, submit=submit)


def test_an_author_uploads_an_image_shown_in_the_page_list_and_map(web: Web) -> None:
    cycle_id, client, proposal_id = setup(web)
    response = upload(client, proposal_id, photo(), name="../../etc/passwd.php")
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith("notice=image-added#images")
    image = queries.images_of(web.db, proposal_id)[0]

    served = web.client().get(f"/images/{image.id}/full.webp")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert Image.open(io.BytesIO(served.content)).format == "WEBP"
    assert b"SentinelCam" not in served.content
    assert web.client().get(f"/images/{image.id}/thumb.webp").status_code == 200
    assert web.client().get(f"/images/{image.id}/passwd.webp").status_code == 404

    page = web.client().get(f"/proposals/{proposal_id}").text
    assert f'src="/images/{image.id}/thumb.webp" alt="The empty corner"' in page
    listing = web.client().get(f"/cycles/{cycle_id}/proposals").text
    assert f'src="/images/{image.id}/thumb.webp"' in listing
    assert "passwd" not in listing


def test_the_map_data_carries_the_thumbnail(web: Web) -> None:
    cycle_id, client, proposal_id = setup(web)
    budget_id = str(queries.get_proposal(web.db, proposal_id).budget_id)
    edit = csrf_token(client, f"/proposals/{proposal_id}/edit")
    moved = client.post(
        f"/proposals/{proposal_id}/edit",
        data={
            "csrf_token": edit, "budget_id": budget_id,
            "title": "Shade trees", "summary": "Plant trees.", "lat": "48.86", "lon": "2.38",
            "language": "en",
        },
    )  # fmt: skip
    assert moved.status_code == 303, moved.text
    upload(client, proposal_id, photo())
    image = queries.images_of(web.db, proposal_id)[0]
    features = web.client().get(f"/cycles/{cycle_id}/proposals.geojson").json()["features"]
    assert features[0]["properties"]["thumb"] == f"/images/{image.id}/thumb.webp"
    assert features[0]["properties"]["thumb_alt"] == "The empty corner"


def test_a_drafts_images_are_for_its_authors_only(web: Web) -> None:
    _, client, proposal_id = setup(web, submit=False)
    assert upload(client, proposal_id, photo()).status_code == 303
    image = queries.images_of(web.db, proposal_id)[0]
    assert client.get(f"/images/{image.id}/full.webp").status_code == 200
    assert web.client().get(f"/images/{image.id}/full.webp").status_code == 404
    stranger = web.signed_in(Role.RESIDENT)
    assert stranger.get(f"/images/{image.id}/thumb.webp").status_code == 404


def test_a_bad_file_comes_back_with_its_message_and_nothing_written(web: Web) -> None:
    _, client, proposal_id = setup(web)
    before = snapshot(web.db)
    response = upload(client, proposal_id, b"<?php system($_GET['c']); ?>", name="shell.jpg")
    assert response.status_code == 422
    assert "This file is not a JPEG, PNG or WebP image" in response.text
    missing_alt = upload(client, proposal_id, photo(), alt="")
    assert missing_alt.status_code == 422
    assert re.search(r"Description of the image[^<]*</a>|This field is required", missing_alt.text)
    assert snapshot(web.db) == before


def test_a_file_over_the_upload_limit_is_refused(web: Web) -> None:
    _, client, proposal_id = setup(web)
    before = snapshot(web.db)
    response = upload(client, proposal_id, b"\xff\xd8" + b"\x00" * (6 * 1024 * 1024))
    assert response.status_code == 413
    assert snapshot(web.db) == before
