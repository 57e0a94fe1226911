"""detect() with intent and turns: the linear engine as the fast path, extra hypotheses on candidates.

The linear engine (:func:`airdecon.detection._engine.detect`) judges every pair in which neither
aircraft has a hypothesis of its own. An aircraft *has hypotheses* when it levels off within the
look-ahead (its selected altitude lies ahead in the direction of its vertical rate) or turns
steadily (``|turn_dps| >= TURN_MIN_DPS``). Every pair with such an aircraft is judged again here:

1. **candidates**: pairs with an aircraft with hypotheses that could meet at all. When there are
   few such pairs (at most ``_REACH_MAX_PAIRS``), by *reach*: their horizontal distance now, in
   the pair's plane, is under the largest minimum (with position errors and the velocity error's
   growth) plus both ground speeds times the look-ahead plus twice the chord tolerance (no path,
   straight or turning, flies faster than its ground speed), and their altitude bands over the
   look-ahead come within the vertical minimum. Otherwise by *boxes*: each aircraft's
   broad-phase box (:func:`sweep_boxes`, the engine's) is widened to hold its arc, and the pairs
   whose boxes overlap (:func:`grid_pairs`, the engine's grid), one of them special, are
   candidates. ``backend="brute"``: every such pair. A level-off never
   leaves the straight sweep: it only stops the vertical motion early.
2. **paths** (:mod:`airdecon.detection._paths`): the straight path with its vertical profile, and
   for a turning aircraft also the arc. A pair is judged under every combination of its aircraft's
   paths.
3. **exactly, segment by segment**: the breakpoints of both paths (chord vertices, end of turn,
   level-offs) cut ``[0, T]`` into windows where both move linearly; each window is solved with
   the linear kernel (:func:`los_intervals`, minimum grown by the velocity error to the window's
   start) and the windows' loss intervals are chained: a loss that reaches a window's end and goes
   on at the next one's start is one loss.
4. **naming**: the pair conflicts if any combination does. With both aircraft straight it is
   ``"level-off"`` when the loss starts at or after a level-off of either aircraft, else
   ``"straight"`` (the linear engine predicts the same start); otherwise, conflicting only along an
   arc, ``"turn"`` (the earliest such loss is reported).

The pair's reported ``tcpa``/``dcpa`` are the horizontal closest approach along the same path
combination (``tcpa`` >= 0), ``dalt_cpa`` the vertical distance then.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from airdecon.detection._broadphase import grid_pairs, sweep_boxes
from airdecon.detection._budget import cap_turns, pairs_within_budget
from airdecon.detection._engine import Backend, PairRules
from airdecon.detection._engine import detect as detect_linear
from airdecon.detection._kernel import los_intervals
from airdecon.detection._paths import ARC_TOLERANCE_M, Paths, hypothesis_rows
from airdecon.detection._types import ConflictSet
from airdecon.geometry import east_north_up, geodetic_to_ecef, velocity_ecef
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet
from airdecon.units import FloatArray

__all__ = ["HYPOTHESES", "detect", "hypothesis_rows"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: The names a conflict's hypothesis can take.
HYPOTHESES: tuple[str, ...] = ("straight", "level-off", "turn")
_FIELDS = ("t_in_s", "t_out_s", "tcpa_s", "dcpa_m", "dalt_cpa_m")
_ALT_CELL_M = 10_000.0  # the grid's altitude cells, as the engine's
_REACH_MAX_PAIRS = 50_000  # up to this many (special x all) pairs, candidates by reach, not boxes


def detect(
    fleet: Fleet,
    protocol: PairRules | None = None,
    *,
    backend: Backend = "auto",
    cell_m: float | None = None,
    own_budget: Mapping[str, int] | None = None,
) -> ConflictSet:
    """Every pair of aircraft that will lose separation within the look-ahead, under each hypothesis.

    The same call as the linear engine's (parameters and result: see
    :func:`airdecon.detection._engine.detect`); a fleet without selected altitudes or turns gets
    exactly the linear engine's answer. With them, the result also names each conflict's
    hypothesis (:attr:`ConflictSet.hypothesis`; module docstring).

    Examples
    --------
    >>> import airdecon
    >>> fleet = airdecon.Fleet.from_records([
    ...     {"id": "UP", "party": "CIVIL", "lat": 50.0, "lon": 4.0, "alt_ft": 27000, "gs_kt": 400,
    ...      "trk_deg": 0, "vs_fpm": 2000, "selected_alt_ft": 29000},
    ...     {"id": "LEVEL", "party": "CIVIL", "lat": 50.05, "lon": 4.0, "alt_ft": 30000,
    ...      "gs_kt": 400, "trk_deg": 0}])
    >>> len(airdecon.detect(fleet))
    0
    """
    rules: PairRules = protocol if protocol is not None else SafetyProtocol()
    base = detect_linear(fleet, rules, backend=backend, cell_m=cell_m, own_budget=own_budget)
    levels, turns = hypothesis_rows(fleet, rules.lookahead_s)
    turns, turn_capped = cap_turns(fleet, turns, own_budget)
    special = levels | turns
    if not special.any():
        return base if not turn_capped else _with_capped(base, turn_capped)
    i, j, capped = _candidates(fleet, rules, special, turns, backend, own_budget)
    capped = tuple(sorted(set(capped) | set(turn_capped)))
    keep = rules.watched(fleet, i, j)
    i, j = i[keep], j[keep]
    found = _judge(fleet, rules, i, j, turns)
    # the linear answer stands for pairs without hypotheses; the rest is judged here
    plain = ~(special[base.i] | special[base.j])
    hit = found[0]
    ii = np.concatenate([base.i[plain], i[hit]])
    jj = np.concatenate([base.j[plain], j[hit]])
    cols = {k: np.concatenate([getattr(base, k)[plain], found[1][k][hit]]) for k in _FIELDS}
    names = np.concatenate([np.full(int(plain.sum()), "straight", dtype=object), found[2][hit]])
    return _sorted(fleet, ii, jj, cols, names, base.n_candidates + int(i.shape[0]),
                   tuple(sorted(set(base.capped) | set(capped))))


def _with_capped(base: ConflictSet, capped: tuple[str, ...]) -> ConflictSet:
    return dataclasses.replace(base, capped=tuple(sorted(set(base.capped) | set(capped))))


def _sorted(fleet: Fleet, i: IntArray, j: IntArray, cols: dict[str, FloatArray],
            names: npt.NDArray[np.object_], n_candidates: int, capped: tuple[str, ...]) -> ConflictSet:
    """The conflicts as the engine orders them: ``a`` < ``b`` by id, by ``t_in`` then ids."""
    if i.size:
        rank = np.unique(fleet.ids.astype(str), return_inverse=True)[1].reshape(-1)
        swap = rank[i] > rank[j]
        i, j = np.where(swap, j, i), np.where(swap, i, j)
        order = np.lexsort((rank[j], rank[i], cols["t_in_s"]))
        i, j, names = i[order], j[order], names[order]
        cols = {k: v[order] for k, v in cols.items()}
    return ConflictSet(i=i, j=j, ids=fleet.ids, n_candidates=n_candidates, capped=capped,
                       hypothesis=names, **cols)


# ---------------------------------------------------------------------------------- candidates
def _candidates(fleet: Fleet, rules: PairRules, special: BoolArray, turns: BoolArray, backend: str,
                own_budget: Mapping[str, int] | None) -> tuple[IntArray, IntArray, tuple[str, ...]]:
    """Pairs (i, j) with at least one aircraft with hypotheses whose boxes may meet; capped parties."""
    n = len(fleet)
    q = np.flatnonzero(special)
    if backend == "brute" or q.shape[0] * n <= _REACH_MAX_PAIRS:
        i = np.repeat(q, n)
        j = np.tile(np.arange(n), q.shape[0])
        ok = (i != j) & ~(special[j] & (j < i))  # pairs of two special aircraft once
        i, j = i[ok], j[ok]
        if backend != "brute":
            i, j = _reach(fleet, rules, i, j)
    else:
        lo, hi = _boxes(fleet, rules, turns)
        i, j = _overlaps(lo, hi, special, rules.max_horizontal_m, rules.max_vertical_m)
    return pairs_within_budget(fleet, i, j, own_budget)


def _reach(fleet: Fleet, rules: PairRules, i: IntArray, j: IntArray) -> tuple[IntArray, IntArray]:
    """The pairs that could come within the minima, whatever paths they fly (module docstring)."""
    pos = geodetic_to_ecef(fleet.lat_deg, fleet.lon_deg)
    _, _, up = east_north_up(fleet.lat_deg, fleet.lon_deg)
    t = rules.lookahead_s
    d = pos[j] - pos[i]
    u = up[i] + up[j]
    u /= np.sqrt(np.einsum("ij,ij->i", u, u))[:, None]
    s = d - np.einsum("ij,ij->i", d, u)[:, None] * u
    reach = (rules.max_horizontal_m + fleet.pos_err_m[i] + fleet.pos_err_m[j] + 2.0 * ARC_TOLERANCE_M + 1.0
             + (fleet.gs_mps[i] + fleet.gs_mps[j] + rules.velocity_error_mps) * t)
    near = np.einsum("ij,ij->i", s, s) < reach * reach
    a0, a1 = fleet.alt_m, fleet.alt_m + fleet.vs_mps * t
    lo, hi = np.minimum(a0, a1), np.maximum(a0, a1)
    v = rules.max_vertical_m + 1.0
    near &= (lo[j] < hi[i] + v) & (lo[i] < hi[j] + v)
    return i[near], j[near]


def _boxes(fleet: Fleet, rules: PairRules, turns: BoolArray) -> tuple[FloatArray, FloatArray]:
    """Each aircraft's swept 4-D box (the engine's), grown to hold its arc where it turns."""
    pos = geodetic_to_ecef(fleet.lat_deg, fleet.lon_deg)
    vel, _ = velocity_ecef(fleet.lat_deg, fleet.lon_deg, fleet.gs_mps, fleet.trk_deg)
    t = rules.lookahead_s
    rows = np.flatnonzero(turns)
    arc_lo = np.empty((0, 3))
    arc_hi = np.empty((0, 3))
    if rows.size:
        paths = Paths.build(fleet, rows, np.ones(rows.shape[0], dtype=bool), t)
        counts, times = paths.breakpoints(np.arange(rows.shape[0]))
        owner = np.repeat(np.arange(rows.shape[0]), counts + 2)
        ends = np.zeros(owner.shape[0])
        first = np.cumsum(counts + 2) - (counts + 2)
        inner = np.ones(owner.shape[0], dtype=bool)
        inner[first] = inner[first + counts + 1] = False
        ends[inner] = times
        ends[first + counts + 1] = t
        pts = paths.position(owner, ends)
        arc_lo = np.full((rows.shape[0], 3), np.inf)
        arc_hi = np.full((rows.shape[0], 3), -np.inf)
        np.minimum.at(arc_lo, owner, pts)
        np.maximum.at(arc_hi, owner, pts)
        arc_lo -= ARC_TOLERANCE_M
        arc_hi += ARC_TOLERANCE_M
    # one call over straight sweeps and arc hulls (as segments from corner to corner), so every box
    # gets the same inflation
    all_pos = np.concatenate([pos, arc_lo])
    all_vel = np.concatenate([vel, (arc_hi - arc_lo) / t])
    all_alt = np.concatenate([fleet.alt_m, fleet.alt_m[rows]])
    all_vs = np.concatenate([fleet.vs_mps, fleet.vs_mps[rows]])
    h = rules.max_horizontal_m + 2.0 * float(fleet.pos_err_m.max(initial=0.0))
    lo, hi = sweep_boxes(all_pos, all_vel, all_alt, all_vs, t, h, rules.max_vertical_m)
    n = len(fleet)
    lo_n, hi_n = lo[:n].copy(), hi[:n].copy()
    lo_n[rows] = np.minimum(lo_n[rows], lo[n:])
    hi_n[rows] = np.maximum(hi_n[rows], hi[n:])
    return lo_n, hi_n


def _overlaps(lo: FloatArray, hi: FloatArray, special: BoolArray, h_max_m: float,
              v_max_m: float) -> tuple[IntArray, IntArray]:
    """Pairs whose boxes overlap, one of them special, through the engine's grid (as it sizes it)."""
    extent = float(np.median(hi[:, :3] - lo[:, :3])) if lo.shape[0] else 1.0
    cell_m = max(2.5 * extent, 2.0 * h_max_m)
    cell_v = max(_ALT_CELL_M, 2.0 * v_max_m)
    i, j = grid_pairs(lo, hi, (cell_m, cell_m, cell_m, cell_v))
    keep = special[i] | special[j]
    return i[keep], j[keep]


# ---------------------------------------------------------------------------------- judging
def _judge(fleet: Fleet, rules: PairRules, i: IntArray, j: IntArray, turns: BoolArray
           ) -> tuple[BoolArray, dict[str, FloatArray], npt.NDArray[np.object_]]:
    """Each pair under every combination of its paths: (conflict, fields, hypothesis name)."""
    m = i.shape[0]
    fields = {k: np.zeros(m) for k in _FIELDS}
    names = np.full(m, "straight", dtype=object)
    if m == 0:
        return np.zeros(0, dtype=bool), fields, names
    rows = np.unique(np.concatenate([i, j]))
    arc_rows = rows[turns[rows]]
    # path index: straight paths first (one per row), then arcs (one per turning row)
    along_arc = np.concatenate([np.zeros(rows.shape[0], dtype=bool), np.ones(arc_rows.shape[0], dtype=bool)])
    paths = Paths.build(fleet, np.concatenate([rows, arc_rows]), along_arc, rules.lookahead_s)
    straight_of = np.searchsorted(rows, i), np.searchsorted(rows, j)
    arc_of = {int(r): rows.shape[0] + k for k, r in enumerate(arc_rows)}
    h_m, v_m = rules.pair_minima(fleet, i, j)
    h_m = h_m + fleet.pos_err_m[i] + fleet.pos_err_m[j]
    # combinations: (straight, straight) for every pair, then those with one or two arcs
    combos: list[tuple[IntArray, IntArray, IntArray]] = [(np.arange(m), straight_of[0], straight_of[1])]
    ti, tj = turns[i], turns[j]
    arc_i = np.array([arc_of.get(int(r), -1) for r in i], dtype=np.intp)
    arc_j = np.array([arc_of.get(int(r), -1) for r in j], dtype=np.intp)
    for use_i, use_j in ((True, False), (False, True), (True, True)):
        sel = np.flatnonzero((ti | ~np.bool_(use_i)) & (tj | ~np.bool_(use_j)))
        if sel.size:
            combos.append((sel, arc_i[sel] if use_i else straight_of[0][sel],
                           arc_j[sel] if use_j else straight_of[1][sel]))
    pair = np.concatenate([c[0] for c in combos])
    pi = np.concatenate([c[1] for c in combos])
    pj = np.concatenate([c[2] for c in combos])
    hit, res = _solve(paths, pi, pj, h_m[pair], v_m[pair], rules)
    is_straight = np.zeros(pair.shape[0], dtype=bool)
    is_straight[:m] = True
    # the straight combination first, then the arcs by earliest loss
    order = np.lexsort((res["t_in_s"], ~is_straight, ~hit, pair))
    first = np.ones(order.shape[0], dtype=bool)
    first[1:] = pair[order][1:] != pair[order][:-1]
    best = order[first]
    conflict = hit[best]
    for k in _FIELDS:
        fields[k] = res[k][best]
    t_lo = np.minimum(paths.t_lo[straight_of[0]], paths.t_lo[straight_of[1]])
    names[:] = np.where(~is_straight[best], "turn",
                        np.where(fields["t_in_s"] >= t_lo, "level-off", "straight"))
    return conflict, fields, names


def _solve(paths: Paths, pi: IntArray, pj: IntArray, h_m: FloatArray, v_m: FloatArray, rules: PairRules
           ) -> tuple[BoolArray, dict[str, FloatArray]]:
    """Loss of separation of path pairs (pi[k], pj[k]) over ``[0, T]``, window by window."""
    t_end = rules.lookahead_s
    r = pi.shape[0]
    ci, bi = paths.breakpoints(pi)
    cj, bj = paths.breakpoints(pj)
    # every row's window edges: 0, both paths' breakpoints, T; sorted and unique within the row
    every = np.arange(r)
    row = np.concatenate([every, every, np.repeat(every, ci), np.repeat(every, cj)])
    t = np.minimum(np.concatenate([np.zeros(r), np.full(r, t_end), bi, bj]), t_end)
    o = np.lexsort((t, row))
    row, t = row[o], t[o]
    fresh = np.ones(row.shape[0], dtype=bool)
    fresh[1:] = (row[1:] != row[:-1]) | (t[1:] > t[:-1])
    row, t = row[fresh], t[fresh]
    nxt = np.ones(row.shape[0], dtype=bool)  # a window starts at every edge but a row's last
    nxt[:-1] = row[1:] == row[:-1]
    nxt[-1] = False
    seg = np.flatnonzero(nxt)
    srow, ta, tb = row[seg], t[seg], t[seg + 1]
    last = tb >= t_end
    span = tb - ta
    a, b = pi[srow], pj[srow]
    pa_a, pa_b = paths.position(a, ta), paths.position(b, ta)
    # chords from vertex to vertex on arcs; the engine's own velocity on straight paths
    va = np.where(paths.arc[a][:, None], (paths.position(a, tb) - pa_a) / span[:, None],
                  paths.straight_velocity(a))
    vb = np.where(paths.arc[b][:, None], (paths.position(b, tb) - pa_b) / span[:, None],
                  paths.straight_velocity(b))
    # the pair's tangent plane, as the linear engine takes it (normals at t = 0)
    u = paths.up[a] + paths.up[b]
    u /= np.sqrt(np.einsum("ij,ij->i", u, u))[:, None]
    d, dv = pa_b - pa_a, vb - va
    s = d - np.einsum("ij,ij->i", d, u)[:, None] * u
    w = dv - np.einsum("ij,ij->i", dv, u)[:, None] * u
    za, vza = paths.altitude(a, ta)
    zb, vzb = paths.altitude(b, ta)
    g = float(rules.velocity_error_mps)
    geo = los_intervals(s, w, zb - za, vzb - vza, h_m[srow] + g * ta, v_m[srow], t_end, g)
    # this window's part of the loss: it must start inside the window (the last one: before T)
    valid = geo.conflict & (geo.t_in_s < span)
    reach = valid & ~last & (geo.t_out_s >= span)
    cont = np.zeros(seg.shape[0], dtype=bool)  # window k's loss goes on from window k-1's
    cont[1:] = valid[1:] & (geo.t_in_s[1:] <= 0.0) & reach[:-1] & (srow[1:] == srow[:-1])
    ends = valid.copy()
    ends[:-1] &= ~cont[1:]
    big = seg.shape[0]
    idx = np.arange(big)
    f = np.full(r, big)
    e = np.full(r, big)
    np.minimum.at(f, srow[valid], idx[valid])
    np.minimum.at(e, srow[ends], idx[ends])
    hit = f < big
    fi, ei = np.minimum(f, big - 1), np.minimum(e, big - 1)
    out_end = np.where(last[ei], ta[ei] + geo.t_out_s[ei], np.minimum(ta[ei] + geo.t_out_s[ei], tb[ei]))
    # horizontal closest approach along the whole path (the last window open-ended, as the engine)
    ww = np.einsum("ij,ij->i", w, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        tc = np.where(ww > 0.0, -np.einsum("ij,ij->i", s, w) / ww, 0.0)
    tc = np.clip(np.nan_to_num(tc), 0.0, np.where(last, np.inf, span))
    rel = s + w * tc[:, None]
    dist = np.sqrt(np.einsum("ij,ij->i", rel, rel))
    o = np.lexsort((idx, dist, srow))
    head = np.ones(o.shape[0], dtype=bool)
    head[1:] = srow[o][1:] != srow[o][:-1]
    near = o[head]  # one window per row (rows all have windows, in order)
    res = {
        "t_in_s": np.where(hit, ta[fi] + geo.t_in_s[fi], np.inf),
        "t_out_s": np.where(hit, out_end, np.inf),
        "tcpa_s": ta[near] + tc[near],
        "dcpa_m": dist[near],
        "dalt_cpa_m": np.abs((zb - za)[near] + (vzb - vza)[near] * tc[near]),
    }
    return hit, res
