"""Advisories fit for the air (issue 14, item 3): no descent advisory below the protocol's floor
(default 1,500 ft, higher by volume), and inhibition volumes where given pairs do not alert."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.protocol.conftest import document

import airdecon
from airdecon.errors import ProtocolError
from airdecon.protocol import ProtocolDocument, SafetyProtocol, generate_private_key
from airdecon.state import Fleet
from airdecon.units import FT


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    return {p: generate_private_key() for p in ("BLUE", "RED", "CIVIL")}


PHX = [[33.2, -112.6], [33.2, -111.7], [33.7, -111.7], [33.7, -112.6]]  # around Phoenix Sky Harbor


def scene(alt_ft: float, lat: float = 33.43, lon: float = -112.25, dz: float = 500) -> list[dict[str, Any]]:
    """Z9 (civil, lowest, level) head-on with B1 descending onto it and C1 descending above: without
    a floor the resolution makes Z9 descend at 2,000 fpm."""
    return [
        {"id": "Z9", "party": "CIVIL", "lat": lat, "lon": lon, "alt_ft": alt_ft, "gs_kt": 250,
         "trk_deg": 90, "vs_fpm": 0},
        {"id": "B1", "party": "BLUE", "lat": lat, "lon": lon + 0.15, "alt_ft": alt_ft + dz, "gs_kt": 250,
         "trk_deg": 270, "vs_fpm": -1500},
        {"id": "C1", "party": "RED", "lat": lat - 0.03, "lon": lon + 0.15, "alt_ft": alt_ft + dz + 1000,
         "gs_kt": 250, "trk_deg": 330, "vs_fpm": -1500},
    ]


def advice(records: list[dict[str, Any]], protocol: SafetyProtocol) -> dict[str, airdecon.Advisory]:
    fleet = Fleet.from_records(records)
    res = airdecon.resolve(fleet, airdecon.detect(fleet, protocol), protocol, prefer="vertical")
    return dict(res.by_aircraft)


def descends(a: airdecon.Advisory) -> bool:
    return a.vs_fpm is not None and a.vs_fpm < 0


def test_the_default_floor_of_1500_ft_denies_a_descent_below_it() -> None:
    assert SafetyProtocol().descent_floor_m == pytest.approx(1500 * FT)
    assert descends(advice(scene(3557), SafetyProtocol())["Z9"])  # well above the floor: descends
    low = advice(scene(1200), SafetyProtocol())
    assert not descends(low["Z9"]) and low["Z9"].rule != "follow-tcas"
    assert descends(advice(scene(1200), SafetyProtocol(descent_floor_m=0.0))["Z9"])  # 0: no floor


def test_a_floor_volume_raises_the_floor_around_an_airport(keys: dict[str, Any]) -> None:
    sections = {"advisories": {"floors": [{"name": "PHX", "polygon_deg": PHX, "descent_floor_ft": 5000}]}}
    doc = ProtocolDocument.from_mapping(document(keys, **sections))
    inside = advice(scene(3557), doc.rules)  # ten miles west of Sky Harbor, as in the issue
    assert not descends(inside["Z9"])
    outside = advice(scene(3557, lat=35.0, lon=-100.0), doc.rules)
    assert descends(outside["Z9"])


def test_the_reason_says_why_a_vertical_advisory_is_not_a_descent() -> None:
    a = advice(scene(1200, dz=500), SafetyProtocol(descent_floor_m=1500 * FT))
    vertical = [x for x in a.values() if "advisory floor" in x.reason]
    assert all(x.aircraft == "Z9" for x in vertical)


@settings(max_examples=60, deadline=None)
@given(alt=st.floats(300, 4000), dz=st.sampled_from([300, 500, 700]), floor=st.floats(0, 5000))
def test_no_aircraft_below_its_floor_is_told_to_descend(alt: float, dz: float, floor: float) -> None:
    records = scene(alt, dz=dz)
    protocol = SafetyProtocol(descent_floor_m=floor * FT)
    for ident, a in advice(records, protocol).items():
        rec = next(r for r in records if r["id"] == ident)
        if rec["alt_ft"] < floor and a.rule != "follow-tcas":
            assert a.vs_fpm is None or a.vs_fpm >= min(0.0, rec["vs_fpm"]), (ident, a.reason)


def _parallel(pa: str, pb: str) -> list[dict[str, Any]]:
    """Two aircraft on parallel approaches 0.8 NM apart, 300 ft apart vertically, inside RWY."""
    return [
        {"id": "L1", "party": pa, "lat": 33.40, "lon": -112.20, "alt_ft": 3000, "gs_kt": 160, "trk_deg": 90},
        {"id": "R1", "party": pb, "lat": 33.4133, "lon": -112.20, "alt_ft": 3300, "gs_kt": 160,
         "trk_deg": 90},
    ]


@pytest.mark.parametrize("pairs", [None, "civil", "all"])
def test_inhibition_volume_silences_only_the_pairs_it_names(keys: dict[str, Any], pairs: str | None) -> None:
    area: dict[str, Any] = {"name": "parallel approaches 08/26", "polygon_deg": PHX, "ceiling_ft": 6000}
    if pairs is not None:
        area["pairs"] = pairs
    doc = ProtocolDocument.from_mapping(document(keys, advisories={"inhibitions": [area]}))
    plain = ProtocolDocument.from_mapping(document(keys))

    def found(d: ProtocolDocument, records: list[dict[str, Any]]) -> set[tuple[str, str]]:
        return airdecon.detect(Fleet.from_records(records), d.rules).pairs()

    civil, mixed = _parallel("CIVIL", "CIVIL"), _parallel("CIVIL", "BLUE")
    assert found(plain, civil) == found(plain, mixed) == {("L1", "R1")}
    assert found(doc, civil) == set()
    assert found(doc, mixed) == (set() if pairs == "all" else {("L1", "R1")})
    high = [dict(r, alt_ft=r["alt_ft"] + 4000) for r in civil]  # above the volume's ceiling
    assert found(doc, high) == {("L1", "R1")}


def test_the_section_round_trips_and_old_documents_keep_their_bytes(keys: dict[str, Any]) -> None:
    plain = ProtocolDocument.from_mapping(document(keys))
    assert "advisories" not in plain.to_mapping()  # versions signed before the section keep their digest
    same = ProtocolDocument.from_mapping(document(keys, advisories={"descent_floor_ft": 1500}))
    assert same.digest == plain.digest
    full = {"descent_floor_ft": 1000, "floors": [{"name": "PHX", "polygon_deg": PHX, "descent_floor_ft": 5000,
                                                  "ceiling_ft": 10000}],
            "inhibitions": [{"name": "app", "polygon_deg": PHX, "pairs": "all"}]}
    doc = ProtocolDocument.from_mapping(document(keys, advisories=full))
    again = ProtocolDocument.from_mapping(doc.to_mapping())
    assert again == doc and again.digest == doc.digest != plain.digest
    assert doc.rules.descent_floor_m == pytest.approx(1000 * FT)


@pytest.mark.parametrize(("section", "message"), [
    ({"descent_floor_ft": -1}, "advisories.descent_floor_ft"),
    ({"descent_floor_ft": "low"}, "advisories.descent_floor_ft"),
    ({"floors": [{"name": "x", "polygon_deg": PHX}]}, "advisories.floors[0].descent_floor_ft"),
    ({"inhibitions": [{"name": "x", "polygon_deg": PHX, "pairs": "red-blue"}]},
     "advisories.inhibitions[0].pairs"),
    ({"inhibitions": [{"name": f"v{k}", "polygon_deg": PHX} for k in range(63)]}, "at most 62"),
    ({"inhibitions": [{"name": "x", "polygon_deg": PHX}, {"name": "x", "polygon_deg": PHX}]}, "name"),
    ({"floor_ft": 100}, "floor_ft"),
])
def test_a_bad_section_is_refused_naming_the_field(keys: dict[str, Any], section: dict[str, Any],
                                                   message: str) -> None:
    with pytest.raises(ProtocolError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ProtocolDocument.from_mapping(document(keys, advisories=section))
