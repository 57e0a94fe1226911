"""detect(): fleet + protocol -> conflicts. Orchestrates frames, broad phase and narrow phase.

The engine is pure: it knows nothing of files, HTTP, SQL or the clock. Every aircraft is placed in
ECEF once per call; candidate pairs come from the broad phase (``grid``) or from all pairs
(``brute``, chunked); the narrow phase evaluates them vectorised in each pair's tangent plane.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from airdecon.detection._broadphase import brute_pairs, grid_pairs_spatial, swept_boxes_t
from airdecon.detection._kernel import PairGeometry, closest_approach, los_intervals, los_window
from airdecon.detection._types import ConflictSet
from airdecon.errors import InputError, InternalError
from airdecon.geometry import ecef_states
from airdecon.protocol import SafetyProtocol
from airdecon.state import Fleet
from airdecon.units import FloatArray

__all__ = ["BACKENDS", "PairRules", "detect", "evaluate_pairs"]

Backend = Literal["auto", "brute", "grid"]
BACKENDS: tuple[str, ...] = ("auto", "brute", "grid")
IntArray = npt.NDArray[np.intp]

NARROW_BLOCK = 16_384  # candidate pairs per narrow-phase block
_AUTO_BRUTE_MAX = 48  # below this many aircraft, all pairs is cheaper than building a grid


class PairRules(Protocol):
    """What detection needs from a protocol: look-ahead, bounds, per-pair minima, eligibility."""

    @property
    def lookahead_s(self) -> float: ...
    @property
    def max_horizontal_m(self) -> float: ...
    @property
    def max_vertical_m(self) -> float: ...
    @property
    def velocity_error_mps(self) -> float: ...
    def pair_minima(self, fleet: Fleet, i: IntArray, j: IntArray) -> tuple[FloatArray, FloatArray]: ...
    def watched(self, fleet: Fleet, i: IntArray, j: IntArray) -> npt.NDArray[np.bool_]: ...


class _Placed:
    """The fleet in ECEF: positions, velocities and normals, computed once per call.

    ``rows`` holds them as one contiguous (9, n) row per coordinate (see ``ecef_states``): a pair
    side is one gather, and everything after works on contiguous rows.
    """

    __slots__ = ("alt", "perr", "pos", "rows", "up", "vel", "vs")

    def __init__(self, fleet: Fleet | None) -> None:
        if fleet is None:
            return
        self.rows = ecef_states(fleet.lat_deg, fleet.lon_deg, fleet.gs_mps, fleet.trk_deg)
        self.pos, self.vel, self.up = self.rows[0:3].T, self.rows[3:6].T, self.rows[6:9].T
        self.alt = fleet.alt_m
        self.vs = fleet.vs_mps
        self.perr = fleet.pos_err_m

    def renumbered(self, perm: IntArray) -> _Placed:
        """The same aircraft, aircraft ``perm[k]`` being row k."""
        out = _Placed(None)
        out.rows = self.rows.take(perm, axis=1)
        out.pos, out.vel, out.up = out.rows[0:3].T, out.rows[3:6].T, out.rows[6:9].T
        out.alt, out.vs, out.perr = self.alt.take(perm), self.vs.take(perm), self.perr.take(perm)
        return out


def _relative(placed: _Placed, i: IntArray, j: IntArray) -> tuple[FloatArray, FloatArray]:
    """Relative horizontal position and velocity (j - i) in each pair's tangent plane, (m, 3)
    each (views of contiguous (3, m) rows)."""
    side_i = placed.rows.take(i, axis=1)
    side_j = placed.rows.take(j, axis=1)
    ux, uy, uz = side_i[6:9] + side_j[6:9]
    side_j -= side_i  # d in rows 0-2, dv in 3-5
    norm = ux * ux  # dot products summed in einsum's order (see _kernel._dot)
    norm += uz * uz
    norm += uy * uy
    np.sqrt(norm, out=norm)
    ux /= norm
    uy /= norm
    uz /= norm
    out = side_j[0:6]
    for k in (0, 3):  # s = d - (d.u) u, then w = dv - (dv.u) u
        xx, yy, zz = out[k], out[k + 1], out[k + 2]
        along = xx * ux
        along += zz * uz
        along += yy * uy
        xx -= along * ux
        yy -= along * uy
        zz -= along * uz
    return out[0:3].T, out[3:6].T


def _conflicts(
    fleet: Fleet,
    protocol: PairRules,
    placed: _Placed,
    i: IntArray,
    j: IntArray,
    fleet_i: IntArray,
    fleet_j: IntArray,
) -> tuple[IntArray, PairGeometry]:
    """The rows of the pairs (i, j) of *placed* (rows fleet_i, fleet_j of *fleet*) that conflict,
    and their geometry: ``evaluate_pairs`` restricted to its conflicts, with the closest approach
    computed for those rows only."""
    s, w = _relative(placed, i, j)
    h_m, v_m = protocol.pair_minima(fleet, fleet_i, fleet_j)
    if placed.perr.any():
        h_m = h_m + placed.perr[i] + placed.perr[j]
    dz = placed.alt.take(j) - placed.alt.take(i)
    dvz = placed.vs.take(j) - placed.vs.take(i)
    conflict, lo, hi = los_window(s, w, dz, dvz, h_m, v_m, protocol.lookahead_s, protocol.velocity_error_mps)
    hit = np.flatnonzero(conflict)
    tcpa, dcpa, dalt = closest_approach(
        s.take(hit, axis=0), w.take(hit, axis=0), dz.take(hit), dvz.take(hit), protocol.lookahead_s
    )
    geo = PairGeometry(
        conflict=conflict.take(hit),
        t_in_s=np.maximum(lo.take(hit), 0.0),
        t_out_s=hi.take(hit),
        tcpa_s=tcpa,
        dcpa_m=dcpa,
        dalt_cpa_m=dalt,
    )
    return hit, geo


def evaluate_pairs(
    fleet: Fleet, protocol: PairRules, i: IntArray, j: IntArray, *, _placed: _Placed | None = None
) -> PairGeometry:
    """Narrow phase for given pairs: exact loss-of-separation intervals (see ``los_intervals``)."""
    placed = _placed if _placed is not None else _Placed(fleet)
    s, w = _relative(placed, i, j)
    h_m, v_m = protocol.pair_minima(fleet, i, j)
    if placed.perr.any():
        h_m = h_m + placed.perr[i] + placed.perr[j]
    return los_intervals(
        s,
        w,
        placed.alt[j] - placed.alt[i],
        placed.vs[j] - placed.vs[i],
        h_m,
        v_m,
        protocol.lookahead_s,
        protocol.velocity_error_mps,
    )


def detect(
    fleet: Fleet,
    protocol: PairRules | None = None,
    *,
    backend: Backend = "auto",
    cell_m: float | None = None,
    own_budget: Mapping[str, int] | None = None,
) -> ConflictSet:
    """Every pair of aircraft that will lose separation within the look-ahead.

    Parameters
    ----------
    fleet : Fleet
        The aircraft, all at one common time.
    protocol : SafetyProtocol or any object with the same detection interface, optional
        Minima and look-ahead (default: 5 NM, 1000 ft, 300 s).
    backend : {"auto", "brute", "grid"}
        ``grid`` prunes pairs spatially; ``brute`` evaluates all pairs (the reference);
        ``auto`` chooses ``brute`` for tiny fleets. All return the same conflicts.
    cell_m : float, optional
        Horizontal grid cell size for ``grid``, metres (default: chosen from the look-ahead).
    own_budget : mapping of party -> int, optional
        Bounds the work one party's own fleet can cause (``grid``): a party whose own candidate
        pairs (two of its aircraft) would exceed its budget has only that many of them evaluated,
        while all its pairs with other parties' aircraft still are; such parties are named in
        :attr:`ConflictSet.capped`. Parties not named are unbounded. (A party that puts its whole
        quota of aircraft on one spot makes n²/2 pairs: without a budget, everyone's cycle pays.)

    Returns
    -------
    ConflictSet
        Sorted by time to loss of separation, then by ids; ``a`` < ``b``.

    Examples
    --------
    >>> import airdecon
    >>> fleet = airdecon.Fleet.from_records([
    ...     {"id": "A", "party": "BLUE", "lat": 35.0, "lon": 38.0, "alt_ft": 30000,
    ...      "gs_kt": 450, "trk_deg": 90},
    ...     {"id": "B", "party": "RED", "lat": 35.0, "lon": 38.8, "alt_ft": 30000,
    ...      "gs_kt": 450, "trk_deg": 270}])
    >>> [(c.a, c.b, round(c.t_in_s)) for c in airdecon.detect(fleet)]
    [('A', 'B', 138)]
    """
    rules: PairRules = protocol if protocol is not None else SafetyProtocol()
    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    n = len(fleet)
    placed = _Placed(fleet)
    chosen = backend
    if backend == "auto":
        chosen = "brute" if n <= _AUTO_BRUTE_MAX else "grid"

    chunks: list[tuple[IntArray, IntArray, PairGeometry]] = []
    n_candidates = 0
    capped: tuple[str, ...] = ()
    perm: IntArray | None = None
    if chosen == "brute":
        pair_iter = brute_pairs(n)
    elif chosen == "grid":
        i_c, j_c, capped, perm = _grid_candidates(placed, rules, cell_m, fleet, own_budget)
        # the narrow phase in blocks, so that its temporaries stay in cache
        pair_iter = (
            (i_c[k : k + NARROW_BLOCK], j_c[k : k + NARROW_BLOCK])
            for k in range(0, i_c.shape[0], NARROW_BLOCK)
        )
    else:  # pragma: no cover - guarded above
        raise InternalError(f"backend {chosen!r} fell through")
    # the grid numbered the aircraft in the order of its sweep: the narrow phase reads them in
    # that order too (nearby memory), and names them by their fleet rows
    geo_placed = placed.renumbered(perm) if perm is not None else placed
    for i, j in pair_iter:
        if perm is not None:
            # each pair oriented by fleet rows (fleet_i < fleet_j), as without renumbering
            fleet_i, fleet_j = perm.take(i), perm.take(j)
            swap = fleet_i > fleet_j
            i, j = np.where(swap, j, i), np.where(swap, i, j)
            fleet_i, fleet_j = np.minimum(fleet_i, fleet_j), np.maximum(fleet_i, fleet_j)
        else:
            fleet_i, fleet_j = i, j
        keep = rules.watched(fleet, fleet_i, fleet_j)
        if not keep.all():
            i, j, fleet_i, fleet_j = i[keep], j[keep], fleet_i[keep], fleet_j[keep]
        n_candidates += int(i.shape[0])
        if i.shape[0] == 0:
            continue
        hit, geo = _conflicts(fleet, rules, geo_placed, i, j, fleet_i, fleet_j)
        if hit.size:
            chunks.append((fleet_i.take(hit), fleet_j.take(hit), geo))
    return _assemble(fleet, chunks, n_candidates, capped)


def _grid_candidates(
    placed: _Placed,
    rules: PairRules,
    cell_m: float | None,
    fleet: Fleet,
    own_budget: Mapping[str, int] | None,
) -> tuple[IntArray, IntArray, tuple[str, ...], IntArray | None]:
    """Candidate pairs from the grid, in its numbering when it has one (see grid_pairs_spatial)."""
    lo_t, hi_t = swept_boxes_t(
        placed.pos,
        placed.vel,
        placed.alt,
        placed.vs,
        rules.lookahead_s,
        rules.max_horizontal_m + 2.0 * float(placed.perr.max(initial=0.0)),
        rules.max_vertical_m,
    )
    lo, hi = lo_t.T, hi_t.T  # (n, 4) views
    if cell_m is None:
        # cells about 2.5 typical swept boxes wide: boxes touch few cells, cells hold few boxes
        # (measured with bench/detect.py: a flat optimum between 2x and 3.5x at realistic densities);
        # the typical extent is the median of at most ~4,096 boxes taken evenly
        every = max(1, lo_t.shape[1] // 4096)
        extent = np.median(hi_t[:3, ::every] - lo_t[:3, ::every]) if lo_t.shape[1] else 1.0
        cell_m = float(max(2.5 * extent, 2.0 * rules.max_horizontal_m))
    # altitude is not hashed: it is swept exactly inside each cell
    cells = (cell_m, cell_m, cell_m)
    if not own_budget:
        i, j, _, perm = grid_pairs_spatial(lo, hi, cells)
        return i, j, (), perm
    # party codes by Python's dict (faster than numpy's unique of converted strings)
    parties = fleet.party.tolist()
    names = sorted(set(parties))
    code = {p: k for k, p in enumerate(names)}
    group = np.array([code[p] for p in parties], dtype=np.intp)
    budget = np.array([int(own_budget.get(str(p), -1)) for p in names], dtype=np.intp)
    i, j, cut, perm = grid_pairs_spatial(lo, hi, cells, group, budget)
    return i, j, tuple(str(names[g]) for g in cut), perm


def _assemble(
    fleet: Fleet,
    chunks: list[tuple[IntArray, IntArray, PairGeometry]],
    n_candidates: int,
    capped: tuple[str, ...] = (),
) -> ConflictSet:
    if chunks:
        i = np.concatenate([c[0] for c in chunks])
        j = np.concatenate([c[1] for c in chunks])
        fields = {
            name: np.concatenate([getattr(c[2], name) for c in chunks])
            for name in ("t_in_s", "t_out_s", "tcpa_s", "dcpa_m", "dalt_cpa_m")
        }
    else:
        i = np.empty(0, dtype=np.intp)
        j = np.empty(0, dtype=np.intp)
        fields = {name: np.empty(0) for name in ("t_in_s", "t_out_s", "tcpa_s", "dcpa_m", "dalt_cpa_m")}
    if i.size:
        # ids compared by their rank in string order among the aircraft in a conflict: the same
        # order as the strings, at the cost of sorting those ids instead of comparing 2m strings
        # (Python's sort of the str objects is faster than converting them for numpy's)
        rows, inverse = np.unique(np.concatenate([i, j]), return_inverse=True)
        names = fleet.ids.take(rows).tolist()
        rank = np.empty(len(names), dtype=np.intp)
        rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names), dtype=np.intp)
        ai, bj = rank.take(inverse[: i.shape[0]]), rank.take(inverse[i.shape[0] :])
        swap = ai > bj
        i, j = np.where(swap, j, i), np.where(swap, i, j)
        # by t_in, then a, then b: one sort of the (unique) id pairs, then a stable one of t_in
        by_ids = np.argsort(np.minimum(ai, bj) * len(names) + np.maximum(ai, bj))
        order = by_ids.take(np.argsort(fields["t_in_s"].take(by_ids), kind="stable"))
        i, j = i.take(order), j.take(order)
        fields = {k: v.take(order) for k, v in fields.items()}
    return ConflictSet(i=i, j=j, ids=fleet.ids, n_candidates=n_candidates, capped=capped, **fields)
