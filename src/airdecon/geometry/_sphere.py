"""Spherical geodesy, once: great-circle bearing, distance, dead reckoning and local offsets.

The detection engine measures exactly on the WGS84 ellipsoid (:mod:`airdecon.geometry._frames`);
everything else that needs the Earth's shape uses the mean-radius sphere here, to well under the
precision it is shown or gated at: bearings and ranges to a threat, where an aircraft coasts to
(the live picture and the replay tracker alike, :mod:`airdecon.state._predict`), the demo's
simulated flights, the closest approaches replay reports, and the tracker's gates. This is the only
module that holds the Earth's radius; scalar functions use :mod:`math` (hot paths), array
functions numpy.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from airdecon.units import NM

__all__ = [
    "EARTH_RADIUS_M",
    "bearing_range_nm",
    "destination",
    "distance_m",
    "distances_m",
    "initial_bearing_deg",
    "local_offset_m",
]

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8

ArrayLike = npt.ArrayLike
_D2R = math.pi / 180.0


def initial_bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle bearing (degrees, [0, 360)) from point 1 to point 2."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


def bearing_range_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """Initial great-circle bearing (degrees, [0, 360)) and distance (NM) from point 1 to point 2."""
    return initial_bearing_deg(lat1, lon1, lat2, lon2), distance_m(lat1, lon1, lat2, lon2) / NM


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points (haversine; scalar, for the hot path)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def distances_m(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distances in metres between arrays of points (haversine; degrees in)."""
    p1, p2 = np.deg2rad(lat1), np.deg2rad(lat2)
    dp, dl = p2 - p1, np.deg2rad(np.subtract(lon2, lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: npt.NDArray[np.float64] = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return out


def destination(
    lat_deg: ArrayLike, lon_deg: ArrayLike, trk_deg: ArrayLike, dist_m: ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Where a great circle leaving (lat, lon) on true track *trk_deg* is after *dist_m* metres:
    latitudes and longitudes in degrees (longitudes in [-180, 180))."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    trk, d = np.radians(trk_deg), np.asarray(dist_m, dtype=float) / EARTH_RADIUS_M
    lat2 = np.arcsin(np.clip(np.sin(lat) * np.cos(d) + np.cos(lat) * np.sin(d) * np.cos(trk), -1.0, 1.0))
    lon2 = lon + np.arctan2(np.sin(trk) * np.sin(d) * np.cos(lat), np.cos(d) - np.sin(lat) * np.sin(lat2))
    return np.degrees(lat2), (np.degrees(lon2) + 180.0) % 360.0 - 180.0


def local_offset_m(lat0: float, lon0: float, lat1: float, lon1: float) -> tuple[float, float]:
    """North and east offsets in metres of point 1 from point 0 in a local flat frame (scalar).

    Equirectangular, scaled at point 1's latitude, across the antimeridian: good to a few metres
    over the seconds-to-a-minute baselines the tracker gates and derives velocities on (a flat
    frame is the right tool there: the gate compares offsets, it does not fly anywhere).
    """
    north = (lat1 - lat0) * _D2R * EARTH_RADIUS_M
    east = ((lon1 - lon0 + 540.0) % 360.0 - 180.0) * _D2R * EARTH_RADIUS_M * math.cos(lat1 * _D2R)
    return north, east
