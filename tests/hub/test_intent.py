"""Intent over the API (issue 14, item 4): a report's ``selected_alt_ft`` levels a climb off in the
hub's prediction, so the classic STCA nuisance raises no alert, and alerts name their hypothesis."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdecon.geometry import destination
from airdecon.hub._picture import Picture
from airdecon.hub._reports import Report
from airdecon.protocol import SafetyProtocol
from airdecon.state import turn_update, turn_updates
from airdecon.units import FT, KT, NM
from tests.hub.conftest import HubProcess, ac, collect


def _pair(lon: float, sep_nm: float, start_ft: float, **intent: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """BLUE climbs at 2,000 fpm heading north; RED flies south, level at FL300, *sep_nm* ahead."""
    n = int(lon)
    blue = ac(f"BLUE-{n}", 35.0, lon, 0, alt=start_ft, gs=420, vs_fpm=2000, **intent)
    red = ac(f"RED-{n}", 35.0 + sep_nm / 60.0, lon, 180, alt=30000, gs=420)
    return blue, red


def test_a_selected_altitude_suppresses_the_nuisance_and_alerts_name_hypotheses(hub: HubProcess) -> None:
    blue, red = hub.client("BLUE"), hub.client("RED")
    cleared = _pair(30.0, 20, 27000, selected_alt_ft=29000)  # levels 1,000 ft under RED: no alert
    plain = _pair(32.0, 20, 27000)  # the same without intent: the linear model climbs it through
    to_level = _pair(34.0, 40, 28000, selected_alt_ft=30000)  # cleared to RED's level: an alert
    with hub.ws("BLUE") as wb:
        r = blue.post("/v1/reports", json={"reports": [cleared[0], plain[0], to_level[0]]})
        assert r.status_code == 202 and r.json()["accepted"] == 3, r.text
        r = red.post("/v1/reports", json={"reports": [cleared[1], plain[1], to_level[1]]})
        assert r.status_code == 202, r.text

        def two(ev: list[dict[str, Any]]) -> bool:
            return len({e["data"]["alert_id"] for e in ev if e["kind"] == "alert"}) >= 2

        events = collect(wb, two)
    raised = {e["data"]["own"][0]["id"]: e["data"] for e in events if e["kind"] == "alert"}
    assert set(raised) == {"BLUE-32", "BLUE-34"}  # BLUE-30, cleared below RED-30's level: none
    assert raised["BLUE-32"]["hypothesis"] == "straight"
    assert raised["BLUE-34"]["hypothesis"] == "level-off"
    # the current view agrees, and the cleared pair still has no alert after more cycles
    alerts = blue.get("/v1/alerts").json()["alerts"]
    assert sorted(a["own"][0]["id"] for a in alerts) == ["BLUE-32", "BLUE-34"]
    # the owner sees its selected altitude; the other party does not get it with the threat
    own = {t["id"]: t for t in blue.get("/v1/tracks").json()["tracks"] if t["kind"] == "own"}
    assert own["BLUE-30"]["selected_alt_ft"] == 29000 and "selected_alt_ft" not in own["BLUE-32"]
    seen_by_red = red.get("/v1/alerts").json()["alerts"]
    assert all("selected_alt_ft" not in str(a) for a in seen_by_red)


def test_a_bad_selected_altitude_is_refused_alone(hub: HubProcess) -> None:
    blue = hub.client("BLUE")
    bad = ac("BLUE-7", 35.0, 30.0, 0, selected_alt_ft=250000)
    worse = ac("BLUE-8", 35.0, 30.5, 0, selected_alt_ft="FL290")
    good = ac("BLUE-9", 35.0, 31.0, 0, selected_alt_ft=29000)
    r = blue.post("/v1/reports", json={"reports": [bad, worse, good]})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["accepted"] == 1
    assert [(x["record"], x["field"]) for x in body["rejected"]] == [
        ("BLUE-7", "selected_alt_ft"),
        ("BLUE-8", "selected_alt_ft"),
    ]


def _turning_reports(party: str, ident: str, t0: float, n: int, rate_dps: float) -> list[Report]:
    """Reports every 5 s of an aircraft at 450 kt turning at *rate_dps* (flown exactly)."""
    out, lat, lon, trk = [], 35.0, 38.0, 0.0
    for k in range(n):
        out.append(Report(ident, party, t0 + 5.0 * k, lat, lon, 30000 * FT, 450 * KT, trk % 360.0))
        # five seconds of the arc: the chord leaves at half the turn
        w = math.radians(abs(rate_dps))
        chord = 2 * 450 * KT / w * math.sin(w * 5 / 2) if w else 450 * KT * 5
        lat, lon = (float(x) for x in destination(lat, lon, trk + rate_dps * 2.5, chord))
        trk += rate_dps * 5.0
    return out


def test_the_picture_measures_a_steady_turn_and_alerts_along_its_arc() -> None:
    pic = Picture(SafetyProtocol())
    reports = _turning_reports("BLUE", "T1", 1000.0, 4, 3.0)
    for r in reports:
        pic.apply([r], r.t)
    now = reports[-1].t
    fleet, _ = pic.snapshot(now)
    assert fleet.turn_dps is not None and fleet.turn_dps[0] == pytest.approx(3.0, abs=0.05)
    # a RED aircraft where only the arc meets it: on the line T1 flies after a quarter turn
    # (R ahead, then to the right), 25 NM down it, coming the other way
    last = reports[-1]
    radius = 450 * KT / math.radians(3.0)
    lat, lon = destination(last.lat_deg, last.lon_deg, last.trk_deg, radius)
    lat, lon = destination(float(lat), float(lon), last.trk_deg + 90.0, 25 * NM)
    red = Report("R1", "RED", now, float(lat), float(lon), 30000 * FT, 300 * KT, (last.trk_deg + 270.0) % 360)
    pic.apply([red], now)
    result = pic.cycle(now)
    assert [c.hypothesis for c in result.conflicts] == ["turn"]
    # the same aircraft reported flying straight: no turn, no conflict
    straight = Picture(SafetyProtocol())
    for r in _turning_reports("BLUE", "T1", 1000.0, 4, 0.0):
        straight.apply([r], r.t)
    fleet, _ = straight.snapshot(now)
    assert fleet.turn_dps is None


def test_a_turn_is_steady_only_over_two_agreeing_rates() -> None:
    s = (0.0, 90.0, 0.0, 0.0)
    s = turn_update(s, 2.0, 96.0)  # too soon after the last sample: nothing measured
    assert s == (0.0, 90.0, 0.0, 0.0)
    s = turn_update(s, 5.0, 105.0)  # one rate of 3 deg/s: not yet steady
    assert s[2] == pytest.approx(3.0) and s[3] == 0.0
    s = turn_update(s, 10.0, 120.0)  # a second one agreeing: steady
    assert s[3] == pytest.approx(3.0)
    assert turn_update(s, 15.0, 110.0)[3] == 0.0  # reversed: not steady
    assert turn_update(s, 15.0, 121.0)[3] == 0.0  # 0.2 deg/s: not a turn
    assert turn_update(s, 60.0, 200.0) == (60.0, 200.0, 0.0, 0.0)  # after a gap: start again
    # across north, both ways
    assert turn_update((0.0, 350.0, 3.0, 0.0), 5.0, 5.0)[3] == pytest.approx(3.0)
    assert turn_update((0.0, 5.0, -3.0, 0.0), 5.0, 350.0)[3] == pytest.approx(-3.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 60), st.floats(0, 360, exclude_max=True)), min_size=1, max_size=12),
       st.floats(-20.0, 20.0))
def test_the_picture_and_the_tracker_measure_turns_alike(steps: list[tuple[float, float]],
                                                         rate0: float) -> None:
    # the hub's batch form (turn_updates) against the tracker's one-by-one form (turn_update)
    one = (0.0, 10.0, rate0, 0.0)
    many = np.array([one])
    t = 0.0
    for dt, trk in steps:
        t += dt
        one = turn_update(one, t, trk)
        many = turn_updates(many, np.array([t]), np.array([trk]))
        assert many[0].tolist() == pytest.approx(list(one), abs=1e-12)
