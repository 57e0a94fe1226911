"""Resuming the route along the path really flown (issue 14, item 5).

An aircraft the line no longer advises resumes only when the way it flies back (a 3 deg/s turn,
then straight on its intent) is clear of its neighbours. Before, the check was the straight intent
flown at once from where the aircraft was: an aircraft diverted sideways towards a parallel
neighbour resumed, swung out on its turn (its radius at 360 kt: 1.9 NM) and came back inside
the neighbour's minima. On BlueSky's matrix6 that cost one pair (SOUTH3-SOUTH4, 4.99 NM, IPR
0.987 on seeds 0-3); now none.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import airdecon
from airdecon.detection import detect
from airdecon.protocol import SafetyProtocol
from airdecon.simulation import PilotModel, simulate
from airdecon.simulation._kinematics import Flight
from airdecon.simulation._pilot import Pilots
from airdecon.simulation._resume import clear_to_resume, turn_back_s
from airdecon.state import Fleet

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bluesky-scenarios"


def abreast(sep_nm: float) -> tuple[Fleet, Pilots]:
    """A and B at FL350 and 360 kt, B *sep_nm* east of A, both intending to fly north; A is now
    flying east (an advisory) towards B's side."""
    records = [
        {"id": "A", "party": "CIVIL", "lat": 0.0, "lon": 0.0, "alt_ft": 35000, "gs_kt": 360, "trk_deg": 0.0},
        {
            "id": "B",
            "party": "CIVIL",
            "lat": 0.0,
            "lon": sep_nm / 60.0,
            "alt_ft": 35000,
            "gs_kt": 360,
            "trk_deg": 0.0,
        },
    ]
    start = Fleet.from_records(records)
    flight = Flight(start.lat_deg, start.lon_deg, start.alt_m, start.gs_mps, start.trk_deg, start.vs_mps)
    pilots = Pilots(flight, PilotModel(), np.random.default_rng(0), 7200.0)
    now = replace(start, trk_deg=np.array([90.0, 0.0]))
    return now, pilots


def test_a_turn_back_that_swings_into_the_neighbour_keeps_the_advisory() -> None:
    proto = SafetyProtocol()
    now, pilots = abreast(5.6)
    assert turn_back_s(now, pilots, np.array([0]), 0.0) == pytest.approx(30.0)
    # flown at once, the intent (north) keeps 5.6 NM from B: the old check let A resume here
    straight = replace(now, trk_deg=np.array([0.0, 0.0]))
    assert len(detect(straight, proto)) == 0
    # flown as the aircraft turns (radius 1.9 NM towards B): inside the minima, so A keeps it
    assert clear_to_resume(now, proto, pilots, np.array([0]), 0.0).tolist() == []


def test_a_turn_back_clear_of_the_neighbour_resumes() -> None:
    proto = SafetyProtocol()
    now, pilots = abreast(8.0)
    assert clear_to_resume(now, proto, pilots, np.array([0]), 0.0).tolist() == [0]


@pytest.mark.slow
def test_matrix6_loses_no_pair() -> None:
    path = SHARED / "matrix6.scn"
    if not path.exists():
        pytest.skip("BlueSky scenarios not present")
    doc = simulate(airdecon.load_scenario(path), duration_s=720.0).summary()
    assert len(doc["baseline"]["losses_of_separation"]) == 76
    assert doc["losses_of_separation"] == [] and doc["ipr"] == 1.0  # the old resume check: SOUTH3-SOUTH4


def test_the_neighbours_fly_what_they_are_commanded_during_the_check() -> None:
    # the same clear turn back, but B's pilot is about to fly an advisory towards A (given now,
    # flown after the 5 s delay): predicted straight on, B would let A resume into its path
    proto = SafetyProtocol()
    now, pilots = abreast(8.0)
    assert pilots.advise(0.0, np.array([1]), np.array([270.0]), np.array([np.nan])) == 1
    assert clear_to_resume(now, proto, pilots, np.array([0]), 0.0).tolist() == []


def test_an_aircraft_that_keeps_its_advisory_is_not_counted_as_resuming_for_the_others() -> None:
    # A and B both wait to resume. A's way back is clear only if B resumes (B's advisory, north-west,
    # takes it across A's path); B cannot resume (its intent, north, meets C head-on). Checked
    # "all resuming together", A was let go on the strength of B going north, and B then kept its
    # advisory towards A (super32, SUP15: resumed three times in 30 s into its neighbour).
    records = [
        {"id": "A", "party": "CIVIL", "lat": 0.0, "lon": 0.0, "alt_ft": 35000, "gs_kt": 360, "trk_deg": 0.0},
        {"id": "B", "party": "CIVIL", "lat": 0.0, "lon": 6 / 60, "alt_ft": 35000, "gs_kt": 360,
         "trk_deg": 0.0},
        {"id": "C", "party": "CIVIL", "lat": 25 / 60, "lon": 6 / 60, "alt_ft": 35000, "gs_kt": 360,
         "trk_deg": 180.0},
    ]  # fmt: skip
    start = Fleet.from_records(records)
    flight = Flight(start.lat_deg, start.lon_deg, start.alt_m, start.gs_mps, start.trk_deg, start.vs_mps)
    pilots = Pilots(flight, PilotModel(response_delay_s=0.0), np.random.default_rng(0), 7200.0)
    pilots.advise(0.0, np.array([0, 1]), np.array([0.0, 315.0]), np.array([np.nan, np.nan]))
    pilots.act(0.0)
    assert pilots.advised[:2].tolist() == [True, True]
    now = replace(start, trk_deg=np.array([0.0, 315.0, 180.0]))
    proto = SafetyProtocol()
    # B on its advisory crosses A's path; B on its intent meets C
    cs = detect(now, proto)
    assert ("A", "B") in {(str(now.ids[i]), str(now.ids[j])) for i, j in zip(cs.i, cs.j, strict=True)}
    assert clear_to_resume(now, proto, pilots, np.array([0, 1]), 0.0).tolist() == []
    # without C in B's way, both resume together
    alone = Fleet.from_records(records[:2])
    flight2 = Flight(alone.lat_deg, alone.lon_deg, alone.alt_m, alone.gs_mps, alone.trk_deg, alone.vs_mps)
    pilots2 = Pilots(flight2, PilotModel(response_delay_s=0.0), np.random.default_rng(0), 7200.0)
    pilots2.advise(0.0, np.array([0, 1]), np.array([0.0, 315.0]), np.array([np.nan, np.nan]))
    pilots2.act(0.0)
    now2 = replace(alone, trk_deg=np.array([0.0, 315.0]))
    assert clear_to_resume(now2, proto, pilots2, np.array([0, 1]), 0.0).tolist() == [0, 1]
