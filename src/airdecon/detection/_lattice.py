"""The grid of the broad phase: boxes hashed into cells over three ECEF axes, swept in altitude.

Each box has one entry per cell it touches; an entry's sort key is its cell, lifted by a whole-metre
step larger than any altitude band, plus the bottom of its band, so that inside a cell an entry can
only overlap in altitude the entries after it whose bottom is below its own top (a sweep: altitude
is swept exactly, never hashed, so it costs no extra entries). A pair is kept only in the cell of
its boxes' intersection's low corner (the reference-point rule), so no global de-duplication is
needed: as that cell is touched by both boxes, on every axis it is the low cell of one of them,
which each entry carries as one bit per axis. Pairs are formed in blocks of about
:data:`BLOCK_PAIRS`, so that the temporaries stay in cache.
"""

from __future__ import annotations

import itertools
import math
from typing import Literal

import numpy as np
import numpy.typing as npt

from airdecon.units import FloatArray

__all__ = ["BLOCK_PAIRS", "Lattice"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

BLOCK_PAIRS = 16_384
"""Pairs formed per block of the sweep: small enough for the temporaries to stay in cache."""

_EMPTY = np.empty(0, dtype=np.intp)
_NEAR = 4  # partners counted by shifted comparisons before a binary search takes over


class Lattice:
    """One uniform grid over the boxes' three ECEF axes, and the passes that find overlapping pairs
    in it (see the module's docstring)."""

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
        self._all: tuple[IntArray, npt.NDArray[np.uint8], FloatArray, FloatArray] | None = None

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
        return owner, low, self._count(lifted, tops)

    @staticmethod
    def _count(lifted: FloatArray, tops: FloatArray) -> IntArray:
        """How many entries after each, in the sweep, start below its top.

        As *lifted* ascends, entry e's partners are e + 1 .. e + p: the first _NEAR offsets are
        counted with shifted comparisons of contiguous rows (most entries have fewer partners),
        and only the entries that reach all of them are binary-searched.
        """
        n = lifted.shape[0]
        count = np.zeros(n, dtype=np.intp)
        for k in range(1, min(_NEAR, n - 1) + 1):
            count[:-k] += lifted[k:] < tops[:-k]
        far = np.flatnonzero(count == _NEAR)
        if far.shape[0]:
            stop = np.searchsorted(lifted, tops.take(far), side="left")
            stop -= far
            stop -= 1
            count[far] = stop
        return count

    def _sorted_all(self) -> tuple[IntArray, npt.NDArray[np.uint8], FloatArray, FloatArray]:
        """``_sorted(None)``, sorted once per lattice (counts and the full pass share it)."""
        if self._all is None:
            self._all = self._sorted(None)
        return self._all

    def count_within(self, boxes: BoolArray) -> int:
        """How many candidate pairs :meth:`within` would form among the selected boxes: counted on
        their entries' subsequence of the one sweep of all entries (no sort of their own)."""
        owner, _, lifted, tops = self._sorted_all()
        sel = np.flatnonzero(boxes[owner])
        return int(self._count(lifted.take(sel), tops.take(sel)).sum())

    def count_within_groups(self, group: IntArray, n_groups: int) -> IntArray:
        """:meth:`count_within` of every group at once (*group*: each box's code, < n_groups):
        the entries of the one sweep, stably split by group, are each group's own sweep."""
        owner, _, lifted, tops = self._sorted_all()
        code = group.take(owner)
        by_group = np.argsort(code.astype(np.uint16) if n_groups <= 1 << 16 else code, kind="stable")
        ends = np.cumsum(np.bincount(code, minlength=n_groups))
        counts = np.zeros(n_groups, dtype=np.intp)
        lifted, tops = lifted.take(by_group), tops.take(by_group)
        for g in np.flatnonzero(np.diff(ends, prepend=0)).tolist():
            start = int(ends[g - 1]) if g else 0
            counts[g] = int(self._count(lifted[start : ends[g]], tops[start : ends[g]]).sum())
        return counts

    def within_all(self) -> tuple[IntArray, IntArray, IntArray]:
        """Every overlapping pair, with the boxes first renumbered in the order of the sweep (each
        box's place is that of its entry in its low cell): (i, j, perm), box ``perm[k]`` being
        number k, i < j in those numbers. Every later gather then reads nearby memory."""
        owner, low, lifted, tops = self._sorted_all()
        self._all = None  # the numbering changes below
        perm = owner[low == self._ALL_LOW]
        number = np.empty(self.n, dtype=np.intp)
        number[perm] = np.arange(self.n, dtype=np.intp)
        self.owner = number.take(self.owner)
        self.lo_t, self.hi_t = self.lo_t.take(perm, axis=1), self.hi_t.take(perm, axis=1)
        i, j, _ = self._pairs(number.take(owner), low, self._count(lifted, tops), None)
        return i, j, perm

    def within(
        self, boxes: BoolArray | None, max_pairs: int | None = None
    ) -> tuple[IntArray, IntArray, bool]:
        """Overlapping pairs among the selected boxes (all: None); with *max_pairs*, only the
        entries' pairs that fit in it, in the sweep's order (and True: the answer was cut)."""
        owner, low, partners = self._partners(boxes, stable=max_pairs is not None)
        return self._pairs(owner, low, partners, max_pairs)

    def _pairs(
        self, owner: IntArray, low: npt.NDArray[np.uint8], partners: IntArray, max_pairs: int | None
    ) -> tuple[IntArray, IntArray, bool]:
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
        side: Literal["left", "right"]
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
