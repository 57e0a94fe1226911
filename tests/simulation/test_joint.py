"""A super conflict beyond ``joint_max_aircraft`` is resolved jointly in the closed loop when its
search is affordable (issue 14, item 5).

BlueSky's nosyn-super-16 (16 aircraft converging at FL200): coordinated pair by pair, each pair
against its neighbours' straight paths, the pilots of seeds 1-3 lost separation (vertically,
870-999 ft at 4-5 NM) once the pairs were given vertical manoeuvres; the joint search of the
whole cluster, whose worst case fits the budget, keeps every pair separated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import airdecon
from airdecon.simulation import simulate

SCENARIOS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bluesky-scenarios"


@pytest.mark.parametrize("seed", [1, 2])
def test_sixteen_aircraft_super_conflict_keeps_separation_in_the_closed_loop(seed: int) -> None:
    sc = airdecon.load_scenario(SCENARIOS / "nosyn-super-16.scn")
    doc = simulate(sc, duration_s=720.0, seed=seed).summary()
    assert len(doc["baseline"]["losses_of_separation"]) == 120  # every pair, without the line
    assert doc["losses_of_separation"] == [] and doc["ipr"] == 1.0
    assert doc["instructions"] <= 32  # one instruction per aircraft, or nearly: no per-second churn
