"""Closed-loop resolution side by side: BlueSky's own MVP and airdecon's advisories, same scenarios.

Both simulators fly the same fleets (read once by ``airdecon.load_scenario``; BlueSky gets each
aircraft by ``traf.cre`` with the calibrated airspeed that gives the same true airspeed), twice
each: without resolution (BlueSky: ``ASAS ON``, ``RESO OFF``; airdecon: the baseline) and with it
(BlueSky 1.1.1 ``RESO MVP`` with its defaults: heading and speed, 1.01 margin, 0.05 s steps;
airdecon: ``airdecon.simulation.simulate`` with its pilot model, 5 s response delay, full
compliance). Both are measured with the same yardstick, once a second: a pair is in loss of
separation while its horizontal distance in the pair's tangent plane is < 5 NM and its vertical
distance < 1000 ft (BlueSky's own count of pairs in loss is shown in brackets).

Scenarios: ``../shared/data/bluesky-scenarios/`` (super16, nosyn-super-12/16, matrix6) and the
4-, 8- and 32-aircraft super conflicts generated here exactly as super16.scn is written (a 0.5 deg
circle, heading 360 - int(360/n) * i, 65,617 ft, 109.9 kt CAS).

Columns: pairs in loss without resolution (BlueSky's own count), with it, IPR = (without - with) /
without, seconds in loss with resolution (pair-seconds), extra distance (NM, summed over aircraft:
flown + great-circle distance still to go to the aircraft's end point without resolution -
distance flown without resolution), airdecon's largest altitude deviation, and wall time.

Run (a few minutes of one core; BlueSky steps at 0.05 s):
    pip install -e '.[bench]' && python bench/peer_bluesky_cr.py [--only super4 matrix6] [--duration 720]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import tempfile
import time
from pathlib import Path

import numpy as np

import airdecon
from airdecon.geometry import distances_m
from airdecon.resolution import encounter_geometry
from airdecon.simulation import simulate
from airdecon.units import NM

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bluesky-scenarios"
FILES = ("super16", "nosyn-super-12", "nosyn-super-16", "matrix6")
GENERATED = (4, 8, 32)

with contextlib.redirect_stdout(io.StringIO()):  # BlueSky prints its plugin loading on import
    import bluesky as bs
    from bluesky.tools.aero import vtas2cas


def super_scn(n: int) -> str:
    """A circular super conflict of n aircraft, written the way super16.scn is."""
    lines = ["00:00:00.00>ASAS ON", "00:00:00.00>RESO MVP"]
    for i in range(n):
        a = 2 * math.pi / n * i
        hdg = 360.0 - int(360 / n) * i
        lines.append(
            f"00:00:00.00>CRE SUP{i},SUPER,{-0.5 * math.cos(a)!r},{0.5 * math.sin(a)!r},{hdg},"
            "65616.797900262463,109.92461605498562"
        )
    return "\n".join(lines) + "\n"


def losses(fleet: airdecon.Fleet, h_m: float, v_m: float) -> set[tuple[str, str]]:
    """Pairs of *fleet* in loss of separation now (all pairs; the simulator's yardstick)."""
    n = len(fleet)
    i, j = np.triu_indices(n, 1)
    enc = encounter_geometry(fleet, i, j)
    h = np.sqrt(np.einsum("ij,ij->i", enc.s, enc.s))
    lost = (h < h_m) & (np.abs(enc.dz) < v_m)
    ids = fleet.ids
    return {tuple(sorted((str(ids[a]), str(ids[b])))) for a, b in zip(i[lost], j[lost], strict=True)}


def run_bluesky(fleet: airdecon.Fleet, proto: airdecon.SafetyProtocol, reso: str, duration: float) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        bs.sim.reset()
        bs.stack.stack("ASAS ON")
        bs.stack.stack(f"RESO {reso}")
        bs.stack.stack(f"DTLOOK {proto.lookahead_s}")
        bs.sim.step()
        cas = [float(vtas2cas(g, h)) for g, h in zip(fleet.gs_mps, fleet.alt_m, strict=True)]
        for k in range(len(fleet)):
            bs.traf.cre(
                acid=str(fleet.ids[k]),
                actype="SUPER",
                aclat=float(fleet.lat_deg[k]),
                aclon=float(fleet.lon_deg[k]),
                achdg=float(fleet.trk_deg[k]),
                acalt=float(fleet.alt_m[k]),
                acspd=cas[k],
            )
        bs.sim.step()
    order = [bs.traf.id.index(str(a)) for a in fleet.ids]
    lost: dict[tuple[str, str], int] = {}
    own: set[tuple[str, str]] = set()
    t0 = time.perf_counter()
    second = 1.0
    while bs.sim.simt < duration - 1e-9:
        with contextlib.redirect_stdout(io.StringIO()):
            bs.sim.step()
        own |= {tuple(sorted(p)) for p in bs.traf.cd.lospairs}
        if bs.sim.simt + 1e-9 >= second:
            second += 1.0
            now = snapshot(fleet, order)
            for p in losses(now, proto.horizontal_m, proto.vertical_m):
                lost[p] = lost.get(p, 0) + 1
    return {
        "lost": lost,
        "own": own,
        "path_m": np.asarray(bs.traf.distflown)[order].copy(),
        "lat": np.asarray(bs.traf.lat)[order].copy(),
        "lon": np.asarray(bs.traf.lon)[order].copy(),
        "wall_s": time.perf_counter() - t0,
    }


def snapshot(like: airdecon.Fleet, order: list[int]) -> airdecon.Fleet:
    t = bs.traf
    return airdecon.Fleet.from_arrays(
        ids=like.ids,
        party=like.party,
        lat_deg=np.asarray(t.lat)[order],
        lon_deg=np.asarray(t.lon)[order],
        alt_m=np.asarray(t.alt)[order],
        gs_mps=np.asarray(t.gs)[order],
        trk_deg=np.asarray(t.trk)[order],
        vs_mps=np.asarray(t.vs)[order],
    )


def row(name: str, n: int, tool: str, base: int, base_own: str, res: int, los_s: float, extra: float,
        alt_ft: str, wall: float) -> None:
    ipr = f"{(base - res) / base:.3f}" if base else "n/a"
    print(f"{name:>15} {n:>3} | {tool:<8} | {base:>4}{base_own:<6} {res:>4} | IPR {ipr:>5} | "
          f"{los_s:>6.0f} s | {extra:>7.1f} NM | {alt_ft:>7} | {wall:>6.1f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", help="scenario names (super4, super8, super32, super16, matrix6 ...)")
    ap.add_argument("--duration", type=float, default=720.0, help="simulated seconds per run (default 720)")
    args = ap.parse_args()
    airdecon.keep_freed_memory()  # as the CLI runs the engine (process-wide: BlueSky gets it too)
    tmp = Path(tempfile.mkdtemp(prefix="airdecon-cr-"))
    with contextlib.redirect_stdout(io.StringIO()):
        bs.init(mode="sim", detached=True, workdir=str(tmp))
    scenarios: list[tuple[str, Path]] = []
    for n in GENERATED:
        path = tmp / f"super{n}.scn"
        path.write_text(super_scn(n))
        scenarios.append((f"super{n}", path))
    scenarios += [(name, SHARED / f"{name}.scn") for name in FILES]
    scenarios.sort(key=lambda s: (len(airdecon.load_scenario(s[1]).fleet), s[0]))
    if args.only:
        scenarios = [s for s in scenarios if s[0] in set(args.only)]
    print(f"{args.duration:g} s per run; pairs in loss measured once a second, < 5 NM and < 1000 ft")
    print(f"{'scenario':>15} {'n':>3} | {'tool':<8} | {'w/o':>4}{'(own)':<6} {'with':>4} | {'IPR':>9} | "
          f"{'LoS':>8} | {'extra':>10} | {'max dz':>7} | {'wall':>8}")
    for name, path in scenarios:
        sc = airdecon.load_scenario(path)
        fleet, proto = sc.fleet, sc.protocol
        off = run_bluesky(fleet, proto, "OFF", args.duration)
        mvp = run_bluesky(fleet, proto, "MVP", args.duration)
        to_go = distances_m(mvp["lat"], mvp["lon"], off["lat"], off["lon"])
        extra = float(np.sum(mvp["path_m"] + to_go - off["path_m"])) / NM
        row(name, len(fleet), "BlueSky", len(off["lost"]), f"({len(off['own'])})", len(mvp["lost"]),
            sum(mvp["lost"].values()), extra, "-", off["wall_s"] + mvp["wall_s"])
        t0 = time.perf_counter()
        sim = simulate(sc, duration_s=args.duration)
        doc = sim.summary()
        row(name, len(fleet), "airdecon", len(doc["baseline"]["losses_of_separation"]), "",
            len(doc["losses_of_separation"]), doc["los_s"], doc["extra_distance_nm"],
            f"{doc['max_altitude_deviation_ft']:.0f} ft", time.perf_counter() - t0)
        for lost in doc["losses_of_separation"][:4]:
            print(f"{'':>22}airdecon loss {lost['a']}-{lost['b']}: {lost['horizontal_nm']:.2f} NM, "
                  f"{lost['vertical_ft']:.0f} ft at {lost['t_s']:.0f} s, {lost['los_s']:.0f} s in loss")


if __name__ == "__main__":
    main()
