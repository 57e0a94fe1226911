"""Acceptance: replaying real recordings (the AF787/TBM900 formation encounter; 3 h over Paris)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airdecon.protocol import SafetyProtocol
from airdecon.replay import replay_recording
from airdecon.units import FT, NM


@pytest.mark.slow
def test_af787_formation_encounter_is_found(shared_data: Path, tmp_path: Path) -> None:
    rep = replay_recording(
        shared_data / "encounter_af787_tbm900_20171201.parquet",
        SafetyProtocol(),
        out_dir=tmp_path,
        plot=False,
    )
    pairs = rep.summary["pairs"]
    assert len(pairs) == 1
    p = pairs[0]
    assert {p["a"], p["b"]} == {"39c424", "3900fb"}
    assert p["los_s"] > 0.9 * 1489  # "most of its 1,489 s inside 5 NM / 1000 ft"
    assert p["min_h_nm"] < 0.01
    assert rep.summary["losses_of_separation"] == 1
    lines = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert lines and lines[0]["kind"] == "raised" and {lines[0]["a"], lines[0]["b"]} == {"39c424", "3900fb"}
    assert {x["kind"] for x in lines} <= {"raised", "escalated", "de-escalated", "cleared"}


@pytest.mark.slow
def test_paris_three_hours_terminal_minima(shared_data: Path, tmp_path: Path) -> None:
    rules = SafetyProtocol(horizontal_m=3 * NM, vertical_m=1000 * FT)
    rep = replay_recording(
        shared_data / "opensky_paris_20211007_1200-1500Z.parquet",
        rules,
        out_dir=tmp_path,
        min_alt_m=3000 * FT,
    )
    s = rep.summary
    print(
        f"\nParis 3 h, 3 NM / 1000 ft above 3000 ft: {s['conflicts']} conflicting pairs, "
        f"{s['losses_of_separation']} with LoS, {s['alerts_raised']} alerts ({s['alerts_per_hour']}/h), "
        f"{s['speed_x']}x real time"
    )
    assert s["duration_s"] == pytest.approx(3 * 3600, abs=5) and s["steps"] > 10_000
    assert s["aircraft_seen"] == 213
    assert s["conflicts"] > 0 and s["alerts_raised"] > 0
    assert s["rejects"]["rejected"] == 0 and s["tracker"]["outlier_altitudes"] > 100
    for p in s["pairs"]:
        assert set(p) >= {"a", "b", "min_h_nm", "min_v_ft", "los_s"}
    # a loose floor for CI on a shared machine; the measured figure goes in the report (with the
    # turn hypothesis, issue 14 item 4, measured 88-166x here, 200-220x without it)
    assert s["speed_x"] > 50
    assert (tmp_path / "traffic.png").stat().st_size > 50_000
    assert s["map"].startswith("GSHHG coastlines")
    assert json.loads((tmp_path / "summary.json").read_text())["pairs"] == s["pairs"]
