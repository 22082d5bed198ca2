"""District boundaries and points: exact GeoJSON reading, point in polygon with holes and edges."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain import geo
from budget.domain.errors import BadBoundary, FieldErrors, InvalidCoordinate, OutOfRange
from budget.domain.geo import parse_boundary, parse_point


def polygon(*rings: Sequence[Sequence[object]]) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": list(rings)}


def square(x0: int, y0: int, x1: int, y1: int) -> list[list[int]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def text(document: object) -> str:
    return json.dumps(document)


def problem(source: str) -> object:
    with pytest.raises(BadBoundary) as caught:
        parse_boundary(source)
    return caught.value.params["problem"]


# -- reading -------------------------------------------------------------------------------------


def test_coordinates_become_exact_micro_degrees() -> None:
    ring = [[2.3522219, 48.856614], [2.36, 48.856614], [2.36, 48.87], [2.3522219, 48.856614]]
    boundary = parse_boundary(text(polygon(ring)))
    assert boundary.polygons[0].outer[0] == (2_352_222, 48_856_614)  # lon, lat; half-even


def test_rounding_is_half_even_on_the_decimal_text() -> None:
    assert geo.to_micro(Decimal("0.0000005")) == 0
    assert geo.to_micro(Decimal("0.0000015")) == 2
    assert geo.to_micro(Decimal("-1.0000025")) == -1_000_002


def test_feature_collection_multipolygon_and_geometry_collection_are_read() -> None:
    a, b = square(0, 0, 1, 1), square(5, 5, 6, 6)
    multi = {"type": "MultiPolygon", "coordinates": [[a], [b]]}
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": polygon(a), "properties": {"name": "x"}},
            {"type": "Feature", "geometry": None},
            {"type": "Feature", "geometry": {"type": "GeometryCollection", "geometries": [multi]}},
        ],
    }
    boundary = parse_boundary(text(collection))
    assert len(boundary.polygons) == 3
    assert boundary.contains(5_500_000, 5_500_000)


def test_altitude_is_ignored() -> None:
    ring = [[0, 0, 35], [1, 0, 35], [1, 1, 35], [0, 0, 35]]
    assert parse_boundary(text(polygon(ring))).polygons[0].outer[1] == (1_000_000, 0)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{not json", "not-json"),
        ('{"type": "Polygon", "coordinates": [[[NaN, 0]]]}', "not-json"),
        ("[" * 100_000 + "]" * 100_000, "not-json"),
        (" " * (geo.MAX_BOUNDARY_BYTES + 1), "too-large"),
        ("[]", "wrong-type"),
        ('{"type": "Point", "coordinates": [0, 0]}', "wrong-type"),
        ('{"type": "FeatureCollection", "features": {}}', "wrong-type"),
        ('{"type": "FeatureCollection", "features": []}', "no-polygon"),
        ('{"type": "Feature", "geometry": null}', "no-polygon"),
        ('{"type": "Polygon", "coordinates": []}', "bad-coordinates"),
        ('{"type": "Polygon", "coordinates": "0,0"}', "bad-coordinates"),
        ('{"type": "Polygon", "coordinates": [7]}', "bad-coordinates"),
        ('{"type": "MultiPolygon", "coordinates": 3}', "bad-coordinates"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0]]]}', "bad-position"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],3]]}', "bad-position"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,0],[true,1],[0,0]]]}', "bad-position"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,0],["1",1],[0,0]]]}', "bad-position"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[181,0],[1,1],[0,0]]]}', "out-of-range"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,-90.5],[1,1],[0,0]]]}', "out-of-range"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,0],[0,0]]]}', "ring-too-short"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1]]]}', "ring-not-closed"),
    ],
)
def test_bad_geojson_is_refused_naming_the_problem(source: str, expected: str) -> None:
    assert problem(source) == expected
    assert expected in geo.PROBLEMS


def test_too_many_positions_is_refused() -> None:
    ring = [[0, 0]] + [[1, i / 1000] for i in range(geo.MAX_POSITIONS)] + [[0, 0]]
    assert problem(text(polygon(ring))) == "too-large"


def test_too_many_rings_is_refused() -> None:
    rings = [square(0, 0, 1, 1)] * (geo.MAX_RINGS + 1)
    assert problem(text(polygon(*rings))) == "too-large"


# -- containment --------------------------------------------------------------------------------


def test_holes_are_outside_and_their_edges_inside() -> None:
    boundary = parse_boundary(text(polygon(square(0, 0, 10, 10), square(4, 4, 6, 6))))
    assert boundary.contains(2_000_000, 2_000_000)
    assert not boundary.contains(5_000_000, 5_000_000)  # in the hole
    assert boundary.contains(4_000_000, 5_000_000)  # on the hole's edge
    assert boundary.contains(0, 5_000_000)  # on the outer edge
    assert boundary.contains(10_000_000, 10_000_000)  # on a corner
    assert not boundary.contains(11_000_000, 5_000_000)


def test_a_concave_polygon_counts_vertices_on_the_ray_once() -> None:
    # A "V" notch from the top: the ray from (y=5) passes through the vertex at (5, 5).
    ring = [[0, 0], [10, 0], [10, 10], [5, 5], [0, 10], [0, 0]]
    boundary = parse_boundary(text(polygon(ring)))
    assert boundary.contains(5_000_000, 2_000_000)  # lat 5, lon 2: left of the notch
    assert not boundary.contains(8_000_000, 5_000_000)  # inside the notch
    assert boundary.contains(2_000_000, 5_000_000)  # below the notch


def deg(micro: int) -> str:
    """Micro-degrees as decimal degrees text, exactly."""
    sign = "-" if micro < 0 else ""
    return f"{sign}{abs(micro) // geo.MICRO}.{abs(micro) % geo.MICRO:06d}"


coordinate = st.integers(-170_000_000, 170_000_000)
side = st.integers(1, 5_000_000)


@given(x0=coordinate, y0=st.integers(-80_000_000, 80_000_000), w=side, h=side,
       px=st.integers(-6_000_000, 6_000_000), py=st.integers(-6_000_000, 6_000_000))  # fmt: skip
def test_a_rectangle_contains_exactly_the_points_between_its_sides(
    x0: int, y0: int, w: int, h: int, px: int, py: int
) -> None:
    x1, y1 = x0 + w, y0 + h
    ring = ",".join(f"[{deg(x)},{deg(y)}]" for x, y in square(x0, y0, x1, y1))
    source = f'{{"type": "Polygon", "coordinates": [[{ring}]]}}'
    boundary = parse_boundary(source)
    x, y = x0 + px, y0 + py
    assert boundary.contains(y, x) == (x0 <= x <= x1 and y0 <= y <= y1)


triangle_point = st.tuples(st.integers(-1000, 1000), st.integers(-1000, 1000))


@given(
    points=st.lists(triangle_point, min_size=3, max_size=6),
    probe=triangle_point,
    dx=st.integers(-(10**6), 10**6),
    dy=st.integers(-(10**6), 10**6),
)
def test_containment_does_not_change_when_everything_moves_together(
    points: list[tuple[int, int]], probe: tuple[int, int], dx: int, dy: int
) -> None:
    ring = (*points, points[0])
    moved = tuple((x + dx, y + dy) for x, y in ring)
    here = geo.Polygon(outer=ring).contains(*probe)
    there = geo.Polygon(outer=moved).contains(probe[0] + dx, probe[1] + dy)
    assert here == there


@given(points=st.lists(triangle_point, min_size=3, max_size=6))
def test_every_vertex_is_inside(points: list[tuple[int, int]]) -> None:
    ring = (*points, points[0])
    boundary = geo.Boundary((geo.Polygon(outer=ring),))
    assert all(boundary.contains(y, x) for x, y in points)


# -- points -------------------------------------------------------------------------------------


def test_a_point_is_read_in_micro_degrees() -> None:
    assert parse_point("48.8566", "2.3522") == (48_856_600, 2_352_200)
    assert parse_point(" 48,85661234 ", "-2") == (48_856_612, -2_000_000)
    assert parse_point("-90", "180") == (-90_000_000, 180_000_000)


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        ("north", "2.35", {"lat": InvalidCoordinate}),
        ("48.8", "1e2", {"lon": InvalidCoordinate}),
        ("90.000001", "0", {"lat": OutOfRange}),
        ("", "-180.5", {"lat": InvalidCoordinate, "lon": OutOfRange}),
    ],
)
def test_a_bad_point_names_the_field(lat: str, lon: str, expected: dict[str, type]) -> None:
    with pytest.raises(FieldErrors) as caught:
        parse_point(lat, lon)
    assert {name: type(e) for name, e in caught.value.fields.items()} == expected


# -- placing a point: the cycle's map bounds, then the district ---------------------------------


def box(west: str, south: str, east: str, north: str) -> str:
    """A rectangle as GeoJSON text, its decimals written as given (exact)."""
    corners = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    ring = ",".join(f"[{x},{y}]" for x, y in corners)
    return f'{{"type":"Polygon","coordinates":[[{ring}]]}}'


ELEVENTH = box("2.36", "48.85", "2.40", "48.87")  # a box around the 11e arrondissement
TWELFTH = box("2.38", "48.82", "2.47", "48.85")


def test_the_map_bounds_are_the_box_around_every_boundary() -> None:
    area = geo.extent_of([parse_boundary(ELEVENTH), parse_boundary(TWELFTH)])
    assert area == geo.Extent(south=48_820_000, west=2_360_000, north=48_870_000, east=2_470_000)
    assert geo.extent_of([]) is None


def test_a_point_far_from_the_cycle_is_refused_even_for_a_city_budget() -> None:
    area = geo.extent_of([parse_boundary(ELEVENTH), parse_boundary(TWELFTH)])
    with pytest.raises(FieldErrors) as refused:
        geo.place_point("40.7128", "-74.0060", district=None, area=area)  # New York
    assert [e.code for e in refused.value.fields.values()] == ["proposal.outside-map"]
    # Inside the box but in neither district: fine for a city budget, not for the 11e's.
    assert geo.place_point("48.84", "2.37", district=None, area=area) == (48_840_000, 2_370_000)
    with pytest.raises(FieldErrors) as outside:
        geo.place_point("48.84", "2.37", district=parse_boundary(ELEVENTH), area=area)
    assert [e.code for e in outside.value.fields.values()] == ["proposal.outside-district"]
    # On the box's edge counts as inside, as on a district's edge.
    assert geo.place_point("48.87", "2.47", district=None, area=area) == (48_870_000, 2_470_000)
    # Without any boundary only the globe's ranges apply.
    assert geo.place_point("40.7128", "-74.0060", district=None, area=None) == (
        40_712_800,
        -74_006_000,
    )


def test_both_checks_apply_to_a_district_point() -> None:
    twelfth_only = geo.extent_of([parse_boundary(TWELFTH)])
    with pytest.raises(FieldErrors) as refused:
        geo.place_point("48.86", "2.37", district=parse_boundary(ELEVENTH), area=twelfth_only)
    assert [e.code for e in refused.value.fields.values()] == ["proposal.outside-map"]
