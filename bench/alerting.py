"""STCA-style evaluation of airdecon's alerting and advisories on sampled realistic encounters.

Samples encounters from the MIT Lincoln Laboratory encounter models (../shared/data/encounter-models,
with :mod:`airdecon.encounters`), feeds every encounter to the public library once a second as a hub
would (``airdecon.detect`` and an ``AlertTracker`` on the whole 1 Hz picture, ``airdecon.resolve``
in the closed loop), and prints, per model:

* alerting alone (aircraft fly their sampled trajectories): LoS encounters, hits, misses (late or
  none), valid and nuisance alerts, median and 5th-percentile warning time;
* closed loop (aircraft fly airdecon's advisories after the pilot delay, see
  :mod:`airdecon.encounters._closedloop`): encounters with a LoS without and with airdecon, and the
  risk ratio P(LoS with airdecon) / P(LoS without).

Definitions (docs/evaluation.md): an *alert* is an alert of the tracker that reaches ``caution``
(predicted loss within the protocol's ``caution_s``, 120 s: the STCA warning horizon). Truth is
the sampled trajectory, checked each second against the protocol's minima. Encounters already in
loss of separation at the first second are left out (no system can warn of them).

Run: python bench/alerting.py [--n 1000] [--seed 1] [--models cor,dueregard] [--response-delay 5]
                              [--open-loop-only] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

import airdecon
from airdecon.alerting import AlertTracker, Level, classify
from airdecon.detection import ConflictSet
from airdecon.encounters import (
    EncounterSet,
    Pilot,
    Trajectories,
    fly,
    read_model,
    sample_correlated,
    sample_due_regard,
)
from airdecon.state import Fleet
from airdecon.units import FT, NM

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT.parent / "shared" / "data" / "encounter-models" / "model"
PARTIES = {"cor": ("CIVIL", "CIVIL"), "dueregard": ("BLUE", "RED")}


def sample(which: str, n: int, seed: int) -> EncounterSet:
    """The benchmark's encounters: *n* from model *which* (``cor`` or ``dueregard``), seeded."""
    rng = np.random.default_rng(seed)
    if which == "cor":
        return sample_correlated(read_model(MODELS / "cor_v1.txt"), n, rng)
    if which == "dueregard":
        return sample_due_regard(read_model(MODELS / "dueregard_v1.txt"), n, rng)
    raise SystemExit(f"unknown model {which!r} (cor, dueregard)")


class Hub:
    """What a hub does each second with the picture: detect, track alerts, and (closed loop)
    advise on the conflicts at ``act_level`` or above. Records each encounter's first alert."""

    def __init__(
        self,
        protocol: airdecon.SafetyProtocol,
        n: int,
        act_level: Level | None,
        detector: Callable[[Fleet, airdecon.SafetyProtocol], ConflictSet] = airdecon.detect,
    ) -> None:
        self.protocol = protocol
        self.act_level = act_level
        self.detector = detector  # the seam for a detector with intent/turn hypotheses (not wired yet)
        self.tracker = AlertTracker.for_protocol(protocol)
        self.first_alert = np.full(n, np.nan)
        self.alerts: list[set[str]] = [set() for _ in range(n)]
        self.resolve_s = 0.0

    def __call__(self, t: float, fleet: Fleet) -> dict[str, airdecon.Advisory]:
        conflicts = self.detector(fleet, self.protocol)
        a, b = conflicts.i // 2, conflicts.j // 2
        if np.any(a != b):  # the encounters' sites are far apart: a pair across two is a bench bug
            raise RuntimeError("internal: a conflict between two encounters")
        self.tracker.update(t, conflicts)
        for al in self.tracker.active:
            if al.level >= Level.CAUTION:
                k = int(al.a[1:].split("-")[0]) - 1
                self.alerts[k].add(al.alert_id)
                if np.isnan(self.first_alert[k]):
                    self.first_alert[k] = t
        if self.act_level is None or len(conflicts) == 0:
            return {}
        levels = classify(conflicts.t_in_s, self.protocol.caution_s, self.protocol.warning_s)
        act = levels >= self.act_level
        if not act.any():
            return {}
        urgent = conflicts.subset(act)
        t0 = time.perf_counter()
        res = airdecon.resolve(fleet, urgent, self.protocol)
        self.resolve_s += time.perf_counter() - t0
        return dict(res.by_aircraft)


def truth(tr: Trajectories, protocol: airdecon.SafetyProtocol) -> np.ndarray:
    """Loss of separation of each encounter at each second: bool array (n, duration_s + 1)."""
    d = np.hypot(tr.x_m[1::2] - tr.x_m[0::2], tr.y_m[1::2] - tr.y_m[0::2])
    dz = np.abs(tr.h_m[1::2] - tr.h_m[0::2])
    return (d < protocol.horizontal_m) & (dz < protocol.vertical_m)


@dataclass(frozen=True)
class Result:
    """The evaluation of one encounter set (counts over the eligible encounters)."""

    model: str
    encounters: int
    los_at_start: int
    eligible: int
    los: int
    hits: int
    misses: int
    late: int
    unalerted: int
    alerts: int
    valid: int
    nuisance: int
    warning_median_s: float
    warning_p5_s: float
    required_s: float
    los_with: int | None
    induced: int | None
    risk_ratio: float | None
    seconds: float


def evaluate(
    which: str,
    n: int,
    seed: int,
    protocol: airdecon.SafetyProtocol,
    pilot: Pilot | None,
    act_level: Level = Level.CAUTION,
    required_s: float = 30.0,
) -> Result:
    """Alerting alone, then (unless *pilot* is None) the closed loop, on *n* encounters."""
    t0 = time.perf_counter()
    enc = sample(which, n, seed)
    hub = Hub(protocol, n, None)
    tr, _ = fly(enc, hub, party=PARTIES[which])
    los = truth(tr, protocol)
    at_start = los[:, 0]
    eligible = ~at_start
    any_los = los.any(axis=1) & eligible
    onset = np.where(any_los, los.argmax(axis=1), -1).astype(float)
    alerted = ~np.isnan(hub.first_alert)
    lead = np.where(alerted, onset - hub.first_alert, -np.inf)  # warning time; -inf: never alerted
    hit = any_los & (lead >= required_s)
    late = any_los & alerted & ~hit
    n_alerts = np.array([len(s) for s in hub.alerts])
    warn = lead[any_los]
    los_with = induced = None
    ratio = None
    if pilot is not None:
        loop = Hub(protocol, n, act_level)
        tr2, _ = fly(enc, loop, pilot=pilot, party=PARTIES[which])
        with_los = truth(tr2, protocol).any(axis=1) & eligible
        los_with, induced = int(with_los.sum()), int((with_los & ~any_los).sum())
        ratio = los_with / int(any_los.sum()) if any_los.any() else float("nan")
    return Result(
        model=enc.model,
        encounters=n,
        los_at_start=int(at_start.sum()),
        eligible=int(eligible.sum()),
        los=int(any_los.sum()),
        hits=int(hit.sum()),
        misses=int((any_los & ~hit).sum()),
        late=int(late.sum()),
        unalerted=int((any_los & ~alerted).sum()),
        alerts=int(n_alerts[eligible].sum()),
        valid=int(n_alerts[any_los].sum()),
        nuisance=int(n_alerts[eligible & ~any_los].sum()),
        warning_median_s=float(np.percentile(warn, 50, method="inverted_cdf")) if warn.size else float("nan"),
        warning_p5_s=float(np.percentile(warn, 5, method="inverted_cdf")) if warn.size else float("nan"),
        required_s=required_s,
        los_with=los_with,
        induced=induced,
        risk_ratio=ratio,
        seconds=time.perf_counter() - t0,
    )


def table(results: list[Result]) -> str:
    """The results as a Markdown table (deterministic: no timings)."""
    req = results[0].required_s if results else 0.0
    head = (
        f"| model | encounters (LoS at start) | LoS without airdecon | hits (warning ≥ {req:g} s) "
        "| misses (late / none) "
        "| alerts: valid / nuisance | warning time median / 5th pct | LoS with airdecon (induced) "
        "| risk ratio |"
    )
    rows = [head, "|" + "---|" * 9]
    for r in results:
        closed = "–" if r.los_with is None else f"{r.los_with} ({r.induced})"
        ratio = "–" if r.risk_ratio is None else f"{r.risk_ratio:.3f}"
        rows.append(
            f"| {r.model} | {r.encounters:,} ({r.los_at_start}) | {r.los} | {r.hits} | {r.misses} ({r.late} / "
            f"{r.unalerted}) | {r.valid} / {r.nuisance} | {r.warning_median_s:.0f} s / {r.warning_p5_s:.0f} s "
            f"| {closed} | {ratio} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="encounters per model (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--models", default="cor,dueregard", help="comma-separated: cor, dueregard")
    ap.add_argument("--response-delay", type=int, default=5, help="pilot delay, s (default 5)")
    ap.add_argument("--required-warning", type=float, default=30.0, help="warning time a hit needs, s")
    ap.add_argument("--horizontal-nm", type=float, default=5.0)
    ap.add_argument("--vertical-ft", type=float, default=1000.0)
    ap.add_argument("--open-loop-only", action="store_true", help="alerting alone, no closed loop")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    protocol = airdecon.SafetyProtocol(horizontal_m=args.horizontal_nm * NM, vertical_m=args.vertical_ft * FT)
    pilot = (
        None if args.open_loop_only else Pilot(delay_s=args.response_delay, floor_m=protocol.descent_floor_m)
    )
    results = [
        evaluate(m.strip(), args.n, args.seed, protocol, pilot, required_s=args.required_warning)
        for m in args.models.split(",")
    ]
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(
            f"{args.horizontal_nm:g} NM / {args.vertical_ft:g} ft, look-ahead {protocol.lookahead_s:g} s, "
            f"alert = caution ({protocol.caution_s:g} s), pilot delay {args.response_delay} s, seed {args.seed}"
        )
        print(table(results))
        for r in results:
            print(f"{r.model}: {r.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
