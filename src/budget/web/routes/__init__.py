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
    admin_polling,
    admin_review,
    admin_roll,
    api,
    authoring,
    comments,
    declare,
    identity,
    images,
    implementation,
    notifications,
    oidc,
    pages,
    places,
    polling,
    proposals,
    public,
    review,
    supports,
    vote,
    your_account,
)
from budget.web.routing import RouteSpec


def all_routes() -> list[RouteSpec]:
    """The whole route table, in the order Starlette matches it."""
    return [
        *public.ROUTES,
        *proposals.ROUTES,
        *implementation.ROUTES,
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
        *identity.ROUTES,
        *oidc.ROUTES,
        *your_account.ROUTES,
        *pages.ROUTES,
        *admin.ROUTES,
        *admin_budgets.ROUTES,
        *admin_districts.ROUTES,
        *admin_categories.ROUTES,
        *admin_accounts.ROUTES,
        *admin_review.ROUTES,
        *admin_implementation.ROUTES,
        *api.ROUTES,
        *admin_roll.ROUTES,
        *polling.ROUTES,
        *admin_polling.ROUTES,
    ]
