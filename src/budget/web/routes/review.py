"""(filled in by the proposals and review feature)"""

from __future__ import annotations

from budget.web.routing import RouteSpec

ROUTES: list[RouteSpec] = []
