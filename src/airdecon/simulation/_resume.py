"""When an advised aircraft may resume its route: the path it will really fly back, checked.

An aircraft the line no longer advises keeps its advisory until flying back to its intent is
predicted clear of every neighbour. The path checked is the one the aircraft flies
(:mod:`._kinematics`), not an instant change of track: it resumes at once (no advisory to wait
for), turns toward its intended track at its rate of turn (3 deg/s) and captures its intended
vertical rate at its vertical acceleration, then flies straight on its intent. So, with all the
resuming aircraft resuming together:

1. **the turn**: the resuming aircraft are stepped along their arcs, second by second, while the
   others fly what they are commanded (their advisory, or their intent; an advisory waiting for
   its pilot from the second it is due), with the same kinematics; at every second
   each resuming aircraft's horizontal distance to every other aircraft is measured in the pair's
   tangent plane, as the run measures it, and its vertical distance, against the pair's minima;
2. **after the turn**: from where the arcs end, one detection (:func:`airdecon.detect`, the
   protocol's look-ahead) with the resuming aircraft on their intent velocities.

The minima are the protocol's (no margin: the simulator flies on the ellipsoid the engine
predicts on, and the turn back is stepped as flown). An aircraft predicted in loss or conflict in
either part keeps its advisory, and the others are then checked again without it resuming
(:func:`clear_to_resume`). Pure: no clock, no randomness.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from airdecon.detection import detect
from airdecon.geometry import east_north_up, geodetic_to_ecef
from airdecon.protocol import SafetyProtocol
from airdecon.simulation._kinematics import Flight, step, wrap180
from airdecon.simulation._pilot import Pilots
from airdecon.state import Fleet
from airdecon.units import FloatArray

__all__ = ["clear_to_resume", "turn_back_s"]

IntArray = npt.NDArray[np.intp]
_STEP_S = 1.0


def turn_back_s(now: Fleet, pilots: Pilots, rows: IntArray, t_s: float) -> float:
    """Seconds the aircraft *rows* take to be back on their intended track and vertical rate."""
    state = Flight(now.lat_deg, now.lon_deg, now.alt_m, now.gs_mps, now.trk_deg, now.vs_mps)
    trk_i, vs_i = pilots.intent(state, t_s)
    turn_s = float(np.max(np.abs(wrap180(trk_i[rows] - now.trk_deg[rows])))) / pilots.model.turn_rate_dps
    capture_s = float(np.max(np.abs(vs_i[rows] - now.vs_mps[rows]))) / pilots.vertical_accel_mps2
    return max(turn_s, capture_s)


def clear_to_resume(
    now: Fleet, proto: SafetyProtocol, pilots: Pilots, rows: IntArray, t_s: float
) -> IntArray:
    """Those of *rows* whose flown way back to their intent, turn and then straight, is predicted
    clear of every other aircraft at *proto*'s minima (module docstring), all of them resuming
    together and the others flying what they are commanded. An aircraft found busy keeps its
    advisory, so the others' verdict is checked again without it resuming, until none is dropped."""
    while True:
        clear = _clear_together(now, proto, pilots, rows, t_s)
        if clear.size in (0, rows.size):
            return clear
        rows = clear


def _clear_together(
    now: Fleet, proto: SafetyProtocol, pilots: Pilots, rows: IntArray, t_s: float
) -> IntArray:
    """Those of *rows* clear when all of *rows* resume together."""
    n = len(now)
    resuming = np.zeros(n, dtype=bool)
    resuming[rows] = True
    steps = min(
        math.ceil(turn_back_s(now, pilots, rows, t_s) / _STEP_S - 1e-9),
        math.ceil(proto.lookahead_s / _STEP_S),
    )
    # every pair of a resuming aircraft with another aircraft, each pair once
    r = np.arange(n)
    ii, jj = np.nonzero(resuming[:, None] & (~resuming[None, :] | (r[:, None] < r[None, :])))
    ii, jj = ii.astype(np.intp), jj.astype(np.intp)
    h_min, v_min = proto.pair_minima(now, ii, jj)
    busy = np.zeros(n, dtype=bool)
    state = Flight(now.lat_deg, now.lon_deg, now.alt_m, now.gs_mps, now.trk_deg, now.vs_mps)
    for k in range(steps):
        t = t_s + k * _STEP_S
        trk_i, vs_i = pilots.intent(state, t)
        c_trk, c_vs = pilots.commands(state, t)
        due = pilots.wait_t <= t + 1e-9
        c_trk = np.where(due & np.isfinite(pilots.wait_trk), pilots.wait_trk, c_trk)
        c_vs = np.where(
            due & np.isfinite(pilots.wait_vs), np.clip(pilots.wait_vs, -pilots.max_vs, pilots.max_vs), c_vs
        )
        state, _ = step(
            state,
            np.where(resuming, trk_i, c_trk),
            np.where(resuming, vs_i, c_vs),
            _STEP_S,
            turn_rate_dps=pilots.model.turn_rate_dps,
            vertical_accel_mps2=pilots.vertical_accel_mps2,
        )
        if ii.size:
            h = _horizontal_m(state, ii, jj)
            loss = (h < h_min) & (np.abs(state.alt_m[jj] - state.alt_m[ii]) < v_min)
            busy[ii[loss]] = True
            busy[jj[loss]] = True
    trk_i, vs_i = pilots.intent(state, t_s + steps * _STEP_S)
    trial = replace(
        now,
        lat_deg=state.lat_deg,
        lon_deg=state.lon_deg,
        alt_m=state.alt_m,
        trk_deg=np.where(resuming, trk_i, state.trk_deg),
        vs_mps=np.where(resuming, vs_i, state.vs_mps),
    )
    cs = detect(trial, proto)
    busy[cs.i] = True
    busy[cs.j] = True
    out: IntArray = rows[~busy[rows]]
    return out


def _horizontal_m(s: Flight, i: IntArray, j: IntArray) -> FloatArray:
    """Horizontal distance of pairs (i[k], j[k]) in each pair's tangent plane (the plane normal to
    the mean of their geodetic up vectors, as :func:`airdecon.resolution.encounter_geometry`)."""
    pos = geodetic_to_ecef(s.lat_deg, s.lon_deg)
    _, _, up = east_north_up(s.lat_deg, s.lon_deg)
    u = up[i] + up[j]
    u /= np.linalg.norm(u, axis=1)[:, None]
    d = pos[j] - pos[i]
    flat = d - np.einsum("ij,ij->i", d, u)[:, None] * u
    out: FloatArray = np.linalg.norm(flat, axis=1)
    return out
