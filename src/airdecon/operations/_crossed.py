"""What is shown of a volume an aircraft will cross, and whether aircraft are inside a volume.

:func:`crossed_part` is what the aircraft's party is shown of a volume it will enter (another
party's active volume): the volume's polygon within the horizontal minimum of the predicted path
while inside (a corridor, built in an azimuthal equidistant projection centred on the entry point,
``pyproj``), its band within the vertical minimum of the aircraft's altitudes while inside, and the
crossing's times. :func:`inside` tells conformance whether aircraft are inside a volume now.
Nothing here reads a clock.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString

from airdecon.operations._geometry import (
    Clip,
    Minima,
    _dense,
    _proj,
    _project,
    lonlat_polygon,
    to_latlon_rings,
)
from airdecon.operations._geometry import volume_ring as _ring
from airdecon.operations._live import FloatArray, _paths
from airdecon.operations._model import Volume
from airdecon.units import FT, NM

__all__ = ["crossed_part", "inside"]


def crossed_part(
    volume: Volume,
    *,
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    gs_mps: float,
    trk_deg: float,
    vs_mps: float,
    t_in: float,
    t_out: float,
    now: float,
    minima: Minima,
) -> Clip | None:
    """The part of *volume* an aircraft's predicted path crosses (see the module): its polygon
    within ``minima.horizontal_nm`` of the path between *t_in* and *t_out* (s from *now*), its band
    within ``minima.vertical_ft`` of the aircraft's altitudes then, and the times ``now + t_in`` to
    ``now + t_out``; ``None`` when nothing of it is left (it was only touched)."""
    one = np.array
    lats, lons = _paths(
        one([lat_deg]), one([lon_deg]), one([trk_deg]), one([gs_mps]), one([t_in]), one([t_out])
    )
    e_lat, e_lon = float(lats[0, 0]), float(lons[0, 0])
    proj = _proj(round(e_lat, 4), round((e_lon + 180.0) % 360.0 - 180.0, 4))
    poly = _project(_dense(_ring(volume)), proj)
    lons_w = (lons[0] + 180.0) % 360.0 - 180.0
    x, y = proj(lons_w, lats[0])
    path = (
        LineString(np.column_stack([x, y])) if gs_mps * (t_out - t_in) >= 1.0 else shapely.points(x[0], y[0])
    )
    corridor = path.buffer(minima.horizontal_nm * NM, quad_segs=8)
    part = poly.intersection(corridor)
    if part.is_empty or part.area <= 1.0:
        return None
    part = part.simplify(1.0)  # the densified edges' points within a metre of a straight line go
    rings = to_latlon_rings(_project(part, proj, inverse=True))
    if not rings:
        return None
    alts = (alt_m + vs_mps * np.array([t_in, t_out])) / FT
    lower = max(volume.alt_lower_ft, float(alts.min()) - minima.vertical_ft)
    upper = min(volume.alt_upper_ft, float(alts.max()) + minima.vertical_ft)
    if not lower < upper:
        lower, upper = volume.alt_lower_ft, volume.alt_upper_ft
    return Clip(
        rings, round(lower, 0), round(upper, 0), round(float(now + t_in), 1), round(float(now + t_out), 1)
    )


def inside(
    volume: Volume, lat_deg: FloatArray, lon_deg: FloatArray, alt_m: FloatArray, now: float
) -> npt.NDArray[np.bool_]:
    """Whether each position is inside *volume* at *now*: area, band and window."""
    if not volume.start <= now <= volume.end:
        return np.zeros(lat_deg.shape, dtype=bool)
    poly = lonlat_polygon(_ring(volume))
    alt_ft = alt_m / FT
    band = (alt_ft >= volume.alt_lower_ft) & (alt_ft <= volume.alt_upper_ft)
    out: npt.NDArray[np.bool_] = band & shapely.contains_xy(poly, lon_deg, lat_deg)
    return out
