"""Distances in the engine's pair frame against WGS84 geodesics, and the frame's awkward places."""

from __future__ import annotations

import numpy as np
import pytest

import airdecon
from airdecon.detection import evaluate_pairs
from tests.scenarios import vectors

GEO = vectors()["geodesy_checks"]


def stationary(points: list[tuple[float, float]]) -> airdecon.Fleet:
    n = len(points)
    return airdecon.Fleet.from_arrays(
        ids=[f"P{k}" for k in range(n)],
        lat_deg=[p[0] for p in points],
        lon_deg=[p[1] for p in points],
        alt_m=np.zeros(n),
        gs_mps=np.zeros(n),
        trk_deg=np.zeros(n),
    )


def pair_distance_m(p: tuple[float, float], q: tuple[float, float]) -> float:
    fleet = stationary([p, q])
    geo = evaluate_pairs(fleet, airdecon.SafetyProtocol(), np.array([0]), np.array([1]))
    return float(geo.dcpa_m[0])


@pytest.mark.parametrize("ex", GEO["examples"], ids=lambda e: f"{e['geodesic_m'] / 1000:g}km")
def test_pair_frame_distance_within_0_1_percent_of_geodesic(ex):  # type: ignore[no-untyped-def]
    d = pair_distance_m(tuple(ex["from"]), tuple(ex["to"]))
    truth = ex["geodesic_m"]
    if truth <= 200_000:
        assert abs(d - truth) / truth < 1e-3
        # and far better than the naive equirectangular projection the issue warns about
        assert abs(d - truth) < abs(ex["equirectangular_m"] - truth)
        assert abs(d - truth) < 10.0


@pytest.mark.parametrize(
    ("p", "q", "expected_m"),
    [
        # across the antimeridian: 0.02 deg of longitude on the equator
        ((0.0, 179.99), (0.0, -179.99), 2 * 0.01 * 111_319.49),
        # over the pole: two points 0.01 deg from it on opposite meridians
        ((89.99, 0.0), (89.99, 180.0), 2 * 0.01 * 111_693.98),
        # at the pole itself and 0.01 deg away
        ((90.0, 0.0), (89.99, 77.0), 0.01 * 111_693.98),
    ],
)
def test_awkward_places(p, q, expected_m):  # type: ignore[no-untyped-def]
    assert pair_distance_m(p, q) == pytest.approx(expected_m, rel=2e-3)


def test_track_is_relative_to_each_aircrafts_own_meridian():
    """Two aircraft 1 deg of longitude apart on the equator, both flying true north, stay parallel."""
    fleet = airdecon.Fleet.from_records(
        [
            {"id": "W", "party": "X", "lat": 0.0, "lon": 10.0, "alt_ft": 30000, "gs_kt": 480, "trk_deg": 0},
            {"id": "E", "party": "Y", "lat": 0.0, "lon": 10.06, "alt_ft": 30000, "gs_kt": 480, "trk_deg": 0},
        ]
    )
    geo = evaluate_pairs(fleet, airdecon.SafetyProtocol(), np.array([0]), np.array([1]))
    # 0.06 deg = 3.6 NM abeam: already in loss of separation, and never diverging (parallel meridians
    # at the equator): a flat projection with a single north would do the same here, but see below
    assert bool(geo.conflict[0])
    assert geo.dcpa_m[0] / 1852 == pytest.approx(3.6 * 1.0018, rel=2e-3)


def test_velocity_rotation_matters_at_high_latitude():
    """At 60N, 100 km apart east-west, the two norths differ by ~1.6 deg: both flying north converge.

    A projection with one common north would see parallel tracks (no closure at all); the pair
    frame sees the meridians converge at about |v| * dlon * sin(lat) = 6.7 m/s.
    """
    fleet = airdecon.Fleet.from_records(
        [
            {"id": "W", "party": "X", "lat": 60.0, "lon": 20.0, "alt_ft": 30000, "gs_kt": 480, "trk_deg": 0},
            {"id": "E", "party": "Y", "lat": 60.0, "lon": 21.8, "alt_ft": 30000, "gs_kt": 480, "trk_deg": 0},
        ]
    )
    geo = evaluate_pairs(fleet, airdecon.SafetyProtocol(), np.array([0]), np.array([1]))
    d0 = pair_distance_m((60.0, 20.0), (60.0, 21.8))
    closing = d0 / geo.tcpa_s[0]  # head-on style closure along the line joining them
    assert closing == pytest.approx(480 * 1852 / 3600 * np.radians(1.8) * np.sin(np.radians(60)), rel=0.02)
    assert geo.dcpa_m[0] < 100.0
