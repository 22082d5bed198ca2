"""District boundaries and proposal locations, in exact integer micro-degrees.

GeoJSON (RFC 7946) is read with every number as a `Decimal`, then rounded half-even to the
micro-degree (1e-6 degree, about 11 cm): what the council uploads is stored as text, and what we
compute with is integers, identical on every platform and database. Positions are `[lon, lat]`
(GeoJSON order); `contains` takes `(lat, lon)` (the order people write).

A point on the edge of a ring (outer ring or hole) counts as inside: an address on the street
that separates two districts belongs to both, rather than to neither.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from typing import Final

from budget.domain.errors import (
    BadBoundary,
    FieldErrors,
    InvalidCoordinate,
    OutOfRange,
    OutsideDistrict,
    OutsideMap,
)

MICRO: Final = 1_000_000
MAX_BOUNDARY_BYTES: Final = 2_000_000  # a detailed city district is well under 1 MB
MAX_RINGS: Final = 2_000
MAX_POSITIONS: Final = 200_000  # over every ring; `contains` stays fast enough per request
MIN_RING_POSITIONS: Final = 4  # a triangle, closed: RFC 7946 section 3.1.6
LAT_LIMIT: Final = 90 * MICRO
LON_LIMIT: Final = 180 * MICRO
_POINT_TEXT: Final = re.compile(r"^[+-]?[0-9]{1,3}(?:[.,][0-9]{1,20})?$")

# What BadBoundary(problem=...) can name; the web layer has a sentence for each.
PROBLEMS: Final = (
    "not-json", "too-large", "wrong-type", "no-polygon", "bad-coordinates", "bad-position",
    "out-of-range", "ring-too-short", "ring-not-closed",
)  # fmt: skip

Position = tuple[int, int]  # (lon_e6, lat_e6): x then y
Ring = tuple[Position, ...]


@dataclass(frozen=True)
class Polygon:
    """An outer ring and its holes, each ring closed (first position repeated last)."""

    outer: Ring
    holes: tuple[Ring, ...] = ()

    def contains(self, x: int, y: int) -> bool:
        rings = (self.outer, *self.holes)
        if any(_on_ring(ring, x, y) for ring in rings):
            return True
        return _crosses_odd(self.outer, x, y) and not any(_crosses_odd(h, x, y) for h in self.holes)


@dataclass(frozen=True)
class Boundary:
    """The area of one or more polygons (a MultiPolygon)."""

    polygons: tuple[Polygon, ...]

    def contains(self, lat_e6: int, lon_e6: int) -> bool:
        """Whether the point lies inside or on the edge of one of the polygons (holes excluded,
        their edges included)."""
        return any(polygon.contains(lon_e6, lat_e6) for polygon in self.polygons)


# -- point in polygon, exact -------------------------------------------------------------------


def _edges(ring: Ring) -> Iterator[tuple[Position, Position]]:
    return pairwise(ring)


def _on_ring(ring: Ring, x: int, y: int) -> bool:
    for (x1, y1), (x2, y2) in _edges(ring):
        collinear = (x2 - x1) * (y - y1) == (y2 - y1) * (x - x1)
        if collinear and min(x1, x2) <= x <= max(x1, x2) and min(y1, y2) <= y <= max(y1, y2):
            return True
    return False


def _crosses_odd(ring: Ring, x: int, y: int) -> bool:
    """Ray casting towards +x: an odd number of edge crossings means inside. Each edge counts
    when it spans y half-open (y1 > y) != (y2 > y), so a vertex on the ray counts once. The
    crossing abscissa is compared by cross-multiplication: integers only, no rounding."""
    inside = False
    for (x1, y1), (x2, y2) in _edges(ring):
        if (y1 > y) == (y2 > y):
            continue
        dy = y2 - y1
        left = (x - x1) * dy
        right = (y - y1) * (x2 - x1)
        if (left < right) if dy > 0 else (left > right):
            inside = not inside
    return inside


# -- parsing ------------------------------------------------------------------------------------


def to_micro(value: Decimal) -> int:
    """Degrees as integer micro-degrees, rounded half-even (finer input is below 11 cm)."""
    return int((value * MICRO).to_integral_value(rounding=ROUND_HALF_EVEN))


def _refuse_constant(name: str) -> object:
    raise BadBoundary(problem="not-json")  # NaN, Infinity: not JSON numbers (RFC 8259)


def _load(text: str) -> object:
    if len(text.encode("utf-8", errors="replace")) > MAX_BOUNDARY_BYTES:
        raise BadBoundary(problem="too-large")
    try:
        return json.loads(
            text, parse_float=Decimal, parse_int=Decimal, parse_constant=_refuse_constant
        )
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; nesting too deep
        raise BadBoundary(problem="not-json") from None


def _members(document: object) -> list[object]:
    """The Polygon and MultiPolygon geometries of a geometry, Feature or FeatureCollection."""
    if not isinstance(document, dict):
        raise BadBoundary(problem="wrong-type")
    kind = document.get("type")
    if kind in ("Polygon", "MultiPolygon"):
        return [document]
    if kind == "Feature":
        geometry = document.get("geometry")
        return [] if geometry is None else _members(geometry)
    if kind in ("FeatureCollection", "GeometryCollection"):
        key = "features" if kind == "FeatureCollection" else "geometries"
        items = document.get(key)
        if not isinstance(items, list):
            raise BadBoundary(problem="wrong-type")
        return [member for item in items for member in _members(item)]
    raise BadBoundary(problem="wrong-type")


def _position(raw: object) -> Position:
    if not isinstance(raw, list) or len(raw) not in (2, 3):
        raise BadBoundary(problem="bad-position")
    if not all(isinstance(n, Decimal) for n in raw):  # bool, str, null are not coordinates
        raise BadBoundary(problem="bad-position")
    lon, lat = to_micro(raw[0]), to_micro(raw[1])  # a third number (altitude) is ignored
    if not (-LON_LIMIT <= lon <= LON_LIMIT and -LAT_LIMIT <= lat <= LAT_LIMIT):
        raise BadBoundary(problem="out-of-range")
    return lon, lat


def _ring(raw: object) -> Ring:
    if not isinstance(raw, list):
        raise BadBoundary(problem="bad-coordinates")
    if len(raw) < MIN_RING_POSITIONS:
        raise BadBoundary(problem="ring-too-short")
    ring = tuple(_position(p) for p in raw)
    if ring[0] != ring[-1]:
        raise BadBoundary(problem="ring-not-closed")
    return ring


def _polygon(raw: object) -> Polygon:
    if not isinstance(raw, list) or not raw:
        raise BadBoundary(problem="bad-coordinates")
    rings = [_ring(r) for r in raw]
    return Polygon(outer=rings[0], holes=tuple(rings[1:]))


def _polygons_of(geometry: object) -> list[Polygon]:
    assert isinstance(geometry, dict)  # noqa: S101 - _members only returns objects
    coordinates = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        return [_polygon(coordinates)]
    if not isinstance(coordinates, list):
        raise BadBoundary(problem="bad-coordinates")
    return [_polygon(p) for p in coordinates]


def _check_size(polygons: list[Polygon]) -> None:
    rings = [ring for p in polygons for ring in (p.outer, *p.holes)]
    if len(rings) > MAX_RINGS or sum(len(r) for r in rings) > MAX_POSITIONS:
        raise BadBoundary(problem="too-large")


def parse_boundary(text: str) -> Boundary:
    """A district boundary from GeoJSON: a Polygon or MultiPolygon geometry, a Feature of one,
    or a FeatureCollection (or GeometryCollection) of them, taken together. Raises BadBoundary
    naming the problem: not-json, too-large, wrong-type, no-polygon, bad-coordinates,
    bad-position,
    out-of-range, ring-too-short, ring-not-closed."""
    polygons = [poly for member in _members(_load(text)) for poly in _polygons_of(member)]
    if not polygons:
        raise BadBoundary(problem="no-polygon")
    _check_size(polygons)
    return Boundary(tuple(polygons))


def _degrees(text: str, name: str, limit: int) -> int:
    cleaned = text.strip()
    if not _POINT_TEXT.match(cleaned):
        raise FieldErrors({name: InvalidCoordinate()})
    value = to_micro(Decimal(cleaned.replace(",", ".")))  # the pattern admits only decimals
    if not -limit <= value <= limit:
        raise FieldErrors({name: OutOfRange(min=-limit // MICRO, max=limit // MICRO)})
    return value


def parse_point(lat: str, lon: str) -> tuple[int, int]:
    """Decimal degrees as typed ("48.8566" or "48,8566") -> (lat_e6, lon_e6), rounded half-even
    to the micro-degree. Raises FieldErrors naming the field, `lat` or `lon` (both when both
    are wrong): InvalidCoordinate for text that is not a decimal number, OutOfRange outside
    -90..90 or -180..180."""
    errors: dict[str, FieldErrors] = {}
    values: dict[str, int] = {}
    for name, text, limit in (("lat", lat, LAT_LIMIT), ("lon", lon, LON_LIMIT)):
        try:
            values[name] = _degrees(text, name, limit)
        except FieldErrors as error:
            errors[name] = error
    if errors:
        raise FieldErrors({n: e.fields[n] for n, e in errors.items()})
    return values["lat"], values["lon"]


# -- where a proposal may be placed ---------------------------------------------------------------


@dataclass(frozen=True)
class Extent:
    """A box in micro-degrees, edges included: the area a cycle's map covers."""

    south: int
    west: int
    north: int
    east: int

    def contains(self, lat_e6: int, lon_e6: int) -> bool:
        return self.south <= lat_e6 <= self.north and self.west <= lon_e6 <= self.east


def extent_of(boundaries: Iterable[Boundary]) -> Extent | None:
    """The smallest box holding every boundary (the cycle's map bounds, the box its map is
    fitted to); None without any boundary."""
    positions = [
        position
        for boundary in boundaries
        for polygon in boundary.polygons
        for position in polygon.outer
    ]
    if not positions:
        return None
    lons = [lon for lon, _ in positions]
    lats = [lat for _, lat in positions]
    return Extent(south=min(lats), west=min(lons), north=max(lats), east=max(lons))


def place_point(
    lat: str, lon: str, *, district: Boundary | None, area: Extent | None
) -> tuple[int, int]:
    """The one check of a point that someone places (every place that accepts a point calls
    it): parsed as `parse_point` does, then inside the budget's district (`district`, when it
    has a boundary) and inside the cycle's map bounds (`area`, when the cycle has any: a point
    in New York for a Paris cycle is a slip, not a project). Raises FieldErrors on `lat`:
    OutsideDistrict, or OutsideMap."""
    point = parse_point(lat, lon)
    if district is not None and not district.contains(*point):
        raise FieldErrors({"lat": OutsideDistrict()})
    if area is not None and not area.contains(*point):
        raise FieldErrors({"lat": OutsideMap()})
    return point
