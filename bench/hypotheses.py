"""What the intent and turn hypotheses cost: detection with and without them, same fleets.

The fleets of bench/detect.py (10,000 aircraft per 2,000 km square, 30 % climbing or descending);
then the same fleets where a share of the aircraft turn steadily (1-6 deg/s, either way) and every
climber or descender has a selected altitude 1,000-8,000 ft ahead. Prints, per size, the median
milliseconds of one full update, the candidate pairs and conflicts, the ratio to the linear engine,
and how the conflicts split by hypothesis.

Run: python bench/hypotheses.py [--sizes 1000 10000] [--turning 0.05] [--repeats 5]
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import airdecon

sys.path.insert(0, str(Path(__file__).resolve().parent))
from detect import random_fleet


def with_intent(fleet: airdecon.Fleet, turning: float, seed: int = 1) -> airdecon.Fleet:
    """*fleet* where a share *turning* turn steadily and every climb or descent has a clearance."""
    rng = np.random.default_rng(seed)
    n = len(fleet)
    turn = np.where(rng.random(n) < turning, rng.uniform(1.0, 6.0, n) * rng.choice([-1.0, 1.0], n), 0.0)
    ahead = rng.uniform(1000, 8000, n) * 0.3048 * np.sign(fleet.vs_mps)
    sel = np.where(fleet.vs_mps != 0.0, fleet.alt_m + ahead, np.nan)
    return airdecon.Fleet.from_arrays(
        ids=fleet.ids, party=fleet.party, lat_deg=fleet.lat_deg, lon_deg=fleet.lon_deg,
        alt_m=fleet.alt_m, gs_mps=fleet.gs_mps, trk_deg=fleet.trk_deg, vs_mps=fleet.vs_mps,
        sel_alt_m=np.clip(sel, -2000 * 0.3048, 200_000 * 0.3048), turn_dps=turn,
    )  # fmt: skip


def median_ms(fleet: airdecon.Fleet, protocol: airdecon.SafetyProtocol, repeats: int) -> tuple[float, object]:
    result = airdecon.detect(fleet, protocol)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = airdecon.detect(fleet, protocol)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--turning", type=float, default=0.05, help="share of aircraft turning")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    protocol = airdecon.SafetyProtocol()
    print(f"{'N':>7} {'model':>10} {'ms':>8} {'candidates':>11} {'conflicts':>9} {'ratio':>6}  by hypothesis")
    for n in args.sizes:
        plain = random_fleet(n)
        base_ms, base = median_ms(plain, protocol, args.repeats)
        print(f"{n:>7} {'linear':>10} {base_ms:>8.2f} {base.n_candidates:>11} {len(base):>9} {1.0:>6.2f}")
        ms, res = median_ms(with_intent(plain, args.turning), protocol, args.repeats)
        split = collections.Counter(c.hypothesis for c in res)
        print(f"{n:>7} {'intent':>10} {ms:>8.2f} {res.n_candidates:>11} {len(res):>9} {ms / base_ms:>6.2f}  "
              + ", ".join(f"{k} {v}" for k, v in sorted(split.items())))


if __name__ == "__main__":
    main()
