"""One module per feature; each exports ROUTES, a list of route-table rows (routing.route)."""

from __future__ import annotations

from budget.web.routes import (
    accounts,
    admin,
    admin_accounts,
    admin_budgets,
    admin_categories,
    admin_districts,
    admin_implementation,
    admin_results,
    admin_review,
    admin_roll,
    api,
    authoring,
    comments,
    declare,
    images,
    implementation,
    notifications,
    places,
    proposals,
    public,
    results,
    review,
    supports,
    vote,
)
from budget.web.routing import RouteSpec


def all_routes() -> list[RouteSpec]:
    """The whole route table, in the order Starlette matches it."""
    return [
        *public.ROUTES,
        *proposals.ROUTES,
        *implementation.ROUTES,
        *results.ROUTES,
        *authoring.ROUTES,
        *images.ROUTES,
        *places.ROUTES,
        *supports.ROUTES,
        *declare.ROUTES,
        *comments.ROUTES,
        *notifications.ROUTES,
        *review.ROUTES,
        *vote.ROUTES,
        *accounts.ROUTES,
        *admin.ROUTES,
        *admin_budgets.ROUTES,
        *admin_districts.ROUTES,
        *admin_categories.ROUTES,
        *admin_accounts.ROUTES,
        *admin_review.ROUTES,
        *admin_implementation.ROUTES,
        *admin_results.ROUTES,
        *api.ROUTES,
        *admin_roll.ROUTES,
    ]
