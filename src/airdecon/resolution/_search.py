"""The resolver's search: candidate manoeuvre combinations of one cluster, re-predicted exactly.

A :class:`Stage` holds what does not change from one combination to the next: which pairs are
re-predicted (every pair inside the cluster that a manoeuvre can change, every reachable pair of a
manoeuvring aircraft with a neighbour), their relative positions in each pair's tangent plane, the
frames, the minima and the altitude differences. A combination then costs only its velocities and
the exact interval solve (:func:`airdecon.detection.los_intervals`): the same arithmetic as
:func:`airdecon.detection.evaluate_pairs`, without placing the same aircraft again for every
combination. Also here: the cluster graph (:func:`components`) and the option ladder
(:func:`combinations`).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

from airdecon.detection import los_intervals
from airdecon.geometry import east_north_up, velocity_ecef
from airdecon.protocol import SafetyProtocol
from airdecon.resolution._neighbours import NeighbourPaths
from airdecon.resolution._turns import FlownPairs, judge
from airdecon.state import Fleet
from airdecon.units import NM, FloatArray

__all__ = ["MAX_COMBINATIONS", "Stage", "combinations", "components", "neighbours"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

MAX_COMBINATIONS: int = 4096
"""At most this many option combinations are re-predicted per cluster and stage."""

FIRST_CHUNK = 32  # combinations verified first, cheapest first (then 4x more each round)
PAIRS_PER_CHUNK = 50_000  # pairs re-predicted per solve: bounds the memory of the search


class Stage:
    """One stage of one cluster's search: the pairs to re-predict and their fixed geometry.

    Parameters
    ----------
    fleet, proto, pos : the fleet, the protocol, and every aircraft's ECEF position (n, 3), m.
    rows : int array of shape (c,)
        Fleet rows of the cluster's aircraft.
    near : int array of shape (nb,)
        Fleet rows of the aircraft around the cluster.
    near_trk, near_vs : arrays of shape (nb,)
        The neighbours' planned track (degrees) and vertical rate (m/s).
    fixed : bool array of shape (c,)
        Cluster aircraft that cannot change their path.
    vs : array of shape (K, c)
        Every combination's vertical rates (m/s): the fastest bounds which neighbours are reachable.

    The pairs re-predicted are every pair inside the cluster and every (cluster aircraft,
    neighbour) pair, except those in which neither aircraft can change its path (*fixed* cluster
    aircraft, neighbours), and (mover, neighbour) pairs too far apart horizontally, at their two
    ground speeds on any tracks, or vertically, at the fastest rate any combination gives the
    mover, to conflict (a dense area's neighbours cost the search only the pairs that matter).
    """

    def __init__(
        self,
        fleet: Fleet,
        proto: SafetyProtocol,
        pos: FloatArray,
        rows: IntArray,
        near: IntArray,
        near_trk: FloatArray,
        near_vs: FloatArray,
        fixed: BoolArray,
        vs: FloatArray,
    ) -> None:
        self.fleet, self.proto, self.rows = fleet, proto, rows
        c = rows.shape[0]
        p_idx, q_idx = np.triu_indices(c, k=1)
        keep = ~(fixed[p_idx] & fixed[q_idx])
        p_idx, q_idx = p_idx[keep].astype(np.intp), q_idx[keep].astype(np.intp)
        pm, pn = _reachable(fleet, proto, pos, rows, near, near_vs, np.flatnonzero(~fixed), vs)
        self.p_idx, self.q_idx, self.pm, self._pn = p_idx, q_idx, pm, pn
        self.per_combo = p_idx.shape[0] + pm.shape[0]
        # pair i (in the cluster) against pair j (in the cluster or a neighbour), as detection has it
        i_rows = np.concatenate([rows[p_idx], rows[pm]])
        j_rows = np.concatenate([rows[q_idx], near[pn]])
        self.watched = proto.watched(fleet, i_rows, j_rows)
        h_m, self.v_m = proto.pair_minima(fleet, i_rows, j_rows)
        self.h_m = h_m + fleet.pos_err_m[i_rows] + fleet.pos_err_m[j_rows]
        self.dz = fleet.alt_m[j_rows] - fleet.alt_m[i_rows]
        lat, lon, gs = fleet.lat_deg, fleet.lon_deg, fleet.gs_mps
        _v, up = velocity_ecef(lat[rows], lon[rows], gs[rows], fleet.trk_deg[rows])
        near_vel, near_up = velocity_ecef(lat[near], lon[near], gs[near], near_trk)
        u = np.concatenate([up[p_idx] + up[q_idx], up[pm] + near_up[pn]])
        u /= np.sqrt(np.einsum("ij,ij->i", u, u))[:, None]
        d = pos[j_rows] - pos[i_rows]
        self.u = u
        self.s = d - np.einsum("ij,ij->i", d, u)[:, None] * u
        self.near_vel = near_vel[pn]  # the neighbour's velocity, per (mover, neighbour) pair
        self.trk0 = fleet.trk_deg[rows]
        self.turn_rate = proto.turn_rate_dps
        self.i_col = np.concatenate([p_idx, pm])  # the cluster column of each pair's first aircraft
        self.east, self.north, _up = east_north_up(lat[rows], lon[rows])
        self.gs = gs[rows]
        self.near_vs = near_vs[pn]
        self.delay = proto.response_delay_s
        self.growth = proto.velocity_error_mps
        n_cc = p_idx.shape[0]  # the same pairs with a neighbour in a turn, along its arc
        self.arcs = NeighbourPaths(fleet, proto, rows, near, pm, pn, self.h_m[n_cc:], self.v_m[n_cc:],
                                  self.watched[n_cc:], _v)
        self.per_combo += self.arcs.size
        if self.delay > 0.0:
            self._respond_after(fleet, near, _v, i_rows, j_rows)
        self.work = 0  # pair predictions made (a combination costs per_combo of them)

    def _respond_after(
        self, fleet: Fleet, near: IntArray, vel_rows: FloatArray, i_rows: IntArray, j_rows: IntArray
    ) -> None:
        """Manoeuvres start after the protocol's response delay: until then every aircraft flies
        its current velocity, the same in every combination, so each pair starts the search
        where that leaves it (relative position, altitude difference, the minimum grown by the
        uncertainty meanwhile); the search then predicts from the delay to the look-ahead."""
        lat, lon, gs = fleet.lat_deg, fleet.lon_deg, fleet.gs_mps
        near_cur, _up = velocity_ecef(lat[near], lon[near], gs[near], fleet.trk_deg[near])
        vel_i = vel_rows[self.i_col]
        vel_j = np.concatenate([vel_rows[self.q_idx], near_cur[self._pn]])
        dv = vel_j - vel_i
        w0 = dv - np.einsum("ij,ij->i", dv, self.u)[:, None] * self.u
        dvz0 = fleet.vs_mps[j_rows] - fleet.vs_mps[i_rows]
        self.s = self.s + w0 * self.delay
        self.dz = self.dz + dvz0 * self.delay
        self.h_m = self.h_m + self.growth * self.delay

    def search(
        self, trk: FloatArray, vs: FloatArray, cost: FloatArray, exhaustive: bool
    ) -> tuple[IntArray, FloatArray, IntArray]:
        """:meth:`verify` the combinations cheapest first, and stop at the first chunk that holds
        one with no loss at all: no combination left can beat it (each costs at least as much, and
        none does better than no loss), so the choice is the one an exhaustive search makes.
        *exhaustive* (a pair already in loss, or a stuck cluster): every combination is verified.
        Combinations not verified answer ``n_future`` = -1, ``badness`` = inf, ``n_held`` = -1."""
        k_n = trk.shape[0]
        if exhaustive or k_n <= FIRST_CHUNK:
            return self.verify(trk, vs)
        n_future = np.full(k_n, -1, dtype=np.intp)
        badness = np.full(k_n, np.inf)
        n_held = np.full(k_n, -1, dtype=np.intp)
        order = np.lexsort((np.arange(k_n), cost.sum(axis=1), cost.max(axis=1)))
        lo, size = 0, FIRST_CHUNK
        while lo < k_n:
            sel = order[lo:lo + size]
            n_future[sel], badness[sel], n_held[sel] = self.verify(trk[sel], vs[sel])
            if np.any((n_future[sel] == 0) & (badness[sel] == 0.0)):
                break
            lo, size = lo + size, size * 4
        return n_future, badness, n_held

    def verify(self, trk: FloatArray, vs: FloatArray) -> tuple[IntArray, FloatArray, IntArray]:
        """Re-predict K combinations (tracks in degrees and vertical rates in m/s, each of shape
        (K, c)) in chunks of bounded size.

        Returns
        -------
        n_future : int array of shape (K,)
            How many pairs are predicted to *start* losing separation within the look-ahead
            (``t_in > 0``: a new loss, or one not avoided).
        badness : float array of shape (K,)
            Total time all pairs spend in loss of separation within the look-ahead, those already
            in loss included (seconds).
        n_held : int array of shape (K,)
            How many pairs are in loss of separation at the end of the look-ahead (not regained).
        """
        k_n = trk.shape[0]
        n_future = np.zeros(k_n, dtype=np.intp)
        badness = np.zeros(k_n)
        n_held = np.zeros(k_n, dtype=np.intp)
        if self.per_combo == 0:
            return n_future, badness, n_held
        self.work += k_n * self.per_combo
        step = max(1, PAIRS_PER_CHUNK // self.per_combo)
        for lo in range(0, k_n, step):
            hi = min(k_n, lo + step)
            n_future[lo:hi], badness[lo:hi], n_held[lo:hi] = self._chunk(trk[lo:hi], vs[lo:hi])
        return n_future, badness, n_held

    def _chunk(self, trk: FloatArray, vs: FloatArray) -> tuple[IntArray, FloatArray, IntArray]:
        k_n = trk.shape[0]
        t = self.proto.lookahead_s - self.delay  # predicted from the response on
        n_cc = self.p_idx.shape[0]
        # a cheap exact cut before the solve: pairs whose altitudes, on this combination's rates,
        # never come within the largest vertical minimum during the look-ahead cannot conflict
        dvz = np.concatenate([vs[:, self.q_idx] - vs[:, self.p_idx], self.near_vs[None, :] - vs[:, self.pm]],
                             axis=1)
        dz_end = self.dz[None, :] + dvz * t
        apart = np.minimum(np.abs(self.dz)[None, :], np.abs(dz_end))
        apart = np.where(np.sign(self.dz)[None, :] != np.sign(dz_end), 0.0, apart)  # they cross
        k_all, pair = np.nonzero(self.watched[None, :] & (apart < self.proto.max_vertical_m + 1.0))
        dvz = dvz[k_all, pair]
        # the velocities of the pairs kept (velocity_ecef's arithmetic, frames computed once)
        vel = self._velocity(trk)
        vel_i = vel[k_all, self.i_col[pair]]
        inside = pair < n_cc
        vel_j = np.empty_like(vel_i)
        vel_j[inside] = vel[k_all[inside], self.q_idx[pair[inside]]]
        vel_j[~inside] = self.near_vel[pair[~inside] - n_cc]
        dv = vel_j - vel_i
        u = self.u[pair]
        w = dv - np.einsum("ij,ij->i", dv, u)[:, None] * u
        if self.turn_rate > 0.0:
            hit, t_in, dur, held = self._flown(trk, vel, k_all, pair, inside, u, w, dvz, t)
        else:
            geo = los_intervals(self.s[pair], w, self.dz[pair], dvz, self.h_m[pair], self.v_m[pair], t,
                                self.growth)
            hit, t_in = geo.conflict, geo.t_in_s
            dur = np.minimum(geo.t_out_s, t) - geo.t_in_s
            held = hit & (geo.t_out_s >= t)
        future = hit & (t_in > 0.0)
        n_future = np.bincount(k_all[future], minlength=k_n).astype(np.intp)
        badness: FloatArray = np.bincount(k_all[hit], weights=dur[hit], minlength=k_n).astype(np.float64)
        n_held = np.bincount(k_all[held], minlength=k_n).astype(np.intp)
        if self.arcs.size:
            f_arc, b_arc, h_arc = self.arcs.judge(vel, vs)
            n_future, badness, n_held = n_future + f_arc, badness + b_arc, n_held + h_arc
        return n_future, badness, n_held

    def _flown(
        self, trk: FloatArray, vel: FloatArray, k_all: IntArray, pair: IntArray, inside: BoolArray,
        u: FloatArray, w: FloatArray, dvz: FloatArray, t: float,
    ) -> tuple[BoolArray, FloatArray, FloatArray, BoolArray]:
        """The pairs kept, judged on the flown turns (:mod:`._turns`): per pair row,
        conflict, entry time, seconds in loss, still in loss at the end of the look-ahead. The
        solves during the manoeuvres count as work like the others."""
        n_cc = self.p_idx.shape[0]
        j_col = np.full(pair.shape[0], -1, dtype=np.intp)
        j_col[inside] = self.q_idx[pair[inside]]
        j_vel = np.zeros((pair.shape[0], 3))
        j_vel[~inside] = self.near_vel[pair[~inside] - n_cc]
        fp = FlownPairs(self.turn_rate, self.trk0, self.gs, self.east, self.north, trk, vel, k_all,
                        self.i_col[pair], j_col, j_vel)
        hit, t_in, dur, held, extra = judge(fp, self.s[pair], u, w, self.dz[pair], dvz, self.h_m[pair],
                                            self.v_m[pair], t, self.growth)
        self.work += extra
        return hit, t_in, dur, held

    def _velocity(self, trk: FloatArray) -> FloatArray:
        """ECEF velocity (K, c, 3) of the cluster's aircraft on the combinations' tracks (K, c)."""
        t = np.radians(trk)
        ve, vn = self.gs[None, :] * np.sin(t), self.gs[None, :] * np.cos(t)
        out: FloatArray = self.east[None, :, :] * ve[:, :, None] + self.north[None, :, :] * vn[:, :, None]
        return out


def _reachable(
    fleet: Fleet, proto: SafetyProtocol, pos: FloatArray, rows: IntArray, near: IntArray,
    near_vs: FloatArray, movers: IntArray, vs: FloatArray,
) -> tuple[IntArray, IntArray]:
    """The (cluster mover, neighbour) pairs that some combination could bring within the minima
    in the look-ahead, as (mover's cluster column, neighbour's index)."""
    empty = np.empty(0, dtype=np.intp)
    if movers.size == 0 or near.size == 0:
        return empty, empty.copy()
    t = proto.lookahead_s
    m_rows = rows[movers]
    d = pos[near][None, :, :] - pos[m_rows][:, None, :]  # (movers, nb, 3)
    dist = np.sqrt(np.einsum("abk,abk->ab", d, d))
    speeds = fleet.gs_mps[m_rows][:, None] + fleet.gs_mps[near][None, :]
    errors = fleet.pos_err_m[m_rows][:, None] + fleet.pos_err_m[near][None, :]
    reach_h = speeds * t + proto.max_horizontal_m + errors + NM
    vs_max = np.abs(vs[:, movers]).max(axis=0)  # the fastest rate any combination gives each mover
    dz = np.abs(fleet.alt_m[near][None, :] - fleet.alt_m[m_rows][:, None])
    rates = vs_max[:, None] + np.abs(near_vs)[None, :]
    reach_v = rates * t + proto.max_vertical_m + 1.0
    a, b = np.nonzero((dist <= reach_h) & (dz <= reach_v))
    return movers[a].astype(np.intp), b.astype(np.intp)


def neighbours(fleet: Fleet, proto: SafetyProtocol, pos: FloatArray, rows: IntArray) -> IntArray:
    """Aircraft outside the cluster that could come within the minima of a cluster aircraft."""
    n = len(fleet)
    outside = np.ones(n, dtype=bool)
    outside[rows] = False
    gs_c = float(fleet.gs_mps[rows].max())
    perr_c = float(fleet.pos_err_m[rows].max())
    reach = (gs_c + fleet.gs_mps) * proto.lookahead_s + proto.max_horizontal_m + perr_c + fleet.pos_err_m + NM
    # a first cut on the distance to the cluster's centre (the triangle inequality: nothing farther
    # from it than the cluster's radius plus an aircraft's reach can be within reach of a member)
    centre = pos[rows].mean(axis=0)
    radius = float(np.sqrt(((pos[rows] - centre) ** 2).sum(axis=1)).max())
    d0 = pos - centre
    outside &= np.einsum("ij,ij->i", d0, d0) <= (reach + radius) ** 2
    others = np.flatnonzero(outside).astype(np.intp)
    if others.size == 0:
        return others
    d = pos[others][:, None, :] - pos[rows][None, :, :]
    dist = np.sqrt(np.einsum("abk,abk->ab", d, d)).min(axis=1)
    near: IntArray = others[dist <= reach[others]]
    return near


def components(n: int, i: IntArray, j: IntArray) -> IntArray:
    """Connected-component label of every fleet row in the graph with edges (i[k], j[k])."""
    parent = np.arange(n, dtype=np.intp)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:
            parent[x], x = root, int(parent[x])
        return root

    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(x) for x in range(n)], dtype=np.intp)


def combinations(sizes: list[int]) -> IntArray:
    """Option-index combinations to try, at most MAX_COMBINATIONS rows of shape (K, c) (read-only:
    the same sizes always give the same combinations, computed once).

    The full product when it fits. Otherwise every list is thinned (every other option kept, the
    first and the last always) until it fits, and the "synchronised ladder" (every aircraft at the
    same relative position of its own list) is added, so the search always spans the smallest to
    the largest manoeuvre of every aircraft.
    """
    return _combinations(tuple(sizes))


@functools.lru_cache(maxsize=1024)
def _combinations(sizes: tuple[int, ...]) -> IntArray:
    c = len(sizes)
    picks = [np.arange(s, dtype=np.intp) for s in sizes]
    while math.prod(p.shape[0] for p in picks) > MAX_COMBINATIONS:
        longest = max(range(c), key=lambda q: picks[q].shape[0])
        p = picks[longest]
        if p.shape[0] <= 2:
            picks = [pk[:1] for pk in picks]  # only the ladder below
            break
        picks[longest] = np.unique(np.append(p[::2], p[-1]))
    # the product row by row, column by column (meshgrid would need one array dimension per
    # aircraft: numpy allows 32 to 64, and real clusters have more: 44, 85 on the worldwide fleet)
    product = np.zeros((1, 0), dtype=np.intp)
    for pk in picks:
        product = np.concatenate(
            [np.repeat(product, pk.shape[0], axis=0), np.tile(pk, product.shape[0])[:, None]], axis=1
        )
    steps = max(sizes) if sizes else 1
    frac = np.linspace(0.0, 1.0, steps)
    ladder = np.stack([np.round(frac * (s - 1)).astype(np.intp) for s in sizes], axis=1)
    out = np.unique(np.concatenate([product, ladder]), axis=0).astype(np.intp)
    out.flags.writeable = False
    return out
