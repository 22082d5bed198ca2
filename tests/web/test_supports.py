"""Supports and follows through the pages: the council turns supports on with a threshold; a
resident supports from the proposal's page and takes it back; the count and the threshold are
public; the listing sorts by supports; following and the follow topics are the resident's."""

from __future__ import annotations

from budget.db import queries
from budget.domain.accounts import Role
from budget.domain.engagement import FollowTopic
from budget.services import supports
from tests.webapp import Web, csrf_token, make_cycle, make_proposal, sign_in


def post(client, path: str, data: dict[str, str] | None = None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/")})


def enable(web: Web, cycle_id: int, threshold: int | None = None) -> None:
    supports.configure_supports(
        web.db, web.clock(), actor_id=web.council_id(), cycle_id=cycle_id, enabled=True,
        threshold=threshold,
    )  # fmt: skip
    web.db.commit()


def test_the_council_turns_supports_on_with_a_threshold(web: Web) -> None:
    cycle_id = make_cycle(web)
    council = web.signed_in(Role.COUNCIL)
    assert "Supports before review" in council.get(f"/admin/cycles/{cycle_id}").text
    form = council.get(f"/admin/cycles/{cycle_id}/supports")
    assert 'name="threshold"' in form.text
    bad = post(council, f"/admin/cycles/{cycle_id}/supports", {"enabled": "on", "threshold": "0"})
    assert bad.status_code == 422
    assert "Enter a number from 1 to 1000000." in bad.text
    saved = post(council, f"/admin/cycles/{cycle_id}/supports", {"enabled": "on", "threshold": "3"})
    assert saved.headers["location"] == f"/admin/cycles/{cycle_id}?notice=supports-saved"
    assert queries.support_option(web.db, cycle_id) == queries.SupportOption(True, 3)
    listing = web.client().get(f"/cycles/{cycle_id}/proposals").text
    assert "A proposal needs at least 3 supports to go to review." in listing


def test_a_resident_supports_and_withdraws_from_the_page(web: Web) -> None:
    cycle_id = make_cycle(web)
    enable(web, cycle_id, threshold=5)
    author = web.account(email="author@example.org")
    proposal_id = make_proposal(web, author.id, queries.list_budgets(web.db, cycle_id)[0].id)
    visitor_page = web.client().get(f"/proposals/{proposal_id}").text
    assert "0 supports" in visitor_page
    assert "at least 5 needed to go to review" in visitor_page
    assert "Sign in to support this proposal" in visitor_page

    client = web.signed_in(Role.RESIDENT)
    response = post(client, f"/proposals/{proposal_id}/support")
    assert response.headers["location"] == f"/proposals/{proposal_id}?notice=supported#engagement"
    page = client.get(f"/proposals/{proposal_id}").text
    assert "1 support" in page
    assert "Withdraw my support" in page
    assert "Stop following" in page  # supporters follow by default
    post(client, f"/proposals/{proposal_id}/support")  # twice: still one
    assert queries.support_counts(web.db, [proposal_id]) == {proposal_id: 1}
    post(client, f"/proposals/{proposal_id}/support/withdraw")
    assert queries.support_counts(web.db, [proposal_id]) == {proposal_id: 0}
    assert "Support this proposal" in client.get(f"/proposals/{proposal_id}").text


def test_supports_are_refused_where_the_cycle_takes_none(web: Web) -> None:
    cycle_id = make_cycle(web)
    author = web.account(email="author@example.org")
    proposal_id = make_proposal(web, author.id, queries.list_budgets(web.db, cycle_id)[0].id)
    client = web.signed_in(Role.RESIDENT)
    assert "Support this proposal" not in client.get(f"/proposals/{proposal_id}").text
    refused = post(client, f"/proposals/{proposal_id}/support")
    assert refused.status_code == 422
    assert "This cycle does not collect supports." in refused.text


def test_the_listing_sorts_by_supports(web: Web) -> None:
    cycle_id = make_cycle(web)
    enable(web, cycle_id)
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    author = web.account(email="author@example.org")
    first, second = (make_proposal(web, author.id, budget_id) for _ in range(2))
    for email in ("a@example.org", "b@example.org"):
        account = web.account(email=email)
        supports.support(web.db, web.clock(), actor_id=account.id, proposal_id=first)
    web.db.commit()
    newest = web.client().get(f"/cycles/{cycle_id}/proposals").text
    assert newest.index(f"#{second}") < newest.index(f"#{first}")
    by_supports = web.client().get(f"/cycles/{cycle_id}/proposals?sort=supports").text
    assert by_supports.index(f"#{first}") < by_supports.index(f"#{second}")
    assert "2 supports" in by_supports
    assert 'value="supports" selected' in by_supports


def test_a_resident_follows_unfollows_and_chooses_topics(web: Web) -> None:
    cycle_id = make_cycle(web)
    author = web.account(email="author@example.org")
    proposal_id = make_proposal(web, author.id, queries.list_budgets(web.db, cycle_id)[0].id)
    account = web.account(email="reader@example.org")
    client = web.client()
    sign_in(client, account.email)
    post(client, f"/proposals/{proposal_id}/follow")
    assert queries.is_following(web.db, proposal_id, account.id)
    post(client, f"/proposals/{proposal_id}/unfollow")
    assert not queries.is_following(web.db, proposal_id, account.id)
    saved = post(client, "/account/follow-topics", {"topic_decision": "on", "topic_vote": "on"})
    assert saved.headers["location"] == "/notifications?notice=topics-saved"
    assert queries.topics_off(web.db, account.id) == {
        FollowTopic.RESULTS, FollowTopic.IMPLEMENTATION
    }  # fmt: skip
    page = client.get("/notifications").text
    assert 'id="f-topic_vote" name="topic_vote" type="checkbox" checked' in page
    assert 'id="f-topic_results" name="topic_results" type="checkbox">' in page


def test_an_unconfirmed_address_cannot_support_and_the_page_says_so(web: Web) -> None:
    cycle_id = make_cycle(web)
    enable(web, cycle_id)
    author = web.account(email="author@example.org")
    proposal_id = make_proposal(web, author.id, queries.list_budgets(web.db, cycle_id)[0].id)
    client = web.signed_in(verified=False)
    page = client.get(f"/proposals/{proposal_id}").text
    assert "Your e-mail address is not confirmed yet" in page
    assert 'action="/verify/resend"' in page
    refused = post(client, f"/proposals/{proposal_id}/support")
    assert refused.status_code == 403
    assert "Confirm your e-mail address first" in refused.text
    assert queries.support_counts(web.db, [proposal_id]) == {proposal_id: 0}
