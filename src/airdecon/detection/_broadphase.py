"""The broad phase: which pairs of aircraft could possibly lose separation within the look-ahead.

Each aircraft sweeps a straight segment in ECEF over the look-ahead; its axis-aligned bounding box,
grown by half the (conservatively inflated) horizontal minimum, together with its altitude band grown
by half the vertical minimum, is a 4-D box. Two aircraft can only lose separation if their boxes
overlap. Boxes are hashed into a uniform grid of 4-D cells (three ECEF axes and altitude: no
antimeridian or pole special case); pairs are formed only inside cells, and a pair is kept in exactly
one cell, the one holding the lowest corner of the boxes' intersection (the reference-point rule),
so no global de-duplication is needed. Everything is vectorised with numpy; memory grows with the
number of candidate pairs, not with N².

Why the inflation: the narrow phase measures distance *projected* onto the pair's tangent plane,
which can be smaller than the 3-D ECEF distance by the out-of-plane part of the relative motion.
That part is bounded by ``L (H + L) / (2 R)`` for combined travel L and minimum H, so each box grows
by half of ``sqrt(H^2 + out^2)`` instead of ``H/2``.

Backends: ``grid`` (above) and ``brute`` (every pair, in bounded chunks) return the same candidate
superset contract: every pair that can conflict is in it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from airdecon.units import FloatArray

__all__ = ["brute_pairs", "grid_pairs", "sweep_boxes"]

IntArray = npt.NDArray[np.intp]

_R_MIN = 6.30e6  # a little under the smallest WGS84 radius of curvature (6335 km), metres


def sweep_boxes(
    pos: FloatArray,
    vel: FloatArray,
    alt_m: FloatArray,
    vs_mps: FloatArray,
    lookahead_s: float,
    h_max_m: float,
    v_max_m: float,
) -> tuple[FloatArray, FloatArray]:
    """4-D boxes (x, y, z, altitude) swept by each aircraft over the look-ahead.

    Parameters
    ----------
    pos, vel : arrays of shape (n, 3)
        ECEF position (m) and velocity (m/s).
    alt_m, vs_mps : arrays of shape (n,)
        Altitude (m) and vertical rate (m/s).
    lookahead_s, h_max_m, v_max_m : float
        Look-ahead (s) and the largest minima any pair can have (m).

    Returns
    -------
    lo, hi : arrays of shape (n, 4)
    """
    n = pos.shape[0]
    end = pos + vel * lookahead_s
    speed_max = float(np.sqrt((vel * vel).sum(axis=1)).max()) if n else 0.0
    travel = 2.0 * speed_max * lookahead_s
    out_of_plane = travel * (h_max_m + travel) / (2.0 * _R_MIN)
    half_h = 0.5 * math.hypot(h_max_m, out_of_plane) * 1.001 + 1.0
    half_v = 0.5 * v_max_m * 1.001 + 0.01
    lo = np.empty((n, 4))
    hi = np.empty((n, 4))
    np.minimum(pos, end, out=lo[:, :3])
    np.maximum(pos, end, out=hi[:, :3])
    lo[:, :3] -= half_h
    hi[:, :3] += half_h
    alt_end = alt_m + vs_mps * lookahead_s
    lo[:, 3] = np.minimum(alt_m, alt_end) - half_v
    hi[:, 3] = np.maximum(alt_m, alt_end) + half_v
    return lo, hi


def brute_pairs(n: int, chunk: int = 1 << 22) -> Iterator[tuple[IntArray, IntArray]]:
    """Every pair i < j, yielded in chunks of about *chunk* pairs (bounded memory)."""
    if n < 2:
        return
    rows_per_chunk = max(1, chunk // n)
    for start in range(0, n - 1, rows_per_chunk):
        stop = min(n - 1, start + rows_per_chunk)
        i_idx, j_idx = [], []
        for i in range(start, stop):
            j = np.arange(i + 1, n, dtype=np.intp)
            i_idx.append(np.full(j.shape[0], i, dtype=np.intp))
            j_idx.append(j)
        yield np.concatenate(i_idx), np.concatenate(j_idx)


def grid_pairs(
    lo: FloatArray,
    hi: FloatArray,
    cell: tuple[float, float, float, float],
    *,
    max_entries_per_box: int = 256,
) -> tuple[IntArray, IntArray]:
    """Pairs (i < j) whose 4-D boxes overlap, found through a uniform grid.

    Parameters
    ----------
    lo, hi : arrays of shape (n, 4)
        Box corners.
    cell : 4 floats
        Cell size along each axis (same units as the boxes).
    max_entries_per_box : int
        Memory guard: when boxes would touch more cells than this on average, all cell sizes are
        doubled until they do not (the answer is the same; only the work changes).

    Returns
    -------
    i, j : int arrays of shape (m,), with i < j; each overlapping pair exactly once.
    """
    n = lo.shape[0]
    if n < 2:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty.copy()
    size = np.asarray(cell, dtype=np.float64)
    origin = lo.min(axis=0)
    # memory guard: cells much smaller than the boxes would multiply entries; coarsen instead
    budget = max_entries_per_box * n
    while float(np.prod((hi - lo) / size + 2.0, axis=1).sum()) > budget:
        size = size * 2.0
    c_lo = np.floor((lo - origin) / size).astype(np.int64)
    c_hi = np.floor((hi - origin) / size).astype(np.int64)
    span = c_hi - c_lo + 1  # cells per axis per box, (n, 4)
    dims = c_hi.max(axis=0) + 1
    if float(np.prod(dims.astype(np.float64))) >= 2.0**62:
        raise OverflowError("grid too fine for the extent of the fleet")
    per_box = span.prod(axis=1)
    total = int(per_box.sum())

    # one entry per (box, cell it touches): decompose a running offset into per-axis steps
    owner = np.repeat(np.arange(n, dtype=np.intp), per_box)
    starts = np.cumsum(per_box) - per_box
    local = np.arange(total, dtype=np.int64) - np.repeat(starts, per_box)
    # cell key = base key of the box's low cell + per-axis steps times the axis strides
    strides = np.array([dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1], dtype=np.int64)
    base = c_lo @ strides
    key = base[owner]
    rem = local
    for axis in (3, 2, 1, 0):
        s_ax = span[owner, axis]
        key += (rem % s_ax) * strides[axis]
        rem = rem // s_ax

    # Sort entries by cell, then by the bottom of their altitude band: inside a cell, an entry can
    # only overlap in altitude the entries after it whose bottom is below its own top (a sweep).
    # one float sort key: the cell key lifted by a whole-metre step larger than any altitude band,
    # plus the band's bottom. Lifts are exact integers; the sum rounds by < 2.5e-4 m below 2**40,
    # which the 1 cm search margin covers (the exact altitude test below removes the extra pairs).
    base_alt = float(lo[:, 3].min())
    step = float(math.ceil(2.0 * (float(hi[:, 3].max()) - base_alt) + 1.0))
    alt_lo = lo[owner, 3] - base_alt
    if float(key.max()) * step < 2.0**40:
        lift = key.astype(np.float64) * step
        order = np.argsort(lift + alt_lo)
    else:  # a very fine grid: lift by the rank of the cell instead of its key
        order = np.lexsort((alt_lo, key))
        lift = np.unique(key, return_inverse=True)[1].astype(np.float64) * step
    key = key[order]
    owner = owner[order]
    lift = lift[order]
    lifted = lift + alt_lo[order]
    stop = np.searchsorted(lifted, lift + (hi[owner, 3] - base_alt) + 0.01, side="left")
    partners = stop - np.arange(total) - 1
    n_pairs = int(partners.sum())
    if n_pairs == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty.copy()
    first = np.repeat(np.arange(total), partners)
    offs = np.arange(n_pairs, dtype=np.int64) - np.repeat(np.cumsum(partners) - partners, partners)
    second = first + 1 + offs
    a = owner[first]
    b = owner[second]
    cell_key = key[first]

    # exact box overlap, one axis at a time (altitude first: the most selective), compacting as we go
    for axis in (3, 0, 1, 2):
        lo_ax = np.ascontiguousarray(lo[:, axis])
        hi_ax = np.ascontiguousarray(hi[:, axis])
        keep = (lo_ax[a] < hi_ax[b]) & (lo_ax[b] < hi_ax[a])
        a, b, cell_key = a[keep], b[keep], cell_key[keep]
    # keep the pair only in the cell of the intersection's low corner (reference-point rule)
    ref = np.maximum(c_lo[a], c_lo[b])
    ref_key = ref @ strides
    keep = ref_key == cell_key
    a = a[keep]
    b = b[keep]
    i = np.minimum(a, b)
    j = np.maximum(a, b)
    return i, j
