"""Intent in the fleet and the live-picture model (issue 14, item 4): the selected altitude levels a
climb or descent off, only when it lies ahead; the turn rate rides along; both are validated."""

from __future__ import annotations

import math

import numpy as np
import pytest

from airdecon.errors import RecordError
from airdecon.state import Fleet, level_off_s, predict_fleet

FT = 0.3048


def _predict(alt_m: float, vs_mps: float, sel_m: float, age_s: float) -> Fleet:
    one = np.array
    return predict_fleet(
        ids=np.array(["A"], dtype=object), party=np.array(["CIVIL"], dtype=object), t_obs=one([0.0]),
        lat_deg=one([47.0]), lon_deg=one([8.0]), alt_m=one([alt_m]), gs_mps=one([200.0]),
        trk_deg=one([90.0]), vs_mps=one([vs_mps]), t=age_s, stale_s=10.0, sel_alt_m=one([sel_m]),
        turn_dps=one([2.0]),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("vs", "sel", "age", "alt", "vs_after"),
    [
        (10.0, 9000.0, 50.0, 8500.0, 10.0),  # climbing, not there yet
        (10.0, 9000.0, 150.0, 9000.0, 0.0),  # reached at 100 s: held there, level
        (-10.0, 7000.0, 150.0, 7000.0, 0.0),  # descending to it
        (10.0, 7000.0, 150.0, 9500.0, 10.0),  # selected below a climb: behind, linear
        (0.2, 9000.0, 150.0, 8030.0, 0.2),  # 40 fpm is level: no level-off predicted
        (10.0, math.nan, 150.0, 9500.0, 10.0),  # none known
    ],
)
def test_the_live_picture_levels_off_ahead_only(vs: float, sel: float, age: float, alt: float,
                                                vs_after: float) -> None:
    f = _predict(8000.0, vs, sel, age)
    assert f.alt_m[0] == pytest.approx(alt) and f.vs_mps[0] == vs_after
    assert f.turn_dps is not None and f.turn_dps[0] == 2.0


def test_level_off_times() -> None:
    t = level_off_s(np.array([1000.0, 1000.0, 1000.0]), np.array([5.0, -5.0, 5.0]),
                    np.array([1500.0, 1500.0, 1000.0]))
    assert t.tolist() == [100.0, math.inf, 0.0]
    assert level_off_s(np.array([1.0]), np.array([5.0]), None).tolist() == [math.inf]


def test_records_carry_intent_both_ways_and_refuse_bad_values() -> None:
    recs = [
        {"id": "A", "party": "P", "lat": 1, "lon": 2, "alt_ft": 30000, "gs_kt": 400, "trk_deg": 0,
         "vs_fpm": 1500, "selected_alt_ft": 35000, "turn_dps": -2.5},
        {"id": "B", "party": "P", "lat": 1, "lon": 3, "alt_ft": 30000, "gs_kt": 400, "trk_deg": 0},
    ]  # fmt: skip
    f = Fleet.from_records(recs)
    assert f.sel_alt_m is not None and f.sel_alt_m[0] == pytest.approx(35000 * FT)
    assert np.isnan(f.sel_alt_m[1])
    back = f.to_records()
    assert back[0]["selected_alt_ft"] == pytest.approx(35000) and back[0]["turn_dps"] == -2.5
    assert "selected_alt_ft" not in back[1] and "turn_dps" not in back[1]
    assert f.take([1]).sel_alt_m is not None
    plain = Fleet.from_records([recs[1]])
    assert plain.sel_alt_m is None and plain.turn_dps is None  # the linear fast path
    with pytest.raises(RecordError, match="selected_alt_ft"):
        Fleet.from_records([{**recs[0], "selected_alt_ft": 300000}])
    with pytest.raises(RecordError, match="turn_dps"):
        Fleet.from_records([{**recs[0], "turn_dps": 45}])
    with pytest.raises(RecordError, match="turn_dps"):
        Fleet.from_arrays(ids=["A"], lat_deg=[0], lon_deg=[0], alt_m=[0], gs_mps=[0], trk_deg=[0],
                          turn_dps=[math.nan])
