"""resolve(): conflicts -> verified advisories, one per aircraft, found jointly per encounter cluster.

Procedure (documented in ``docs/resolution.md``):

1. Levels come from :func:`airdecon.alerting.classify` with the protocol's thresholds.
2. Pairs inside the TCAS II RA region (:mod:`._tcas`) are handed to the airborne collision avoidance
   (``follow-tcas``, no instruction from the ground) when ``rules.follow_tcas``; their aircraft keep
   their current velocity in every later re-prediction.
3. The conflict graph is split into clusters (connected components). Clusters are resolved one after
   the other, most urgent first, each one re-predicted against the manoeuvres already chosen for
   earlier clusters, so the final set of advisories is consistent as a whole.
4. In a cluster (:mod:`._cluster`), each aircraft gets an ordered list of options (a new track, a
   new vertical rate, or both) by the rules: Annex 2 right of way for turns (:mod:`._geometry`),
   complementary TCAS-style senses for vertical rates. Combinations of options are scored by size
   (the largest single manoeuvre, in steps of 5 degrees or 500 ft/min, then the total) and
   re-predicted, cheapest first, with the engine's exact interval solver (:mod:`._search`) against
   every pair inside the cluster and every nearby aircraft. The smallest combination with no loss
   of separation within the look-ahead wins. Stages: the preferred dimension alone, then the other,
   then both together. A cluster of more than ``protocol.max_joint_aircraft`` aircraft is
   searched jointly all the same when the worst case of that search fits within its fair share
   of the budget left (:meth:`_Resolver._affordable`), and otherwise coordinated pair by pair,
   most urgent first, each pair against the advice already given.
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
import math
from collections.abc import Iterable, Mapping
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
from airdecon.resolution._cluster import (
    COMBINED_TURNS_DEG,
    RATES_FPM,
    TURN_STEP_DEG,
    TURNS_DEG,
    solve_cluster,
)
from airdecon.resolution._geometry import encounter_geometry, right_of_way
from airdecon.resolution._search import MAX_COMBINATIONS, components, neighbours
from airdecon.resolution._tcas import RaRegion, ra_region
from airdecon.resolution._wording import tcas_advisory
from airdecon.state import Fleet
from airdecon.units import FPM

__all__ = ["MAX_COMBINATIONS", "RATES_FPM", "REFERENCE_PAIRS_PER_S", "TURNS_DEG", "TURN_STEP_DEG", "resolve"]

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_State = tuple[dict[str, Advisory], FloatArray, FloatArray, IntArray, BoolArray]  # see _Resolver._state
_log = logging.getLogger("airdecon.resolution")
Prefer = Literal["auto", "horizontal", "vertical"]


REFERENCE_PAIRS_PER_S: float = 3.0e6
"""Pair predictions the search makes per second on the reference machine (2 cores, measured by
``bench/resolve.py``): converts the protocol's ``search_budget_s`` into a count of pair
predictions, so the budget does not depend on the clock or the machine's load."""


def resolve(
    fleet: Fleet,
    conflicts: ConflictSet,
    protocol: SafetyProtocol | None = None,
    *,
    distress: Iterable[str] = frozenset(),
    prefer: Prefer = "auto",
    previous: Mapping[str, Advisory] | None = None,
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
    previous : mapping of str to Advisory, optional
        The advisories the aircraft were given and still fly (e.g. the last
        ``Resolution.by_aircraft``, less those since resumed, a channel a later advisory left out
        kept from the earlier one), by aircraft id; ids not in *fleet* are ignored. Re-advised
        every second, an aircraft keeps its previous advisory as long as that is part of a
        combination with no loss of separation: its track and vertical rate (the current one
        for a channel it leaves out) are its first option in every stage, at no cost
        (hysteresis, as TCAS keeps a sense unless it must reverse), so a marginally cheaper
        manoeuvre does not replace it and the pilot is not sent a new instruction every second.
        An advisory without a track or vertical rate (``follow-tcas``) changes nothing.

    Returns
    -------
    Resolution

    Raises
    ------
    InputError
        When the conflicts were not detected in this fleet, a distress id is unknown, *prefer*
        is not one of the choices, or a previous advisory is not an :class:`Advisory` with a
        finite track in [0, 360) and a finite vertical rate.
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
    resolver = _Resolver(fleet, conflicts, proto, distress_ids, prefer)
    resolver.previous = _previous(fleet, previous or {})
    return resolver.run()


def _previous(fleet: Fleet, previous: Mapping[str, Advisory]) -> dict[int, tuple[float, float]]:
    """Fleet row -> (track in degrees, vertical rate in m/s; NaN where not given) of the previous
    advisories of aircraft in *fleet*."""
    rows = {str(a): k for k, a in enumerate(fleet.ids.tolist())}
    out: dict[int, tuple[float, float]] = {}
    for aid, adv in previous.items():
        if not isinstance(adv, Advisory):
            raise InputError(f"previous: the advisory of {str(aid)[:40]!r} is not an Advisory")
        trk, vs = adv.trk_deg, adv.vs_fpm
        name = repr(str(aid)[:40])
        if trk is not None and not (isinstance(trk, int | float) and math.isfinite(trk) and 0 <= trk < 360):
            raise InputError(f"previous: the track of {name} must be in [0, 360), got {trk!r:.40}")
        if vs is not None and not (isinstance(vs, int | float) and math.isfinite(vs)):
            raise InputError(f"previous: the vertical rate of {name} must be finite, got {vs!r:.40}")
        row = rows.get(str(aid))
        if row is None or (trk is None and vs is None):
            continue
        out[row] = (math.nan if trk is None else float(trk), math.nan if vs is None else float(vs) * FPM)
    return out


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
        # fleet row -> (track deg, vertical rate m/s; NaN: not given) of the advisory it flies now
        self.previous: dict[int, tuple[float, float]] = {}
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
        remaining = int(np.count_nonzero(~self.follow))  # conflicts still to search
        for number, comp in enumerate(order):
            ks = np.flatnonzero(comps[cs.i] == comp)
            share = remaining
            remaining -= int(np.count_nonzero(~self.follow[ks]))
            self.cluster[ks] = number
            size = int(np.unique(np.concatenate([cs.i[ks], cs.j[ks]])).shape[0])
            if self.spent:
                active = ks[~self.follow[ks]]
                self._tcas_only(ks)
                failed[active] = True
                if active.size:
                    errors[number] = self._budget_error()
            elif size > self.proto.max_joint_aircraft and not self._affordable(ks, share):
                bad = self._pairwise(ks, size)
                failed[bad] = True
                if bad.size:
                    errors[number] = self.error
            elif size > self.proto.max_joint_aircraft:
                bad = self._joint_else_pairwise(ks, size)
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

    def _affordable(self, ks: IntArray, left: int) -> bool:
        """Whether a cluster beyond ``max_joint_aircraft`` is searched jointly all the same: when
        the worst case of its joint search fits within its fair share of the budget left, i.e.
        the budget left times its conflicts over the *left* conflicts still to search (this one's
        included). Worst case: every stage verifies every combination
        (:data:`MAX_COMBINATIONS` plus the ladder) against every pair the search could check (each
        pair inside the cluster, each aircraft against each neighbour). A count, like the budget:
        the same picture always makes the same choice."""
        active = ks[~self.follow[ks]]
        if active.size == 0 or left <= 0:
            return True
        share = (self.budget - self.work) * active.size / left
        return self.joint_worst_case(active) <= share

    def joint_worst_case(self, active: IntArray) -> int:
        """The most pair predictions a joint search of the conflicts *active* can make: every
        stage verifying every combination against every pair it could check."""
        cs = self.cs
        rows = np.unique(np.concatenate([cs.i[active], cs.j[active]]))
        c = int(rows.shape[0])
        near = neighbours(self.fleet, self.proto, self.pos, rows)
        pairs = c * (c - 1) // 2 + c * int(near.shape[0])
        stages = 3 if self.rules.vertical_advisories else 1
        # the ladder adds at most one combination per option of the longest list: turns both
        # ways (distress) times the rates and level-off, and the advisory in force
        ladder = 2 * max(len(TURNS_DEG), len(COMBINED_TURNS_DEG) * (len(RATES_FPM) + 1)) + 1
        return stages * (MAX_COMBINATIONS + ladder) * pairs

    def _joint_else_pairwise(self, ks: IntArray, size: int) -> IntArray:
        """An affordable cluster beyond ``max_joint_aircraft``: searched jointly; when that leaves
        any of its conflicts unresolved, pair by pair as well, and the answer that resolves more of
        them is kept (the joint one on a tie). So a larger budget never resolves fewer conflicts
        than pair by pair would. Returns the conflicts that failed (see :meth:`_pairwise`)."""
        search = ks[~self.follow[ks]]
        before = self._state(ks)
        raised = not self._isolated(ks)  # a bug met on the cluster's data: its error is kept
        if not raised and self.resolved[search].all():
            return np.empty(0, dtype=np.intp)
        joint, joint_error = self._state(ks), self.error
        joint_ok = int(np.count_nonzero(self.resolved[search]))
        self._restore(before)
        bad = self._pairwise(ks, size)
        if raised or int(np.count_nonzero(self.resolved[search])) > joint_ok:
            return bad
        self._restore(joint)
        self.error = joint_error
        return np.empty(0, dtype=np.intp)

    def _state(self, ks: IntArray) -> _State:
        """What resolving cluster *ks* changes, to put back with :meth:`_restore`."""
        return dict(self.advice), self.plan_trk.copy(), self.plan_vs.copy(), ks, self.resolved[ks].copy()

    def _restore(self, state: _State) -> None:
        self.advice, self.plan_trk, self.plan_vs = dict(state[0]), state[1].copy(), state[2].copy()
        self.resolved[state[3]] = state[4]

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
        """Resolve one cluster (conflict indices *ks*): see :func:`._cluster.solve_cluster`."""
        solve_cluster(self, ks)
