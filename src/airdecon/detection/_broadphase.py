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

import itertools
import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from airdecon.units import FloatArray

__all__ = ["brute_pairs", "grid_pairs", "grid_pairs_grouped", "sweep_boxes", "swept_boxes_t"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

BLOCK_PAIRS = 16_384
"""Pairs formed per block of the sweep: small enough for the temporaries to stay in cache."""
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
    if lo.shape[0] < 2:
        return _EMPTY, _EMPTY.copy()
    lattice = _Lattice(lo, hi, cell, max_entries_per_box)
    i, j, _ = lattice.within(None)
    return i, j


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
    n = lo.shape[0]
    if n < 2:
        return _EMPTY, _EMPTY.copy(), _EMPTY.copy()
    lattice = _Lattice(lo, hi, cell, max_entries_per_box)
    heavy = [
        g for g in np.unique(group).tolist()
        if budget[g] >= 0 and lattice.count_within(group == g) > budget[g]
    ]  # fmt: skip
    if not heavy:
        i, j, _ = lattice.within(None)
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
    """One uniform grid over the boxes' three ECEF axes, and the passes that find overlapping pairs.

    Each box has one entry per cell it touches; an entry's sort key is its cell, lifted by a
    whole-metre step larger than any altitude band, plus the bottom of its band, so that inside a
    cell an entry can only overlap in altitude the entries after it whose bottom is below its own
    top (a sweep: altitude is swept exactly, never hashed, so it costs no extra entries). A pair
    is kept only in the cell of its boxes' intersection's low corner (the reference-point rule),
    so no global de-duplication is needed: as that cell is touched by both boxes, on every axis it
    is the low cell of one of them, which each entry carries as one bit per axis.
    """

    _ALL_LOW = 0b111

    def __init__(self, lo: FloatArray, hi: FloatArray, cell: tuple[float, ...],
                 max_entries_per_box: int) -> None:  # fmt: skip
        n = lo.shape[0]
        # one contiguous row per axis: the pair tests gather from them
        self.lo_t, self.hi_t = np.ascontiguousarray(lo.T), np.ascontiguousarray(hi.T)
        size = np.asarray(cell[:3], dtype=np.float64)
        lo3, hi3 = lo[:, :3], hi[:, :3]
        origin = lo3.min(axis=0)
        while True:
            c_lo = np.floor((lo3 - origin) / size).astype(np.int64)
            span = np.floor((hi3 - origin) / size).astype(np.int64)
            span -= c_lo
            span += 1  # cells per axis per box, (n, 3)
            # memory guard: cells much smaller than the boxes would multiply entries; coarsen instead
            if float(span.prod(axis=1).sum()) <= max_entries_per_box * n:
                break
            size = size * 2.0
        dims = (c_lo + span).max(axis=0)
        if float(np.prod(dims.astype(np.float64))) >= 2.0**62:
            raise OverflowError("grid too fine for the extent of the fleet")
        strides = (int(dims[1] * dims[2]), int(dims[2]), 1)

        # one entry per (box, cell it touches), one axis at a time; on each axis every entry's
        # first cell is the box's low cell (bit set), and entries that reach further get copies
        owner = np.arange(n, dtype=np.intp)
        key = c_lo[:, 0] * strides[0] + c_lo[:, 1] * strides[1] + c_lo[:, 2]
        low = np.zeros(n, dtype=np.uint8)
        for axis in range(3):
            sp = np.ascontiguousarray(span[:, axis]).take(owner) if owner.shape[0] != n else span[:, axis]
            low |= np.uint8(1 << axis)
            reach = np.flatnonzero(sp > 1)
            owners, keys, lows = [owner], [key], [low]
            k = 1
            while reach.shape[0]:
                owners.append(owner.take(reach))
                keys.append(key.take(reach) + k * strides[axis])
                lows.append(low.take(reach) & np.uint8(~(1 << axis) & 0xFF))
                k += 1
                reach = reach[sp.take(reach) > k]
            if len(owners) > 1:
                owner, key, low = np.concatenate(owners), np.concatenate(keys), np.concatenate(lows)
        # one float sort key; lifts are exact integers, and the sum rounds by < 2.5e-4 m below
        # 2**40, which the 1 cm search margin covers (the exact altitude test removes the extras)
        self.base_alt = float(lo[:, 3].min())
        step = float(math.ceil(2.0 * (float(hi[:, 3].max()) - self.base_alt) + 1.0))
        if float(key.max()) * step < 2.0**40:
            lift = key.astype(np.float64) * step
        else:  # a very fine grid: lift by the rank of the cell instead of its key
            lift = np.unique(key, return_inverse=True)[1].astype(np.float64) * step
        self.n = n
        self.owner, self.low, self.lift = owner, low, lift

    def _sorted(self, boxes: BoolArray | None, *, stable: bool = False
                ) -> tuple[IntArray, npt.NDArray[np.uint8], FloatArray, FloatArray]:  # fmt: skip
        """The entries of the selected boxes (all: None) by lifted key: (owner, low-cell bits,
        lifted bottom, lifted top). Ties are in entry order when *stable* (a cut needs it)."""
        owner, low, lift = self.owner, self.low, self.lift
        if boxes is not None:
            sel = np.flatnonzero(boxes[owner])
            owner, low, lift = owner[sel], low[sel], lift[sel]
        lifted = lift + (self.lo_t[3][owner] - self.base_alt)
        order = np.argsort(lifted, kind="stable" if stable else None)
        owner, low, lift, lifted = owner[order], low[order], lift[order], lifted[order]
        tops = lift + (self.hi_t[3][owner] - (self.base_alt - 0.01))
        return owner, low, lifted, tops

    def _partners(self, boxes: BoolArray | None, stable: bool = False
                  ) -> tuple[IntArray, npt.NDArray[np.uint8], IntArray]:  # fmt: skip
        owner, low, lifted, tops = self._sorted(boxes, stable=stable)
        stop = np.searchsorted(lifted, tops, side="left")
        return owner, low, stop - np.arange(1, owner.shape[0] + 1)

    def count_within(self, boxes: BoolArray) -> int:
        """How many candidate pairs :meth:`within` would form among the selected boxes."""
        return int(self._partners(boxes)[2].sum())

    def within(
        self, boxes: BoolArray | None, max_pairs: int | None = None
    ) -> tuple[IntArray, IntArray, bool]:
        """Overlapping pairs among the selected boxes (all: None); with *max_pairs*, only the
        entries' pairs that fit in it, in the sweep's order (and True: the answer was cut)."""
        owner, low, partners = self._partners(boxes, stable=max_pairs is not None)
        cut = False
        if max_pairs is not None and int(partners.sum()) > max_pairs:
            room = max_pairs - (np.cumsum(partners) - partners)
            partners = np.clip(np.minimum(partners, room), 0, None)
            cut = True
        ends = np.cumsum(partners)
        n_pairs = int(ends[-1]) if ends.shape[0] else 0
        if n_pairs == 0:
            return _EMPTY, _EMPTY.copy(), cut
        # in blocks of entries with about BLOCK_PAIRS pairs each: the temporaries stay in cache
        cuts = np.searchsorted(ends, np.arange(BLOCK_PAIRS, n_pairs, BLOCK_PAIRS)).tolist()
        found_i, found_j = [], []
        for e0, e1 in itertools.pairwise([0, *cuts, owner.shape[0]]):
            if e1 <= e0:
                continue
            part = partners[e0:e1]
            m = int(ends[e1 - 1] - (ends[e0 - 1] if e0 else 0))
            if m == 0:
                continue
            # entry pairs (first, second): second runs over the entries after first in the sweep
            rows = np.arange(e0, e1, dtype=np.intp)
            first = np.repeat(rows, part)
            second = np.repeat(rows - (np.cumsum(part) - part), part)
            second += np.arange(1, m + 1, dtype=np.intp)
            # the reference-point rule first: it is the cheapest test and drops every duplicate
            keep = np.flatnonzero((low.take(first) | low.take(second)) == self._ALL_LOW)
            i, j = self._exact(owner.take(first.take(keep)), owner.take(second.take(keep)))
            found_i.append(i)
            found_j.append(j)
        if len(found_i) == 1:
            return found_i[0], found_j[0], cut
        return np.concatenate(found_i), np.concatenate(found_j), cut

    def between(self, boxes_a: BoolArray, boxes_b: BoolArray) -> tuple[IntArray, IntArray]:
        """Overlapping pairs of one box of *boxes_a* and one of *boxes_b* (disjoint selections);
        pairs inside either selection are never formed. Each pair is found from the side whose
        band starts lower (A on a tie, in lifted keys: the two searches exclude each other)."""
        own_a, low_a, lifted_a, tops_a = self._sorted(boxes_a)
        own_b, low_b, lifted_b, tops_b = self._sorted(boxes_b)
        firsts, seconds = [], []
        for o1, m1, l1, t1, o2, m2, l2, side in (
            (own_a, low_a, lifted_a, tops_a, own_b, low_b, lifted_b, "left"),
            (own_b, low_b, lifted_b, tops_b, own_a, low_a, lifted_a, "right"),
        ):
            start = np.searchsorted(l2, l1, side=side)
            stop = np.searchsorted(l2, t1, side="left")
            count = np.clip(stop - start, 0, None)
            m = int(count.sum())
            if m == 0:
                continue
            rows = np.repeat(np.arange(o1.shape[0]), count)
            offs = np.arange(m, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
            other = np.repeat(start, count) + offs
            keep = np.flatnonzero((m1[rows] | m2[other]) == self._ALL_LOW)
            firsts.append(o1[rows[keep]])
            seconds.append(o2[other[keep]])
        if not firsts:
            return _EMPTY, _EMPTY.copy()
        return self._exact(np.concatenate(firsts), np.concatenate(seconds))

    def _exact(self, a: IntArray, b: IntArray) -> tuple[IntArray, IntArray]:
        """The pairs (already one per reference cell) whose boxes really overlap, as i < j."""
        lo, hi = self.lo_t, self.hi_t
        # one axis at a time, compacting (altitude last: the sweep's margin lets only a few through)
        for axis in (0, 1, 2, 3):
            lo_ax, hi_ax = lo[axis], hi[axis]
            keep = np.flatnonzero((lo_ax[a] < hi_ax[b]) & (lo_ax[b] < hi_ax[a]))
            a, b = a[keep], b[keep]
        return np.minimum(a, b), np.maximum(a, b)
