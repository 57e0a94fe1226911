"""The live-picture model: each aircraft's latest state -> its state at a common time ``t``.

This is the one place that decides what the detector sees between reports. The hub's live picture
(:meth:`airdecon.hub.Picture.snapshot`) and the replay tracker (:meth:`airdecon.tracking.Tracker.
snapshot`, behind ``airdecon replay``) both build their fleet with :func:`predict_fleet` and drop
tracks with :func:`is_lost`, so what a replay scores is the model the hub runs. The model:

* **age** ``= max(t - t_obs, 0)``: a state stamped after ``t`` (a party's clock slightly ahead)
  is held where it is, never flown backwards;
* **horizontally**, dead reckoning on the mean sphere: the aircraft flies on from its last position
  along the great circle leaving on its track, at its ground speed, for ``age`` seconds
  (:func:`airdecon.geometry.destination`); the fleet keeps the reported track and speed;
* **vertically**, ``alt + vs * age_alt`` (``age_alt`` from the altitude's own time, which is the
  position's for a hub report), clipped to the fleet's plausibility range (-2,000 .. 200,000 ft);
  a climb or descent towards a known selected altitude levels off there
  (:func:`airdecon.state.level_off`): once reached, the fleet holds the selected altitude and a
  vertical rate of 0;
* **intent** rides along: the fleet carries each aircraft's selected altitude (``sel_alt_m``) and
  the track rate of a steady turn (``turn_dps``), from which detection predicts the level-off
  ahead and the turn's arc (:mod:`airdecon.detection`). The position itself is dead-reckoned
  straight: the arc is a second hypothesis of detection, not the picture;
* **coasting**: once the position is older than ``stale_s``, ``pos_err_m`` grows by
  :data:`COAST_ERROR_FRACTION` of the distance flown blind since then (at no less than
  :data:`COAST_MIN_SPEED_MPS`: a slow or hovering aircraft still drifts);
* **lost**: a position older than ``drop_s`` (strictly) ends the track (:func:`is_lost`).

Pure numpy, SI units, no clock: time is always a parameter.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

from airdecon.geometry import destination
from airdecon.state._fleet import LIMITS, Fleet
from airdecon.state._intent import level_off
from airdecon.units import FT, FloatArray

__all__ = ["COAST_ERROR_FRACTION", "COAST_MIN_SPEED_MPS", "coast_error_m", "is_lost", "predict_fleet"]

#: Share of the distance flown blind (beyond ``stale_s``) added to a coasted track's uncertainty.
COAST_ERROR_FRACTION = 0.1
#: Speed at which a coasted track's uncertainty grows at the least, m/s (about 100 kt).
COAST_MIN_SPEED_MPS = 50.0

_ALT_LO_M, _ALT_HI_M = LIMITS["alt_ft"][0] * FT, LIMITS["alt_ft"][1] * FT


@overload
def is_lost(t_obs: float, t: float, drop_s: float) -> bool: ...
@overload
def is_lost(t_obs: FloatArray, t: float, drop_s: float) -> npt.NDArray[np.bool_]: ...
def is_lost(t_obs: float | FloatArray, t: float, drop_s: float) -> bool | npt.NDArray[np.bool_]:
    """Whether a track whose last position is from *t_obs* is lost at *t* (older than *drop_s*)."""
    return t - t_obs > drop_s


def coast_error_m(age_s: FloatArray, gs_mps: FloatArray, stale_s: float) -> FloatArray:
    """Extra horizontal uncertainty of tracks whose position is *age_s* old (0 until ``stale_s``)."""
    stale = np.maximum(age_s - stale_s, 0.0)
    out: FloatArray = stale * np.maximum(gs_mps, COAST_MIN_SPEED_MPS) * COAST_ERROR_FRACTION
    return out


def predict_fleet(
    *,
    ids: npt.NDArray[np.object_],
    party: npt.NDArray[np.object_],
    t_obs: FloatArray,
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    alt_m: FloatArray,
    gs_mps: FloatArray,
    trk_deg: FloatArray,
    vs_mps: FloatArray,
    t: float,
    stale_s: float,
    t_alt: FloatArray | None = None,
    sel_alt_m: FloatArray | None = None,
    turn_dps: FloatArray | None = None,
) -> Fleet:
    """Every aircraft's last state flown on to the common time *t* (see the module docstring).

    Parameters
    ----------
    ids, party : object arrays of shape (n,)
        Unique ids and parties (str), as the fleet will carry them.
    t_obs : shape (n,)
        Time of each aircraft's last position, seconds (the same clock as *t*).
    lat_deg, lon_deg, alt_m, gs_mps, trk_deg, vs_mps : shape (n,)
        The last state, SI units, angles in degrees; already validated (finite, in range).
    t : float
        The common time, seconds.
    stale_s : float
        Age beyond which a track is coasted (``SafetyProtocol.stale_s``).
    t_alt : shape (n,), optional
        Time of each last altitude when it differs from the position's (the tracker's).
    sel_alt_m : shape (n,), optional
        Selected altitude of each aircraft, metres, NaN where unknown.
    turn_dps : shape (n,), optional
        Track rate of each aircraft's steady turn, deg/s (positive right), 0 where none.

    Returns
    -------
    Fleet
        Built without re-validation: every input was checked where it entered.
    """
    age = np.maximum(t - t_obs, 0.0)
    age_alt = age if t_alt is None else np.maximum(t - t_alt, 0.0)
    lat, lon = destination(lat_deg, lon_deg, trk_deg, gs_mps * age)
    if sel_alt_m is not None and not np.isfinite(sel_alt_m).any():
        sel_alt_m = None
    if turn_dps is not None and not turn_dps.any():
        turn_dps = None
    alt, vs = level_off(alt_m, vs_mps, sel_alt_m, age_alt)
    return Fleet(
        ids=ids,
        party=party,
        lat_deg=np.clip(lat, -90.0, 90.0),
        lon_deg=lon,
        alt_m=np.clip(alt, _ALT_LO_M, _ALT_HI_M),
        gs_mps=gs_mps,
        trk_deg=trk_deg,
        vs_mps=vs,
        pos_err_m=coast_error_m(age, gs_mps, stale_s),
        sel_alt_m=sel_alt_m,
        turn_dps=turn_dps,
    )
