"""The flown turn in the search: pairs judged where the aircraft are while they turn onto their tracks.

The search verifies each option from the response on. Without a rate of turn it is an instant
change of track. Aircraft turn at a rate (the protocol's ``turn_rate_dps``; 3 deg/s is the
standard rate), so a 60-90 degree turn takes 20-30 s and its arc swings out by up to a turn
radius (1.3 NM at 250 kt) from the instant path: late advisories verified as instant failed when
flown. With a rate ``w``, each aircraft of a combination (new track ``psi0 + d``, time 0 at the
response) flies **the turn**, ``0 <= t <= t_c = |d| / w``, along its arc
``P0 + 2 R sin(w t / 2) dir(psi0 + sign(d) w t / 2)`` with ``R = gs / w``, then straight on:
``P0 + E + V1 (t - t_c)`` (``E`` where the arc ends), i.e. exactly the instant path ``P0 + V1 t``
moved by the *offset* ``E - V1 t_c``. Vertical rates stay instant changes (the search's profile).

A pair (an aircraft of the cluster against another, or against a neighbour on its straight path)
is judged (:func:`judge`) in windows: **after** both turns (``t >= T``, ``T`` the later ``t_c``),
exactly, on the instant velocities moved by the offsets; **during** them, ``[0, T]`` cut into
sub-windows of at most :data:`SUB_WINDOW_S`, each on the chord of the pair's relative path, the
horizontal minimum grown by how far the two arcs can stray from their chords at the same instants
(``R (1 - cos(b / 2))`` for an arc of angle ``b``: 90 m at most at 3 deg/s and 480 kt, so a pair
within 1 % of the minimum while turning counts as a loss). Pairs too far apart to meet during
``[0, T]`` at any heading skip the during-windows. Pure numpy.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from airdecon.detection import los_intervals
from airdecon.units import FloatArray

__all__ = ["SUB_WINDOW_S", "FlownPairs", "judge"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

SUB_WINDOW_S = 7.5
"""Longest stretch of a turn judged on one chord (22.5 degrees at the standard rate)."""


class _Side:
    """One aircraft of every pair row: its frame, current track and turn."""

    def __init__(self, w: float, psi0: FloatArray, d: FloatArray, gs: FloatArray, east: FloatArray,
                 north: FloatArray, vel: FloatArray) -> None:
        self.w, self.psi0, self.d, self.east, self.north, self.vel = w, psi0, d, east, north, vel
        self.t_c = np.abs(d) / w
        self.radius = gs / w

    def pos(self, r: IntArray, t: FloatArray) -> FloatArray:
        """Displacement (len(r), 3) of rows *r* at times *t* (len(r),) from the start."""
        t_c = self.t_c[r]
        ang = np.sign(self.d[r]) * self.w * np.minimum(t, t_c)
        psi = self.psi0[r] + ang / 2.0
        chord = 2.0 * self.radius[r] * np.sin(np.abs(ang) / 2.0)
        arc = chord[:, None] * (self.east[r] * np.sin(psi)[:, None] + self.north[r] * np.cos(psi)[:, None])
        out: FloatArray = arc + self.vel[r] * np.maximum(t - t_c, 0.0)[:, None]
        return out

    def stray(self, r: IntArray, t0: FloatArray, t1: FloatArray) -> FloatArray:
        """How far rows *r* can stray from their chord over [t0, t1] (metres)."""
        turned = self.w * (np.minimum(t1, self.t_c[r]) - np.minimum(t0, self.t_c[r]))
        out: FloatArray = self.radius[r] * (1.0 - np.cos(turned / 2.0))
        return out


class FlownPairs:
    """Pair rows ``(k_all[m], i_col[m], j_col[m])`` of K combinations, flown with their turns.

    *rate_dps*: the rate of turn (> 0). *trk0*, *gs*, *east*, *north*: the cluster aircraft's
    current track (deg), ground speed and frames, shapes (c,) or (c, 3); *trk*, *vel*: the
    combinations' tracks (K, c) and instant velocities (K, c, 3); *j_col* is -1 where the second
    aircraft is a neighbour flying *j_vel* (m, 3) straight on.
    """

    def __init__(
        self, rate_dps: float, trk0: FloatArray, gs: FloatArray, east: FloatArray, north: FloatArray,
        trk: FloatArray, vel: FloatArray, k_all: IntArray, i_col: IntArray, j_col: IntArray,
        j_vel: FloatArray,
    ) -> None:
        w = math.radians(rate_dps)
        d_all = np.radians(np.mod(trk - trk0[None, :] + 180.0, 360.0) - 180.0)  # (K, c)
        inside = j_col >= 0
        jc = np.where(inside, j_col, 0)
        psi0 = np.radians(trk0)
        self.i = _Side(w, psi0[i_col], d_all[k_all, i_col], gs[i_col], east[i_col], north[i_col],
                       vel[k_all, i_col])
        self.j = _Side(w, psi0[jc], np.where(inside, d_all[k_all, jc], 0.0), np.where(inside, gs[jc], 0.0),
                       east[jc], north[jc], np.where(inside[:, None], vel[k_all, jc], j_vel))
        self.speed = gs[i_col] + np.sqrt(np.einsum("ij,ij->i", self.j.vel, self.j.vel))
        #: seconds until both aircraft of each pair fly their instant paths (moved by the offsets)
        self.t_end = np.maximum(self.i.t_c, self.j.t_c)
        self.offset = np.zeros((k_all.shape[0], 3))
        turning = np.flatnonzero(self.t_end > 0.0)
        #: relative offsets (j minus i) of the paths after the turns, from the instant paths
        self.offset[turning] = self.rel(turning, self.t_end[turning]) - (
            self.j.vel[turning] - self.i.vel[turning]) * self.t_end[turning, None]

    def rel(self, r: IntArray, t: FloatArray) -> FloatArray:
        """Relative displacement (j minus i; len(r), 3) of rows *r* at times *t*."""
        out: FloatArray = self.j.pos(r, t) - self.i.pos(r, t)
        return out


def judge(
    fp: FlownPairs, s0: FloatArray, u: FloatArray, w: FloatArray, dz: FloatArray, dvz: FloatArray,
    h: FloatArray, v: FloatArray, lookahead_s: float, growth: float,
) -> tuple[BoolArray, FloatArray, FloatArray, BoolArray, int]:
    """Judge the pair rows of *fp* over ``[0, lookahead_s]`` (module docstring): relative position
    *s0* and instant relative velocity *w* in each pair's plane (normal *u*), altitude difference
    *dz* and relative rate *dvz*, minima *h*, *v*, and the horizontal minimum's growth (m/s).
    Returns per row: conflict, entry time, seconds in loss within the window, still in loss at
    its end; and the work beyond one solve per pair, in pair solves (the search's budget counts it)."""
    big_t = np.minimum(fp.t_end, lookahead_s)
    off = fp.offset - np.einsum("ij,ij->i", fp.offset, u)[:, None] * u
    geo = los_intervals(s0 + off, w, dz, dvz, h, v, lookahead_s, growth)
    a_in = np.maximum(geo.t_in_s, big_t)
    hit = geo.conflict & (big_t < lookahead_s) & ((big_t <= 0.0) | (geo.t_out_s > big_t))
    t_in = np.where(hit, a_in, np.inf)
    dur = np.where(hit, np.minimum(geo.t_out_s, lookahead_s) - a_in, 0.0)
    held = hit & (geo.t_out_s >= lookahead_s)
    # during the turns: only pairs that could meet by then, at any heading
    reach = h + (fp.speed + growth) * big_t
    near = (big_t > 0.0) & (np.sqrt(np.einsum("ij,ij->i", s0, s0)) < reach)
    n_sub = np.where(near, np.ceil(big_t / SUB_WINDOW_S - 1e-9), 0).astype(np.intp)
    # the work beyond the one solve per pair, counted in pair solves: the offsets of each turning
    # pair (measured: about two solves' worth) and each sub-window (a solve and its chords)
    extra = 2 * int(np.count_nonzero(fp.t_end > 0.0)) + 2 * int(n_sub.sum())
    for q in range(int(n_sub.max(initial=0))):
        r = np.flatnonzero(n_sub > q)
        span = big_t[r] / n_sub[r]
        t0, t1 = span * q, span * (q + 1)
        p0, p1 = fp.rel(r, t0), fp.rel(r, t1)
        ur = u[r]
        start = s0[r] + p0
        start -= np.einsum("ij,ij->i", start, ur)[:, None] * ur
        step = p1 - p0
        step -= np.einsum("ij,ij->i", step, ur)[:, None] * ur
        stray = fp.i.stray(r, t0, t1) + fp.j.stray(r, t0, t1)
        # the sub-window [t0, t1] solved in units of its span (each row its own)
        d = los_intervals(start, step, dz[r] + dvz[r] * t0, dvz[r] * span, h[r] + growth * t0 + stray, v[r],
                          1.0, growth * span)
        hd = d.conflict
        rd, sd, t0d = r[hd], span[hd], t0[hd]
        first = t_in[rd] > t0d  # not hit in an earlier sub-window
        t_in[rd] = np.where(first, t0d + d.t_in_s[hd] * sd, t_in[rd])
        dur[rd] += (np.minimum(d.t_out_s[hd], 1.0) - d.t_in_s[hd]) * sd
        hit[rd] = True
        last = (q == n_sub[rd] - 1) & (big_t[rd] >= lookahead_s)
        held[rd[last]] = d.t_out_s[hd][last] >= 1.0
    return hit, t_in, dur, held, extra
