"""The geometry of operations: volumes in an exact local projection, grown by the minima, clipped.

Horizontal work is done in an azimuthal equidistant projection (``pyproj``, WGS 84) centred on the
pair of volumes compared: distances from its centre are exact, and across the few hundred NM a
pair spans the projection distorts other distances by well under 1 %. A polygon's edges are the
straight lines between its vertices in latitude and longitude (each edge is densified every
:data:`DENSIFY_DEG` before it is projected). A circle becomes the regular
:data:`~airdecon.operations._model.CIRCLE_SEGMENTS`-gon inscribed in it, built in a projection
centred on the circle itself (so its vertices are exactly *radius* from the centre; the polygon
lies at most 0.12 % of the radius inside the true circle).

:func:`clip` answers the one question of plan against plan: the part of volume *own* that comes
within the minima of volume *other* in space and time — *own*'s polygon intersected with *other*'s
grown by the horizontal minimum, the bands' overlap with *other*'s band grown by the vertical
minimum, the windows' overlap with *other*'s window grown by the time buffer — or ``None``. That
part lies inside *own*; of *other* it shows only where its grown boundary crosses *own*.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np
import pyproj
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from airdecon.units import NM

__all__ = [
    "Clip",
    "Minima",
    "clip",
    "grown_latlon",
    "lonlat_polygon",
    "ring_problem",
    "to_latlon_rings",
    "volume_ring",
]

_DEG_NM = 60.0  # NM per degree of latitude, for the cheap bounding-box test only
DIGITS = 6  # clipped vertices are given to 1e-6 degree (~0.1 m)
DENSIFY_DEG = 0.02  # edges are densified to this step before projecting (chords ~2 km, sagitta < 1 cm)


@dataclass(frozen=True)
class Minima:
    """What two operations keep between them: horizontal (NM), vertical (ft), in time (s)."""

    horizontal_nm: float
    vertical_ft: float
    buffer_s: float = 300.0

    def to_mapping(self) -> dict[str, float]:
        """As written in a notice."""
        return {"horizontal_nm": self.horizontal_nm, "vertical_ft": self.vertical_ft,
                "buffer_s": self.buffer_s}  # fmt: skip


@dataclass(frozen=True)
class Clip:
    """The conflicting part of one's own volume: polygon rings (``[(lat, lon), …]`` each, the
    outer rings of a possibly multi-part area), band (ft) and window (POSIX s)."""

    rings: tuple[tuple[tuple[float, float], ...], ...]
    alt_lower_ft: float
    alt_upper_ft: float
    start: float
    end: float

    def to_mapping(self) -> dict[str, object]:
        """As written in a notice: one polygon, or ``polygons`` when the part has several pieces."""
        polys = [[[lat, lon] for lat, lon in ring] for ring in self.rings]
        shape: dict[str, object] = {"polygon": polys[0]} if len(polys) == 1 else {"polygons": polys}
        return {**shape, "alt_lower_ft": self.alt_lower_ft, "alt_upper_ft": self.alt_upper_ft,
                "start": self.start, "end": self.end}  # fmt: skip


def ring_problem(points: Sequence[tuple[float, float]]) -> str | None:
    """Why a ring of ``(lat, lon)`` points is not a valid simple polygon, or ``None``."""
    poly = Polygon([(lon, lat) for lat, lon in points])
    if not poly.is_valid:
        return f"is not a valid polygon ({shapely.is_valid_reason(poly)})"
    if poly.area <= 0:
        return "has no area"
    return None


@lru_cache(maxsize=4096)
def _proj(lat0: float, lon0: float) -> pyproj.Proj:
    return pyproj.Proj(proj="aeqd", lat_0=lat0, lon_0=lon0, datum="WGS84", units="m")


@lru_cache(maxsize=4096)
def _circle_ring(lat: float, lon: float, radius_nm: float, segments: int) -> tuple[tuple[float, float], ...]:
    proj = _proj(lat, lon)
    a = np.linspace(0.0, 2 * math.pi, segments, endpoint=False)
    r = radius_nm * NM
    lons, lats = proj(r * np.sin(a), r * np.cos(a), inverse=True)
    return tuple((float(la), float(lo)) for la, lo in zip(lats, lons, strict=True))


def volume_ring(volume: object, segments: int = 64) -> tuple[tuple[float, float], ...]:
    """The ``(lat, lon)`` ring of a volume (a circle as its inscribed polygon)."""
    polygon = getattr(volume, "polygon", None)
    if polygon is not None:
        return tuple(polygon)
    c = volume.circle  # type: ignore[attr-defined]
    return _circle_ring(c.lat, c.lon, c.radius_nm, segments)


def lonlat_polygon(ring: Sequence[tuple[float, float]]) -> Polygon:
    """A ``(lat, lon)`` ring as a shapely polygon in (lon, lat) degrees."""
    return Polygon([(lon, lat) for lat, lon in ring])


def _dense(ring: Sequence[tuple[float, float]]) -> BaseGeometry:
    """The polygon in (lon, lat) degrees with a vertex every :data:`DENSIFY_DEG` along its edges,
    so that its edges stay the straight lines of latitude/longitude once projected."""
    return shapely.segmentize(lonlat_polygon(ring), DENSIFY_DEG)


_G = TypeVar("_G", bound=BaseGeometry)  # a projected geometry keeps its type


def _project(geom: _G, proj: pyproj.Proj, inverse: bool = False) -> _G:
    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = proj(xy[:, 0], xy[:, 1], inverse=inverse)
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def to_latlon_rings(geom: BaseGeometry) -> tuple[tuple[tuple[float, float], ...], ...]:
    """The outer rings of a (multi)polygon in (lon, lat) degrees, as ``(lat, lon)`` tuples rounded
    to :data:`DIGITS` decimals (open rings, largest piece first)."""
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon) and not g.is_empty]
    parts.sort(key=lambda g: -g.area)
    out = []
    for g in parts:
        coords = list(shapely.get_coordinates(g.exterior))[:-1]
        ring = tuple((round(float(lat), DIGITS), round(float(lon), DIGITS)) for lon, lat in coords)
        out.append(tuple(dict.fromkeys(ring)))
    return tuple(r for r in out if len(r) >= 3)


def _bbox(ring: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    lats = [p[0] for p in ring]
    lons = [p[1] for p in ring]
    return min(lats), min(lons), max(lats), max(lons)


def _near(a: tuple[float, float, float, float], b: tuple[float, float, float, float], nm: float) -> bool:
    """Bounding boxes within *nm* (generously, in degrees): the cheap test before projecting."""
    dlat = nm / _DEG_NM * 1.01 + 1e-6
    coslat = max(math.cos(math.radians(max(abs(a[0]), abs(a[2]), abs(b[0]), abs(b[2])))), 0.05)
    dlon = dlat / coslat
    return not (a[2] + dlat < b[0] or b[2] + dlat < a[0] or a[3] + dlon < b[1] or b[3] + dlon < a[1])


def clip(own: object, other: object, minima: Minima, segments: int = 64) -> Clip | None:
    """The part of volume *own* within *minima* of volume *other* (see the module), or ``None``.

    Touching is not conflicting: bands, windows and areas must overlap by more than nothing.
    """
    lower = max(own.alt_lower_ft, other.alt_lower_ft - minima.vertical_ft)  # type: ignore[attr-defined]
    upper = min(own.alt_upper_ft, other.alt_upper_ft + minima.vertical_ft)  # type: ignore[attr-defined]
    start = max(own.start, other.start - minima.buffer_s)  # type: ignore[attr-defined]
    end = min(own.end, other.end + minima.buffer_s)  # type: ignore[attr-defined]
    if not (lower < upper and start < end):
        return None
    ring_a, ring_b = volume_ring(own, segments), volume_ring(other, segments)
    box_a, box_b = _bbox(ring_a), _bbox(ring_b)
    if not _near(box_a, box_b, minima.horizontal_nm):
        return None
    lat0 = (min(box_a[0], box_b[0]) + max(box_a[2], box_b[2])) / 2
    lon0 = (min(box_a[1], box_b[1]) + max(box_a[3], box_b[3])) / 2
    proj = _proj(round(lat0, 4), round(lon0, 4))
    a = _project(_dense(ring_a), proj)
    b = _project(_dense(ring_b), proj)
    grown = b.buffer(minima.horizontal_nm * NM, quad_segs=max(segments // 4, 4))
    part = a.intersection(grown)
    if part.is_empty or part.area <= 1.0:  # less than a square metre: touching
        return None
    rings = to_latlon_rings(_project(part, proj, inverse=True))
    if not rings:
        return None
    return Clip(rings, lower, upper, start, end)


def grown_latlon(other: object, minima: Minima, centre: tuple[float, float], segments: int = 64) -> Polygon:
    """*other*'s polygon grown by the horizontal minimum, in (lon, lat) degrees, built in the
    projection centred at *centre* (``(lat, lon)``) — for tests that check a clip."""
    proj = _proj(*centre)
    b = _project(_dense(volume_ring(other, segments)), proj)
    grown = b.buffer(minima.horizontal_nm * NM, quad_segs=max(segments // 4, 4))
    out: Polygon = _project(grown, proj, inverse=True)
    return out
