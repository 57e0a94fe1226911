"""The simulator's aircraft and pilots: turn rate, vertical acceleration and rates, delays, compliance."""

from __future__ import annotations

import numpy as np
import pytest

from airdecon.errors import InputError
from airdecon.geometry import east_north_up, geodetic_to_ecef
from airdecon.simulation import Flight, G, PilotModel, step
from airdecon.simulation._pilot import Pilots
from airdecon.units import FPM, KT


def _flight(n: int = 1, trk: float = 90.0, vs: float = 0.0) -> Flight:
    return Flight(
        lat_deg=np.zeros(n),
        lon_deg=np.zeros(n),
        alt_m=np.full(n, 9000.0),
        gs_mps=np.full(n, 450 * KT),
        trk_deg=np.full(n, trk),
        vs_mps=np.full(n, vs),
    )


def _fly(f: Flight, trk: float, vs: float, seconds: int) -> list[Flight]:
    out = []
    for _ in range(seconds):
        f, _flown = step(f, np.array([trk]), np.array([vs]), 1.0)
        out.append(f)
    return out


@pytest.mark.parametrize(
    ("start", "cmd", "sign"), [(90.0, 180.0, 1), (90.0, 0.0, -1), (350.0, 20.0, 1), (10.0, 340.0, -1)]
)
def test_turns_at_three_degrees_per_second_the_short_way_and_stops_on_the_track(start, cmd, sign):  # type: ignore[no-untyped-def]
    path = _fly(_flight(trk=start), cmd, 0.0, 40)
    done = [((p.trk_deg[0] - start + 180) % 360 - 180) for p in path]
    assert done[0] == pytest.approx(3.0 * sign)
    assert done[9] == pytest.approx(30.0 * sign)
    total = (cmd - start + 180) % 360 - 180
    assert path[-1].trk_deg[0] == pytest.approx(cmd % 360)
    k = int(abs(total) // 3)  # whole seconds of turning before the last partial step
    assert done[k - 1] == pytest.approx(3.0 * sign * k)


def test_climbs_with_a_quarter_g_then_holds_the_rate_and_altitude_integrates_it():  # type: ignore[no-untyped-def]
    target = 2500 * FPM
    f0 = _flight()
    path = _fly(f0, 90.0, target, 20)
    a = 0.25 * G
    assert path[0].vs_mps[0] == pytest.approx(a)
    assert path[0].alt_m[0] == pytest.approx(9000.0 + a / 2)
    t_reach = target / a  # about 5.2 s
    assert path[4].vs_mps[0] < target and path[5].vs_mps[0] == pytest.approx(target)
    # exact: accelerate for t_reach, then constant rate
    expected = 9000.0 + target * t_reach / 2 + target * (20 - t_reach)
    assert path[-1].alt_m[0] == pytest.approx(expected, abs=0.05 * target)
    assert path[-1].trk_deg[0] == pytest.approx(90.0)


def test_moves_at_ground_speed_along_the_track():  # type: ignore[no-untyped-def]
    f, flown = step(_flight(trk=0.0), np.array([0.0]), np.array([0.0]), 10.0)
    assert flown[0] == pytest.approx(450 * KT * 10)
    assert f.lat_deg[0] > 0.0 and f.lon_deg[0] == pytest.approx(0.0)


@pytest.mark.parametrize("lat", [0.0, 30.0, 60.0, 80.0])
@pytest.mark.parametrize("trk", [0.0, 45.0, 90.0, 135.0, 200.0, 300.0])
def test_moves_at_ground_speed_in_the_engines_frame_whatever_the_track_and_latitude(lat, trk):  # type: ignore[no-untyped-def]
    # the engine measures on the WGS84 ellipsoid (ECEF, tangent planes): an aircraft flown at gs
    # must move gs there and along its track, or the line's exact predictions miss the flown
    # paths by a rate (a sphere of mean radius: 0.56 % slow northward at the equator, 0.11 % fast
    # eastward, which is 450 m of relative error over a 300 s encounter at 300 m/s)
    start = Flight(np.array([lat]), np.array([10.0]), np.array([9000.0]), np.array([450 * KT]),
                   np.array([trk]), np.array([0.0]))
    f, _ = step(start, np.array([trk]), np.array([0.0]), 60.0)
    p0, p1 = geodetic_to_ecef(start.lat_deg, start.lon_deg), geodetic_to_ecef(f.lat_deg, f.lon_deg)
    east, north, _up = east_north_up(start.lat_deg, start.lon_deg)
    d = (p1 - p0)[0]
    assert np.linalg.norm(d) == pytest.approx(450 * KT * 60, rel=2e-5)  # the chord of a 14 km geodesic
    along = np.degrees(np.arctan2(d @ east[0], d @ north[0])) % 360.0
    assert abs((along - trk + 180.0) % 360.0 - 180.0) < 0.01


def _pilots(model: PilotModel, n: int = 2) -> Pilots:
    return Pilots(_flight(n), model, np.random.default_rng(0), horizon_s=600.0)


def test_a_first_advisory_is_flown_after_the_delay_a_change_after_half_of_it():  # type: ignore[no-untyped-def]
    p = _pilots(PilotModel(response_delay_s=5.0))
    rows = np.array([0])
    p.advise(0.0, rows, np.array([120.0]), np.array([np.nan]))
    for t in (1.0, 2.0, 3.0, 4.0):
        p.advise(t, rows, np.array([120.0]), np.array([np.nan]))  # re-advised every second: same
        p.act(t)
        assert not p.advised[0]
        assert p.commands(_flight(2), t)[0][0] == pytest.approx(90.0)  # still its intent
    p.act(5.0)
    assert p.advised[0] and p.commands(_flight(2), 5.0)[0][0] == pytest.approx(120.0)
    assert not p.advised[1]  # the other aircraft was never advised
    p.advise(6.0, rows, np.array([130.0]), np.array([np.nan]))
    p.act(8.0)
    assert p.commands(_flight(2), 8.0)[0][0] == pytest.approx(120.0)
    p.act(8.5)
    assert p.commands(_flight(2), 8.5)[0][0] == pytest.approx(130.0)


def test_a_changed_advisory_before_it_is_flown_keeps_the_first_delay():  # type: ignore[no-untyped-def]
    p = _pilots(PilotModel(response_delay_s=5.0))
    rows = np.array([1])
    p.advise(0.0, rows, np.array([100.0]), np.array([np.nan]))
    p.advise(3.0, rows, np.array([110.0]), np.array([np.nan]))
    p.act(5.0)
    assert p.commands(_flight(2), 5.0)[0][1] == pytest.approx(110.0)


def test_advised_rates_are_flown_up_to_the_aircraft_performance():  # type: ignore[no-untyped-def]
    p = _pilots(PilotModel(response_delay_s=0.0, climb_fpm=(1500.0, 1500.0)))
    p.advise(0.0, np.array([0, 1]), np.array([np.nan, np.nan]), np.array([2500 * FPM, -1000 * FPM]))
    p.act(0.0)
    _trk, vs = p.commands(_flight(2), 0.0)
    assert vs[0] == pytest.approx(1500 * FPM)
    assert vs[1] == pytest.approx(-1000 * FPM)


def test_performance_is_drawn_in_the_range_per_aircraft():  # type: ignore[no-untyped-def]
    p = _pilots(PilotModel(), n=200)
    fpm = p.max_vs / FPM
    assert fpm.min() >= 1500 and fpm.max() <= 2500 and fpm.std() > 100


@pytest.mark.parametrize(("compliance", "expected"), [(0.0, 0), (1.0, 200)])
def test_compliance_draws_who_follows(compliance, expected):  # type: ignore[no-untyped-def]
    p = _pilots(PilotModel(compliance=compliance), n=200)
    assert int(p.follows.sum()) == expected
    p.advise(0.0, np.arange(200), np.full(200, 100.0), np.full(200, np.nan))
    p.act(10.0)
    assert int(p.advised.sum()) == expected


def test_half_compliance_is_seeded():  # type: ignore[no-untyped-def]
    a = _pilots(PilotModel(compliance=0.5), n=200).follows
    b = _pilots(PilotModel(compliance=0.5), n=200).follows
    assert np.array_equal(a, b) and 60 < a.sum() < 140


def test_level_intent_captures_back_to_its_altitude():  # type: ignore[no-untyped-def]
    p = _pilots(PilotModel())
    off = _flight(2)
    off = Flight(
        off.lat_deg, off.lon_deg, off.alt_m + np.array([300.0, -300.0]), off.gs_mps, off.trk_deg, off.vs_mps
    )
    _trk, vs = p.commands(off, 0.0)
    assert vs[0] < 0 < vs[1]
    assert np.all(np.abs(vs) <= p.max_vs)


@pytest.mark.parametrize(
    "kwargs",
    [{"compliance": 1.5}, {"compliance": -0.1}, {"response_delay_s": -1.0}, {"climb_fpm": (2500.0, 1500.0)}],
)
def test_bad_pilot_model_is_refused(kwargs):  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="pilot model"):
        PilotModel(**kwargs)
