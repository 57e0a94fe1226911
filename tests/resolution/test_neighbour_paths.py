"""The search judges a neighbour that turns or levels off on the paths it will fly (issue 14).

A neighbour of a cluster is told nothing (it is in no conflict) and flies what detection predicts
of it: on to its level-off at its selected altitude, and, in a steady turn, also along its arc.
The search checked it straight on at its current velocity only, and advised manoeuvres into the
turn or onto the level the neighbour stops at: on random three-aircraft encounters (A and B in
conflict, C nearby), 22 of 451 resolved clusters with C turning, 13 of 646 with C levelling off,
were in a new conflict with C once the advisories were flown. Now none is, and the arcs are
judged exactly as detection judges them."""

from __future__ import annotations

import numpy as np
import pytest
from tests.resolution.test_turning_aircraft import PROTO, _flown

import airdecon
from airdecon.detection._hypotheses import _solve
from airdecon.detection._paths import Paths
from airdecon.geometry import destination, velocity_ecef
from airdecon.resolution._neighbours import NeighbourPaths
from airdecon.units import FPM, FT, NM


def _three(rng: np.random.Generator, c_does: str) -> airdecon.Fleet:
    """A, B and C within 25 NM of A around FL300. C turns steadily at 1 to 3 deg/s (``turn``), or
    climbs or descends from 1,000 to 4,000 ft away to level off at, above or below FL300 (``level``)."""
    brg, d = rng.uniform(0, 360, 3), rng.uniform(0, 25, 3)
    d[0] = 0.0
    lat, lon = destination(np.full(3, 35.0), np.full(3, 20.0), brg, d * NM)
    gs, trk = rng.uniform(120, 250, 3), rng.uniform(0, 360, 3)
    if c_does == "turn":
        return airdecon.Fleet.from_arrays(
            ids=["A", "B", "C"], party=["CIVIL"] * 3, lat_deg=lat, lon_deg=lon,
            alt_m=np.full(3, 30000 * FT) + rng.choice([0, 0, 500 * FT], 3), gs_mps=gs, trk_deg=trk,
            vs_mps=np.zeros(3), turn_dps=[0.0, 0.0, rng.choice([-1, 1]) * rng.uniform(1, 3)],
        )  # fmt: skip
    alt = np.full(3, 30000 * FT) + rng.choice([0, 0, 500 * FT, -500 * FT], 3)
    dz = rng.choice([-1, 1]) * rng.uniform(1000, 4000) * FT
    alt[2] = 30000 * FT + dz
    vs = np.zeros(3)
    vs[2] = -np.sign(dz) * rng.uniform(500, 3000) * FPM
    sel = [np.nan, np.nan, 30000 * FT + rng.choice([-1000, 0, 1000]) * FT]
    return airdecon.Fleet.from_arrays(
        ids=["A", "B", "C"], party=["CIVIL"] * 3, lat_deg=lat, lon_deg=lon, alt_m=alt, gs_mps=gs,
        trk_deg=trk, vs_mps=vs, sel_alt_m=sel,
    )  # fmt: skip


@pytest.mark.parametrize("c_does", ["turn", "level"])
@pytest.mark.parametrize("seed", [0, 1])
def test_advisories_keep_clear_of_a_neighbour_turning_or_levelling_off(seed: int, c_does: str) -> None:
    rng = np.random.default_rng(seed)
    judged = 0
    for _ in range(3000):
        fleet = _three(rng, c_does)
        cs = airdecon.detect(fleet, PROTO)
        if len(cs) == 0 or cs.t_in_s.min() < 60.0 or 2 in set(cs.i.tolist()) | set(cs.j.tolist()):
            continue  # C must be a neighbour, in no conflict, and the conflict far enough ahead
        res = airdecon.resolve(fleet, cs, PROTO)
        if not all(cr.resolved for cr in res):
            continue
        judged += 1
        after = airdecon.detect(_flown(fleet, [a for cr in res for a in cr.advisories]), PROTO)
        assert len(after) == 0, [(a.aircraft, a.reason) for cr in res for a in cr.advisories]
    assert judged >= 50


def test_an_arc_is_judged_as_detection_judges_it() -> None:
    """Differential: one aircraft straight, one turning, random geometry; the search's verdict on
    the arc (a loss, and when it starts) is detection's on the same two paths."""
    rng = np.random.default_rng(7)
    agreed = hits = 0
    for _ in range(400):
        brg, d = rng.uniform(0, 360), rng.uniform(0, 30)
        lat_b, lon_b = destination(35.0, 20.0, brg, d * NM)
        fleet = airdecon.Fleet.from_arrays(
            ids=["M", "N"], party=["CIVIL", "CIVIL"],
            lat_deg=[35.0, float(lat_b)], lon_deg=[20.0, float(lon_b)],
            alt_m=[30000 * FT, (30000 + rng.uniform(-1500, 1500)) * FT], gs_mps=rng.uniform(80, 260, 2),
            trk_deg=rng.uniform(0, 360, 2), vs_mps=[rng.uniform(-10, 10), rng.uniform(-10, 10)],
            turn_dps=[0.0, rng.choice([-1, 1]) * rng.uniform(1, 4)],
        )  # fmt: skip
        h, v = PROTO.pair_minima(fleet, np.array([0]), np.array([1]))
        vel0, _up = velocity_ecef(fleet.lat_deg[:1], fleet.lon_deg[:1], fleet.gs_mps[:1], fleet.trk_deg[:1])
        arcs = NeighbourPaths(fleet, PROTO, np.array([0]), np.array([1]), np.array([0]), np.array([0]),
                             h, v, np.array([True]), vel0)  # fmt: skip
        n_future, badness, _held = arcs.judge(vel0[None], fleet.vs_mps[None, :1])
        paths = Paths.build(fleet, np.array([0, 1]), np.array([False, True]), PROTO.lookahead_s)
        hit, res = _solve(paths, np.array([0]), np.array([1]), h, v, PROTO)
        ours = bool(n_future[0] > 0 or badness[0] > 0.0)
        agreed += ours == bool(hit[0])
        hits += bool(hit[0])
        if hit[0] and res["t_in_s"][0] > 0.0:
            assert n_future[0] == 1
    assert agreed == 400 and hits >= 40, (agreed, hits)
