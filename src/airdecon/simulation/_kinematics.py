"""Point-mass kinematics of a fleet in fast time: turns at a fixed rate, bounded vertical acceleration.

One call to :func:`step` advances every aircraft by ``dt`` seconds toward a commanded true track
and vertical rate (arrays, one per aircraft):

* the track turns toward the command the short way round at ``turn_rate_dps`` (3 deg/s, the
  standard rate of turn), and stops exactly on it;
* the vertical rate moves toward the command at ``vertical_accel_mps2`` (0.25 g, the acceleration
  TCAS II assumes a pilot gives an initial RA), and stops exactly on it;
* ground speed is kept (no advisory changes speed);
* the position moves along the WGS84 geodesic of the *mean* track of the step, the altitude by the
  *mean* vertical rate (the exact integral of a rate that changes linearly within the step).

Pure: no clock, no randomness, arrays in and new arrays out (SI units, angles in degrees).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj

from airdecon.units import FloatArray

__all__ = ["Flight", "G", "bearing_deg", "destination_wgs84", "distance_wgs84", "step", "wrap180"]

G: float = 9.80665
"""Standard gravity, m/s^2."""

_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class Flight:
    """The state of every aircraft at one time (structure of arrays, shape (n,)).

    Attributes
    ----------
    lat_deg, lon_deg : WGS84 position, degrees.
    alt_m : pressure altitude, metres.
    gs_mps : ground speed, m/s.
    trk_deg : true track, degrees in [0, 360).
    vs_mps : vertical rate, m/s, up positive.
    """

    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_mps: FloatArray
    trk_deg: FloatArray
    vs_mps: FloatArray


def wrap180(deg: FloatArray) -> FloatArray:
    """Angles folded into [-180, 180)."""
    out: FloatArray = (np.asarray(deg, dtype=float) + 180.0) % 360.0 - 180.0
    return out


def destination_wgs84(
    lat_deg: FloatArray, lon_deg: FloatArray, trk_deg: FloatArray, dist_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Where the WGS84 geodesic leaving (lat, lon) on true track *trk_deg* is after *dist_m*
    metres (pyproj's exact geodesic): the ellipsoid the engine measures on, so an aircraft flown
    at ``gs`` moves at ``gs`` in the engine's frame, whatever its track and latitude (on a sphere
    of mean radius it moved up to 0.6 % too slow north-south at the equator)."""
    lon, lat, _back = _geod(_GEOD.fwd, lon_deg, lat_deg, trk_deg, dist_m)
    return lat, (lon + 180.0) % 360.0 - 180.0


def _geod(fn: Any, *xs: FloatArray | float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """pyproj's Geod.fwd or Geod.inv on arrays broadcast together (1-d): one point goes by
    pyproj's scalar path (its vector path is for more), and the results come back as arrays."""
    args = np.broadcast_arrays(*(np.atleast_1d(np.asarray(x, dtype=float)) for x in xs))
    if args[0].size == 1:
        out = fn(*(float(a.reshape(-1)[0]) for a in args))
    else:
        out = fn(*(np.ascontiguousarray(a, dtype=float) for a in args))
    a0, a1, a2 = (np.atleast_1d(np.asarray(o, dtype=float)) for o in out)
    return a0, a1, a2


def distance_wgs84(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Geodesic distance (m) on the WGS84 ellipsoid between points 1 and 2 (arrays)."""
    _f, _b, dist = _geod(_GEOD.inv, lon1, lat1, lon2, lat2)
    return dist


def bearing_deg(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Initial bearing (degrees, [0, 360)) of the WGS84 geodesic from points 1 to points 2 (arrays)."""
    az, _b, _d = _geod(_GEOD.inv, lon1, lat1, lon2, lat2)
    out: FloatArray = az % 360.0
    return out


def step(
    flight: Flight,
    cmd_trk_deg: FloatArray,
    cmd_vs_mps: FloatArray,
    dt_s: float,
    *,
    turn_rate_dps: float = 3.0,
    vertical_accel_mps2: float = 0.25 * G,
) -> tuple[Flight, FloatArray]:
    """Advance *flight* by *dt_s* seconds toward the commanded tracks and vertical rates.

    Parameters
    ----------
    flight : Flight
        The state now.
    cmd_trk_deg, cmd_vs_mps : arrays of shape (n,)
        Commanded true track (degrees) and vertical rate (m/s) of each aircraft.
    dt_s : float
        Step, seconds (> 0).
    turn_rate_dps, vertical_accel_mps2 : float
        Rate of turn (deg/s) and vertical acceleration (m/s^2) the aircraft manoeuvre with.

    Returns
    -------
    (Flight, array of shape (n,))
        The state after the step, and the horizontal distance each aircraft flew (metres).
    """
    turn = wrap180(np.asarray(cmd_trk_deg, dtype=float) - flight.trk_deg)
    max_turn = turn_rate_dps * dt_s
    new_trk = (flight.trk_deg + np.clip(turn, -max_turn, max_turn)) % 360.0
    mean_trk = (flight.trk_deg + 0.5 * np.clip(turn, -max_turn, max_turn)) % 360.0
    dvs = np.asarray(cmd_vs_mps, dtype=float) - flight.vs_mps
    max_dvs = vertical_accel_mps2 * dt_s
    new_vs = flight.vs_mps + np.clip(dvs, -max_dvs, max_dvs)
    flown = flight.gs_mps * dt_s
    lat, lon = destination_wgs84(flight.lat_deg, flight.lon_deg, mean_trk, flown)
    alt = flight.alt_m + 0.5 * (flight.vs_mps + new_vs) * dt_s
    return Flight(lat, lon, alt, flight.gs_mps.copy(), new_trk, new_vs), flown
