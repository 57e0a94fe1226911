"""resolve(): conflicts -> verified advisories, one per aircraft, found jointly per encounter cluster.

Procedure (documented in ``docs/resolution.md``):

1. Levels come from :func:`airdecon.alerting.classify` with the protocol's thresholds.
2. Pairs inside the TCAS II RA region (:mod:`._tcas`) are handed to the airborne collision avoidance
   (``follow-tcas``, no instruction from the ground) when ``rules.follow_tcas``; their aircraft keep
   their current velocity in every later re-prediction.
3. The conflict graph is split into clusters (connected components). Clusters are resolved one after
   the other, most urgent first, each one re-predicted against the manoeuvres already chosen for
   earlier clusters, so the final set of advisories is consistent as a whole.
4. In a cluster, each aircraft gets an ordered list of options (a new track, a new vertical rate,
   or both) by the rules: Annex 2 right of way for turns (:mod:`._geometry`), complementary TCAS-style
   senses for vertical rates. Combinations of options are scored by size (the largest single
   manoeuvre, in steps of 5 degrees or 500 ft/min, then the total) and **all** of them are
   re-predicted at once with the real engine (:func:`airdecon.detection.evaluate_pairs`) against
   every pair inside the cluster and every nearby aircraft. The smallest combination with no loss of
   separation within the look-ahead wins. Stages: the preferred dimension alone, then the other,
   then both together.
5. When no combination works, the one that leaves the least total time in loss of separation is
   advised, the reason says so, and the cluster's alerts are escalated to at least ``warning``.
   A pair already in loss cannot be restored at once: it only must not make anything new be lost,
   and gets the combination that regains separation soonest.
6. A cluster whose resolution fails (an error met on its data) is isolated: what it chose is undone,
   its conflicts are marked ``failed`` (no advisories, escalated to ``warning``) with the error
   kept in ``Resolution.errors``, and every other cluster is resolved as if it were not there.

Manoeuvres are modelled as instantaneous velocity changes at the time of the snapshot (speed kept,
new track rounded to a whole degree before it is verified).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
import numpy.typing as npt

from airdecon.alerting import Level, classify
from airdecon.detection import ConflictSet, evaluate_pairs
from airdecon.errors import InputError
from airdecon.geometry import geodetic_to_ecef
from airdecon.protocol import RulesOfTheAir, SafetyProtocol
from airdecon.resolution._advisory import Advisory, Resolution, Rule
from airdecon.resolution._geometry import Kind, encounter_geometry, right_of_way
from airdecon.resolution._tcas import RaRegion, ra_region
from airdecon.state import Fleet
from airdecon.units import FPM, FT, NM, FloatArray

__all__ = ["MAX_COMBINATIONS", "RATES_FPM", "TURNS_DEG", "TURN_STEP_DEG", "resolve"]

IntArray = npt.NDArray[np.intp]
_log = logging.getLogger("airdecon.resolution")
Prefer = Literal["auto", "horizontal", "vertical"]

TURN_STEP_DEG: float = 5.0
"""Heading changes are searched in steps of this many degrees."""
TURNS_DEG: tuple[float, ...] = tuple(TURN_STEP_DEG * k for k in range(1, 19))
"""Heading changes tried, smallest first: 5 to 90 degrees."""
RATES_FPM: tuple[float, ...] = (1000.0, 1500.0, 2000.0, 2500.0)
"""Vertical rates tried, ft/min (TCAS uses 1500 for a climb/descend RA, 2500 to increase it)."""
COMBINED_TURNS_DEG: tuple[float, ...] = (10.0, 20.0, 30.0, 45.0, 60.0, 90.0)
"""Heading changes tried together with vertical rates in the combined stage."""
MAX_COMBINATIONS: int = 4096
"""At most this many option combinations are re-predicted per cluster and stage."""
VERTICAL_STEP_FPM: float = 500.0
"""Cost unit of a vertical-rate change (one step = 500 ft/min, as one step of a turn = 5 degrees)."""
LEVEL_FPM: float = 500.0
"""An aircraft whose vertical rate is below this is level (for "approximately the same level")."""

_TIE_M = 0.5  # altitude ranks closer than this are a tie (then vertical rate, then id)
_PAIRS_PER_CHUNK = 50_000  # pairs re-predicted per engine call: bounds the memory of the search


@dataclass
class _Options:
    """The ordered options of one aircraft in one stage: new track, new vertical rate, cost."""

    trk: FloatArray
    vs: FloatArray
    cost: FloatArray


def resolve(
    fleet: Fleet,
    conflicts: ConflictSet,
    protocol: SafetyProtocol | None = None,
    *,
    distress: Iterable[str] = frozenset(),
    prefer: Prefer = "auto",
) -> Resolution:
    """Alert levels and verified advisories for every conflict.

    Parameters
    ----------
    fleet : Fleet
        The aircraft the conflicts were detected in (same rows).
    conflicts : ConflictSet
        The result of :func:`airdecon.detect` on *fleet*.
    protocol : SafetyProtocol, optional
        Minima, look-ahead, alert thresholds and rules of the air (default ``SafetyProtocol()``).
    distress : iterable of str (or one str)
        Ids of aircraft in distress: they have right of way over all and are never asked to
        manoeuvre.
    prefer : {"auto", "horizontal", "vertical"}
        Which dimension is tried first. ``auto``: horizontal (Annex 2) when every pair of the
        cluster is at approximately the same level (within half the vertical minimum, both level
        within 500 ft/min), vertical otherwise.

    Returns
    -------
    Resolution

    Raises
    ------
    InputError
        When the conflicts were not detected in this fleet, a distress id is unknown, or *prefer*
        is not one of the choices.
    """
    proto = protocol if protocol is not None else SafetyProtocol()
    if prefer not in ("auto", "horizontal", "vertical"):
        raise InputError(f"prefer must be 'auto', 'horizontal' or 'vertical', got {prefer!r}")
    if conflicts.ids.shape != fleet.ids.shape or not np.array_equal(conflicts.ids, fleet.ids):
        raise InputError("the conflicts were not detected in this fleet (aircraft ids differ)")
    distress_ids = {distress} if isinstance(distress, str) else set(distress)
    unknown = sorted(distress_ids - set(fleet.ids.tolist()))
    if unknown:
        raise InputError(f"distress: unknown aircraft id(s) {unknown}")
    return _Resolver(fleet, conflicts, proto, distress_ids, prefer).run()


class _Resolver:
    """One resolve() call: shared arrays, then one cluster after the other."""

    def __init__(
        self,
        fleet: Fleet,
        conflicts: ConflictSet,
        protocol: SafetyProtocol,
        distress: set[str],
        prefer: Prefer,
    ) -> None:
        self.fleet = fleet
        self.cs = conflicts
        self.proto = protocol
        self.rules: RulesOfTheAir = protocol.rules
        self.prefer = prefer
        self.distress = np.isin(fleet.ids.astype(str), np.array(sorted(distress), dtype=str))
        self.pos = geodetic_to_ecef(fleet.lat_deg, fleet.lon_deg)
        # the plan: every aircraft's velocity after the advisories chosen so far
        self.plan_trk = fleet.trk_deg.copy()
        self.plan_vs = fleet.vs_mps.copy()
        m = len(conflicts)
        self.levels = classify(conflicts.t_in_s, protocol.caution_s, protocol.warning_s)
        self.resolved = np.zeros(m, dtype=bool)
        self.cluster = np.zeros(m, dtype=np.intp)
        self.advice: dict[str, Advisory] = {}
        self.floored: dict[int, float] = {}  # rows denied a descent by the floor -> its floor, ft
        self.error = ""  # the last cluster failure (see _isolated)
        i, j = conflicts.i, conflicts.j
        self.enc = encounter_geometry(fleet, i, j)
        ids = fleet.ids.astype(str)
        self.kind, self.gw_a, self.gw_b = right_of_way(
            self.enc,
            self.rules,
            a_first=ids[i] < ids[j],
            distress_a=self.distress[i],
            distress_b=self.distress[j],
        )
        self.tcas: RaRegion = ra_region(
            self.enc.s, self.enc.w, self.enc.dz, self.enc.dvz, fleet.alt_m[i], fleet.alt_m[j]
        )
        self.follow = self.tcas.inside & bool(self.rules.follow_tcas)
        _h, self.v_min = protocol.pair_minima(fleet, i, j)

    # ------------------------------------------------------------------------------------------
    def run(self) -> Resolution:
        """Resolve every cluster, most urgent first, and assemble the answer."""
        cs = self.cs
        comps = _components(len(self.fleet), cs.i, cs.j)
        # most urgent cluster first (conflicts are sorted by t_in_s, so first appearance)
        order: list[int] = []
        for k in range(len(cs)):
            c = int(comps[cs.i[k]])
            if c not in order:
                order.append(c)
        failed = np.zeros(len(cs), dtype=bool)
        errors: dict[int, str] = {}
        for number, comp in enumerate(order):
            ks = np.flatnonzero(comps[cs.i] == comp)
            self.cluster[ks] = number
            if not self._isolated(ks):
                failed[ks] = True
                errors[number] = self.error
        levels = self.levels.copy()
        escalate = self.follow | ~(self.resolved | self.follow)
        levels[escalate] = np.maximum(levels[escalate], np.int8(Level.WARNING))
        return Resolution(
            conflicts=cs,
            levels=levels,
            resolved=self.resolved,
            follow_tcas=self.follow.copy(),
            cluster=self.cluster,
            by_aircraft=MappingProxyType(dict(sorted(self.advice.items()))),
            failed=failed,
            errors=MappingProxyType(errors),
        )

    def _isolated(self, ks: IntArray) -> bool:
        """Resolve one cluster; when that fails (a bug met on one encounter's geometry, say),
        undo what it chose, keep its error in :attr:`error`, and answer False: the other
        clusters are still resolved, and this one is reported as failed, with no advice."""
        advice, trk, vs = dict(self.advice), self.plan_trk.copy(), self.plan_vs.copy()
        try:
            self._cluster(ks)
        except Exception as exc:
            _log.debug("resolving a cluster failed", exc_info=True)
            self.advice, self.plan_trk, self.plan_vs = advice, trk, vs
            self.resolved[ks] = False
            self.error = f"{type(exc).__name__}: {exc}"
            return False
        return True

    # ------------------------------------------------------------------------------------------
    def _cluster(self, ks: IntArray) -> None:
        """Resolve one cluster (conflict indices *ks*): roles, senses, staged search, advisories."""
        fleet, cs = self.fleet, self.cs
        ids = fleet.ids
        # TCAS hand-off: those aircraft are the airborne system's business
        tcas_rows: set[int] = set()
        for k in ks[self.follow[ks]]:
            a, b = int(cs.i[k]), int(cs.j[k])
            tcas_rows.update((a, b))
            for own, other in ((a, b), (b, a)):
                if ids[own] not in self.advice:
                    self.advice[str(ids[own])] = self._tcas_advisory(own, other, int(k))
        active = ks[~self.follow[ks]]
        if active.size == 0:
            return
        rows = np.unique(np.concatenate([cs.i[active], cs.j[active]]))
        rows = rows[np.argsort(ids[rows].astype(str), kind="stable")]
        c = rows.shape[0]
        local = {int(r): p for p, r in enumerate(rows)}
        # who is fixed: handed to TCAS, or in distress against a non-distressed aircraft
        fixed = np.zeros(c, dtype=bool)
        for p, r in enumerate(rows):
            if int(r) in tcas_rows:
                fixed[p] = True
        for k in active:
            if self.kind[k] == Kind.DISTRESS:
                fixed[local[int(cs.i[k]) if self.distress[cs.i[k]] else int(cs.j[k])]] = True
        # obligations: which aircraft must turn, and the rule that obliges it (most pressing first)
        # (an aircraft facing one that cannot manoeuvre, e.g. on a TCAS RA, gives way in its place)
        oblig: dict[int, tuple[int, int, bool]] = {}  # local -> (kind, partner row, in its place)
        rank_kind = {Kind.DISTRESS: 3, Kind.HEAD_ON: 2, Kind.OVERTAKING: 1, Kind.CONVERGING: 0}
        for k in active:
            a, b = int(cs.i[k]), int(cs.j[k])
            for own, other, gw in ((a, b, self.gw_a[k]), (b, a, self.gw_b[k])):
                p = local[own]
                if fixed[p] or not (gw or fixed[local[other]]):
                    continue
                kd = Kind(int(self.kind[k]))
                if p not in oblig or rank_kind[kd] > rank_kind[Kind(oblig[p][0])]:
                    oblig[p] = (int(kd), other, not gw)
        stuck = bool(
            np.any(
                fixed[[local[int(x)] for x in cs.i[active]]] & fixed[[local[int(x)] for x in cs.j[active]]]
            )
        )
        # vertical ranks: the highest climbs, the lowest descends, the others level off
        tcpa = float(cs.tcpa_s[active].min())
        score = fleet.alt_m[rows] + np.where(fixed, self.plan_vs[rows] * tcpa, 0.0)
        keyed = sorted(
            range(c),
            key=lambda p: (
                -round(float(score[p]) / _TIE_M),
                -float(self.plan_vs[rows[p]]),
                str(ids[rows[p]]),
            ),
        )
        # (an aircraft that cannot manoeuvre keeps its place in the ranking: nobody climbs into it)
        sense = np.zeros(c, dtype=np.intp)
        sense[keyed[0]] = 1
        if c > 1:
            sense[keyed[-1]] = -1
        sense[fixed] = 0
        # no descent advisory below the floor (TCAS inhibits descend RAs near the ground): the
        # lowest aircraft levels off instead, and the search finds what the others must do
        floor = self.proto.descent_floors(fleet, rows)
        for p in np.flatnonzero((sense < 0) & (fleet.alt_m[rows] < floor)):
            sense[p] = 0
            self.floored[int(rows[p])] = float(floor[p]) / FT
        top, second = keyed[0], keyed[1] if c > 1 else keyed[0]
        tie = (
            c >= 2
            and not fixed[top]
            and not fixed[second]
            and abs(float(score[top] - score[second])) < _TIE_M
            and float(self.plan_vs[rows[top]]) == float(self.plan_vs[rows[second]])
        )
        same_level = bool(
            np.all(
                (np.abs(self.enc.dz[active]) <= 0.5 * self.v_min[active])
                & (np.abs(fleet.vs_mps[cs.i[active]]) < LEVEL_FPM * FPM)
                & (np.abs(fleet.vs_mps[cs.j[active]]) < LEVEL_FPM * FPM)
            )
        )
        horizontal_first = self.prefer == "horizontal" or (self.prefer == "auto" and same_level)
        stages = ["h", "v", "hv"] if horizontal_first else ["v", "h", "hv"]
        if not self.rules.vertical_advisories:
            stages = ["h"]
        neighbours = self._neighbours(rows)

        # pairs already in loss cannot be restored at once: for them the search only asks that no
        # *new* loss be predicted and picks the combination that regains separation soonest
        lost = bool(np.any(cs.t_in_s[active] <= 0.0))
        best: tuple[float, float, float, float, str, FloatArray, FloatArray] | None = None
        solved = False
        for rank, stage in enumerate(stages):
            opts = [
                self._options(int(rows[p]), stage, p in oblig, oblig.get(p), int(sense[p]), bool(fixed[p]))
                for p in range(c)
            ]
            combos = _combinations([o.cost.shape[0] for o in opts])
            trk = np.stack([opts[p].trk[combos[:, p]] for p in range(c)], axis=1)
            vs = np.stack([opts[p].vs[combos[:, p]] for p in range(c)], axis=1)
            cost = np.stack([opts[p].cost[combos[:, p]] for p in range(c)], axis=1)
            n_future, badness = self._verify(rows, neighbours, trk, vs, fixed)
            good = (n_future == 0) & (not stuck)
            if solved and not good.any():
                continue
            # lexsort: the last key is the primary one
            order = np.lexsort((np.arange(cost.shape[0]), cost.sum(axis=1), cost.max(axis=1), badness, ~good))
            k0 = int(order[0])
            cand = (
                float(not good[k0]),
                float(badness[k0]),
                float(rank),
                float(cost[k0].max()) + float(cost[k0].sum()) * 1e-6,
                stage,
                trk[k0],
                vs[k0],
            )
            if best is None or cand[:4] < best[:4]:
                best = cand
            solved = solved or bool(good[k0])
            if solved and not lost:
                break
        if best is None:  # pragma: no cover - stages is never empty
            return
        _g, _b, _r, _c, stage, new_trk, new_vs = best
        self.plan_trk[rows] = new_trk
        self.plan_vs[rows] = new_vs
        if solved:
            self.resolved[active] = cs.t_in_s[active] > 0.0
        partners: dict[int, list[int]] = {p: [] for p in range(c)}
        lost_with: dict[int, list[str]] = {p: [] for p in range(c)}
        for k in active:
            a, b = int(cs.i[k]), int(cs.j[k])
            partners[local[a]].append(b)
            partners[local[b]].append(a)
            if cs.t_in_s[k] <= 0.0:
                lost_with[local[a]].append(str(ids[b]))
                lost_with[local[b]].append(str(ids[a]))
        for p, r in enumerate(rows):
            rid = str(ids[r])
            if int(r) in tcas_rows and rid in self.advice:
                continue
            self.advice[rid] = self._advisory(
                int(r),
                float(new_trk[p]),
                float(new_vs[p]),
                stage,
                oblig.get(p),
                partners[p],
                int(sense[p]),
                bool(fixed[p]),
                tie and p in (top, second),
                solved,
                [str(ids[x]) for x in rows] if c >= 3 else [],
                lost_with[p],
            )

    # ------------------------------------------------------------------------------------------
    def _options(
        self,
        row: int,
        stage: str,
        obliged: bool,
        oblig: tuple[int, int, bool] | None,
        sense: int,
        fixed: bool,
    ) -> _Options:
        """One aircraft's options in one stage (``h``, ``v`` or ``hv``), cheapest first."""
        trk0 = float(self.plan_trk[row])
        vs0 = float(self.plan_vs[row])
        if fixed:
            return _Options(np.array([trk0]), np.array([vs0]), np.zeros(1))
        turns: list[float] = [0.0]
        if "h" in stage and obliged:
            both_ways = oblig is not None and oblig[0] == Kind.DISTRESS
            ladder = TURNS_DEG if stage == "h" else COMBINED_TURNS_DEG
            turns = []
            for d in ladder:
                turns.append(d)
                if both_ways:
                    turns.append(-d)
        rates: list[float] = [vs0]
        if "v" in stage:
            if sense > 0:
                rates = [max(vs0, r * FPM) for r in RATES_FPM] + [0.0]
            elif sense < 0:
                rates = [min(vs0, -r * FPM) for r in RATES_FPM] + [0.0]
            else:
                rates = [0.0]
            rates = sorted(set(rates), key=lambda v: (abs(v - vs0), -v))
        trk = np.array([np.mod(np.round(trk0 + d), 360.0) if d else trk0 for d in turns])
        cost_h = np.abs(np.array(turns)) / TURN_STEP_DEG
        vs = np.array(rates)
        cost_v = np.abs(vs - vs0) / (VERTICAL_STEP_FPM * FPM)
        tt = np.repeat(trk, vs.shape[0])
        vv = np.tile(vs, trk.shape[0])
        cc = np.repeat(cost_h, vs.shape[0]) + np.tile(cost_v, trk.shape[0])
        order = np.argsort(cc, kind="stable")
        return _Options(tt[order], vv[order], cc[order])

    def _neighbours(self, rows: IntArray) -> IntArray:
        """Aircraft outside the cluster that could come within the minima of a cluster aircraft."""
        fleet, proto = self.fleet, self.proto
        n = len(fleet)
        others = np.setdiff1d(np.arange(n, dtype=np.intp), rows)
        if others.size == 0:
            return others
        gs_c = float(fleet.gs_mps[rows].max())
        perr_c = float(fleet.pos_err_m[rows].max())
        reach = (gs_c + fleet.gs_mps[others]) * proto.lookahead_s + proto.max_horizontal_m
        reach = reach + perr_c + fleet.pos_err_m[others] + NM
        d = self.pos[others][:, None, :] - self.pos[rows][None, :, :]
        dist = np.sqrt(np.einsum("abk,abk->ab", d, d)).min(axis=1)
        near: IntArray = others[dist <= reach]
        return near

    def _verify(
        self,
        rows: IntArray,
        neighbours: IntArray,
        trk: FloatArray,
        vs: FloatArray,
        fixed: npt.NDArray[np.bool_],
    ) -> tuple[IntArray, FloatArray]:
        """Re-predict K candidate combinations with the real engine, in chunks of bounded size.

        Parameters
        ----------
        rows : int array of shape (c,)
            Fleet rows of the cluster's aircraft.
        neighbours : int array of shape (nb,)
            Fleet rows of the aircraft around the cluster (flying their planned velocities).
        trk, vs : arrays of shape (K, c)
            Each combination's track (degrees) and vertical rate (m/s) for every cluster aircraft.
        fixed : bool array of shape (c,)
            Cluster aircraft that cannot change their path.

        Returns
        -------
        n_future : int array of shape (K,)
            How many pairs are predicted to *start* losing separation within the look-ahead
            (``t_in > 0``: a new loss, or one not avoided).
        badness : float array of shape (K,)
            Total time all pairs spend in loss of separation within the look-ahead, those already
            in loss included (seconds).

        The pairs checked are every pair inside the cluster and every (cluster aircraft, neighbour)
        pair, except those in which neither aircraft can change its path (*fixed* cluster aircraft,
        neighbours): the search cannot change them (a pair handed to TCAS stays TCAS's business).
        """
        k_n, c = trk.shape
        p_idx, q_idx = np.triu_indices(c, k=1)
        keep = ~(fixed[p_idx] & fixed[q_idx])
        p_idx, q_idx = p_idx[keep].astype(np.intp), q_idx[keep].astype(np.intp)
        movers = np.flatnonzero(~fixed).astype(np.intp)
        pm, pn = self._reachable(rows, neighbours, movers, vs)
        per_combo = p_idx.shape[0] + pm.shape[0]
        n_future = np.zeros(k_n, dtype=np.intp)
        badness = np.zeros(k_n)
        if per_combo == 0:
            return n_future, badness
        step = max(1, _PAIRS_PER_CHUNK // per_combo)
        for lo in range(0, k_n, step):
            hi = min(k_n, lo + step)
            n_future[lo:hi], badness[lo:hi] = self._verify_chunk(
                rows, neighbours, trk[lo:hi], vs[lo:hi], p_idx, q_idx, pm, pn
            )
        return n_future, badness

    def _reachable(
        self, rows: IntArray, neighbours: IntArray, movers: IntArray, vs: FloatArray
    ) -> tuple[IntArray, IntArray]:
        """The (cluster mover, neighbour) pairs that some combination could bring within the
        minima in the look-ahead, as (mover's cluster column, neighbour's index): pairs too far
        apart horizontally, at their two ground speeds on any tracks, or vertically, at the
        fastest rate any combination gives the mover, cannot conflict and are not re-predicted
        (a dense area's neighbours cost the search only the pairs that matter)."""
        empty = np.empty(0, dtype=np.intp)
        if movers.size == 0 or neighbours.size == 0:
            return empty, empty.copy()
        fleet, proto, t = self.fleet, self.proto, self.proto.lookahead_s
        m_rows = rows[movers]
        d = self.pos[neighbours][None, :, :] - self.pos[m_rows][:, None, :]  # (movers, nb, 3)
        dist = np.sqrt(np.einsum("abk,abk->ab", d, d))
        speeds = fleet.gs_mps[m_rows][:, None] + fleet.gs_mps[neighbours][None, :]
        errors = fleet.pos_err_m[m_rows][:, None] + fleet.pos_err_m[neighbours][None, :]
        reach_h = speeds * t + proto.max_horizontal_m + errors + NM
        vs_max = np.abs(vs[:, movers]).max(axis=0)  # the fastest rate any combination gives each mover
        dz = np.abs(fleet.alt_m[neighbours][None, :] - fleet.alt_m[m_rows][:, None])
        rates = vs_max[:, None] + np.abs(self.plan_vs[neighbours])[None, :]
        reach_v = rates * t + proto.max_vertical_m + 1.0
        a, b = np.nonzero((dist <= reach_h) & (dz <= reach_v))
        return movers[a].astype(np.intp), b.astype(np.intp)

    def _verify_chunk(
        self,
        rows: IntArray,
        neighbours: IntArray,
        trk: FloatArray,
        vs: FloatArray,
        p_idx: IntArray,
        q_idx: IntArray,
        pm: IntArray,
        pn: IntArray,
    ) -> tuple[IntArray, FloatArray]:
        """One chunk of :meth:`_verify`: a virtual fleet (neighbours, then one copy of the cluster
        per combination) and one vectorised ``evaluate_pairs`` call."""
        fleet = self.fleet
        k_n, c = trk.shape
        nb = neighbours.shape[0]
        src = np.concatenate([neighbours, np.tile(rows, k_n)])
        virtual = Fleet(
            ids=fleet.ids[src],
            party=fleet.party[src],
            lat_deg=fleet.lat_deg[src],
            lon_deg=fleet.lon_deg[src],
            alt_m=fleet.alt_m[src],
            gs_mps=fleet.gs_mps[src],
            trk_deg=np.concatenate([self.plan_trk[neighbours], trk.ravel()]),
            vs_mps=np.concatenate([self.plan_vs[neighbours], vs.ravel()]),
            pos_err_m=fleet.pos_err_m[src],
        )
        base = nb + np.arange(k_n, dtype=np.intp)[:, None] * c
        ii = [(base + p_idx[None, :]).ravel()]
        jj = [(base + q_idx[None, :]).ravel()]
        combo = [np.repeat(np.arange(k_n, dtype=np.intp), p_idx.shape[0])]
        if pm.size:  # the reachable (mover, neighbour) pairs, in every combination
            ii.append((base + pm[None, :]).ravel())
            jj.append(np.tile(pn, k_n))
            combo.append(np.repeat(np.arange(k_n, dtype=np.intp), pm.shape[0]))
        i_all = np.concatenate(ii).astype(np.intp)
        j_all = np.concatenate(jj).astype(np.intp)
        k_all = np.concatenate(combo)
        rules = _RowMapped(self.proto, fleet, src)
        watched = rules.watched(virtual, i_all, j_all)
        # a cheap exact cut before the engine: pairs whose altitudes, on this combination's rates,
        # never come within the largest vertical minimum during the look-ahead cannot conflict
        dz = virtual.alt_m[j_all] - virtual.alt_m[i_all]
        dz_end = dz + (virtual.vs_mps[j_all] - virtual.vs_mps[i_all]) * self.proto.lookahead_s
        apart = np.minimum(np.abs(dz), np.abs(dz_end))
        apart = np.where(np.sign(dz) != np.sign(dz_end), 0.0, apart)  # they cross: come together
        watched &= apart < self.proto.max_vertical_m + 1.0
        i_all, j_all, k_all = i_all[watched], j_all[watched], k_all[watched]
        geo = evaluate_pairs(virtual, rules, i_all, j_all)
        hit = geo.conflict
        dur = np.minimum(geo.t_out_s, self.proto.lookahead_s) - geo.t_in_s
        future = hit & (geo.t_in_s > 0.0)
        n_future = np.bincount(k_all[future], minlength=k_n).astype(np.intp)
        badness: FloatArray = np.bincount(k_all[hit], weights=dur[hit], minlength=k_n).astype(np.float64)
        return n_future, badness

    # ------------------------------------------------------------------------------------------
    def _tcas_advisory(self, own: int, other: int, k: int) -> Advisory:
        """The ``follow-tcas`` advisory of fleet row *own* in conflict *k* with row *other*."""
        t = self.tcas
        tau_mod = float(t.tau_mod_s[k])
        tau_txt = (
            f"modified tau {tau_mod:.0f} s <= {float(t.tau_s[k]):.0f} s"
            if math.isfinite(tau_mod)
            else (f"range within DMOD {float(t.dmod_m[k]) / NM:.2f} NM")
        )
        return Advisory(
            aircraft=str(self.fleet.ids[own]),
            party=str(self.fleet.party[own]),
            rule="follow-tcas",
            reason=(
                f"follow TCAS: the pair with {self.fleet.ids[other]} is inside the TCAS II RA region "
                f"(SL{int(t.sl[k])}: {tau_txt}, vertical within {float(t.zthr_m[k]) / FT:.0f} ft or "
                f"converging); no instruction from the ground, fly the resolution advisory"
            ),
        )

    def _advisory(
        self,
        row: int,
        new_trk: float,
        new_vs: float,
        stage: str,
        oblig: tuple[int, int, bool] | None,
        partners: list[int],
        sense: int,
        fixed: bool,
        tie: bool,
        solved: bool,
        joint: list[str],
        lost_with: list[str],
    ) -> Advisory:
        """The advisory of fleet row *row* for the chosen combination, with its rule and reason."""
        fleet = self.fleet
        ids = fleet.ids
        trk0 = float(fleet.trk_deg[row])
        vs0 = float(fleet.vs_mps[row])
        turn = float(np.mod(new_trk - trk0 + 180.0, 360.0) - 180.0)
        turned = abs(turn) > 1e-9
        vchanged = "v" in stage and abs(new_vs - vs0) > 1e-9
        names = ", ".join(sorted({str(ids[x]) for x in partners}))
        parts: list[str] = []
        rule: Rule
        trk_out: float | None = None
        vs_out: float | None = None
        if turned:
            side = "right" if turn > 0 else "left"
            parts.append(f"turn {side} {abs(turn):.0f}° to {new_trk:03.0f}°")
            trk_out = new_trk
        if vchanged:
            parts.append(_vertical_words(new_vs, vs0))
            vs_out = _fpm(new_vs, vs0)
        distress_partners = [x for x in partners if self.distress[x] and not self.distress[row]]
        if fixed and self.distress[row]:
            rule = "maintain"
            why = f"you are in distress and have right of way over all; {names} keep clear of you"
            parts = [f"maintain track {trk0:03.0f}° and speed"]
            trk_out = trk0
        elif turned or vchanged:
            if distress_partners:
                rule = "distress-priority"
                first = ids[distress_partners[0]]
                why = f"{first} is in distress and has right of way over all: keep clear of it"
            elif turned and oblig is not None:
                kd = Kind(oblig[0])
                other = str(ids[oblig[1]])
                rule = kd.rule  # type: ignore[assignment]
                why = {
                    Kind.HEAD_ON: f"Annex 2 head-on with {other}, both aircraft alter heading to the right",
                    Kind.CONVERGING: (
                        f"Annex 2 converging, {other} is on your right: give way, pass behind it"
                    ),
                    Kind.OVERTAKING: (
                        f"Annex 2 overtaking {other}: the overtaking aircraft alters heading to the right"
                    ),
                    Kind.DISTRESS: f"{other} is in distress and has right of way over all: keep clear of it",
                }[kd]
                if oblig[2]:
                    why = (
                        f"{other} is flying a TCAS resolution advisory and cannot give way: keep clear of it"
                    )
                if vchanged:
                    why += f"; vertical sense complementary to {names}"
            else:
                rule = "vertical"
                where = "above" if sense > 0 else ("below" if sense < 0 else "between")
                why = f"vertical resolution against {names}, complementary senses: you are {where}"
                if tie:
                    why += " (co-altitude tie-break: the aircraft whose id sorts first climbs)"
        else:
            rule = "maintain"
            if "h" in stage and "v" not in stage:
                parts = [f"maintain track {trk0:03.0f}° and speed"]
                trk_out = trk0
                why = f"you have right of way over {names}; the other aircraft keeps clear"
            else:
                parts = [_vertical_words(new_vs, vs0)]
                vs_out = _fpm(new_vs, vs0)
                why = f"{names} will manoeuvre clear of you (complementary senses)"
                if tie:
                    why += "; co-altitude tie-break: the aircraft whose id sorts first climbs"
        reason = " and ".join(parts) + ": " + why
        if row in self.floored and "v" in stage:
            reason += f"; no descent below the advisory floor ({self.floored[row]:.0f} ft)"
        if joint:
            reason += f" (joint resolution of {len(joint)} aircraft: {', '.join(joint)})"
        if lost_with and solved:
            reason += (
                f"; separation with {', '.join(sorted(lost_with))} is already lost: this regains it "
                "soonest without any new loss of separation"
            )
        if not solved:
            reason = (
                "NO SAFE MANOEUVRE FOUND (turns to 90°, rates to 2500 fpm) that restores the minima "
                f"without a new conflict; best effort: {reason}; alert escalated to warning"
            )
        return Advisory(
            aircraft=str(ids[row]),
            party=str(fleet.party[row]),
            rule=rule,
            reason=reason,
            trk_deg=trk_out,
            vs_fpm=vs_out,
        )


class _RowMapped:
    """The protocol as seen from a virtual fleet: each virtual row stands for an original row.

    Minima and eligibility depend on who the aircraft are and where they are now, never on the
    candidate velocities, so they are asked of the real fleet, with the original rows: a protocol
    that looks aircraft up by id (formations, parties) sees a well-formed fleet.
    """

    def __init__(self, inner: SafetyProtocol, fleet: Fleet, src: IntArray) -> None:
        self.inner = inner
        self.fleet = fleet
        self.src = src

    @property
    def lookahead_s(self) -> float:
        return self.inner.lookahead_s

    @property
    def max_horizontal_m(self) -> float:
        return self.inner.max_horizontal_m

    @property
    def max_vertical_m(self) -> float:
        return self.inner.max_vertical_m

    @property
    def velocity_error_mps(self) -> float:
        return self.inner.velocity_error_mps

    def pair_minima(self, fleet: Fleet, i: IntArray, j: IntArray) -> tuple[FloatArray, FloatArray]:
        return self.inner.pair_minima(self.fleet, self.src[i], self.src[j])

    def watched(self, fleet: Fleet, i: IntArray, j: IntArray) -> npt.NDArray[np.bool_]:
        return self.inner.watched(self.fleet, self.src[i], self.src[j])


def _fpm(new_vs: float, vs0: float) -> float:
    """The advised rate in ft/min: a ladder value exactly, or the current rate unrounded when kept."""
    if abs(new_vs - vs0) <= 1e-9:
        return new_vs / FPM
    return float(round(new_vs / FPM))


def _vertical_words(new_vs: float, vs0: float) -> str:
    fpm = round(new_vs / FPM)
    if fpm > 0:
        return f"climb at {fpm} fpm" if abs(new_vs - vs0) > 1e-9 else f"maintain climb at {fpm} fpm"
    if fpm < 0:
        return f"descend at {-fpm} fpm" if abs(new_vs - vs0) > 1e-9 else f"maintain descent at {-fpm} fpm"
    return "maintain level" if abs(vs0) < 1e-9 else "level off"


def _components(n: int, i: IntArray, j: IntArray) -> IntArray:
    """Connected-component label of every fleet row in the graph with edges (i[k], j[k])."""
    parent = np.arange(n, dtype=np.intp)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:
            parent[x], x = root, int(parent[x])
        return root

    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(x) for x in range(n)], dtype=np.intp)


def _combinations(sizes: list[int]) -> IntArray:
    """Option-index combinations to try, at most MAX_COMBINATIONS rows of shape (K, c).

    The full product when it fits. Otherwise every list is thinned (every other option kept, the
    first and the last always) until it fits, and the "synchronised ladder" (every aircraft at the
    same relative position of its own list) is added, so the search always spans the smallest to
    the largest manoeuvre of every aircraft.
    """
    c = len(sizes)
    picks = [np.arange(s, dtype=np.intp) for s in sizes]
    while math.prod(p.shape[0] for p in picks) > MAX_COMBINATIONS:
        longest = max(range(c), key=lambda q: picks[q].shape[0])
        p = picks[longest]
        if p.shape[0] <= 2:
            picks = [pk[:1] for pk in picks]  # only the ladder below
            break
        picks[longest] = np.unique(np.append(p[::2], p[-1]))
    # the product row by row, column by column (meshgrid would need one array dimension per
    # aircraft: numpy allows 32 to 64, and real clusters have more: 44, 85 on the worldwide fleet)
    product = np.zeros((1, 0), dtype=np.intp)
    for pk in picks:
        product = np.concatenate(
            [np.repeat(product, pk.shape[0], axis=0), np.tile(pk, product.shape[0])[:, None]], axis=1
        )
    steps = max(sizes) if sizes else 1
    frac = np.linspace(0.0, 1.0, steps)
    ladder = np.stack([np.round(frac * (s - 1)).astype(np.intp) for s in sizes], axis=1)
    out = np.unique(np.concatenate([product, ladder]), axis=0)
    return out.astype(np.intp)
