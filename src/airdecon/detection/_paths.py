"""Predicted paths of the hypotheses: straight or along a turn's arc, levelling off or not.

Each aircraft flies, over the look-ahead ``T``, one or two *horizontal paths* in the flat tangent
frame the linear engine uses (ECEF position plus a tangent velocity times ``t``):

* ``straight``: ``P0 + V t``, exactly the linear engine's motion;
* ``arc`` (aircraft in a steady turn, ``|turn_dps| >= TURN_MIN_DPS``): the track turns at the
  rate ``w`` for at most ``TURN_MAX_DEG`` of track change (time ``t_c``), then the aircraft flies
  straight on the new track. In the aircraft's east/north frame, with ``psi`` the track and
  ``R = gs / |w|``::

      P(t) = P0 + 2 (gs / w) sin(w t / 2) (E sin(psi + w t / 2) + N cos(psi + w t / 2)),  t <= t_c

  The arc is flown as a chain of chords whose vertices lie on it. The chords are short enough that
  no point of a chord is further than :data:`ARC_TOLERANCE_M` from the arc point of the same
  instant (sagitta ``R (1 - cos(a / 2)) <= ARC_TOLERANCE_M`` for each chord's angle ``a``).

and one *vertical profile*: ``alt + vs t``, or, when it levels off at ``t_lo`` (see
:func:`airdecon.state.level_off_s`), ``alt + vs t`` until ``t_lo`` and the selected altitude after.

Every path is piecewise linear in time; its *breakpoints* are the chord vertices, the end of the
turn and the level-off. A pair of paths is linear between the union of both breakpoint sets, which
is what :mod:`airdecon.detection._hypotheses` solves exactly, segment by segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airdecon.geometry import east_north_up, geodetic_to_ecef
from airdecon.state import TURN_MAX_DEG, TURN_MIN_DPS, Fleet, level_off_s
from airdecon.units import FloatArray

__all__ = ["ARC_TOLERANCE_M", "Paths", "hypothesis_rows"]

IntArray = npt.NDArray[np.intp]

#: Largest distance (m) between a chord of a predicted turn and the arc at the same instant.
ARC_TOLERANCE_M = 30.0
_MAX_CHORD_RAD = math.pi / 4.0  # never a chord over more than 45 degrees of turn, however tight


@dataclass(frozen=True)
class Paths:
    """The paths of some aircraft of a fleet (``rows``), straight (``mode`` 0) and arc (``mode`` 1).

    Path ``p`` is aircraft ``rows[p]``; ``arc[p]`` says whether it is flown along the turn.
    Breakpoints are ragged: those of path ``p`` are ``bp[bp_start[p]:bp_start[p + 1]]``.
    """

    rows: IntArray
    arc: npt.NDArray[np.bool_]
    p0: FloatArray  # (m, 3) ECEF position at t = 0
    east: FloatArray  # (m, 3)
    north: FloatArray  # (m, 3)
    up: FloatArray  # (m, 3)
    gs: FloatArray
    trk_rad: FloatArray
    w_rad: FloatArray  # turn rate, rad/s (0 on straight paths)
    t_turn: FloatArray  # end of the turn, s (0 on straight paths)
    alt: FloatArray
    vs: FloatArray
    sel: FloatArray  # selected altitude (NaN: none)
    t_lo: FloatArray  # level-off time (inf: none)
    bp: FloatArray
    bp_start: IntArray

    @classmethod
    def build(cls, fleet: Fleet, rows: IntArray, arc: npt.NDArray[np.bool_], lookahead_s: float) -> Paths:
        """Paths of aircraft *rows*, along their arc where *arc* (those rows must be turning)."""
        lat, lon = fleet.lat_deg[rows], fleet.lon_deg[rows]
        east, north, up = east_north_up(lat, lon)
        gs = fleet.gs_mps[rows]
        turn = np.zeros(rows.shape[0]) if fleet.turn_dps is None else fleet.turn_dps[rows]
        w = np.where(arc, np.radians(turn), 0.0)
        t_turn = np.zeros(rows.shape[0])
        on = arc & (gs > 0.0) & (np.abs(turn) >= TURN_MIN_DPS)
        t_turn[on] = np.minimum(math.radians(TURN_MAX_DEG) / np.abs(w[on]), lookahead_s)
        w = np.where(on, w, 0.0)
        alt, vs = fleet.alt_m[rows], fleet.vs_mps[rows]
        sel = np.full(rows.shape[0], np.nan) if fleet.sel_alt_m is None else fleet.sel_alt_m[rows]
        t_lo = level_off_s(alt, vs, None if fleet.sel_alt_m is None else sel)
        # breakpoints: chord vertices (the last one is the end of the turn), then the level-off
        radius = np.where(on, gs / np.maximum(np.abs(w), 1e-12), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            half = np.arccos(np.clip(1.0 - ARC_TOLERANCE_M / np.maximum(radius, 1e-9), -1.0, 1.0))
        chord = np.minimum(2.0 * half, _MAX_CHORD_RAD)
        n_chords = np.where(on, np.ceil(np.abs(w) * t_turn / chord), 0).astype(np.intp)
        inner_lo = (t_lo > 0.0) & (t_lo < lookahead_s)
        counts = n_chords + inner_lo
        start = np.zeros(rows.shape[0] + 1, dtype=np.intp)
        np.cumsum(counts, out=start[1:])
        owner = np.repeat(np.arange(rows.shape[0]), n_chords)
        k = np.arange(owner.shape[0]) - np.repeat(np.cumsum(n_chords) - n_chords, n_chords)
        bp = np.empty(int(start[-1]))
        bp[start[:-1][owner] + k] = (k + 1) * (t_turn[owner] / n_chords[owner])
        bp[start[1:][inner_lo] - 1] = t_lo[inner_lo]
        return cls(rows=rows, arc=on, p0=geodetic_to_ecef(lat, lon), east=east, north=north, up=up,
                   gs=gs, trk_rad=np.radians(fleet.trk_deg[rows]), w_rad=w, t_turn=t_turn, alt=alt,
                   vs=vs, sel=sel, t_lo=t_lo, bp=bp, bp_start=start)

    def breakpoints(self, p: IntArray) -> tuple[IntArray, FloatArray]:
        """The breakpoints of paths *p*, flattened: (how many each, the times)."""
        counts = self.bp_start[p + 1] - self.bp_start[p]
        first = np.repeat(self.bp_start[p], counts)
        offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        return counts, self.bp[first + offset]

    def position(self, p: IntArray, t: FloatArray) -> FloatArray:
        """ECEF position (m, shape (k, 3)) of paths *p* at times *t* (flat tangent frame)."""
        gs, psi, w = self.gs[p], self.trk_rad[p], self.w_rad[p]
        tt = np.minimum(t, self.t_turn[p])
        turning = w != 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            # 2 (gs / w) sin(w t / 2), written to stay exact as w t -> 0 (sinc form)
            half = 0.5 * w * tt
            dist = np.where(turning, gs * tt * np.sinc(half / np.pi), 0.0)
        bearing = psi + half
        de = dist * np.sin(bearing)
        dn = dist * np.cos(bearing)
        # straight on, from the end of the turn (or from the start: straight paths)
        psi_c = psi + w * tt
        rest = t - tt
        de = de + gs * rest * np.sin(psi_c)
        dn = dn + gs * rest * np.cos(psi_c)
        out: FloatArray = self.p0[p] + self.east[p] * de[:, None] + self.north[p] * dn[:, None]
        return out

    def straight_velocity(self, p: IntArray) -> FloatArray:
        """ECEF tangent velocity (m/s) at t = 0, as the linear engine computes it."""
        psi, gs = self.trk_rad[p], self.gs[p]
        ve, vn = gs * np.sin(psi), gs * np.cos(psi)
        out: FloatArray = self.east[p] * ve[:, None] + self.north[p] * vn[:, None]
        return out

    def altitude(self, p: IntArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Altitude (m) at *t* and vertical rate (m/s) just after *t* of paths *p*."""
        t_lo = self.t_lo[p]
        done = t >= t_lo
        alt = np.where(done, self.sel[p], self.alt[p] + self.vs[p] * t)
        return alt, np.where(done, 0.0, self.vs[p])


def hypothesis_rows(fleet: Fleet, lookahead_s: float) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Which aircraft level off within the look-ahead, and which turn steadily (both shape (n,))."""
    n = len(fleet)
    levels = np.zeros(n, dtype=bool)
    if fleet.sel_alt_m is not None:
        levels = level_off_s(fleet.alt_m, fleet.vs_mps, fleet.sel_alt_m) < lookahead_s
    turns = np.zeros(n, dtype=bool)
    if fleet.turn_dps is not None:
        turns = (np.abs(fleet.turn_dps) >= TURN_MIN_DPS) & (fleet.gs_mps > 0.0)
    return levels, turns
