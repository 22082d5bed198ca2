"""Comments and moderation through the pages, and the sentinel test: a proposal and a comment
the council hides leave every public place (list, map, exports, its pages, images,
notifications) while their text stays in the database for the audit; hostile Markdown in a
comment is rendered inert; the rate limit answers 429 with the resident's text kept."""

from __future__ import annotations

from sqlmodel import select

from budget.db import queries
from budget.db.tables import Comment, Notification, Proposal
from budget.domain.accounts import Role
from budget.domain.engagement import COMMENT_RATE, FollowTopic
from budget.services import follows, images
from budget.services.mail_text import Kind
from budget.web.markdown import SCHEMES
from tests.images import png
from tests.security.test_markdown_xss import VECTORS, scheme, tags_of
from tests.webapp import Web, csrf_token, make_cycle, make_proposal, sign_in

SENTINEL_TITLE = "SENTINEL-PROPOSAL-7f3a"
SENTINEL_COMMENT = "SENTINEL-COMMENT-91bc"


def post(client, path: str, data: dict[str, str] | None = None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/")})


def public_proposal(web: Web, title: str = "Shade trees") -> tuple[int, int]:
    cycle_id = make_cycle(web)
    author = web.account(email="author@example.org")
    proposal_id = make_proposal(web, author.id, queries.list_budgets(web.db, cycle_id)[0].id)
    if title != "Shade trees":
        row = web.db.get(Proposal, proposal_id)
        assert row is not None
        row.title = title
        web.db.add(row)
        web.db.commit()
    return cycle_id, proposal_id


def test_a_resident_comments_the_author_replies_marked(web: Web) -> None:
    _, proposal_id = public_proposal(web)
    client = web.signed_in(Role.RESIDENT)
    response = post(client, f"/proposals/{proposal_id}/comments", {"body": "Yes, **please**"})
    assert response.status_code == 303
    comment = queries.comments_of(web.db, proposal_id)[0]
    assert response.headers["location"].endswith(f"notice=comment-posted#comment-{comment.id}")
    author = web.client()
    sign_in(author, "author@example.org")
    post(
        author,
        f"/proposals/{proposal_id}/comments",
        {"body": "Thanks", "parent_id": str(comment.id)},
    )
    page = web.client().get(f"/proposals/{proposal_id}").text
    assert "<strong>please</strong>" in page
    assert "author of the proposal" in page
    assert "Sign in to comment" in page
    edit = client.get(f"/comments/{comment.id}/edit")
    assert edit.status_code == 200
    assert post(client, f"/comments/{comment.id}/edit", {"body": "Yes!"}).status_code == 303
    assert queries.comments_of(web.db, proposal_id)[0].body == "Yes!"
    web.clock.advance(minutes=11)
    late = post(client, f"/comments/{comment.id}/edit", {"body": "Too late"})
    assert late.status_code == 422
    assert "can only be edited in the 10 minutes" in late.text
    assert author.get(f"/comments/{comment.id}/edit").status_code == 404  # not theirs


def test_hostile_markdown_in_comments_is_inert(web: Web) -> None:
    _, proposal_id = public_proposal(web)
    client = web.signed_in(Role.RESIDENT)
    for k, vector in enumerate(VECTORS):
        web.clock.advance(minutes=3)  # under the rate limit
        assert (
            post(client, f"/proposals/{proposal_id}/comments", {"body": vector}).status_code == 303
        ), k
    page = web.client().get(f"/proposals/{proposal_id}").text
    for tag, attrs in tags_of(page):
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        for name in ("href", "src", "action"):
            if name in attrs:
                assert scheme(attrs[name]) in {*SCHEMES, ""}, attrs
    assert "<script>alert" not in page.lower()


def test_the_rate_limit_answers_429_and_keeps_the_text(web: Web) -> None:
    _, proposal_id = public_proposal(web)
    client = web.signed_in(Role.RESIDENT)
    for k in range(COMMENT_RATE.count):
        post(client, f"/proposals/{proposal_id}/comments", {"body": f"Point {k}"})
    refused = post(client, f"/proposals/{proposal_id}/comments", {"body": "One more thought"})
    assert refused.status_code == 429
    assert "You reached the limit of 5 in 10 minutes." in refused.text
    assert "One more thought</textarea>" in refused.text
    assert len(queries.comments_of(web.db, proposal_id)) == COMMENT_RATE.count


def test_reports_reach_the_queue_and_the_council_hides_with_a_reason(web: Web) -> None:
    _, proposal_id = public_proposal(web)
    writer = web.signed_in(Role.RESIDENT)
    post(writer, f"/proposals/{proposal_id}/comments", {"body": SENTINEL_COMMENT})
    comment = queries.comments_of(web.db, proposal_id)[0]
    reader = web.client()
    sign_in(reader, "author@example.org")
    assert post(reader, f"/comments/{comment.id}/flag", {"reason": "Spam"}).status_code == 303
    again = post(reader, f"/comments/{comment.id}/flag", {"reason": "Spam!"})
    assert again.status_code == 422
    assert "You already reported this" in again.text
    council = web.signed_in(Role.COUNCIL)
    queue = council.get("/admin/moderation").text
    assert SENTINEL_COMMENT in queue
    assert "Spam" in queue
    target = {"kind": "comment", "target_id": str(comment.id)}
    no_reason = post(council, "/admin/moderation", {**target, "action": "hide"})
    assert no_reason.status_code == 422
    hidden = post(council, "/admin/moderation", {
        "kind": "comment", "target_id": str(comment.id), "action": "hide",
        "reason": "Advertising",
    })  # fmt: skip
    assert hidden.headers["location"] == "/admin/moderation?notice=moderation-hidden"
    page = web.client().get(f"/proposals/{proposal_id}").text
    assert SENTINEL_COMMENT not in page
    assert "hidden by the moderators. Reason: Advertising" in page
    kept = web.db.exec(select(Comment.body).where(Comment.id == comment.id)).one()
    assert kept == SENTINEL_COMMENT
    post(council, "/admin/moderation", {**target, "action": "restore"})
    assert SENTINEL_COMMENT in web.client().get(f"/proposals/{proposal_id}").text


def test_sentinel_a_hidden_proposal_leaves_every_public_place(web: Web) -> None:
    cycle_id, proposal_id = public_proposal(web, SENTINEL_TITLE)
    row = web.db.get(Proposal, proposal_id)
    assert row is not None
    row.lat_e6, row.lon_e6 = 48_860_000, 2_380_000
    web.db.add(row)
    image_id = images.add_image(
        web.db, web.clock(), actor_id=row.created_by, proposal_id=proposal_id, upload=png(),
        alt_text=SENTINEL_TITLE,
    )  # fmt: skip
    follower = web.account(email="follower@example.org")
    follows.follow(web.db, web.clock(), actor_id=follower.id, proposal_id=proposal_id)
    web.db.commit()
    base = f"/cycles/{cycle_id}/proposals"
    places = (base, f"{base}.geojson", f"{base}.csv", f"{base}.json")  # the map reads .geojson
    visitor = web.client()
    for path in places:
        assert SENTINEL_TITLE in visitor.get(path).text, path  # shown before hiding

    council = web.signed_in(Role.COUNCIL)
    post(council, f"/proposals/{proposal_id}/flag", {"reason": "Duplicate"})
    hidden = post(council, "/admin/moderation", {
        "kind": "proposal", "target_id": str(proposal_id), "action": "hide",
        "reason": "Personal attack on a neighbour",
    })  # fmt: skip
    assert hidden.status_code == 303
    for path in places:
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert SENTINEL_TITLE not in response.text, path
    page = visitor.get(f"/proposals/{proposal_id}")
    assert page.status_code == 200
    assert SENTINEL_TITLE not in page.text
    assert "Personal attack on a neighbour" in page.text
    assert visitor.get(f"/proposals/{proposal_id}/versions").status_code == 404
    assert visitor.get(f"/images/{image_id}/thumb.webp").status_code == 404
    told = follows.notify_followers(
        web.db, web.clock(), proposal_id, FollowTopic.VOTE, Kind.VOTE_OPENED
    )
    assert told == 0
    assert not web.db.exec(
        select(Notification).where(Notification.proposal_id == proposal_id)
    ).all()
    assert web.db.get(Proposal, proposal_id).title == SENTINEL_TITLE  # type: ignore[union-attr]


def test_an_unconfirmed_address_cannot_comment_and_the_page_says_so(web: Web) -> None:
    _, proposal_id = public_proposal(web)
    client = web.signed_in(verified=False)
    assert "Send the link again" in client.get(f"/proposals/{proposal_id}").text
    refused = post(client, f"/proposals/{proposal_id}/comments", {"body": "Me too"})
    assert refused.status_code == 403
    assert "Confirm your e-mail address first" in refused.text
    assert web.db.exec(select(Comment)).all() == []
