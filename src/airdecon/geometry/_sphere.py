"""Spherical geodesy for the faces: great-circle bearing, distance and dead reckoning.

The detection engine measures exactly on the WGS84 ellipsoid (:mod:`airdecon.geometry._frames`);
what is shown to people (bearings and ranges to a threat, where an aircraft coasts to, the point of
closest approach) uses the mean-radius sphere, to well under the precision it is shown at. One copy,
scalar or numpy arrays alike.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from airdecon.units import NM

__all__ = ["EARTH_RADIUS_M", "bearing_range_nm", "destination", "distance_m"]

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8

ArrayLike = npt.ArrayLike


def bearing_range_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """Initial great-circle bearing (degrees, [0, 360)) and distance (NM) from point 1 to point 2."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    brg = (math.degrees(math.atan2(y, x)) + 360.0) % 360.0
    return brg, distance_m(lat1, lon1, lat2, lon2) / NM


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points (haversine; scalar, for the hot path)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


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

