"""The search's pairs with a neighbour that turns or levels off, judged on the neighbour's own paths.

The search (:mod:`._search`) verifies every (cluster aircraft, neighbour) pair with the neighbour
straight on at its current velocity. A neighbour is told nothing (it is in no conflict), so it
flies what detection predicts of it (:mod:`airdecon.detection._hypotheses`): on to its level-off
at its selected altitude, and, in a steady turn (``turn_dps``), also along its arc; detection
alerts when either conflicts, and so must the search, or it advises a manoeuvre into the turn or
onto the level the neighbour stops at (on random three-aircraft encounters: 22 of 451 resolved
clusters with a turning neighbour, 13 of 646 with one levelling off;
``tests/resolution/test_neighbour_paths.py``).

:class:`NeighbourPaths` judges those pairs on each such path of the neighbour, for every
combination, exactly, window by window as detection does: the path is straight or a chain of
chords whose vertices lie on the arc, with its level-off (:class:`airdecon.detection._paths.Paths`);
the cluster aircraft flies its current velocity until the protocol's response delay and its
combination's after; within each window both move linearly and the linear kernel's window
(:func:`airdecon.detection._kernel.los_window`) solves it, after the search's cheap vertical cut.
The search's own linear check of the pair stays as well.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from airdecon.detection._kernel import los_window
from airdecon.detection._paths import Paths, hypothesis_rows
from airdecon.geometry import east_north_up, geodetic_to_ecef
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet
from airdecon.units import FloatArray

__all__ = ["NeighbourPaths"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


class NeighbourPaths:
    """The (cluster aircraft, neighbour) pairs of one search stage whose neighbour levels off within
    the look-ahead or turns, one entry per such path of the neighbour, windowed once.

    Parameters
    ----------
    fleet, proto : the fleet and the protocol.
    rows : int array of shape (c,)
        Fleet rows of the cluster's aircraft.
    near : int array of shape (nb,)
        Fleet rows of the neighbours.
    mover, neighbour : int arrays of shape (p,)
        The search's (cluster column, neighbour index) pairs; those whose neighbour levels off or
        turns are kept.
    h_m, v_m, watched : arrays of shape (p,)
        Those pairs' minima (position errors included) and whether the protocol watches them.
    vel0 : array of shape (c, 3)
        The cluster aircraft's current ECEF velocity.
    """

    def __init__(
        self,
        fleet: Fleet,
        proto: SafetyProtocol,
        rows: IntArray,
        near: IntArray,
        mover: IntArray,
        neighbour: IntArray,
        h_m: FloatArray,
        v_m: FloatArray,
        watched: BoolArray,
        vel0: FloatArray,
    ) -> None:
        self.size = 0
        if (fleet.turn_dps is None and fleet.sel_alt_m is None) or neighbour.size == 0:
            return
        t_end, delay = proto.lookahead_s, proto.response_delay_s
        nb_rows = near[neighbour]
        levels, turns = hypothesis_rows(fleet, t_end)
        # one path per hypothesis of the neighbour: straight on to its level-off, along its arc
        level_e = np.flatnonzero(watched & levels[nb_rows])
        entry = np.concatenate([level_e, np.flatnonzero(watched & turns[nb_rows])])
        if entry.size == 0:
            return
        along = np.arange(entry.shape[0]) >= level_e.shape[0]
        mover, nb_rows = mover[entry], nb_rows[entry]
        h_m, v_m = h_m[entry], v_m[entry]
        p = mover.shape[0]
        paths = Paths.build(fleet, nb_rows, along, t_end)
        counts, times = paths.breakpoints(np.arange(p))
        # every pair's window edges: 0, the delay, the arc's breakpoints, T (sorted, unique)
        every = np.arange(p)
        pair = np.concatenate([every, every, every, np.repeat(every, counts)])
        t = np.minimum(np.concatenate([np.zeros(p), np.full(p, delay), np.full(p, t_end), times]), t_end)
        o = np.lexsort((t, pair))
        pair, t = pair[o], t[o]
        fresh = np.ones(pair.shape[0], dtype=bool)
        fresh[1:] = (pair[1:] != pair[:-1]) | (t[1:] > t[:-1])
        pair, t = pair[fresh], t[fresh]
        starts = np.flatnonzero(np.r_[pair[1:] == pair[:-1], False])
        wp, ta, tb = pair[starts], t[starts], t[starts + 1]
        span = tb - ta
        pn_a = paths.position(wp, ta)
        self.nb_pos = pn_a  # the neighbour at each window's start (ECEF), and its chord's velocity
        self.nb_vel = (paths.position(wp, tb) - pn_a) / span[:, None]
        self.nb_alt, self.nb_vs = paths.altitude(wp, ta)
        # the pair's tangent plane, as the search takes it (normals at t = 0)
        _e, _n, m_up = east_north_up(fleet.lat_deg[rows[mover[wp]]], fleet.lon_deg[rows[mover[wp]]])
        u = paths.up[wp] + m_up
        self.u = u / np.sqrt(np.einsum("ij,ij->i", u, u))[:, None]
        self.col = mover[wp]  # the cluster column of each window's mover
        m_rows = rows[self.col]
        early = np.minimum(ta, delay)
        m_pos = geodetic_to_ecef(fleet.lat_deg[m_rows], fleet.lon_deg[m_rows])
        self.m_pos0 = m_pos + vel0[self.col] * early[:, None]  # where the change starts
        self.m_alt0 = fleet.alt_m[m_rows] + fleet.vs_mps[m_rows] * early
        self.m_vel0, self.m_vs0 = vel0[self.col], fleet.vs_mps[m_rows]
        self.late = np.maximum(ta - delay, 0.0)  # seconds flown on the combination by the window's start
        self.changed = ta >= delay  # the window is flown on the combination (windows split at the delay)
        self.pair, self.ta, self.span = wp, ta, span
        self.last = tb >= t_end
        self.h = h_m[wp] + proto.velocity_error_mps * ta
        self.v = v_m[wp]
        self.growth = proto.velocity_error_mps
        self.pairs = p
        self.size = wp.shape[0]

    def judge(self, vel: FloatArray, vs: FloatArray) -> tuple[IntArray, FloatArray, IntArray]:
        """For K combinations (velocities (K, c, 3) ECEF, vertical rates (K, c)): per combination,
        the paths on which a pair starts a loss, the seconds in loss, and the paths in loss at the
        end of the look-ahead (the search's ``n_future``, ``badness``, ``n_held``)."""
        k_n = vel.shape[0]
        if self.size == 0:
            return np.zeros(k_n, dtype=np.intp), np.zeros(k_n), np.zeros(k_n, dtype=np.intp)
        shape = (k_n, self.size)
        vs_k = vs[:, self.col]  # (K, W)
        m_alt = self.m_alt0[None] + vs_k * self.late[None, :]
        m_vs = np.where(self.changed[None, :], vs_k, self.m_vs0[None, :])
        dz = self.nb_alt[None, :] - m_alt
        dvz = self.nb_vs[None, :] - m_vs
        # the search's cheap exact cut: a window whose altitudes never come within the vertical
        # minimum cannot hold a loss (most neighbours fly at other levels)
        dz_end = dz + dvz * self.span[None, :]
        apart = np.where(np.sign(dz) != np.sign(dz_end), 0.0, np.minimum(np.abs(dz), np.abs(dz_end)))
        kk, ww = np.nonzero(apart < self.v[None, :] + 1.0)
        v_k = vel[kk, self.col[ww], :]
        m_pos = self.m_pos0[ww] + v_k * self.late[ww, None]
        m_vel = np.where(self.changed[ww, None], v_k, self.m_vel0[ww])
        u = self.u[ww]
        d = self.nb_pos[ww] - m_pos
        dv = self.nb_vel[ww] - m_vel
        s = d - np.einsum("ij,ij->i", d, u)[:, None] * u
        w = dv - np.einsum("ij,ij->i", dv, u)[:, None] * u
        got, lo_c, hi_c = los_window(
            s, w, dz[kk, ww], dvz[kk, ww], self.h[ww], self.v[ww], float(self.span.max()), self.growth
        )
        lo_c = np.maximum(lo_c, 0.0)
        got &= lo_c < self.span[ww]
        hit = np.zeros(shape, dtype=bool)
        lo = np.zeros(shape)
        hi = np.zeros(shape)
        hit[kk, ww] = got
        lo[kk, ww] = lo_c
        hi[kk, ww] = np.minimum(hi_c, self.span[ww])
        dur = np.where(hit, hi - lo, 0.0)
        reaches = hit & (hi >= self.span[None, :])
        # a loss that goes on from the pair's previous window is not a new one
        same = np.r_[False, self.pair[1:] == self.pair[:-1]]
        cont = np.zeros(shape, dtype=bool)
        cont[:, 1:] = same[None, 1:] & reaches[:, :-1] & (lo[:, 1:] <= 0.0)
        new = hit & ~cont & ((self.ta[None, :] + lo) > 0.0)
        k_idx = np.broadcast_to(np.arange(k_n)[:, None], shape)
        key = k_idx * self.pairs + self.pair[None, :]
        n_new = np.bincount(key[new], minlength=k_n * self.pairs).reshape(k_n, self.pairs)
        n_future = (n_new > 0).sum(axis=1).astype(np.intp)
        badness: FloatArray = dur.sum(axis=1)
        n_held = (reaches & self.last[None, :]).sum(axis=1).astype(np.intp)
        return n_future, badness, n_held

