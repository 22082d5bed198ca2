"""(filled in by the proposals feature: a cycle's proposal categories)"""

from __future__ import annotations

from budget.web.routing import RouteSpec

ROUTES: list[RouteSpec] = []
