"""One closed-loop run: detect, advise, let pilots respond, step the fleet, measure; every second.

:func:`fly` advances a fleet from its snapshot for ``duration_s`` seconds in steps of ``step_s``.
At each step, in this order:

1. the fleet's state is measured: every *tracked* pair (each pair ever predicted in conflict in
   this run, plus the pairs the caller asks to watch) gets its horizontal distance in the pair's
   own tangent plane (the engine's frame) and its vertical distance; a pair is in loss of
   separation while both are below the pair's minima (``protocol.pair_minima``, strict);
2. :func:`airdecon.detect` predicts the conflicts of the current state;
3. with resolution on, :func:`airdecon.resolve` advises every aircraft in conflict; the pilots
   (:mod:`._pilot`) take the advisories in; aircraft advised earlier and not now resume their
   intent when the way they fly back to it (a turn at their rate of turn, then straight:
   :mod:`._resume`) is predicted conflict-free, otherwise keep their advisory;
4. advisories whose response delay has run out are flown, and every aircraft moves one step
   (:func:`._kinematics.step`).

The run flies no airborne TCAS: ``rules.follow_tcas`` is turned off, so the line keeps giving
instructions inside the TCAS RA region instead of handing the pair to a system that is not there.
Pure: no clock; the only randomness is the seeded generator handed to the pilots.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from airdecon.detection import ConflictSet, detect
from airdecon.geometry import distances_m
from airdecon.protocol import SafetyProtocol
from airdecon.resolution import Advisory, encounter_geometry, resolve
from airdecon.simulation._kinematics import Flight, step
from airdecon.simulation._pilot import PilotModel, Pilots
from airdecon.simulation._resume import clear_to_resume
from airdecon.state import Fleet
from airdecon.units import FPM, FloatArray

__all__ = ["INTENT_HORIZON_S", "PairRecord", "Run", "fly"]

INTENT_HORIZON_S = 7200.0
"""Each aircraft's destination is this far along its initial geodesic (in its own flight time),
or beyond the end of the run plus the look-ahead for longer runs: so a shorter run is exactly the
beginning of a longer one."""

Pair = tuple[str, str]
IntArray = npt.NDArray[np.intp]


@dataclass
class PairRecord:
    """What one tracked pair went through: time in loss, and its closest moment.

    The closest moment is where ``max(h / H, v / V)`` is smallest (h, v the pair's horizontal and
    vertical distances, H, V its minima): below 1 is a loss of separation.
    """

    los_s: float = 0.0
    closeness: float = np.inf
    horizontal_m: float = np.inf
    vertical_m: float = np.inf
    t_s: float = 0.0


@dataclass
class Run:
    """The measurements of one run (see :func:`fly`).

    Attributes
    ----------
    pairs : dict of (id, id) -> PairRecord
        Every tracked pair, ids in sorted order.
    path_m : array of shape (n,)
        Horizontal distance each aircraft flew, metres.
    final : Flight
        The state at the end of the run.
    max_alt_deviation_m : array of shape (n,)
        Largest distance of each aircraft from its intended vertical profile, metres.
    advised : array of shape (n,), bool
        Aircraft that flew an advisory at some time.
    instructions : int
        Instructions the pilots were given: new advisories and changes of advisory (an advisory
        given again unchanged is not one; ignored by a pilot who does not follow, it is not one).
    steps : int
        Steps flown.
    """

    pairs: dict[Pair, PairRecord] = field(default_factory=dict)
    path_m: FloatArray = field(default_factory=lambda: np.zeros(0))
    final: Flight | None = None
    max_alt_deviation_m: FloatArray = field(default_factory=lambda: np.zeros(0))
    advised: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    instructions: int = 0
    steps: int = 0

    def losses(self) -> dict[Pair, PairRecord]:
        """The pairs that lost separation (at any measured time)."""
        return {p: r for p, r in self.pairs.items() if r.closeness < 1.0}


def fly(
    fleet: Fleet,
    protocol: SafetyProtocol,
    *,
    duration_s: float,
    step_s: float = 1.0,
    resolution: bool = True,
    pilot: PilotModel | None = None,
    seed: int = 0,
    watch: frozenset[Pair] = frozenset(),
) -> Run:
    """Fly *fleet* for *duration_s* seconds, with or without the line's advisories.

    Parameters
    ----------
    fleet : Fleet
        The aircraft at the start (time 0).
    protocol : SafetyProtocol
        Minima and look-ahead of detection and resolution.
    duration_s, step_s : float
        Length of the run and of one step (seconds; advisories are renewed every step).
    resolution : bool
        Whether the line advises at all (False: the baseline, everyone flies their intent).
    pilot : PilotModel, optional
        Pilot response (default :class:`PilotModel`).
    seed : int
        Seed of the pilots' draws (who complies, each aircraft's climb performance).
    watch : frozenset of (id, id)
        Pairs to measure from the start even if never in conflict in this run (ids sorted).
    """
    model = pilot if pilot is not None else PilotModel()
    proto = replace(protocol, rules=replace(protocol.rules, follow_tcas=False))
    n = len(fleet)
    ids = fleet.ids
    row = {str(a): k for k, a in enumerate(ids.tolist())}
    state = Flight(
        fleet.lat_deg.copy(),
        fleet.lon_deg.copy(),
        fleet.alt_m.copy(),
        fleet.gs_mps.copy(),
        fleet.trk_deg.copy(),
        fleet.vs_mps.copy(),
    )
    pilots = Pilots(
        state, model, np.random.default_rng(seed), max(INTENT_HORIZON_S, duration_s + protocol.lookahead_s)
    )
    run = Run(path_m=np.zeros(n), max_alt_deviation_m=np.zeros(n))
    tracked: dict[Pair, PairRecord] = {p: PairRecord() for p in watch}
    given: dict[str, Advisory] = {}  # the advisories in force, as the line last gave them
    steps = int(np.ceil(duration_s / step_s - 1e-9))
    for k in range(steps + 1):
        t = k * step_s
        now = _fleet(fleet, state)
        run.max_alt_deviation_m = np.maximum(
            run.max_alt_deviation_m, np.abs(state.alt_m - (pilots.alt0 + pilots.vs0 * t))
        )
        conflicts = detect(now, proto) if n > 1 else None
        if conflicts is not None:
            for a, b in zip(conflicts.i.tolist(), conflicts.j.tolist(), strict=True):
                key = _key(str(ids[a]), str(ids[b]))
                if key not in tracked:
                    tracked[key] = PairRecord()
        _measure(now, proto, tracked, row, t, step_s if k < steps else 0.0)
        if k == steps:
            break
        if resolution and conflicts is not None:
            run.instructions += _advise(now, conflicts, proto, pilots, t, given)
        pilots.act(t)
        cmd_trk, cmd_vs = pilots.commands(state, t)
        state, flown = step(
            state,
            cmd_trk,
            cmd_vs,
            step_s,
            turn_rate_dps=model.turn_rate_dps,
            vertical_accel_mps2=pilots.vertical_accel_mps2,
        )
        run.path_m += flown
    run.pairs = dict(sorted(tracked.items()))
    run.final = state
    run.advised = pilots.ever.copy()
    run.steps = steps
    return run


def _fleet(like: Fleet, s: Flight) -> Fleet:
    """The fleet snapshot of state *s* (ids and parties of *like*; values are valid by construction)."""
    return Fleet(
        ids=like.ids,
        party=like.party,
        lat_deg=s.lat_deg,
        lon_deg=s.lon_deg,
        alt_m=s.alt_m,
        gs_mps=s.gs_mps,
        trk_deg=s.trk_deg,
        vs_mps=s.vs_mps,
        pos_err_m=np.zeros_like(s.alt_m),
    )


def _key(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def _measure(
    now: Fleet,
    proto: SafetyProtocol,
    tracked: dict[Pair, PairRecord],
    row: dict[str, int],
    t_s: float,
    dt_s: float,
) -> None:
    """Distances of every tracked pair now; time in loss and closest moment updated."""
    if not tracked:
        return
    keys = list(tracked)
    i = np.array([row[a] for a, _ in keys], dtype=np.intp)
    j = np.array([row[b] for _, b in keys], dtype=np.intp)
    enc = encounter_geometry(now, i, j)
    h = np.sqrt(np.einsum("ij,ij->i", enc.s, enc.s))
    v = np.abs(enc.dz)
    h_min, v_min = proto.pair_minima(now, i, j)
    closeness = np.maximum(h / h_min, v / v_min)
    loss = (h < h_min) & (v < v_min)
    for m, key in enumerate(keys):
        rec = tracked[key]
        if loss[m]:
            rec.los_s += dt_s
        if closeness[m] < rec.closeness:
            rec.closeness, rec.horizontal_m, rec.vertical_m, rec.t_s = (
                float(closeness[m]),
                float(h[m]),
                float(v[m]),
                t_s,
            )


def _advise(
    now: Fleet,
    conflicts: ConflictSet,
    proto: SafetyProtocol,
    pilots: Pilots,
    t_s: float,
    given: dict[str, Advisory],
) -> int:
    """Advise every aircraft in conflict; let those advised before and clear now resume.

    *given* holds the advisories in force (as the line last gave them; updated here): the
    resolver is told them (``resolve(previous=...)``), so an aircraft keeps its advisory while it
    still works. Returns how many instructions the pilots got (new or changed advisories).
    """
    ids = now.ids.astype(str)
    advised_now = np.zeros(len(now), dtype=bool)
    instructions = 0
    if len(conflicts):
        res = resolve(now, conflicts, proto, previous=given)
        for aid, adv in res.by_aircraft.items():
            given[aid] = _in_force(given.get(aid), adv)
        rows, trks, vss = [], [], []
        for k, aid in enumerate(ids.tolist()):
            advice = res.by_aircraft.get(aid)
            if advice is None:
                continue
            advised_now[k] = True
            rows.append(k)
            trks.append(np.nan if advice.trk_deg is None else advice.trk_deg)
            vss.append(np.nan if advice.vs_fpm is None else advice.vs_fpm * FPM)
        instructions = pilots.advise(t_s, np.array(rows, dtype=np.intp), np.array(trks), np.array(vss))
    candidates = np.flatnonzero((pilots.advised | pilots.waiting()) & ~advised_now)
    if candidates.size:
        clear = clear_to_resume(now, proto, pilots, candidates, t_s)
        pilots.resume(clear)
        for r in clear.tolist():
            given.pop(str(ids[r]), None)
    return instructions


def _in_force(old: Advisory | None, new: Advisory) -> Advisory:
    """The advisory in force after *new*: a channel *new* leaves out keeps what *old* said (as the
    pilot flies it: an advisory with no vertical rate leaves the vertical instruction as it was)."""
    if old is None:
        return new
    return replace(
        new,
        trk_deg=old.trk_deg if new.trk_deg is None else new.trk_deg,
        vs_fpm=old.vs_fpm if new.vs_fpm is None else new.vs_fpm,
    )


def straight_distance_m(a: Flight, b: Flight) -> FloatArray:
    """Great-circle distance between the positions of two states of the same fleet, metres."""
    return distances_m(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)
