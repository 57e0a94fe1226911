"""Intent and turns in prediction (issue 14, item 4): level-off at the selected altitude, the arc of
a steady turn as a second hypothesis, each conflict named by the hypothesis that predicts it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import airdecon
from airdecon.detection import ARC_TOLERANCE_M, detect
from airdecon.detection._budget import TURNS_PER_BUDGET, cap_turns
from airdecon.detection._engine import detect as detect_linear
from airdecon.detection._paths import hypothesis_rows
from airdecon.geometry import east_north_up, geodetic_to_ecef
from airdecon.state import TURN_MAX_DEG, level_off
from tests.detection.strategies import fleets
from tests.scenarios import FT, KT, NM, place

LAT0, LON0 = 47.0, 8.0


def _ac(
    ident: str, x_nm: float, y_nm: float, trk: float, gs_kt: float, alt_ft: float, **extra: Any
) -> dict[str, Any]:
    r = math.radians(trk)
    p = place(x_nm, y_nm, gs_kt * math.sin(r), gs_kt * math.cos(r), LAT0, LON0)
    return {"id": ident, "party": extra.pop("party", "CIVIL"), "alt_ft": alt_ft, **p, **extra}


def _climber(**intent: Any) -> airdecon.Fleet:
    """The classic STCA nuisance: climbing at 2,000 fpm, cleared to FL290, head-on under a level
    aircraft at FL300, 20 NM apart."""
    return airdecon.Fleet.from_records([
        _ac("CLIMB", 0, 0, 0, 420, 27000, vs_fpm=2000, **intent),
        _ac("LEVEL", 0, 20, 180, 420, 30000),
    ])  # fmt: skip


def test_the_stca_nuisance_alerts_without_intent_and_not_with_it() -> None:
    assert [c.hypothesis for c in detect(_climber())] == ["straight"]
    assert len(detect(_climber(selected_alt_ft=29000))) == 0
    # a selected altitude behind the aircraft (climbing, selected below) says nothing usable
    assert len(detect(_climber(selected_alt_ft=20000))) == 1
    # nor one it will only reach after the look-ahead (300 s at 2,000 fpm: 10,000 ft)
    assert len(detect(_climber(selected_alt_ft=40000))) == 1


def test_a_level_off_that_still_conflicts_is_named() -> None:
    # cleared to FL300, the very level of the other: the linear model climbs it through and
    # away before they meet (no alert); levelling off there, it meets the other head-on
    recs = [_ac("CLIMB", 0, 0, 0, 420, 28000, vs_fpm=2000), _ac("LEVEL", 0, 40, 180, 420, 30000)]
    assert len(detect(airdecon.Fleet.from_records(recs))) == 0
    recs[0]["selected_alt_ft"] = 30000
    (c,) = detect(airdecon.Fleet.from_records(recs))
    assert c.hypothesis == "level-off"
    assert c.t_in_s == pytest.approx((40 - 5) * NM / (840 * KT), abs=0.5)  # horizontal loss starts
    assert c.dalt_cpa_ft == pytest.approx(0.0, abs=1e-6)


def test_a_conflict_before_the_level_off_stays_straight() -> None:
    # already inside 5 NM, 500 ft apart, climbing to a level 3,000 ft up: the loss starts now,
    # before any level-off, exactly as the linear model predicts it
    recs = [_ac("A", 0, 0, 0, 300, 30000, vs_fpm=1000, selected_alt_ft=33000), _ac("B", 0, 3, 0, 300, 30500)]
    fleet = airdecon.Fleet.from_records(recs)
    (c,) = detect(fleet)
    (lin,) = detect_linear(fleet)
    assert c.hypothesis == "straight"
    assert c.t_in_s == lin.t_in_s == 0.0
    assert c.t_out_s == pytest.approx(lin.t_out_s)


def _turner(turn_dps: float) -> airdecon.Fleet:
    # TURN flies north at 450 kt turning right at 3 deg/s: in 30 s it has turned a quarter and
    # flies east, R = 2.4 NM north of where it started; OTHER comes west along that line
    radius_nm = 450 * KT / math.radians(3.0) / NM
    recs = [
        _ac("TURN", 0, 0, 0, 450, 30000, turn_dps=turn_dps),
        _ac("OTHER", 30, radius_nm, 270, 300, 30000),
    ]
    return airdecon.Fleet.from_records(recs)


def test_a_turn_that_conflicts_only_along_its_arc_is_named_turn() -> None:
    assert len(detect(_turner(0.0))) == 0
    assert len(detect_linear(_turner(3.0))) == 0  # the straight prediction alone: none
    (c,) = detect(_turner(3.0))
    assert c.hypothesis == "turn"
    assert 30.0 < c.tcpa_s < 300.0 and c.dcpa_nm < 0.2
    assert len(detect(_turner(-3.0))) == 0  # turning left, it goes away
    assert len(detect(_turner(0.5))) == 0  # below the turn threshold: straight only


def test_the_straight_hypothesis_still_alerts_for_a_turning_aircraft() -> None:
    # head-on and turning: both hypotheses conflict; the straight one is named (the linear model)
    recs = [_ac("TURN", 0, 0, 0, 450, 30000, turn_dps=3.0), _ac("B", 0, 8, 180, 450, 30000)]
    (c,) = detect(airdecon.Fleet.from_records(recs))
    assert c.hypothesis == "straight"


def test_a_fleet_without_intent_gets_the_linear_answer_unchanged() -> None:
    recs = [_ac("A", 0, 0, 0, 420, 30000), _ac("B", 0, 20, 180, 420, 30000)]
    fleet = airdecon.Fleet.from_records(recs)
    assert fleet.sel_alt_m is None and fleet.turn_dps is None
    a, b = detect(fleet), detect_linear(fleet)
    assert a.to_dicts() == b.to_dicts() and a.n_candidates == b.n_candidates


def test_chords_of_tight_and_wide_turns_stay_within_the_tolerance() -> None:
    from airdecon.detection._paths import Paths

    for gs_kt, rate in ((120.0, 25.0), (450.0, 3.0), (3000.0, 1.0)):
        fleet = airdecon.Fleet.from_records([_ac("T", 0, 0, 37.0, gs_kt, 30000, turn_dps=rate)])
        paths = Paths.build(fleet, np.array([0]), np.array([True]), 300.0)
        _, bp = paths.breakpoints(np.array([0]))
        edges = np.concatenate([[0.0], bp])
        assert edges[-1] == pytest.approx(min(300.0, TURN_MAX_DEG / rate))
        # the chord's midpoint against the exact arc at the same instant
        mid = 0.5 * (edges[:-1] + edges[1:])
        p = np.zeros(mid.shape[0], dtype=np.intp)
        chord_mid = 0.5 * (paths.position(p, edges[:-1]) + paths.position(p, edges[1:]))
        dev = np.linalg.norm(chord_mid - paths.position(p, mid), axis=1)
        assert dev.max() <= ARC_TOLERANCE_M + 1e-6
        assert dev.max() > 0.3 * ARC_TOLERANCE_M  # and not needlessly many chords


# ------------------------------------------------------------------ against a sampling oracle
def _sampled(
    fleet: airdecon.Fleet, a: int, b: int, arcs: tuple[bool, bool], t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical distance of a and b at times *t*, flown exactly (no chords)."""
    out = []
    for k, arc in zip((a, b), arcs, strict=True):
        e, n, _ = east_north_up(fleet.lat_deg[[k]], fleet.lon_deg[[k]])
        p0 = geodetic_to_ecef(fleet.lat_deg[[k]], fleet.lon_deg[[k]])
        v, psi = fleet.gs_mps[k], math.radians(fleet.trk_deg[k])
        w = math.radians(fleet.turn_dps[k]) if arc and fleet.turn_dps is not None else 0.0
        if abs(w) < math.radians(1.0):
            w = 0.0
        if w:
            tc = np.minimum(t, math.radians(TURN_MAX_DEG) / abs(w))
            x = v / w * (np.cos(psi) - np.cos(psi + w * tc)) + v * (t - tc) * np.sin(psi + w * tc)
            y = v / w * (np.sin(psi + w * tc) - np.sin(psi)) + v * (t - tc) * np.cos(psi + w * tc)
        else:
            x, y = v * t * np.sin(psi), v * t * np.cos(psi)
        pos = p0 + e * x[:, None] + n * y[:, None]
        sel = None if fleet.sel_alt_m is None else fleet.sel_alt_m[[k]].repeat(t.shape[0])
        alt, _ = level_off(np.full(t.shape[0], fleet.alt_m[k]), np.full(t.shape[0], fleet.vs_mps[k]), sel, t)
        out.append((pos, alt))
    _, _, up_a = east_north_up(fleet.lat_deg[[a]], fleet.lon_deg[[a]])
    _, _, up_b = east_north_up(fleet.lat_deg[[b]], fleet.lon_deg[[b]])
    u = (up_a + up_b)[0]
    u /= np.linalg.norm(u)
    d = out[1][0] - out[0][0]
    d = d - np.outer(d @ u, u)
    return np.linalg.norm(d, axis=1), np.abs(out[1][1] - out[0][1])


@settings(max_examples=60, deadline=None)
@given(fleets(max_size=8, spread_nm=15.0), st.data())
def test_hypotheses_against_a_sampling_oracle(recs: list[dict[str, Any]], data: st.DataObject) -> None:
    n = len(recs)
    fleet = _random_intent_fleet(recs, data)
    proto = airdecon.SafetyProtocol()
    got = {(c.a, c.b) for c in detect(fleet, proto, backend="grid")}
    assert got == {(c.a, c.b) for c in detect(fleet, proto, backend="brute")}  # pruning drops none
    t = np.linspace(0.0, proto.lookahead_s, 3001)
    h, v = proto.horizontal_nm * NM, proto.vertical_ft * FT
    # the chord paths are within 2 x ARC_TOLERANCE_M of the exact ones at every instant; between
    # two 0.1 s samples a pair moves at most 0.05 s x 1,200 kt = 31 m apart, 0.05 s x 8,000 fpm
    # = 2.1 m vertically (the vertical profile is exact: no chords)
    h_in, h_out = h - 2 * ARC_TOLERANCE_M - 1.0, h + 2 * ARC_TOLERANCE_M + 32.0
    v_in, v_out = v - 1.0, v + 2.2
    for a in range(n):
        for b in range(a + 1, n):
            clear_in = clear_out = False
            for arcs in ((False, False), (True, False), (False, True), (True, True)):
                dh, dv = _sampled(fleet, a, b, arcs, t)
                clear_in |= bool(np.any((dh < h_in) & (dv < v_in)))
                clear_out |= bool(np.any((dh < h_out) & (dv < v_out)))
            pair = tuple(sorted((str(fleet.ids[a]), str(fleet.ids[b]))))
            if clear_in:
                assert pair in got, pair
            if not clear_out:
                assert pair not in got, pair


def _random_intent_fleet(recs: list[dict[str, Any]], data: st.DataObject) -> airdecon.Fleet:
    n = len(recs)
    sel = [data.draw(st.one_of(st.just(math.nan), st.floats(27000, 33000))) * FT for _ in range(n)]
    turn = [data.draw(st.sampled_from([0.0, 0.0, 1.5, -3.0, 3.0, 8.0])) for _ in range(n)]
    return airdecon.Fleet.from_arrays(
        ids=[r["id"] for r in recs], lat_deg=[r["lat"] for r in recs], lon_deg=[r["lon"] for r in recs],
        alt_m=[r["alt_m"] for r in recs], gs_mps=[r["gs_mps"] for r in recs],
        trk_deg=[r["trk_deg"] for r in recs], vs_mps=[r["vs_mps"] for r in recs],
        sel_alt_m=sel, turn_dps=turn,
    )  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(fleets(min_size=10, max_size=40, spread_nm=60.0), st.data())
def test_both_candidate_searches_drop_no_pair(recs: list[dict[str, Any]], data: st.DataObject) -> None:
    from airdecon.detection import _hypotheses

    fleet = _random_intent_fleet(recs, data)
    want = detect(fleet, backend="brute").to_dicts()
    assert detect(fleet, backend="grid").to_dicts() == want  # by reach (few pairs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_hypotheses, "_REACH_MAX_PAIRS", 0)
        assert detect(fleet, backend="grid").to_dicts() == want  # by boxes


def test_the_candidate_searches_prune() -> None:
    from airdecon.detection import _hypotheses

    # a line of 60 aircraft 20 NM apart, every third one turning: each meets only its neighbours
    recs = [_ac(f"A{k:02d}", 20.0 * k, 0, 90, 420, 30000, turn_dps=3.0 if k % 3 == 0 else 0.0)
            for k in range(60)]
    fleet = airdecon.Fleet.from_records(recs)
    linear = detect_linear(fleet).n_candidates
    by_reach = detect(fleet).n_candidates - linear
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_hypotheses, "_REACH_MAX_PAIRS", 0)
        by_boxes = detect(fleet).n_candidates - linear
    every = 20 * 59  # pairs with one of the 20 turning aircraft, all considered
    assert 0 < by_reach < every / 5 and 0 < by_boxes < every / 5, (by_reach, by_boxes)


def test_a_party_reporting_its_fleet_turning_loses_only_its_own_arcs() -> None:
    # issue 12: EVIL reports 300 aircraft turning (each pair with a turning aircraft costs up to a
    # few hundred exact solves); with budgets, at most budget // TURNS_PER_BUDGET of EVIL's are
    # judged along an arc, and BLUE's genuine turn (into CIVIL's path) is still found
    radius_nm = 450 * KT / math.radians(3.0) / NM
    recs = [
        _ac("TURN", 0, 0, 0, 450, 30000, turn_dps=3.0, party="BLUE"),
        _ac("OTHER", 30, radius_nm, 270, 300, 30000),
    ] + [_ac(f"E{k:03d}", 200 + 3.0 * (k % 20), 3.0 * (k // 20), 90, 300, 20000 + 10 * k,
             turn_dps=2.0 + k / 1000, party="EVIL") for k in range(300)]
    fleet = airdecon.Fleet.from_records(recs)
    budget = {"EVIL": 5000, "BLUE": 5000, "CIVIL": 50000}
    res = detect(fleet, own_budget=budget)
    assert ("OTHER", "TURN") in res.pairs()
    assert [c.hypothesis for c in res if {c.a, c.b} == {"OTHER", "TURN"}] == ["turn"]
    assert "EVIL" in res.capped and "BLUE" not in res.capped
    kept, capped = cap_turns(fleet, hypothesis_rows(fleet, 300.0)[1], budget)
    assert int(kept[fleet.party == "EVIL"].sum()) == 5000 // TURNS_PER_BUDGET
    evil_kept = sorted(str(x) for x in fleet.ids[kept & (fleet.party == "EVIL")])
    assert evil_kept == [f"E{k:03d}" for k in range(250, 300)]  # the fastest-turning
    assert kept[fleet.index("TURN")] and capped == ("EVIL",)
    # without budgets (a library caller), nothing is cut
    assert int(hypothesis_rows(fleet, 300.0)[1].sum()) == 301
