"""One module per feature; each exports ROUTES, a list of route-table rows (routing.route)."""

from __future__ import annotations

from budget.web.routes import (
    accounts,
    admin,
    admin_accounts,
    admin_budgets,
    admin_categories,
    admin_districts,
    admin_review,
    authoring,
    identity,
    notifications,
    oidc,
    pages,
    proposals,
    public,
    review,
    your_account,
)
from budget.web.routing import RouteSpec


def all_routes() -> list[RouteSpec]:
    """The whole route table, in the order Starlette matches it."""
    return [
        *public.ROUTES,
        *proposals.ROUTES,
        *authoring.ROUTES,
        *notifications.ROUTES,
        *review.ROUTES,
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
    ]
