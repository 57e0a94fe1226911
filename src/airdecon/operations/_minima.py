"""Which minima apply between planned volumes: those of the protocol in force, overrides included.

The protocol's minima are a default plus overrides by altitude band and by airspace volume
(``docs/protocol.md``); for aircraft the largest that applies to either aircraft holds. For
volumes, which hold aircraft anywhere inside them, :func:`minima_for` takes the largest minimum
that applies *anywhere* in any of the volumes compared: every override whose band (and area)
meets one of them, and the default unless one override covers every volume entirely (a terminal
area lowering the minima over the whole of both volumes lowers them for the pair).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shapely.geometry import Polygon

from airdecon.operations._geometry import Minima, lonlat_polygon, volume_ring

__all__ = ["minima_for"]


def _band_meets(o: Any, lo: float, hi: float) -> bool:
    """Whether the override's band ``floor < alt <= ceiling`` meets ``[lo, hi]`` (ft)."""
    return (o.floor_ft is None or hi > o.floor_ft) and (o.ceiling_ft is None or lo <= o.ceiling_ft)


def _band_covers(o: Any, lo: float, hi: float) -> bool:
    return (o.floor_ft is None or lo > o.floor_ft) and (o.ceiling_ft is None or hi <= o.ceiling_ft)


def _area(o: Any) -> list[Polygon]:
    """The override's polygon in (lon, lat), and shifted by a turn when it crosses the antimeridian."""
    lons = [p[1] for p in o.polygon_deg]
    base = lons[0]
    unwrapped = [base + (x - base + 180.0) % 360.0 - 180.0 for x in lons]
    poly = Polygon([(x, p[0]) for x, p in zip(unwrapped, o.polygon_deg, strict=True)])
    if not poly.is_valid:
        poly = poly.buffer(0)
    return [poly, *(Polygon([(x + s, y) for x, y in poly.exterior.coords]) for s in (-360.0, 360.0))]


def minima_for(volumes: Sequence[Any], minima: Any, buffer_s: float) -> Minima:
    """The minima between planned *volumes* under the protocol document's *minima* section
    (``airdecon.protocol.Minima``), with the time buffer *buffer_s* (see the module)."""
    h_all: list[float] = []
    v_all: list[float] = []
    h_default = v_default = False
    shapes = [(lonlat_polygon(volume_ring(v)), v.alt_lower_ft, v.alt_upper_ft) for v in volumes]
    for shape, lo, hi in shapes:
        meets: list[Any] = []
        covers_h = covers_v = False
        for o in minima.altitude_bands:
            if _band_meets(o, lo, hi):
                meets.append(o)
                if _band_covers(o, lo, hi):
                    covers_h |= o.horizontal_nm is not None
                    covers_v |= o.vertical_ft is not None
        for o in minima.volumes:
            if not _band_meets(o, lo, hi):
                continue
            areas = _area(o)
            if not any(a.intersects(shape) for a in areas):
                continue
            meets.append(o)
            if _band_covers(o, lo, hi) and any(a.covers(shape) for a in areas):
                covers_h |= o.horizontal_nm is not None
                covers_v |= o.vertical_ft is not None
        h_all += [o.horizontal_nm for o in meets if o.horizontal_nm is not None]
        v_all += [o.vertical_ft for o in meets if o.vertical_ft is not None]
        h_default |= not covers_h
        v_default |= not covers_v
    if h_default or not h_all:
        h_all.append(minima.horizontal_nm)
    if v_default or not v_all:
        v_all.append(minima.vertical_ft)
    return Minima(max(h_all), max(v_all), buffer_s)
