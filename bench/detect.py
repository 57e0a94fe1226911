"""Detection benchmark: one full update for N random aircraft at realistic density.

10,000 aircraft over a 2,000 km square (the density is kept fixed as N changes, so the square
grows with sqrt(N)); altitudes 1,000-45,000 ft; speeds 150-550 kt; 30 % of aircraft climbing or
descending at up to 3,000 fpm. Prints N, candidate pairs, conflicts and the median milliseconds
per update (over several repeats; the machine is noisy, medians only), plus the real worldwide
fleet of ../shared/data/real_global_scenario.json when present.

Run: python bench/detect.py [--sizes 1000 10000 50000] [--repeats 7] [--backend grid]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from pathlib import Path

import numpy as np

import airdecon

DENSITY_PER_KM2 = 10_000 / 2_000.0**2
CENTRE = (35.0, 38.0)


def random_fleet(n: int, seed: int = 0) -> airdecon.Fleet:
    """N aircraft at the reference density, in a square centred on 35N 38E."""
    rng = np.random.default_rng(seed)
    side_km = math.sqrt(n / DENSITY_PER_KM2)
    x = rng.uniform(-side_km / 2, side_km / 2, n)
    y = rng.uniform(-side_km / 2, side_km / 2, n)
    lat = CENTRE[0] + y / 111.2
    lon = CENTRE[1] + x / (111.32 * np.cos(np.radians(lat)))
    vs = np.where(rng.random(n) < 0.3, rng.uniform(-3000, 3000, n), 0.0)
    return airdecon.Fleet.from_arrays(
        ids=[f"AC{k:06d}" for k in range(n)],
        lat_deg=lat,
        lon_deg=lon,
        alt_m=rng.uniform(1000, 45000, n) * 0.3048,
        gs_mps=rng.uniform(150, 550, n) * 1852 / 3600,
        trk_deg=rng.uniform(0, 360, n),
        vs_mps=vs * 0.3048 / 60,
    )


def time_detect(fleet: airdecon.Fleet, protocol: airdecon.SafetyProtocol, repeats: int, backend: str):
    airdecon.detect(fleet, protocol, backend=backend)  # warm-up
    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = airdecon.detect(fleet, protocol, backend=backend)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--backend", default="grid")
    args = ap.parse_args()
    proto = airdecon.SafetyProtocol()
    print(f"{'fleet':>22} {'N':>7} {'candidates':>11} {'conflicts':>9} {'median ms':>10} {'us/aircraft':>12}")
    rows = []
    for n in args.sizes:
        fleet = random_fleet(n)
        ms, res = time_detect(fleet, proto, args.repeats, args.backend)
        rows.append((n, ms))
        print(
            f"{'random':>22} {n:>7} {res.n_candidates:>11} {len(res):>9} {ms:>10.1f} {1000 * ms / n:>12.2f}"
        )
    real = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real_global_scenario.json"
    if real.exists():
        sc = airdecon.load_scenario(real)
        ms, res = time_detect(sc.fleet, sc.protocol, args.repeats, args.backend)
        print(
            f"{'real worldwide fleet':>22} {len(sc.fleet):>7} {res.n_candidates:>11} {len(res):>9} {ms:>10.1f} "
            f"{1000 * ms / len(sc.fleet):>12.2f}"
        )
    if len(rows) >= 2:
        (n0, t0), (n1, t1) = rows[0], rows[-1]
        print(f"scaling: N x{n1 / n0:.0f} -> time x{t1 / t0:.1f} (linear would be x{n1 / n0:.0f})")


if __name__ == "__main__":
    main()
