"""The words of an advisory: its rule and the reason a pilot and a duty officer read.

Kept apart from the search (:mod:`._resolve`, :mod:`._search`): the search decides the manoeuvre,
this module says what it is and why, from the resolver's state (:class:`ResolverState`).
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import numpy.typing as npt

from airdecon.protocol import SafetyProtocol
from airdecon.resolution._advisory import Advisory, Rule
from airdecon.resolution._geometry import Kind
from airdecon.resolution._tcas import RaRegion
from airdecon.state import TURN_MIN_DPS, Fleet
from airdecon.units import FPM, FT, NM

__all__ = ["ResolverState", "advisory", "tcas_advisory"]


class ResolverState(Protocol):
    """What the wording reads of one resolve() run."""

    fleet: Fleet
    proto: SafetyProtocol
    tcas: RaRegion
    distress: npt.NDArray[np.bool_]
    floored: dict[int, float]
    pairwise_size: int


def tcas_advisory(r: ResolverState, own: int, other: int, k: int) -> Advisory:
    """The ``follow-tcas`` advisory of fleet row *own* in conflict *k* with row *other*."""
    t = r.tcas
    tau_mod = float(t.tau_mod_s[k])
    tau_txt = (
        f"modified tau {tau_mod:.0f} s <= {float(t.tau_s[k]):.0f} s"
        if math.isfinite(tau_mod)
        else (f"range within DMOD {float(t.dmod_m[k]) / NM:.2f} NM")
    )
    return Advisory(
        aircraft=str(r.fleet.ids[own]),
        party=str(r.fleet.party[own]),
        rule="follow-tcas",
        reason=(
            f"follow TCAS: the pair with {r.fleet.ids[other]} is inside the TCAS II RA region "
            f"(SL{int(t.sl[k])}: {tau_txt}, vertical within {float(t.zthr_m[k]) / FT:.0f} ft or "
            f"converging); no instruction from the ground, fly the resolution advisory"
        ),
    )

def advisory(
    r: ResolverState,
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
    others_change: bool = True,
    others_move: bool = True,
) -> Advisory:
    """The advisory of fleet row *row* for the chosen combination, with its rule and reason
    (*others_change*: whether any other aircraft of the cluster is told to change anything;
    *others_move*: whether any is told a new track or vertical rate, not only to stop a turn)."""
    fleet = r.fleet
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
    distress_partners = [x for x in partners if r.distress[x] and not r.distress[row]]
    if fixed and r.distress[row]:
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
        if others_change and not others_move:  # the others only stop their turns: that is all
            stop = "stop its turn" if len(set(partners)) == 1 else "stop their turns"
            why = f"{names} will {stop} short of you"
    if trk_out is None and fleet.turn_dps is not None and abs(float(fleet.turn_dps[row])) >= TURN_MIN_DPS:
        # the search verified this aircraft straight on this track: in a turn, it is told to stop
        # there (ICAO "stop turn"), or it would fly on along an arc nothing verified
        parts.append(f"stop turn on track {new_trk:03.0f}°")
        trk_out = new_trk
        if not (turned or vchanged or others_change):  # its turn is all that changes
            why = f"your turn would take you into conflict with {names}; stopped there, you keep clear"
    reason = " and ".join(parts) + ": " + why
    if r.pairwise_size:
        reason += (f" (pairwise coordination: a cluster of {r.pairwise_size} aircraft, beyond the "
                   f"joint search's {r.proto.max_joint_aircraft}, whose worst case exceeds the cluster's "
                   f"share of the search budget)")
    if row in r.floored and "v" in stage:
        reason += f"; no descent below the advisory floor ({r.floored[row]:.0f} ft)"
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
