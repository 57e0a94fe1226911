"""Tracker: velocity (reported and derived), outliers, coasting, track loss, ground, distress."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from airdecon.geometry import destination
from airdecon.ingest import Observation, Observations, read_state_vectors
from airdecon.protocol import SafetyProtocol
from airdecon.tracking import Tracker
from airdecon.units import FT, KT

R = 6_371_008.8
ICAO = "3c6444"


def _east(t: float, lat0: float = 48.0, lon0: float = 2.0, v: float = 200.0) -> tuple[float, float]:
    return lat0, lon0 + math.degrees(v * t / (R * math.cos(math.radians(lat0))))


def _flight(n: int = 30, *, velocity: bool = True, alt_m: float = 9000.0) -> list[Observation]:
    rows = []
    nan = math.nan
    for t in range(n):
        lat, lon = _east(float(t))
        gs, trk, vs = (200.0, 90.0, 0.0) if velocity else (nan, nan, nan)
        rows.append(
            Observation(
                float(t),
                ICAO,
                lat_deg=lat,
                lon_deg=lon,
                alt_m=alt_m,
                gs_mps=gs,
                trk_deg=trk,
                vs_mps=vs,
                onground=0,
            )
        )
    return rows


def _feed(tr: Tracker, rows: list[Observation]) -> list[str]:
    return [e.kind for e in tr.update(Observations.from_rows(rows))]


@pytest.mark.parametrize("velocity", [True, False], ids=["reported", "derived"])
def test_snapshot_extrapolates_to_the_common_epoch(velocity: bool) -> None:
    tr = Tracker()
    assert _feed(tr, _flight(velocity=velocity)) == ["track-new"]
    fleet = tr.snapshot(39.0)  # 10 s after the last report
    lat, lon = _east(39.0)
    assert len(fleet) == 1 and fleet.ids[0] == ICAO and fleet.party[0] == "CIVIL"
    # the live-picture model flies the great circle leaving east from the last report (t = 29):
    # 2 km on, it is d² tan(lat) / 2R = 0.35 m south of the parallel the aircraft really flies
    glat, glon = destination(*_east(29.0), 90.0, 200.0 * 10.0)
    assert fleet.lat_deg[0] == pytest.approx(float(glat), abs=1e-7)
    assert fleet.lon_deg[0] == pytest.approx(float(glon), abs=2e-5)  # within ~1.5 m
    assert fleet.lat_deg[0] == pytest.approx(lat, abs=5e-6)  # within 0.55 m of the parallel
    assert fleet.lon_deg[0] == pytest.approx(lon, abs=2e-5)
    assert fleet.gs_mps[0] == pytest.approx(200.0, rel=1e-3) and fleet.trk_deg[0] == pytest.approx(
        90.0, abs=0.1
    )
    assert fleet.pos_err_m[0] == 0.0  # 10 s old: not yet stale


def test_altitude_outliers_are_rejected_123000_ft_included() -> None:
    rows = _flight()
    rows[10] = Observation(10.0, ICAO, alt_m=123_100 * FT)  # the Paris recording's worst
    rows[20] = Observation(20.0, ICAO, alt_m=9000.0 + 3000.0)  # 3 km jump in 1 s
    tr = Tracker()
    _feed(tr, rows)
    assert tr.stats.outlier_altitudes == 2
    assert tr.snapshot(29.0).alt_m[0] == pytest.approx(9000.0)


def test_position_jump_is_rejected_then_reanchored_if_it_persists() -> None:
    rows = _flight(12)
    rows[6] = Observation(6.0, ICAO, lat_deg=49.0, lon_deg=2.0)  # 111 km in a second
    tr = Tracker()
    _feed(tr, rows)
    assert tr.stats.outlier_positions == 1
    assert tr.snapshot(11.0).lat_deg[0] == pytest.approx(48.0, abs=1e-6)
    # a bad first fix: the later, consistent reports win after `reanchor_after` rejections
    tr2 = Tracker()
    _feed(
        tr2, [Observation(0.0, ICAO, lat_deg=10.0, lon_deg=10.0, alt_m=9000.0, onground=0), *_flight(12)[1:]]
    )
    assert tr2.stats.reanchored == 1
    assert tr2.snapshot(11.0).lat_deg[0] == pytest.approx(48.0, abs=1e-6)


def test_coasting_grows_uncertainty_then_track_is_lost() -> None:
    proto = SafetyProtocol(stale_s=15.0, drop_s=60.0)
    tr = Tracker(proto)
    _feed(tr, _flight(10))  # last report at t = 9, 200 m/s
    assert tr.snapshot(20.0).pos_err_m[0] == 0.0
    # the hub's coasting: 10 % of the distance flown blind beyond stale_s
    assert tr.snapshot(44.0).pos_err_m[0] == pytest.approx(0.1 * 200.0 * (35.0 - 15.0))
    assert tr.expire(69.0) == []
    lost = tr.expire(69.5)
    assert [e.kind for e in lost] == ["track-lost"] and lost[0].icao24 == ICAO
    assert len(tr.snapshot(70.0)) == 0 and len(tr) == 0
    # it comes back as a new track
    assert _feed(tr, [Observation(80.0, ICAO, lat_deg=48.0, lon_deg=2.5, alt_m=9000.0)]) == ["track-new"]


def test_aircraft_on_the_ground_are_not_airborne() -> None:
    tr = Tracker()
    _feed(
        tr,
        [
            Observation(
                0.0, "aaaaaa", lat_deg=49.0, lon_deg=2.5, alt_m=100.0, onground=1, gs_mps=5 * KT, trk_deg=0.0
            ),
            *_flight(3),
        ],
    )
    assert tr.snapshot(3.0).ids.tolist() == [ICAO]
    assert sorted(tr.snapshot(3.0, airborne=False).ids.tolist()) == [ICAO, "aaaaaa"]


@pytest.mark.parametrize(
    ("report", "detail"),
    [
        ({"squawk": "7700"}, "squawk 7700 (emergency)"),
        ({"squawk": "7500"}, "squawk 7500 (unlawful"),
        ({"squawk": "7600"}, "squawk 7600 (radio failure)"),
        ({"emergency": 3}, "ADS-B emergency status 3"),
    ],
)
def test_distress_is_raised_once_and_cleared(report: dict[str, object], detail: str) -> None:
    tr = Tracker()
    _feed(tr, _flight(3))
    ev = tr.update(Observations.from_rows([Observation(3.0, ICAO, **report)] * 2))  # type: ignore[arg-type]
    assert [e.kind for e in ev] == ["distress"] and ev[0].detail.startswith(detail)
    assert tr.distressed() == [ICAO]
    clear = {"squawk": "1000"} if "squawk" in report else {"emergency": 0}
    ev = tr.update(Observations.from_rows([Observation(4.0, ICAO, **clear)]))
    assert [e.kind for e in ev] == ["distress-cleared"] and tr.distressed() == []


@pytest.mark.slow
def test_paris_outlier_altitudes_never_reach_a_snapshot(shared_data: Path) -> None:
    obs, _ = read_state_vectors(shared_data / "opensky_paris_20211007_1200-1500Z.parquet")
    assert np.nanmax(obs.alt_m) > 100_000 * FT  # the recording does have them
    tr = Tracker()
    edges = np.arange(obs.t_s[0], obs.t_s[-1], 30.0)
    stops = np.searchsorted(obs.t_s, edges, side="right")
    top = 0.0
    lo = 0
    for t, hi in zip(edges, stops, strict=True):
        tr.update(obs, lo, int(hi))
        lo = int(hi)
        tr.expire(float(t))
        f = tr.snapshot(float(t))
        if len(f):
            top = max(top, float(f.alt_m.max()))
    assert top < 45_000 * FT
    assert tr.stats.outlier_altitudes > 100
    assert len(tr.seen) == 213


def test_a_feed_repeating_a_frozen_state_does_not_keep_the_track_alive() -> None:
    rows = _flight(5)
    frozen = rows[-1]
    rows += [
        Observation(
            float(t),
            ICAO,
            lat_deg=frozen.lat_deg,
            lon_deg=frozen.lon_deg,
            alt_m=frozen.alt_m,
            gs_mps=200.0,
            trk_deg=90.0,
            onground=0,
        )
        for t in range(5, 100)
    ]
    tr = Tracker(SafetyProtocol(stale_s=15.0, drop_s=60.0))
    _feed(tr, rows)
    assert tr.stats.repeated_positions == 95
    assert tr.snapshot(30.0).pos_err_m[0] > 0.0  # coasting since t = 4
    assert [e.kind for e in tr.expire(65.0)] == ["track-lost"]


def test_bogus_altitude_at_take_off_is_rejected_on_the_ground() -> None:
    tr = Tracker()
    ground = [
        Observation(
            float(t),
            ICAO,
            lat_deg=49.0,
            lon_deg=2.5 + t * 1e-5,
            alt_m=-100 * FT,
            onground=1,
            gs_mps=8.0,
            trk_deg=90.0,
        )
        for t in range(5)
    ]
    bogus = [Observation(float(t), ICAO, alt_m=38_975 * FT, onground=1) for t in range(5, 40)]
    climb = [
        Observation(
            float(t),
            ICAO,
            lat_deg=49.0,
            lon_deg=2.6 + t * 1e-3,
            alt_m=(t - 40) * 50 * FT,
            onground=0,
            gs_mps=75.0,
            trk_deg=90.0,
        )
        for t in range(40, 60)
    ]
    _feed(tr, ground + bogus + climb)
    assert tr.snapshot(59.0).alt_m[0] == pytest.approx(19 * 50 * FT)
    assert tr.stats.outlier_altitudes == 35
