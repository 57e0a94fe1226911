"""The demo protocol uses terminal minima by volume and advisory floors (issue 14, item 3): a
newcomer sees 3 NM approach separation around the demo's airfields and 5 NM en route."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import airdecon
from airdecon.hub._bootstrap import DEMO_TERMINALS, demo_document
from airdecon.protocol import generate_private_key
from airdecon.units import FT


@pytest.fixture(scope="module")
def rules() -> airdecon.SafetyProtocol:
    keys = {p: generate_private_key() for p in ("BLUE", "RED", "CIVIL")}
    return demo_document(keys).rules


def pair(lat: float, lon: float, alt_ft: float, apart_deg: float = 4.0 / 60.0) -> list[dict[str, Any]]:
    """Two aircraft 4 NM apart (north-south), same level, flying the same way: a steady 4 NM."""
    return [
        {"id": "C1", "party": "CIVIL", "lat": lat, "lon": lon, "alt_ft": alt_ft, "gs_kt": 200, "trk_deg": 90},
        {"id": "B1", "party": "BLUE", "lat": lat + apart_deg, "lon": lon, "alt_ft": alt_ft, "gs_kt": 200,
         "trk_deg": 90},
    ]


@pytest.mark.parametrize(("name", "lat", "lon"), DEMO_TERMINALS)
def test_four_miles_is_separated_in_a_terminal_area_below_10000_ft(
    rules: airdecon.SafetyProtocol, name: str, lat: float, lon: float
) -> None:
    inside = airdecon.Fleet.from_records(pair(lat - 0.1, lon - 0.2, 6000))
    assert len(airdecon.detect(inside, rules)) == 0, name
    above = airdecon.Fleet.from_records(pair(lat - 0.1, lon - 0.2, 14000))  # en route above the area
    assert len(airdecon.detect(above, rules)) == 1, name
    far = airdecon.Fleet.from_records(pair(lat + 2.0, lon + 2.0, 6000))  # 5 NM elsewhere
    assert len(airdecon.detect(far, rules)) == 1, name


def test_the_advisory_floor_is_raised_over_the_terminal_areas(rules: airdecon.SafetyProtocol) -> None:
    _name, lat, lon = DEMO_TERMINALS[0]
    inside = pair(lat, lon, 2500)
    outside = [dict(r, id=r["id"] + "X", lat=r["lat"] + 2.0) for r in pair(lat, lon, 2500)]
    fleet = airdecon.Fleet.from_records(inside + outside)
    floors = rules.descent_floors(fleet, np.arange(len(fleet)))
    assert floors.tolist() == pytest.approx([3000 * FT] * 2 + [1500 * FT] * 2)
