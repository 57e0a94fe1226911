"""Encounters on the globe for the resolution tests: flat-plane vectors placed around a real point.

A scene is written as in ``shared/reference/vectors.json`` (x east / y north in NM, velocities in
kt, altitudes in ft, rates in fpm) and placed in the tangent plane of an origin (default 35N 38E):
each point is put in ECEF along the origin's east/north axes and projected onto the WGS84 ellipsoid,
and each velocity (a vector of the origin's plane) becomes a ground speed and a true track measured
at the aircraft's own meridian, so the plane's angles are kept to a few hundredths of a degree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from airdecon import Fleet
from airdecon.geometry import WGS84_A, WGS84_E2, east_north_up, geodetic_to_ecef
from airdecon.resolution import Resolution
from airdecon.units import FPM, FT, KT, NM

ORIGIN = (35.0, 38.0)
ANTIMERIDIAN = (10.0, 179.9)


def ecef_to_latlon(p: np.ndarray) -> tuple[float, float]:
    """Geodetic latitude/longitude (degrees) of the ellipsoid point under an ECEF point."""
    x, y, z = (float(v) for v in p)
    lon = math.degrees(math.atan2(y, x))
    r = math.hypot(x, y)
    lat = math.atan2(z, r * (1.0 - WGS84_E2))
    for _ in range(8):
        n = WGS84_A / math.sqrt(1.0 - WGS84_E2 * math.sin(lat) ** 2)
        h = r / math.cos(lat) - n
        lat = math.atan2(z, r * (1.0 - WGS84_E2 * n / (n + h)))
    return math.degrees(lat), lon


def place(aircraft: Sequence[Mapping[str, Any]], origin: tuple[float, float] = ORIGIN) -> Fleet:
    """A fleet from flat-plane records: ``id``, ``party``, ``x_nm``, ``y_nm``, ``vx_kt``, ``vy_kt``,
    ``alt_ft``, optional ``vs_fpm``."""
    lat0, lon0 = origin
    e, n, _u = east_north_up(np.array([lat0]), np.array([lon0]))
    p0 = geodetic_to_ecef(np.array([lat0]), np.array([lon0]))[0]
    lat, lon, gs, trk = [], [], [], []
    for rec in aircraft:
        p = p0 + rec["x_nm"] * NM * e[0] + rec["y_nm"] * NM * n[0]
        la, lo = ecef_to_latlon(p)
        lat.append(la)
        lon.append(lo)
        # the plane's velocity, seen from the aircraft's own meridian
        v = (rec["vx_kt"] * e[0] + rec["vy_kt"] * n[0]) * KT
        e1, n1, _ = east_north_up(np.array([la]), np.array([lo]))
        ve, vn = float(v @ e1[0]), float(v @ n1[0])
        gs.append(math.hypot(ve, vn))
        trk.append(math.degrees(math.atan2(ve, vn)) % 360.0)
    return Fleet.from_arrays(
        ids=[rec["id"] for rec in aircraft],
        party=[rec.get("party", "CIVIL") for rec in aircraft],
        lat_deg=lat,
        lon_deg=lon,
        alt_m=[rec["alt_ft"] * FT for rec in aircraft],
        gs_mps=gs,
        trk_deg=trk,
        vs_mps=[rec.get("vs_fpm", 0.0) * FPM for rec in aircraft],
    )


def ac(
    ident: str,
    x_nm: float,
    y_nm: float,
    vx_kt: float,
    vy_kt: float,
    alt_ft: float,
    vs_fpm: float = 0.0,
    party: str = "CIVIL",
) -> dict[str, Any]:
    """One flat-plane aircraft record."""
    return {
        "id": ident,
        "party": party,
        "x_nm": x_nm,
        "y_nm": y_nm,
        "vx_kt": vx_kt,
        "vy_kt": vy_kt,
        "alt_ft": alt_ft,
        "vs_fpm": vs_fpm,
    }


def apply(fleet: Fleet, resolution: Resolution) -> Fleet:
    """The fleet flying every advisory: new track and/or vertical rate where one is given."""
    trk = fleet.trk_deg.copy()
    vs = fleet.vs_mps.copy()
    for aid, adv in resolution.by_aircraft.items():
        k = fleet.index(aid)
        if adv.trk_deg is not None:
            trk[k] = adv.trk_deg
        if adv.vs_fpm is not None:
            vs[k] = adv.vs_fpm * FPM
    return Fleet.from_arrays(
        ids=fleet.ids,
        party=fleet.party,
        lat_deg=fleet.lat_deg,
        lon_deg=fleet.lon_deg,
        alt_m=fleet.alt_m,
        gs_mps=fleet.gs_mps,
        trk_deg=trk,
        vs_mps=vs,
        pos_err_m=fleet.pos_err_m,
    )
