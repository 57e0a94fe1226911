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

__all__ = ["brute_pairs", "grid_pairs", "grid_pairs_grouped", "sweep_boxes"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

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
    if lo.shape[0] < 2:
        return _EMPTY, _EMPTY.copy()
    lattice = _Lattice(lo, hi, cell, max_entries_per_box)
    i, j, _ = lattice.within(np.ones(lo.shape[0], dtype=bool))
    return i, j


def grid_pairs_grouped(
    lo: FloatArray,
    hi: FloatArray,
    cell: tuple[float, float, float, float],
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
    n = lo.shape[0]
    if n < 2:
        return _EMPTY, _EMPTY.copy(), _EMPTY.copy()
    lattice = _Lattice(lo, hi, cell, max_entries_per_box)
    heavy = [
        g for g in np.unique(group).tolist()
        if budget[g] >= 0 and lattice.count_within(group == g) > budget[g]
    ]  # fmt: skip
    if not heavy:
        i, j, _ = lattice.within(np.ones(n, dtype=bool))
        return i, j, _EMPTY.copy()
    light = ~np.isin(group, heavy)
    parts = [lattice.within(light)[:2]]
    for k, g in enumerate(heavy):
        mine = group == g
        parts.append(lattice.between(mine, light | np.isin(group, heavy[k + 1 :])))
        parts.append(lattice.within(mine, max_pairs=int(budget[g]))[:2])
    i = np.concatenate([p[0] for p in parts])
    j = np.concatenate([p[1] for p in parts])
    return i, j, np.asarray(heavy, dtype=np.intp)


_EMPTY = np.empty(0, dtype=np.intp)


class _Lattice:
    """One uniform 4-D grid over all the boxes, and the passes that find overlapping pairs in it.

    Each box has one entry per cell it touches; an entry's sort key is its cell, lifted by a
    whole-metre step larger than any altitude band, plus the bottom of its band, so that inside a
    cell an entry can only overlap in altitude the entries after it whose bottom is below its own
    top (a sweep). A pair is kept only in the cell of its boxes' intersection's low corner (the
    reference-point rule), so no global de-duplication is needed.
    """

    def __init__(self, lo: FloatArray, hi: FloatArray, cell: tuple[float, float, float, float],
                 max_entries_per_box: int) -> None:  # fmt: skip
        n = lo.shape[0]
        self.lo, self.hi = lo, hi
        size = np.asarray(cell, dtype=np.float64)
        origin = lo.min(axis=0)
        # memory guard: cells much smaller than the boxes would multiply entries; coarsen instead
        budget = max_entries_per_box * n
        while float(np.prod((hi - lo) / size + 2.0, axis=1).sum()) > budget:
            size = size * 2.0
        self.c_lo = np.floor((lo - origin) / size).astype(np.int64)
        c_hi = np.floor((hi - origin) / size).astype(np.int64)
        span = c_hi - self.c_lo + 1  # cells per axis per box, (n, 4)
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
        self.strides = np.array([dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1], dtype=np.int64)
        key = (self.c_lo @ self.strides)[owner]
        rem = local
        for axis in (3, 2, 1, 0):
            s_ax = span[owner, axis]
            key += (rem % s_ax) * self.strides[axis]
            rem = rem // s_ax
        # one float sort key; lifts are exact integers, and the sum rounds by < 2.5e-4 m below
        # 2**40, which the 1 cm search margin covers (the exact altitude test removes the extras)
        self.base_alt = float(lo[:, 3].min())
        step = float(math.ceil(2.0 * (float(hi[:, 3].max()) - self.base_alt) + 1.0))
        if float(key.max()) * step < 2.0**40:
            lift = key.astype(np.float64) * step
        else:  # a very fine grid: lift by the rank of the cell instead of its key
            lift = np.unique(key, return_inverse=True)[1].astype(np.float64) * step
        self.owner, self.key, self.lift = owner, key, lift

    def _sorted(self, boxes: BoolArray) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """The entries of the selected boxes by lifted key: (owner, cell key, lift, lifted bottom)."""
        sel = np.flatnonzero(boxes[self.owner])
        owner, key, lift = self.owner[sel], self.key[sel], self.lift[sel]
        lifted = lift + (self.lo[owner, 3] - self.base_alt)
        order = np.argsort(lifted, kind="stable")
        return owner[order], key[order], lift[order], lifted[order]

    def _tops(self, owner: IntArray, lift: FloatArray) -> FloatArray:
        return lift + (self.hi[owner, 3] - self.base_alt) + 0.01

    def _partners(self, boxes: BoolArray) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
        owner, key, lift, lifted = self._sorted(boxes)
        stop = np.searchsorted(lifted, self._tops(owner, lift), side="left")
        return owner, key, lifted, stop - np.arange(owner.shape[0]) - 1

    def count_within(self, boxes: BoolArray) -> int:
        """How many candidate pairs :meth:`within` would form among the selected boxes."""
        return int(self._partners(boxes)[3].sum())

    def within(self, boxes: BoolArray, max_pairs: int | None = None) -> tuple[IntArray, IntArray, bool]:
        """Overlapping pairs among the selected boxes; with *max_pairs*, only the entries' pairs
        that fit in it, in the sweep's order (and True: the answer was cut)."""
        owner, key, _, partners = self._partners(boxes)
        cut = False
        if max_pairs is not None and int(partners.sum()) > max_pairs:
            room = max_pairs - (np.cumsum(partners) - partners)
            partners = np.clip(np.minimum(partners, room), 0, None)
            cut = True
        n_pairs = int(partners.sum())
        if n_pairs == 0:
            return _EMPTY, _EMPTY.copy(), cut
        first = np.repeat(np.arange(owner.shape[0]), partners)
        offs = np.arange(n_pairs, dtype=np.int64) - np.repeat(np.cumsum(partners) - partners, partners)
        second = first + 1 + offs
        i, j = self._exact(owner[first], owner[second], key[first])
        return i, j, cut

    def between(self, boxes_a: BoolArray, boxes_b: BoolArray) -> tuple[IntArray, IntArray]:
        """Overlapping pairs of one box of *boxes_a* and one of *boxes_b* (disjoint selections);
        pairs inside either selection are never formed. Each pair is found from the side whose
        band starts lower (A on a tie, in lifted keys: the two searches exclude each other)."""
        own_a, key_a, lift_a, low_a = self._sorted(boxes_a)
        own_b, key_b, lift_b, low_b = self._sorted(boxes_b)
        firsts, seconds, cells = [], [], []
        for o1, k1, l1, low1, low2, o2, side in (
            (own_a, key_a, lift_a, low_a, low_b, own_b, "left"),
            (own_b, key_b, lift_b, low_b, low_a, own_a, "right"),
        ):
            start = np.searchsorted(low2, low1, side=side)
            stop = np.searchsorted(low2, self._tops(o1, l1), side="left")
            count = np.clip(stop - start, 0, None)
            m = int(count.sum())
            if m == 0:
                continue
            rows = np.repeat(np.arange(o1.shape[0]), count)
            offs = np.arange(m, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
            firsts.append(o1[rows])
            seconds.append(o2[np.repeat(start, count) + offs])
            cells.append(k1[rows])
        if not firsts:
            return _EMPTY, _EMPTY.copy()
        return self._exact(np.concatenate(firsts), np.concatenate(seconds), np.concatenate(cells))

    def _exact(self, a: IntArray, b: IntArray, cell_key: IntArray) -> tuple[IntArray, IntArray]:
        """The candidate pairs whose boxes really overlap, each kept in its reference cell only."""
        lo, hi = self.lo, self.hi
        # one axis at a time (altitude first: the most selective), compacting as we go
        for axis in (3, 0, 1, 2):
            lo_ax = np.ascontiguousarray(lo[:, axis])
            hi_ax = np.ascontiguousarray(hi[:, axis])
            keep = (lo_ax[a] < hi_ax[b]) & (lo_ax[b] < hi_ax[a])
            a, b, cell_key = a[keep], b[keep], cell_key[keep]
        ref_key = np.maximum(self.c_lo[a], self.c_lo[b]) @ self.strides
        keep = ref_key == cell_key
        a, b = a[keep], b[keep]
        return np.minimum(a, b), np.maximum(a, b)
