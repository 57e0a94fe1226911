"""One party's own fleet bounds its own cost: ``detect(own_budget=…)`` and the grouped broad phase.

A party that puts its whole quota of aircraft on one spot makes n²/2 pairs of its own. With a
budget, only that many of its own candidate pairs are formed, while every pair it makes with
another party's aircraft is still found: the answer for the others is exactly the unbounded one.
"""

from __future__ import annotations

import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import airdecon
from tests.detection.strategies import fleets


def _with_parties(recs: list[dict[str, float]], parties: list[int]) -> airdecon.Fleet:
    return airdecon.Fleet.from_arrays(
        ids=[r["id"] for r in recs],
        party=[f"P{parties[k % len(parties)]}" for k in range(len(recs))],
        lat_deg=[r["lat"] for r in recs],
        lon_deg=[r["lon"] for r in recs],
        alt_m=[r["alt_m"] for r in recs],
        gs_mps=[r["gs_mps"] for r in recs],
        trk_deg=[r["trk_deg"] for r in recs],
        vs_mps=[r["vs_mps"] for r in recs],
    )


def _cross(cs: airdecon.ConflictSet, fleet: airdecon.Fleet) -> set[tuple[str, str]]:
    return {(str(cs.ids[a]), str(cs.ids[b])) for a, b in zip(cs.i, cs.j, strict=True)
            if fleet.party[a] != fleet.party[b]}  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(fleets(min_size=2, max_size=40), st.lists(st.integers(0, 3), min_size=1, max_size=6),
       st.lists(st.integers(-1, 30), min_size=4, max_size=4))  # fmt: skip
def test_budgets_never_lose_a_pair_between_parties(recs, parties, budgets):  # type: ignore[no-untyped-def]
    fleet = _with_parties(recs, parties)
    budget = {f"P{g}": b for g, b in enumerate(budgets) if b >= 0}
    full = airdecon.detect(fleet, backend="grid")
    bounded = airdecon.detect(fleet, backend="grid", own_budget=budget)
    assert _cross(bounded, fleet) == _cross(full, fleet)  # the others lose nothing
    assert bounded.pairs() <= full.pairs()  # nothing invented
    for party in {str(p) for p in fleet.party}:
        own_full = {p for p in full.pairs() if p[0] in _ids(fleet, party) and p[1] in _ids(fleet, party)}
        own = {p for p in bounded.pairs() if p[0] in _ids(fleet, party) and p[1] in _ids(fleet, party)}
        if party in bounded.capped:
            assert len(own) <= budget[party]
        else:
            assert own == own_full  # a party within its budget keeps every own pair


def _ids(fleet: airdecon.Fleet, party: str) -> set[str]:
    return {str(i) for i, p in zip(fleet.ids, fleet.party, strict=True) if p == party}


def _co_located(n: int, party: str, lat: float = 20.0, lon: float = 20.0) -> list[dict[str, object]]:
    return [{"id": f"{party}{k}", "party": party, "lat": lat, "lon": lon + k * 1e-6, "alt_ft": 30000,
             "gs_kt": 0, "trk_deg": 0} for k in range(n)]  # fmt: skip


def test_a_co_located_fleet_costs_its_budget_and_others_keep_every_alert() -> None:
    # 1,500 aircraft of one party on one spot (1.1 million own pairs) and two probes of others,
    # one of them flying right through the cluster
    recs = _co_located(1500, "EVIL")
    recs += [
        {"id": "B1", "party": "BLUE", "lat": 20.0, "lon": 19.9, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 90},
        {"id": "R1", "party": "RED", "lat": 0.0, "lon": 0.0, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 90},
        {"id": "R2", "party": "RED", "lat": 0.0, "lon": 0.3, "alt_ft": 30000, "gs_kt": 450, "trk_deg": 270},
    ]
    fleet = airdecon.Fleet.from_records(recs)
    t = time.perf_counter()
    cs = airdecon.detect(fleet, own_budget={"EVIL": 5_000, "BLUE": 5_000, "RED": 5_000})
    took = time.perf_counter() - t
    assert cs.capped == ("EVIL",)
    pairs = cs.pairs()
    own = [p for p in pairs if p[0].startswith("EVIL") and p[1].startswith("EVIL")]
    assert 0 < len(own) <= 5_000
    assert ("R1", "R2") in pairs
    assert {p for p in pairs if "B1" in p} == {tuple(sorted(("B1", f"EVIL{k}"))) for k in range(1500)}
    assert cs.n_candidates < 5_000 + 1_500 + 10
    # the unbounded run forms all 1.1 million pairs; bounded is far cheaper (a loose sanity bound,
    # not a timing test: the figures are in bench/hostile.py)
    assert took < 5.0


def test_without_a_heavy_party_the_answer_is_the_unbounded_one() -> None:
    recs = _co_located(30, "BLUE") + _co_located(30, "RED", lon=20.01)
    fleet = airdecon.Fleet.from_records(recs)
    full = airdecon.detect(fleet, backend="grid")
    bounded = airdecon.detect(fleet, backend="grid", own_budget={"BLUE": 10_000, "RED": 10_000})
    assert bounded.capped == ()
    assert bounded.pairs() == full.pairs()
    assert np.array_equal(bounded.t_in_s, full.t_in_s)
    assert bounded.n_candidates == full.n_candidates


def test_two_heavy_parties_still_see_each_other() -> None:
    recs = _co_located(300, "EVIL") + _co_located(300, "WORSE", lon=20.0 + 1e-5)
    fleet = airdecon.Fleet.from_records(recs)
    cs = airdecon.detect(fleet, backend="grid", own_budget={"EVIL": 100, "WORSE": 100})
    assert set(cs.capped) == {"EVIL", "WORSE"}
    cross = [p for p in cs.pairs() if p[0][0] != p[1][0]]
    assert len(cross) == 300 * 300
    assert len(cs) <= 300 * 300 + 200
