"""The narrow phase: exact loss-of-separation intervals for pairs in straight, constant-rate flight.

Inputs are *relative* states, already in a common frame, one row per pair. The horizontal part works
in any dimension (2-D flat plane for the hand-derived vectors, 3-D vectors confined to the pair's
tangent plane for the globe); the vertical part always uses altitude differences.

Semantics (see ``docs/engine.md``):

* horizontal loss: ``|s + w t| < H``. With ``a = w.w``, ``b = s.w``, the roots of
  ``a t^2 + 2 b t + (s.s - H^2) = 0`` bound the interval; the discriminant is computed as
  ``a H^2 - |s x w|^2`` (no cancellation between two large squares) and the roots in the stable
  form ``q = -(b + sign(b) sqrt(disc))``, ``t = q/a`` and ``c/q``;
* vertical loss: ``|dz + dvz t| < V``;
* conflict: the open intervals overlap somewhere in ``[0, lookahead]``.

Numerical conventions: relative motion that moves a pair less than ``STILL_M`` (1 mm) over the whole
look-ahead is treated as none (the interval is then "always" or "never", ``t_out = inf``); an overlap
shorter than ``MIN_OVERLAP_S`` (1 us) is a touch, not a loss, as exact tangency is under the strict
``<`` of the minima.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airdecon.units import FloatArray

__all__ = [
    "BOUNDARY_M",
    "MIN_OVERLAP_S",
    "STILL_M",
    "PairGeometry",
    "closest_approach",
    "los_intervals",
    "los_window",
]

BOUNDARY_M: float = 1e-6
"""A separation within this of a minimum counts as *at* the minimum, which is separated (metres):
far below any measurement, far above the rounding of feet and nautical miles to metres."""

STILL_M: float = 1e-3
"""Relative motion over the look-ahead below which a pair counts as not moving (metres)."""
MIN_OVERLAP_S: float = 1e-6
"""Overlaps of the horizontal and vertical loss intervals shorter than this are touches (s)."""


@dataclass(frozen=True)
class PairGeometry:
    """Per-pair results of :func:`los_intervals`, all arrays of shape (m,).

    Attributes
    ----------
    conflict : bool array
        Loss of separation at some time in ``[0, lookahead]``.
    t_in_s : float array
        Start of the loss of separation, clamped to 0 when already lost (only meaningful where
        ``conflict``).
    t_out_s : float array
        End of the loss of separation; may exceed the look-ahead; ``inf`` when never regained.
    tcpa_s : float array
        Time of horizontal closest approach from now on (>= 0; 0 when diverging or not moving).
    dcpa_m : float array
        Horizontal distance at ``tcpa_s``, metres.
    dalt_cpa_m : float array
        Vertical distance at ``tcpa_s``, metres (from altitudes).
    """

    conflict: npt.NDArray[np.bool_]
    t_in_s: FloatArray
    t_out_s: FloatArray
    tcpa_s: FloatArray
    dcpa_m: FloatArray
    dalt_cpa_m: FloatArray


def los_intervals(
    s: FloatArray,
    w: FloatArray,
    dz: FloatArray,
    dvz: FloatArray,
    h_m: FloatArray | float,
    v_m: FloatArray | float,
    lookahead_s: float,
    h_growth_mps: FloatArray | float = 0.0,
) -> PairGeometry:
    """Exact loss-of-separation intervals for m pairs.

    Parameters
    ----------
    s : array of shape (m, d)
        Horizontal relative position (B - A), metres, d = 2 or 3.
    w : array of shape (m, d)
        Horizontal relative velocity (B - A), m/s, in the same frame.
    dz : array of shape (m,)
        Altitude of B minus altitude of A, metres.
    dvz : array of shape (m,)
        Vertical rate of B minus that of A, m/s.
    h_m, v_m : float or array of shape (m,)
        Horizontal and vertical minima, metres.
    lookahead_s : float
        Look-ahead, seconds.
    h_growth_mps : float or array of shape (m,), optional
        Growth rate of the horizontal minimum with prediction time (velocity uncertainty), m/s:
        the loss condition becomes ``|s + w t| < h_m + h_growth_mps * t``. Default 0.
    """
    conflict, lo, hi = los_window(s, w, dz, dvz, h_m, v_m, lookahead_s, h_growth_mps)
    tcpa, dcpa, dalt = closest_approach(s, w, dz, dvz, lookahead_s)
    return PairGeometry(
        conflict=conflict,
        t_in_s=np.maximum(lo, 0.0),
        t_out_s=hi,
        tcpa_s=tcpa,
        dcpa_m=dcpa,
        dalt_cpa_m=dalt,
    )


def los_window(
    s: FloatArray,
    w: FloatArray,
    dz: FloatArray,
    dvz: FloatArray,
    h_m: FloatArray | float,
    v_m: FloatArray | float,
    lookahead_s: float,
    h_growth_mps: FloatArray | float = 0.0,
) -> tuple[npt.NDArray[np.bool_], FloatArray, FloatArray]:
    """The decision part of :func:`los_intervals`: (conflict, start, end) of each pair's loss of
    separation, the start not yet clamped to 0 (arguments as there)."""
    # loss of separation is "< minimum": exactly at the minimum is separated, whatever the units
    # (two levels 1,000 ft apart, converted to metres, differ by 304.8 +- 1e-12 m)
    h = np.asarray(h_m, dtype=np.float64) - BOUNDARY_M
    v = np.asarray(v_m, dtype=np.float64) - BOUNDARY_M
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = _dot(w, w)
        b = _dot(s, w)
        ss = _dot(s, s)
        c = ss - h * h
        sc, wc = s.T, w.T  # one row per coordinate
        if s.shape[1] == 2:
            cross2 = (sc[0] * wc[1] - sc[1] * wc[0]) ** 2
        else:
            cx = sc[1] * wc[2] - sc[2] * wc[1]
            cy = sc[2] * wc[0] - sc[0] * wc[2]
            cz = sc[0] * wc[1] - sc[1] * wc[0]
            cx *= cx
            cy *= cy
            cz *= cz
            cross2 = cx + cy
            cross2 += cz
        g = np.asarray(h_growth_mps, dtype=np.float64)
        # |s + w t|^2 < (h + g t)^2  <=>  a2 t^2 + 2 b2 t + c < 0, with g = 0 the plain case
        disc = a * h * h
        disc -= cross2
        if g.ndim or float(g) != 0.0:
            a2 = a - g * g
            b2 = b - h * g
            disc += g * (g * ss - 2.0 * b * h)
        else:  # the same numbers, without the operations by zero
            a2, b2 = a, b
        still = np.abs(a2) * (lookahead_s * lookahead_s) < STILL_M * STILL_M
        # pruning before the roots: a pair opening upwards with no real root never comes within
        # the minimum (about 3 candidate pairs in 4 at the bench density); the rest is solved on
        # the live rows only, with the same operations
        live = np.flatnonzero((disc > 0.0) | still | (a2 < 0.0))
        m = a.shape[0]
        lo = np.full(m, np.inf)
        hi = np.full(m, -np.inf)
        conflict = np.zeros(m, dtype=bool)
        if live.shape[0] == 0:
            return conflict, lo, hi
        if live.shape[0] < m:
            a2, b2, c, disc, ss = (x.take(live) for x in (a2, b2, c, disc, ss))
            still = still.take(live)
            dz, dvz = np.asarray(dz).take(live), np.asarray(dvz).take(live)
            h = np.broadcast_to(h, (m,)).take(live) if h.ndim else h
            v = np.broadcast_to(v, (m,)).take(live) if v.ndim else v
        sq = np.sqrt(np.maximum(disc, 0.0))
        q = np.copysign(sq, b2)
        q += b2
        np.negative(q, out=q)
        r1 = q / a2
        r2 = c / q
        # opening upwards (the usual case): inside between the roots
        up_hit = (a2 > 0.0) & (disc > 0.0)
        h_in = np.where(up_hit, np.minimum(r1, r2), np.inf)
        h_out = np.where(up_hit, np.maximum(r1, r2), -np.inf)
        odd = np.flatnonzero(still | (a2 < 0.0))
        if odd.shape[0]:  # rare rows: no relative motion, or the minimum outgrowing it
            h_in[odd], h_out[odd] = _odd_rows(
                still[odd], a2[odd], b2[odd], c[odd], ss[odd], np.broadcast_to(h, a2.shape)[odd],
                np.maximum(r1[odd], r2[odd]), lookahead_s,
            )  # fmt: skip

        vstill = np.abs(dvz) * lookahead_s < STILL_M
        t1 = (-v - dz) / dvz
        t2 = (v - dz) / dvz
        level = np.where(np.abs(dz) < v, -np.inf, np.inf)
        v_in = np.where(vstill, level, np.minimum(t1, t2))
        np.negative(level, out=level)
        v_out = np.where(vstill, level, np.maximum(t1, t2))

        lo_live = np.maximum(h_in, v_in)
        hi_live = np.minimum(h_out, v_out)
        # hi - lo is nan for (inf, inf) or (-inf, -inf): both mean "no overlap"
        hit = (hi_live - lo_live) > MIN_OVERLAP_S
        hit &= hi_live > 0.0
        hit &= lo_live < lookahead_s
        lo[live], hi[live], conflict[live] = lo_live, hi_live, hit
    return conflict, lo, hi


def _odd_rows(
    still: npt.NDArray[np.bool_],
    a2: FloatArray,
    b2: FloatArray,
    c: FloatArray,
    ss: FloatArray,
    h: FloatArray,
    hi_root: FloatArray,
    lookahead_s: float,
) -> tuple[FloatArray, FloatArray]:
    """Horizontal loss interval of the rows that do not open upwards (see :func:`los_window`)."""
    inside_now = c < 0.0
    # uncertainty outgrowing the relative speed: once inside, inside for good
    h_in = np.where(inside_now, -np.inf, hi_root)
    h_out = np.full(a2.shape, np.inf)
    # no quadratic term worth the name: a linear inequality 2 b2 t + c < 0 ...
    lin_root = -c / (2.0 * b2)
    lin_in = np.where(b2 > 0.0, -np.inf, lin_root)
    lin_out = np.where(b2 > 0.0, lin_root, np.inf)
    # ... or none at all: the range (and the minimum) stay put over the look-ahead
    scale = np.maximum(np.sqrt(ss), h)
    flat = still & (np.abs(b2) * lookahead_s < scale * STILL_M)
    lin_in = np.where(flat, np.where(inside_now, -np.inf, np.inf), lin_in)
    lin_out = np.where(flat, np.where(inside_now, np.inf, -np.inf), lin_out)
    return np.where(still, lin_in, h_in), np.where(still, lin_out, h_out)


def closest_approach(
    s: FloatArray, w: FloatArray, dz: FloatArray, dvz: FloatArray, lookahead_s: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Horizontal closest approach from now on: (tcpa_s, dcpa_m, dalt_cpa_m), as in
    :class:`PairGeometry` (arguments as in :func:`los_intervals`)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = _dot(w, w)
        b = _dot(s, w)
        tcpa = np.where(a * (lookahead_s * lookahead_s) < STILL_M * STILL_M, 0.0, np.maximum(-b / a, 0.0))
        tcpa = np.where(np.isfinite(tcpa), tcpa, 0.0)
        rel = s.T + w.T * tcpa
        dcpa = np.sqrt(_dot(rel.T, rel.T))
        dalt = np.abs(dz + dvz * tcpa)
    return tcpa, dcpa, dalt


def _dot(x: FloatArray, y: FloatArray) -> FloatArray:
    """Row-wise dot products of two (m, d) arrays, on one row per coordinate. For d = 3 the terms
    are summed as (x0 y0 + x2 y2) + x1 y1, the order numpy's ``einsum("ij,ij->i")`` uses, so the
    engine's figures did not move by a bit when it stopped calling it."""
    xc, yc = x.T, y.T
    out: FloatArray = xc[0] * yc[0]
    for k in (2, 1) if x.shape[1] == 3 else range(1, x.shape[1]):
        out += xc[k] * yc[k]
    return out
