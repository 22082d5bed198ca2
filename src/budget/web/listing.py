"""The public proposal list's query string -> checked filters (T7: allow-listed keys and values).

The list, the map, the GeoJSON markers and the exports read the same parameters (q, budget,
district, category, status, sort, page). A value that is not one of the cycle's own ids or an
allowed word is ignored, and the page says which filters were: never an error page, never a
500. The random order's seed is derived from the visitor's session, so it stays put while they
page through the list and differs from one visitor to the next.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlencode

from budget.db.queries import PUBLIC_STATUSES, SORTS, CategoryView, CycleView, ProposalFilters
from budget.domain.proposals import ProposalStatus
from budget.web.forms import is_clean_text

TEXT_MAX: Final = 200
PAGE_MAX: Final = 100_000
KEYS: Final = ("q", "budget", "district", "category", "status", "sort")


@dataclass(frozen=True)
class ListQuery:
    filters: ProposalFilters
    page: int
    values: Mapping[str, str]  # the accepted values, as the form shows them
    ignored: tuple[str, ...] = field(default=())

    def url(self, path: str, *, page: int | None = None, **changes: str) -> str:
        """`path` with these filters (and a page, when given); empty values left out."""
        values = {**self.values, **changes}
        pairs = [(k, values[k]) for k in KEYS if values.get(k)]
        if page is not None and page > 1:
            pairs.append(("page", str(page)))
        return f"{path}?{urlencode(pairs)}" if pairs else path


_NUMBER: Final = re.compile(r"([0-9]+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key reading numbers as numbers: "5e" before "10e", "10e" before "20e" (a text sort
    puts "10e arrondissement" first and "9e" last). Case is ignored."""
    parts = _NUMBER.split(text.casefold())
    return tuple((1, int(part)) if _NUMBER.fullmatch(part) else (0, part) for part in parts if part)


def shuffle_seed(csrf_token: str) -> str:
    """A per-visitor seed; the token itself never leaves the server in this form."""
    return hashlib.sha256(f"shuffle:{csrf_token}".encode()).hexdigest()[:16]


def _choice(raw: str, allowed: Iterable[int]) -> int | None:
    if not raw.isdigit() or len(raw) > 12:
        return None
    number = int(raw)
    return number if number in set(allowed) else None


def read_list_query(
    params: Mapping[str, str],
    cycle: CycleView,
    categories: Iterable[CategoryView],
    *,
    seed: str,
) -> ListQuery:
    """Checked filters from the query string; bad values are dropped and named in `ignored`."""
    raw = {key: params.get(key, "").strip() for key in (*KEYS, "page")}
    values: dict[str, str] = {}
    ignored: list[str] = []

    def keep(key: str, accepted: bool) -> None:
        if raw[key] and accepted:
            values[key] = raw[key]
        elif raw[key]:
            ignored.append(key)

    keep("q", len(raw["q"]) <= TEXT_MAX and is_clean_text(raw["q"], multiline=False))
    budget = _choice(raw["budget"], (b.id for b in cycle.budgets))
    keep("budget", budget is not None)
    district = _choice(raw["district"], (b.district_id for b in cycle.budgets if b.district_id))
    keep("district", district is not None)
    category = _choice(raw["category"], (c.id for c in categories))
    keep("category", category is not None)
    statuses = {s.value for s in PUBLIC_STATUSES}
    keep("status", raw["status"] in statuses)
    keep("sort", raw["sort"] in SORTS)
    page = int(raw["page"]) if raw["page"].isdigit() and len(raw["page"]) <= 6 else None
    if raw["page"] and (page is None or not 1 <= page <= PAGE_MAX):
        ignored.append("page")
        page = None
    filters = ProposalFilters(
        text=values.get("q", ""),
        budget_id=budget,
        district_id=district,
        category_id=category,
        status=ProposalStatus(values["status"]) if "status" in values else None,
        sort=values.get("sort", "newest"),
        seed=seed,
    )
    return ListQuery(filters=filters, page=page or 1, values=values, ignored=tuple(ignored))
