"""Live tracks against plans benchmark: N active volumes and M aircraft checked in one cycle.

The hub checks every cycle's fleet against the active volumes and hazard areas
(:func:`airdecon.operations.crossings`; the issue's target: 1,000 volumes and 5,000 aircraft
within 20 ms). Volumes: polygons (4-12 vertices, 5-40 NM across) and circles (2-20 NM radius; ``--across-nm``
sets the largest), bands
of 0-10,000 to 20,000-40,000 ft, over a 2,000 km square centred on 35N 38E; aircraft at the
density of bench/detect.py over the same square, 150-550 kt, 30 % climbing or descending.
Prints the median milliseconds of the check (the index built once, as the hub does after a
change), the index build, the pairs the broad phase emits and the crossings found, and the ratio
to the target.

Run: python bench/operations.py [--volumes 1000] [--aircraft 5000] [--repeats 9]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import airdecon
from airdecon.operations import AreaIndex, AreaVolume, crossings, parse_operation
from airdecon.operations._live import _boxes

NOW = 1_800_000_000.0
CENTRE = (35.0, 38.0)
SIDE_KM = 2000.0
TARGET_MS = 20.0
ROOT = Path(__file__).resolve().parents[1]


def volumes(n: int, seed: int = 1, across_nm: float = 40.0) -> list[AreaVolume]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        lat = CENTRE[0] + rng.uniform(-SIDE_KM / 2, SIDE_KM / 2) / 111.2
        lon = CENTRE[1] + rng.uniform(-SIDE_KM / 2, SIDE_KM / 2) / (111.32 * math.cos(math.radians(lat)))
        lo = float(rng.choice([0, 5000, 10000]))
        band = {"alt_lower_ft": lo, "alt_upper_ft": lo + float(rng.choice([10000, 20000, 30000])),
                "start": NOW - 600, "end": NOW + 7200}  # fmt: skip
        if k % 3 == 0:
            shape = {"circle": {"lat": lat, "lon": lon, "radius_nm": float(rng.uniform(2, across_nm / 2))}}
        else:
            m = int(rng.integers(4, 13))
            r = rng.uniform(2.5, across_nm / 2) / 60  # degrees of latitude
            a = np.sort(rng.uniform(0, 2 * math.pi, m))
            ring = [[lat + r * math.cos(t), lon + r * math.sin(t) / math.cos(math.radians(lat))] for t in a]
            shape = {"polygon": ring}
        op = parse_operation({"id": f"OP{k}", "state": "active", "volumes": [{**shape, **band}]}, f"P{k % 7}")
        out.append(AreaVolume(op.party, op.id, 0, k % 20 == 0, op.volumes[0]))
    return out


def fleet(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.uniform(-SIDE_KM / 2, SIDE_KM / 2, n)
    x = rng.uniform(-SIDE_KM / 2, SIDE_KM / 2, n)
    lat = CENTRE[0] + y / 111.2
    return {
        "party": np.array([f"P{k % 9}" for k in range(n)], dtype=object),
        "lat_deg": lat,
        "lon_deg": CENTRE[1] + x / (111.32 * np.cos(np.radians(lat))),
        "alt_m": rng.uniform(1000, 45000, n) * 0.3048,
        "gs_mps": rng.uniform(150, 550, n) * 1852 / 3600,
        "trk_deg": rng.uniform(0, 360, n),
        "vs_mps": np.where(rng.random(n) < 0.3, rng.uniform(-3000, 3000, n), 0.0) * 0.3048 / 60,
    }


def ops_at(rev: str) -> ModuleType:
    """The ``airdecon.operations`` package of git revision *rev* (see ``_revisions``)."""
    from _revisions import package_at  # beside this file: bench/ is on the path when a bench runs

    return package_at(rev, "operations")


def found_set(c: Any) -> dict[tuple[int, int], tuple[float, float]]:
    return {(int(a), int(v)): (float(i), float(o))
            for a, v, i, o in zip(c.aircraft, c.volume, c.t_in, c.t_out, strict=True)}  # fmt: skip


def same(a: Any, b: Any) -> bool:
    """The same crossings, times within a microsecond."""
    fa, fb = found_set(a), found_set(b)
    return fa.keys() == fb.keys() and all(abs(fa[k][0] - fb[k][0]) < 1e-6 and abs(fa[k][1] - fb[k][1]) < 1e-6
                                          for k in fa)  # fmt: skip


def scene(across_nm: float, args: argparse.Namespace, other: ModuleType | None) -> None:
    vols, f = volumes(args.volumes, across_nm=across_nm), fleet(args.aircraft)
    impls: dict[str, tuple[Any, Any]] = {"this": (AreaIndex, crossings)}
    if other is not None:
        impls["other"] = (other.AreaIndex, other.crossings)
    builds: dict[str, list[float]] = {k: [] for k in impls}
    index = {}
    for _ in range(3):
        for key, (make, _) in impls.items():
            t0 = time.perf_counter()
            index[key] = make(vols)
            builds[key].append((time.perf_counter() - t0) * 1000)
    found = {key: fn(index[key], now=NOW, lookahead_s=args.lookahead, **f) for key, (_, fn) in impls.items()}
    if other is not None and not same(found["this"], found["other"]):
        raise SystemExit(f"{args.against} finds other crossings than this tree")
    times: dict[str, list[float]] = {f"{k} {c}": [] for k in impls for c in ("wall", "cpu")}
    for r in range(args.repeats):
        for key in list(impls) if r % 2 == 0 else list(impls)[::-1]:
            fn = impls[key][1]
            t0, c0 = time.perf_counter(), time.process_time()
            fn(index[key], now=NOW, lookahead_s=args.lookahead, **f)
            c1, t1 = time.process_time(), time.perf_counter()
            times[f"{key} wall"].append((t1 - t0) * 1000)
            times[f"{key} cpu"].append((c1 - c0) * 1000)
    med = {k: statistics.median(v) for k, v in times.items()}
    boxes, _ = _boxes(f["lat_deg"], f["lon_deg"], f["trk_deg"], f["gs_mps"] * args.lookahead)
    this = index["this"]
    broad = this.tree.query(boxes).shape[1]
    cover = sum(float(p.area) for p in this.polygons) / (SIDE_KM / 111.2) ** 2 * math.cos(math.radians(35))
    print(f"volumes {args.volumes} (up to {across_nm:g} NM across, ~{100 * cover:.0f} % of the square)  "
          f"aircraft {args.aircraft}  look-ahead {args.lookahead:g} s")  # fmt: skip
    print(f"  index build (median of 3)      {statistics.median(builds['this']):8.1f} ms")
    print(f"  broad-phase pairs              {broad:8d}")
    print(f"  crossings found                {len(found['this']):8d}")
    print(f"  check per cycle (median of {args.repeats}) {med['this wall']:8.1f} ms wall  "
          f"{med['this cpu']:6.1f} ms CPU   target {TARGET_MS:g} ms   ratio {med['this wall'] / TARGET_MS:.2f}")  # fmt: skip
    if other is not None:
        print(f"  {args.against} (alternating)      {med['other wall']:8.1f} ms wall  {med['other cpu']:6.1f} ms CPU"
              f"   build {statistics.median(builds['other']):.1f} ms   "
              f"CPU ratio {med['other cpu'] / med['this cpu']:.2f} ({args.against} over this tree)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--volumes", type=int, default=1000)
    ap.add_argument("--aircraft", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--lookahead", type=float, default=300.0)
    ap.add_argument("--across-nm", type=float, nargs="+", default=[40.0, 22.0],
                    help="largest volume, NM across (one scene each)")  # fmt: skip
    ap.add_argument("--against", metavar="REV", help="also time airdecon.operations of this git revision")
    args = ap.parse_args()
    airdecon.keep_freed_memory()  # as the CLI and the hub run the engine
    other = ops_at(args.against) if args.against else None
    for across in args.across_nm:
        scene(across, args, other)
    print(
        f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine inflates both)"
    )


if __name__ == "__main__":
    main()
