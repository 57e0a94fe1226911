"""The geometry of plan against plan: clipped parts lie inside one's own volume, within the minima."""

from __future__ import annotations

import pytest
from shapely.geometry import Polygon

from airdecon.operations import (
    Minima,
    OperationError,
    clip,
    grown_latlon,
    lonlat_polygon,
    notices,
    parse_operation,
    volume_ring,
)

M = Minima(5.0, 1000.0, 300.0)


def op(party: str, ident: str, *volumes: dict) -> object:  # type: ignore[type-arg]
    return parse_operation({"id": ident, "volumes": list(volumes)}, party)


def square(lat: float, lon: float, d: float, **kw: float) -> dict:  # type: ignore[type-arg]
    return {"polygon": [[lat, lon], [lat, lon + d], [lat + d, lon + d], [lat + d, lon]],
            "alt_lower_ft": kw.get("lo", 20000), "alt_upper_ft": kw.get("hi", 30000),
            "start": kw.get("start", 0), "end": kw.get("end", 3600)}  # fmt: skip


@pytest.mark.parametrize(
    "other",
    [
        square(40.1, 10.25, 0.2),  # beside, 0.05° of longitude away (~2.3 NM)
        square(40.05, 10.05, 0.1),  # inside
        {
            "circle": {"lat": 40.1, "lon": 10.3, "radius_nm": 3},
            "alt_lower_ft": 30500,
            "alt_upper_ft": 40000,
            "start": 3000,
            "end": 9000,
        },
    ],
)
def test_the_clipped_part_lies_inside_own_volume_and_the_others_grown_volume(other: dict) -> None:  # type: ignore[type-arg]
    own = op("BLUE", "A", square(40.0, 10.0, 0.2)).volumes[0]  # type: ignore[attr-defined]
    theirs = op("RED", "B", other).volumes[0]  # type: ignore[attr-defined]
    c = clip(own, theirs, M)
    assert c is not None
    tol = 1e-5  # degrees (~1 m): the parts are rounded to 1e-6 degree
    part = Polygon([(lon, lat) for lat, lon in c.rings[0]])
    assert part.within(lonlat_polygon(volume_ring(own)).buffer(tol))
    lats = [p[0] for p in c.rings[0]]
    lons = [p[1] for p in c.rings[0]]
    centre = (round((min(lats) + max(lats)) / 2, 4), round((min(lons) + max(lons)) / 2, 4))
    assert part.within(grown_latlon(theirs, M, centre).buffer(tol))
    # and not beyond: the part is all of own volume within the grown other, not more, not less
    whole = lonlat_polygon(volume_ring(own)).intersection(grown_latlon(theirs, M, centre))
    assert abs(whole.area - part.area) / whole.area < 0.02
    assert own.alt_lower_ft <= c.alt_lower_ft < c.alt_upper_ft <= own.alt_upper_ft
    assert own.start <= c.start < c.end <= own.end


def test_the_part_never_shows_the_others_vertices() -> None:
    own = op("BLUE", "A", square(40.0, 10.0, 0.5)).volumes[0]  # type: ignore[attr-defined]
    theirs = op("RED", "B", square(40.1, 10.1, 0.1)).volumes[0]  # type: ignore[attr-defined]
    c = clip(own, theirs, M)
    assert c is not None
    secret = {(40.1, 10.1), (40.1, 10.2), (40.2, 10.2), (40.2, 10.1)}
    assert not secret & set(c.rings[0])


def test_touching_in_space_but_not_in_time_is_no_conflict() -> None:
    a = op("BLUE", "A", square(40.0, 10.0, 0.2, start=0, end=3600))
    b = op("RED", "B", square(40.0, 10.0, 0.2, start=3600 + 300, end=7200))  # just past the buffer
    assert notices([a, b], M) == {}  # type: ignore[list-item]
    c = op("RED", "C", square(40.0, 10.0, 0.2, start=3600 + 299, end=7200))  # within it
    assert set(notices([a, c], M)) == {("BLUE", "A", "RED"), ("RED", "C", "BLUE")}  # type: ignore[list-item]


def test_vertical_and_horizontal_minima_are_strict() -> None:
    a = op("BLUE", "A", square(40.0, 10.0, 0.2, lo=20000, hi=30000))
    above = op("RED", "B", square(40.0, 10.0, 0.2, lo=31000, hi=35000))  # exactly 1000 ft above
    assert notices([a, above], M) == {}  # type: ignore[list-item]
    far = op("RED", "C", square(40.0, 10.4, 0.2))  # 0.2° of longitude at 40° N: ~9.2 NM away
    assert notices([a, far], M) == {}  # type: ignore[list-item]


def test_one_partys_own_operations_are_not_compared() -> None:
    a = op("BLUE", "A", square(40.0, 10.0, 0.2))
    b = op("BLUE", "B", square(40.0, 10.0, 0.2))
    assert notices([a, b], M) == {}  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "A", "volumes": [square(40, 10, 0.2)], "colour": "red"}, "colour"),
        ({"id": "A", "volumes": [{**square(40, 10, 0.2), "ceiling": 1}]}, "volumes[0].ceiling"),
        ({"id": "A", "volumes": [square(40, 10, 0.2, start=10, end=10)]}, "volumes[0].end"),
        ({"id": "A", "volumes": [square(40, 10, 0.2, lo=5000, hi=4000)]}, "volumes[0].alt_upper_ft"),
        (
            {
                "id": "A",
                "volumes": [{**square(40, 10, 0.2), "polygon": [[40, 10], [41, 11], [40, 11], [41, 10]]}],
            },
            "volumes[0].polygon",
        ),
        (
            {
                "id": "A",
                "volumes": [{**square(40, 10, 0.2), "polygon": [[40 + i / 1000, 10] for i in range(250)]}],
            },
            "volumes[0].polygon",
        ),
        ({"id": "A", "volumes": [square(40, 10, 0.2)] * 21}, "volumes"),
        ({"id": "A", "volumes": []}, "volumes"),
        ({"id": "bad id!", "volumes": [square(40, 10, 0.2)]}, "id"),
        ({"id": "A", "volumes": [square(40, 10, 0.2, start="tomorrow")]}, "volumes[0].start"),
        ({"id": "A", "volumes": [square(40, 10, 0.2, start="2027-01-01T00:00:00")]}, "volumes[0].start"),
        ({"id": "A", "public": True, "aircraft": ["B1"], "volumes": [square(40, 10, 0.2)]}, "aircraft"),
    ],
)
def test_what_is_filed_is_checked_field_by_field(body: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(OperationError) as err:
        parse_operation(body, "BLUE")
    assert err.value.field == field


def test_rfc3339_times_and_closed_rings_are_read() -> None:
    o = parse_operation(
        {
            "id": "A",
            "volumes": [
                {
                    "polygon": [[40, 10], [40, 11], [41, 11], [40, 10]],
                    "alt_lower_ft": 0,
                    "alt_upper_ft": 5000,
                    "start": "2027-01-15T09:00:00Z",
                    "end": "2027-01-15T11:00:00+01:00",
                }
            ],
        },
        "BLUE",
    )
    v = o.volumes[0]
    assert len(v.polygon or ()) == 3
    assert v.end - v.start == 3600.0


def test_geojson_and_astm_volume4d_read_as_the_native_shape() -> None:
    native = parse_operation({"id": "A", "volumes": [square(40.0, 10.0, 0.2, start=1000, end=4600)]}, "BLUE")
    feature = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[10.0, 40.0], [10.2, 40.0], [10.2, 40.2], [10.0, 40.2], [10.0, 40.0]]],
        },
        "properties": {"alt_lower_ft": 20000, "alt_upper_ft": 30000, "start": 1000, "end": 4600},
    }
    v4d = {
        "volume": {
            "outline_polygon": {
                "vertices": [
                    {"lat": 40.0, "lng": 10.0},
                    {"lat": 40.0, "lng": 10.2},
                    {"lat": 40.2, "lng": 10.2},
                    {"lat": 40.2, "lng": 10.0},
                ]
            },
            "altitude_lower": {"value": 20000 * 0.3048, "reference": "W84", "units": "M"},
            "altitude_upper": {"value": 30000 * 0.3048, "reference": "W84", "units": "M"},
        },
        "time_start": {"value": "1970-01-01T00:16:40Z", "format": "RFC3339"},
        "time_end": {"value": "1970-01-01T01:16:40Z", "format": "RFC3339"},
    }
    for body in (feature, v4d):
        assert parse_operation({"id": "A", "volumes": [body]}, "BLUE").volumes == native.volumes
    circle = {
        "volume": {
            "outline_circle": {
                "center": {"lat": 40.5, "lng": 10.5},
                "radius": {"value": 8 * 1852.0, "units": "M"},
            },
            "altitude_lower": {"value": 0, "units": "M"},
            "altitude_upper": {"value": 3048, "units": "M"},
        },
        "time_start": {"value": "2027-01-15T09:00:00Z"},
        "time_end": {"value": "2027-01-15T11:00:00Z"},
    }
    c = parse_operation({"id": "C", "volumes": [circle]}, "BLUE").volumes[0]
    assert c.circle is not None and abs(c.circle.radius_nm - 8.0) < 1e-9 and c.alt_upper_ft == 10000.0


@pytest.mark.parametrize(
    ("volume", "field"),
    [
        (
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10, 40]}, "properties": {}},
            "volumes[0](GeoJSON).geometry.type",
        ),
        (
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[10, 40], [10, 41], [11, 41]],
                        [[10.1, 40.1], [10.2, 40.1], [10.2, 40.2]],
                    ],
                },
                "properties": {},
            },
            "volumes[0](GeoJSON).geometry.coordinates",
        ),
        (
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[[10, 40], [10, 41], [11, 41]]]},
                "properties": {"alt_lower_ft": 0, "alt_upper_ft": 100, "start": 0, "end": 10, "colour": 1},
            },
            "volumes[0](GeoJSON).properties.colour",
        ),
        (
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[[10, 95], [10, 41], [11, 41]]]},
                "properties": {"alt_lower_ft": 0, "alt_upper_ft": 100, "start": 0, "end": 10},
            },
            "volumes[0](GeoJSON).polygon[0]",
        ),
        (
            {
                "volume": {
                    "outline_circle": {
                        "center": {"lat": 40, "lng": 10},
                        "radius": {"value": 9, "units": "FT"},
                    },
                    "altitude_lower": {"value": 0},
                    "altitude_upper": {"value": 10},
                },
                "time_start": {"value": 0},
                "time_end": {"value": 10},
            },
            "volumes[0](Volume4D).volume.outline_circle.radius.units",
        ),
        (
            {
                "volume": {
                    "outline_circle": {"center": {"lat": 40, "lng": 10}, "radius": {"value": 900}},
                    "altitude_lower": {"value": 0, "reference": "SFC"},
                    "altitude_upper": {"value": 10},
                },
                "time_start": {"value": 0},
                "time_end": {"value": 10},
            },
            "volumes[0](Volume4D).volume.altitude_lower.reference",
        ),
        (
            {
                "volume": {
                    "outline_polygon": {"vertices": []},
                    "altitude_lower": {"value": 0},
                    "altitude_upper": {"value": 10},
                },
                "time_start": {"value": 0},
            },
            "volumes[0](Volume4D).time_end",
        ),
    ],
)
def test_foreign_shapes_are_checked_field_by_field(volume: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(OperationError) as err:
        parse_operation({"id": "A", "volumes": [volume]}, "BLUE")
    assert err.value.field == field
