"""Side by side with the BlueSky simulator's state-based detector, on the same fleets, in one run.

BlueSky (``bluesky-simulator`` on PyPI, MIT; a bench-only extra: ``pip install -e '.[bench]'``)
detects with dense N x N matrices (``StateBased``, numpy) or a C loop over all pairs
(``CStateBased``). Both are timed here against airdecon's grid engine on: random fleets at the
realistic density of bench/detect.py, the real worldwide fleet (../shared/data/
real_global_scenario.json), and BlueSky's own standard scenarios. The pair sets are compared:
pairs only one side finds are listed by cause (within 1 % of the minima or 1 s of the look-ahead:
"borderline"; otherwise "other"), and BlueSky's two known blind spots are shown.

Run: python bench/peer_bluesky.py [--sizes 1000 5000 10000] [--numpy-max 5000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import airdecon
from airdecon.detection import evaluate_pairs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from detect import random_fleet

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

with contextlib.redirect_stdout(io.StringIO()):  # BlueSky prints its plugin loading on import
    from bluesky.traffic.asas import cstatebased
    from bluesky.traffic.asas.statebased import StateBased


class _Traffic:
    """The attributes BlueSky's detectors read from its traffic object (SI units, degrees)."""

    def __init__(self, fleet: airdecon.Fleet) -> None:
        self.ntraf = len(fleet)
        self.id = [str(x) for x in fleet.ids]
        self.lat = np.ascontiguousarray(fleet.lat_deg)
        self.lon = np.ascontiguousarray(fleet.lon_deg)
        self.trk = np.ascontiguousarray(fleet.trk_deg)
        self.gs = np.ascontiguousarray(fleet.gs_mps)
        self.alt = np.ascontiguousarray(fleet.alt_m)
        self.vs = np.ascontiguousarray(fleet.vs_mps)


def bluesky_pairs(fleet: airdecon.Fleet, proto: airdecon.SafetyProtocol, impl: str):
    traf = _Traffic(fleet)
    n = len(fleet)
    args = (
        traf,
        traf,
        np.full(n, proto.horizontal_m),
        np.full(n, proto.vertical_m),
        np.full(n, proto.lookahead_s),
    )
    res = cstatebased.detect(*args) if impl == "c" else StateBased.detect(None, *args)
    return {tuple(sorted(p)) for p in res[0]}


def timed(fn, repeats: int):
    fn()
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def compare(
    name: str, fleet: airdecon.Fleet, proto: airdecon.SafetyProtocol, repeats: int, numpy_max: int
) -> None:
    ms_us, ours = timed(lambda: airdecon.detect(fleet, proto), repeats)
    ms_c, theirs = timed(lambda: bluesky_pairs(fleet, proto, "c"), max(1, repeats // 2))
    if len(fleet) <= numpy_max:
        ms_np, theirs_np = timed(lambda: bluesky_pairs(fleet, proto, "numpy"), 1)
        np_cell = f"{ms_np:>10.1f}" + ("" if theirs_np == theirs else "*")  # * = numpy and C disagree
    else:
        np_cell = f"{'(skipped)':>10}"
    mine = {(c.a, c.b): c for c in ours}
    only_us = set(mine) - theirs
    only_them = theirs - set(mine)
    print(
        f"{name:>24} {len(fleet):>6} | airdecon {ms_us:>8.1f} ms {len(mine):>6} | "
        f"BlueSky C {ms_c:>9.1f} ms numpy {np_cell} ms {len(theirs):>6} | "
        f"both {len(set(mine) & theirs):>6} only-airdecon {len(only_us):>4} only-BlueSky {len(only_them):>4} | "
        f"airdecon faster than C x{ms_c / ms_us:.1f}"
    )
    for key in sorted(only_us)[:3]:
        c = mine[key]
        print(f"{'':>26}only airdecon: {key} LoS {c.t_in_s:.1f}-{c.t_out_s:.1f} s, CPA {c.dcpa_nm:.3f} NM")
    for key in sorted(only_them)[:3]:
        i, j = fleet.index(key[0]), fleet.index(key[1])
        g = evaluate_pairs(fleet, proto, np.array([i]), np.array([j]))
        print(
            f"{'':>26}only BlueSky: {key}; airdecon's CPA {g.dcpa_m[0] / 1852:.3f} NM at {g.tcpa_s[0]:.1f} s, "
            f"{g.dalt_cpa_m[0] / 0.3048:.0f} ft"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    ap.add_argument(
        "--numpy-max", type=int, default=5000, help="largest N for BlueSky's dense numpy detector"
    )
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    proto = airdecon.SafetyProtocol()
    print("median wall time of one full detection update; pairs compared as unordered sets")
    for n in args.sizes:
        compare("random", random_fleet(n), proto, args.repeats, args.numpy_max)
    real = SHARED / "data" / "real_global_scenario.json"
    if real.exists():
        sc = airdecon.load_scenario(real)
        compare("real worldwide fleet", sc.fleet, sc.protocol, args.repeats, args.numpy_max)
    for scn in sorted((SHARED / "data" / "bluesky-scenarios").glob("*.scn")):
        sc = airdecon.load_scenario(scn)
        compare(scn.name, sc.fleet, sc.protocol, args.repeats, args.numpy_max)
    # the blind spot the brief names: two aircraft already too close with the same velocity
    twins = airdecon.Fleet.from_records(
        [
            {"id": "T1", "party": "X", "lat": 0.0, "lon": 20.0, "alt_ft": 30000, "gs_kt": 400, "trk_deg": 0},
            {"id": "T2", "party": "Y", "lat": 0.03, "lon": 20.0, "alt_ft": 30000, "gs_kt": 400, "trk_deg": 0},
        ]
    )
    compare("same velocity, 1.8 NM", twins, proto, args.repeats, args.numpy_max)


if __name__ == "__main__":
    main()
