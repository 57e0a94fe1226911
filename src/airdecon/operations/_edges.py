"""The narrow phase of live tracks against plans: where sampled paths cross their volumes' edges.

Each candidate pair (an aircraft's path, a volume) is given the first and last fractions of the
look-ahead, within its own ``[u_lo, u_hi]``, at which one of the path's chords (straight segments
in (lon, lat) degrees between its :data:`~airdecon.operations._live.SAMPLES` points) crosses one of
the volume's edges (the straight segments between its vertices, in the same frame).

Two backends give the same answer (the same floating-point operations on the same triples that
can cross):

* ``"brute"``: every chord of the pair against every edge of its volume;
* ``"box"`` (the default, ``"auto"``): the same, but a (pair, edge) row is kept only when the edge's
  box meets the box of the pair's path between ``u_lo`` and ``u_hi``, and a (row, chord) triple
  only when the edge's box meets the chord's. Boxes are compared inclusively, so no crossing is
  dropped: only triples that cannot cross are.

A volume's edges are the flat arrays of :class:`~airdecon.operations._live.AreaIndex` (``edge_xy``
``(x0, y0, x1, y1)`` columns, volume *j*'s from ``offset[j]`` to ``offset[j + 1]``). Memory is bounded:
the (pair, edge) rows are made :data:`CHUNK_ROWS` at a time (a chunk that small is also faster:
numpy's temporaries stay in the cache, and off the allocator's fresh pages). Nothing here reads a
clock.
"""

from __future__ import annotations

import itertools
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["CHUNK_ROWS", "edge_crossings"]

CHUNK_ROWS = 1 << 14  # (pair, edge) rows made at once: small temporaries stay in the cache
IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
Backend = Literal["auto", "box", "brute"]


class Edges(Protocol):
    """What the narrow phase needs of an index: its volumes' edges and their boxes."""

    edge_xy: FloatArray  # (4, E): x0, y0, x1, y1 in (lon, lat) degrees
    edge_box: FloatArray  # (4, E): min x, min y, max x, max y
    offset: IntArray  # (V + 1,): volume j's edges are offset[j]:offset[j + 1]


def _at(lats: FloatArray, lons: FloatArray, u: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Points on sampled paths (rows) at fractions *u* of their time, on the chords."""
    samples = lats.shape[1]
    f = np.clip(u, 0.0, 1.0) * (samples - 1)
    k = np.minimum(f.astype(np.intp), samples - 2)
    w = f - k
    r = np.arange(lats.shape[0])
    return (lats[r, k] * (1 - w) + lats[r, k + 1] * w, lons[r, k] * (1 - w) + lons[r, k + 1] * w)


def edge_crossings(
    index: Edges,
    vol: IntArray,
    lats: FloatArray,
    lons: FloatArray,
    u_lo: FloatArray,
    u_hi: FloatArray,
    backend: Backend = "auto",
) -> tuple[FloatArray, FloatArray]:
    """For each candidate pair, the first and last fractions of the look-ahead strictly within
    ``[u_lo, u_hi]`` at which its path's chords cross its volume's edges (``inf``/``-inf``: none).

    Parameters
    ----------
    index : Edges
        The volumes' edges (an :class:`~airdecon.operations._live.AreaIndex`).
    vol : int array (m,)
        Each pair's volume (row of the index).
    lats, lons : float arrays (m, S)
        Each pair's path, S points equally spaced in time over the look-ahead, degrees, its
        longitudes in the volume's frame.
    u_lo, u_hi : float arrays (m,)
        The fractions of the look-ahead between which crossings count.
    backend : "auto", "box" or "brute"
        See the module; all give the same answer.
    """
    if backend not in ("auto", "box", "brute"):
        raise ValueError(f"backend must be 'auto', 'box' or 'brute', not {backend!r}")
    m = vol.shape[0]
    first, last = np.full(m, np.inf), np.full(m, -np.inf)
    if m == 0:
        return first, last
    counts = index.offset[vol + 1] - index.offset[vol]
    ends = np.cumsum(counts)
    cuts = np.searchsorted(ends, np.arange(CHUNK_ROWS, int(ends[-1]), CHUNK_ROWS), side="right")
    bounds = np.unique(np.r_[0, cuts, m])
    brute = backend == "brute"
    box = None if brute else _path_boxes(lats, lons, u_lo, u_hi)
    for a, b in itertools.pairwise(bounds.tolist()):
        pr, e = _rows(index, vol[a:b], counts[a:b])
        pr += a
        if box is not None:
            keep = _meet(box, index.edge_box, pr, e)
            pr, e = pr[keep], e[keep]
        pr, c, e = _near_chord(index, pr, e, lats, lons, brute)
        _reduce(pr, *_cross(index, pr, c, e, lats, lons, u_lo, u_hi), first, last)
    return first, last


def _rows(index: Edges, vol: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """Every (pair, edge of its volume) row: the pair (from 0) and the edge."""
    pr = np.repeat(np.arange(vol.shape[0]), counts)
    local = np.cumsum(counts) - counts  # each pair's first row
    e = np.arange(pr.shape[0]) + np.repeat(index.offset[vol] - local, counts)
    return pr, e


def _path_boxes(lats: FloatArray, lons: FloatArray, u_lo: FloatArray, u_hi: FloatArray) -> FloatArray:
    """Each pair's box ``(4, m)``: min lon, min lat, max lon, max lat of its path between ``u_lo``
    and ``u_hi`` (the chords' points at those fractions and every sample between)."""
    y_lo, x_lo = _at(lats, lons, u_lo)
    y_hi, x_hi = _at(lats, lons, u_hi)
    x0, x1 = np.minimum(x_lo, x_hi), np.maximum(x_lo, x_hi)
    y0, y1 = np.minimum(y_lo, y_hi), np.maximum(y_lo, y_hi)
    grid = np.linspace(0.0, 1.0, lats.shape[1])
    for k in range(1, lats.shape[1] - 1):  # column by column: a reduction over a short axis is slow
        mid = (u_lo < grid[k]) & (u_hi > grid[k])
        x, y = lons[:, k], lats[:, k]
        x0, x1 = np.where(mid, np.minimum(x0, x), x0), np.where(mid, np.maximum(x1, x), x1)
        y0, y1 = np.where(mid, np.minimum(y0, y), y0), np.where(mid, np.maximum(y1, y), y1)
    return np.stack([x0, y0, x1, y1])


def _meet(box: FloatArray, eb: FloatArray, pr: IntArray, e: IntArray) -> npt.NDArray[np.bool_]:
    """Whether box ``box[:, pr]`` meets edge box ``eb[:, e]`` (inclusive), row by row."""
    x0, y0, x1, y1 = box
    out: npt.NDArray[np.bool_] = (np.take(eb[0], e) <= np.take(x1, pr)) & (
        np.take(eb[2], e) >= np.take(x0, pr)
    )
    out &= np.take(eb[1], e) <= np.take(y1, pr)
    out &= np.take(eb[3], e) >= np.take(y0, pr)
    return out


def _near_chord(
    index: Edges, pr: IntArray, e: IntArray, lats: FloatArray, lons: FloatArray, brute: bool
) -> tuple[IntArray, IntArray, IntArray]:
    """The (pair, chord, edge) triples to cross: every chord of each row (brute), or those whose
    box meets the edge's."""
    chords = lats.shape[1] - 1
    if brute:
        return np.repeat(pr, chords), np.tile(np.arange(chords), pr.shape[0]), np.repeat(e, chords)
    lo, la = np.take(lons, pr, axis=0), np.take(lats, pr, axis=0)
    ex0, ey0, ex1, ey1 = (np.take(b, e) for b in index.edge_box)
    meet = np.empty((chords, pr.shape[0]), dtype=bool)
    for c in range(chords):
        xa, xb, ya, yb = lo[:, c], lo[:, c + 1], la[:, c], la[:, c + 1]
        m = (np.minimum(xa, xb) <= ex1) & (np.maximum(xa, xb) >= ex0)
        m &= np.minimum(ya, yb) <= ey1
        m &= np.maximum(ya, yb) >= ey0
        meet[c] = m
    chord, r = np.nonzero(meet)
    return pr[r], chord.astype(np.intp), e[r]


def _cross(
    index: Edges,
    pr: IntArray,
    c: IntArray,
    e: IntArray,
    lats: FloatArray,
    lons: FloatArray,
    u_lo: FloatArray,
    u_hi: FloatArray,
) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Whether each triple's chord crosses its edge within its pair's ``(u_lo, u_hi)``, and where
    (the fraction of the look-ahead): ``p = a + s (b - a)``, ``q = c + v (d - c)``."""
    at = pr * lats.shape[1] + c  # flat indices: faster than (row, column) pairs
    ax, ay = np.take(lons, at), np.take(lats, at)
    rx, ry = np.take(lons, at + 1) - ax, np.take(lats, at + 1) - ay
    x0, y0, x1, y1 = (np.take(col, e) for col in index.edge_xy)
    cx, cy = x0 - ax, y0 - ay
    qx, qy = x1 - x0, y1 - y0
    den = rx * qy - ry * qx
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (cx * qy - cy * qx) / den
        v = (cx * ry - cy * rx) / den
    u = (c + s) / (lats.shape[1] - 1)
    ok = (s >= 0) & (s <= 1) & (v >= 0) & (v <= 1) & (u > u_lo[pr]) & (u < u_hi[pr])
    return ok, u


def _reduce(
    pr: IntArray, ok: npt.NDArray[np.bool_], u: FloatArray, first: FloatArray, last: FloatArray
) -> None:
    """Into *first* and *last* (in place): each pair's earliest and latest crossing."""
    who, at = pr[ok], u[ok]
    if who.size:
        np.minimum.at(first, who, at)
        np.maximum.at(last, who, at)
