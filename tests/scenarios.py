"""Shared catalogue of encounter geometries, and how to place a flat-plane encounter on the globe.

``vectors()`` gives the 18 hand-derived encounters of ``../shared/reference/vectors.json``;
``place_pair()`` puts one of them on the WGS84 ellipsoid around any centre (Syria, the antimeridian,
near a pole) by mapping its tangent-plane coordinates onto the surface, and expressing each
velocity against the aircraft's own local north — as a real surveillance feed would report it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import airdecon

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NM, FT, KT, FPM = 1852.0, 0.3048, 1852.0 / 3600.0, 0.3048 / 60.0
A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)

#: centres on which every vector is replayed: (name, lat, lon)
CENTRES = [
    ("syria", 35.0, 38.0),
    ("antimeridian", -17.0, 180.0),
    ("near-north-pole", 89.7, 10.0),
    ("equator", 0.0, -45.0),
    ("high-south", -72.0, 140.0),
]


def vectors() -> dict[str, Any]:
    """The reference vectors file, parsed."""
    return json.loads((SHARED / "reference" / "vectors.json").read_text())


def _ecef(lat: float, lon: float) -> list[float]:
    la, lo = math.radians(lat), math.radians(lon)
    n = A / math.sqrt(1 - E2 * math.sin(la) ** 2)
    return [n * math.cos(la) * math.cos(lo), n * math.cos(la) * math.sin(lo), n * (1 - E2) * math.sin(la)]


def _geodetic(x: float, y: float, z: float) -> tuple[float, float]:
    """ECEF -> geodetic latitude/longitude (iterative; height discarded)."""
    lon = math.atan2(y, x)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - E2))
    for _ in range(10):
        n = A / math.sqrt(1 - E2 * math.sin(lat) ** 2)
        h = p / math.cos(lat) - n if abs(lat) < math.radians(89.9) else z / math.sin(lat) - n * (1 - E2)
        lat = math.atan2(z, p * (1 - E2 * n / (n + h)))
    return math.degrees(lat), math.degrees(lon)


def _enu(lat: float, lon: float) -> tuple[list[float], list[float]]:
    la, lo = math.radians(lat), math.radians(lon)
    return (
        [-math.sin(lo), math.cos(lo), 0.0],
        [-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la)],
    )


def place(x_nm: float, y_nm: float, vx_kt: float, vy_kt: float, lat0: float, lon0: float) -> dict[str, float]:
    """A tangent-plane position/velocity at a centre, as lat/lon/gs/track on the ellipsoid."""
    c = _ecef(lat0, lon0)
    e, n = _enu(lat0, lon0)
    p = [c[k] + e[k] * x_nm * NM + n[k] * y_nm * NM for k in range(3)]
    lat, lon = _geodetic(*p)
    v = [e[k] * vx_kt + n[k] * vy_kt for k in range(3)]
    ei, ni = _enu(lat, lon)
    ve = sum(v[k] * ei[k] for k in range(3))
    vn = sum(v[k] * ni[k] for k in range(3))
    return {
        "lat": lat,
        "lon": (lon + 180.0) % 360.0 - 180.0,
        "gs_kt": math.hypot(ve, vn),
        "trk_deg": math.degrees(math.atan2(ve, vn)) % 360.0,
    }


def place_pair(enc: dict[str, Any], lat0: float, lon0: float) -> airdecon.Fleet:
    """Put encounter *enc* (vectors.json format) on the globe around (lat0, lon0).

    The pair's midpoint sits at the centre so that both aircraft are equally far from it.
    """
    a, b = enc["A"], enc["B"]
    mx, my = (a["x_nm"] + b["x_nm"]) / 2, (a["y_nm"] + b["y_nm"]) / 2
    recs = []
    for ident, ac in (("A", a), ("B", b)):
        pos = place(ac["x_nm"] - mx, ac["y_nm"] - my, ac["vx_kt"], ac["vy_kt"], lat0, lon0)
        recs.append({"id": ident, "party": ident, "alt_ft": ac["alt_ft"], "vs_fpm": ac["vs_fpm"], **pos})
    return airdecon.Fleet.from_records(recs)
