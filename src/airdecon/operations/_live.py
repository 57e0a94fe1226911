"""Live tracks against plans: which aircraft are predicted to enter which volumes, when and where.

:class:`AreaIndex` holds the volumes live aircraft are checked against (other parties' *active*
volumes and every hazard area), as ``shapely`` 2 polygons in (lon, lat) degrees in an ``STRtree``,
and their edges as flat arrays with their boxes. A volume's edges are the straight lines between its
vertices in latitude and longitude (as for plan against plan, :mod:`airdecon.operations._geometry`),
so a point is inside a volume exactly when it is inside that polygon: containment needs no
projection.

:func:`crossings` checks a whole fleet at once, vectorised:

1. broad phase: the volumes' tree is queried with a box sure to hold each aircraft's path over the
   look-ahead (its great circle on a sphere, padded by more than the ellipsoid changes);
2. for each (aircraft, volume) pair found, the times within the look-ahead when the aircraft is
   inside the volume's band (climbing or descending at its vertical rate) and window, in numpy;
3. each candidate aircraft's path is its *geodesic* on WGS 84 (``pyproj.Geod``) from its position
   along its track at its ground speed, sampled at :data:`SAMPLES` times; its chords are crossed
   with the edges of the pair's volume whose boxes meet theirs (:mod:`airdecon.operations._edges`),
   and containment at the ends of the pair's times decides the rest: the first and last times
   inside, and the entry point. Over a 300 s look-ahead at 550 kt the chords depart from the
   geodesic by at most 10 m at 45° of latitude, 18 m at 60°, 60 m at 80°.

What the aircraft's party is shown of a volume it will enter is
:func:`~airdecon.operations._crossed.crossed_part`. Nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
import pyproj
import shapely

from airdecon.geometry import destination
from airdecon.operations._edges import Backend, _at, edge_crossings
from airdecon.operations._geometry import volume_ring as _ring
from airdecon.operations._model import Volume
from airdecon.units import FT

__all__ = ["SAMPLES", "AreaIndex", "AreaVolume", "Crossings", "crossings"]

SAMPLES = 5  # points of a predicted path (4 chords)
_NO_POLYGONS = np.zeros(0, dtype=object)
_GEOD = pyproj.Geod(ellps="WGS84")
IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AreaVolume:
    """One volume live aircraft are checked against: whose, which operation, which volume."""

    owner: str
    operation: str
    index: int  # the volume's place in its operation
    public: bool  # a hazard area: every party's aircraft, its owner's included, are checked
    volume: Volume


class AreaIndex:
    """The volumes to check, indexed (build once when operations change, query every cycle).

    Each volume's polygon is kept twice: as a prepared ``shapely`` polygon in an ``STRtree`` (the
    broad phase, and containment), and as flat arrays of its edges (the exact crossing times)."""

    def __init__(self, volumes: Sequence[AreaVolume]) -> None:
        self.volumes = tuple(volumes)
        rings = [_ring(v.volume) for v in self.volumes]
        # every vertex in (lon, lat) degrees, volume j's from offset[j] to offset[j + 1]
        counts = np.array([len(r) for r in rings], dtype=np.intp)
        self.offset = np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)
        pts = np.array([(lon, lat) for r in rings for lat, lon in r], dtype=float).reshape(-1, 2)
        # the polygons (each ring closed on its first vertex, as lonlat_polygon does), all at once
        which = np.repeat(np.arange(len(rings)), counts)
        # with indices, an array of polygons (the stubs also allow one polygon, for one ring)
        self.polygons: npt.NDArray[np.object_] = (
            cast("npt.NDArray[np.object_]", shapely.polygons(shapely.linearrings(pts, indices=which)))
            if rings
            else _NO_POLYGONS
        )
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)
        owners = sorted({v.owner for v in self.volumes})
        self._owner_code = {p: n for n, p in enumerate(owners)}
        self.owner = np.array([self._owner_code[v.owner] for v in self.volumes], dtype=np.intp)
        self.public = np.array([v.public for v in self.volumes], dtype=bool)
        self.lower_m = np.array([v.volume.alt_lower_ft * FT for v in self.volumes])
        self.upper_m = np.array([v.volume.alt_upper_ft * FT for v in self.volumes])
        self.start = np.array([v.volume.start for v in self.volumes])
        self.end = np.array([v.volume.end for v in self.volumes])
        self.bounds = shapely.bounds(self.polygons).reshape(-1, 4)  # lon0, lat0, lon1, lat1
        # edges: (x0, y0, x1, y1), vertex k to k + 1, volume j's from offset[j] to offset[j + 1]
        nxt = np.arange(pts.shape[0]) + 1
        nxt[self.offset[1:] - 1] = self.offset[:-1]  # each ring closes on its first vertex
        self.edges = np.column_stack([pts, pts[nxt]]) if pts.size else np.zeros((0, 4))
        e = self.edges
        self.edge_box = np.stack(  # (4, E): min lon, min lat, max lon, max lat
            [np.minimum(e[:, 0], e[:, 2]), np.minimum(e[:, 1], e[:, 3]),
             np.maximum(e[:, 0], e[:, 2]), np.maximum(e[:, 1], e[:, 3])]
        )  # fmt: skip
        self.edge_xy = np.ascontiguousarray(e.T)  # (4, E): x0, y0, x1, y1, a column each

    def __len__(self) -> int:
        return len(self.volumes)

    def owner_codes(self, parties: npt.NDArray[np.object_]) -> IntArray:
        """Each party of *parties* as its owner code here (-1: owns no volume)."""
        get = self._owner_code.get
        return np.array([get(p, -1) for p in parties.tolist()], dtype=np.intp).reshape(parties.shape)


@dataclass(frozen=True)
class Crossings:
    """Predicted entries: aircraft row, volume row (in the index), and for each pair the times
    from now of entry and exit (s) and the entry point (degrees) and altitude (m)."""

    aircraft: IntArray
    volume: IntArray
    t_in: FloatArray
    t_out: FloatArray
    lat: FloatArray
    lon: FloatArray
    alt_m: FloatArray

    def __len__(self) -> int:
        return int(self.aircraft.shape[0])


def _empty() -> Crossings:
    z, f = np.zeros(0, dtype=np.intp), np.zeros(0)
    return Crossings(z, z, f, f, f, f, f)


def _paths(
    lat: FloatArray, lon: FloatArray, trk: FloatArray, gs: FloatArray, t0: FloatArray, t1: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Points (n, SAMPLES) of each geodesic path from time *t0* to *t1* (s from now); longitudes
    unwrapped from the first point (they may leave [-180, 180] across the antimeridian). A point
    no distance away (now, or a stationary aircraft) is the aircraft's position itself: only the
    others are computed."""
    n = lat.shape[0]
    ts = t0[:, None] + (t1 - t0)[:, None] * np.linspace(0.0, 1.0, SAMPLES)[None, :]
    dist = (gs[:, None] * ts).ravel()
    # a copy to write into, float whatever came
    lats: FloatArray = np.repeat(np.asarray(lat, dtype=float), SAMPLES)
    lons: FloatArray = np.repeat(np.asarray(lon, dtype=float), SAMPLES)
    away = np.flatnonzero(dist != 0.0)
    if away.size:
        x, y, _ = _GEOD.fwd(lons[away], lats[away], np.repeat(trk, SAMPLES)[away], dist[away])
        lons[away], lats[away] = x, y
    lons, lats = lons.reshape(n, SAMPLES), lats.reshape(n, SAMPLES)
    lons = lons[:, :1] + (lons - lons[:, :1] + 180.0) % 360.0 - 180.0
    return lats, lons


def _boxes(
    lat: FloatArray, lon: FloatArray, trk: FloatArray, dist: FloatArray
) -> tuple[npt.NDArray[np.object_], IntArray]:
    """Boxes in (lon, lat) degrees sure to hold each aircraft's path of *dist* metres (the broad
    phase only): the great circle's start and end on a sphere, padded by 1 % of the distance and
    0.01° (more than an ellipsoid's geodesic departs from it, and more than its bulge in latitude
    and longitude up to 85° of latitude: ~1.6 km for a 46 NM path there), plus, for a box that
    leaves [-180, 180], a copy shifted by a turn. Returns the boxes and each one's aircraft row."""
    end_lat, end_lon = destination(lat, lon, trk, dist)
    end_lon = lon + (end_lon - lon + 180.0) % 360.0 - 180.0
    pad = (0.01 * dist + 200.0) / 111_000.0 + 0.01
    y0, y1 = np.minimum(lat, end_lat) - pad, np.maximum(lat, end_lat) + pad
    cos = np.cos(np.radians(np.minimum(np.maximum(np.abs(y0), np.abs(y1)), 90.0)))
    xpad = np.where(cos > 0.02, pad / np.maximum(cos, 0.02), 360.0)
    x0, x1 = np.minimum(lon, end_lon) - xpad, np.maximum(lon, end_lon) + xpad
    rows = np.arange(lat.shape[0])
    wide = np.flatnonzero((x1 > 180.0) | (x0 < -180.0))
    shift = np.where(x1[wide] > 180.0, -360.0, 360.0)
    x0, x1 = np.concatenate([x0, x0[wide] + shift]), np.concatenate([x1, x1[wide] + shift])
    y0, y1 = np.concatenate([y0, y0[wide]]), np.concatenate([y1, y1[wide]])
    return _envelopes(x0, y0, x1, y1), np.concatenate([rows, wide])


def _meets(
    bounds: FloatArray, lat: FloatArray, lon: FloatArray, trk: FloatArray, d0: FloatArray, d1: FloatArray
) -> npt.NDArray[np.bool_]:
    """Whether the box sure to hold each path from *d0* to *d1* metres (great circle on a sphere,
    padded as in :func:`_boxes`) meets the box *bounds* (lon0, lat0, lon1, lat1) of its volume."""
    lat_a, lon_a = destination(lat, lon, trk, d0)
    lat_b, lon_b = destination(lat, lon, trk, d1)
    lon_b = lon_a + (lon_b - lon_a + 180.0) % 360.0 - 180.0
    pad = (0.01 * d1 + 200.0) / 111_000.0 + 0.01
    y0, y1 = np.minimum(lat_a, lat_b) - pad, np.maximum(lat_a, lat_b) + pad
    cos = np.cos(np.radians(np.minimum(np.maximum(np.abs(y0), np.abs(y1)), 90.0)))
    xpad = np.where(cos > 0.02, pad / np.maximum(cos, 0.02), 360.0)
    x0, x1 = np.minimum(lon_a, lon_b) - xpad, np.maximum(lon_a, lon_b) + xpad
    lat_ok = (y1 >= bounds[:, 1]) & (y0 <= bounds[:, 3])
    lon_ok = np.zeros(lat.shape, dtype=bool)
    for shift in (-360.0, 0.0, 360.0):
        lon_ok |= (x1 + shift >= bounds[:, 0]) & (x0 + shift <= bounds[:, 2])
    out: npt.NDArray[np.bool_] = lat_ok & lon_ok
    return out


def _envelopes(x0: FloatArray, y0: FloatArray, x1: FloatArray, y1: FloatArray) -> npt.NDArray[np.object_]:
    """Geometries whose envelopes are these boxes, for ``STRtree.query`` (which tests envelopes):
    each box's diagonal, a two-point line (made faster than the box polygon itself)."""
    corners = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
    # an (n, 2, 2) array: n lines (the stubs also allow one line, for one point list)
    out = cast("npt.NDArray[np.object_]", shapely.linestrings(corners))
    return out


def _interval(
    alt: FloatArray, vs: FloatArray, lower: FloatArray, upper: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Times (s from now) between which ``alt + vs t`` is within ``[lower, upper]``."""
    level = np.abs(vs) < 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (lower - alt) / vs
        b = (upper - alt) / vs
    within = (alt >= lower) & (alt <= upper)
    lo = np.where(level, np.where(within, -np.inf, np.inf), np.minimum(a, b))
    hi = np.where(level, np.where(within, np.inf, -np.inf), np.maximum(a, b))
    return lo, hi


def crossings(
    index: AreaIndex,
    *,
    party: npt.NDArray[np.object_],
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    alt_m: FloatArray,
    gs_mps: FloatArray,
    trk_deg: FloatArray,
    vs_mps: FloatArray,
    now: float,
    lookahead_s: float,
    backend: Backend = "auto",
) -> Crossings:
    """Every (aircraft, volume) pair where the aircraft is predicted inside the volume — its area,
    band and window at once — within *lookahead_s* of *now* (see the module).

    Parameters
    ----------
    index : AreaIndex
    party : object array (n,)
        Each aircraft's party: a volume that is not a hazard area is checked against the other
        parties' aircraft only.
    lat_deg, lon_deg, alt_m, gs_mps, trk_deg, vs_mps : float arrays (n,)
        Each aircraft's state at *now* (degrees, metres, m/s, degrees, m/s).
    now : float
        POSIX seconds (the volumes' windows are POSIX seconds).
    lookahead_s : float
        How far ahead, seconds.
    backend : "auto", "box" or "brute"
        How the paths' chords are crossed with the volumes' edges
        (:func:`~airdecon.operations._edges.edge_crossings`): the same answer either way.
    """
    n = lat_deg.shape[0]
    if n == 0 or len(index) == 0:
        return _empty()
    L = float(lookahead_s)
    boxes, rows = _boxes(lat_deg, lon_deg, trk_deg, gs_mps * L)
    pair = index.tree.query(boxes)
    if pair.shape[1] == 0:
        return _empty()
    vol, ac = pair[1], rows[pair[0]]
    # whose: another party's volume, or a hazard area
    keep = (index.owner_codes(party)[ac] != index.owner[vol]) | index.public[vol]
    vol, ac = vol[keep], ac[keep]
    # when: inside the band and the window, within the look-ahead
    b_lo, b_hi = _interval(alt_m[ac], vs_mps[ac], index.lower_m[vol], index.upper_m[vol])
    t_lo = np.maximum(np.maximum(b_lo, index.start[vol] - now), 0.0)
    t_hi = np.minimum(np.minimum(b_hi, index.end[vol] - now), L)
    keep = t_lo < t_hi
    vol, ac, t_lo, t_hi = vol[keep], ac[keep], t_lo[keep], t_hi[keep]
    if ac.size == 0:
        return _empty()
    # the box of the path between those times (as in the broad phase) must meet the volume's: over
    # the whole look-ahead that box is the broad phase's, already met, so only shorter times are tested
    part = np.flatnonzero((t_lo > 0.0) | (t_hi < L))
    keep = np.ones(ac.shape, dtype=bool)
    a = ac[part]
    keep[part] = _meets(
        index.bounds[vol[part]],
        lat_deg[a],
        lon_deg[a],
        trk_deg[a],
        gs_mps[a] * t_lo[part],
        gs_mps[a] * t_hi[part],
    )
    vol, ac, t_lo, t_hi = vol[keep], ac[keep], t_lo[keep], t_hi[keep]
    if ac.size == 0:
        return _empty()
    # where: each candidate aircraft's geodesic path (pyproj), once, and its chords' crossings of
    # the volume's edges, in the volume's longitude frame
    mark = np.zeros(n, dtype=bool)
    mark[ac] = True  # the candidate aircraft, in order (np.unique without its sort)
    uniq, which = np.flatnonzero(mark), (np.cumsum(mark) - 1)[ac]
    lats_u, lons_u = _paths(lat_deg[uniq], lon_deg[uniq], trk_deg[uniq], gs_mps[uniq],
                            np.zeros(uniq.size), np.full(uniq.size, L))  # fmt: skip
    lats, lons = lats_u[which], lons_u[which]
    e0 = index.edges[index.offset[vol], 0]  # a vertex of each volume: its longitude frame
    lons = lons + (np.round((e0 - lons[:, 0]) / 360.0) * 360.0)[:, None]
    u_lo, u_hi = t_lo / L, t_hi / L
    y_lo, x_lo = _at(lats, lons, u_lo)
    y_hi, x_hi = _at(lats, lons, u_hi)
    polys = index.polygons[vol]
    in_lo = shapely.contains_xy(polys, x_lo, y_lo)
    in_hi = shapely.contains_xy(polys, x_hi, y_hi)
    first, last = np.full(vol.shape, np.inf), np.full(vol.shape, -np.inf)
    todo = np.flatnonzero(~(in_lo & in_hi))  # inside from u_lo to u_hi: no crossing changes that
    first[todo], last[todo] = edge_crossings(
        index, vol[todo], lats[todo], lons[todo], u_lo[todo], u_hi[todo], backend=backend
    )
    hit = in_lo | np.isfinite(first)
    u_in = np.where(in_lo, u_lo, first)
    u_out = np.where(in_hi, u_hi, last)
    sel = np.flatnonzero(hit)
    if sel.size == 0:
        return _empty()
    u_out = np.where(np.isfinite(u_out), u_out, u_in)  # entered and left within one chord point
    e_lat, e_lon = _at(lats[sel], lons[sel], u_in[sel])
    a = ac[sel]
    t_in = u_in[sel] * L
    return Crossings(a, vol[sel], t_in, u_out[sel] * L, e_lat, (e_lon + 180.0) % 360.0 - 180.0,
                     alt_m[a] + vs_mps[a] * t_in)  # fmt: skip
