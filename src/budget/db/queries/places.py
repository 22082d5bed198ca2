"""District boundaries: the GeoJSON the council uploaded, for the map and the district form."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from budget.db.tables import Budget, District
from budget.domain.errors import NotFound


@dataclass(frozen=True)
class DistrictBoundary:
    id: int
    code: str
    name: str
    geojson: str  # as uploaded; checked by domain.geo.parse_boundary when it was saved


def boundary_text(db: Session, district_id: int) -> str | None:
    """The district's uploaded boundary, or None when it has none."""
    row = db.get(District, district_id)
    if row is None:
        raise NotFound(kind="district", id=district_id)
    return row.boundary


def cycle_boundaries(db: Session, cycle_id: int) -> tuple[DistrictBoundary, ...]:
    """The boundaries of the districts that have a budget in the cycle, by code."""
    query = (
        select(District)
        .where(col(District.id).in_(select(Budget.district_id).where(Budget.cycle_id == cycle_id)))
        .where(col(District.boundary).is_not(None))
        .order_by(col(District.code))
    )
    return tuple(
        DistrictBoundary(id=row.id, code=row.code, name=row.name, geojson=row.boundary)
        for row in db.exec(query).all()
        if row.id is not None and row.boundary is not None
    )
