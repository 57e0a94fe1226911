"""Closed loop, re-advised every second (issue 14, item 5): advisories hold while they work, and
aircraft resume their route only when clear with a margin.

Before the resolver was told the advisories in force, a ring of aircraft converging on one point
was sent a new track almost every second (each change costing its pilot another 2.5 s): on the
8-aircraft ring below, 40 instructions for 8 aircraft; now one each.
"""

from __future__ import annotations

import math

import pytest

from airdecon.protocol import SafetyProtocol
from airdecon.resolution import Advisory
from airdecon.scenario import Scenario
from airdecon.simulation import simulate
from airdecon.simulation._run import _in_force
from airdecon.state import Fleet


def ring(n: int, radius_deg: float = 0.5) -> Scenario:
    """*n* aircraft on a circle at FL350, all flying to its centre at 450 kt (a super conflict)."""
    records = []
    for k in range(n):
        a = 2 * math.pi * k / n
        records.append(
            {
                "id": f"R{k}",
                "party": "CIVIL",
                "lat": radius_deg * math.cos(a),
                "lon": radius_deg * math.sin(a),
                "alt_ft": 35000,
                "gs_kt": 450,
                "trk_deg": (math.degrees(a) + 180.0) % 360.0,
            }
        )
    return Scenario(Fleet.from_records(records), SafetyProtocol(), source=f"ring-{n}")


@pytest.fixture(scope="module")
def ring8():  # type: ignore[no-untyped-def]
    return simulate(ring(8), duration_s=400.0).summary()


def test_every_pilot_is_told_once_and_keeps_it(ring8):  # type: ignore[no-untyped-def]
    assert ring8["ipr"] == 1.0 and ring8["losses_of_separation"] == []
    assert ring8["advised_aircraft"] == 8
    assert ring8["instructions"] <= 8 + 2  # one each (the old loop: 40), at most a couple of changes


def test_without_resolution_nobody_is_instructed() -> None:
    doc = simulate(ring(4), duration_s=200.0, resolution=False).summary()
    assert doc["instructions"] == 0 and doc["advised_aircraft"] == 0


def test_the_advisory_in_force_keeps_a_channel_a_later_one_leaves_out() -> None:
    climb = Advisory("A", "CIVIL", "vertical", "climb", vs_fpm=1500.0)
    turn = Advisory("A", "CIVIL", "converging", "turn", trk_deg=120.0)
    both = _in_force(climb, turn)
    assert (both.trk_deg, both.vs_fpm, both.rule) == (120.0, 1500.0, "converging")  # as the pilot flies it
    assert _in_force(None, turn) == turn
    level = _in_force(both, Advisory("A", "CIVIL", "vertical", "level off", vs_fpm=0.0))
    assert (level.trk_deg, level.vs_fpm) == (120.0, 0.0)
