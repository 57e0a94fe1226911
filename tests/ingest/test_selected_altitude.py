"""The selected altitude (issue 14, item 4): ADS-B target state and status (TC 29) and Comm-B
BDS 4,0 (MCP/FCU), decoded from real frames of ../shared/data, rounded to 100 ft, and carried by the
tracker into the live picture, with the track rate of a steady turn."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from airdecon.ingest import ModeSDecoder, Observation, Observations, decode_frames, read_recording
from airdecon.tracking import Tracker
from airdecon.units import FT


def _frames(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "raw_modes_frames.csv.gz", dtype=str, low_memory=False)


def test_tc29_selected_altitude_agrees_with_the_reference_decodes(shared_data: Path) -> None:
    raw = _frames(shared_data)
    tc29 = raw[raw["bds"] == "62"]
    assert len(tc29) == 4604  # the traffic tutorial recording's target state and status frames
    out, rej = decode_frames(tc29["frame"].tolist(), tc29["timestamp"].astype(float).tolist())
    assert rej.n == 0
    got = np.round([o.sel_alt_m / FT for o in out if o is not None], 6)
    want = tc29["selected_altitude"].astype(float).to_numpy()
    assert got.shape == want.shape and np.array_equal(got, want)
    assert set(np.unique(got)) >= {34000.0, 13000.0, 7000.0}


def test_bds40_mcp_altitude_of_a_real_flight(shared_data: Path) -> None:
    raw = _frames(shared_data)
    flight = raw[raw["dataset"] == "traffic_full_flight_AFR34ZG_2024-07-06"]
    b40 = flight[(flight["bds"] == "40") & (flight["icao24"] == "393322")]
    assert len(b40) > 1000  # the reference decode names them BDS 4,0 but carries no altitude
    # the first one, decoded by hand: MB = 0x9770002FF00000, bit 1 (status) set, bits 2-13 = 750
    frame = b40["frame"].iloc[0]
    mb = int(frame[8:22], 16)
    assert mb >> 55 == 1 and ((mb >> 43) & 0xFFF) * 16 == 12000
    out, _ = decode_frames(b40["frame"].tolist(), b40["timestamp"].astype(float).tolist())
    sel = np.round([o.sel_alt_m / FT for o in out if o is not None and not math.isnan(o.sel_alt_m)], 6)
    assert sel[0] == 12000.0 and len(sel) > 0.9 * len(b40)
    assert np.all(sel % 100 == 0) and sel.max() == 35000.0  # the cruise level of the flight


def test_the_beast_sample_carries_a_selected_altitude(shared_data: Path) -> None:
    obs, _ = read_recording(shared_data / "sample_dump1090_beast.bin", t0_s=1_000.0)
    have = ~np.isnan(obs.sel_alt_m)
    assert set(obs.icao24[have]) == {"48520a"}
    assert np.all(obs.sel_alt_m[have] == 38000 * FT)  # sent as 38,016 ft (32 ft steps)


def test_a_frame_with_only_a_selected_altitude_is_an_observation() -> None:
    dec = ModeSDecoder()
    obs = dec.decode("8D48520AEA4A5867C53C08219A7D", 5.0)
    assert obs is not None and obs.sel_alt_m == 38000 * FT and math.isnan(obs.alt_m)
    assert not dec.unused


def _obs(rows: list[Observation]) -> Observations:
    return Observations.from_rows(rows)


def test_the_tracker_hands_the_selected_altitude_and_the_turn_to_the_picture() -> None:
    tr = Tracker()
    rows = []
    for k in range(5):  # 3 deg/s to the right, reported every 5 s
        t = 100.0 + 5 * k
        rows.append(Observation(t, "abc123", lat_deg=48.0 + 0.01 * k, lon_deg=2.0, alt_m=8000.0,
                                gs_mps=200.0, trk_deg=(10.0 + 15.0 * k) % 360, vs_mps=10.0, onground=0))
    rows.append(Observation(112.0, "abc123", sel_alt_m=8100.0))
    tr.update(_obs(sorted(rows, key=lambda o: o.t_s)))
    fleet = tr.snapshot(120.0)
    assert fleet.sel_alt_m is not None and fleet.sel_alt_m[0] == 8100.0
    assert fleet.turn_dps is not None and fleet.turn_dps[0] == pytest.approx(3.0)
    # the live-picture model levels the climb (10 m/s, from 8,000 m at 120 s) off there
    assert fleet.alt_m[0] == 8000.0 and fleet.vs_mps[0] == 10.0
    later = tr.snapshot(140.0)
    assert later.alt_m[0] == 8100.0 and later.vs_mps[0] == 0.0
    # a selected altitude not heard for sel_fresh_s is dropped
    later = tr.snapshot(112.0 + tr.settings.sel_fresh_s + 1.0)
    assert later.sel_alt_m is None or np.isnan(later.sel_alt_m[0])
