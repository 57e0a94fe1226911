"""One encounter cluster's joint resolution: roles, vertical senses, option ladders, the staged search.

:func:`solve_cluster` is step 4 of :func:`airdecon.resolve` (see :mod:`._resolve`): it reads and
updates the state of one resolve() run (the plan of every aircraft's velocity, the advice given so
far, the work counted against the budget). In one cluster:

* **roles**: who is fixed (handed to TCAS, in distress against a non-distressed aircraft, or
  committed earlier in a pairwise cluster), who must turn and by which Annex 2 rule (the most
  pressing obligation), and the vertical senses (the highest climbs, the lowest descends, the
  others level off; no descent below the protocol's floor);
* **options**: each aircraft's ladder of new tracks and/or vertical rates (:func:`_options`),
  cheapest first; an aircraft given an advisory at the last run (``resolve(previous=...)``) has
  that advisory first, at no cost, so it keeps it while a combination with no loss holds it;
* **search**: stage by stage (the preferred dimension, the other, both), combinations re-predicted
  exactly by :class:`._search.Stage`; the smallest combination with no loss of separation within
  the look-ahead wins, otherwise the one that leaves the least time in loss;
* **advice**: one :func:`._wording.advisory` per aircraft for the combination chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from airdecon.resolution._advisory import Advisory
from airdecon.resolution._flown import holds, needs_check
from airdecon.resolution._geometry import Kind
from airdecon.resolution._search import Stage, combinations, neighbours
from airdecon.resolution._wording import advisory, tcas_advisory
from airdecon.state import TURN_MIN_DPS
from airdecon.units import FPM, FT, FloatArray

if TYPE_CHECKING:
    from airdecon.resolution._resolve import _Resolver

__all__ = ["COMBINED_TURNS_DEG", "LEVEL_FPM", "RATES_FPM", "TURNS_DEG", "TURN_STEP_DEG", "solve_cluster"]

IntArray = npt.NDArray[np.intp]

TURN_STEP_DEG: float = 5.0
"""Heading changes are searched in steps of this many degrees."""
TURNS_DEG: tuple[float, ...] = tuple(TURN_STEP_DEG * k for k in range(1, 19))
"""Heading changes tried, smallest first: 5 to 90 degrees."""
RATES_FPM: tuple[float, ...] = (1000.0, 1500.0, 2000.0, 2500.0)
"""Vertical rates tried, ft/min (TCAS uses 1500 for a climb/descend RA, 2500 to increase it)."""
COMBINED_TURNS_DEG: tuple[float, ...] = (10.0, 20.0, 30.0, 45.0, 60.0, 90.0)
"""Heading changes tried together with vertical rates in the combined stage."""
VERTICAL_STEP_FPM: float = 500.0
"""Cost unit of a vertical-rate change (one step = 500 ft/min, as one step of a turn = 5 degrees)."""
LEVEL_FPM: float = 500.0
"""An aircraft whose vertical rate is below this is level (for "approximately the same level")."""

_TIE_M = 0.5  # altitude ranks closer than this are a tie (then vertical rate, then id)
HOLD_TRIES = 16  # the good combinations checked on the flown paths, best first (_flown)


@dataclass
class _Options:
    """The ordered options of one aircraft in one stage: new track, new vertical rate, cost."""

    trk: FloatArray
    vs: FloatArray
    cost: FloatArray


def solve_cluster(rs: _Resolver, ks: IntArray) -> None:
    """Resolve one cluster (conflict indices *ks*): roles, senses, staged search, advisories."""
    fleet, cs = rs.fleet, rs.cs
    ids = fleet.ids
    # TCAS hand-off: those aircraft are the airborne system's business
    tcas_rows: set[int] = set()
    for k in ks[rs.follow[ks]]:
        a, b = int(cs.i[k]), int(cs.j[k])
        tcas_rows.update((a, b))
        for own, other in ((a, b), (b, a)):
            if ids[own] not in rs.advice:
                rs.advice[str(ids[own])] = tcas_advisory(rs, own, other, int(k))
    active = ks[~rs.follow[ks]]
    if active.size == 0:
        return
    rows = np.unique(np.concatenate([cs.i[active], cs.j[active]]))
    rows = rows[np.argsort(ids[rows].astype(str), kind="stable")]
    c = rows.shape[0]
    local = {int(r): p for p, r in enumerate(rows)}
    # who is fixed: handed to TCAS, or in distress against a non-distressed aircraft
    fixed = np.zeros(c, dtype=bool)
    for p, r in enumerate(rows):
        if int(r) in tcas_rows or int(r) in rs.committed:
            fixed[p] = True
    for k in active:
        if rs.kind[k] == Kind.DISTRESS:
            fixed[local[int(cs.i[k]) if rs.distress[cs.i[k]] else int(cs.j[k])]] = True
    # obligations: which aircraft must turn, and the rule that obliges it (most pressing first)
    # (an aircraft facing one that cannot manoeuvre, e.g. on a TCAS RA, gives way in its place)
    oblig: dict[int, tuple[int, int, bool]] = {}  # local -> (kind, partner row, in its place)
    rank_kind = {Kind.DISTRESS: 3, Kind.HEAD_ON: 2, Kind.OVERTAKING: 1, Kind.CONVERGING: 0}
    for k in active:
        a, b = int(cs.i[k]), int(cs.j[k])
        for own, other, gw in ((a, b, rs.gw_a[k]), (b, a, rs.gw_b[k])):
            p = local[own]
            if fixed[p] or not (gw or fixed[local[other]]):
                continue
            kd = Kind(int(rs.kind[k]))
            if p not in oblig or rank_kind[kd] > rank_kind[Kind(oblig[p][0])]:
                oblig[p] = (int(kd), other, not gw)
    # (two aircraft that keep advice given earlier in a pairwise cluster are not stuck: their
    # plans may well keep them apart, and the verification says whether they do)
    stuck = bool(
        np.any(
            fixed[[local[int(x)] for x in cs.i[active]]] & fixed[[local[int(x)] for x in cs.j[active]]]
        )
    ) and not all(int(r) in rs.committed for r in rows)
    # vertical ranks: the highest climbs, the lowest descends, the others level off
    tcpa = float(cs.tcpa_s[active].min())
    score = fleet.alt_m[rows] + np.where(fixed, rs.plan_vs[rows] * tcpa, 0.0)
    keyed = sorted(
        range(c),
        key=lambda p: (
            -round(float(score[p]) / _TIE_M),
            -float(rs.plan_vs[rows[p]]),
            str(ids[rows[p]]),
        ),
    )
    # (an aircraft that cannot manoeuvre keeps its place in the ranking: nobody climbs into it)
    sense = np.zeros(c, dtype=np.intp)
    sense[keyed[0]] = 1
    if c > 1:
        sense[keyed[-1]] = -1
    sense[fixed] = 0
    # no descent advisory below the floor (TCAS inhibits descend RAs near the ground): the
    # lowest aircraft levels off instead, and the search finds what the others must do
    floor = rs.proto.descent_floors(fleet, rows)
    for p in np.flatnonzero((sense < 0) & (fleet.alt_m[rows] < floor)):
        sense[p] = 0
        rs.floored[int(rows[p])] = float(floor[p]) / FT
    top, second = keyed[0], keyed[1] if c > 1 else keyed[0]
    tie = (
        c >= 2
        and not fixed[top]
        and not fixed[second]
        and abs(float(score[top] - score[second])) < _TIE_M
        and float(rs.plan_vs[rows[top]]) == float(rs.plan_vs[rows[second]])
    )
    same_level = bool(
        np.all(
            (np.abs(rs.enc.dz[active]) <= 0.5 * rs.v_min[active])
            & (np.abs(fleet.vs_mps[cs.i[active]]) < LEVEL_FPM * FPM)
            & (np.abs(fleet.vs_mps[cs.j[active]]) < LEVEL_FPM * FPM)
        )
    )
    horizontal_first = rs.prefer == "horizontal" or (rs.prefer == "auto" and same_level)
    stages = ["h", "v", "hv"] if horizontal_first else ["v", "h", "hv"]
    if not rs.rules.vertical_advisories:
        stages = ["h"]
    near = neighbours(fleet, rs.proto, rs.pos, rows)
    partners: dict[int, list[int]] = {p: [] for p in range(c)}
    lost_with: dict[int, list[str]] = {p: [] for p in range(c)}
    for k in active:
        a, b = int(cs.i[k]), int(cs.j[k])
        partners[local[a]].append(b)
        partners[local[b]].append(a)
        if cs.t_in_s[k] <= 0.0:
            lost_with[local[a]].append(str(ids[b]))
            lost_with[local[b]].append(str(ids[a]))

    def advise_all(stage: str, new_trk: FloatArray, new_vs: FloatArray, solved: bool) -> dict[str, Advisory]:
        """The advisory of every cluster aircraft the line advises, for one combination."""
        # who is told to change anything: a new track or rate, or to stop a turn
        turning = np.zeros(c, dtype=bool)
        if fleet.turn_dps is not None:
            turning = np.abs(fleet.turn_dps[rows]) >= TURN_MIN_DPS
        moves = (
            (np.abs(np.mod(new_trk - fleet.trk_deg[rows] + 180.0, 360.0) - 180.0) > 1e-9)
            | (("v" in stage) & (np.abs(new_vs - fleet.vs_mps[rows]) > 1e-9))
        ) & ~fixed
        changes = (moves | turning) & ~fixed
        out: dict[str, Advisory] = {}
        for p, r in enumerate(rows):
            rid = str(ids[r])
            if (int(r) in tcas_rows and rid in rs.advice) or int(r) in rs.committed:
                continue
            out[rid] = advisory(
                rs,
                int(r),
                float(new_trk[p]),
                float(new_vs[p]),
                stage,
                oblig.get(p),
                partners[p],
                int(sense[p]),
                bool(fixed[p]),
                tie and p in (top, second),
                solved,
                [str(ids[x]) for x in rows] if c >= 3 else [],
                lost_with[p],
                others_change=bool(np.delete(changes, p).any()),
                others_move=bool(np.delete(moves, p).any()),
            )
        return out

    # with an aircraft that levels off, the combination chosen is checked once more on the paths
    # the aircraft will fly (_flown); the next good ones are tried when it does not hold
    check = needs_check(fleet, rs.proto, rows)

    # pairs already in loss cannot be restored at once: for them the search only asks that no
    # *new* loss be predicted and picks the combination that regains separation soonest
    lost = bool(np.any(cs.t_in_s[active] <= 0.0))
    best: tuple[float, float, float, float, str, FloatArray, FloatArray] | None = None
    solved = False
    for rank, stage in enumerate(stages):
        opts = [
            _options(rs, int(rows[p]), stage, p in oblig, oblig.get(p), int(sense[p]), bool(fixed[p]))
            for p in range(c)
        ]
        combos = combinations([o.cost.shape[0] for o in opts])
        trk = np.stack([opts[p].trk[combos[:, p]] for p in range(c)], axis=1)
        vs = np.stack([opts[p].vs[combos[:, p]] for p in range(c)], axis=1)
        cost = np.stack([opts[p].cost[combos[:, p]] for p in range(c)], axis=1)
        search = Stage(fleet, rs.proto, rs.pos, rows, near,
                       rs.plan_trk[near], rs.plan_vs[near], fixed, vs)
        n_future, badness, n_held = search.search(trk, vs, cost, exhaustive=stuck or lost)
        rs.work += search.work
        good = (n_future == 0) & (not stuck)
        if solved and not good.any():
            continue
        # lexsort: the last key is the primary one
        order = np.lexsort((np.arange(cost.shape[0]), cost.sum(axis=1), cost.max(axis=1), badness, ~good))
        k0 = int(order[0])
        if check and good[k0]:
            held = next((int(k) for k in order[:HOLD_TRIES] if good[k] and _holds(rs, rows, near, advise_all(
                stage, trk[k], vs[k], True))), None)  # fmt: skip  (the first that holds: no more checked)
            if held is not None:
                k0 = held
            else:  # none of the best holds on the flown paths: this stage has no solution
                good = np.zeros_like(good)
        cand = (
            float(not good[k0]),
            float(badness[k0]),
            float(rank),
            float(cost[k0].max()) + float(cost[k0].sum()) * 1e-6,
            stage,
            trk[k0],
            vs[k0],
        )
        if best is None or cand[:4] < best[:4]:
            best = cand
        solved = solved or bool(good[k0])
        # a pair already in loss: the first stage that makes no new loss and regains every
        # lost separation within the look-ahead will do (no later stage is searched for one
        # that regains it sooner); one that keeps a pair in loss lets the next stages try
        if (solved and (not lost or (good[k0] and n_held[k0] == 0))) or rs.spent:
            break
    if best is None:  # pragma: no cover - stages is never empty
        return
    _g, _b, _r, _c, stage, new_trk, new_vs = best
    rs.plan_trk[rows] = new_trk
    rs.plan_vs[rows] = new_vs
    if solved:
        rs.resolved[active] = cs.t_in_s[active] > 0.0
    rs.advice.update(advise_all(stage, new_trk, new_vs, solved))


def _options(
    rs: _Resolver,
    row: int,
    stage: str,
    obliged: bool,
    oblig: tuple[int, int, bool] | None,
    sense: int,
    fixed: bool,
) -> _Options:
    """One aircraft's options in one stage (``h``, ``v`` or ``hv``), cheapest first."""
    trk0 = float(rs.plan_trk[row])
    vs0 = float(rs.plan_vs[row])
    if fixed:
        return _Options(np.array([trk0]), np.array([vs0]), np.zeros(1))
    turns: list[float] = [0.0]
    if "h" in stage and obliged:
        both_ways = oblig is not None and oblig[0] == Kind.DISTRESS
        ladder = TURNS_DEG if stage == "h" else COMBINED_TURNS_DEG
        turns = []
        for d in ladder:
            turns.append(d)
            if both_ways:
                turns.append(-d)
    rates: list[float] = [vs0]
    if "v" in stage:
        if sense > 0:
            rates = [max(vs0, r * FPM) for r in RATES_FPM] + [0.0]
        elif sense < 0:
            rates = [min(vs0, -r * FPM) for r in RATES_FPM] + [0.0]
        else:
            rates = [0.0]
        rates = sorted(set(rates), key=lambda v: (abs(v - vs0), -v))
    trk = np.array([np.mod(np.round(trk0 + d), 360.0) if d else trk0 for d in turns])
    cost_h = np.abs(np.array(turns)) / TURN_STEP_DEG
    vs = np.array(rates)
    cost_v = np.abs(vs - vs0) / (VERTICAL_STEP_FPM * FPM)
    tt = np.repeat(trk, vs.shape[0])
    vv = np.tile(vs, trk.shape[0])
    cc = np.repeat(cost_h, vs.shape[0]) + np.tile(cost_v, trk.shape[0])
    order = np.argsort(cc, kind="stable")
    tt, vv, cc = tt[order], vv[order], cc[order]
    prev = rs.previous.get(row)
    if prev is not None:
        # the advisory it flies now comes first, at no cost, in every stage (a channel it leaves
        # out is the plan's), unless already an option at no cost: kept while a safe combination
        # holds it (hysteresis). A stage that does not word a channel leaves it as it was told.
        p_trk = trk0 if math.isnan(prev[0]) else prev[0]
        p_vs = vs0 if math.isnan(prev[1]) else prev[1]
        free = cc == 0.0
        if not np.any(free & (np.abs(tt - p_trk) < 1e-9) & (np.abs(vv - p_vs) < 1e-9)):
            tt, vv, cc = np.r_[p_trk, tt], np.r_[p_vs, vv], np.r_[0.0, cc]
    return _Options(tt, vv, cc)


def _holds(rs: _Resolver, rows: IntArray, near: IntArray, advice: dict[str, Advisory]) -> bool:
    return holds(rs.fleet, rs.proto, rows, near, rs.plan_trk, rs.plan_vs, advice)
