"""What an aircraft says it will do: the level-off at its selected altitude, and its steady turn.

Two optional columns of a :class:`~airdecon.state.Fleet` carry intent:

* ``sel_alt_m``, the selected altitude (MCP/FCU or FMS) the aircraft broadcasts (ADS-B target
  state and status, TC 29; Mode S Comm-B BDS 4,0) or a party reports (``selected_alt_ft``); NaN
  where unknown. A climb or descent **levels off** there, but only when the selected altitude lies
  ahead in the direction of the vertical rate (``(sel - alt) * vs >= 0``) and the aircraft is
  really climbing or descending (``|vs| >= LEVEL_OFF_MIN_VS_MPS``). The level-off is instantaneous:
  the vertical rate steps from ``vs`` to 0 at ``t = (sel - alt) / vs``. A selected altitude behind
  the aircraft (climbing, selected below) says nothing usable: the vertical motion stays linear.
* ``turn_dps``, the track rate of an aircraft in a steady turn (degrees per second, positive to
  the right), measured by the tracker; 0 where none. Turns slower than :data:`TURN_MIN_DPS` are
  flown straight. A turn is predicted to go on for at most :data:`TURN_MAX_DEG` of track change,
  then straight on the new track.

How a track rate is measured, the same in the replay tracker and the hub's picture
(:func:`turn_update`): the track is sampled at least :data:`TURN_BASELINE_S` apart (shorter
intervals are too noisy: an ADS-B track has a resolution of about 0.35 degrees); a rate needs two
samples no more than :data:`TURN_MAX_GAP_S` apart; the turn is *steady* when two successive rates
are both at least :data:`TURN_MIN_DPS`, of the same sign, and within a factor of two of each other
(``|r1 - r0| <= max(|r0|, |r1|) / 2``); its rate is then the latest one.

Pure numpy, SI units.
"""

from __future__ import annotations

import numpy as np

from airdecon.units import FloatArray

__all__ = [
    "LEVEL_OFF_MIN_VS_MPS",
    "TURN_BASELINE_S",
    "TURN_LIMIT_DPS",
    "TURN_MAX_DEG",
    "TURN_MAX_GAP_S",
    "TURN_MIN_DPS",
    "level_off",
    "level_off_s",
    "turn_update",
    "turn_updates",
]

#: Below this vertical rate (m/s, about 100 fpm) an aircraft is level: no level-off is predicted.
LEVEL_OFF_MIN_VS_MPS = 0.5
#: Track rates below this (deg/s) are not a turn: the aircraft is predicted straight only.
TURN_MIN_DPS = 1.0
#: Largest plausible track rate (deg/s); a fleet refuses larger ones.
TURN_LIMIT_DPS = 30.0
#: A predicted turn ends after this much track change (degrees); the aircraft then flies straight.
#: (A quarter turn: terminal traffic turns onto its next leg; predicting half turns or more would
#: alert on many more pairs for turns no clearance asks for.)
TURN_MAX_DEG = 90.0
#: Shortest time between the two tracks a rate is measured from (s).
TURN_BASELINE_S = 4.0
#: Longest time between them (s): after a longer gap, no rate.
TURN_MAX_GAP_S = 30.0


def level_off_s(alt_m: FloatArray, vs_mps: FloatArray, sel_alt_m: FloatArray | None) -> FloatArray:
    """Time from now at which each aircraft reaches its selected altitude and levels off.

    Parameters
    ----------
    alt_m, vs_mps : arrays of shape (n,)
        Altitude (m) and vertical rate (m/s).
    sel_alt_m : array of shape (n,), or None
        Selected altitude (m), NaN where unknown; None: none known for any aircraft.

    Returns
    -------
    array of shape (n,)
        Seconds (>= 0), ``inf`` where the aircraft does not level off (no selected altitude, level,
        or a selected altitude behind it).
    """
    n = alt_m.shape[0]
    if sel_alt_m is None:
        return np.full(n, np.inf)
    d = sel_alt_m - alt_m
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ahead = np.isfinite(sel_alt_m) & (np.abs(vs_mps) >= LEVEL_OFF_MIN_VS_MPS) & (d * vs_mps >= 0.0)
        out: FloatArray = np.where(ahead, np.maximum(d / vs_mps, 0.0), np.inf)
    return out


def level_off(
    alt_m: FloatArray, vs_mps: FloatArray, sel_alt_m: FloatArray | None, dt_s: FloatArray | float
) -> tuple[FloatArray, FloatArray]:
    """Altitude and vertical rate after *dt_s* seconds, levelling off at the selected altitude.

    Returns
    -------
    (alt_m, vs_mps) : arrays of shape (n,)
        ``alt + vs * dt`` and ``vs`` until the level-off time; the selected altitude and 0 from it on.
    """
    t_lo = level_off_s(alt_m, vs_mps, sel_alt_m)
    done = t_lo <= dt_s
    if sel_alt_m is None or not done.any():
        return alt_m + vs_mps * dt_s, vs_mps
    alt = np.where(done, sel_alt_m, alt_m + vs_mps * dt_s)
    return alt, np.where(done, 0.0, vs_mps)


def turn_update(
    state: tuple[float, float, float, float], t: float, trk_deg: float
) -> tuple[float, float, float, float]:
    """A track rate's state after a track *trk_deg* at time *t* (module docstring).

    *state* and the result are ``(t0, trk0, rate, turn)``: the last sampled time and track, the
    latest rate (deg/s) and the steady-turn rate (deg/s, 0 when not in a steady turn). Start from
    ``(t, trk, 0.0, 0.0)`` at a track's first report.
    """
    t0, trk0, rate, _ = state
    dt = t - t0
    if dt < TURN_BASELINE_S:
        return state
    if dt > TURN_MAX_GAP_S:
        return (t, trk_deg, 0.0, 0.0)
    new = ((trk_deg - trk0 + 540.0) % 360.0 - 180.0) / dt
    steady = (
        abs(new) >= TURN_MIN_DPS
        and abs(rate) >= TURN_MIN_DPS
        and new * rate > 0.0
        and abs(new - rate) <= 0.5 * max(abs(new), abs(rate))
    )
    return (t, trk_deg, new, max(-TURN_LIMIT_DPS, min(TURN_LIMIT_DPS, new)) if steady else 0.0)


def turn_updates(state: FloatArray, t: FloatArray, trk_deg: FloatArray) -> FloatArray:
    """:func:`turn_update` for many aircraft at once: *state* of shape (n, 4), one row each."""
    t0, trk0, rate = state[:, 0], state[:, 1], state[:, 2]
    dt = t - t0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # dt ~ 0: not measured, masked below
        new = ((trk_deg - trk0 + 540.0) % 360.0 - 180.0) / dt
        steady = (
            (np.abs(new) >= TURN_MIN_DPS)
            & (np.abs(rate) >= TURN_MIN_DPS)
            & (new * rate > 0.0)
            & (np.abs(new - rate) <= 0.5 * np.maximum(np.abs(new), np.abs(rate)))
        )
    out = np.empty_like(state)
    measured = (dt >= TURN_BASELINE_S) & (dt <= TURN_MAX_GAP_S)
    gap = dt > TURN_MAX_GAP_S
    out[:] = state
    out[measured | gap, 0] = t[measured | gap]
    out[measured | gap, 1] = trk_deg[measured | gap]
    out[gap, 2:] = 0.0
    out[measured, 2] = new[measured]
    out[measured, 3] = np.where(steady, np.clip(new, -TURN_LIMIT_DPS, TURN_LIMIT_DPS), 0.0)[measured]
    return out
