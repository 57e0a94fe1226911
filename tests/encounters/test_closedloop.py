"""The minimal closed loop: the 1 Hz picture the system sees, and pilots flying its advisories."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from airdecon.encounters import EncounterModel, EncounterSet, Pilot, fly, sample_correlated
from airdecon.encounters._closedloop import placements
from airdecon.errors import InputError
from airdecon.resolution import Advisory
from airdecon.state import Fleet
from airdecon.units import FPM, FT, NM

FIELDS = ("x_m", "y_m", "h_m", "gs_mps", "trk_deg", "vs_mps")


@pytest.fixture(scope="module")
def enc(cor: EncounterModel) -> EncounterSet:
    return sample_correlated(cor, 40, np.random.default_rng(5))


def test_without_advisories_every_aircraft_flies_its_open_loop_trajectory(enc: EncounterSet) -> None:
    ref = enc.trajectories()
    for advise in (None, lambda t, fleet: {}):
        tr, since = fly(enc, advise)
        assert np.all(np.isnan(since))
        for name in FIELDS:
            np.testing.assert_array_equal(getattr(tr, name), getattr(ref, name))


def test_the_picture_is_the_trajectories_on_the_globe(enc: EncounterSet) -> None:
    ref = enc.trajectories()
    seen: dict[int, Fleet] = {}

    def watch(t: float, fleet: Fleet) -> dict[str, Advisory]:
        seen[int(t)] = fleet
        return {}

    fly(enc, watch)
    assert sorted(seen) == list(range(enc.duration_s + 1))
    f = seen[enc.tcpa_s]
    assert f.ids[:4].tolist() == ["E0001-1", "E0001-2", "E0002-1", "E0002-2"]
    _, _, dist = Geod(ellps="WGS84").inv(f.lon_deg[0::2], f.lat_deg[0::2], f.lon_deg[1::2], f.lat_deg[1::2])
    np.testing.assert_allclose(dist, enc.hmd_m, atol=1.0)  # the designed miss distance, on the globe
    np.testing.assert_allclose(f.alt_m, ref.h_m[:, enc.tcpa_s])
    np.testing.assert_allclose(f.gs_mps, ref.gs_mps[:, enc.tcpa_s])
    # true tracks differ from the plane's by the convergence of meridians only (< 1° this close)
    assert np.all(np.abs(np.mod(f.trk_deg - ref.trk_deg[:, enc.tcpa_s] + 180, 360) - 180) < 1.0)
    lat, lon = placements(len(enc))
    assert np.all(np.abs(lat) <= 75.0) and np.unique(np.round(lon, 6)).size == len(enc)


def test_pilots_fly_an_advisory_after_the_delay(enc: EncounterSet) -> None:
    ref = enc.trajectories()
    seen: dict[int, Fleet] = {}

    def advise(t: float, fleet: Fleet) -> dict[str, Advisory]:
        seen[int(t)] = fleet
        if t == 10:  # once: the pilot keeps flying it
            trk_true = float(np.mod(fleet.trk_deg[0] + 30.0, 360.0))
            return {
                "E0001-1": Advisory("E0001-1", "CIVIL", "converging", "turn", trk_deg=trk_true, vs_fpm=1500.0)
            }
        return {}

    tr, since = fly(enc, advise, pilot=Pilot(delay_s=5))
    assert since[0] == 15 and np.all(np.isnan(since[1:]))
    np.testing.assert_array_equal(tr.x_m[:, :16], ref.x_m[:, :16])  # nothing changes before t = 15
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(tr, name)[1:], getattr(ref, name)[1:])  # others untouched
    turned = np.abs(np.mod(tr.trk_deg[0, 16:] - tr.trk_deg[0, 15:-1] + 180, 360) - 180)
    assert np.all(turned <= 3.0 + 1e-9)  # standard-rate turn
    # then holds the advised true track (in the plane's frame where the pilot began to fly it)
    target = seen[10].trk_deg[0] + 30.0 - seen[15].trk_deg[0] + ref.trk_deg[0, 15]
    assert abs(np.mod(tr.trk_deg[0, 40] - target + 180, 360) - 180) < 1e-6
    dvs = np.diff(tr.vs_mps[0, 15:])
    assert np.all(np.abs(dvs) <= 0.25 * 9.80665 + 1e-9)  # 0.25 g
    assert tr.vs_mps[0, 30] == pytest.approx(1500 * FPM)
    assert np.all(np.diff(tr.gs_mps[0, 16:]) == 0)  # speed kept


def test_an_advised_descent_levels_off_at_the_floor(enc: EncounterSet) -> None:
    def advise(t: float, fleet: Fleet) -> dict[str, Advisory]:
        return (
            {"E0001-1": Advisory("E0001-1", "CIVIL", "vertical", "descend", vs_fpm=-6000.0)} if t == 0 else {}
        )

    start_ft = enc.start.h_m[0] / FT
    floor = (start_ft - 500.0) * FT
    tr, _ = fly(enc, advise, pilot=Pilot(delay_s=0, floor_m=floor))
    v, a = 6000 * FPM, 0.25 * 9.80665
    assert tr.h_m[0].min() < floor  # it did reach the floor ...
    assert tr.h_m[0].min() >= floor - v * v / (2 * a) - v  # ... and levelled off there at 0.25 g
    assert tr.vs_mps[0, -1] == 0.0


def test_the_sites_are_far_apart() -> None:
    lat, lon = placements(1000)
    g = Geod(ellps="WGS84")
    # nearest neighbour of a sample of sites
    near = []
    for k in range(0, 1000, 37):
        _, _, d = g.inv(np.full(1000, lon[k]), np.full(1000, lat[k]), lon, lat)
        d[k] = np.inf
        near.append(d.min())
    assert min(near) > 300 * NM


def test_with_intent_the_picture_carries_measured_turns_and_level_offs(enc: EncounterSet) -> None:
    ref = enc.trajectories()
    seen: dict[int, Fleet] = {}

    def watch(t: float, fleet: Fleet) -> dict[str, Advisory]:
        seen[int(t)] = fleet
        return {}

    fly(enc, watch)
    assert seen[100].turn_dps is None and seen[100].sel_alt_m is None  # without intent: none
    fly(enc, watch, intent=True)
    turns = sels = 0
    for t in range(9, enc.duration_s + 1):
        f = seen[t]
        assert f.turn_dps is not None and f.sel_alt_m is not None
        # a steady turn is the rate flown over the last 4 s (as the hub measures it), a turn of
        # at least 1°/s, and an aircraft flying straight over the last 8 s is not turning
        past = enc.turn_dps[:, t - 8 : t]
        on = f.turn_dps != 0.0
        turns += int(on.sum())
        assert np.all(np.abs(f.turn_dps[on]) >= 1.0)
        flown = np.mod(ref.trk_deg[:, t] - ref.trk_deg[:, t - 4] + 180.0, 360.0) - 180.0
        measured_at = t - (t % 4)  # sampled every 4 s from t = 0
        if measured_at == t:
            np.testing.assert_allclose(f.turn_dps[on], flown[on] / 4.0, atol=0.02)
        assert np.all(f.turn_dps[np.all(np.abs(past) < 0.25, axis=1)] == 0.0)
        # a selected altitude is ahead of the climb or descent, and where it next levels off
        has = np.flatnonzero(np.isfinite(f.sel_alt_m))
        sels += has.size
        for r in has:
            vs = enc.vs_mps[r, t:]
            assert abs(vs[0]) >= 0.5 and (f.sel_alt_m[r] - f.alt_m[r]) * vs[0] >= 0.0
            level = t + int(np.argmax(np.abs(vs) < 0.5))
            assert f.sel_alt_m[r] == ref.h_m[r, level]
        level_now = np.abs(enc.vs_mps[:, t]) < 0.5 if t < enc.duration_s else np.ones(len(f), dtype=bool)
        assert np.all(np.isnan(f.sel_alt_m[level_now]))
    assert turns > 100 and sels > 100  # the correlated model turns and levels off often


def test_a_part_of_the_set_is_flown_where_and_as_in_the_whole(enc: EncounterSet) -> None:
    seen: dict[str, Fleet] = {}

    def watch(key: str):  # type: ignore[no-untyped-def]
        def advise(t: float, fleet: Fleet) -> dict[str, Advisory]:
            if t == 60:
                seen[key] = fleet
            return {}

        return advise

    fly(enc, watch("all"), intent=True)
    shown = np.arange(len(enc)) % 3 == 1
    fly(enc, watch("part"), intent=True, shown=shown)
    whole, part = seen["all"], seen["part"]
    rows = np.repeat(shown, 2)
    assert part.ids.tolist() == whole.ids[rows].tolist() and part.ids[0] == "E0002-1"
    for name in ("lat_deg", "lon_deg", "alt_m", "gs_mps", "trk_deg", "vs_mps", "turn_dps", "sel_alt_m"):
        np.testing.assert_array_equal(getattr(part, name), getattr(whole, name)[rows])
    with pytest.raises(InputError, match="shown"):
        fly(enc, watch("bad"), shown=shown[:-1])
