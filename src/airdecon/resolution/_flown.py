"""The last check of a cluster's chosen manoeuvres: on the paths the aircraft will fly, as detected.

The search (:mod:`._search`) flies each cluster aircraft straight on its combination's track and
vertical rate. That is what the aircraft flies on the channels its advisory gives; on a channel
the advisory leaves out, it flies on as detection predicts it: an aircraft given a track alone
still levels off at its selected altitude (the search had it climb or descend straight through),
and one given a vertical rate alone is told to stop its turn (:mod:`._wording`). Neighbours that
turn or level off are judged on their own paths by the search (:mod:`._neighbours`).

:func:`holds` takes the advisories of one candidate, applies the channels each gives to the
cluster's aircraft (a track ends a turn, a vertical rate ends a level-off; the others keep their
hypotheses), and runs detection (:func:`airdecon.detect`, every hypothesis) on the cluster and its
neighbours: the candidate holds unless a pair with a hypothesis, one of them in the cluster, is
predicted to *start* losing separation. Pairs with none were verified exactly by the search, the
response delay included, and are not judged again. Only a cluster with an aircraft that levels
off is checked (:func:`needs_check`), and only a candidate that leaves such an aircraft's vertical
rate to it: for the rest the search's verdict stands unchanged, at no cost.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from airdecon.detection import detect
from airdecon.detection._paths import hypothesis_rows
from airdecon.protocol import SafetyProtocol
from airdecon.resolution._advisory import Advisory
from airdecon.state import Fleet
from airdecon.units import FPM, FloatArray

__all__ = ["holds", "needs_check"]

IntArray = npt.NDArray[np.intp]


def needs_check(fleet: Fleet, proto: SafetyProtocol, rows: IntArray) -> bool:
    """Whether an aircraft of the cluster (*rows*) levels off within the look-ahead (a turning one
    is always given a track, and neighbours are the search's: nothing else can differ)."""
    if fleet.sel_alt_m is None:
        return False
    levels, _turns = hypothesis_rows(fleet, proto.lookahead_s)
    return bool(levels[rows].any())


def holds(
    fleet: Fleet,
    proto: SafetyProtocol,
    rows: IntArray,
    near: IntArray,
    plan_trk: FloatArray,
    plan_vs: FloatArray,
    advice: Mapping[str, Advisory],
) -> bool:
    """Whether the cluster's advisories *advice* (by aircraft id) keep every pair with a hypothesis
    free of a new loss of separation (module docstring). *plan_trk*, *plan_vs* are every fleet
    row's planned track and rate (aircraft advised earlier in this run fly theirs)."""
    levels, _turns = hypothesis_rows(fleet.take(rows), proto.lookahead_s)
    if all(advice.get(str(fleet.ids[r])) is None or advice[str(fleet.ids[r])].vs_fpm is not None
           for r in rows[levels].tolist()):
        return True  # every aircraft that levels off is given its rate: flown as the search flew it
    sub = np.concatenate([rows, near])
    small = fleet.take(sub)
    trk, vs = plan_trk[sub].copy(), plan_vs[sub].copy()
    turn = np.zeros(sub.shape[0]) if small.turn_dps is None else small.turn_dps.copy()
    sel = np.full(sub.shape[0], np.nan) if small.sel_alt_m is None else small.sel_alt_m.copy()
    # advised earlier in this run: flying what it was told, no longer its turn or level-off
    turn[trk != small.trk_deg] = 0.0
    sel[vs != small.vs_mps] = np.nan
    for p, r in enumerate(rows.tolist()):
        adv = advice.get(str(fleet.ids[r]))
        if adv is None:
            continue
        if adv.trk_deg is not None:
            trk[p], turn[p] = adv.trk_deg, 0.0
        if adv.vs_fpm is not None:
            vs[p], sel[p] = adv.vs_fpm * FPM, np.nan
    flown = dataclasses.replace(
        small,
        trk_deg=np.mod(trk, 360.0),
        vs_mps=vs,
        sel_alt_m=sel if np.isfinite(sel).any() else None,
        turn_dps=turn if turn.any() else None,
    )
    levels, turns = hypothesis_rows(flown, proto.lookahead_s)
    special = levels | turns
    cs = detect(flown, proto)
    c = rows.shape[0]
    judged = (special[cs.i] | special[cs.j]) & ((cs.i < c) | (cs.j < c))
    return not bool(np.any(judged & (cs.t_in_s > 0.0)))
