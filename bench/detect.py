"""Detection benchmark: one full update for N random aircraft at realistic density.

10,000 aircraft over a 2,000 km square (the density is kept fixed as N changes, so the square
grows with sqrt(N)); altitudes 1,000-45,000 ft; speeds 150-550 kt; 30 % of aircraft climbing or
descending at up to 3,000 fpm. Prints N, candidate pairs, conflicts and the median milliseconds
per update, wall clock and CPU time of this process (over several repeats; the machine is shared
and noisy: medians only, and CPU time is the steadier of the two under load), plus the real
worldwide fleet of ../shared/data/real_global_scenario.json when present.

``--against REV`` times the detection package of git revision REV in the same process, call for
call alternating with the working tree's (ABBA order), and prints both medians and their ratio
(the revision's time over this one's), after checking that both give the same conflicts. Only
``airdecon.detection`` is swapped; the rest of the package is the working tree's.

Run: python bench/detect.py [--sizes 1000 10000 50000 100000] [--repeats 7] [--backend grid]
                            [--against b190906]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import airdecon

DENSITY_PER_KM2 = 10_000 / 2_000.0**2
CENTRE = (35.0, 38.0)
ROOT = Path(__file__).resolve().parents[1]
Detect = Callable[..., Any]


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


def detect_at(rev: str) -> Detect:
    """``detect`` of the detection package as of git revision *rev* (see ``_revisions``)."""
    from _revisions import package_at  # beside this file: bench/ is on the path when a bench runs

    detect: Detect = package_at(rev, "detection").detect
    return detect


def time_detect(
    fleet: airdecon.Fleet, protocol: airdecon.SafetyProtocol, repeats: int, backend: str,
    other: Detect | None = None,
) -> tuple[dict[str, list[float]], Any, Any]:  # fmt: skip
    """Wall and CPU milliseconds of each call, for this tree's detect and (alternating) *other*."""
    runs: dict[str, Detect] = {"this": airdecon.detect}
    if other is not None:
        runs["other"] = other
    results = {key: fn(fleet, protocol, backend=backend) for key, fn in runs.items()}  # warm-up
    times: dict[str, list[float]] = {f"{key} {clock}": [] for key in runs for clock in ("wall", "cpu")}
    for r in range(repeats):
        for key in list(runs) if r % 2 == 0 else list(runs)[::-1]:
            w0, c0 = time.perf_counter(), time.process_time()
            runs[key](fleet, protocol, backend=backend)
            c1, w1 = time.process_time(), time.perf_counter()
            times[f"{key} wall"].append((w1 - w0) * 1000)
            times[f"{key} cpu"].append((c1 - c0) * 1000)
    return times, results["this"], results.get("other")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000, 100000])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--backend", default="grid")
    ap.add_argument("--against", metavar="REV", help="also time the detection package of this git revision")
    args = ap.parse_args()
    airdecon.keep_freed_memory()  # as the CLI and the hub run the engine
    other = detect_at(args.against) if args.against else None
    proto = airdecon.SafetyProtocol()
    head = f"{'fleet':>22} {'N':>7} {'candidates':>11} {'conflicts':>9} {'median ms':>10} {'cpu ms':>8}"
    if other is not None:
        head += f" {args.against + ' ms':>14} {'cpu ms':>8} {'ratio':>6}"
    print(head + f" {'us/aircraft':>12}")
    fleets: list[tuple[str, airdecon.Fleet, airdecon.SafetyProtocol]] = [
        ("random", random_fleet(n), proto) for n in args.sizes
    ]
    real = ROOT.parent / "shared" / "data" / "real_global_scenario.json"
    if real.exists():
        sc = airdecon.load_scenario(real)
        fleets.append(("real worldwide fleet", sc.fleet, sc.protocol))
    rows = []
    for label, fleet, protocol in fleets:
        times, res, res_other = time_detect(fleet, protocol, args.repeats, args.backend, other)
        med = {key: statistics.median(v) for key, v in times.items()}
        line = (f"{label:>22} {len(fleet):>7} {res.n_candidates:>11} {len(res):>9} {med['this wall']:>10.1f}"
                f" {med['this cpu']:>8.1f}")  # fmt: skip
        if res_other is not None:
            if res_other.pairs() != res.pairs():
                raise SystemExit(f"{label} {len(fleet)}: {args.against} finds other conflicts")
            ratio = med["other cpu"] / med["this cpu"]
            line += f" {med['other wall']:>14.1f} {med['other cpu']:>8.1f} {ratio:>6.2f}"
        print(line + f" {1000 * med['this wall'] / len(fleet):>12.2f}", flush=True)
        if label == "random":
            rows.append((len(fleet), med["this wall"]))
    if len(rows) >= 2:
        (n0, t0), (n1, t1) = rows[0], rows[-1]
        print(f"scaling: N x{n1 / n0:.0f} -> time x{t1 / t0:.1f} (linear would be x{n1 / n0:.0f})")
    if other is not None:
        print(f"ratio: {args.against}'s median CPU time over this tree's, calls alternating in one process")


if __name__ == "__main__":
    main()
