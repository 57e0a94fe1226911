"""STCA-style evaluation of airdecon's alerting and advisories on sampled realistic encounters.

Samples encounters from the MIT Lincoln Laboratory encounter models (../shared/data/encounter-models,
with :mod:`airdecon.encounters`), feeds every encounter to the public library once a second as a hub
would (``airdecon.detect`` and an ``AlertTracker`` on the whole 1 Hz picture, ``airdecon.resolve``
in the closed loop), and prints, per model:

* alerting alone (aircraft fly their sampled trajectories): LoS encounters, hits, misses (late or
  none), valid and nuisance alerts, median and 5th-percentile warning time;
* closed loop (aircraft fly airdecon's advisories after the pilot delay, see
  :mod:`airdecon.encounters._closedloop`): encounters with a LoS without and with airdecon, and the
  risk ratio P(LoS with airdecon) / P(LoS without);

each with detection's intent and turn hypotheses off (the linear engine alone) and on (the picture
carries each aircraft's measured turn rate and selected altitude, :mod:`airdecon.encounters._intent`).
The open loop is flown once for both: its trajectories do not depend on the alerts.

Definitions (docs/evaluation.md): an *alert* is an alert of the tracker that reaches ``caution``
(predicted loss within the protocol's ``caution_s``, 120 s: the STCA warning horizon). Truth is
the sampled trajectory, checked each second against the protocol's minima. Encounters already in
loss of separation at the first second are left out (no system can warn of them).

Run: python bench/alerting.py [--n 1000] [--seed 1] [--models cor,dueregard] [--response-delay 5]
                              [--hypotheses on|off] [--open-loop-only] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

import airdecon
from airdecon.alerting import AlertTracker, Level, classify
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
    advise on the conflicts at ``act_level`` or above. Records each encounter's first alert.
    Without *hypotheses* it detects on the picture without its turn rates and selected altitudes
    (the linear engine alone)."""

    def __init__(
        self,
        protocol: airdecon.SafetyProtocol,
        n: int,
        act_level: Level | None,
        hypotheses: bool = False,
    ) -> None:
        self.protocol = protocol
        self.act_level = act_level
        self.hypotheses = hypotheses
        self.tracker = AlertTracker.for_protocol(protocol)
        self.first_alert = np.full(n, np.nan)
        self.alerts: list[set[str]] = [set() for _ in range(n)]
        self.resolve_s = 0.0

    def __call__(self, t: float, fleet: Fleet) -> dict[str, airdecon.Advisory]:
        if not self.hypotheses:
            fleet = dataclasses.replace(fleet, sel_alt_m=None, turn_dps=None)
        conflicts = airdecon.detect(fleet, self.protocol)
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
    hypotheses: bool
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


@dataclass(frozen=True, eq=False)
class Outcomes:
    """What happened in each encounter of a set, with the hypotheses off or on: arrays of shape
    (n,) over the encounters flown (``number``: their numbers in the sampled set, 0-based). The
    encounters are independent (each at its own site), so a set's counts are sums over these and a
    part of the set flown alone (``evaluate(..., part=...)``) gives the same outcomes."""

    model: str
    hypotheses: bool
    number: np.ndarray  # int
    at_start: np.ndarray  # bool: in loss of separation at the first second
    onset_s: np.ndarray  # int: first second of loss of separation (open loop), -1 if none
    first_alert_s: np.ndarray  # float: first second at caution or above, nan if never
    alerts: np.ndarray  # int: alerts at caution or above
    los_with: np.ndarray | None  # bool: loss of separation in the closed loop (None: not flown)

    def to_json(self) -> dict[str, object]:
        """Plain JSON: booleans as 0/1, ``first_alert_s`` null where never alerted."""
        return {
            "model": self.model,
            "hypotheses": self.hypotheses,
            "number": self.number.tolist(),
            "at_start": self.at_start.astype(int).tolist(),
            "onset_s": self.onset_s.tolist(),
            "first_alert_s": [None if np.isnan(x) else round(float(x)) for x in self.first_alert_s],
            "alerts": self.alerts.tolist(),
            "los_with": None if self.los_with is None else self.los_with.astype(int).tolist(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Outcomes:
        """The outcomes back from :meth:`to_json`."""
        lw = d["los_with"]
        return cls(
            model=str(d["model"]),
            hypotheses=bool(d["hypotheses"]),
            number=np.array(d["number"], dtype=int),
            at_start=np.array(d["at_start"], dtype=bool),
            onset_s=np.array(d["onset_s"], dtype=int),
            first_alert_s=np.array([np.nan if x is None else x for x in d["first_alert_s"]], dtype=float),
            alerts=np.array(d["alerts"], dtype=int),
            los_with=None if lw is None else np.array(lw, dtype=bool),
        )

    def take(self, numbers: np.ndarray) -> Outcomes:
        """The outcomes of the encounters with these numbers (in this order)."""
        k = np.searchsorted(self.number, numbers)
        return Outcomes(
            self.model,
            self.hypotheses,
            self.number[k],
            self.at_start[k],
            self.onset_s[k],
            self.first_alert_s[k],
            self.alerts[k],
            None if self.los_with is None else self.los_with[k],
        )


def evaluate(
    which: str,
    n: int,
    seed: int,
    protocol: airdecon.SafetyProtocol,
    pilot: Pilot | None,
    act_level: Level = Level.CAUTION,
    required_s: float = 30.0,
    hypotheses: tuple[bool, ...] = (False,),
) -> list[Result]:
    """Alerting alone, then (unless *pilot* is None) the closed loop, on *n* encounters: one result
    per setting of *hypotheses*, on the same encounters."""
    t0 = time.perf_counter()
    outs = outcomes(which, n, seed, protocol, pilot, act_level, hypotheses)
    return [summarise(o, required_s, time.perf_counter() - t0) for o in outs]


def outcomes(
    which: str,
    n: int,
    seed: int,
    protocol: airdecon.SafetyProtocol,
    pilot: Pilot | None,
    act_level: Level = Level.CAUTION,
    hypotheses: tuple[bool, ...] = (False,),
    part: np.ndarray | None = None,
) -> list[Outcomes]:
    """Each encounter's outcomes, per setting of *hypotheses*: the *n* sampled encounters, or only
    those numbered in *part* (flown at their sites, with their ids, in the whole set). The open
    loop is flown once, with one hub per setting (its trajectories do not depend on the alerts)."""
    enc = sample(which, n, seed)
    shown = np.ones(n, dtype=bool)
    if part is not None:
        shown[:] = False
        shown[part] = True
    number = np.flatnonzero(shown)
    hubs = [Hub(protocol, n, None, h) for h in hypotheses]

    def both(t: float, fleet: Fleet) -> dict[str, airdecon.Advisory]:
        for hub in hubs:
            hub(t, fleet)
        return {}

    tr, _ = fly(enc, both, party=PARTIES[which], intent=any(hypotheses), shown=shown)
    los = truth(tr, protocol)[number]
    at_start = los[:, 0]
    onset = np.where(los.any(axis=1), los.argmax(axis=1), -1)
    out = []
    for hub in hubs:
        los_with = None
        if pilot is not None:
            loop = Hub(protocol, n, act_level, hub.hypotheses)
            tr2, _ = fly(enc, loop, pilot=pilot, party=PARTIES[which], intent=hub.hypotheses, shown=shown)
            los_with = truth(tr2, protocol)[number].any(axis=1)
        alerts = np.array([len(hub.alerts[k]) for k in number], dtype=int)
        out.append(
            Outcomes(enc.model, hub.hypotheses, number, at_start, onset, hub.first_alert[number], alerts, los_with)
        )
    return out


def summarise(o: Outcomes, required_s: float = 30.0, seconds: float = 0.0) -> Result:
    """The counts of :class:`Result` over the encounters of *o* (module docstring)."""
    eligible = ~o.at_start
    any_los = (o.onset_s >= 0) & eligible
    alerted = ~np.isnan(o.first_alert_s)
    lead = np.where(alerted, o.onset_s - o.first_alert_s, -np.inf)  # warning time; -inf: never alerted
    hit = any_los & (lead >= required_s)
    late = any_los & alerted & ~hit
    warn = lead[any_los]
    los_with = induced = None
    ratio = None
    if o.los_with is not None:
        with_los = o.los_with & eligible
        los_with, induced = int(with_los.sum()), int((with_los & ~any_los).sum())
        ratio = los_with / int(any_los.sum()) if any_los.any() else float("nan")
    return Result(
        model=o.model,
        hypotheses=o.hypotheses,
        encounters=int(o.number.shape[0]),
        los_at_start=int(o.at_start.sum()),
        eligible=int(eligible.sum()),
        los=int(any_los.sum()),
        hits=int(hit.sum()),
        misses=int((any_los & ~hit).sum()),
        late=int(late.sum()),
        unalerted=int((any_los & ~alerted).sum()),
        alerts=int(o.alerts[eligible].sum()),
        valid=int(o.alerts[any_los].sum()),
        nuisance=int(o.alerts[eligible & ~any_los].sum()),
        warning_median_s=float(np.percentile(warn, 50, method="inverted_cdf")) if warn.size else float("nan"),
        warning_p5_s=float(np.percentile(warn, 5, method="inverted_cdf")) if warn.size else float("nan"),
        required_s=required_s,
        los_with=los_with,
        induced=induced,
        risk_ratio=ratio,
        seconds=seconds,
    )


def table(results: list[Result]) -> str:
    """The results as a Markdown table (deterministic: no timings)."""
    req = results[0].required_s if results else 0.0
    head = (
        f"| model | hypotheses | encounters (LoS at start) | LoS without airdecon | hits (warning ≥ {req:g} s) "
        "| misses (late / none) "
        "| alerts: valid / nuisance | warning time median / 5th pct | LoS with airdecon (induced) "
        "| risk ratio |"
    )
    rows = [head, "|" + "---|" * 10]
    for r in results:
        closed = "–" if r.los_with is None else f"{r.los_with} ({r.induced})"
        ratio = "–" if r.risk_ratio is None else f"{r.risk_ratio:.3f}"
        rows.append(
            f"| {r.model} | {'on' if r.hypotheses else 'off'} | {r.encounters:,} ({r.los_at_start}) | {r.los} | {r.hits} | {r.misses} ({r.late} / "
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
    ap.add_argument(
        "--hypotheses",
        choices=("on", "off"),
        action="append",
        help="detection's intent and turn hypotheses; repeat for both (default: off and on)",
    )
    ap.add_argument("--open-loop-only", action="store_true", help="alerting alone, no closed loop")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    airdecon.keep_freed_memory()  # as the CLI runs the engine
    protocol = airdecon.SafetyProtocol(horizontal_m=args.horizontal_nm * NM, vertical_m=args.vertical_ft * FT)
    pilot = (
        None if args.open_loop_only else Pilot(delay_s=args.response_delay, floor_m=protocol.descent_floor_m)
    )
    settings = tuple(h == "on" for h in dict.fromkeys(args.hypotheses or ("off", "on")))
    results = [
        r
        for m in args.models.split(",")
        for r in evaluate(
            m.strip(), args.n, args.seed, protocol, pilot, required_s=args.required_warning, hypotheses=settings
        )
    ]
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(
            f"{args.horizontal_nm:g} NM / {args.vertical_ft:g} ft, look-ahead {protocol.lookahead_s:g} s, "
            f"alert = caution ({protocol.caution_s:g} s), pilot delay {args.response_delay} s, seed {args.seed}"
        )
        print(table(results))
        for model, secs in dict((r.model, r.seconds) for r in results).items():
            print(f"{model}: {secs:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
