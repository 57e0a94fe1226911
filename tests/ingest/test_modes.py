"""Raw Mode S decoding: frame-level behaviour, and agreement with the reference decodes carried in
../shared/data/raw_modes_frames.csv.gz (the acceptance criterion: positions within 10 m, altitude,
speed, callsign, squawk)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyModeS.util import crc

from airdecon.ingest import ModeSDecoder, decode_frames
from airdecon.units import FT, KT

KT_ = 1.0 / KT


def _df17(icao: str, me_bits: str) -> str:
    """A DF17 frame with a valid parity, for the message types the recordings lack (TC28)."""
    assert len(me_bits) == 56
    head = f"8D{icao}{int(me_bits, 2):014X}"
    return head + f"{crc(head + '000000'):06X}"


def _tc28(icao: str, emergency: int, squawk_bits: str) -> str:
    return _df17(icao, "11100" + "001" + f"{emergency:03b}" + squawk_bits + "0" * 32)


def test_identification_velocity_and_surveillance_frames() -> None:
    dec = ModeSDecoder()
    ident = dec.decode("8D4840D6202CC371C32CE0576098", 1.0)
    assert ident is not None and ident.icao24 == "4840d6" and ident.callsign == "KLM1023"
    vel = dec.decode("8D485020994409940838175B284F", 2.0)
    assert vel is not None
    assert vel.gs_mps * KT_ == pytest.approx(159, abs=0.5)
    assert vel.trk_deg == pytest.approx(182.88, abs=0.01)
    assert vel.vs_mps == pytest.approx(-832 * FT / 60.0)
    sq = dec.decode("2A00516D492B80", 3.0)  # DF5: squawk, flight status 2 (alert, airborne)
    assert sq is not None and sq.squawk == "0356" and sq.onground == 0
    alt = dec.decode("a0001838ca3e51f0a8000047a6a3", 4.0)  # DF20 with altitude
    assert alt is not None and alt.alt_m == pytest.approx(38_000 * FT)


def test_tc28_emergency_status_and_squawk() -> None:
    dec = ModeSDecoder()
    # squawk 7700 in ID-code bit order C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4
    obs = dec.decode(_tc28("3C6444", 1, "0101010101010"), 5.0)
    assert obs is not None and obs.emergency == 1 and obs.squawk == "7700"
    none = dec.decode(_tc28("3C6444", 0, "0000000000000"), 6.0)
    assert none is not None and none.emergency == 0


def test_bad_frames_are_counted_by_kind_never_raised() -> None:
    frames = [
        "8D4840D6202CC371C32CE0576099",
        "zz",
        "8D4840",
        "8D4840D6202CC371C32CE0576098",
        "5d484fdea248f5",
    ]
    out, rej = decode_frames(frames, [0.0, 1.0, 2.0, 3.0, 4.0])
    assert len(out) == 5  # aligned with the input
    assert out[0] is None and out[1] is None and out[2] is None and out[3] is not None
    assert dict(rej.counts) == {"bad-crc": 1, "bad-hex": 1, "bad-length": 1}
    assert rej.total == 5 and rej.examples["bad-hex"][0][0] == "zz"
    assert out[4] is None  # DF11 all-call: nothing for a tracker, counted as unused, not bad


# ---------------------------------------------------------------------- reference decodes
DATASETS = ("traffic_tutorial_onboard_2024-06-06", "traffic_full_flight_AFR34ZG_2024-07-06")


@pytest.fixture(scope="module")
def decoded(shared_data: Path) -> dict[str, pd.DataFrame]:
    raw = pd.read_csv(shared_data / "raw_modes_frames.csv.gz", dtype=str, low_memory=False)
    result = {}
    for name in DATASETS:
        g = raw[raw["dataset"] == name].reset_index(drop=True)
        out, rej = decode_frames(g["frame"], g["timestamp"].astype(float))
        assert rej.total == len(g)

        def col(attr: str, out: list = out) -> list:  # type: ignore[type-arg]
            return [getattr(o, attr) if o is not None else math.nan for o in out]

        g = g.assign(
            o_lat=col("lat_deg"),
            o_lon=col("lon_deg"),
            o_alt_ft=np.array(col("alt_m")) / FT,
            o_gs_kt=np.array(col("gs_mps")) * KT_,
            o_trk=col("trk_deg"),
            o_callsign=[o.callsign if o is not None else "" for o in out],
            o_squawk=[o.squawk if o is not None else "" for o in out],
        )
        for c in ("latitude", "longitude", "altitude", "groundspeed", "track"):
            g[c] = pd.to_numeric(g[c])
        result[name] = g
    return result


@pytest.mark.slow
@pytest.mark.parametrize("name", DATASETS)
def test_positions_within_10_m_of_reference(decoded: dict[str, pd.DataFrame], name: str) -> None:
    g = decoded[name]
    ref = g["latitude"].notna()
    both = ref & g["o_lat"].notna()
    lat = np.deg2rad(g.loc[both, "latitude"])
    dn = np.deg2rad(g.loc[both, "o_lat"] - g.loc[both, "latitude"]) * 6_371_008.8
    de = np.deg2rad(g.loc[both, "o_lon"] - g.loc[both, "longitude"]) * 6_371_008.8 * np.cos(lat)
    err = np.hypot(dn, de)
    assert err.max() < 10.0, g.loc[both][err >= 10.0][["frame", "latitude", "longitude", "o_lat", "o_lon"]]
    # positions are held until three CPR fixes agree, and surface frames wait for an own fix:
    # most, not all, reference positions are reproduced
    assert both.sum() / ref.sum() > 0.8


@pytest.mark.slow
@pytest.mark.parametrize("name", DATASETS)
def test_altitude_agrees_with_reference(decoded: dict[str, pd.DataFrame], name: str) -> None:
    g = decoded[name]
    both = g["altitude"].notna() & g["o_alt_ft"].notna()
    same = (g["altitude"] - g["o_alt_ft"]).abs() < 0.5
    adsb = g["df"].isin(["17", "18"])
    assert (same | ~both)[adsb].all()  # CRC-checked ADS-B: every one
    # DF0/4/20 (address/parity, not CRC-checked): 1.2 % of the tutorial's reference altitudes
    # differ; where we decoded the AC field by hand (test below) the reference is the one off.
    surv = both & ~adsb
    assert same[surv].mean() > 0.98


@pytest.mark.parametrize(
    ("frame", "reference_ft", "by_hand_ft"),
    [
        # AC = 0000000110010: Q=1, N = 0b00000010010 = 18 -> 18 * 25 - 1000 = -550 ft
        ("a1aa00320768a37b29acc2163d82", 62_300, -550),
        # AC = 1100000011000: Q=1, N = 0b11000001000 = 1544 -> 1544 * 25 - 1000 = 37,600 ft
        ("a3e998186aaf2195a08ab244a399", 2_624, 37_600),
    ],
)
def test_where_reference_altitude_differs_the_ac_field_says_we_are_right(
    frame: str, reference_ft: int, by_hand_ft: int
) -> None:
    obs = ModeSDecoder().decode(frame, 0.0)
    assert obs is not None
    assert obs.alt_m / FT == pytest.approx(by_hand_ft)
    assert obs.alt_m / FT != pytest.approx(reference_ft)


@pytest.mark.slow
@pytest.mark.parametrize("name", DATASETS)
def test_speed_and_track_agree_with_reference(decoded: dict[str, pd.DataFrame], name: str) -> None:
    g = decoded[name]
    both = g["groundspeed"].notna() & g["o_gs_kt"].notna()
    air = both & (g["bds"] == "09")
    assert air.sum() > 1000
    # pyModeS gives whole knots (the ground speed rounded), the reference the exact root
    assert ((g["groundspeed"] - g["o_gs_kt"]).abs()[air] < 1.0).all()
    dtrk = ((g["track"] - g["o_trk"] + 180.0) % 360.0 - 180.0).abs()
    assert (dtrk[air] < 0.01).all()
    # Surface movement (BDS 0,6): DO-260B codes 13..38 are 2 + 0.5 kt steps; the reference
    # decoder uses 0.25 kt steps there. Every disagreement is exactly that, nothing else.
    surf = both & (g["bds"] == "06")
    ours = g["o_gs_kt"][surf]
    theirs = np.where((ours >= 2) & (ours < 15), 2 + (ours - 2) / 2, ours)
    assert np.allclose(g["groundspeed"][surf], theirs)


@pytest.mark.slow
@pytest.mark.parametrize("name", DATASETS)
def test_callsign_and_squawk_agree_with_reference(decoded: dict[str, pd.DataFrame], name: str) -> None:
    g = decoded[name]
    cs = g["callsign"].notna() & (g["o_callsign"] != "")
    assert cs.sum() > 1000 and (g["callsign"][cs] == g["o_callsign"][cs]).all()
    sq = g["squawk"].notna() & (g["o_squawk"] != "")
    assert sq.sum() > 10_000
    # DF21 replies with the X bit set decode differently in a handful of rows (9 of 32k)
    assert (g["squawk"][sq] == g["o_squawk"][sq]).mean() > 0.999
