"""One live-picture model: the hub's picture and the replay tracker predict the same states.

Issue 11 §3: ``airdecon replay`` must score the model the hub runs. The same latest reports fed
to :class:`airdecon.hub.Picture` and to :class:`airdecon.tracking.Tracker` must give the same fleet
at any common time (to 1e-6 m), drop the same tracks at the same age, and coast them with the same
uncertainty, so the two can never drift apart again.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airdecon.geometry import destination, distances_m
from airdecon.hub import Picture
from airdecon.hub._reports import Report
from airdecon.ingest import Observation, Observations
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet
from airdecon.tracking import Tracker
from airdecon.units import FT

PROTOCOL = SafetyProtocol(stale_s=15.0, drop_s=60.0)
T_NOW = 1_700_000_000.0

# one aircraft's latest state: lat, lon, alt, gs, trk, vs, age at T_NOW (some beyond drop_s)
STATE = st.tuples(
    st.floats(-89.5, 89.5),
    st.floats(-180.0, 179.999),
    st.floats(0.0, 60_000 * FT),
    st.floats(0.0, 590.0),
    st.floats(0.0, 359.99),
    st.floats(-100.0, 100.0),
    st.floats(0.0, 75.0),
)


def _both(states: list[tuple[float, ...]], t: float) -> tuple[Fleet, Fleet, list[str], list[str]]:
    """The hub's and the tracker's fleets at *t*, and the ids each dropped, from the same reports."""
    reports = [
        Report(f"{k:06x}", "CIVIL", T_NOW - age, lat, lon, alt, gs, trk, vs)
        for k, (lat, lon, alt, gs, trk, vs, age) in enumerate(states)
    ]
    picture = Picture(PROTOCOL)
    picture.apply(reports, T_NOW)
    hub, lost = picture.snapshot(t)
    tracker = Tracker(PROTOCOL)
    rows = [
        Observation(r.t, r.aircraft_id, lat_deg=r.lat_deg, lon_deg=r.lon_deg, alt_m=r.alt_m,
                    gs_mps=r.gs_mps, trk_deg=r.trk_deg, vs_mps=r.vs_mps, onground=0)
        for r in sorted(reports, key=lambda r: r.t)
    ]
    tracker.update(Observations.from_rows(rows))
    gone = [e.icao24 for e in tracker.expire(t)]
    replay = tracker.snapshot(t)
    return hub, replay, sorted(tr.report.aircraft_id for tr in lost), sorted(gone)


def _same(hub: Fleet, replay: Fleet) -> None:
    hub_ids = [str(k).split("/", 1)[1] for k in hub.ids]
    assert sorted(hub_ids) == sorted(replay.ids.tolist())
    h = np.argsort(hub_ids)
    r = np.argsort(replay.ids.astype(str))
    apart = distances_m(hub.lat_deg[h], hub.lon_deg[h], replay.lat_deg[r], replay.lon_deg[r])
    assert np.all(apart < 1e-6), apart.max()
    np.testing.assert_allclose(hub.alt_m[h], replay.alt_m[r], rtol=0, atol=1e-6)
    np.testing.assert_allclose(hub.pos_err_m[h], replay.pos_err_m[r], rtol=0, atol=1e-6)
    for name in ("gs_mps", "trk_deg", "vs_mps"):
        np.testing.assert_allclose(getattr(hub, name)[h], getattr(replay, name)[r], rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states=st.lists(STATE, min_size=1, max_size=12), later=st.floats(0.0, 30.0))
def test_hub_picture_and_replay_tracker_predict_the_same_fleet(
    states: list[tuple[float, ...]], later: float
) -> None:
    hub, replay, hub_lost, replay_lost = _both(states, T_NOW + later)
    assert hub_lost == replay_lost  # dropped at the same age
    _same(hub, replay)


def test_the_shared_model_on_a_known_case() -> None:
    """A 250 m/s eastbound jet climbing 10 m/s, last reported 40 s ago: flown 10 km along the great
    circle, 400 m higher, coasted for 25 s (10 % of 25 s x 250 m/s = 625 m of uncertainty); one
    reported 61 s ago is lost by both."""
    hub, replay, hub_lost, replay_lost = _both(
        [(48.0, 2.0, 9000.0, 250.0, 90.0, 10.0, 40.0), (48.5, 2.5, 9000.0, 250.0, 0.0, 0.0, 61.0)], T_NOW
    )
    assert hub_lost == replay_lost == ["000001"]
    _same(hub, replay)
    lat, lon = destination(48.0, 2.0, 90.0, 10_000.0)
    assert math.isclose(replay.lat_deg[0], float(lat), abs_tol=1e-12)
    assert math.isclose(replay.lon_deg[0], float(lon), abs_tol=1e-12)
    assert replay.alt_m[0] == 9400.0 and replay.pos_err_m[0] == 625.0
