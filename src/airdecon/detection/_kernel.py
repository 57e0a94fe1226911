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

__all__ = ["BOUNDARY_M", "MIN_OVERLAP_S", "STILL_M", "PairGeometry", "los_intervals"]

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
    # loss of separation is "< minimum": exactly at the minimum is separated, whatever the units
    # (two levels 1,000 ft apart, converted to metres, differ by 304.8 +- 1e-12 m)
    h = np.asarray(h_m, dtype=np.float64) - BOUNDARY_M
    v = np.asarray(v_m, dtype=np.float64) - BOUNDARY_M
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = np.einsum("ij,ij->i", w, w)
        b = np.einsum("ij,ij->i", s, w)
        ss = np.einsum("ij,ij->i", s, s)
        c = ss - h * h
        if s.shape[1] == 2:
            cross2 = (s[:, 0] * w[:, 1] - s[:, 1] * w[:, 0]) ** 2
        else:
            cx = s[:, 1] * w[:, 2] - s[:, 2] * w[:, 1]
            cy = s[:, 2] * w[:, 0] - s[:, 0] * w[:, 2]
            cz = s[:, 0] * w[:, 1] - s[:, 1] * w[:, 0]
            cross2 = cx * cx + cy * cy + cz * cz
        g = np.asarray(h_growth_mps, dtype=np.float64)
        # |s + w t|^2 < (h + g t)^2  <=>  a2 t^2 + 2 b2 t + c < 0, with g = 0 the plain case
        a2 = a - g * g
        b2 = b - h * g
        still = np.abs(a2) * (lookahead_s * lookahead_s) < STILL_M * STILL_M
        disc = (a * h * h - cross2) + g * (g * ss - 2.0 * b * h)
        sq = np.sqrt(np.maximum(disc, 0.0))
        q = -(b2 + np.copysign(sq, b2))
        r1 = q / a2
        r2 = c / q
        lo_root = np.minimum(r1, r2)
        hi_root = np.maximum(r1, r2)
        inside_now = c < 0.0
        # opening upwards (the usual case): inside between the roots
        up_hit = (a2 > 0.0) & (disc > 0.0)
        h_in = np.where(up_hit, lo_root, np.inf)
        h_out = np.where(up_hit, hi_root, -np.inf)
        # uncertainty outgrowing the relative speed: once inside, inside for good
        down = ~still & (a2 < 0.0)
        h_in = np.where(down, np.where(inside_now, -np.inf, hi_root), h_in)
        h_out = np.where(down, np.inf, h_out)
        # no quadratic term worth the name: a linear inequality 2 b2 t + c < 0 ...
        lin_root = -c / (2.0 * b2)
        lin_in = np.where(b2 > 0.0, -np.inf, lin_root)
        lin_out = np.where(b2 > 0.0, lin_root, np.inf)
        # ... or none at all: the range (and the minimum) stay put over the look-ahead
        scale = np.maximum(np.sqrt(ss), h)
        flat = still & (np.abs(b2) * lookahead_s < scale * STILL_M)
        lin_in = np.where(flat, np.where(inside_now, -np.inf, np.inf), lin_in)
        lin_out = np.where(flat, np.where(inside_now, np.inf, -np.inf), lin_out)
        h_in = np.where(still, lin_in, h_in)
        h_out = np.where(still, lin_out, h_out)

        vstill = np.abs(dvz) * lookahead_s < STILL_M
        t1 = (-v - dz) / dvz
        t2 = (v - dz) / dvz
        level_in = np.abs(dz) < v
        v_in = np.where(vstill, np.where(level_in, -np.inf, np.inf), np.minimum(t1, t2))
        v_out = np.where(vstill, np.where(level_in, np.inf, -np.inf), np.maximum(t1, t2))

        lo = np.maximum(h_in, v_in)
        hi = np.minimum(h_out, v_out)
        # hi - lo is nan for (inf, inf) or (-inf, -inf): both mean "no overlap"
        overlap = (hi - lo) > MIN_OVERLAP_S
        conflict = overlap & (hi > 0.0) & (lo < lookahead_s)

        tcpa = np.where(a * (lookahead_s * lookahead_s) < STILL_M * STILL_M, 0.0, np.maximum(-b / a, 0.0))
        tcpa = np.where(np.isfinite(tcpa), tcpa, 0.0)
        rel = s + w * tcpa[:, None]
        dcpa = np.sqrt(np.einsum("ij,ij->i", rel, rel))
        dalt = np.abs(dz + dvz * tcpa)
    return PairGeometry(
        conflict=conflict,
        t_in_s=np.maximum(lo, 0.0),
        t_out_s=hi,
        tcpa_s=tcpa,
        dcpa_m=dcpa,
        dalt_cpa_m=dalt,
    )
