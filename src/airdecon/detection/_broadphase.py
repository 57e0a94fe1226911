"""The broad phase: which pairs of aircraft could possibly lose separation within the look-ahead.

Each aircraft sweeps a straight segment in ECEF over the look-ahead; its axis-aligned bounding box,
grown by half the (conservatively inflated) horizontal minimum, together with its altitude band grown
by half the vertical minimum, is a 4-D box. Two aircraft can only lose separation if their boxes
overlap. Boxes are hashed into a uniform grid of cells over the three ECEF axes (no antimeridian or
pole special case); inside each cell, entries are sorted by the bottom of their altitude band and
swept, so only altitude-overlapping pairs are formed (altitude is never hashed: it would only add
entries). A pair is kept in exactly one cell, the one holding the lowest corner of the boxes'
intersection (the reference-point rule), so no global de-duplication is needed. Everything is
vectorised with numpy, with no Python loop over boxes or pairs; memory grows with the number of
candidate pairs, not with N².

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

from airdecon.detection._lattice import Lattice
from airdecon.units import FloatArray

__all__ = [
    "brute_pairs", "grid_pairs", "grid_pairs_grouped", "grid_pairs_spatial", "sweep_boxes", "swept_boxes_t",
]  # fmt: skip

IntArray = npt.NDArray[np.intp]
_EMPTY = np.empty(0, dtype=np.intp)

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
    lo_t, hi_t = swept_boxes_t(pos, vel, alt_m, vs_mps, lookahead_s, h_max_m, v_max_m)
    return lo_t.T, hi_t.T


def swept_boxes_t(
    pos: FloatArray,
    vel: FloatArray,
    alt_m: FloatArray,
    vs_mps: FloatArray,
    lookahead_s: float,
    h_max_m: float,
    v_max_m: float,
) -> tuple[FloatArray, FloatArray]:
    """:func:`sweep_boxes` with one contiguous row per axis: lo, hi of shape (4, n)."""
    n = pos.shape[0]
    speed_max = math.sqrt(float(np.einsum("ij,ij->i", vel, vel).max())) if n else 0.0
    travel = 2.0 * speed_max * lookahead_s
    out_of_plane = travel * (h_max_m + travel) / (2.0 * _R_MIN)
    half_h = 0.5 * math.hypot(h_max_m, out_of_plane) * 1.001 + 1.0
    half_v = 0.5 * v_max_m * 1.001 + 0.01
    lo = np.empty((4, n))
    hi = np.empty((4, n))
    start = pos.T
    end = vel.T * lookahead_s
    end += start
    np.minimum(start, end, out=lo[:3])
    np.maximum(start, end, out=hi[:3])
    lo[:3] -= half_h
    hi[:3] += half_h
    alt_end = vs_mps * lookahead_s
    alt_end += alt_m
    np.minimum(alt_m, alt_end, out=lo[3])
    np.maximum(alt_m, alt_end, out=hi[3])
    lo[3] -= half_v
    hi[3] += half_v
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
    cell: tuple[float, ...],
    *,
    max_entries_per_box: int = 256,
) -> tuple[IntArray, IntArray]:
    """Pairs (i < j) whose 4-D boxes overlap, found through a uniform grid.

    Parameters
    ----------
    lo, hi : arrays of shape (n, 4)
        Box corners.
    cell : 3 floats
        Cell size along each ECEF axis (same units as the boxes). Altitude is never hashed, it is
        swept inside each cell: a fourth value (an altitude cell size) is accepted and ignored.
    max_entries_per_box : int
        Memory guard: when boxes would touch more cells than this on average, all cell sizes are
        doubled until they do not (the answer is the same; only the work changes).

    Returns
    -------
    i, j : int arrays of shape (m,), with i < j; each overlapping pair exactly once.
    """
    i, j, _, perm = grid_pairs_spatial(lo, hi, cell, max_entries_per_box=max_entries_per_box)
    return _unnumber(i, j, perm)


def grid_pairs_grouped(
    lo: FloatArray,
    hi: FloatArray,
    cell: tuple[float, ...],
    group: IntArray,
    budget: IntArray,
    *,
    max_entries_per_box: int = 256,
) -> tuple[IntArray, IntArray, IntArray]:
    """Like :func:`grid_pairs`, with the pairs inside each group bounded by the group's budget.

    A group (a party) whose own candidate pairs would exceed ``budget[g]`` (``-1``: no bound)
    costs its budget, not the square of its size: its pairs with every other box are still all
    found (box against box between the groups, so its own pairs are never formed), and of its
    own pairs only the first ``budget[g]`` in the grid's order are. Without such a group the
    answer is exactly :func:`grid_pairs`'s.

    Parameters
    ----------
    group : int array of shape (n,)
        Each box's group code, ``0 <= group < len(budget)``.
    budget : int array
        Per group code, the most own candidate pairs formed (``-1``: unbounded).

    Returns
    -------
    i, j : int arrays, i < j
    capped : int array
        The group codes whose own pairs were cut to their budget.
    """
    i, j, capped, perm = grid_pairs_spatial(
        lo, hi, cell, group, budget, max_entries_per_box=max_entries_per_box
    )
    i, j = _unnumber(i, j, perm)
    return i, j, capped


def grid_pairs_spatial(
    lo: FloatArray,
    hi: FloatArray,
    cell: tuple[float, ...],
    group: IntArray | None = None,
    budget: IntArray | None = None,
    *,
    max_entries_per_box: int = 256,
) -> tuple[IntArray, IntArray, IntArray, IntArray | None]:
    """:func:`grid_pairs_grouped` (:func:`grid_pairs` without *group*), answered in the grid's own
    numbering when it has one: (i, j, capped, perm), where box ``perm[k]`` is number k (i < j in
    those numbers), or perm None and the boxes' own numbers. The grid numbers boxes in the order
    of its sweep, cell after cell, so that gathering the data of a pair's two boxes reads nearby
    memory: the engine renumbers its aircraft the same way for the narrow phase.
    """
    n = lo.shape[0]
    if n < 2:
        return _EMPTY, _EMPTY.copy(), _EMPTY.copy(), None
    lattice = Lattice(lo, hi, cell, max_entries_per_box)
    heavy: list[int] = []
    if group is not None and budget is not None and (budget >= 0).any():
        own = lattice.count_within_groups(group, budget.shape[0])
        heavy = np.flatnonzero((budget >= 0) & (own > budget)).tolist()
    if not heavy:
        i, j, perm = lattice.within_all()
        return i, j, _EMPTY.copy(), perm
    assert group is not None and budget is not None
    light = ~np.isin(group, heavy)
    parts = [lattice.within(light)[:2]]
    for k, g in enumerate(heavy):
        mine = group == g
        parts.append(lattice.between(mine, light | np.isin(group, heavy[k + 1 :])))
        parts.append(lattice.within(mine, max_pairs=int(budget[g]))[:2])
    i = np.concatenate([p[0] for p in parts])
    j = np.concatenate([p[1] for p in parts])
    return i, j, np.asarray(heavy, dtype=np.intp), None


def _unnumber(i: IntArray, j: IntArray, perm: IntArray | None) -> tuple[IntArray, IntArray]:
    """Pairs in the grid's numbering back in the boxes' own, i < j."""
    if perm is None:
        return i, j
    a, b = perm.take(i), perm.take(j)
    return np.minimum(a, b), np.maximum(a, b)
