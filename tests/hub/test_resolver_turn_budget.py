"""A party reporting its fleet turning costs the resolver what it costs detection, no more.

Detection judges at most ``budget // TURNS_PER_BUDGET`` of a party's turning aircraft along their
arcs (issue 12). The resolver judges every turning neighbour of a cluster along its arc too
(issue 14), and had no such bound: a party could make every cluster near its aircraft cost up to
twenty times more and spend the budget of everyone's advisories. The hub now gives the resolver
the fleet as detection judged it (``airdecon.detection.turns_judged``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from airdecon.detection import TURNS_PER_BUDGET, turns_judged
from airdecon.geometry import destination
from airdecon.hub import _advice
from airdecon.hub._guard import OWN_CANDIDATES_PER_PAIR
from airdecon.units import KT
from tests.hub.harness import aircraft, document, world

CAP = 8  # RED's max_own_pairs: a budget of 25 x 8 = 200, so 2 of its turning aircraft on arcs


def _fly(w: Any, rounds: int) -> None:
    """BLUE and GREEN head-on; RED's 12 aircraft around them, each turning at 2 to 3 deg/s."""
    reds = [(20.0 + 0.05 * (k % 4), 10.05 + 0.05 * (k // 4), 30.0 * k, 2.0 + k / 12) for k in range(12)]
    for n in range(rounds):
        t = w.clock()
        w.report("BLUE", aircraft("B1", 20.0, 10.0, 90, t=t))
        w.report("GREEN", aircraft("G1", 20.0, 10.4, 270, t=t))
        batch = []
        for k, (lat, lon, trk, rate) in enumerate(reds):
            batch.append(aircraft(f"R{k}", lat, lon, trk % 360.0, t=t))
            chord = 2 * 450 * KT / math.radians(rate) * math.sin(math.radians(rate) * 2 / 2)
            la, lo = destination(lat, lon, trk + rate, chord)
            reds[k] = (float(la), float(lo), trk + 2 * rate, rate)
        assert w.report("RED", *batch).status_code == 202
        w.step(2.0, advise=n == rounds - 1)


def test_the_resolver_gets_the_turns_detection_judged() -> None:
    seen: list[Any] = []
    real = _advice._resolve_job

    def job(fleet: Any, conflicts: Any, protocol: Any, distress: Any, previous: Any) -> Any:
        seen.append(fleet)
        return real(fleet, conflicts, protocol, distress, previous)

    with world(doc=document({"quotas": {"force": {"max_own_pairs": CAP}}})) as w:
        w.hub.advisor.job = job  # the real job, watched
        _fly(w, 5)
        picture = w.hub.context.picture.last_fleet
    assert seen, "the resolver was not called"
    limit = OWN_CANDIDATES_PER_PAIR * CAP // TURNS_PER_BUDGET
    red = picture.party == "RED"
    assert picture.turn_dps is not None and int((np.abs(picture.turn_dps[red]) >= 1.0).sum()) == 12
    given = seen[-1]
    assert given.turn_dps is not None
    kept = np.abs(given.turn_dps[given.party == "RED"]) >= 1.0
    assert int(kept.sum()) == limit == 2  # the fastest-turning two, as detection keeps them
    assert sorted(str(x) for x in given.ids[(given.party == "RED") & (np.abs(given.turn_dps) >= 1.0)]) == [
        "RED/R10",
        "RED/R11",
    ]


def test_without_budgets_nothing_is_cut() -> None:
    from tests.resolution.test_neighbour_paths import _three

    fleet = _three(np.random.default_rng(0), "turn")
    assert turns_judged(fleet, 300.0, None) is fleet
    assert turns_judged(fleet, 300.0, {"CIVIL": 50_000}) is fleet
