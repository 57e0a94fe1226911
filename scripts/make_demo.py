"""Regenerate src/airdecon/data/demo_scenario.json: three parties over the eastern Mediterranean.

Each scripted encounter places two aircraft so that they meet a chosen point at a chosen time;
background traffic is drawn at random (fixed seed) and kept only if it conflicts with nothing.
Run: python scripts/make_demo.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import airdecon
import airdecon.geometry
from airdecon.units import NM

OUT = Path(__file__).resolve().parents[1] / "src" / "airdecon" / "data" / "demo_scenario.json"


def destination(lat: float, lon: float, brg_deg: float, dist_nm: float) -> tuple[float, float]:
    """Great-circle destination from (lat, lon) along a bearing (airdecon's sphere), to 1e-6 deg."""
    lat2, lon2 = airdecon.geometry.destination(lat, lon, brg_deg, dist_nm * NM)
    return round(float(lat2), 6), round(float(lon2), 6)


def toward(ident, party, point, trk, gs, t_meet, alt_ft, vs_fpm=0.0, offset_nm=0.0):
    """An aircraft on track *trk* that reaches *point* (shifted sideways by offset) at t_meet."""
    lat, lon = destination(*point, trk + 90, offset_nm) if offset_nm else point
    lat, lon = destination(lat, lon, (trk + 180) % 360, gs * t_meet / 3600)
    return {
        "id": ident,
        "party": party,
        "lat": lat,
        "lon": lon,
        "alt_ft": round(alt_ft - vs_fpm * t_meet / 60),
        "gs_kt": gs,
        "trk_deg": trk,
        "vs_fpm": vs_fpm,
    }


def main() -> None:
    ac = [
        # head-on, co-altitude: both turn right (Annex 2)
        toward("BLUE-01", "BLUE", (35.30, 38.60), 95, 460, 190, 25000),
        toward("RED-01", "RED", (35.30, 38.60), 275, 440, 190, 25000),
        # 90-degree crossing: RED-02 has BLUE-02 on its left
        toward("BLUE-02", "BLUE", (34.70, 39.40), 0, 420, 150, 22000),
        toward("RED-02", "RED", (34.70, 39.40), 270, 450, 150, 22000, offset_nm=1.0),
        # overtaking: RED-03 (fighter) overtakes an airliner from astern
        toward("CIVIL-01", "CIVIL", (35.90, 37.30), 120, 300, 200, 31000),
        toward("RED-03", "RED", (35.90, 37.30), 122, 520, 200, 31000),
        # climbing through: BLUE-03 climbs through an airliner's level at a crossing
        toward("CIVIL-02", "CIVIL", (34.20, 37.80), 45, 450, 120, 28000),
        toward("BLUE-03", "BLUE", (34.20, 37.80), 315, 380, 120, 28000, vs_fpm=3000),
        # already lost separation: a drone and a fighter 2 NM / 400 ft apart, diverging slowly
        toward("RED-04", "RED", (35.55, 40.30), 200, 90, 0, 15000),
        toward("BLUE-04", "BLUE", (35.55, 40.30), 230, 350, 0, 15400, offset_nm=2.0),
        # a civil pair converging (each its own operator)
        toward("CIVIL-03", "CIVIL", (33.80, 36.60), 10, 430, 240, 35000),
        toward("CIVIL-04", "CIVIL", (33.80, 36.60), 330, 460, 240, 35000, offset_nm=2.0),
        # near misses that are NOT conflicts: head-on 2000 ft apart, and 7 NM abeam
        toward("BLUE-05", "BLUE", (36.30, 39.80), 80, 450, 100, 27000),
        toward("RED-05", "RED", (36.30, 39.80), 260, 450, 100, 29000),
        toward("CIVIL-05", "CIVIL", (33.50, 38.90), 100, 420, 150, 33000),
        toward("RED-06", "RED", (33.50, 38.90), 280, 420, 150, 33000, offset_nm=7.0),
        # a BLUE two-ship formation, 0.3 NM apart (same party: its own business)
        toward("BLUE-06", "BLUE", (36.60, 37.60), 150, 400, 60, 20000),
        toward("BLUE-07", "BLUE", (36.60, 37.60), 150, 400, 60, 20100, offset_nm=0.3),
    ]
    rng = random.Random(2015)
    parties = ["CIVIL"] * 10 + ["BLUE"] * 4 + ["RED"] * 4
    counters = {"CIVIL": 6, "BLUE": 8, "RED": 7}
    tries = 0
    while len(ac) < 40 and tries < 10_000:
        tries += 1
        party = parties[len(ac) % len(parties)]
        cand = {
            "id": f"{party}-{counters[party]:02d}",
            "party": party,
            "lat": round(rng.uniform(32.5, 37.5), 5),
            "lon": round(rng.uniform(35.0, 42.0), 5),
            "alt_ft": rng.choice(range(8000, 41000, 1000)),
            "gs_kt": rng.choice(range(250, 500, 10)),
            "trk_deg": rng.randrange(0, 360, 5),
            "vs_fpm": rng.choice([0, 0, 0, 0, -1500, 1500]),
        }
        if party == "RED" and rng.random() < 0.3:  # drones, low and slow
            cand.update(
                alt_ft=rng.choice(range(9000, 18000, 500)), gs_kt=rng.choice(range(80, 140, 5)), vs_fpm=0
            )
        trial = airdecon.Fleet.from_records([*ac, cand])
        mine = [c for c in airdecon.detect(trial) if cand["id"] in (c.a, c.b)]
        if not mine:
            ac.append(cand)
            counters[party] += 1
    doc = {"protocol": {"horizontal_nm": 5.0, "vertical_ft": 1000.0, "lookahead_s": 300.0}, "aircraft": ac}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT} with {len(ac)} aircraft")


if __name__ == "__main__":
    main()
