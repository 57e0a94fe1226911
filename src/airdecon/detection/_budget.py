"""What a party's own budget bounds in detection: its own pairs, and its aircraft judged along an arc.

A party's ``own_budget`` (the hub's, from each party's quota) bounds the work its own aircraft
cost everyone's cycle: :func:`pairs_within_budget` keeps at most that many pairs of its own
aircraft (cross-party pairs are all kept), :func:`cap_turns` at most a hundredth of it of its
turning aircraft along their arcs. :func:`turns_judged` gives the fleet as detection judged it,
for the resolver: an aircraft whose arc detection did not judge is not searched along it either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from airdecon.detection._paths import hypothesis_rows
from airdecon.state import Fleet

__all__ = ["TURNS_PER_BUDGET", "cap_turns", "pairs_within_budget", "turns_judged"]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

TURNS_PER_BUDGET = 100
"""With an ``own_budget``, a party's aircraft judged along an arc are at most its budget divided
by this (50 for a force's 5,000, 500 for civil traffic's 50,000), the fastest-turning first: a
turn costs every pair it is in up to a few hundred exact solves instead of one, and a party that
reports its whole quota turning must not make everyone's cycle pay for it (issue 12). Only that
party's own predictions lose the arc; other parties' turning aircraft keep theirs."""


def cap_turns(fleet: Fleet, turns: BoolArray, own_budget: Mapping[str, int] | None
              ) -> tuple[BoolArray, tuple[str, ...]]:
    """At most ``own_budget[party] // TURNS_PER_BUDGET`` turning aircraft of each budgeted party
    (the fastest-turning, then by id); the parties cut, named for :attr:`ConflictSet.capped`."""
    turn_dps = fleet.turn_dps
    if not own_budget or not turns.any() or turn_dps is None:
        return turns, ()
    turns = turns.copy()
    capped = []
    for party, budget in own_budget.items():
        rows = np.flatnonzero(turns & (fleet.party == party))
        limit = max(1, int(budget) // TURNS_PER_BUDGET)
        if rows.shape[0] <= limit:
            continue
        order = sorted(rows.tolist(), key=lambda r: (-abs(float(turn_dps[r])), str(fleet.ids[r])))
        turns[order[limit:]] = False
        capped.append(str(party))
    return turns, tuple(capped)


def pairs_within_budget(fleet: Fleet, i: IntArray, j: IntArray, own_budget: Mapping[str, int] | None
                        ) -> tuple[IntArray, IntArray, tuple[str, ...]]:
    """At most ``own_budget[party]`` pairs of one party's own aircraft (cross-party pairs all kept)."""
    if not own_budget or i.size == 0:
        return i, j, ()
    pa, pb = fleet.party[i], fleet.party[j]
    keep = np.ones(i.shape[0], dtype=bool)
    capped = []
    for party, limit in own_budget.items():
        own = np.flatnonzero((pa == party) & (pb == party))
        if limit >= 0 and own.shape[0] > limit:
            keep[own[limit:]] = False
            capped.append(str(party))
    return i[keep], j[keep], tuple(capped)


def turns_judged(fleet: Fleet, lookahead_s: float, own_budget: Mapping[str, int] | None) -> Fleet:
    """*fleet* with the track rate of each aircraft detection does not judge along its arc (beyond
    its party's :func:`cap_turns`) set to 0; the same fleet when nothing is capped."""
    if fleet.turn_dps is None or not own_budget:
        return fleet
    turns = hypothesis_rows(fleet, lookahead_s)[1]
    kept, capped = cap_turns(fleet, turns, own_budget)
    if not capped:
        return fleet
    return dataclasses.replace(fleet, turn_dps=np.where(turns & ~kept, 0.0, fleet.turn_dps))
