"""The document's pair rules through the real engine: overrides, watched pairs, formations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import airdecon
from airdecon.protocol import ProtocolDocument
from airdecon.protocol._pairs import points_in_polygon
from airdecon.state import Fleet
from tests.protocol.conftest import document


def head_on(
    a: str,
    pa: str,
    b: str,
    pb: str,
    *,
    offset_nm: float,
    alt_a: float = 30000,
    alt_b: float = 30000,
    lat: float = 35.0,
) -> list[dict[str, Any]]:
    """Two aircraft 48 NM apart flying at each other, tracks *offset_nm* apart (the miss distance)."""
    return [
        {"id": a, "party": pa, "lat": lat, "lon": 38.0, "alt_ft": alt_a, "gs_kt": 450, "trk_deg": 90},
        {
            "id": b,
            "party": pb,
            "lat": lat + offset_nm / 60.0,
            "lon": 38.98,
            "alt_ft": alt_b,
            "gs_kt": 450,
            "trk_deg": 270,
        },
    ]


def pairs(
    doc: ProtocolDocument, records: list[dict[str, Any]], backend: str = "brute"
) -> set[tuple[str, str]]:
    return airdecon.detect(Fleet.from_records(records), doc.rules, backend=backend).pairs()  # type: ignore[arg-type]


def make(keys: dict[str, Any], **sections: Any) -> ProtocolDocument:
    return ProtocolDocument.from_mapping(document(keys, **sections))


BOX = [[34.5, 37.5], [34.5, 38.5], [35.5, 38.5], [35.5, 37.5]]  # contains the start of aircraft "A"
FAR_BOX = [[30.0, 30.0], [30.0, 31.0], [31.0, 31.0]]


def test_volume_override_raises_the_minimum_for_pairs_touching_it(keys: dict[str, Any]) -> None:
    traffic = head_on("A", "BLUE", "B", "RED", offset_nm=7)
    assert pairs(make(keys), traffic) == set()
    wide = {"volumes": [{"name": "exercise", "polygon_deg": BOX, "horizontal_nm": 10}]}
    assert pairs(make(keys, minima=wide), traffic) == {("A", "B")}
    elsewhere = {"volumes": [{"name": "exercise", "polygon_deg": FAR_BOX, "horizontal_nm": 10}]}
    assert pairs(make(keys, minima=elsewhere), traffic) == set()
    below = {"volumes": [{"name": "low", "polygon_deg": BOX, "ceiling_ft": 20000, "horizontal_nm": 10}]}
    assert pairs(make(keys, minima=below), traffic) == set()


def test_volume_override_may_lower_the_default_inside_it(keys: dict[str, Any]) -> None:
    traffic = head_on("A", "BLUE", "B", "RED", offset_nm=4)
    assert pairs(make(keys), traffic) == {("A", "B")}
    # both aircraft start inside a 3 NM terminal area: 4 NM is enough there
    tma = [[34.0, 37.0], [34.0, 40.0], [36.0, 40.0], [36.0, 37.0]]
    low = {"volumes": [{"name": "TMA", "polygon_deg": tma, "horizontal_nm": 3}]}
    assert pairs(make(keys, minima=low), traffic) == set()
    # only one inside: the pair takes the larger of the two aircraft's minima (the default, 5 NM)
    half = {"volumes": [{"name": "TMA", "polygon_deg": BOX, "horizontal_nm": 3}]}
    assert pairs(make(keys, minima=half), traffic) == {("A", "B")}


def test_altitude_band_above_fl410_needs_2000_ft(keys: dict[str, Any]) -> None:
    band = {"altitude_bands": [{"name": "above FL410", "floor_ft": 41000, "vertical_ft": 2000}]}
    high = head_on("A", "BLUE", "B", "RED", offset_nm=0, alt_a=43000, alt_b=44500)
    low = head_on("A", "BLUE", "B", "RED", offset_nm=0, alt_a=30000, alt_b=31500)
    assert pairs(make(keys), high) == set()
    assert pairs(make(keys, minima=band), high) == {("A", "B")}
    assert pairs(make(keys, minima=band), low) == set()
    # an aircraft exactly at FL410 is not "above FL410"; its partner at FL425 is
    edge = head_on("A", "BLUE", "B", "RED", offset_nm=0, alt_a=41000, alt_b=42500)
    assert pairs(make(keys, minima=band), edge) == {("A", "B")}


def test_same_party_pairs_are_watched_only_when_the_party_asks(keys: dict[str, Any]) -> None:
    traffic = head_on("B1", "BLUE", "B2", "BLUE", offset_nm=0)
    assert pairs(make(keys), traffic) == set()
    doc = document(keys)
    doc["parties"][0]["watch_own_pairs"] = True
    assert pairs(ProtocolDocument.from_mapping(doc), traffic) == {("B1", "B2")}
    # RED asking does not make BLUE's pairs watched
    doc = document(keys)
    doc["parties"][1]["watch_own_pairs"] = True
    assert pairs(ProtocolDocument.from_mapping(doc), traffic) == set()
    # and different parties are always watched
    assert pairs(make(keys), head_on("B1", "BLUE", "R1", "RED", offset_nm=0)) == {("B1", "R1")}


@pytest.mark.parametrize("party", ["CIVIL", "UNDECLARED"])
def test_civil_pairs_are_always_watched(keys: dict[str, Any], party: str) -> None:
    assert pairs(make(keys), head_on("C1", party, "C2", party, offset_nm=0)) == {("C1", "C2")}


def _formation_traffic() -> list[dict[str, Any]]:
    # F1 and F2 of BLUE fly together half a mile apart; R1 of RED passes 5.3 NM from F1, 5.8 NM from F2
    return [
        {"id": "F1", "party": "BLUE", "lat": 35.0, "lon": 38.0, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 90},
        {
            "id": "F2",
            "party": "BLUE",
            "lat": 35.0083,
            "lon": 38.0,
            "alt_ft": 30000,
            "gs_kt": 450,
            "trk_deg": 90,
        },
        {
            "id": "R1",
            "party": "RED",
            "lat": 35.0 - 5.3 / 60,
            "lon": 38.98,
            "alt_ft": 30000,
            "gs_kt": 450,
            "trk_deg": 270,
        },
    ]


def test_formation_members_are_not_alerted_and_others_keep_clear_of_the_whole(keys: dict[str, Any]) -> None:
    doc = document(keys)
    doc["parties"][0]["watch_own_pairs"] = True
    without = pairs(ProtocolDocument.from_mapping(doc), _formation_traffic())
    assert without == {("F1", "F2")}  # watched own pairs; R1 passes outside 5 NM
    doc["formations"] = [{"id": "VIPER", "party": "BLUE", "aircraft": ["F1", "F2"], "extent_nm": 1.0}]
    with_formation = pairs(ProtocolDocument.from_mapping(doc), _formation_traffic())
    assert with_formation == {("F1", "R1"), ("F2", "R1")}  # 5 NM + 1 NM of formation extent


def test_a_party_cannot_declare_another_partys_aircraft_a_formation(keys: dict[str, Any]) -> None:
    traffic = head_on("B1", "BLUE", "R1", "RED", offset_nm=0)
    doc = make(keys, formations=[{"id": "TRICK", "party": "RED", "aircraft": ["B1", "R1"]}])
    assert pairs(doc, traffic) == {("B1", "R1")}


def test_policy_bounds_keep_grid_and_brute_equal(keys: dict[str, Any]) -> None:
    rng = np.random.default_rng(7)
    n = 400
    records: list[dict[str, Any]] = [
        {
            "id": f"AC{k:03d}",
            "party": ["BLUE", "RED", "CIVIL", "ZULU"][k % 4],
            "lat": float(rng.uniform(34, 36)),
            "lon": float(rng.uniform(37, 40)),
            "alt_ft": float(rng.choice([28000, 30000, 42000, 43500, 45000])),
            "gs_kt": float(rng.uniform(250, 500)),
            "trk_deg": float(rng.uniform(0, 360)),
        }
        for k in range(n)
    ]
    records += [dict(records[0], id="WING", lat=records[0]["lat"] + 0.005, party="BLUE")]
    records[0]["party"] = "BLUE"
    doc = make(
        keys,
        minima={
            "altitude_bands": [{"name": "high", "floor_ft": 41000, "vertical_ft": 2000}],
            "volumes": [{"name": "wide", "polygon_deg": BOX, "horizontal_nm": 12}],
        },
        formations=[{"id": "F", "party": "BLUE", "aircraft": ["AC000", "WING"], "extent_nm": 2}],
    )
    brute = pairs(doc, records, "brute")
    grid = pairs(doc, records, "grid")
    assert brute == grid
    assert ("AC000", "WING") not in brute
    assert any(a.startswith("AC") for a, _ in brute)


def test_pair_minima_are_symmetric_and_bounded(keys: dict[str, Any]) -> None:
    doc = make(
        keys,
        minima={"volumes": [{"name": "wide", "polygon_deg": BOX, "horizontal_nm": 9, "vertical_ft": 1500}]},
        formations=[{"id": "V", "party": "BLUE", "aircraft": ["F1", "F2"], "extent_nm": 1, "extent_ft": 100}],
    )
    fleet = Fleet.from_records(_formation_traffic() + head_on("X", "RED", "Y", "CIVIL", offset_nm=3, lat=20))
    n = len(fleet)
    i, j = np.triu_indices(n, 1)
    h1, v1 = doc.rules.pair_minima(fleet, i, j)
    h2, v2 = doc.rules.pair_minima(fleet, j, i)
    assert np.array_equal(h1, h2) and np.array_equal(v1, v2)
    assert (h1 <= doc.rules.max_horizontal_m).all() and (v1 <= doc.rules.max_vertical_m).all()
    assert h1.max() > doc.rules.horizontal_m  # the volume applies to someone


def _scalar_inside(lat: float, lon: float, poly: list[tuple[float, float]]) -> bool:
    """Textbook ray casting, one point at a time (the reference for the vectorised version)."""
    inside = False
    k = len(poly)
    for a in range(k):
        (ya, xa), (yb, xb) = poly[a], poly[(a + 1) % k]
        if (ya > lat) != (yb > lat) and lon < xa + (lat - ya) * (xb - xa) / (yb - ya):
            inside = not inside
    return inside


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(30, 40, allow_nan=False), st.floats(30, 40, allow_nan=False)),
        min_size=3,
        max_size=9,
    ),
    st.integers(0, 2**32 - 1),
)
def test_vectorised_point_in_polygon_matches_the_scalar_reference(
    poly: list[tuple[float, float]], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(29, 41, 200)
    lon = rng.uniform(29, 41, 200)
    got = points_in_polygon(lat, lon, tuple(poly))
    want = np.array([_scalar_inside(float(a), float(b), poly) for a, b in zip(lat, lon, strict=True)])
    assert np.array_equal(got, want)


def test_polygon_across_the_antimeridian() -> None:
    poly = ((-10.0, 170.0), (-10.0, -170.0), (10.0, -170.0), (10.0, 170.0))
    lat = np.array([0.0, 0.0, 0.0, 0.0])
    lon = np.array([179.5, -179.5, 160.0, -160.0])
    assert points_in_polygon(lat, lon, poly).tolist() == [True, True, False, False]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), h_nm=st.floats(5.0, 15.0), v_ft=st.floats(1000.0, 3000.0))
def test_raising_minima_somewhere_or_watching_more_never_removes_a_conflict(
    keys: dict[str, Any], seed: int, h_nm: float, v_ft: float
) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    records = [
        {
            "id": f"AC{k:02d}",
            "party": str(rng.choice(["BLUE", "RED", "CIVIL"])),
            "lat": float(rng.uniform(34.5, 35.5)),
            "lon": float(rng.uniform(37.5, 38.5)),
            "alt_ft": float(rng.uniform(28000, 34000)),
            "gs_kt": float(rng.uniform(200, 500)),
            "trk_deg": float(rng.uniform(0, 360)),
            "vs_fpm": float(rng.uniform(-2000, 2000)),
        }
        for k in range(n)
    ]
    base = make(keys)
    volume = {"volumes": [{"name": "v", "polygon_deg": BOX, "horizontal_nm": h_nm, "vertical_ft": v_ft}]}
    raised = make(keys, minima=volume)
    doc = document(keys)
    for p in doc["parties"]:
        p["watch_own_pairs"] = True
    watch_all = ProtocolDocument.from_mapping(doc)
    found = pairs(base, records)
    assert found <= pairs(raised, records)
    assert found <= pairs(watch_all, records)
