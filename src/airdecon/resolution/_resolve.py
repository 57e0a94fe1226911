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
   manoeuvre, in steps of 5 degrees or 500 ft/min, then the total) and re-predicted, cheapest
   first, with the engine's exact interval solver (:mod:`._search`) against every pair inside the
   cluster and every nearby aircraft. The smallest combination with no loss of separation within
   the look-ahead wins. Stages: the preferred dimension alone, then the other, then both together.
   A cluster of more than ``protocol.max_joint_aircraft`` aircraft is coordinated pair by pair, most
   urgent first, each pair against the advice already given.
5. When no combination works, the one that leaves the least total time in loss of separation is
   advised, the reason says so, and the cluster's alerts are escalated to at least ``warning``.
   A pair already in loss cannot be restored at once: it only must not make anything new be lost,
   and gets the combination that regains separation soonest.
6. A cluster whose resolution fails (an error met on its data) is isolated: what it chose is undone,
   its conflicts are marked ``failed`` (no advisories, escalated to ``warning``) with the error
   kept in ``Resolution.errors``, and every other cluster is resolved as if it were not there.
7. The search is bounded by ``protocol.search_budget_s``, counted in pair predictions at
   :data:`REFERENCE_PAIRS_PER_S` (a count, not a clock: the same picture gets the same advice).
   What is left when it is spent is reported ``failed`` per pair, with the reason.

Manoeuvres are modelled as instantaneous velocity changes at the time of the snapshot (speed kept,
new track rounded to a whole degree before it is verified).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
import numpy.typing as npt

from airdecon.alerting import Level, classify
from airdecon.detection import ConflictSet
from airdecon.errors import InputError
from airdecon.geometry import geodetic_to_ecef
from airdecon.protocol import RulesOfTheAir, SafetyProtocol
from airdecon.resolution._advisory import Advisory, Resolution
from airdecon.resolution._geometry import Kind, encounter_geometry, right_of_way
from airdecon.resolution._search import MAX_COMBINATIONS, Stage, combinations, components, neighbours
from airdecon.resolution._tcas import RaRegion, ra_region
from airdecon.resolution._wording import advisory, tcas_advisory
from airdecon.state import Fleet
from airdecon.units import FPM, FT, FloatArray

__all__ = ["MAX_COMBINATIONS", "RATES_FPM", "REFERENCE_PAIRS_PER_S", "TURNS_DEG", "TURN_STEP_DEG", "resolve"]

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
VERTICAL_STEP_FPM: float = 500.0
"""Cost unit of a vertical-rate change (one step = 500 ft/min, as one step of a turn = 5 degrees)."""
LEVEL_FPM: float = 500.0
"""An aircraft whose vertical rate is below this is level (for "approximately the same level")."""

REFERENCE_PAIRS_PER_S: float = 3.0e6
"""Pair predictions the search makes per second on the reference machine (2 cores, measured by
``bench/resolve.py``): converts the protocol's ``search_budget_s`` into a count of pair
predictions, so the budget does not depend on the clock or the machine's load."""

_TIE_M = 0.5  # altitude ranks closer than this are a tie (then vertical rate, then id)


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
        self.committed: set[int] = set()  # rows advised earlier in a pairwise cluster: they fly it
        self.pairwise_size = 0  # the size of the cluster being resolved pair by pair (0: joint)
        self.floored: dict[int, float] = {}  # rows denied a descent by the floor -> its floor, ft
        self.error = ""  # the last cluster failure (see _isolated)
        self.work = 0  # pair predictions made so far (see _search.Stage)
        self.budget = protocol.search_budget_s * REFERENCE_PAIRS_PER_S
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
        comps = components(len(self.fleet), cs.i, cs.j)
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
            size = int(np.unique(np.concatenate([cs.i[ks], cs.j[ks]])).shape[0])
            if self.spent:
                active = ks[~self.follow[ks]]
                self._tcas_only(ks)
                failed[active] = True
                if active.size:
                    errors[number] = self._budget_error()
            elif size > self.proto.max_joint_aircraft:
                bad = self._pairwise(ks, size)
                failed[bad] = True
                if bad.size:
                    errors[number] = self.error
            elif not self._isolated(ks):
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

    def _pairwise(self, ks: IntArray, size: int) -> IntArray:
        """A cluster beyond the joint search (more than ``max_joint_aircraft``): its conflicts one
        pair at a time, most urgent first. An aircraft advised in an earlier pair keeps that advice
        and flies it in the later ones (each new manoeuvre is verified against it). Returns the
        conflicts whose pair could not be resolved (an error met on its data)."""
        bad: list[int] = []
        self.pairwise_size = size
        try:
            for k in ks:
                if self.spent and not self.follow[k]:
                    self.error = self._budget_error()
                    bad.append(int(k))
                elif self._isolated(np.array([k], dtype=np.intp)):
                    self.committed.update((int(self.cs.i[k]), int(self.cs.j[k])))
                else:
                    bad.append(int(k))
        finally:
            self.committed, self.pairwise_size = set(), 0
        return np.array(bad, dtype=np.intp)

    @property
    def spent(self) -> bool:
        """Whether the search budget is used up (the clusters left get no advisory)."""
        return self.work >= self.budget

    def _budget_error(self) -> str:
        return (f"not searched: the resolver's budget ({self.proto.search_budget_s:g} s, "
                f"{self.budget:,.0f} pair predictions) went to more urgent encounters")

    def _tcas_only(self, ks: IntArray) -> None:
        """A cluster past the budget: only its TCAS hand-offs are advised (they cost no search)."""
        for k in ks[self.follow[ks]]:
            a, b = int(self.cs.i[k]), int(self.cs.j[k])
            for own, other in ((a, b), (b, a)):
                if str(self.fleet.ids[own]) not in self.advice:
                    self.advice[str(self.fleet.ids[own])] = tcas_advisory(self, own, other, int(k))

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
                    self.advice[str(ids[own])] = tcas_advisory(self, own, other, int(k))
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
            if int(r) in tcas_rows or int(r) in self.committed:
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
        # (two aircraft that keep advice given earlier in a pairwise cluster are not stuck: their
        # plans may well keep them apart, and the verification says whether they do)
        stuck = bool(
            np.any(
                fixed[[local[int(x)] for x in cs.i[active]]] & fixed[[local[int(x)] for x in cs.j[active]]]
            )
        ) and not all(int(r) in self.committed for r in rows)
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
        near = neighbours(fleet, self.proto, self.pos, rows)

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
            combos = combinations([o.cost.shape[0] for o in opts])
            trk = np.stack([opts[p].trk[combos[:, p]] for p in range(c)], axis=1)
            vs = np.stack([opts[p].vs[combos[:, p]] for p in range(c)], axis=1)
            cost = np.stack([opts[p].cost[combos[:, p]] for p in range(c)], axis=1)
            search = Stage(fleet, self.proto, self.pos, rows, near,
                           self.plan_trk[near], self.plan_vs[near], fixed, vs)
            n_future, badness, n_held = search.search(trk, vs, cost, exhaustive=stuck or lost)
            self.work += search.work
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
            # a pair already in loss: the first stage that makes no new loss and regains every
            # lost separation within the look-ahead will do (no later stage is searched for one
            # that regains it sooner); one that keeps a pair in loss lets the next stages try
            if (solved and (not lost or (good[k0] and n_held[k0] == 0))) or self.spent:
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
            if (int(r) in tcas_rows and rid in self.advice) or int(r) in self.committed:
                continue
            self.advice[rid] = advisory(
                self,
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
