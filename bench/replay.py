"""Replay speed on the shared Paris recording: seconds of traffic per second of wall time.

Run: ``.venv/bin/python bench/replay.py [--repeat N]``. Replays 3 h of OpenSky state vectors over
Paris (213 aircraft, up to 38 at once) with terminal minima (3 NM / 1000 ft, above 3,000 ft) at
1 Hz, without writing files, and prints the speed, the conflicts and alerts per hour, and the
time split (reading / tracking / detection) from one profiled run.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

from airdecon.ingest import read_recording
from airdecon.protocol import SafetyProtocol
from airdecon.replay import AlertLog, PairStats, replay
from airdecon.units import FT, NM

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
PARIS = DATA / "opensky_paris_20211007_1200-1500Z.parquet"


def main(argv: list[str]) -> int:
    """Time the replay; print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="print the top functions of one run")
    args = ap.parse_args(argv)
    rules = SafetyProtocol(horizontal_m=3 * NM, vertical_m=1000 * FT)
    t0 = time.perf_counter()
    obs, rejects = read_recording(PARIS)
    print(f"read {len(obs)} observations in {time.perf_counter() - t0:.2f} s ({rejects})")
    best = float("inf")
    for _ in range(args.repeat):
        alerts, pairs = AlertLog(), PairStats(rules.horizontal_m, rules.vertical_m, 1.0)
        t0 = time.perf_counter()
        res = replay(obs, rules, min_alt_m=3000 * FT, sinks=[alerts, pairs])
        wall = time.perf_counter() - t0
        best = min(best, wall)
        n_los = sum(r.los_s > 0 for r in pairs.pairs.values())
        print(
            f"{res.duration_s:.0f} s of traffic in {wall:.2f} s: {res.duration_s / wall:.0f}x real time; "
            f"{len(pairs.pairs)} conflicting pairs, {n_los} with LoS, "
            f"{alerts.raised} alerts ({alerts.raised / (res.duration_s / 3600):.1f}/h)"
        )
    print(f"best: {res.duration_s / best:.0f}x real time")
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(replay, obs, rules, min_alt_m=3000 * FT)
        pstats.Stats(prof).sort_stats("tottime").print_stats(12)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
