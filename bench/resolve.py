"""Resolution benchmark: the resolver on the real worldwide fleet, and its rate of pair predictions.

Prints, over several repeats (medians: the machine is noisy), the wall and CPU time of
``airdecon.resolve`` on ``../shared/data/real_global_scenario.json``, the work it counted (pair
predictions, the unit of the protocol's ``advisories.search_budget_s``), the rate that makes, and
how the rate compares with ``REFERENCE_PAIRS_PER_S`` (the rate the budget is converted at). Also
the wall time of the whole ``airdecon detect`` command on that file (the issue's "under 10 s").
The budget is lifted for the measurement so the work is the whole search.

``--allocator default`` leaves the C allocator as it is, for comparison with the tuned one the CLI and
the hub use (:func:`airdecon.keep_freed_memory`; the figure is in that module's docstring). The
setting is process-wide: compare two runs of this script, not two calls.

Run: python bench/resolve.py [--repeats 3] [--scenario PATH] [--allocator keep|default]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import airdecon
from airdecon.resolution import REFERENCE_PAIRS_PER_S
from airdecon.resolution import _resolve as resolver

SCENARIO = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real_global_scenario.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--allocator", choices=("keep", "default"), default="keep")
    args = ap.parse_args()
    if args.allocator == "keep":
        airdecon.keep_freed_memory()
    scenario = airdecon.load_scenario(args.scenario)
    proto = dataclasses.replace(scenario.protocol, search_budget_s=600.0)
    conflicts = airdecon.detect(scenario.fleet, proto)
    work: list[int] = []
    run = resolver._Resolver.run

    def counted(self: resolver._Resolver) -> airdecon.Resolution:
        out = run(self)
        work.append(self.work)
        return out

    resolver._Resolver.run = counted  # type: ignore[method-assign]
    walls, cpus = [], []
    for _ in range(args.repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        res = resolver.resolve(scenario.fleet, conflicts, proto)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    resolver._Resolver.run = run  # type: ignore[method-assign]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"{args.scenario.name}: {len(conflicts)} conflicts, {int(res.resolved.sum())} resolved, "
          f"{len(res.by_aircraft)} aircraft advised")
    print(f"resolve: wall {wall:.2f} s, cpu {cpu:.2f} s (median of {args.repeats}); load {os.getloadavg()[0]:.1f}; "
          f"allocator {args.allocator}")
    print(f"work: {work[-1]:,} pair predictions; rate {work[-1] / wall:,.0f}/s wall, {work[-1] / cpu:,.0f}/s cpu; "
          f"reference {REFERENCE_PAIRS_PER_S:,.0f}/s (ratio {work[-1] / cpu / REFERENCE_PAIRS_PER_S:.2f})")
    print(f"default budget {scenario.protocol.search_budget_s:g} s = "
          f"{scenario.protocol.search_budget_s * REFERENCE_PAIRS_PER_S:,.0f} pair predictions")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "airdecon", "detect", str(args.scenario), "--format", "json"],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"airdecon detect {args.scenario.name}: {time.perf_counter() - t0:.2f} s wall (one run)")


if __name__ == "__main__":
    main()
