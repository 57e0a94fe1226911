"""Point-mass kinematics of sampled aircraft, and the map from an encounter's plane to the globe.

An aircraft's state is its position in a local plane (``x_m`` east, ``y_m`` north, metres), its
altitude ``h_m`` (metres), ground speed ``gs_mps`` (m/s) and track ``trk_deg`` (degrees clockwise
from north in the plane). Over each second it flies a command: acceleration (m/s²), vertical rate
(m/s) and turn rate (deg/s), integrated in :data:`SUBSTEPS` sub-steps (midpoint rule), so that turns
are arcs and the horizontal velocity is continuous. No wind: ground speed is the model's speed.
The speed stays within ``[gs_min_mps, gs_max_mps]`` (the acceleration stops there), and the vertical
rate is limited to the ground speed (a 45° flight path), as in the reference sampler.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np
from pyproj import Transformer

from airdecon.geometry import WGS84_A, WGS84_E2, east_north_up, geodetic_to_ecef
from airdecon.units import FloatArray

__all__ = ["SUBSTEPS", "KinState", "advance", "to_geodetic"]

SUBSTEPS = 10
"""Sub-steps per second of integration."""


@dataclass(frozen=True, eq=False)
class KinState:
    """States of m aircraft (all arrays of shape (m,), SI units, track in degrees)."""

    x_m: FloatArray
    y_m: FloatArray
    h_m: FloatArray
    gs_mps: FloatArray
    trk_deg: FloatArray
    gs_min_mps: FloatArray
    gs_max_mps: FloatArray

    def take(self, rows: np.ndarray) -> KinState:
        """Only the given rows."""
        return KinState(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))

    def velocity(self) -> tuple[FloatArray, FloatArray]:
        """Horizontal velocity (east, north), m/s."""
        a = np.radians(self.trk_deg)
        return self.gs_mps * np.sin(a), self.gs_mps * np.cos(a)


def advance(
    s: KinState, accel_mps2: FloatArray, vs_mps: FloatArray, turn_dps: FloatArray, dt_s: float = 1.0
) -> KinState:
    """The states *dt_s* seconds later, flying the given commands (arrays of shape (m,))."""
    h = dt_s / SUBSTEPS
    x, y, z, gs, trk = s.x_m.copy(), s.y_m.copy(), s.h_m.copy(), s.gs_mps.copy(), s.trk_deg.copy()
    vs = np.clip(vs_mps, -gs, gs)
    for _ in range(SUBSTEPS):
        gs_next = np.clip(gs + accel_mps2 * h, s.gs_min_mps, s.gs_max_mps)
        trk_next = trk + turn_dps * h
        mid_gs = 0.5 * (gs + gs_next)
        mid = np.radians(trk + 0.5 * turn_dps * h)
        x += mid_gs * np.sin(mid) * h
        y += mid_gs * np.cos(mid) * h
        z += vs * h
        gs, trk = gs_next, trk_next
    return replace(s, x_m=x, y_m=y, h_m=z, gs_mps=gs, trk_deg=np.mod(trk, 360.0))


@cache
def _ecef_to_geodetic() -> Transformer:
    """ECEF -> WGS84 geodetic (built on first use, not at import)."""
    return Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)


def to_geodetic(
    lat0_deg: FloatArray, lon0_deg: FloatArray, x_m: FloatArray, y_m: FloatArray, trk_deg: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """WGS84 latitude, longitude and true track of points of tangent planes.

    Each point (x_m east, y_m north in the plane tangent to the ellipsoid at (lat0, lon0)) is
    mapped to the ellipsoid point whose orthogonal projection on that plane it is: distances
    measured in the plane are then what the engine measures (it works in each pair's tangent
    plane). The track in the plane becomes the true track at the point (the meridians converge).

    Parameters
    ----------
    lat0_deg, lon0_deg : arrays of shape (m,)
        Plane origins, degrees.
    x_m, y_m : arrays of shape (m,)
        Positions in the planes, metres.
    trk_deg : array of shape (m,)
        Track in the plane, degrees clockwise from the plane's north.
    """
    lat0 = np.asarray(lat0_deg, dtype=np.float64)
    lon0 = np.asarray(lon0_deg, dtype=np.float64)
    c = geodetic_to_ecef(lat0, lon0)
    e, n, u = east_north_up(lat0, lon0)
    p = c + e * x_m[:, None] + n * y_m[:, None]
    # the ellipsoid point on the line p + s u: (X/a)^2 + (Y/a)^2 + (Z/b)^2 = 1, s <= 0 (below the plane)
    a2 = WGS84_A**2
    b2 = a2 * (1.0 - WGS84_E2)
    w = np.array([1.0 / a2, 1.0 / a2, 1.0 / b2])
    qa = (u * u * w).sum(axis=1)
    qb = 2.0 * (p * u * w).sum(axis=1)
    qc = (p * p * w).sum(axis=1) - 1.0
    s = 2.0 * qc / (-qb - np.sqrt(qb * qb - 4.0 * qa * qc))  # the root near 0, in its stable form
    g = p + u * s[:, None]
    lon, lat, _ = _ecef_to_geodetic().transform(g[:, 0], g[:, 1], g[:, 2])
    a = np.radians(trk_deg)
    v = e * np.sin(a)[:, None] + n * np.cos(a)[:, None]
    e2, n2, _ = east_north_up(np.asarray(lat), np.asarray(lon))
    trk = np.mod(np.degrees(np.arctan2((v * e2).sum(axis=1), (v * n2).sum(axis=1))), 360.0)
    return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64), trk
