"""Differential and property tests: the pruned vectorised engine against a scalar all-pairs oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import airdecon
from airdecon.detection import los_intervals
from tests.detection.strategies import fleets
from tests.reference.oracle import reference_detect

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def to_fleet(recs: list[dict]) -> airdecon.Fleet:
    return airdecon.Fleet.from_arrays(
        ids=[r["id"] for r in recs],
        lat_deg=[r["lat"] for r in recs],
        lon_deg=[r["lon"] for r in recs],
        alt_m=[r["alt_m"] for r in recs],
        gs_mps=[r["gs_mps"] for r in recs],
        trk_deg=[r["trk_deg"] for r in recs],
        vs_mps=[r["vs_mps"] for r in recs],
    )


def as_map(conflicts: airdecon.ConflictSet) -> dict[tuple[str, str], airdecon.Conflict]:
    return {(c.a, c.b): c for c in conflicts}


def same_time(x: float, y: float) -> bool:
    if math.isinf(x) or math.isinf(y):
        return x == y or (max(abs(x), abs(y)) > 1e7)
    return math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-6)


@SETTINGS
@given(recs=fleets(), lookahead=st.sampled_from([120.0, 300.0, 600.0]))
def test_engine_equals_scalar_oracle(recs, lookahead):  # type: ignore[no-untyped-def]
    proto = airdecon.SafetyProtocol(lookahead_s=lookahead)
    fleet = to_fleet(recs)
    got = as_map(airdecon.detect(fleet, proto, backend="grid"))
    ref = {(r.a, r.b): r for r in reference_detect(recs, proto.horizontal_m, proto.vertical_m, lookahead)}
    for key in set(ref) - set(got):
        assert ref[key].margin_s < 1e-4, f"engine missed {key}: {ref[key]}"
    for key in set(got) - set(ref):
        c = got[key]
        assert min(c.t_out_s - c.t_in_s, abs(lookahead - c.t_in_s)) < 1e-4, f"spurious {key}: {c}"
    for key in set(got) & set(ref):
        c, r = got[key], ref[key]
        assert same_time(c.t_in_s, r.t_in_s), (key, c, r)
        assert same_time(c.t_out_s, r.t_out_s), (key, c, r)
        assert same_time(c.tcpa_s, r.tcpa_s), (key, c, r)
        assert c.dcpa_nm * 1852 == pytest.approx(r.dcpa_m, rel=1e-6, abs=1e-3)
        assert c.dalt_cpa_ft * 0.3048 == pytest.approx(r.dalt_m, rel=1e-6, abs=1e-3)


@SETTINGS
@given(recs=fleets(max_size=60, spread_nm=120.0))
def test_grid_broad_phase_never_drops_a_pair(recs):  # type: ignore[no-untyped-def]
    fleet = to_fleet(recs)
    brute = airdecon.detect(fleet, backend="brute")
    grid = airdecon.detect(fleet, backend="grid")
    assert grid.pairs() == brute.pairs()
    np.testing.assert_array_equal(grid.t_in_s, brute.t_in_s)
    np.testing.assert_array_equal(grid.t_out_s, brute.t_out_s)
    assert grid.n_candidates <= brute.n_candidates


@SETTINGS
@given(recs=fleets(), data=st.data())
def test_row_order_does_not_matter(recs, data):  # type: ignore[no-untyped-def]
    fleet = to_fleet(recs)
    perm = data.draw(st.permutations(range(len(recs))))
    shuffled = to_fleet([recs[k] for k in perm])
    a, b = as_map(airdecon.detect(fleet)), as_map(airdecon.detect(shuffled))
    assert a.keys() == b.keys()
    for key in a:
        assert same_time(a[key].t_in_s, b[key].t_in_s)
        assert same_time(a[key].t_out_s, b[key].t_out_s)


@SETTINGS
@given(recs=fleets(), shift=st.floats(-180.0, 180.0))
def test_rotating_the_earth_changes_nothing(recs, shift):  # type: ignore[no-untyped-def]
    fleet = to_fleet(recs)
    moved = to_fleet([{**r, "lon": (r["lon"] + shift + 180.0) % 360.0 - 180.0} for r in recs])
    a, b = as_map(airdecon.detect(fleet)), as_map(airdecon.detect(moved))
    for key in set(a) ^ set(b):  # only borderline decisions may flip with rounding
        c = a.get(key) or b[key]
        assert min(c.t_out_s - c.t_in_s, abs(300.0 - c.t_in_s)) < 1e-3, key
    for key in set(a) & set(b):
        assert a[key].t_in_s == pytest.approx(b[key].t_in_s, abs=1e-4)


@SETTINGS
@given(recs=fleets(), factor=st.floats(0.1, 1.0))
def test_lowering_the_minima_never_adds_conflicts(recs, factor):  # type: ignore[no-untyped-def]
    fleet = to_fleet(recs)
    wide = airdecon.SafetyProtocol()
    narrow = airdecon.SafetyProtocol(
        horizontal_m=wide.horizontal_m * factor, vertical_m=wide.vertical_m * factor
    )
    assert airdecon.detect(fleet, narrow).pairs() <= airdecon.detect(fleet, wide).pairs()


@settings(max_examples=200, deadline=None)
@given(
    s=st.tuples(st.floats(-5e4, 5e4), st.floats(-5e4, 5e4)),
    w=st.tuples(st.floats(-300, 300), st.floats(-300, 300)),
    dz=st.floats(-3000, 3000),
    dvz=st.floats(-30, 30),
    dt=st.floats(0, 100),
)
def test_kernel_shifting_time_shifts_intervals(s, w, dz, dvz, dt):  # type: ignore[no-untyped-def]
    """Moving 'now' forward by dt along the straight lines moves every interval back by dt."""
    big = 1e9
    S, W = np.array([s]), np.array([w])
    g0 = los_intervals(S, W, np.array([dz]), np.array([dvz]), 9260.0, 304.8, big)
    g1 = los_intervals(S + W * dt, W, np.array([dz + dvz * dt]), np.array([dvz]), 9260.0, 304.8, big)
    if g0.conflict[0] and g0.t_in_s[0] > dt + 1e-3 and g0.t_out_s[0] - g0.t_in_s[0] > 1e-3:
        assert g1.conflict[0]
        assert g1.t_in_s[0] == pytest.approx(g0.t_in_s[0] - dt, rel=1e-6, abs=1e-5)
        if math.isfinite(g0.t_out_s[0]):
            assert g1.t_out_s[0] == pytest.approx(g0.t_out_s[0] - dt, rel=1e-6, abs=1e-5)


@settings(max_examples=200, deadline=None)
@given(
    s=st.tuples(st.floats(-5e4, 5e4), st.floats(-5e4, 5e4)),
    w=st.tuples(st.floats(-300, 300), st.floats(-300, 300)),
    dz=st.floats(-3000, 3000),
    dvz=st.floats(-30, 30),
)
def test_kernel_swapping_the_pair_changes_nothing(s, w, dz, dvz):  # type: ignore[no-untyped-def]
    S, W = np.array([s]), np.array([w])
    g = los_intervals(S, W, np.array([dz]), np.array([dvz]), 9260.0, 304.8, 300.0)
    h = los_intervals(-S, -W, np.array([-dz]), np.array([-dvz]), 9260.0, 304.8, 300.0)
    assert g.conflict[0] == h.conflict[0]
    assert g.t_in_s[0] == h.t_in_s[0] or (np.isnan(g.t_in_s[0]) and np.isnan(h.t_in_s[0]))
    assert g.dcpa_m[0] == pytest.approx(h.dcpa_m[0])
