"""The route table's object loaders (routing.route(..., loader=)): who may know which object.

Each loader takes the database session, the caller and the id from the path, and returns the
object's view model, or raises NotFound (the caller may not know it exists) or PermissionDenied
(they may see it, not use it). The guard runs it before the handler, which reads the result with
`loaded(request, ViewType)`; a handler never fetches its route's object by itself (T7).
"""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session
from starlette.requests import Request

from budget.db import queries
from budget.db.queries import (
    AccountView,
    BatchPage,
    BatchView,
    BudgetView,
    CategoryView,
    CommitteeView,
    CycleView,
    DistrictView,
    ImageContent,
    NotificationView,
    PlacePage,
    PlaceReport,
    ProjectView,
    ProposalView,
    RollEntryView,
)
from budget.domain import cycle as cycle_rules
from budget.domain.accounts import Caller
from budget.domain.errors import NotFound
from budget.services import polling

T = TypeVar("T")


def loaded(request: Request, kind: type[T]) -> T:
    """The object the route's loader fetched for this request."""
    found = request.state.loaded
    if not isinstance(found, kind):  # a route declared with another loader: a bug
        raise TypeError(f"the route loads {type(found).__name__}, not {kind.__name__}")
    return found


def loaded_id(request: Request) -> int:
    """The id in the route's path, once its loader accepted it for the caller: for a handler
    that acts on the object by id (a service call) rather than reading the view again."""
    found: int = request.state.loaded_id
    return found


# -- for everyone --------------------------------------------------------------------------------


def public_cycle(db: Session, caller: Caller, cycle_id: int) -> CycleView:
    """A cycle anyone may see; one in draft exists for the council only."""
    found = queries.get_cycle(db, cycle_id)
    if not cycle_rules.is_public(found.phase) and not caller.is_council:
        raise NotFound(kind="cycle", id=cycle_id)
    return found


def visible_proposal(db: Session, caller: Caller, proposal_id: int) -> ProposalView:
    """A public proposal, or a private one for its accepted authors."""
    return queries.visible_proposal(db, caller, proposal_id)


def authored_proposal(db: Session, caller: Caller, proposal_id: int) -> ProposalView:
    """A proposal for one of its accepted authors (others: 404 if private, 403 if public)."""
    return queries.authored_proposal(db, caller, proposal_id)


def public_budget(db: Session, caller: Caller, budget_id: int) -> BudgetView:
    """A budget of a cycle anyone may see (a draft cycle's, for the council only)."""
    found = queries.get_budget(db, budget_id)
    public_cycle(db, caller, found.cycle_id)
    return found


def published_results(db: Session, caller: Caller, budget_id: int) -> BudgetView:
    """A budget whose results are published; before that they exist for the council only,
    and everyone else gets 404, not 403 (T9): not even their existence shows."""
    found = public_budget(db, caller, budget_id)
    if not caller.is_council and not queries.is_published(db, budget_id):
        raise NotFound(kind="results", id=budget_id)
    return found


def funded_project(db: Session, caller: Caller, proposal_id: int) -> ProjectView:
    """A funded project (its building is public)."""
    return queries.get_project(db, proposal_id)


def visible_image(db: Session, caller: Caller, image_id: int) -> ImageContent:
    """An image (its thumbnail) of a proposal the caller may read, by the proposal's rule."""
    found = queries.image_content(db, image_id, "thumb")
    queries.check_content_visible(db, found.proposal_id, caller.account_id)
    return found


def authored_image(db: Session, caller: Caller, image_id: int) -> ProposalView:
    """The proposal of an image, for one of its accepted authors."""
    found = queries.image_content(db, image_id, "thumb")
    return queries.authored_proposal(db, caller, found.proposal_id)


def commented_proposal(db: Session, caller: Caller, comment_id: int) -> ProposalView:
    """The proposal a comment belongs to, if the caller may read that proposal."""
    return queries.visible_proposal(db, caller, queries.proposal_of_comment(db, comment_id))


def invited_proposal(db: Session, caller: Caller, proposal_id: int) -> ProposalView:
    """A proposal the caller has an unanswered invitation to co-author."""
    if caller.account_id is None or not queries.has_invitation(db, proposal_id, caller.account_id):
        raise NotFound(kind="invitation", id=proposal_id)
    return queries.get_proposal(db, proposal_id)


def own_session(db: Session, caller: Caller, session_id: int) -> int:
    """One of the caller's own sessions (the sessions page ends it); another's does not exist."""
    if caller.account_id is None:
        raise NotFound(kind="session", id=session_id)
    return queries.own_session_id(db, caller.account_id, session_id)


def own_notification(db: Session, caller: Caller, notification_id: int) -> NotificationView:
    if caller.account_id is None:
        raise NotFound(kind="notification", id=notification_id)
    return queries.own_notification(db, caller.account_id, notification_id)


# -- for reviewers -------------------------------------------------------------------------------


def reviewable_proposal(db: Session, caller: Caller, proposal_id: int) -> ProposalView:
    """A proposal assigned to the calling reviewer, neither authored nor conflicted (whatever
    other roles they hold): NotFound otherwise, as if it did not exist."""
    if caller.account_id is None:
        raise NotFound(kind="proposal", id=proposal_id)
    return queries.proposal_for_reviewer(db, caller.account_id, proposal_id)


def noted_proposal(db: Session, caller: Caller, proposal_id: int) -> ProposalView:
    """Where an internal note may be added: any proposal for the council, else as above."""
    if caller.is_council:
        return queries.get_proposal(db, proposal_id)
    return reviewable_proposal(db, caller, proposal_id)


# -- for officers --------------------------------------------------------------------------------


def _on_shift(db: Session, caller: Caller, place_id: int) -> None:
    """An officer's pages exist only at their place during their shift (T2, T7): 403 naming
    the next shift otherwise (services.polling.require_on_shift is the rule)."""
    if caller.account_id is None or caller.now is None:  # the route is for officers only
        raise NotFound(kind="polling place", id=place_id)
    polling.require_on_shift(db, caller.now, caller.account_id, place_id)


def officer_place(db: Session, caller: Caller, place_id: int) -> PlacePage:
    found = queries.place_page(db, place_id)
    _on_shift(db, caller, place_id)
    return found


def officer_batch(db: Session, caller: Caller, batch_id: int) -> BatchPage:
    batch = queries.get_batch(db, batch_id)
    _on_shift(db, caller, batch.place_id)
    assert caller.account_id is not None  # noqa: S101 - _on_shift refused a visitor
    return queries.batch_page(db, batch_id, caller.account_id)


# -- for the council (the routes are council-only; these only check existence) -------------------


def polling_place(db: Session, caller: Caller, place_id: int) -> PlaceReport:
    return queries.place_report(db, place_id)


def paper_batch(db: Session, caller: Caller, batch_id: int) -> BatchView:
    return queries.get_batch(db, batch_id)


def cycle(db: Session, caller: Caller, cycle_id: int) -> CycleView:
    return queries.get_cycle(db, cycle_id)


def proposal(db: Session, caller: Caller, proposal_id: int) -> ProposalView:
    return queries.get_proposal(db, proposal_id)


def budget(db: Session, caller: Caller, budget_id: int) -> BudgetView:
    return queries.get_budget(db, budget_id)


def district(db: Session, caller: Caller, district_id: int) -> DistrictView:
    return queries.get_district(db, district_id)


def category(db: Session, caller: Caller, category_id: int) -> CategoryView:
    return queries.get_category(db, category_id)


def committee(db: Session, caller: Caller, committee_id: int) -> CommitteeView:
    return queries.get_committee(db, committee_id)


def account(db: Session, caller: Caller, account_id: int) -> AccountView:
    return queries.get_account(db, account_id)


def reset_request(db: Session, caller: Caller, request_id: int) -> int:
    """A council member's password reset awaiting a second member's approval."""
    return queries.reset_request_id(db, request_id)


def roll_entry(db: Session, caller: Caller, entry_id: int) -> RollEntryView:
    return queries.get_entry(db, entry_id)
